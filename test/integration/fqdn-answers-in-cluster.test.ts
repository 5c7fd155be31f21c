/**
 * A `must` rule to an outside-looking DNS name whose answers are in-cluster pods: `shop.example.com`
 * answered by a split-horizon DNS with the address of an in-cluster gateway pod (here app/server at
 * 10.244.1.5), as Hubble's `destination_names` of a flow to that pod says.
 *
 * Cilium's toFQDNs never selects such a pod: it "selects remote, non-cluster, peers" (docs.cilium.io
 * "Layer 3 Policies", DNS based) and its IPs "are later added as toCIDRSet entries"
 * (cilium/cilium pkg/policy/api/fqdn.go), and CIDR rules never select cluster endpoints. Before, the
 * rule rendered `toFQDNs: shop.example.com` and the verification passed — its stand-in was an
 * outside address carrying the name — while client → server:8080 was cut. Now the name is also the
 * workloads it was seen answering with (remembered per workload: pod IPs are reused), rendered and
 * verified as their pods on every engine, beside the DNS name for its outside addresses when it has
 * both.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const dir = tmpDir();

/** Namespaces, a node, Deployments app/client (10.244.0.5) and app/server (10.244.1.5, port 8080). */
function inventory(): object {
  const items: object[] = [];
  for (const n of ['default', 'app', 'kube-system']) items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, uid: `ns-${n}`, labels: { 'kubernetes.io/metadata.name': n } } });
  items.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-n1' }, spec: { podCIDR: '10.244.0.0/16', podCIDRs: ['10.244.0.0/16'] }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } });
  for (const [name, ip, ports] of [['client', '10.244.0.5', []], ['server', '10.244.1.5', [8080]]] as const) {
    const labels = { app: name };
    const containers = [{ name, image: 'x', ports: ports.map((p) => ({ containerPort: p, protocol: 'TCP' })) }];
    items.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'app', uid: `d-${name}` }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } } });
    items.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${name}-abc`, namespace: 'app', uid: `rs-${name}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${name}`, controller: true }] },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } },
    });
    items.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-abc-x1`, namespace: 'app', uid: `p-${name}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-abc`, uid: `rs-${name}`, controller: true }] },
      spec: { nodeName: 'n1', containers },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '10.0.0.1' },
    });
  }
  return { apiVersion: 'v1', kind: 'List', items };
}

/** A Hubble record of client → `dst`:8080 with the DNS name Cilium's proxy saw answered by `dst`. */
function hubble(dst: string, destination: object, i: number): string {
  return JSON.stringify({
    flow: {
      time: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 60000).toISOString(),
      verdict: 'FORWARDED',
      IP: { source: '10.244.0.5', destination: dst, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 41000 + i, destination_port: 8080, flags: { SYN: true } } },
      source: { namespace: 'app', labels: ['k8s:app=client'], pod_name: 'client-abc-x1' },
      destination,
      destination_names: ['shop.example.com'],
      Type: 'L3_L4',
      traffic_direction: 'EGRESS',
      is_reply: false,
    },
  });
}
const TO_SERVER_POD = hubble('10.244.1.5', { namespace: 'app', labels: ['k8s:app=server'], pod_name: 'server-abc-x1' }, 0);
const TO_OUTSIDE = hubble('203.0.113.9', { labels: ['reserved:world'] }, 1);

const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: t }
documents:
  doc: { title: doc, file: none.txt }
components:
  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    authoritative: { egress: true }
    egress:
      - { id: shop, peer: { fqdns: [shop.example.com] }, ports: [{ port: 8080 }], level: must, purpose: the shop by its public name, source: { document: doc, line: 1 } }
`;

async function cluster(name: string, flows: readonly string[]): Promise<string> {
  const { path } = tmpDb();
  const inv = join(dir, `${name}-inv.json`);
  writeFileSync(inv, JSON.stringify(inventory()));
  assert.equal((await runCli(['inventory', 'import', inv, '--taken-at', '2026-11-19T00:00:00Z', '--db', path])).code, 0);
  const matrix = join(dir, `${name}.yaml`);
  writeFileSync(matrix, MATRIX);
  const applied = await runCli(['matrix', 'apply', matrix, '--db', path]);
  assert.equal(applied.code, 0, applied.err);
  const f = join(dir, `${name}-flows.jsonl`);
  writeFileSync(f, `${flows.join('\n')}\n`);
  const ingested = await runCli(['ingest', '--format', 'hubble', f, '--db', path]);
  assert.equal(ingested.code, 0, ingested.err);
  return path;
}

/** Whether each flow of `flows` is allowed on the client's egress under the manifests, as `simulate` decides it. */
async function egressAllowed(path: string, engine: string, policies: string, flows: readonly string[], name: string): Promise<boolean[]> {
  const p = join(dir, `${name}-${engine}.yaml`);
  const f = join(dir, `${name}-${engine}-flows.jsonl`);
  writeFileSync(p, policies);
  writeFileSync(f, `${flows.join('\n')}\n`);
  const decided = await runCli(['simulate', '--engine', engine, '--policies', p, '--flows', f, '--format', 'hubble', '--db', path]);
  assert.equal(decided.code, 0, decided.err);
  return (JSON.parse(decided.out) as { egress: { allowed: boolean } }[]).map((d) => d.egress.allowed);
}

const exportRun = (path: string, engine: string, mode: string) => runCli(['export', '--db', path, '--engine', engine, '--mode', mode, '--namespace', 'app', '--workload', 'deployment/client']);

test('matrix show: a name seen answering with a pod is that pod\'s workload (saying the name), beside the name for its outside addresses', async () => {
  const path = await cluster('show', [TO_SERVER_POD, TO_OUTSIDE]);
  const shown = await runCli(['matrix', 'show', 't', '--db', path, '-o', 'json']);
  assert.equal(shown.code, 0, shown.err);
  const rule = (JSON.parse(shown.out) as { components: { rules: { id: string; active: boolean; peers: { kind: string; workloads?: unknown[]; fqdns?: string[]; dnsNames?: string[] }[] }[] }[] }).components[0]!.rules[0]!;
  assert.equal(rule.active, true);
  assert.deepEqual(rule.peers.map((p) => [p.kind, p.workloads ?? p.fqdns, p.dnsNames]), [
    ['pods', [{ namespace: 'app', kind: 'Deployment', name: 'server' }], ['shop.example.com']],
    ['fqdn', ['shop.example.com'], undefined],
  ]);
});

test('a name answered by an in-cluster pod only: every engine renders and verifies the pod, and the exported policy allows the observed flow (Cilium\'s toFQDNs never selects a pod)', async () => {
  const path = await cluster('pod-only', [TO_SERVER_POD]);
  for (const engine of ENGINE_NAMES) {
    for (const mode of ['documented', 'observed', 'union']) {
      const run = await exportRun(path, engine, mode);
      assert.equal(run.code, 0, `${engine} ${mode}: ${run.err}`);
      assert.deepEqual(await egressAllowed(path, engine, run.out, [TO_SERVER_POD], `pod-only-${mode}`), [true], `${engine} ${mode}: ${run.out}`);
    }
  }
  const cilium = await exportRun(path, 'cilium', 'documented');
  assert.doesNotMatch(cilium.out, /toFQDNs/, cilium.out);
});

test('a name answered by an in-cluster pod and an outside address: Cilium renders the pod and toFQDNs, both flows allowed on every engine', async () => {
  const path = await cluster('both', [TO_SERVER_POD, TO_OUTSIDE]);
  for (const engine of ENGINE_NAMES) {
    const run = await exportRun(path, engine, 'documented');
    assert.equal(run.code, 0, `${engine}: ${run.err}`);
    assert.deepEqual(await egressAllowed(path, engine, run.out, [TO_SERVER_POD, TO_OUTSIDE], 'both'), [true, true], `${engine}: ${run.out}`);
  }
  const cilium = await exportRun(path, 'cilium', 'documented');
  assert.match(cilium.out, /toFQDNs/, cilium.out);
  assert.match(cilium.out, /app: server/, cilium.out);
});
