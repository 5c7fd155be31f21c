/**
 * Retention of what only explains the past (store/retention.ts): the IP history and the ingest
 * runs grow with pod churn and with every upload, and every ingest reads the whole IP history
 * (store/inventory.ts readResolutionData). Once an interval is gone, a flow from its time must not
 * resolve to the address's later holder: it is skipped as `before-history`.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { peerKey } from '../../domain/peer.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { PeerResolver } from '../../collectors/prometheus/peers.ts';
import { FlowIngest } from '../../collectors/flows/pipeline.ts';
import { SqliteBatchWriter } from '../../collectors/flows/write.ts';
import { inventoriedNamespaces, readIntervals, readResolutionData } from '../../store/inventory.ts';
import { historyHorizon } from '../../store/ip-history-lookup.ts';
import { applyRetention, RETENTION_BATCH } from '../../store/retention.ts';
import { startRetentionSchedule } from '../../server/services/retention.ts';
import { runCli } from '../helpers/cli.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDb } from '../helpers/tmp.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1);
const IP = '10.244.1.5';

function pod(name: string, app: string, start: number): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app } },
    spec: { containers: [{ name: app, image: app }] },
    status: { phase: 'Running', podIP: IP, startTime: new Date(start).toISOString() },
  };
}

function importPods(db: Db, takenAt: number, pods: object[]): void {
  const items = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, ...pods];
  importInventory(db, { text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), takenAt, source: 'pods.json', now: takenAt });
}

/** `cart` held IP from T0 until day 10, then `pay` holds it. */
function reusedAddress(): { db: Db; path: string } {
  const store = tmpDb();
  importPods(store.db, T0 + DAY, [pod('cart-0', 'cart', T0)]);
  importPods(store.db, T0 + 10 * DAY, [pod('pay-0', 'pay', T0 + 10 * DAY)]);
  return store;
}

function flowFrom(time: number): string {
  return JSON.stringify({ SrcAddr: IP, SrcPort: 40000, DstAddr: '203.0.113.7', DstPort: 443, Proto: 6, TimeFlowEndMs: time, Flags: 2, Packets: 1, Bytes: 10 });
}

async function ingest(db: Db, lines: string[], now: number) {
  return ingestFlows(db, [{ name: 'flows.ndjson', open: () => Readable.from([`${lines.join('\n')}\n`]) }], { format: 'netobserv', now: () => now });
}

const clients = (db: Db): string[] => new EdgeStore(db).list().map((e) => peerKey(e.client)).sort();

test('retention deletes IP-history intervals that ended before the cut-off and keeps the cut-off: a flow from before it is skipped as before-history, never given to the address\'s next holder', async () => {
  const { db } = reusedAddress();
  const now = T0 + 30 * DAY;
  // Before retention, a late flow of day 2 is cart's (the interval that held day 2), one of day 20 is pay's.
  const before = await ingest(db, [flowFrom(T0 + 2 * DAY), flowFrom(T0 + 20 * DAY)], now);
  assert.deepEqual([before.accepted, before.skipped], [2, 0]);
  assert.deepEqual(clients(db), ['workload:shop/Pod/cart-0', 'workload:shop/Pod/pay-0']);

  const r = applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 15 }, now);
  assert.equal(r.intervals, 1, "cart's interval ended on day 10, before the cut-off of day 15");
  assert.equal(r.historyBefore, new Date(T0 + 15 * DAY).toISOString());
  assert.deepEqual(readIntervals(db).map((i) => i.peerKey), ['workload:shop/Pod/pay-0'], "pay's open interval stays");
  assert.equal(historyHorizon(db), T0 + 15 * DAY);

  db.prepare('DELETE FROM edges').run();
  const after = await ingest(db, [flowFrom(T0 + 2 * DAY), flowFrom(T0 + 20 * DAY)], now);
  assert.deepEqual([after.accepted, after.skipped, after.skips], [1, 1, { 'before-history': 1 }]);
  assert.deepEqual(clients(db), ['workload:shop/Pod/pay-0'], 'the day-2 flow is not stored as an unknown address or as pay');
});

test('the history horizon only moves forward, and a run with historyDays 0 keeps the history and the horizon', () => {
  const { db } = reusedAddress();
  applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 15 }, T0 + 30 * DAY);
  applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 25 }, T0 + 30 * DAY);
  assert.equal(historyHorizon(db), T0 + 15 * DAY, 'a longer historyDays set later cannot bring deleted intervals back');
  const kept = applyRetention(db, { edgeDays: 0, hourDays: 0 }, T0 + 300 * DAY);
  assert.equal(kept.intervals, 0);
  assert.equal(kept.historyBefore, undefined);
  assert.equal(historyHorizon(db), T0 + 15 * DAY);
});

test('retention deletes finished ingest runs (with the Idempotency-Key answers they keep) that ended before runDays, never a running one', () => {
  const { db } = tmpDb();
  const run = db.prepare('INSERT INTO ingest_runs (source, format, started_at, finished_at, status, summary) VALUES (?, ?, ?, ?, ?, ?)');
  run.run('api:key:old', 'netobserv', T0 - DAY, T0, 'done', '{"records":1}');
  run.run('api:req:left', 'netobserv', T0 - DAY, null, 'running', null);
  run.run('flows.ndjson', 'netobserv', T0 + 19 * DAY, T0 + 20 * DAY, 'failed', null);
  const r = applyRetention(db, { edgeDays: 0, hourDays: 0, runDays: 10 }, T0 + 25 * DAY);
  assert.equal(r.runs, 1, 'the run finished on day 0');
  assert.equal(r.runsBefore, new Date(T0 + 15 * DAY).toISOString());
  assert.deepEqual(db.prepare('SELECT source FROM ingest_runs ORDER BY id').pluck().all(), ['api:req:left', 'flows.ndjson'], 'the running run stays however old');
});

test('flowmatrix edges prune --history-days --run-days applies them once and prints the cut-offs', async () => {
  const { db, path } = reusedAddress();
  const now = Date.now();
  const out = await runCli(['edges', 'prune', '--db', path, '--history-days', '1', '--run-days', '1']);
  assert.equal(out.code, 0, out.err);
  const r = JSON.parse(out.out) as { intervals: number; historyBefore: string; runsBefore: string };
  assert.equal(r.intervals, 1);
  assert.ok(Date.parse(r.historyBefore) <= now - 86_400_000 + 60_000 && Date.parse(r.runsBefore) === Date.parse(r.historyBefore));
  db.close();
  const file = join(dirname(path), 'old.ndjson');
  writeFileSync(file, `${flowFrom(T0 + 2 * DAY)}\n`);
  const late = await runCli(['ingest', file, '--db', path, '--format', 'netobserv']);
  assert.equal(late.code, 0, late.err);
  assert.deepEqual(JSON.parse(late.out).skips, { 'before-history': 1 });
  assert.match(late.err, /warning: 1 flows are from before the IP history this store keeps \(retention\.historyDays deleted it\)/);
  const policies = join(dirname(path), 'deny.yaml');
  writeFileSync(policies, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Egress]}\n');
  const sim = await runCli(['simulate', '--engine', 'kubernetes', '--policies', policies, '--flows', file, '--db', path]);
  const [decision] = JSON.parse(sim.out) as { verdict: string; reason: string }[];
  assert.equal(decision!.verdict, 'unknown', 'never judged as the address\'s later holder');
  assert.match(decision!.reason, /^skipped: before-history/);
  const bad = await runCli(['edges', 'prune', '--db', path, '--edge-days', '0', '--history-days', 'soon']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--history-days must be a whole number of days \(0 keeps forever\), got "soon"/);
});

test('the Prometheus collector skips a series naming an address at a time before the kept IP history as before-history; names resolve as before', () => {
  const { db } = reusedAddress();
  applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 15 }, T0 + 30 * DAY);
  const data = readResolutionData(db);
  const peers = new PeerResolver(new ResolutionIndex(data), data.workloads);
  assert.deepEqual(peers.resolve({ kind: 'ip', ip: IP }, T0 + 2 * DAY), { reason: 'before-history', value: IP });
  const now = peers.resolve({ kind: 'ip', ip: IP }, T0 + 20 * DAY);
  assert.deepEqual(Array.isArray(now) ? now.map((s) => s.key) : now, ['workload:shop/Pod/pay-0']);
  const byName = peers.resolve({ kind: 'workload', namespace: 'shop', name: 'pay-0', workloadKind: 'Pod' }, T0 + 2 * DAY);
  assert.ok(Array.isArray(byName), 'a workload named by the series needs no IP history');
});

test('serve applies historyDays and runDays on its retention schedule, as configured', async () => {
  const { db, path } = reusedAddress();
  const ctx = testContext(db, path, { retention: { edgeDays: 0, hourDays: 0, historyDays: 15, runDays: 0, intervalMinutes: 60 } });
  const schedule = startRetentionSchedule({ ...ctx, now: () => T0 + 30 * DAY });
  await schedule.runOnce();
  schedule.stop();
  assert.deepEqual(readIntervals(db).map((i) => i.peerKey), ['workload:shop/Pod/pay-0']);
  assert.equal(historyHorizon(db), T0 + 15 * DAY);
});

test('a pass deletes a batch per transaction and serve lets its event loop turn between batches: the first pass on a store kept for a year held it 21 s', async () => {
  const { db, path } = tmpDb();
  const ins = db.prepare("INSERT INTO ip_history (ip, peer, node, host_network, valid_from, valid_to) VALUES (?, 'workload:ci/Pod/runner', 'n', 0, ?, ?)");
  const rows = 3 * RETENTION_BATCH + 5;
  db.transaction(() => {
    // 100 addresses, each held in turn: all but each address's latest interval go.
    for (let i = 0; i < rows; i++) ins.run(`10.9.0.${i % 100}`, T0 + i, T0 + i + 1);
  })();
  const count = (): number => db.prepare('SELECT count(*) AS n FROM ip_history').pluck().get() as number;
  const ctx = testContext(db, path, { retention: { edgeDays: 0, hourDays: 0, historyDays: 15, runDays: 0, intervalMinutes: 60 } });
  const schedule = startRetentionSchedule({ ...ctx, now: () => T0 + 30 * DAY });
  const pass = schedule.runOnce();
  let seen: number | undefined;
  setImmediate(() => (seen = count()));
  await pass;
  schedule.stop();
  assert.ok(seen !== undefined && seen > 0 && seen < rows, `the loop turned while rows were left (${seen} of ${rows})`);
  assert.equal(count(), 100, "each address's latest interval stays");
});

test('workloads gone since before the history cut-off and inventory imports taken before it go, but the last import and the last that said Cilium\'s settings stay', () => {
  const { db } = reusedAddress();
  const imp = db.prepare("INSERT INTO inventory_imports (taken_at, source, counts, cilium_cluster_name) VALUES (?, 'x', '{}', ?)");
  imp.run(T0 - 3 * DAY, 'east');
  imp.run(T0 - 2 * DAY, null);
  const r = applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 15 }, T0 + 30 * DAY);
  assert.equal(r.goneWorkloads, 1, 'cart-0, last listed on day 1');
  assert.deepEqual(db.prepare('SELECT name FROM workloads ORDER BY name').pluck().all(), ['pay-0']);
  assert.equal(r.inventoryImports, 2, 'the imports of day 1 and day -2; the one of day 10 is the last (by time), the one of day -3 said Cilium\'s cluster name');
  assert.deepEqual(db.prepare('SELECT taken_at FROM inventory_imports ORDER BY taken_at').pluck().all(), [T0 - 3 * DAY, T0 + 10 * DAY]);
});

test('an ingest running while a retention pass deletes intervals skips the flows before its cut-off instead of resolving them to no one', async () => {
  const { db } = reusedAddress();
  // Made before the pass, as a long-running ingest's pipeline is.
  const p = new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(readResolutionData(db)), writer: new SqliteBatchWriter(db) });
  applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 15 }, T0 + 30 * DAY);
  const s = await p.ingest(Readable.from([`${flowFrom(T0 + 2 * DAY)}\n${flowFrom(T0 + 20 * DAY)}\n`]), 'late.ndjson');
  assert.deepEqual([s.accepted, s.skipped], [1, 1], 'the day-2 flow skipped (before-history)');
  assert.deepEqual(clients(db), ['workload:shop/Pod/pay-0'], 'never unknown:10.244.1.5');
});

test('a gone workload stays while an interval of it is kept (it ended after the cut-off, or is its address\'s latest), and so does the last workload of a gone namespace', async () => {
  const { db } = tmpDb();
  importPods(db, T0 + DAY, [pod('cart-0', 'cart', T0), { ...pod('web-0', 'web', T0), status: { phase: 'Running', podIP: '10.244.1.6', startTime: new Date(T0).toISOString() } }]);
  // An import of a Service alone on day 3 lists no pod: it is not what left cart-0 out.
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop' }, spec: { selector: { app: 'cart' }, clusterIP: '10.96.0.20', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } };
  importInventory(db, { text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [service] }), takenAt: T0 + 3 * DAY, source: 'svc.json', now: T0 + 3 * DAY });
  importPods(db, T0 + 20 * DAY, [{ ...pod('web-0', 'web', T0), status: { phase: 'Running', podIP: '10.244.1.6', startTime: new Date(T0).toISOString() } }]);
  const r = applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 15 }, T0 + 30 * DAY);
  assert.equal(r.goneWorkloads, 0, 'cart-0 held its address until the import of day 20, after the cut-off of day 15');
  const s = await ingest(db, [flowFrom(T0 + 17 * DAY)], T0 + 30 * DAY);
  assert.deepEqual([s.accepted, s.skipped], [1, 0]);
  assert.deepEqual(clients(db), ['workload:shop/Pod/cart-0']);

  const gone = tmpDb().db;
  importPods(gone, T0 + DAY, [pod('cart-0', 'cart', T0), { ...pod('web-0', 'web', T0), status: { phase: 'Running', podIP: '10.244.1.6', startTime: new Date(T0).toISOString() } }]);
  // A later import whose pods are all elsewhere, on shop's addresses: shop's are gone from day 2, and their intervals are not their addresses' latest.
  const elsewhere = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'other', labels: { app: name } }, spec: { containers: [{ name: 'x', image: 'x' }] }, status: { phase: 'Running', podIP: ip, startTime: new Date(T0 + 2 * DAY).toISOString() } });
  importPods(gone, T0 + 2 * DAY, [elsewhere('x-0', IP), elsewhere('y-0', '10.244.1.6')]);
  const r2 = applyRetention(gone, { edgeDays: 0, hourDays: 0, historyDays: 15 }, T0 + 30 * DAY);
  assert.equal(r2.goneWorkloads, 1);
  assert.equal(gone.prepare("SELECT count(*) FROM workloads WHERE namespace = 'shop'").pluck().get(), 1, "one of shop's workloads stays: it dates the namespace's end");
  assert.equal(inventoriedNamespaces(gone).get('shop'), T0 + 2 * DAY, 'shop is still known gone since day 2, not a namespace the inventory never saw');
});

test("each address keeps its latest interval, however old: a later flow to it stays unknown, never an outside address a policy would open by its /32", async () => {
  const { db } = tmpDb();
  // No node, so no podCIDR says the address is the cluster's: only the history does.
  importPods(db, T0 + DAY, [pod('cart-0', 'cart', T0), { ...pod('web-0', 'web', T0), status: { phase: 'Running', podIP: '10.244.1.6', startTime: new Date(T0).toISOString() } }]);
  importPods(db, T0 + 5 * DAY, [{ ...pod('web-0', 'web', T0), status: { phase: 'Running', podIP: '10.244.1.6', startTime: new Date(T0).toISOString() } }]);
  const r = applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 15 }, T0 + 30 * DAY);
  assert.equal(r.intervals, 0, "cart-0's interval (day 0 to 5) is its address's latest");
  assert.equal(r.goneWorkloads, 0, 'and it names cart-0');
  const flow = JSON.stringify({ SrcAddr: '10.244.1.6', SrcPort: 40000, DstAddr: IP, DstPort: 8080, Proto: 6, TimeFlowEndMs: T0 + 20 * DAY, Flags: 2, Packets: 1, Bytes: 10 });
  await ingest(db, [flow], T0 + 30 * DAY);
  assert.deepEqual(new EdgeStore(db).list().map((e) => peerKey(e.server)), [`unknown:${IP}`]);
});

test('each ClusterIP keeps its latest gone Service, however old, and the older ones go: a later flow to it stays unknown, never an outside address', async () => {
  const { db } = tmpDb();
  const service = (name: string, ip: string, created: number) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'shop', creationTimestamp: new Date(created).toISOString() },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], selector: { app: name }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] },
  });
  // `lasting` in every import makes each one authoritative for Services; `a` then `b` hold 10.96.0.50 in turn.
  const lasting = service('lasting', '10.96.0.99', T0);
  const importServices = (takenAt: number, services: object[]) =>
    importInventory(db, { text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, lasting, ...services] }), takenAt, source: 'services.json', now: takenAt });
  importServices(T0, [service('a', '10.96.0.50', T0)]);
  importServices(T0 + DAY, []);
  importServices(T0 + 2 * DAY, [service('b', '10.96.0.50', T0 + 2 * DAY)]);
  importServices(T0 + 3 * DAY, []);
  const r = applyRetention(db, { edgeDays: 0, hourDays: 0, historyDays: 15 }, T0 + 30 * DAY);
  assert.equal(r.formerClusterIps, 1, "a's, not b's: the address's latest");
  const flow = JSON.stringify({ SrcAddr: '203.0.113.7', SrcPort: 40000, DstAddr: '10.96.0.50', DstPort: 80, Proto: 6, TimeFlowEndMs: T0 + 20 * DAY, Flags: 2, Packets: 1, Bytes: 10 });
  await ingest(db, [flow], T0 + 30 * DAY);
  assert.deepEqual(new EdgeStore(db).list().map((e) => peerKey(e.server)), ['unknown:10.96.0.50']);
});
