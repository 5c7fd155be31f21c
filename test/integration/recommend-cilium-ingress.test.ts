/**
 * The backends of Cilium's Ingress / Gateway API receive their traffic from the per-node Envoy
 * under Cilium's reserved `ingress` identity, not from the original client: "traffic is allowed
 * from world to ingress, and from ingress to identities in the cluster" (cilium/cilium
 * Documentation/network/servicemesh/ingress-reference.rst, "Cilium's ingress config and
 * CiliumNetworkPolicy"). A recommendation that cuts it takes the workload off its Ingress, so
 * the edge becomes a rule: `fromEntities: [ingress]` on Cilium (pkg/policy/api/entity.go
 * EntityIngress), the port open to any source on the engines that cannot select that identity.
 * The case: a Hubble record of the proxy at 10.244.2.250 (node-2's pod CIDR) opening a connection
 * to shop/api on 8080, with an inventory of shop/api alone.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROXY_TO_API } from '../helpers/cilium-ingress-flow.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const CREATED = '2026-12-01T00:00:00Z';
const PORTS = [{ containerPort: 8080, name: 'http', protocol: 'TCP' }];
const INVENTORY = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' }, creationTimestamp: CREATED } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2', creationTimestamp: CREATED }, spec: { podCIDR: '10.244.2.0/24' }, status: { addresses: [{ address: '10.0.0.12', type: 'InternalIP' }] } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop', uid: 'd-api', creationTimestamp: CREATED },
      spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'x:1', ports: PORTS }] } } },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'api-abc123', namespace: 'shop', uid: 'r-api', creationTimestamp: CREATED, labels: { app: 'api', 'pod-template-hash': 'abc123' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: 'd-api', controller: true }] },
      spec: { selector: { matchLabels: { app: 'api', 'pod-template-hash': 'abc123' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'x:1', ports: PORTS }] } } },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api-abc123-bbbbb', namespace: 'shop', uid: 'p-api', creationTimestamp: CREATED, labels: { app: 'api', 'pod-template-hash': 'abc123' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-abc123', uid: 'r-api', controller: true }] },
      spec: { nodeName: 'node-2', containers: [{ name: 'api', image: 'x:1', ports: PORTS }] },
      status: { phase: 'Running', podIP: '10.244.2.20', podIPs: [{ ip: '10.244.2.20' }], hostIP: '10.0.0.12', startTime: CREATED },
    },
  ],
};

const EDGE = 'cilium-ingress|workload:shop/Deployment/api|8080|TCP';

interface Out {
  warnings: string[];
  workloads: { warnings: string[]; observed: { key: string; included: boolean; reason?: string }[] }[];
  manifests: { metadata: { name: string; annotations: Record<string, string> }; spec: Record<string, unknown> }[];
  verification: { ok: boolean; skipped: Record<string, number>; blocked: unknown[] };
}

const dir = tmpDir();
const db = join(dir, 'ingress.db');
writeFileSync(join(dir, 'inventory.json'), JSON.stringify(INVENTORY));
writeFileSync(join(dir, 'flows.jsonl'), `${JSON.stringify(PROXY_TO_API)}\n`);
const imported = await runCli(['inventory', 'import', join(dir, 'inventory.json'), '--db', db]);
assert.equal(imported.code, 0, imported.err);
const ingested = await runCli(['ingest', '--format', 'hubble', join(dir, 'flows.jsonl'), '--db', db]);
assert.equal(ingested.code, 0, ingested.err);

async function recommend(engine: string): Promise<Out> {
  const r = await runCli(['recommend', '--engine', engine, '-n', 'shop', '--workload', 'deploy/api', '-o', 'json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as Out;
}

/** The observed edge is a rule, verified by the simulator, with no word of an unresolved address. */
function assertKeptAndVerified(out: Out): void {
  const [w] = out.workloads;
  assert.ok(w);
  assert.deepEqual(w.observed.map((o) => [o.key, o.included]), [[EDGE, true]], JSON.stringify(w.observed));
  assert.equal(out.verification.ok, true, JSON.stringify(out.verification));
  assert.deepEqual(out.verification.skipped, {});
  assert.deepEqual(out.verification.blocked, []);
  for (const text of [...out.warnings, ...w.warnings]) assert.doesNotMatch(text, /resolved to nothing|import the inventory of that time/);
}

test('cilium: the proxy is allowed by its own rule, fromEntities [ingress] on 8080, verified', async () => {
  const out = await recommend('cilium');
  assertKeptAndVerified(out);
  const api = out.manifests.find((m) => m.metadata.name === 'shop-deployment-api');
  assert.ok(api);
  assert.deepEqual(api.spec.ingress, [{ fromEntities: ['ingress'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }]);
});

test('kubernetes: NetworkPolicy cannot select the proxy, so 8080 is open to any source, and the rule says why', async () => {
  const out = await recommend('kubernetes');
  assertKeptAndVerified(out);
  const api = out.manifests.find((m) => m.metadata.name === 'shop-deployment-api');
  assert.ok(api);
  assert.deepEqual(api.spec.ingress, [{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
  assert.match(api.metadata.annotations['flowmatrix.io/rules'] ?? '', /Cilium's Ingress \/ Gateway API proxy: open to any peer on its ports/);
});

test('calico: the engine cannot select the proxy either: the port stays open to it, verified, and the rule says why', async () => {
  const out = await recommend('calico');
  assertKeptAndVerified(out);
  assert.match(JSON.stringify(out.manifests), /Cilium's Ingress \/ Gateway API proxy: open to any peer on its ports/);
});

// ClusterNetworkPolicyIngressPeer holds namespaces and pods only, and the ingress isolation denies
// `namespaces: {}`, "all pods" (kubernetes-sigs/network-policy-api apis/v1alpha2
// clusternetworkpolicy_types.go): the proxy, no pod, is neither matched nor denied. An Accept from
// every pod would only open 8080 to the whole cluster.
test('clusternetworkpolicy: no rule for the proxy (the isolation does not deny it), none opening its port to every pod, verified, and the engine says why', async () => {
  const out = (await runCli(['recommend', '--engine', 'clusternetworkpolicy', '-n', 'shop', '--workload', 'deploy/api', '-o', 'json', '--db', db])).out;
  const parsed = JSON.parse(out) as Out & { engineWarnings: { message: string }[] };
  assertKeptAndVerified(parsed);
  const accepts = parsed.manifests.flatMap((m) => ((m.spec.ingress ?? []) as { action: string; from: unknown[] }[]).filter((r) => r.action === 'Accept'));
  assert.deepEqual(accepts, [], JSON.stringify(parsed.manifests));
  assert.match(JSON.stringify(parsed.engineWarnings), /Cilium's Ingress \/ Gateway API proxy.*not denied by it either/);
});
