/**
 * The far side of an edge in a scoped run, where an applied policy selects the workload at that
 * end — on every engine, Cilium under `default` included.
 * kubernetes.io "Network Policies", "The two sorts of pod isolation": a pod is isolated for
 * ingress when a NetworkPolicy selecting it has "Ingress" in its policyTypes, and then "the only
 * allowed connections into the pod are those from the pod's node and those allowed by the ingress
 * list of some NetworkPolicy that applies to the pod". A workload outside a scoped run that such a
 * policy selects then drops what none of its rules allows: the run's client may send, the server
 * outside the run drops it — after applying the scoped output as before. That is the cluster's
 * state, not the output's doing: blockedByApplied, naming the far workload and the applied policy
 * (verify/far-workload-sides.ts). Calico: a policy applying to the endpoint for ingress, then the
 * tier's end denies what no rule allows (docs.tigera.io "Tiered policy", end-of-tier deny).
 * Cilium `default`: an endpoint an ingress rule selects enforces ingress (intro.rst "Policy
 * Enforcement Modes").
 * A cluster reduced to what shows it: client (namespace a) calls server (namespace b) on 8080.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import type { EngineName } from '../../recommender/engines/types.ts';
import type { EdgeFinding } from '../../recommender/verify/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const T = '2026-01-01T00:00:00Z';
const daemonSet = (ns: string, name: string, ip: string, port: number) => `
  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: ${name}, namespace: ${ns}, uid: u-${name} }, spec: { selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: c, image: i, ports: [{ containerPort: ${port} }] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: ${name}-x, namespace: ${ns}, labels: { app: ${name} }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: ${name}, uid: u-${name}, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: worker-1, containers: [{ name: c, image: i, ports: [{ containerPort: ${port} }] }] }, status: { phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;

/** `applied`: the applied policies, as List items. */
const inventory = (applied: string) => `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: a, labels: { kubernetes.io/metadata.name: a } } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: b, labels: { kubernetes.io/metadata.name: b } } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-1, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.3 }] } }
${daemonSet('a', 'client', '10.244.1.10', 8000)}
${daemonSet('b', 'server', '10.244.1.11', 8080)}
${applied}`;

const CALL = JSON.stringify({
  time: new Date(NOW - 120_000).toISOString(),
  verdict: 'FORWARDED',
  IP: { source: '10.244.1.10', destination: '10.244.1.11', ipVersion: 'IPv4' },
  l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } },
  source: { namespace: 'a', pod_name: 'client-x', labels: ['k8s:app=client'] },
  destination: { namespace: 'b', pod_name: 'server-x', labels: ['k8s:app=server'] },
  node_name: 'worker-1',
  traffic_direction: 'EGRESS',
});
const EDGE = 'workload:a/DaemonSet/client|workload:b/DaemonSet/server|8080|TCP';

/** Applied in namespace b: isolates server for ingress, lets in its own namespace's pods only. */
const OWN_NAMESPACE_ONLY = `  - { apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: { name: server-own-ns, namespace: b }, spec: { podSelector: { matchLabels: { app: server } }, policyTypes: [Ingress], ingress: [{ from: [{ podSelector: {} }] }] } }`;
/** Applied in namespace b: isolates server for ingress, lets in a's pods on 8080. */
const FROM_A = `  - { apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: { name: server-from-a, namespace: b }, spec: { podSelector: { matchLabels: { app: server } }, policyTypes: [Ingress], ingress: [{ from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: a } } }], ports: [{ port: 8080 }] }] } }`;
/** Applied in namespace b: isolates server for ingress, lets in any address on 8080 by ipBlock (as the demo's Kyma Telemetry policies do). */
const FROM_ANY_IP = `  - { apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: { name: server-any-ip, namespace: b }, spec: { podSelector: { matchLabels: { app: server } }, policyTypes: [Ingress], ingress: [{ from: [{ ipBlock: { cidr: 0.0.0.0/0 } }], ports: [{ port: 8080 }] }] } }`;
/** Calico's own kind, applied in namespace b: a rule's selector without namespaceSelector matches b's endpoints only; the tier's end denies the rest. */
const CALICO_OWN_NAMESPACE_ONLY = `  - { apiVersion: projectcalico.org/v3, kind: NetworkPolicy, metadata: { name: server-own-ns, namespace: b }, spec: { selector: "app == 'server'", types: [Ingress], ingress: [{ action: Allow, source: { selector: all() } }] } }`;
/** Cilium's own kind, applied in namespace b: endpoints of b alone (a CiliumNetworkPolicy's fromEndpoints stay in its namespace). */
const CILIUM_OWN_NAMESPACE_ONLY = `  - { apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy, metadata: { name: server-own-ns, namespace: b }, spec: { endpointSelector: { matchLabels: { app: server } }, ingress: [{ fromEndpoints: [{}] }] } }`;
/** Cilium's `default` mode, said by the cilium-config. */
const CILIUM_DEFAULT = `  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1, enable-policy: default } }`;

async function verify(engine: EngineName, scope: { namespace?: string }, applied: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(applied), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${CALL}\n`]) }], { format: 'hubble' });
  return runRecommendation(readRecommendationInput(db, {}), engine, recommendOptions({ now: NOW, ...scope }), { tightness: false }).verification;
}
const ofTheEdge = (fs: readonly EdgeFinding[]) => fs.filter((f) => f.edge === EDGE);

/** The one finding of the edge at server's ingress, from client's egress side. */
function atServersIngress(found: readonly EdgeFinding[], engine: string): EdgeFinding {
  const [f, ...more] = ofTheEdge(found);
  assert.ok(f !== undefined, `${engine}: ${JSON.stringify(found)}`);
  assert.deepEqual(more, [], engine);
  assert.equal(f.workload, 'a/DaemonSet/client', engine);
  assert.equal(f.direction, 'egress', engine);
  assert.equal(f.farSide, 'ingress', engine);
  assert.match(f.reason, /^at b\/DaemonSet\/server's ingress, outside the run/, engine);
  return f;
}

test('kubernetes, -n a, an applied NetworkPolicy isolating server to its own namespace: the edge is in blockedByApplied at b\'s ingress, naming the policy; the output itself is ok (kubernetes.io "The two sorts of pod isolation")', async () => {
  const v = await verify('kubernetes', { namespace: 'a' }, OWN_NAMESPACE_ONLY);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  const f = atServersIngress(v.blockedByApplied, 'kubernetes');
  assert.match(f.reason, /the applied NetworkPolicy\/b\/server-own-ns selects it for ingress/);
  assert.match(f.reason, /isolated for ingress by NetworkPolicy\/b\/server-own-ns; no rule allows it/);
});

test('kubernetes, -n a, no applied policy: server is isolated by nothing, nothing is said of the edge', async () => {
  const v = await verify('kubernetes', { namespace: 'a' }, '');
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.deepEqual(v.blockedByApplied, []);
});

test('kubernetes, -n a, an applied NetworkPolicy isolating server and letting a in on 8080: nothing at the far side', async () => {
  const v = await verify('kubernetes', { namespace: 'a' }, FROM_A);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.deepEqual(ofTheEdge(v.blockedByApplied), []);
});

test('kubernetes, -n a, an applied NetworkPolicy letting in 0.0.0.0/0 by ipBlock: blockedByApplied at b\'s ingress only on one reading of ipBlocks, and says so (NetworkPolicyPeer ipBlock: "cluster-external IPs", what it does to pod IPs is the plugin\'s)', async () => {
  const v = await verify('kubernetes', { namespace: 'a' }, FROM_ANY_IP);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  const f = atServersIngress(v.blockedByApplied, 'kubernetes');
  assert.equal(f.dependsOnIpBlockReading, true, JSON.stringify(f));
  assert.match(f.reason, /only where the network plugin does not match ipBlocks against pod addresses; where it does, the applied policies allow it$/);
});

test('kubernetes, unscoped, the same applied policy: server\'s own recommended ingress allows a (the policies add up), no far side is judged', async () => {
  const v = await verify('kubernetes', {}, OWN_NAMESPACE_ONLY);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.deepEqual(ofTheEdge(v.blockedByApplied), []);
  assert.ok(v.blockedByApplied.every((f) => f.farSide === undefined), JSON.stringify(v.blockedByApplied));
});

test('calico, -n a, an applied Calico NetworkPolicy isolating server to its own namespace: blockedByApplied at b\'s ingress, naming the policy (end of tier)', async () => {
  const v = await verify('calico', { namespace: 'a' }, CALICO_OWN_NAMESPACE_ONLY);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  const f = atServersIngress(v.blockedByApplied, 'calico');
  assert.match(f.reason, /the applied NetworkPolicy\.projectcalico\.org\/b\/server-own-ns selects it for ingress/);
  assert.match(f.reason, /end of tier default/);
});

test('cilium enable-policy "default", -n a, an applied CiliumNetworkPolicy isolating server to its own namespace: blockedByApplied at b\'s ingress, naming the policy', async () => {
  const v = await verify('cilium', { namespace: 'a' }, `${CILIUM_DEFAULT}\n${CILIUM_OWN_NAMESPACE_ONLY}`);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  const f = atServersIngress(v.blockedByApplied, 'cilium');
  assert.match(f.reason, /the applied CiliumNetworkPolicy\/b\/server-own-ns selects it for ingress/);
});
