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
import { CLIENT_SERVER_EDGE, clientCall, twoNamespaceInventory } from '../helpers/two-namespace-cluster.ts';

const NOW = Date.now();
const CALL = clientCall(NOW);
const EDGE = CLIENT_SERVER_EDGE;

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
  importInventory(db, { text: twoNamespaceInventory(applied), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
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
