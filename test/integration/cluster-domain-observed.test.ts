/**
 * The cluster domain the flows show. Hubble's `destination_names` of a flow to the server's pod is
 * `server.app.svc.corp.example`: a Service's name `<service>.<ns>.svc.<zone>` (kubernetes/dns
 * docs/specification.md 2.3.1), `<zone>` being the "configured cluster domain" (2.1), and Service
 * app/server is in the inventory — so the cluster's domain is corp.example. With the default config
 * (cluster.local) a rule's `server.app.svc.corp.example` is read as an outside name (toFQDNs on
 * Cilium, which selects "remote, non-cluster, peers" only) and nothing said the config was wrong.
 * Now recommend, export and matrix apply say so once, naming the domain, the name and the key to
 * set; never when the config sets that domain, nor for the name of a Service the inventory lacks.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { clientEgressMatrix, clientHubbleRecord, clientServerCli, clientServerInventory, HUBBLE_SERVER_POD } from '../helpers/client-server-cluster.ts';
import { tmpDir } from '../helpers/tmp.ts';

const dir = tmpDir();
const { store } = clientServerCli(dir);

/** Service app/server (10.96.0.40:80 → 8080) of Deployment app/server. */
const SERVER_SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'server', namespace: 'app', uid: 'svc-server' },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.40', clusterIPs: ['10.96.0.40'], selector: { app: 'server' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
};

const MATRIX = clientEgressMatrix('{ id: server, peer: { namespace: app, selector: { matchLabels: { app: server } } }, ports: [{ port: 8080 }], level: must, purpose: the server, source: { document: doc, line: 1 } }');

/** client → server's pod, the record naming `names` (destination_names). */
const toServer = (names: readonly string[]) => clientHubbleRecord({ time: '2026-11-20T00:00:00Z', dst: '10.244.1.5', port: 8080, sourcePort: 41000, destination: HUBBLE_SERVER_POD, names });

function config(name: string, text: string): string {
  const file = join(dir, `${name}-config.yaml`);
  writeFileSync(file, text);
  return file;
}

const CORP = /the flows show Service names under the cluster domain corp\.example \(server\.app\.svc\.corp\.example\), not the configured cluster\.local: set `matrices\.clusterDomain: corp\.example`/g;

/** The warnings of export, of recommend -o json and of matrix apply, with `configArgs`. */
async function warnings(path: string, configArgs: string[]): Promise<{ exported: string; recommended: string[]; applied: string }> {
  const exported = await runCli(['export', '--db', path, '--engine', 'kubernetes', '--namespace', 'app', ...configArgs]);
  assert.equal(exported.code, 0, exported.err);
  const recommended = await runCli(['recommend', '--db', path, '--engine', 'cilium', '--namespace', 'app', '-o', 'json', ...configArgs]);
  assert.equal(recommended.code, 0, recommended.err);
  const matrix = join(dir, 'again.yaml');
  writeFileSync(matrix, MATRIX);
  const applied = await runCli(['matrix', 'apply', matrix, '--db', path, ...configArgs]);
  assert.equal(applied.code, 0, applied.err);
  return { exported: exported.err, recommended: (JSON.parse(recommended.out) as { warnings: string[] }).warnings, applied: applied.err };
}

test('names of an inventoried Service under another cluster domain: recommend, export and matrix apply say once which domain to configure', async () => {
  const path = await store('corp', clientServerInventory({ extra: [SERVER_SERVICE] }), MATRIX, [toServer(['server.app.svc.corp.example'])]);
  const got = await warnings(path, ['--config', config('default', 'matrices: {}\n')]);
  assert.equal(got.exported.match(CORP)?.length, 1, got.exported);
  assert.equal(got.recommended.join('\n').match(CORP)?.length, 1, got.recommended.join('\n'));
  assert.equal(got.applied.match(CORP)?.length, 1, got.applied);
});

/**
 * `matrix list` and `matrix show` resolve the matrices against the same inventory and flows as
 * recommend: the rule's `<service>.<ns>.svc.corp.example` is read as an outside name there too, so
 * they say the same warning, once, on stderr. Before, they said nothing.
 */
test('matrix list and matrix show say the cluster-domain warning once, as recommend does; not when the config sets the domain', async () => {
  const path = await store('corp-list', clientServerInventory({ extra: [SERVER_SERVICE] }), MATRIX, [toServer(['server.app.svc.corp.example'])]);
  for (const [domain, count] of [['cluster.local', 1], ['corp.example', undefined]] as const) {
    const args = ['--db', path, '--config', config(`list-${domain}`, `matrices:\n  clusterDomain: ${domain}\n`)];
    const listed = await runCli(['matrix', 'list', ...args]);
    assert.equal(listed.code, 0, listed.err);
    assert.equal(listed.err.match(CORP)?.length, count, `list, ${domain}: ${listed.err}`);
    const shown = await runCli(['matrix', 'show', 't', ...args]);
    assert.equal(shown.code, 0, shown.err);
    assert.equal(shown.err.match(CORP)?.length, count, `show, ${domain}: ${shown.err}`);
  }
});

test('the config that sets the domain the flows show: no warning', async () => {
  const path = await store('corp-set', clientServerInventory({ extra: [SERVER_SERVICE] }), MATRIX, [toServer(['server.app.svc.corp.example'])]);
  const got = await warnings(path, ['--config', config('corp', 'matrices:\n  clusterDomain: corp.example\n')]);
  assert.doesNotMatch(got.exported, /clusterDomain/, got.exported);
  assert.doesNotMatch(got.recommended.join('\n'), /clusterDomain/);
  assert.doesNotMatch(got.applied, /clusterDomain/, got.applied);
});

test('a name of a Service the inventory does not hold says nothing of the domain', async () => {
  const path = await store('unknown', clientServerInventory({ extra: [SERVER_SERVICE] }), MATRIX, [toServer(['gone.app.svc.corp.example'])]);
  const got = await warnings(path, ['--config', config('unknown', 'matrices: {}\n')]);
  assert.doesNotMatch(got.exported, /clusterDomain/, got.exported);
  assert.doesNotMatch(got.recommended.join('\n'), /clusterDomain/);
  assert.doesNotMatch(got.applied, /clusterDomain/, got.applied);
});

/**
 * `matrix apply --config` knows the cluster domain: `*.app.svc.corp.example` is every Service of
 * namespace app there, refused as `*.app.svc.cluster.local` is (docs/matrices.md, the `{fqdns}` peer),
 * naming the rule's place, its line and the peer to write. Before, it was stored as an outside pattern.
 */
test('matrix apply --config refuses a wildcard over the configured cluster domain, as over cluster.local', async () => {
  const path = await store('wildcard', clientServerInventory({ extra: [SERVER_SERVICE] }), MATRIX, []);
  const matrix = join(dir, 'wildcard.yaml');
  writeFileSync(matrix, clientEgressMatrix('{ id: all, peer: { fqdns: ["*.app.svc.corp.example"] }, ports: [{ port: 80 }], level: may, purpose: every Service, source: { document: doc, line: 1 } }'));
  const refused = await runCli(['matrix', 'apply', matrix, '--db', path, '--config', config('wildcard', 'matrices:\n  clusterDomain: corp.example\n')]);
  assert.equal(refused.code, 1, refused.out);
  assert.match(refused.err, /components\.client\.egress\[0\]\.peer\.fqdns\[0\] \(line 12\): "\*\.app\.svc\.corp\.example" names every Service of namespace app, inside the cluster.*write \{namespace: app\}/);
});

/**
 * A wildcard over a parent of the cluster domain (`*.corp.example` in a cluster whose domain is
 * k8s.corp.example) covers every in-cluster name — Services
 * `<service>.<ns>.svc.<zone>`, pods `<a>-<b>-<c>-<d>.<ns>.pod.<zone>` (kubernetes/dns
 * docs/specification.md 2.3.1, 2.6) — and may mean corporate names outside as well, so it is not
 * refused. But no engine's DNS peer selects the in-cluster ones (Cilium's toFQDNs "selects remote,
 * non-cluster, peers": docs.cilium.io "Layer 3 Policies", DNS based): recommend and export say
 * so once per rule, naming the rule and the cluster domain. Before, nothing was said.
 */
test('a wildcard over a parent of the cluster domain: recommend and export warn once, naming the rule and the domain', async () => {
  const matrix = clientEgressMatrix('{ id: corp, peer: { fqdns: ["*.corp.example", "*.example.com"] }, ports: [{ port: 443 }], level: may, purpose: corporate names, source: { document: doc, line: 1 } }');
  const path = await store('parent', clientServerInventory({ extra: [SERVER_SERVICE] }), matrix, []);
  const args = (domain: string) => ['--config', config(`parent-${domain}`, `matrices:\n  clusterDomain: ${domain}\n`)];
  const PARENT = /t\/client\/egress\/corp: "\*\.corp\.example" covers the cluster domain k8s\.corp\.example: no engine's DNS peer selects the in-cluster names under it/g;
  const corp = args('k8s.corp.example');
  const exported = await runCli(['export', '--db', path, '--engine', 'cilium', '--namespace', 'app', ...corp]);
  assert.equal(exported.code, 0, exported.err);
  assert.equal(exported.err.match(PARENT)?.length, 1, exported.err);
  assert.match(exported.err, /write in-cluster traffic as a \{namespace, selector\} peer/);
  const recommended = await runCli(['recommend', '--db', path, '--engine', 'kubernetes', '--namespace', 'app', '-o', 'json', ...corp]);
  assert.equal(recommended.code, 0, recommended.err);
  assert.equal((JSON.parse(recommended.out) as { warnings: string[] }).warnings.join('\n').match(PARENT)?.length, 1, recommended.out);
  // matrix list and matrix show resolve the same rule: they say it too, once.
  for (const shown of [await runCli(['matrix', 'list', '--db', path, ...corp]), await runCli(['matrix', 'show', 't', '--db', path, ...corp])]) {
    assert.equal(shown.code, 0, shown.err);
    assert.equal(shown.err.match(PARENT)?.length, 1, shown.err);
  }
  // Under cluster.local nothing of corp.example is in the cluster: no warning.
  const local = await runCli(['export', '--db', path, '--engine', 'cilium', '--namespace', 'app', ...args('cluster.local')]);
  assert.equal(local.code, 0, local.err);
  assert.doesNotMatch(local.err, /covers the cluster domain/, local.err);
});
