/**
 * The far side of an edge in a scoped run, on Cilium under `enable-policy: always`.
 * cilium/cilium Documentation/security/policy/intro.rst "Policy Enforcement Modes": under `always`
 * "policy enforcement is enabled on all endpoints even if no rules select specific endpoints"
 * (pkg/policy/repository.go computePolicyEnforcementAndRules: both directions enforced whatever
 * selects the endpoint). A workload outside a scoped run that no policy selects then denies what no
 * rule allows, in both directions: the run's client may send, the server outside the run drops it.
 * That is the cluster's state, not the output's doing — blockedByApplied, naming the far workload.
 * Under `default` an unselected workload allows everything; an unscoped run judges the server's own side.
 * A cluster reduced to what shows it: client (namespace a) calls server (namespace b) on 8080.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import { buildReport } from '../../reports/build.ts';
import { renderMarkdown } from '../../reports/render/index.ts';
import type { EngineName } from '../../recommender/engines/types.ts';
import type { EdgeFinding } from '../../recommender/verify/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { CLIENT_SERVER_EDGE, clientCall, twoNamespaceInventory } from '../helpers/two-namespace-cluster.ts';

const NOW = Date.now();
/** `config`: the cilium-config's data beyond cluster-name; `extra`: more items (applied policies). */
const inventory = (config: string, extra = '') =>
  twoNamespaceInventory(`  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1${config} } }
${extra}`);
const CALL = clientCall(NOW);
const EDGE = CLIENT_SERVER_EDGE;
const ALWAYS = ', enable-policy: "always"';
/** Applied in namespace b: lets a's pods into server on 8080. */
const ALLOW_FROM_A = `  - { apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy, metadata: { name: server-from-a, namespace: b }, spec: { endpointSelector: { matchLabels: { app: server } }, ingress: [{ fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: a } }], toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }] }] } }`;

async function verify(config: string, engine: EngineName, scope: { namespace?: string }, extra = '') {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(config, extra), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${CALL}\n`]) }], { format: 'hubble' });
  return runRecommendation(readRecommendationInput(db, {}), engine, recommendOptions({ now: NOW, ...scope }), { tightness: false }).verification;
}
const ofTheEdge = (fs: readonly EdgeFinding[]) => fs.filter((f) => f.edge === EDGE);

test('enable-policy "always", -n a: the edge a → b:8080 is in blockedByApplied at b\'s ingress, naming server and the mode; the output itself is ok (intro.rst: always enforces on endpoints no rule selects)', async () => {
  for (const engine of ['cilium', 'kubernetes'] as const) {
    const v = await verify(ALWAYS, engine, { namespace: 'a' });
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
    const found = ofTheEdge(v.blockedByApplied);
    assert.equal(found.length, 1, `${engine}: ${JSON.stringify(v.blockedByApplied)}`);
    const [f] = found;
    assert.equal(f!.workload, 'a/DaemonSet/client', engine);
    assert.equal(f!.direction, 'egress', engine);
    assert.equal(f!.farSide, 'ingress', engine);
    assert.match(f!.reason, /^at b\/DaemonSet\/server's ingress, outside the run/, engine);
    assert.match(f!.reason, /enable-policy: always denies what no rule allows/, engine);
  }
});

test('the report of -n a under "always" names what denies the far side — enable-policy: always, no applied policy — and what to allow, not "change or delete it" (intro.rst "Policy Enforcement Modes")', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(ALWAYS, ''), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${CALL}\n`]) }], { format: 'hubble' });
  const report = buildReport(gatherReportInput(db, { engine: 'cilium', mode: 'union', egress: true, staleDays: 30, namespace: 'a', now: NOW, matrices: {}, trigger: 'manual', generatedAt: NOW }));
  const row = report.verification!.cilium!.blockedByAppliedEdges!.find((b) => b.edge === EDGE)!;
  assert.equal(row.policy, undefined);
  assert.equal(row.deniedBy, 'enable-policy: always (no rule allows it)');
  assert.match(renderMarkdown(report), /\| enable-policy: always \(no rule allows it\): allow ingress from a\/DaemonSet\/client on 8080\/TCP by a policy selecting b\/DaemonSet\/server \|/);
});

test('enable-policy "always", -n a, an applied policy letting a into server: nothing at the far side', async () => {
  const v = await verify(ALWAYS, 'cilium', { namespace: 'a' }, ALLOW_FROM_A);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.deepEqual(ofTheEdge(v.blockedByApplied), []);
});

/** Applied in namespace b: denies a's pods into server (deny rules win over allows). */
const DENY_FROM_A = `  - { apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy, metadata: { name: server-deny-a, namespace: b }, spec: { endpointSelector: { matchLabels: { app: server } }, ingress: [{ fromEntities: [all] }], ingressDeny: [{ fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: a } }] }] } }`;

test('enable-policy "always", -n a, an applied policy denying a at server: blockedByApplied at b\'s ingress names that policy', async () => {
  const v = await verify(ALWAYS, 'cilium', { namespace: 'a' }, DENY_FROM_A);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  const [f, ...more] = ofTheEdge(v.blockedByApplied);
  assert.deepEqual(more, []);
  assert.equal(f?.farSide, 'ingress');
  assert.equal(f?.by?.policy, 'CiliumNetworkPolicy/b/server-deny-a');
  assert.match(f!.reason, /^at b\/DaemonSet\/server's ingress, outside the run.*ingressDeny rule matches/);
});

test('enable-policy "default", -n a: an unselected server allows everything, nothing more is said', async () => {
  const v = await verify('', 'cilium', { namespace: 'a' });
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.deepEqual(v.blockedByApplied, []);
});

test('enable-policy "always", unscoped: server has its own side, allowed by its own recommended ingress; no far side judged', async () => {
  const v = await verify(ALWAYS, 'cilium', {});
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  assert.deepEqual(ofTheEdge(v.blockedByApplied), []);
  assert.ok(v.blockedByApplied.every((f) => f.farSide === undefined), JSON.stringify(v.blockedByApplied));
});

/**
 * A ClusterNetworkPolicy (policy.networking.k8s.io) applied for another namespace: Cilium enforces
 * that kind only from 1.20, where the cilium-config sets `enable-k8s-cluster-network-policy: "true"`
 * (off by default: cilium/cilium pkg/policy/k8s/conformance/conformance_test.go preflightCheck
 * requires it), so it does not make the ClusterNetworkPolicy API the judge: Cilium's simulator
 * still judges, and the applied policy is named as not evaluated.
 */
const UNRELATED_CNP = `  - { apiVersion: policy.networking.k8s.io/v1alpha2, kind: ClusterNetworkPolicy, metadata: { name: baseline-unrelated }, spec: { tier: Baseline, priority: 10, subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: default } } }, ingress: [{ name: accept-all, action: Accept, from: [{ namespaces: {} }] }] } }`;

test('enable-policy "always", -n a, kubernetes, an unrelated applied ClusterNetworkPolicy: Cilium still judges — the far side at b is in blockedByApplied, the ClusterNetworkPolicy named as not evaluated', async () => {
  const v = await verify(ALWAYS, 'kubernetes', { namespace: 'a' }, UNRELATED_CNP);
  assert.equal(v.ok, true, JSON.stringify(v.blocked));
  const [f, ...more] = ofTheEdge(v.blockedByApplied);
  assert.deepEqual(more, []);
  assert.equal(f?.farSide, 'ingress', JSON.stringify(v.blockedByApplied));
  assert.match(f!.reason, /enable-policy: always denies what no rule allows/);
  assert.match(v.warnings.join('\n'), /the cilium simulation does not evaluate were left out of the verification beside applied policies: ClusterNetworkPolicy\.policy\.networking\.k8s\.io ×1 \(baseline-unrelated\)/);
});
