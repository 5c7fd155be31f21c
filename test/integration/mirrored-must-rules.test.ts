/**
 * A `must` rule is required at both of its ends. NetObserv's console plugin "queries AlertManager"
 * (seed 002, line 63: must); here the role alertmanager is bound to an Alertmanager no matrix
 * documents (the shop's `cart` pods stand in for it), and the demo never observed that query.
 * The plugin's egress kept it open, but the Alertmanager's policy, built from observations, had
 * no rule for it: the query was cut at the Alertmanager's end on every engine, while the verification (observed edges only) said ok and
 * the report "still allowed by the recommendation". Now the required end opens it too, from the
 * rule's owner on the rule's ports, explained by the rule — unless the peer's own matrix documents
 * that side itself, or is authoritative for it (then its list is complete, and says otherwise).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { tmpDb } from '../helpers/tmp.ts';

const { db } = tmpDb();
await loadDemo(db);
const input = readRecommendationInput(db, { bindings: { roles: { alertmanager: { namespace: 'shop', selector: { matchLabels: { app: 'cart' } } } } } });
const ALERTMANAGER = 'shop/deployment/cart';
const RULE = 'netobserv/console-plugin/egress/alertmanager';

test('the peer\'s end of an unobserved must rule gets a rule from the owner on its ports, explained by the rule', () => {
  const rec = recommend(input, recommendOptions({}));
  const intent = rec.policySet.intents.find((i) => i.key === ALERTMANAGER)!;
  const rules = intent.ingress.mode === 'rules' ? intent.ingress.rules : [];
  const mirrored = rules.find((r) => r.explanation.id.split(' ').includes(RULE));
  assert.ok(mirrored, JSON.stringify(rules.map((r) => r.explanation.id)));
  assert.ok(mirrored.peers.some((p) => p.kind === 'pods' && p.namespace === 'netobserv'), JSON.stringify(mirrored.peers));
  assert.ok(mirrored.ports.some((p) => p.kind === 'number' && p.port === 8080), JSON.stringify(mirrored.ports));
  assert.match(mirrored.explanation.text, /required at the other end by netobserv\/console-plugin \(egress\): open here too/);
});

test('on every engine the unobserved must flow is allowed at both ends', () => {
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.equal(verification.ok, true, engine);
    const model = clusterModel(input.inventory, input.externalNames);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    const pod = (ns: string, prefix: string) => model.cluster.pods.find((p) => p.namespace === ns && (p.name ?? '').startsWith(prefix))!;
    const v = sim.evaluate({ client: { kind: 'pod', pod: pod('netobserv', 'netobserv-plugin') }, server: { kind: 'pod', pod: pod('shop', 'cart') }, port: 8080, protocol: 'TCP' });
    assert.equal(v.verdict, 'allow', `${engine}: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
  }
});

test('not where the peer\'s own matrix is authoritative for that direction and does not document it: left closed, with a warning naming both', () => {
  // Bound to Kyma's telemetry-manager, whose ingress the Kyma matrix lists completely (model intended).
  const onManager = readRecommendationInput(db, { bindings: { roles: { alertmanager: { namespace: 'kyma-system', selector: { matchLabels: { 'app.kubernetes.io/name': 'manager' } } } } } });
  const rec = recommend(onManager, recommendOptions({ namespace: 'kyma-system', workload: 'Deployment/telemetry-manager' }));
  const intent = rec.policySet.intents.find((i) => i.key === 'kyma-system/deployment/telemetry-manager')!;
  const rules = intent.ingress.mode === 'rules' ? intent.ingress.rules : [];
  assert.ok(!rules.some((r) => r.explanation.id.split(' ').includes(RULE)));
  assert.ok(rec.workloads[0]!.warnings.some((w) => w.startsWith(`${RULE} (must: queries to AlertManager`) && /kyma-telemetry\/telemetry-manager is authoritative for ingress and does not document it: left closed, the matrices disagree/.test(w)), rec.workloads[0]!.warnings.join('\n'));
});

test('a role bound to a whole namespace: every workload there is the peer, and opens the must flow at its end (verified at both ends)', () => {
  const nsBound = readRecommendationInput(db, { bindings: { roles: { prometheus: { namespace: 'monitoring' } } } });
  const rec = recommend(nsBound, recommendOptions({}));
  const prom = rec.policySet.intents.filter((i) => i.namespace === 'monitoring' && i.layer === 'allowlist' && !i.key.endsWith('/exposed'));
  assert.ok(prom.length > 0);
  for (const intent of prom) {
    const rules = intent.egress.mode === 'rules' ? intent.egress.rules : [];
    assert.ok(rules.some((r) => r.explanation.id.split(' ').includes('netobserv/flowlogs-pipeline/ingress/prometheus-9401')), `${intent.key}: ${JSON.stringify(rules.map((r) => r.explanation.id))}`);
  }
  for (const engine of ENGINE_NAMES) assert.equal(runRecommendation(nsBound, engine, recommendOptions({}), { tightness: false }).verification.ok, true, engine);
});

test('a rule of the peer\'s own matrix naming the owner on other ports does not stand for the mirrored one (ports compared)', () => {
  // The console plugin is bound as flagger (the stage controller's gate client, 8082) and the
  // stage controller as loki (the plugin queries it on 3100): the plugin's own loki rule names the
  // controller, on 3100 only, so the gate flow on 8082 must still be opened at the plugin's end.
  const bound = readRecommendationInput(db, {
    bindings: { roles: { flagger: { namespace: 'netobserv', selector: { matchLabels: { app: 'netobserv-plugin' } } }, loki: { namespace: 'progressive-delivery', selector: { matchLabels: { 'app.kubernetes.io/name': 'stage-controller' } }, ports: [{ port: 3100 }] } } },
  });
  const rec = recommend(bound, recommendOptions({}));
  const plugin = rec.policySet.intents.find((i) => i.key === 'netobserv/deployment/netobserv-plugin')!;
  const rules = plugin.egress.mode === 'rules' ? plugin.egress.rules : [];
  assert.ok(rules.some((r) => r.explanation.id.split(' ').includes('progressive-delivery/controller/ingress/gate')), JSON.stringify(rules.map((r) => r.explanation.id)));
  // Binding the stage controller as loki puts must flows toward it that its authoritative ingress
  // leaves closed: those are blocked (the matrices disagree); nothing else is.
  const { blocked } = runRecommendation(bound, 'kubernetes', recommendOptions({}), { tightness: false }).verification;
  assert.deepEqual(blocked.filter((b) => !/the matrices disagree: document it in /.test(b.reason)), []);
});

test('a mirrored rule whose flow was observed at this end is confirmed, with those edges as its evidence, themselves confirmed by that rule (not "undocumented" beside the rule it cites)', () => {
  const rec = recommend(input, recommendOptions({ namespace: 'flagger-system' }));
  const flagger = rec.policySet.intents.find((i) => i.key === 'flagger-system/deployment/flagger')!;
  const rules = flagger.egress.mode === 'rules' ? flagger.egress.rules : [];
  const gate = rules.find((r) => r.explanation.id.split(' ').includes('progressive-delivery/controller/ingress/gate'));
  assert.ok(gate, JSON.stringify(rules.map((r) => r.explanation.id)));
  assert.equal(gate.explanation.status, 'confirmed');
  assert.match(gate.explanation.text, /observed in the flows/);
  // Its evidence edges say so too: documented (by the rule at their other end), not undocumented.
  const observed = rec.workloads.find((w) => w.workload.name === 'flagger')!.observed.filter((e) => e.rules.includes('progressive-delivery/controller/ingress/gate'));
  assert.ok(observed.length > 0, 'the gate flow is observed at this end');
  assert.ok(observed.every((e) => e.status === 'confirmed'), JSON.stringify(observed.map((e) => [e.status, e.rules])));
  // Whether an edge is documented does not depend on the mode (observed renders no documented rule; documented gives flagger no policy).
  for (const mode of ['observed', 'documented'] as const) {
    const other = recommend(input, recommendOptions({ namespace: 'flagger-system', mode }));
    const edges = other.workloads.find((w) => w.workload.name === 'flagger')!.observed.filter((e) => e.rules.includes('progressive-delivery/controller/ingress/gate'));
    assert.deepEqual(edges.map((e) => e.status), observed.map(() => 'confirmed'), mode);
  }
});

test('a namespace binding holding host-network workloads: those speak from their node and are no pod peer — the verification does not require pod-network flows from them (nothing blocked on any engine but where the matrices disagree)', () => {
  // StackLight's namespace holds the host-network node-exporter.
  const nsBound = readRecommendationInput(db, { bindings: { roles: { prometheus: { namespace: 'stacklight' } } } });
  for (const engine of ENGINE_NAMES) {
    const v = runRecommendation(nsBound, engine, recommendOptions({}), { tightness: false }).verification;
    assert.deepEqual(v.blocked.map((b) => b.edge).filter((e) => e.includes('node-exporter')), [], engine);
    // What is blocked is what the matrices disagree on (a must flow toward a peer whose authoritative matrix leaves it closed).
    assert.deepEqual(v.blocked.filter((b) => !/the matrices disagree: document it in /.test(b.reason)), [], engine);
  }
});

test('each workload of a role opens the ports it serves, not the union of the role\'s ports', () => {
  const bound = readRecommendationInput(db, { bindings: { roles: { prometheus: { namespace: 'shop', selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['redis', 'postgres'] }] } } } } });
  const rec = recommend(bound, recommendOptions({ namespace: 'shop' }));
  const portsFrom = (key: string, rule: string): number[] => {
    const intent = rec.policySet.intents.find((i) => i.key === key)!;
    const rules = intent.ingress.mode === 'rules' ? intent.ingress.rules : [];
    return rules.filter((r) => r.explanation.id.split(' ').includes(rule)).flatMap((r) => r.ports.flatMap((p) => (p.kind === 'number' ? [p.port] : [])));
  };
  assert.deepEqual(portsFrom('shop/statefulset/redis', 'netobserv/console-plugin/egress/prometheus'), [6379]);
  assert.deepEqual(portsFrom('shop/statefulset/postgres', 'netobserv/console-plugin/egress/prometheus'), [5432]);
});

test('ports the binding names are never narrowed: a workload of the role opens them all (a containerPort list is informational), and the must flow passes at both ends', () => {
  const bound = readRecommendationInput(db, { bindings: { roles: { prometheus: { namespace: 'shop', selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['redis', 'frontend'] }] }, ports: [{ port: 6379 }, { port: 9121 }] } } } });
  const rec = recommend(bound, recommendOptions({ namespace: 'shop' }));
  const intent = rec.policySet.intents.find((i) => i.key === 'shop/statefulset/redis')!;
  const rules = intent.ingress.mode === 'rules' ? intent.ingress.rules : [];
  const ports = rules.filter((r) => r.explanation.id.split(' ').includes('netobserv/console-plugin/egress/prometheus')).flatMap((r) => r.ports.flatMap((p) => (p.kind === 'number' ? [p.port] : [])));
  assert.deepEqual(ports.sort((a, b) => a - b), [6379, 9121]);
  for (const engine of ENGINE_NAMES) assert.equal(runRecommendation(bound, engine, recommendOptions({}), { tightness: false }).verification.ok, true, engine);
});

test('a role bound to host-network pods is rendered as their nodes (a pod selector never matches them), and its must flows pass at both ends on every engine', () => {
  const bound = readRecommendationInput(db, { bindings: { roles: { prometheus: { namespace: 'stacklight', selector: { matchLabels: { app: 'prometheus-node-exporter' } } } } } });
  const prom = bound.matrices.find((m) => m.name === 'netobserv')!.roles.find((r) => r.role === 'prometheus')!;
  assert.equal(prom.peers[0]?.kind === 'pods' && prom.peers[0].hostNetwork, true);
  for (const engine of ENGINE_NAMES) assert.equal(runRecommendation(bound, engine, recommendOptions({}), { tightness: false }).verification.ok, true, engine);
  const model = clusterModel(bound.inventory, bound.externalNames);
  const exporter = model.cluster.pods.find((p) => p.namespace === 'stacklight' && (p.name ?? '').startsWith('prometheus-node-exporter'))!;
  const pipeline = model.cluster.pods.find((p) => p.namespace === 'netobserv' && (p.name ?? '').startsWith('flowlogs-pipeline'))!;
  for (const engine of ENGINE_NAMES) {
    const { emitted } = runRecommendation(bound, engine, recommendOptions({}), { tightness: false });
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    const v = sim.evaluate({ client: { kind: 'pod', pod: exporter }, server: { kind: 'pod', pod: pipeline }, port: 9401, protocol: 'TCP' });
    assert.equal(v.ingress.allowed, true, `${engine}: ${v.ingress.reason}`);
  }
});

test('a role bound to a whole namespace takes the Services\' ports of that namespace (docs/matrices.md: "never every port"), and each workload opens its own', () => {
  const bound = readRecommendationInput(db, { bindings: { roles: { prometheus: { namespace: 'shop' } } } });
  const prom = bound.matrices.find((m) => m.name === 'netobserv')!.roles.find((r) => r.role === 'prometheus')!;
  assert.ok((prom.servicePorts ?? []).length > 0, JSON.stringify(prom));
  const rec = recommend(bound, recommendOptions({ namespace: 'shop' }));
  const intent = rec.policySet.intents.find((i) => i.key === 'shop/statefulset/redis')!;
  const rules = intent.ingress.mode === 'rules' ? intent.ingress.rules : [];
  const mirrored = rules.filter((r) => r.explanation.id.split(' ').includes('netobserv/console-plugin/egress/prometheus'));
  assert.deepEqual(mirrored.flatMap((r) => r.ports.map((p) => (p.kind === 'number' ? String(p.port) : p.kind))), ['6379']);
});

test('mode documented under --default-deny: a workload only another component\'s must rule names (NetObserv\'s Loki, seed 002 lines 52–53, 65–66) gets the rules required at its end on top of the namespace layer, and the must flows pass on every engine; without it, no policy as before', () => {
  const model = clusterModel(input.inventory, input.externalNames);
  const pod = (ns: string, prefix: string) => model.cluster.pods.find((p) => p.namespace === ns && (p.name ?? '').startsWith(prefix))!;
  const rec = recommend(input, recommendOptions({ mode: 'documented', defaultDeny: true }));
  const loki = rec.policySet.intents.find((i) => i.key === 'netobserv/statefulset/loki');
  assert.ok(loki, 'Loki gets a policy');
  assert.equal(loki.egress.mode, 'none', 'its own egress is documented nowhere: not restricted by this policy');
  // A workload nothing documents, not even at another end, gets no rule, and the namespace layer isolates it: said.
  const ksc = rec.workloads.find((w) => w.workload.name === 'kustomize-controller')!;
  assert.match(ksc.warnings.join('\n'), /no matrix documents it, so mode documented gives it no rule, and --default-deny isolates it: its \d+ observed edge side\(s\) are cut/);
  assert.match(ksc.summary, /the namespace default-deny isolates it/);
  // A namespace where nothing gets a policy gets no layer (analytics): its workloads are not said to be isolated.
  assert.ok(!rec.policySet.intents.some((i) => i.namespace === 'analytics'), 'no policy in analytics');
  const builder = rec.workloads.find((w) => w.workload.namespace === 'analytics' && w.workload.name === 'report-builder')!;
  assert.doesNotMatch(builder.summary, /isolates/, builder.summary);
  assert.doesNotMatch(builder.warnings.join('\n'), /isolates/);
  // One that gets the rules required at its end has the rest of what it was seen doing cut by the layer all the same: said too (docs/recommend.md, --mode).
  const sc = rec.workloads.find((w) => w.workload.name === 'source-controller')!;
  assert.ok(rec.policySet.intents.some((i) => i.key === 'flux-system/deployment/source-controller'), 'source-controller gets the rules required at its end');
  const said = /no matrix documents it: mode documented gives it only the rules other components' must rules require at its end, and --default-deny isolates it otherwise: (\d+) other observed edge side\(s\) of it are cut/.exec(sc.warnings.join('\n'));
  assert.ok(said, sc.warnings.join('\n'));
  // The figure is what the simulation of the manifests denies of it (its DNS and apiserver edges stay allowed).
  const { verification } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'documented', defaultDeny: true }), { tightness: false });
  assert.equal(Number(said[1]), verification.denied.filter((f) => f.workload === 'flux-system/Deployment/source-controller').length);
  // Without the default-deny nothing isolates such a workload: it gets no policy, none of its traffic is cut (Flux's source-controller, only named by the stage controller's rule).
  const open = recommend(input, recommendOptions({ mode: 'documented' }));
  assert.equal(open.policySet.intents.some((i) => i.key === 'netobserv/statefulset/loki' || i.key === 'flux-system/deployment/source-controller'), false);
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ mode: 'documented', defaultDeny: true }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked.slice(0, 2))}`);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const client of ['flowlogs-pipeline', 'netobserv-plugin']) {
      const v = sim.evaluate({ client: { kind: 'pod', pod: pod('netobserv', client) }, server: { kind: 'pod', pod: pod('netobserv', 'loki') }, port: 3100, protocol: 'TCP' });
      assert.equal(v.verdict, 'allow', `${engine} ${client} → loki: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
    }
  }
});

// A direction no matrix speaks about in mode documented: test/integration/documented-silent-direction.test.ts.

test('mode observed: a must rule nothing observed yet (the console plugin querying Alertmanager, seed 002 line 63) is cut, and the workload\'s warning says so', () => {
  const rec = recommend(input, recommendOptions({ mode: 'observed', namespace: 'netobserv' }));
  const plugin = rec.workloads.find((w) => w.workload.name === 'netobserv-plugin')!;
  assert.ok(plugin.warnings.some((w) => w.startsWith(`${RULE} (must: `) && w.includes('is not observed, and mode observed renders observed edges only: that egress flow gets no rule of its own, and the verification fails where the output cuts it')), plugin.warnings.join('\n'));
  // Seen long ago only (its edges stale): cut all the same, and said so.
  const later = recommend(input, recommendOptions({ mode: 'observed', namespace: 'netobserv', now: Date.parse('2027-02-01T00:00:00Z') }));
  const pipeline = later.workloads.find((w) => w.workload.name === 'flowlogs-pipeline')!;
  assert.ok(pipeline.warnings.some((w) => w.startsWith('netobserv/flowlogs-pipeline/egress/loki (must: ') && w.includes('is not observed lately (its edges are stale)')), pipeline.warnings.join('\n'));
  const union = recommend(input, recommendOptions({ namespace: 'netobserv' }));
  assert.ok(!union.workloads.find((w) => w.workload.name === 'netobserv-plugin')!.warnings.some((w) => w.includes('mode observed')));
});

test('--shared in mode documented: a namespace where some workloads get no policy gets no shared one, and the warning says why without speaking of a selection nobody made', () => {
  const rec = recommend(input, recommendOptions({ mode: 'documented', shared: true, defaultDeny: true }));
  const said = rec.warnings.find((w) => w.startsWith('--shared: ') && w.includes('namespace flux-system'));
  assert.match(said ?? '', /^--shared: only 1 of the 2 workloads of namespace flux-system get a policy in this run \(the selection, or workloads no policy is recommended for: mode documented, no labels\): no shared policy$/);
});
