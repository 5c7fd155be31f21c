/**
 * The recommendation use case: one option mapping for the CLI flags and the API query parameters,
 * and the run's phases (read → recommend → emit → verify) on a real SQLite file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRecommendationInput, recommendForEveryEngine, recommendFromStore, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES, getEngine, type Manifest } from '../../recommender/engines/index.ts';
import { sortManifests } from '../../recommender/engines/metadata.ts';
import { recommend, type WorkloadRecommendation } from '../../recommender/recommend.ts';
import { tmpDb } from '../helpers/tmp.ts';

const { db } = tmpDb();
await loadDemo(db);

test('options: an empty request is the documented defaults, staleDays from the configured default; include deduplicated', () => {
  assert.deepEqual(recommendOptions({}), { mode: 'union', egress: true, defaultDeny: false, shared: false, includeMay: false, staleDays: 30 });
  assert.equal(recommendOptions({}, 7).staleDays, 7);
  assert.equal(recommendOptions({ staleDays: 3 }, 7).staleDays, 3);
  assert.deepEqual(
    recommendOptions({ mode: 'observed', egress: false, defaultDeny: true, shared: true, includeMay: true, include: ['confirmed', 'stale', 'confirmed'], now: 5, namespace: 'shop', workload: 'StatefulSet/db' }),
    { mode: 'observed', egress: false, defaultDeny: true, shared: true, includeMay: true, staleDays: 30, include: ['confirmed', 'stale'], now: 5, namespace: 'shop', workload: 'StatefulSet/db' },
  );
});

test('a run reads the store, recommends and emits exactly what the recommender and the engine give for that input', () => {
  const options = recommendOptions({ namespace: 'netobserv' });
  const input = readRecommendationInput(db, {});
  const { sides, outsideMustFlows, ...direct } = recommend(input, options);
  assert.ok(sides.length > 0, 'the recommendation lists the sides the verification checks');
  assert.ok(outsideMustFlows !== undefined, 'a scoped run: the must flows outside it, for the verification');
  const { rec, emitted } = recommendFromStore(db, {}, 'cilium', options);
  assert.ok(emitted.manifests.length > 0, 'the demo netobserv namespace gets policies');
  assert.deepEqual(rec.sides, [], 'the sides are not kept once verified');
  assert.equal(rec.outsideMustFlows, undefined, 'nor the must flows outside the run');
  assert.deepEqual({ ...rec, sides: undefined }, { ...direct, sides: undefined });
  assert.deepEqual(emitted, getEngine('cilium').emit(direct.policySet));
  const engines: string[] = [];
  const detailed: WorkloadRecommendation[] = [];
  const seen = new Map<string, Manifest[]>();
  const every = recommendForEveryEngine(input, options, {
    workload: (w) => detailed.push(w),
    manifest: (engine, m) => void (seen.get(engine) ?? seen.set(engine, []).get(engine)!).push(m),
    engine: (engine, result) => {
      engines.push(engine);
      const whole = getEngine(engine).emit(direct.policySet);
      assert.deepEqual(sortManifests(seen.get(engine) ?? []), whole.manifests, `${engine}: every manifest once`);
      assert.deepEqual(result.warnings, whole.warnings, engine);
      assert.deepEqual(result.verification, runRecommendation(input, engine, options, { tightness: false }).verification, engine);
    },
  });
  assert.deepEqual(engines, [...ENGINE_NAMES]);
  assert.deepEqual(detailed, direct.workloads, 'each workload record with its evidence, once, in workload order');
  assert.ok(detailed.some((w) => w.observed.length > 0 && w.rules.length > 0));
  const { sides: _sides, outsideMustFlows: _outside, ...withoutEvidence } = recommend(input, options, { details: false });
  assert.deepEqual({ ...every, sides: undefined }, { ...withoutEvidence, sides: undefined }, 'the records kept are those without evidence');
  assert.ok(every.workloads.every((w) => w.observed.length === 0 && w.rules.length === 0 && w.documented.length === 0));
});

test('every run is verified for its engine: admission and simulation of the observed edges, none blocked on the demo netobserv namespace', () => {
  const input = readRecommendationInput(db, {});
  const options = recommendOptions({ namespace: 'netobserv' });
  for (const engine of ENGINE_NAMES) {
    const { verification } = runRecommendation(input, engine, options);
    assert.equal(verification.engine, engine);
    assert.deepEqual(verification.admission, [], engine);
    assert.deepEqual(verification.blocked, [], engine);
    assert.equal(verification.ok, true, engine);
    assert.ok(verification.tightness.length > 0, `${engine}: tightness per workload side`);
    // A side where nothing was observed has a figure only where something is allowed: unbounded, no ratio.
    for (const t of verification.tightness) assert.ok(t.allowed >= t.observed && (t.observed > 0 ? t.ratio !== null : t.unbounded === true && t.allowed > 0), `${engine} ${t.workload} ${t.direction}: ${t.allowed}/${t.observed}`);
  }
});

test('a kubernetes recommendation on a cluster with applied Calico policies is verified beside them by the calico simulation: an earlier tier\'s Deny cuts what the NetworkPolicies allow (Calico "Tier": tiers in order, a Deny ends the evaluation; Kubernetes NetworkPolicies are in the default tier)', () => {
  const input = readRecommendationInput(db, {});
  const tier = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', name: 'platform', manifest: { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'platform' }, spec: { order: 100 } } };
  const deny = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    name: 'platform.deny-netobserv',
    manifest: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'platform.deny-netobserv' }, spec: { tier: 'platform', order: 1, selector: "projectcalico.org/namespace == 'netobserv'", types: ['Ingress'], ingress: [{ action: 'Deny' }] } },
  };
  const onCalico = { ...input, inventory: { ...input.inventory, policies: [...input.inventory.policies, tier, deny] } };
  const options = recommendOptions({ namespace: 'netobserv' });
  const { verification } = runRecommendation(onCalico, 'kubernetes', options, { tightness: false });
  assert.ok(verification.blockedByApplied.length > 0, 'the Deny is read');
  assert.ok(verification.blockedByApplied.every((f) => f.direction === 'ingress' && f.by?.policy === 'GlobalNetworkPolicy/platform.deny-netobserv'), JSON.stringify(verification.blockedByApplied.slice(0, 2)));
  assert.deepEqual(verification.warnings.filter((w) => /does not evaluate/.test(w)), [], 'nothing is left out of the verification');
  // The export's path (a verification in chunks) judges alike.
  let chunked: typeof verification | undefined;
  recommendForEveryEngine(onCalico, options, { workload: () => undefined, manifest: () => undefined, engine: (engine, result) => void (engine === 'kubernetes' && (chunked = result.verification)) });
  assert.deepEqual(chunked, verification);
});


// On a cluster running Calico, Calico enforces the network-policy-api's kinds, as it converts them
// (libcalico-go conversion/clusternetworkpolicy.go: a rule with a `nodes` peer fails — "none of
// supported fields in 'To' is set." — and k8sClusterNetPolHandleFailedRules puts
// `apiv3.Rule{Action: apiv3.Deny}` in place of a failed Deny rule): a Deny of all egress.
test('a kubernetes recommendation beside an applied ClusterNetworkPolicy on a cluster running Calico (calico-node in the inventory) is judged by the calico simulation: a Deny rule with a nodes peer cuts every egress edge of its subject, as Calico converts it', () => {
  const input = readRecommendationInput(db, {});
  const cnp = {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    name: 'no-kubelet',
    manifest: {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'no-kubelet' },
      spec: { tier: 'Admin', priority: 10, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'netobserv' } } }, egress: [{ name: 'kubelet', action: 'Deny', to: [{ nodes: { matchLabels: {} } }], protocols: [{ tcp: { destinationPort: { number: 10250 } } }] }] },
    },
  };
  const calicoNode = { namespace: 'kube-system', name: 'calico-node', kind: 'DaemonSet' as const, labels: { 'k8s-app': 'calico-node' }, selector: { matchLabels: { 'k8s-app': 'calico-node' } }, hostNetwork: true, ports: [], services: [], exposure: [] };
  const applied = { ...input.inventory, policies: [...input.inventory.policies, cnp] };
  const options = recommendOptions({ namespace: 'netobserv' });
  const onCalico = { ...input, inventory: { ...applied, workloads: [...applied.workloads, calicoNode] } };
  const { verification } = runRecommendation(onCalico, 'kubernetes', options, { tightness: false });
  assert.ok(verification.blockedByApplied.length > 0, 'the Deny of everything is read');
  assert.ok(verification.blockedByApplied.every((f) => f.direction === 'egress' && f.by?.policy === 'ClusterNetworkPolicy/no-kubelet'), JSON.stringify(verification.blockedByApplied.slice(0, 2)));
  // The finding names the rule as written; the warning says what Calico made of it.
  assert.ok(verification.warnings.some((w) => /ClusterNetworkPolicy\/no-kubelet: egress rule \/spec\/egress\/0: Calico does not convert a nodes peer .* replaced by a Deny of all egress traffic/.test(w)), verification.warnings.join('\n'));
  // Where the inventory shows no plugin, the ClusterNetworkPolicy API's own semantics judge: the nodes peer matches node addresses on port 10250 only.
  const elsewhere = runRecommendation({ ...input, inventory: applied }, 'kubernetes', options, { tightness: false }).verification;
  assert.ok(elsewhere.blockedByApplied.length < verification.blockedByApplied.length, `${elsewhere.blockedByApplied.length} < ${verification.blockedByApplied.length}`);
  // The export's path (a verification in chunks) judges alike.
  let chunked: typeof verification | undefined;
  recommendForEveryEngine(onCalico, options, { workload: () => undefined, manifest: () => undefined, engine: (engine, result) => void (engine === 'kubernetes' && (chunked = result.verification)) });
  assert.deepEqual(chunked, verification);
});

test('the sides carry what a documented must rule naming the far workload requires (flowlogs-pipeline → loki: the NetObserv rule to the loki role, bound by discovery), never what an allow-all or a namespace-wide must rule covers', () => {
  const input = readRecommendationInput(db, {});
  const rec = recommend(input, recommendOptions({}));
  const pipeline = rec.sides.find((s) => s.workload === 'netobserv/Deployment/flowlogs-pipeline')!;
  const required = [...(pipeline.required?.egress ?? [])].filter(([, r]) => r.otherEnd).map(([e, r]) => `${e.server.kind === 'workload' ? e.server.workload.name : e.server.kind}:${e.port} ${r.rule}`);
  assert.ok(required.includes('loki:3100 netobserv/flowlogs-pipeline/egress/loki'), JSON.stringify(required));
  // StackLight's Prometheus documents "allow all egress" (must): it requires nothing of any one server.
  const prometheus = rec.sides.find((s) => s.workload === 'stacklight/StatefulSet/prometheus-server')!;
  assert.deepEqual([...(prometheus.required?.egress ?? [])].filter(([, r]) => r.otherEnd).map(([, r]) => r.rule).filter((r) => r.endsWith('/allow-all')), []);
  // Kyma's otlp-clients default to every pod of every namespace (namespaceSelector: {}): no requirement of any one client.
  const gateways = rec.sides.filter((s) => s.workload.startsWith('kyma-system/Deployment/telemetry-') && s.workload.endsWith('-gateway'));
  assert.ok(gateways.length > 0);
  assert.deepEqual(gateways.flatMap((g) => [...(g.required?.ingress ?? [])].filter(([, r]) => r.otherEnd).map(([, r]) => r.rule)).filter((r) => r.includes('otlp-clients')), []);
});
