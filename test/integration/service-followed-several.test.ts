/**
 * An edge reached through several Services keeps every Service port it came through, and each is
 * followed (recommender/follow-services.ts). Two Services selecting the same pods are common: a
 * ClusterIP Service and a metrics or headless one, an old and a new Service during a migration.
 *
 * Night A: Deployment shop/web declares `http` 8080; Service A `web` (10.96.5.5) maps 80 → `http`,
 * Service B `web-b` (10.96.5.6) maps 8080 → 8080; cli calls both ClusterIPs: one edge cli →
 * web:8080. Night B: B maps 8080 → 9090 (web declares 9090 too), A is unchanged.
 *
 * Before: only the first Service seen (A) was kept and followed; the rules kept 8080 alone, the
 * verification said ok with no warning, and cli's next connection through B (to 9090) was denied.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { MAX_THROUGH_SERVICES } from '../../domain/edge.ts';
import { AFTER, CLUSTER_IP, deployment, FLOW_TIME, list, NIGHT_A, NIGHT_B, nextConnections, shopService, syn, WEB_A, webService } from '../helpers/service-followed.ts';
import { tmpDb } from '../helpers/tmp.ts';

const B_IP = '10.96.5.6';

const NIGHT_A_LIST = list([...deployment('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }], WEB_A), ...webService('http', [{ pod: WEB_A, port: 8080 }]), ...shopService('web-b', B_IP, 8080, 8080, [{ pod: WEB_A, port: 8080 }])]);
const NIGHT_B_LIST = list([
  ...deployment('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }, { containerPort: 9090 }], WEB_A),
  ...webService('http', [{ pod: WEB_A, port: 8080 }]),
  ...shopService('web-b', B_IP, 8080, 9090, [{ pod: WEB_A, port: 9090 }]),
]);

/** Night A's inventory, each batch of cli's records ingested as its own run, night B's inventory (when given). */
async function store(batches: string[][], nightB: string | undefined = NIGHT_B_LIST, nightA = NIGHT_A_LIST) {
  const { db } = tmpDb();
  importInventory(db, { text: nightA, takenAt: NIGHT_A, source: 'night-a.json', now: NIGHT_A });
  for (const records of batches) {
    const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([records.map((r) => `${r}\n`).join('')]) }], { format: 'auto', now: () => FLOW_TIME });
    assert.equal(summary.accepted, records.length);
  }
  if (nightB !== undefined) importInventory(db, { text: nightB, takenAt: NIGHT_B, source: 'night-b.json', now: NIGHT_B });
  return db;
}

const THROUGH_A = syn(40010, CLUSTER_IP, 80, FLOW_TIME - 1000);
const THROUGH_B = syn(40011, B_IP, 8080);

for (const [how, batches] of [
  ['one window (the aggregator merges)', [[THROUGH_A, THROUGH_B]]],
  ['two runs, B first (the store merges)', [[THROUGH_B], [THROUGH_A]]],
] as const) {
  test(`${how}: the edge keeps both Service ports, sorted`, async () => {
    const db = await store(batches.map((b) => [...b]), undefined);
    assert.deepEqual(db.prepare('SELECT port, through_service FROM edges').raw(true).all(), [[8080, 'shop/web-b:8080,shop/web:80']]);
  });

  test(`${how}: B remapped 8080 → 9090: the recommendation opens 9090 too, and cli's next connection through B is allowed on every engine`, async () => {
    const db = await store(batches.map((b) => [...b]));
    const input = readRecommendationInput(db, {});
    const verdicts = nextConnections(db, input, `${syn(40020, B_IP, 8080, AFTER)}\n${syn(40021, CLUSTER_IP, 80, AFTER)}\n`);
    for (const [engine, v] of verdicts) assert.deepEqual(v, ['allow 8080', 'allow 9090'], engine);
    const { rec } = runRecommendation(input, 'kubernetes', recommendOptions({ now: AFTER }), { tightness: false });
    const web = rec.workloads.find((w) => w.workload.name === 'web')!;
    const followed = web.observed.filter((o) => o.followed !== undefined);
    assert.deepEqual(followed.map((o) => `${o.port} ${o.followed!.through}`), ['9090 shop/web-b:8080']);
  });
}

test('a single Service is stored as before: `namespace/name:port`', async () => {
  const db = await store([[THROUGH_A, syn(40012, CLUSTER_IP, 80)]], undefined);
  assert.deepEqual(db.prepare('SELECT through_service FROM edges').pluck().all(), ['shop/web:80']);
});

/** Services s0 … s(n-1) at 10.96.6.i, each mapping 80 → `http` on web. */
const manyServices = (n: number): unknown[] => Array.from({ length: n }, (_, i) => shopService(`s${i}`, `10.96.6.${i + 1}`, 80, 'http', [{ pod: WEB_A, port: 8080 }])).flat();

test(`cap: an edge keeps at most ${MAX_THROUGH_SERVICES} Service ports (the first in order), marked when more came, and the recommendation warns`, async () => {
  const n = MAX_THROUGH_SERVICES + 2;
  const cluster = list([...deployment('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }], WEB_A), ...manyServices(n)]);
  const records = Array.from({ length: n }, (_, i) => syn(41000 + i, `10.96.6.${i + 1}`, 80));
  const db = await store([records.slice(0, 5), records.slice(5)], cluster, cluster);
  const stored = db.prepare('SELECT through_service FROM edges').pluck().get() as string;
  const kept = Array.from({ length: n }, (_, i) => `shop/s${i}:80`).sort().slice(0, MAX_THROUGH_SERVICES);
  assert.equal(stored, `${kept.join(',')},+`);
  const input = readRecommendationInput(db, {});
  const { rec, verification } = runRecommendation(input, 'kubernetes', recommendOptions({ now: AFTER }), { tightness: false });
  assert.equal(verification.ok, true);
  assert.ok(rec.warnings.some((w) => w.includes(`more than ${MAX_THROUGH_SERVICES} Service ports`) && w.includes('client/Deployment/cli')), JSON.stringify(rec.warnings));
});

test('budget: followed edges count against recommendations.maxEdges; past it they are not followed, and a warning says how many', async () => {
  const db = await store([[THROUGH_A, THROUGH_B]]);
  const full = readRecommendationInput(db, {}, { maxEdges: 1 });
  const { rec, verification } = runRecommendation(full, 'kubernetes', recommendOptions({ now: AFTER }), { tightness: false });
  assert.equal(verification.ok, true);
  assert.deepEqual(rec.workloads.flatMap((w) => w.observed).filter((o) => o.followed !== undefined), []);
  assert.ok(rec.warnings.some((w) => /1 edge a Service leads a client to now was not followed/.test(w) && w.includes('recommendations.maxEdges') && w.includes('shop/web-b:8080')), JSON.stringify(rec.warnings));
  const room = readRecommendationInput(db, {}, { maxEdges: 2 });
  const other = runRecommendation(room, 'kubernetes', recommendOptions({ now: AFTER }), { tightness: false });
  assert.deepEqual([...new Set(other.rec.workloads.flatMap((w) => w.observed).filter((o) => o.followed !== undefined).map((o) => `${o.port} ${o.followed!.through}`))], ['9090 shop/web-b:8080']);
  assert.ok(!other.rec.warnings.some((w) => w.includes('not followed')), JSON.stringify(other.rec.warnings));
});
