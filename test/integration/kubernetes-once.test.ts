/**
 * `collect kubernetes --once` with the real @kubernetes/client-node against the fake API server:
 * discovery, paged lists whose items carry no kind, the same import as `inventory import`, and
 * refusals (401, 403, unreachable) that name what was refused and write nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importInventory, importInventoryObjects } from '../../app/inventory.ts';
import { resolveKubernetesSettings } from '../../collectors/kubernetes/config.ts';
import { listClusterOnce } from '../../collectors/kubernetes/once.ts';
import { RESOURCES } from '../../collectors/kubernetes/resources.ts';
import { readInventory, readIntervals } from '../../store/inventory.ts';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { fakeResources, fixtureObjects, startFakeCluster, TOKEN } from '../helpers/kube-cluster.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const T = Date.parse('2025-03-02T12:00:00Z');
const FIXTURE = new URL('../fixtures/inventory/cluster.json', import.meta.url);

/** The stored inventory, policies without metadata.resourceVersion (the fake server, like any API server, gives its own). */
function comparable(db: ReturnType<typeof openDb>) {
  const inv = readInventory(db);
  return {
    ...inv,
    takenAt: 0,
    policies: inv.policies.map((p) => {
      const manifest = p.manifest as Record<string, unknown>;
      const { resourceVersion: _rv, ...metadata } = manifest.metadata as Record<string, unknown>;
      return { ...p, manifest: { ...manifest, metadata } };
    }),
  };
}

test('one list pass pages through every served resource (limit/continue), skips CRDs the API does not serve, and stores what `inventory import` of the same objects stores', async () => {
  const { server, settings } = await startFakeCluster();
  const listed = await listClusterOnce(settings, {});
  const resources: Record<string, number> = listed.resources;
  assert.equal(resources['ciliumclusterwidenetworkpolicies.cilium.io'], undefined, 'not served: not listed');
  assert.deepEqual(resources, {
    'ciliumnetworkpolicies.cilium.io': 1,
    'cronjobs.batch': 1,
    'daemonsets.apps': 1,
    'deployments.apps': 3,
    'endpointslices.discovery.k8s.io': 2,
    'ingresses.networking.k8s.io': 1,
    'jobs.batch': 2,
    namespaces: 5,
    'networkpolicies.networking.k8s.io': 1,
    'networkpolicies.projectcalico.org': 1,
    nodes: 2,
    pods: 9,
    'replicasets.apps': 3,
    // Listed even when empty: DeploymentConfigs own their pods through them (OpenShift).
    replicationcontrollers: 0,
    services: 7,
    'statefulsets.apps': 1,
  });
  // Resource names as kubectl and RBAC spell them.
  assert.equal(listed.resources['pods'], 9);
  assert.equal(listed.resources['deployments.apps'], 3);
  assert.equal(listed.resources['networkpolicies.projectcalico.org'], 1);
  assert.equal(listed.rejected, 0);

  const podLists = server.requests.filter((r) => r.path === '/api/v1/pods');
  assert.deepEqual(
    podLists.map((r) => [r.query.limit, r.query.continue !== undefined]),
    [
      ['3', false],
      ['3', true],
      ['3', true],
    ],
    '9 pods in pages of 3',
  );
  assert.equal(server.requests.some((r) => r.path.startsWith('/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies')), false);
  assert.equal(server.requests.some((r) => r.path === '/apis/policy.networking.k8s.io/v1alpha2'), false, 'a group /apis does not list is not asked for');

  const viaApi = tmpDb().db;
  const summary = importInventoryObjects(viaApi, { objects: listed.objects, takenAt: T, source: 'kubernetes', scope: listed.scope });
  const viaFile = tmpDb().db;
  const fileSummary = importInventory(viaFile, { text: readFileSync(FIXTURE, 'utf8'), takenAt: T, source: 'cluster.json' });
  assert.deepEqual({ ...summary, source: '', ignored: {} }, { ...fileSummary, source: '', ignored: {} });
  assert.deepEqual(comparable(viaApi), comparable(viaFile));
  assert.deepEqual(readIntervals(viaApi), readIntervals(viaFile));
});

/**
 * A cluster without the Calico API server serves Calico's kinds only as its CRDs,
 * crd.projectcalico.org/v1 (Calico's own storage in Kubernetes-datastore mode, which calico-node
 * enforces). A reviewer's reproduction: there the collector listed no network set and no Calico
 * policy and said nothing, where `inventory import` of `kubectl get … -o json` imports the sets and
 * names the policy kinds it cannot evaluate in every verification (docs/inventory.md).
 */
const CALICO_CRDS = [
  { group: 'crd.projectcalico.org', version: 'v1', kind: 'GlobalNetworkSet', plural: 'globalnetworksets', namespaced: false },
  { group: 'crd.projectcalico.org', version: 'v1', kind: 'NetworkSet', plural: 'networksets', namespaced: true },
  { group: 'crd.projectcalico.org', version: 'v1', kind: 'GlobalNetworkPolicy', plural: 'globalnetworkpolicies', namespaced: false },
  { group: 'crd.projectcalico.org', version: 'v1', kind: 'Tier', plural: 'tiers', namespaced: false },
];
const CRD_SET = { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkSet', metadata: { name: 'blocklist', labels: { blocklist: 'true' } }, spec: { nets: ['203.0.113.0/24'] } };
const CRD_POLICY = { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name: 'default.deny-blocklist' }, spec: { tier: 'default', order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "blocklist == 'true'" } }] } };

test('without the Calico API server: the network sets are read from their CRDs and the Calico policy kinds there are counted and named, as `inventory import` does', async () => {
  const { settings } = await startFakeCluster({ resources: [...fakeResources().filter((r) => r.group !== 'projectcalico.org'), ...CALICO_CRDS] }, [...fixtureObjects().filter((o) => o.apiVersion !== 'projectcalico.org/v3'), CRD_SET, CRD_POLICY]);
  const listed = await listClusterOnce(settings, {});
  assert.equal(listed.resources['globalnetworksets.crd.projectcalico.org'], 1);
  assert.equal(listed.resources['networksets.crd.projectcalico.org'], 0);
  assert.equal(listed.resources['globalnetworkpolicies.crd.projectcalico.org'], 1);
  assert.equal(listed.resources['tiers.crd.projectcalico.org'], 0);
  const { db } = tmpDb();
  const summary = importInventoryObjects(db, { objects: listed.objects, takenAt: T, source: 'kubernetes', scope: listed.scope });
  const inv = readInventory(db);
  assert.deepEqual(inv.policies.filter((p) => p.kind === 'GlobalNetworkSet').map((p) => `${p.apiVersion} ${p.name}`), ['crd.projectcalico.org/v1 blocklist']);
  assert.deepEqual(inv.calicoCrdObjects, { GlobalNetworkPolicy: 1 });
  assert.ok(summary.warnings.some((w) => w.startsWith('Calico objects of apiVersion crd.projectcalico.org/v1 (GlobalNetworkPolicy ×1) were not imported')), summary.warnings.join('\n'));
});

test('with the Calico API server: Calico\'s kinds are read through projectcalico.org/v3 only, never also from their CRDs (the same objects)', async () => {
  // The Calico API server serves every Calico kind the collector reads.
  const v3 = RESOURCES.filter((r) => r.group === 'projectcalico.org' && !fakeResources().some((f) => f.group === r.group && f.kind === r.kind)).map(({ group, version, kind, plural, namespaced }) => ({ group, version, kind, plural, namespaced }));
  const { server, settings } = await startFakeCluster({ resources: [...fakeResources(), ...v3, ...CALICO_CRDS] }, [...fixtureObjects(), CRD_SET, CRD_POLICY]);
  const listed = await listClusterOnce(settings, {});
  assert.equal(listed.resources['globalnetworksets.projectcalico.org'], 0);
  assert.equal(listed.resources['globalnetworkpolicies.projectcalico.org'], 0);
  assert.equal(listed.resources['networkpolicies.projectcalico.org'], 1);
  assert.deepEqual(Object.keys(listed.resources).filter((r) => r.endsWith('.crd.projectcalico.org')), []);
  assert.equal(server.requests.some((r) => r.path.startsWith('/apis/crd.projectcalico.org/v1/')), false);
});

test('`collect kubernetes --once --url --token-file` prints the import summary with what was listed', async () => {
  const { server, tokenFile } = await startFakeCluster();
  const dbPath = join(tmpDir(), 'f.db');
  const r = await runCli(['collect', 'kubernetes', '--once', '--url', server.url, '--token-file', tokenFile, '--insecure-skip-tls-verify', '--db', dbPath]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { objects: Record<string, number>; listed: Record<string, number>; server: string; podAddresses: number; rejected: number };
  assert.equal(out.server, server.url);
  assert.equal(out.objects.Pod, 9);
  assert.equal(out.listed.pods, 9);
  assert.equal(out.podAddresses, 8, 'the Succeeded pod holds no IP');
  const db = openDb(dbPath);
  assert.equal(readInventory(db).workloads.length > 0, true);
  db.close();
});

async function failingCollect(args: (s: { url: string; tokenFile: string }) => string[], setup?: (s: Awaited<ReturnType<typeof startFakeCluster>>) => void) {
  const cluster = await startFakeCluster();
  setup?.(cluster);
  const dbPath = join(tmpDir(), 'f.db');
  const r = await runCli(['collect', 'kubernetes', '--once', ...args({ url: cluster.server.url, tokenFile: cluster.tokenFile }), '--db', dbPath]);
  const db = openDb(dbPath);
  const imports = (db.prepare('SELECT count(*) AS n FROM inventory_imports').get() as { n: number }).n;
  db.close();
  return { ...r, imports };
}

test('a wrong token: exit 1, "401 Unauthorized" and the verb, nothing imported', async () => {
  const dir = tmpDir();
  const bad = join(dir, 'bad-token');
  writeFileSync(bad, 'not-the-token');
  const r = await failingCollect((s) => ['--url', s.url, '--token-file', bad, '--insecure-skip-tls-verify']);
  assert.equal(r.code, 1);
  assert.match(r.err, /refused the credentials \(401 Unauthorized\) on discovery/);
  assert.match(r.err, /nothing was imported/);
  assert.equal(r.imports, 0);
});

test('RBAC forbids listing pods: exit 1 naming the verb and the resource, with the API server\'s message; nothing imported', async () => {
  const r = await failingCollect((s) => ['--url', s.url, '--token-file', s.tokenFile, '--insecure-skip-tls-verify'], (c) => c.server.forbid('pods'));
  assert.equal(r.code, 1);
  assert.match(r.err, /forbidden \(403\): the API server does not allow list on pods/);
  assert.match(r.err, /pods is forbidden: User "system:serviceaccount:flowmatrix:flowmatrix" cannot list resource "pods" in API group "" at the cluster scope/);
  assert.equal(r.imports, 0);
});

test('an unreachable API server: exit 1 naming the server, nothing imported', async () => {
  const cluster = await startFakeCluster();
  const url = cluster.server.url;
  await cluster.server.close();
  const dbPath = join(tmpDir(), 'f.db');
  const r = await runCli(['collect', 'kubernetes', '--once', '--url', url, '--token-file', cluster.tokenFile, '--insecure-skip-tls-verify', '--db', dbPath]);
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`cannot reach the API server at ${url.replace(/[.]/g, '\\.')}`));
  assert.match(r.err, /ECONNREFUSED/);
});

test('a missing token file or kubeconfig is named before anything is tried', async () => {
  const r1 = await runCli(['collect', 'kubernetes', '--once', '--url', 'https://10.0.0.1:6443', '--token-file', '/nonexistent/token', '--db', join(tmpDir(), 'f.db')]);
  assert.equal(r1.code, 1);
  assert.match(r1.err, /flags\.tokenFile: \/nonexistent\/token does not exist/);
  const r2 = await runCli(['collect', 'kubernetes', '--once', '--kubeconfig', '/nonexistent/kubeconfig', '--db', join(tmpDir(), 'f.db')]);
  assert.match(r2.err, /kubeconfig: \/nonexistent\/kubeconfig does not exist/);
  assert.throws(() => resolveKubernetesSettings({ url: 'https://x:6443', kubeconfig: '/etc/hostname' }), /either url .* or kubeconfig/);
});

test('a list whose continue token expired (410 Expired) starts over from the first page', async () => {
  const { server, settings } = await startFakeCluster();
  let compacted = false;
  server.onRequest = (r) => {
    if (r.path === '/api/v1/pods' && r.query.continue && !compacted) {
      // Between two pages: the cluster changes and the server forgets the list's revision.
      compacted = true;
      server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late', labels: {} } });
      server.compact();
    }
  };
  const listed = await listClusterOnce(settings, {});
  assert.equal(listed.resources.pods, 9);
  const pods = server.requests.filter((r) => r.path === '/api/v1/pods');
  assert.deepEqual(pods.map((r) => r.query.continue !== undefined), [false, true, false, true, true]);
});

test('`collect kubernetes --once --kubeconfig FILE`: the laptop way, through a kubeconfig\'s current context', async () => {
  const { server } = await startFakeCluster();
  const dir = tmpDir();
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: fake\n  cluster:\n    server: ${server.url}\n    insecure-skip-tls-verify: true`,
      'users:',
      `- name: me\n  user:\n    token: ${TOKEN}`,
      'contexts:',
      '- name: other\n  context:\n    cluster: fake\n    user: nobody',
      '- name: fake\n  context:\n    cluster: fake\n    user: me',
      'current-context: other',
      '',
    ].join('\n'),
  );
  const dbPath = join(dir, 'f.db');
  const refused = await runCli(['collect', 'kubernetes', '--once', '--kubeconfig', kubeconfig, '--db', dbPath]);
  assert.equal(refused.code, 1, 'the current context has no credentials');
  assert.match(refused.err, /401/);
  const r = await runCli(['collect', 'kubernetes', '--once', '--kubeconfig', kubeconfig, '--context', 'fake', '--db', dbPath]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { via: string; listed: Record<string, number> };
  assert.equal(out.via, `kubeconfig ${kubeconfig}`);
  assert.equal(out.listed.pods, 9);
});

test('a policy CRD deleted since the last pass (Cilium uninstalled, a service restarted since): the API server no longer serves its kind, so the next pass removes its policies from the inventory instead of keeping them in force', async () => {
  // An object of a kind the API server does not serve cannot exist, so no agent enforces it: the
  // live collector drops a resource that stops being served (docs/operations.md), and a pass that
  // never listed it must not keep the policies an earlier pass stored.
  const { server, settings } = await startFakeCluster();
  const { db } = tmpDb();
  const first = await listClusterOnce(settings, {});
  importInventoryObjects(db, { objects: first.objects, takenAt: T, source: 'kubernetes', scope: first.scope });
  assert.deepEqual(readInventory(db).policies.filter((p) => p.apiVersion === 'cilium.io/v2').map((p) => `${p.kind}/${p.namespace}/${p.name}`).length, 1);
  server.unserve('cilium.io/v2', 'CiliumNetworkPolicy');
  const second = await listClusterOnce(settings, {});
  importInventoryObjects(db, { objects: second.objects, takenAt: T + 60_000, source: 'kubernetes', scope: second.scope });
  assert.deepEqual(readInventory(db).policies.filter((p) => p.apiVersion === 'cilium.io/v2'), []);
  // The kinds still served keep theirs.
  assert.equal(readInventory(db).policies.filter((p) => p.apiVersion === 'networking.k8s.io/v1').length, 1);
});
