/**
 * The export verifies a group of namespaces at a time and renders its manifests again a window
 * at a time (app/export.ts, recommender/verify/in-chunks.ts, engines/emit-in-order.ts). Input:
 * the demo cluster in a real SQLite file, in one chunk (the manifests kept), and one namespace
 * per chunk with three manifests per window → expected: the verification, the emitter's warnings and the YAML bytes of the whole
 * run (`runRecommendation`), on every engine, with and without the cluster-wide layers, and
 * beside applied policies of both scopes. A side is decided only by the policies that select
 * its pod (Kubernetes "Network Policies": a namespaced policy selects pods of its namespace; the
 * ClusterNetworkPolicy subject); the cases below fail when a chunk misses a policy that decides
 * one of its sides.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { manifestPath } from '../../app/export-files.ts';
import { syncExportDir } from '../../cli/export-dir.ts';
import { verifiedExport } from '../../app/export.ts';
import { readRecommendationInput, recommendForEveryEngine, runRecommendation, type StoredRecommendInput } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES, type EngineName } from '../../recommender/engines/index.ts';
import { toMultiDocYaml, toYaml } from '../../recommender/engines/yaml.ts';
import { recommend, type RecommendOptions } from '../../recommender/recommend.ts';
import { namespaceChunks, verifyInChunks } from '../../recommender/verify/in-chunks.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { AGENT, AGENT_TO_COLLECTOR, farMustEdge, MUST_RULE, REPLACED, storeReplacedFarMustCase, storeReplacedMustCase } from '../helpers/replaced-must-cluster.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const { db } = tmpDb();
await loadDemo(db);
const read = (): StoredRecommendInput => readRecommendationInput(db, {}, { details: false });
const SMALL = { maxEdgeSides: 1, window: 3 };

function assertSameAsWhole(engine: EngineName, options: Partial<RecommendOptions>, input: () => StoredRecommendInput, what: string) {
  const whole = runRecommendation(input(), engine, options, { details: false });
  const one = verifiedExport(input(), engine, options);
  assert.deepEqual(one.verification, whole.verification, `${what}, one chunk: verification`);
  assert.equal(toMultiDocYaml([...one.manifests()]), toMultiDocYaml(whole.emitted.manifests), `${what}, one chunk: YAML bytes`);
  const chunked = verifiedExport(input(), engine, options, SMALL);
  assert.deepEqual(chunked.verification, whole.verification, `${what}: verification`);
  assert.deepEqual(chunked.emitted.warnings, whole.emitted.warnings, `${what}: emitter warnings`);
  assert.equal(chunked.count, whole.emitted.manifests.length, `${what}: manifests`);
  assert.equal(toMultiDocYaml([...chunked.manifests()]), toMultiDocYaml(whole.emitted.manifests), `${what}: YAML bytes`);
  assert.deepEqual({ ...chunked.rec, sides: [] }, { ...whole.rec, sides: [] }, `${what}: recommendation`);
  return { whole, chunked };
}

test('one namespace per chunk: every chunk holds at most one namespace with observed edges, and every namespace is in one', () => {
  const rec = recommend(read(), { shared: true }, { details: false });
  const namespaces = new Set([...rec.policySet.intents.flatMap((i) => (i.namespace !== undefined ? [i.namespace] : [])), ...rec.sides.map((s) => s.workload.split('/')[0]!)]);
  const { clusterWide, chunks } = namespaceChunks(rec.policySet, rec.sides, SMALL.maxEdgeSides);
  assert.ok(namespaces.size > 5, `${namespaces.size} namespaces`);
  assert.deepEqual(new Set(chunks.flatMap((c) => c.namespaces)), namespaces);
  const withEdges = chunks.map((c) => new Set(c.sides.filter((s) => s.edges.ingress.length + s.edges.egress.length > 0).map((s) => s.workload.split('/')[0])).size);
  assert.ok(withEdges.every((n) => n <= 1), `one namespace with observed edges per chunk: ${withEdges.join(' ')}`);
  assert.ok(chunks.length > 5, `${chunks.length} chunks`);
  assert.ok(clusterWide.length > 0, '--shared makes cluster-wide intents');
  assert.deepEqual(verifiedExport(read(), 'kubernetes', {}, SMALL).rec.sides, [], 'the sides are let go once verified');
});

test('namespaceChunks: namespaces in name order, grouped up to the edge-side limit, a larger namespace alone; cluster-wide intents apart', () => {
  const side = (workload: string, n: number) => ({ workload, edges: { ingress: Array(n).fill(null), egress: [] }, excluded: { ingress: new Map(), egress: new Map() }, restricted: { ingress: true, egress: false } });
  const intent = (key: string, namespace?: string) => ({ key, ...(namespace !== undefined ? { namespace } : {}) }) as never;
  const { clusterWide, chunks } = namespaceChunks(
    { intents: [intent('a/x', 'a'), intent('shared'), intent('c/z', 'c'), intent('b/y', 'b')] },
    [side('c/Deployment/z', 5), side('a/Deployment/x', 2), side('b/Deployment/y', 1), side('d/Deployment/w', 9)],
    4,
  );
  assert.deepEqual(clusterWide.map((i: { key: string }) => i.key), ['shared']);
  assert.deepEqual(chunks.map((c) => c.namespaces), [['a', 'b'], ['c'], ['d']]);
  assert.deepEqual(chunks.map((c) => c.intents.map((i: { key: string }) => i.key)), [['a/x', 'b/y'], ['c/z'], []]);
  assert.deepEqual(chunks.map((c) => c.sides.map((s) => s.workload)), [['a/Deployment/x', 'b/Deployment/y'], ['c/Deployment/z'], ['d/Deployment/w']]);
});

for (const engine of ENGINE_NAMES) {
  test(`${engine}: in chunks, the same verification, warnings and bytes as the whole run (beside the demo's applied NetworkPolicies)`, () => {
    assertSameAsWhole(engine, {}, read, 'default options');
    assertSameAsWhole(engine, { shared: true, defaultDeny: true }, read, '--shared --default-deny');
  });
}

test('clusternetworkpolicy: an applied cluster-scoped policy the recommendation replaces in a later chunk is not beside the earlier chunks; one it does not replace is beside every chunk', () => {
  const whole = runRecommendation(read(), 'clusternetworkpolicy', {}, { details: false });
  const last = whole.emitted.manifests[whole.emitted.manifests.length - 1]!;
  // Admin tier, before every NetworkPolicy and Baseline rule (ClusterNetworkPolicy API reference, "tier"): denies all ingress of every pod.
  const denyAll = (name: string) => ({
    apiVersion: last.apiVersion,
    kind: last.kind,
    name,
    manifest: { apiVersion: last.apiVersion, kind: last.kind, metadata: { name }, spec: { tier: 'Admin', priority: 0, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] } },
  });
  const withApplied = (...applied: ReturnType<typeof denyAll>[]) => (): StoredRecommendInput => {
    const input = read();
    return { ...input, inventory: { ...input.inventory, policies: [...input.inventory.policies, ...applied] } };
  };

  const blockedByApplied = (v: { blockedByApplied: { workload: string; direction: string; edge: string }[] }) => v.blockedByApplied.map((f) => `${f.workload} ${f.direction} ${f.edge}`);
  const alone = blockedByApplied(whole.verification); // the demo's applied NetworkPolicies
  const replaced = assertSameAsWhole('clusternetworkpolicy', {}, withApplied(denyAll(last.metadata.name)), 'replaced');
  assert.deepEqual(blockedByApplied(replaced.whole.verification), alone, 'the replaced policy is not beside the recommendation');

  const beside = assertSameAsWhole('clusternetworkpolicy', {}, withApplied(denyAll('someone-elses-deny-all')), 'beside');
  const more = blockedByApplied(beside.whole.verification).filter((f) => !alone.includes(f));
  const namespaces = new Set(more.map((f) => f.split('/')[0]));
  assert.ok(namespaces.size > 5, `the deny-all beside blocks included ingress in every chunk: ${[...namespaces].join(', ')}`);
});

test('with the tightness figures (the recommendation list): in chunks, the verification of the whole run with details, on every engine', () => {
  const input = readRecommendationInput(db, {}, { details: true });
  for (const engine of ENGINE_NAMES) {
    const whole = runRecommendation(input, engine, {}, { details: true });
    assert.ok(whole.verification.tightness.length > 0, engine);
    const rec = recommend(input, {}, { details: false });
    const chunked = verifyInChunks({ engine, set: rec.policySet, sides: rec.sides, model: clusterModel(input.inventory, input.externalNames), applied: input.inventory.policies, simulator: SIMULATORS[engine], tightness: true, maxEdgeSides: 1 });
    assert.deepEqual(chunked.verification, whole.verification, engine);
  }
});

test('export --out from manifests rendered again in windows: the files of the whole emit, and a second sync of the same export changes nothing', async () => {
  const whole = runRecommendation(read(), 'calico', {}, { details: false });
  const chunked = verifiedExport(read(), 'calico', {}, SMALL);
  const dir = tmpDir('flowmatrix-out-');
  const first = await syncExportDir(dir, () => chunked.manifests());
  assert.equal(first.added.length, whole.emitted.manifests.length);
  assert.deepEqual(first.added, whole.emitted.manifests.map(manifestPath).sort());
  for (const m of whole.emitted.manifests) assert.equal(readFileSync(join(dir, manifestPath(m)), 'utf8'), toYaml(m), manifestPath(m));
  const second = await syncExportDir(dir, () => chunked.manifests());
  assert.deepEqual({ ...second, unchanged: 0 }, { added: [], changed: [], removed: [], kept: [], unchanged: 0 });
  assert.equal(second.unchanged, whole.emitted.manifests.length);
});

test('a warning about the applied policies (the kinds the simulation leaves out) is given once, however many chunks are verified', () => {
  const cnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'legacy', manifest: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'legacy', namespace: 'shop' }, spec: { endpointSelector: {}, ingress: [{}] } } };
  const anp = { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', name: 'legacy', manifest: { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'legacy' }, spec: { priority: 10, subject: { namespaces: {} }, ingress: [] } } };
  const input = (): StoredRecommendInput => {
    const i = read();
    // Cilium's policy shows Cilium, whose simulation judges the kubernetes recommendation and leaves the AdminNetworkPolicy out.
    return { ...i, inventory: { ...i.inventory, policies: [...i.inventory.policies, cnp, anp] } };
  };
  for (const chunking of [undefined, SMALL]) {
    const { warnings } = verifiedExport(input(), 'kubernetes', {}, chunking).verification;
    assert.equal(warnings.filter((w) => w.includes('does not evaluate')).length, 1, warnings.join('\n'));
    assert.deepEqual(warnings, [...new Set(warnings)]);
  }
});

test("a scoped run that replaces an applied policy selecting a workload outside it: that workload's must flow, not observed yet, is judged alike in chunks and whole (blocked, naming the replaced policy and the rule)", async () => {
  const { db: caseDb } = tmpDb();
  const readCase = await storeReplacedMustCase(caseDb);
  for (const engine of ENGINE_NAMES) {
    const { whole } = assertSameAsWhole(engine, { workload: 'web' }, readCase, `replaced must flow, ${engine}`);
    if (engine !== 'kubernetes') continue; // another engine's kind replaces no applied NetworkPolicy
    const cut = whole.verification.blocked.filter((b) => b.replaced?.includes(REPLACED));
    assert.deepEqual(cut.map((b) => `${b.workload} ${b.direction} ${b.edge}`), [`${AGENT} egress ${AGENT_TO_COLLECTOR}`]);
    assert.match(cut[0]!.reason, new RegExp(`${MUST_RULE} \\(must\\) requires it, not observed yet`));
  }
});

test("a scoped run that replaces an applied policy selecting a workload outside it, which another workload's must rule names: the flow at that workload's far side is judged alike in chunks, whole and in the report's every-engine run", async () => {
  for (const requirer of ['collector', 'web'] as const) {
    const readCase = await storeReplacedFarMustCase(tmpDb().db, requirer);
    const reported = new Map<EngineName, unknown>();
    recommendForEveryEngine(readCase(), { workload: 'web' }, { workload: () => undefined, manifest: () => undefined, engine: (engine, r) => void reported.set(engine, r.verification) });
    for (const engine of ENGINE_NAMES) {
      const { whole } = assertSameAsWhole(engine, { workload: 'web' }, readCase, `far must flow of ${requirer}, ${engine}`);
      assert.deepEqual(reported.get(engine), whole.verification, `far must flow of ${requirer}, ${engine}: the report's verification`);
      if (engine !== 'kubernetes') continue;
      const cut = whole.verification.blocked.filter((b) => b.replaced?.includes(REPLACED));
      assert.deepEqual(cut.map((b) => `${b.workload} ${b.direction} ${b.edge}`), [`${AGENT} ingress ${farMustEdge(requirer)}`]);
    }
  }
});

test("the must flows at the workloads outside a scoped run are made once per recommendation (every engine's verification shares them): each workload's are computed on first ask only; an unscoped run has none", async () => {
  const readCase = await storeReplacedMustCase(tmpDb().db);
  const rec = recommend(readCase(), { workload: 'web' }, { details: false });
  const must = rec.outsideMustFlows!;
  const first = must.flowsOf([AGENT]).get(AGENT);
  assert.deepEqual(first?.egress.map((f) => f.rule), [MUST_RULE]);
  assert.equal(must.flowsOf([AGENT, 'ns-a/Pod/collector']).get(AGENT), first, 'asked again: the same answer, not computed again');
  assert.equal(recommend(readCase(), {}, { details: false }).outsideMustFlows, undefined);
});
