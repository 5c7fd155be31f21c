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
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import type { EngineName } from '../../recommender/engines/types.ts';
import type { EdgeFinding } from '../../recommender/verify/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { CLIENT_SERVER_EDGE, clientCall, twoNamespaceInventory } from '../helpers/two-namespace-cluster.ts';

const NOW = Date.now();
const ON = ', enable-k8s-cluster-network-policy: "true"';
/** The kube-system cilium DaemonSet (as the Helm chart names and labels it) running this cilium-agent image. */
const ciliumAgent = (image: string) =>
  `  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: cilium, namespace: kube-system, uid: u-cilium, labels: { k8s-app: cilium } }, spec: { selector: { matchLabels: { k8s-app: cilium } }, template: { metadata: { labels: { k8s-app: cilium } }, spec: { hostNetwork: true, containers: [{ name: cilium-agent, image: "${image}" }] } } } }`;
/** A release with the tiers (Cilium 1.20 on: domain/cilium-release.ts). */
const TIERED_AGENT = ciliumAgent('quay.io/cilium/cilium:v1.20.1@sha256:0000000000000000000000000000000000000000000000000000000000000000');
const inventory = (config: string, extra: string, agent: string = TIERED_AGENT) =>
  twoNamespaceInventory(`  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1${config} } }
${agent}
${extra}`);

/** A ClusterNetworkPolicy selecting namespace b, one ingress rule from namespace a. */
const cnp = (name: string, tier: 'Admin' | 'Baseline', priority: number, action: 'Accept' | 'Deny' | 'Pass') =>
  `  - { apiVersion: policy.networking.k8s.io/v1alpha2, kind: ClusterNetworkPolicy, metadata: { name: ${name} }, spec: { tier: ${tier}, priority: ${priority}, subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: b } } }, ingress: [{ name: ${action.toLowerCase()}-a, action: ${action}, from: [{ namespaces: { matchLabels: { kubernetes.io/metadata.name: a } } }] }] } }`;
const ADMIN_DENY = cnp('admin-deny-a', 'Admin', 20, 'Deny');
const ADMIN_PASS = cnp('admin-pass-a', 'Admin', 10, 'Pass');
const BASELINE_DENY = cnp('baseline-deny-a', 'Baseline', 10, 'Deny');
/** Applied in namespace b: denies a's pods at server (a Cilium deny rule wins over every allow). */
const CILIUM_DENY_FROM_A = `  - { apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy, metadata: { name: server-deny-a, namespace: b }, spec: { endpointSelector: { matchLabels: { app: server } }, ingress: [{ fromEntities: [all] }], ingressDeny: [{ fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: a } }] }] } }`;

async function verify(config: string, engine: EngineName, extra: string, scope: { namespace?: string } = {}, agent?: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(config, extra, agent), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
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

/**
 * The Cilium build decides the reading (domain/cilium-release.ts): from 1.20 on the tiered one, in
 * which a Baseline Deny never overrides what a NetworkPolicy selecting the pod allows (network-policy-api
 * clusternetworkpolicy_types.go: the Baseline tier "will only be evaluated for Pods not selected by a
 * namespaced v1.NetworkPolicy"); the untiered ParseClusterNetworkPolicy ("TODO: Implement support for
 * rule priorities") makes that Deny a plain Cilium deny rule, which wins over the NetworkPolicy's
 * allow ("Deny policies take precedence", Cilium policy language). The recommendation (engine
 * kubernetes) is the NetworkPolicy allowing client → server.
 */
const BUILD_NOT_KNOWN = /judged under both readings.*allowed only where both allow it/;

test('Cilium v1.20.1 (tiers): a Baseline Deny a → b beside the NetworkPolicy allowing the edge cuts nothing; no reading warning', async () => {
  const v = await verify(ON, 'kubernetes', BASELINE_DENY);
  assert.equal(v.ok, true);
  assert.deepEqual(ofTheEdge(v.blockedByApplied), [], JSON.stringify(v.blockedByApplied));
  assert.doesNotMatch(v.warnings.join('\n'), BUILD_NOT_KNOWN);
});

test('Cilium v1.19.1 (a release before the tiers): the Baseline Deny is judged as a Cilium deny rule too, so the edge is blockedByApplied, named, and a warning says why', async () => {
  const v = await verify(ON, 'kubernetes', BASELINE_DENY, {}, ciliumAgent('quay.io/cilium/cilium:v1.19.1'));
  const found = ofTheEdge(v.blockedByApplied);
  assert.deepEqual(found.map((f) => [f.workload, f.direction, f.by?.policy]), [['b/DaemonSet/server', 'ingress', 'ClusterNetworkPolicy/baseline-deny-a']], JSON.stringify(v.blockedByApplied));
  assert.match(found[0]!.reason, /a Cilium deny rule where Cilium enforces ClusterNetworkPolicies without tiers/);
  assert.match(v.warnings.join('\n'), BUILD_NOT_KNOWN);
  assert.match(v.warnings.join('\n'), /v1\.19\.1 is a release before 1\.20/);
});

test('Cilium version not known (no agent image; a digest only; a dev build): blockedByApplied under the untiered reading, and the warning says how to make it exact', async () => {
  for (const [agent, shown] of [
    ['', /import the kube-system cilium DaemonSet/],
    [ciliumAgent('quay.io/cilium/cilium@sha256:0000000000000000000000000000000000000000000000000000000000000000'), /names no version, only a digest/],
    [ciliumAgent('quay.io/cilium/cilium-ci:4f1e0c2b3a'), /is no release/],
  ] as const) {
    const v = await verify(ON, 'kubernetes', BASELINE_DENY, {}, agent);
    assert.deepEqual(ofTheEdge(v.blockedByApplied).map((f) => [f.direction, f.by?.policy]), [['ingress', 'ClusterNetworkPolicy/baseline-deny-a']], `${agent}: ${JSON.stringify(v.blockedByApplied)}`);
    assert.match(v.warnings.join('\n'), BUILD_NOT_KNOWN, agent);
    assert.match(v.warnings.join('\n'), shown, agent);
  }
});

test('Cilium version not known: where both readings allow (an Admin Pass, no Deny) the edge is not cut', async () => {
  const v = await verify(ON, 'kubernetes', ADMIN_PASS, {}, '');
  assert.deepEqual(ofTheEdge(v.blockedByApplied), [], JSON.stringify(v.blockedByApplied));
});

test('simulate: a Baseline Deny a → b beside a NetworkPolicy allowing the call — allowed on Cilium v1.20.1, denied where the version is not known, with the warning', async () => {
  const baseline = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'baseline-deny-a' }, spec: { tier: 'Baseline', priority: 10, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } }, ingress: [{ name: 'deny-a', action: 'Deny', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } }] }] } };
  const allowA = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'server-from-a', namespace: 'b' }, spec: { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } }] }] } };
  const policies = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [baseline, allowA] });
  for (const [agent, verdict] of [[TIERED_AGENT, 'allow'], ['', 'deny']] as const) {
    const { db } = tmpDb();
    importInventory(db, { text: inventory(ON, '', agent), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
    const r = simulateFlows(db, { policies, flows: clientCall(NOW), engine: 'cilium' });
    assert.equal(r.decisions[0]?.verdict, verdict, `${agent}: ${JSON.stringify(r.decisions[0])}`);
    assert.equal(r.warnings.filter((w) => BUILD_NOT_KNOWN.test(w)).length, agent === '' ? 1 : 0, r.warnings.join('\n'));
  }
});

test('an Admin Accept a → b beside an applied Cilium deny rule for a: on v1.20.1 the Accept decides first (allowed); where the version is not known the untiered reading lets the deny rule win (blockedByApplied, the CiliumNetworkPolicy named)', async () => {
  const ADMIN_ACCEPT = cnp('admin-accept-a', 'Admin', 10, 'Accept');
  const tiered = await verify(ON, 'cilium', `${ADMIN_ACCEPT}\n${CILIUM_DENY_FROM_A}`);
  assert.deepEqual(ofTheEdge(tiered.blockedByApplied), [], JSON.stringify(tiered.blockedByApplied));
  const unknown = await verify(ON, 'cilium', `${ADMIN_ACCEPT}\n${CILIUM_DENY_FROM_A}`, {}, '');
  assert.deepEqual(ofTheEdge(unknown.blockedByApplied).map((f) => [f.direction, f.by?.policy]), [['ingress', 'CiliumNetworkPolicy/b/server-deny-a']], JSON.stringify(unknown.blockedByApplied));
});

/**
 * A `clusternetworkpolicy` recommendation on that cluster is Cilium's to enforce, as a `kubernetes`
 * one is (decide.ts verifyingEngine): judged by the cilium simulator, with the ClusterNetworkPolicies
 * in Cilium's tiers, its `networks` as CIDR selectors (pkg/k8s/cluster_network_policy.go
 * kcnpParseCIDRSelectors: no pod selected), beside Cilium's own policies and under its enforcement mode.
 */
const WORLD_EGRESS_MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: t }
documents:
  doc: { title: doc, file: none.txt }
components:
  client:
    namespace: a
    selector: { matchLabels: { app: client } }
    authoritative: { egress: true }
    egress:
      - { id: anywhere, peer: world, level: must, purpose: "the client may call anything", source: { document: doc, line: 1 } }
`;

test('clusternetworkpolicy on Cilium with the key on: judged as Cilium enforces it — an applied Cilium deny rule a → b cuts the edge the recommendation accepts (blockedByApplied names it); with the key absent the clusternetworkpolicy simulation judges it and names the Cilium policy as not evaluated', async () => {
  const on = await verify(ON, 'clusternetworkpolicy', CILIUM_DENY_FROM_A);
  assert.deepEqual(ofTheEdge(on.blockedByApplied).map((f) => [f.workload, f.direction, f.by?.policy]), [['b/DaemonSet/server', 'ingress', 'CiliumNetworkPolicy/b/server-deny-a']], JSON.stringify(on.blockedByApplied));
  assert.doesNotMatch(on.warnings.join('\n'), /CiliumNetworkPolicy.*were left out of the verification/);
  const off = await verify('', 'clusternetworkpolicy', CILIUM_DENY_FROM_A);
  assert.deepEqual(ofTheEdge(off.blockedByApplied), [], JSON.stringify(off.blockedByApplied));
  assert.match(off.warnings.join('\n'), /were left out of the verification beside applied policies: CiliumNetworkPolicy/);
});

test('clusternetworkpolicy on Cilium with the key on: the enforcement mode is said (enable-policy: "never": no effect), and where the build is not known, that both readings judged the recommendation\'s own ClusterNetworkPolicies', async () => {
  const never = await verify(`${ON}, enable-policy: never`, 'clusternetworkpolicy', '');
  assert.match(never.warnings.join('\n'), /enable-policy: "never": Cilium enforces no policy on any endpoint/);
  const unknown = await verify(ON, 'clusternetworkpolicy', '', {}, '');
  assert.match(unknown.warnings.join('\n'), /this recommendation's ClusterNetworkPolicies: judged under both readings/);
  const tiered = await verify(ON, 'clusternetworkpolicy', '');
  assert.doesNotMatch(tiered.warnings.join('\n'), BUILD_NOT_KNOWN);
});

test('clusternetworkpolicy on Cilium 1.20 with the key on: a documented `world` egress keeps the client\'s pod-to-pod egress under Cilium\'s reading (every pod beside networks 0.0.0.0/0, ::/0), verified', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(ON, ''), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: WORLD_EGRESS_MATRIX, origin: 'world.yaml', appliedAt: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${clientCall(NOW)}\n`]) }], { format: 'hubble' });
  const r = runRecommendation(readRecommendationInput(db, {}), 'clusternetworkpolicy', recommendOptions({ now: NOW, mode: 'documented', namespace: 'a' }), { tightness: false });
  assert.equal(r.verification.ok, true, JSON.stringify(r.verification.blocked));
  assert.deepEqual(ofTheEdge(r.verification.blocked), []);
});
