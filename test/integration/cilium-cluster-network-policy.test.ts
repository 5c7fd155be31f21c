/**
 * Applied ClusterNetworkPolicies (policy.networking.k8s.io/v1alpha2) on a Cilium cluster whose
 * cilium-config sets `enable-k8s-cluster-network-policy: "true"` (off by default; the key cilium/cilium
 * pkg/policy/k8s/conformance/conformance_test.go preflightCheck requires): Cilium converts each into
 * rules of its Admin or Baseline tier (pkg/policy/k8s/cluster_network_policy.go → pkg/k8s
 * ParseClusterNetworkPolicy: `tier := types.Admin`, `types.Baseline` for `spec.tier: Baseline`, the
 * priority the policy's), around the Normal tier of its own and the Kubernetes policies
 * (pkg/policy/types/policyentry.go: `Admin`, `Normal`, `Baseline`, in that order). So beside a
 * recommendation an Admin Deny ends the evaluation before the recommendation's allow (what it cuts is
 * blockedByApplied), a Pass hands the connection to the Cilium policies, and a Baseline Deny never
 * overrides what a Cilium policy selecting the pod allows. Where the key is absent they are left out,
 * named in a warning, as before.
 * The cluster: client (namespace a) calls server (namespace b) on 8080 (test/helpers/two-namespace-cluster.ts).
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import type { EngineName } from '../../recommender/engines/types.ts';
import type { EdgeFinding } from '../../recommender/verify/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { CLIENT_SERVER_EDGE, clientCall, twoNamespaceInventory } from '../helpers/two-namespace-cluster.ts';

const NOW = Date.now();
const ON = ', enable-k8s-cluster-network-policy: "true"';
const inventory = (config: string, extra: string) =>
  twoNamespaceInventory(`  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1${config} } }
${extra}`);

/** A ClusterNetworkPolicy selecting namespace b, one ingress rule from namespace a. */
const cnp = (name: string, tier: 'Admin' | 'Baseline', priority: number, action: 'Accept' | 'Deny' | 'Pass') =>
  `  - { apiVersion: policy.networking.k8s.io/v1alpha2, kind: ClusterNetworkPolicy, metadata: { name: ${name} }, spec: { tier: ${tier}, priority: ${priority}, subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: b } } }, ingress: [{ name: ${action.toLowerCase()}-a, action: ${action}, from: [{ namespaces: { matchLabels: { kubernetes.io/metadata.name: a } } }] }] } }`;
const ADMIN_DENY = cnp('admin-deny-a', 'Admin', 20, 'Deny');
const ADMIN_PASS = cnp('admin-pass-a', 'Admin', 10, 'Pass');
const BASELINE_DENY = cnp('baseline-deny-a', 'Baseline', 10, 'Deny');
/** Applied in namespace b: denies a's pods at server (a Cilium deny rule wins over every allow). */
const CILIUM_DENY_FROM_A = `  - { apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy, metadata: { name: server-deny-a, namespace: b }, spec: { endpointSelector: { matchLabels: { app: server } }, ingress: [{ fromEntities: [all] }], ingressDeny: [{ fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: a } }] }] } }`;

async function verify(config: string, engine: EngineName, extra: string, scope: { namespace?: string } = {}) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(config, extra), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${clientCall(NOW)}\n`]) }], { format: 'hubble' });
  return runRecommendation(readRecommendationInput(db, {}), engine, recommendOptions({ now: NOW, ...scope }), { tightness: false }).verification;
}
const ofTheEdge = (fs: readonly EdgeFinding[]) => fs.filter((f) => f.edge === CLIENT_SERVER_EDGE);
const NOT_EVALUATED = /does not evaluate were left out of the verification beside applied policies: ClusterNetworkPolicy/;

test('enable-k8s-cluster-network-policy "true": an applied Admin Deny a → b cuts the edge the recommendation allows: blockedByApplied at b\'s ingress names it, kubernetes and cilium alike; no "not evaluated" warning', async () => {
  for (const engine of ['kubernetes', 'cilium'] as const) {
    const v = await verify(ON, engine, ADMIN_DENY);
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
    const found = ofTheEdge(v.blockedByApplied);
    assert.deepEqual(
      found.map((f) => [f.workload, f.direction, f.by?.policy]),
      [['b/DaemonSet/server', 'ingress', 'ClusterNetworkPolicy/admin-deny-a']],
      `${engine}: ${JSON.stringify(v.blockedByApplied)}`,
    );
    assert.match(found[0]!.reason, /denied by Admin tier ingress rule "deny-a" of ClusterNetworkPolicy\/admin-deny-a/, engine);
    assert.doesNotMatch(v.warnings.join('\n'), NOT_EVALUATED, engine);
  }
});

test('enable-k8s-cluster-network-policy "true": an Admin Pass before the Deny hands the connection to the Cilium policies, which decide — the recommendation\'s allow, or an applied Cilium deny rule', async () => {
  for (const engine of ['kubernetes', 'cilium'] as const) {
    const passed = await verify(ON, engine, `${ADMIN_PASS}\n${ADMIN_DENY}`);
    assert.equal(passed.ok, true, engine);
    assert.deepEqual(ofTheEdge(passed.blockedByApplied), [], `${engine}: ${JSON.stringify(passed.blockedByApplied)}`);
  }
  const denied = await verify(ON, 'cilium', `${ADMIN_PASS}\n${CILIUM_DENY_FROM_A}`);
  assert.deepEqual(ofTheEdge(denied.blockedByApplied).map((f) => [f.direction, f.by?.policy]), [['ingress', 'CiliumNetworkPolicy/b/server-deny-a']], JSON.stringify(denied.blockedByApplied));
});

test('enable-k8s-cluster-network-policy "true": a Baseline Deny never overrides what a Cilium policy selecting the pod allows; it denies where none selects it (a scoped run\'s far side)', async () => {
  const whole = await verify(ON, 'cilium', BASELINE_DENY);
  assert.equal(whole.ok, true);
  assert.deepEqual(ofTheEdge(whole.blockedByApplied), [], JSON.stringify(whole.blockedByApplied));
  // -n a: server (b) is outside the run, no Cilium or Kubernetes policy selects it: the Baseline tier decides there.
  const scoped = await verify(ON, 'cilium', BASELINE_DENY, { namespace: 'a' });
  assert.deepEqual(
    ofTheEdge(scoped.blockedByApplied).map((f) => [f.workload, f.direction, f.farSide, f.by?.policy]),
    [['a/DaemonSet/client', 'egress', 'ingress', 'ClusterNetworkPolicy/baseline-deny-a']],
    JSON.stringify(scoped.blockedByApplied),
  );
});

test('enable-k8s-cluster-network-policy absent (Cilium\'s default: off): the ClusterNetworkPolicy is not enforced, left out and named as not evaluated, as before', async () => {
  for (const config of ['', ', enable-k8s-cluster-network-policy: "false"']) {
    const v = await verify(config, 'kubernetes', ADMIN_DENY);
    assert.equal(v.ok, true);
    assert.deepEqual(ofTheEdge(v.blockedByApplied), []);
    assert.match(v.warnings.join('\n'), NOT_EVALUATED, config);
    assert.match(v.warnings.join('\n'), /only where the cilium-config sets enable-k8s-cluster-network-policy: "true" \(off by default\)/, config);
  }
});

test('simulate on that cluster: the engine inferred from a ClusterNetworkPolicy is cilium (the plugin the inventory shows), which with the key on evaluates it — the Admin Deny denies the call; with the key absent it is left out, named', async () => {
  const admin = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'admin-deny-a' }, spec: { tier: 'Admin', priority: 20, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } }, ingress: [{ name: 'deny-a', action: 'Deny', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } }] }] } };
  const policies = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [admin] });
  for (const [config, verdict] of [[ON, 'deny'], ['', 'allow']] as const) {
    const { db } = tmpDb();
    importInventory(db, { text: inventory(config, ''), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
    const r = simulateFlows(db, { policies, flows: clientCall(NOW) });
    assert.equal(r.engine, 'cilium', config);
    assert.equal(r.decisions[0]?.verdict, verdict, `${config}: ${JSON.stringify(r.decisions[0])}`);
    const named = r.warnings.filter((w) => /the cilium simulation does not evaluate this kind/.test(w));
    assert.equal(named.length, config === ON ? 0 : 1, r.warnings.join('\n'));
  }
});
