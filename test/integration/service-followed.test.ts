/**
 * An edge whose flows came through a Service is followed through that Service as it is today.
 * Clients keep dialling the Service port; kube-proxy (or Cilium's socket LB) sends each connection
 * to an endpoint of the Service as it is then, on the target port the Service port maps to there:
 * ServicePort.targetPort "will be looked up as a named port in the target Pod's container ports"
 * (kubernetes.io "Service", "Port definitions"), and kube-proxy redirects "traffic to the Service's
 * clusterIP and port … to one of the Service's backend sets" (kubernetes.io "Virtual IPs and Service
 * Proxies"). What must stay open is the Service port the client dials, as the Service maps it today.
 *
 * Night A: Deployment shop/web declares `http` = 8080, Service web maps 80 → `targetPort: http`,
 * and cli calls 10.96.5.5:80 (NetObserv at the client's node, before the translation): the edge
 * cli → web:8080. Night B changes the Service's mapping, with no flow since:
 * - renamed: the container port is `{name: web, containerPort: 9090}` and the Service maps 80 → `web`;
 * - renumbered by number: `targetPort: 8080` → `targetPort: 9090`;
 * - canary: a second Deployment web-canary (`app=web, track=canary`, `http` = 9090) that the
 *   Service selects too.
 *
 * Before: every engine opened 8080 only on web's ingress and cli's egress (web-canary: deny all),
 * the verification said ok, and the Service's next connection was denied at 9090.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import { emitOptions, readRecommendationInput, recommendOptions, recommendWithWarnings, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES, getEngine } from '../../recommender/engines/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import { buildReport } from '../../reports/build.ts';
import { AFTER, CANARY, CLI_IP, CLUSTER_IP, deployment, FLOW_TIME, list, NIGHT_A, NIGHT_B, nextConnections, syn, WEB_A, WEB_B, webService, type Pod } from '../helpers/service-followed.ts';
import { tmpDb } from '../helpers/tmp.ts';

/** Night A of every case: web's `http` 8080, Service web 80 → `targetPort` (the name `http`, or the number 8080). */
const nightA = (targetPort: string | number = 'http') => list([...deployment('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }], WEB_A), ...webService(targetPort, [{ pod: WEB_A, port: 8080 }])]);

const CASES = {
  /** The rollout renamed the container port `web` = 9090, and the Service maps 80 → `web`. */
  renamed: { a: nightA(), b: list([...deployment('shop', 'web', { app: 'web' }, [{ name: 'web', containerPort: 9090 }], WEB_B), ...webService('web', [{ pod: WEB_B, port: 9090 }])]) },
  /** A numeric targetPort 8080 → 9090, the pods renumbered. */
  numeric: { a: nightA(8080), b: list([...deployment('shop', 'web', { app: 'web' }, [{ containerPort: 9090 }], WEB_B), ...webService(9090, [{ pod: WEB_B, port: 9090 }])]) },
  /** web-canary (app=web, track=canary; `http` 9090) joins the Service's backends; web is unchanged. */
  canary: {
    a: nightA(),
    b: list([
      ...deployment('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }], WEB_A),
      ...deployment('shop', 'web-canary', { app: 'web', track: 'canary' }, [{ name: 'http', containerPort: 9090 }], CANARY),
      ...webService('http', [{ pod: WEB_A, port: 8080 }, { pod: CANARY, port: 9090 }]),
    ]),
  },
};

/** Night A's inventory, cli's `record` ingested, night B's inventory: the store and each night's recommendation input. */
async function nights(c: { a: string; b: string }, record = syn(40010, CLUSTER_IP, 80)) {
  const { db } = tmpDb();
  importInventory(db, { text: c.a, takenAt: NIGHT_A, source: 'night-a.json', now: NIGHT_A });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record}\n`]) }], { format: 'auto', now: () => FLOW_TIME });
  assert.equal(summary.accepted, 1);
  const inputA = readRecommendationInput(db, {});
  importInventory(db, { text: c.b, takenAt: NIGHT_B, source: 'night-b.json', now: NIGHT_B });
  return { db, inputA, inputB: readRecommendationInput(db, {}) };
}

for (const [name, c] of Object.entries(CASES)) {
  test(`${name}: on every engine the recommendation is verified and the Service's next connection (cli → ${CLUSTER_IP}:80) is allowed`, async () => {
    const { db, inputB } = await nights(c);
    const verdicts = nextConnections(db, inputB, `${syn(40020, CLUSTER_IP, 80, AFTER)}\n`);
    for (const [engine, v] of verdicts) {
      assert.ok(v.length > 0, engine);
      assert.ok(v.every((x) => x.startsWith('allow ')), `${engine}: ${v.join(', ')}`);
      assert.ok(v.includes('allow 9090'), `${engine}: ${v.join(', ')}`);
    }
  });

  test(`${name}: night A's manifests judged against night B's cluster are blocked at 9090 (the verification judges the Service as it maps today)`, async () => {
    const { inputA, inputB } = await nights(c);
    for (const engine of ENGINE_NAMES) {
      const old = getEngine(engine).emit(recommendWithWarnings(inputA, recommendOptions({ now: FLOW_TIME }), { details: false }).policySet, emitOptions(inputA));
      const rec = recommendWithWarnings(inputB, recommendOptions({ now: AFTER }), { details: false });
      const v = verifyRecommendation({ engine, emitted: old, model: clusterModel(inputB.inventory, inputB.externalNames), applied: [], sides: rec.sides, simulator: SIMULATORS[engine], tightness: false });
      assert.equal(v.ok, false, engine);
      const at9090 = v.blocked.filter((b) => b.edge.endsWith('|9090|TCP'));
      assert.deepEqual(at9090.map((b) => b.direction).sort(), ['egress', 'ingress'], `${engine}: ${JSON.stringify(v.blocked)}`);
      for (const b of at9090) assert.match(b.reason, /through Service shop\/web:80, which sends to shop\/Deployment\/web(-canary)? on 9090 now/, engine);
    }
  });
}

test("canary: the Service's connection delivered to web-canary (10.244.0.13:9090) is allowed, and the rule's evidence says it came through Service shop/web:80", async () => {
  const { db, inputB } = await nights(CASES.canary);
  const verdicts = nextConnections(db, inputB, `${syn(40021, CANARY.ip, 9090, AFTER)}\n`);
  for (const [engine, v] of verdicts) assert.deepEqual(v, ['allow 9090'], engine);
  const { rec } = runRecommendation(inputB, 'kubernetes', recommendOptions({ now: AFTER }), { tightness: false });
  const canary = rec.workloads.find((w) => w.workload.name === 'web-canary')!;
  const ingress = canary.rules.filter((r) => r.direction === 'ingress' && r.ports.some((p) => p.kind === 'number' && p.port === 9090));
  assert.equal(ingress.length, 1, JSON.stringify(canary.rules));
  assert.match(ingress[0]!.evidence.notes.join(' '), /through Service shop\/web:80/);
  assert.match(ingress[0]!.evidence.edges.map((e) => e.followed?.note ?? '').join(' '), /through Service shop\/web:80/);
});

const OBSERVED_KEY = 'workload:client/Deployment/cli|workload:shop/Deployment/web|8080|TCP';
const FOLLOWED_KEY = 'workload:client/Deployment/cli|workload:shop/Deployment/web-canary|9090|TCP';

test("canary: recommend -o json marks web-canary's edge followed, with no id, counts or times of its own, and ids stay unique", async () => {
  const { inputB } = await nights(CASES.canary);
  const { rec, verification } = runRecommendation(inputB, 'kubernetes', recommendOptions({ now: AFTER }), { tightness: false });
  assert.equal(verification.ok, true);
  const observed = rec.workloads.flatMap((w) => w.observed);
  const source = observed.find((o) => o.key === OBSERVED_KEY)!;
  assert.equal(source.flows, 1);
  assert.equal(source.followed, undefined);
  const canary = rec.workloads.find((w) => w.workload.name === 'web-canary')!;
  assert.equal(canary.observed.length, 1);
  const followed = canary.observed[0]!;
  assert.equal(followed.key, FOLLOWED_KEY);
  assert.deepEqual(followed.followed, {
    through: 'shop/web:80',
    from: source.id,
    fromKey: OBSERVED_KEY,
    note: 'not in the flows itself: through Service shop/web:80, which sends to shop/Deployment/web-canary on 9090 now (the flows went to shop/Deployment/web on 8080)',
  });
  for (const field of ['id', 'flows', 'packets', 'bytes', 'forwarded', 'dropped', 'firstSeen', 'lastSeen', 'sources']) assert.equal(field in followed, false, field);
  // An id stands for one edge within the output: the followed edge borrows none.
  const keysById = new Map<number, Set<string>>();
  for (const o of [...observed, ...rec.workloads.flatMap((w) => w.rules.flatMap((r) => r.evidence.edges))]) if (o.id !== undefined) keysById.set(o.id, (keysById.get(o.id) ?? new Set()).add(o.key));
  for (const [id, keys] of keysById) assert.equal(keys.size, 1, `id ${id}: ${[...keys].join(', ')}`);
  // The rule opens it for the Service, and does not say it was observed.
  const rule = canary.rules.find((r) => r.direction === 'ingress' && r.ports.some((p) => p.kind === 'number' && p.port === 9090))!;
  assert.doesNotMatch(rule.text, /observed in the flows/);
  assert.match(rule.text, /through Service shop\/web:80/);
});

test("canary: the report keeps the observed edge's sides its own and counts no followed side as observed", async () => {
  const { db } = await nights(CASES.canary);
  const report = buildReport(gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, now: AFTER, matrices: {}, trigger: 'manual', generatedAt: AFTER }));
  assert.deepEqual(report.totals.edges, { undocumented: 2 });
  const item = report.attention.undocumented.find((e) => e.key === OBSERVED_KEY)!;
  assert.deepEqual(item.sides.map((s) => `${s.direction} of ${s.workload}`), ['egress of client/Deployment/cli', 'ingress of shop/Deployment/web']);
});

/** A matrix documenting cli -> web-canary:9090 at web-canary's ingress, a must rule. */
const CANARY_MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shop, title: Shop }
documents: { doc: { title: shop doc, file: shop.txt } }
components:
  canary:
    namespace: shop
    selector: { matchLabels: { app: web, track: canary } }
    ingress:
      - { id: from-cli, peer: { namespace: client, selector: { matchLabels: { app: cli } } }, ports: [{ port: 9090 }], level: must, purpose: shop requests, source: { document: doc, line: 1 } }
`;

test('canary: a documented rule only a followed edge falls under is not observed (documented-unobserved, not confirmed), and the Service stays open', async () => {
  const { db } = await nights(CASES.canary);
  applyMatrix(db, { text: CANARY_MATRIX, origin: 'shop.yaml', appliedAt: NIGHT_B });
  const input = readRecommendationInput(db, {});
  const { rec, verification } = runRecommendation(input, 'kubernetes', recommendOptions({ now: AFTER }), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  const canary = rec.workloads.find((w) => w.workload.name === 'web-canary')!;
  assert.deepEqual(canary.documented.map((r) => `${r.id} ${r.status}`), ['shop/canary/ingress/from-cli documented-unobserved']);
  assert.equal(canary.observed[0]!.followed?.fromKey, OBSERVED_KEY);
  for (const mode of ['observed', 'documented'] as const) {
    const other = runRecommendation(input, 'kubernetes', recommendOptions({ now: AFTER, mode }), { tightness: false });
    assert.equal(other.verification.ok, true, `${mode}: ${JSON.stringify(other.verification.blocked)}`);
  }
});

test('control: an edge not through a Service (cli dialled the pod 10.244.0.11:8080) is not followed: 8080 only, as before', async () => {
  const { inputB } = await nights(CASES.canary, syn(40010, WEB_A.ip, 8080));
  assert.deepEqual(inputB.edges.map((e) => `${e.port} ${e.throughService ?? '-'}`), ['8080 -']);
  const { verification, emitted } = runRecommendation(inputB, 'kubernetes', recommendOptions({ now: AFTER }), { tightness: false });
  assert.equal(verification.ok, true);
  const canary = emitted.manifests.find((m) => (m as { metadata: { name: string } }).metadata.name.includes('web-canary')) as { spec: { ingress?: unknown[] } };
  assert.equal(canary.spec.ingress, undefined, 'web-canary: deny all, as before');
});

/**
 * Hubble with Cilium's kube-proxy replacement records the connection after the Service's translation
 * (the backend web-aaa-1:8080) and names the Service: `destination_service` (cilium/cilium
 * api/v1/flow/flow.proto: "destination_service contains the service name of the destination").
 */
const hubbleSyn = (srcPort: number, pod: Pod, dstPort: number, time = FLOW_TIME): string =>
  JSON.stringify({
    flow: {
      time: new Date(time).toISOString(),
      verdict: 'FORWARDED',
      IP: { source: CLI_IP, destination: pod.ip, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: srcPort, destination_port: dstPort, flags: { SYN: true } } },
      source: { namespace: 'client', labels: ['k8s:app=cli'], pod_name: 'cli-ccc-1', workloads: [{ name: 'cli', kind: 'Deployment' }] },
      destination: { namespace: 'shop', labels: ['k8s:app=web'], pod_name: pod.name, workloads: [{ name: 'web', kind: 'Deployment' }] },
      Type: 'L3_L4',
      traffic_direction: 'EGRESS',
      is_reply: false,
      destination_service: { name: 'web', namespace: 'shop' },
    },
  });

test("canary, seen by Hubble after the translation (destination_service): the edge records Service shop/web:80, and the Service's connection to web-canary is allowed on every engine", async () => {
  const { db, inputB } = await nights(CASES.canary, hubbleSyn(40010, WEB_A, 8080));
  assert.deepEqual(inputB.edges.map((e) => `${e.port} ${e.throughService}`), ['8080 shop/web:80']);
  const verdicts = nextConnections(db, inputB, `${syn(40021, CANARY.ip, 9090, AFTER)}\n`);
  for (const [engine, v] of verdicts) assert.deepEqual(v, ['allow 9090'], engine);
});

test('an edge through a Service records the Service port it came through (migration 0051)', async () => {
  const { db, inputA } = await nights(CASES.canary);
  assert.deepEqual(inputA.edges.map((e) => `${e.port} ${e.throughService}`), ['8080 shop/web:80']);
  assert.deepEqual(db.prepare('SELECT through_service FROM edges').pluck().all(), ['shop/web:80']);
});

test('the Service gone: the observed port stays open, and a warning names the Service', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: CASES.canary.a, takenAt: NIGHT_A, source: 'night-a.json', now: NIGHT_A });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${syn(40010, CLUSTER_IP, 80)}\n`]) }], { format: 'auto', now: () => FLOW_TIME });
  const withoutService = JSON.parse(CASES.canary.a) as { items: { kind: string; metadata: { name: string } }[] };
  withoutService.items = withoutService.items.filter((i) => !(i.metadata.name === 'web' && i.kind === 'Service') && i.kind !== 'EndpointSlice' || i.metadata.name === 'kubernetes');
  importInventory(db, { text: JSON.stringify(withoutService), takenAt: NIGHT_B, source: 'night-b.json', now: NIGHT_B });
  const { rec, verification } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ now: AFTER }), { tightness: false });
  assert.equal(verification.ok, true);
  assert.ok(rec.warnings.some((w) => /Service shop\/web/.test(w) && /no longer in the inventory/.test(w)), JSON.stringify(rec.warnings));
});
