/**
 * No silent loss, on the ingest and store side: a failing batch commit stops the run and says exactly what
 * was committed (never an uncaught error, not even from the flush timer); counters saturate; a
 * bad row already stored never fails a read; edges can be deleted by filter and expire by age;
 * the edge caps fold external addresses into blocks; a recommendation over too many edges is
 * refused with 413.
 */
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import request from 'supertest';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { EdgeBudget } from '../../collectors/flows/edge-budget.ts';
import { FlowIngest } from '../../collectors/flows/pipeline.ts';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { SqliteBatchWriter, type BatchWriter } from '../../collectors/flows/write.ts';
import { MAX_COUNT } from '../../domain/flow.ts';
import { peerKey } from '../../domain/peer.ts';
import { createApp } from '../../server/app.ts';
import { startRetentionSchedule } from '../../server/services/retention.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { IngestRunStore } from '../../store/ingest-runs.ts';
import { readInventory } from '../../store/inventory.ts';
import { readResolutionData } from '../../store/inventory.ts';
import { applyRetention } from '../../store/retention.ts';
import { newSkippedRows } from '../../store/row-check.ts';
import { readAllEdges, readEdgeTraffic } from '../../store/recommend-read.ts';
import { runCli } from '../helpers/cli.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T0 = Date.UTC(2026, 10, 20, 12);
const WRITE = 'write-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';

function rec(i: number, over: Record<string, unknown> = {}): string {
  return JSON.stringify({ SrcAddr: '10.0.0.1', SrcPort: 40000, DstAddr: `10.1.${(i >> 8) & 255}.${i & 255}`, DstPort: 443, Proto: 6, TimeFlowEndMs: T0, Flags: 2, Packets: 1, Bytes: 10, ...over });
}

/**
 * An inventory of one workload, imported after the flows (so that they resolve as they did): a
 * recommendation needs a workload to recommend for (app/selection-check.ts requireWorkloads).
 */
function importShop(db: Db): void {
  const text = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web' }] }, status: { phase: 'Running', podIP: '10.0.0.200', startTime: '2026-11-01T00:00:00Z' } },
    ],
  });
  importInventory(db, { text, takenAt: Date.now(), source: 'shop.json', now: Date.now() });
}

/** A store that refuses every edge on port 4444, as a full disk or a corrupt page would refuse a batch. */
function poisonPort(db: Db): void {
  db.exec(`CREATE TRIGGER poison BEFORE INSERT ON edges WHEN NEW.port = 4444 BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
}

function pipeline(db: Db, writer: BatchWriter = new SqliteBatchWriter(db), extra: Partial<ConstructorParameters<typeof FlowIngest>[0]> = {}): FlowIngest {
  return new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(readResolutionData(db)), writer, batchSize: 100, ...extra });
}


test('a batch that fails twice stops the run: the summary and the run row say exactly what was committed, the batch is named', async () => {
  const { db } = tmpDb();
  poisonPort(db);
  const p = pipeline(db);
  const lines = Array.from({ length: 250 }, (_, i) => rec(i, i === 149 ? { DstPort: 4444 } : {}));
  const s = await p.ingest(Readable.from([lines.join('\n') + '\n']), 'poisoned.ndjson');
  assert.equal(s.status, 'failed');
  assert.deepEqual([s.records, s.accepted, s.uncommitted], [100, 100, 100], 'accepted counts only what was stored');
  assert.deepEqual(s.failedBatch, { batch: 2, firstLine: 101, lastLine: 200 });
  assert.match(s.error ?? '', /batch 2 of poisoned\.ndjson \(lines 101-200\) could not be committed, even after a retry: disk says no/);
  assert.equal(new EdgeStore(db).count(), 100, 'only the first batch is stored');
  const run = new IngestRunStore(db).get(s.run);
  assert.deepEqual([run?.status, run?.records, run?.accepted], ['failed', 100, 100]);
  assert.match(run?.error ?? '', /batch 2/);
  assert.equal(p.summary().accepted, 100);
  assert.equal(p.summary().edges, 100, 'edges of the failed batch are not counted');
});

test('a batch that fails once is retried and lands whole', async () => {
  const { db } = tmpDb();
  const inner = new SqliteBatchWriter(db);
  let failures = 0;
  const flaky: BatchWriter = {
    startRun: (s, f) => inner.startRun(s, f),
    commit: (batch, run, c, status) => {
      if (failures++ === 0) throw new Error('SQLITE_BUSY: database is locked');
      inner.commit(batch, run, c, status);
    },
  };
  const s = await pipeline(db, flaky).ingest(Readable.from([Array.from({ length: 50 }, (_, i) => rec(i)).join('\n') + '\n']), 'flaky');
  assert.deepEqual([s.status, s.accepted], ['done', 50]);
  assert.equal(new EdgeStore(db).count(), 50);
});

test('a store that cannot even start the run: the input is reported failed, nothing read, no throw', async () => {
  const { db } = tmpDb();
  const broken: BatchWriter = {
    startRun: () => {
      throw new Error('SQLITE_READONLY: attempt to write a readonly database');
    },
    commit: () => {},
  };
  const s = await pipeline(db, broken).ingest(Readable.from([`${rec(1)}\n`]), 'ro');
  assert.deepEqual([s.status, s.records, s.accepted], ['failed', 0, 0]);
  assert.match(s.error ?? '', /the store refused to start the run: SQLITE_READONLY/);
});

test('a commit failing in the flush timer of an open stream never escapes: the stream is ended, the run is failed', async () => {
  const { db } = tmpDb();
  poisonPort(db);
  const input = new PassThrough();
  const p = pipeline(db, undefined, { flushIntervalMs: 20, batchSize: 1_000 });
  const done = p.ingest(input, 'live');
  input.write(`${rec(1)}\n${rec(2, { DstPort: 4444 })}\n`);
  // The stream stays open: only the timer can flush, and its commit fails. (The flush timer is
  // unref'd, as a live stream's socket keeps the process alive; here a timer of the test does.)
  const keepAlive = setInterval(() => {}, 1_000);
  const s = await done;
  clearInterval(keepAlive);
  assert.equal(s.status, 'failed');
  assert.equal(s.accepted, 0);
  assert.match(s.error ?? '', /batch 1 of live/);
  assert.equal(input.destroyed, true);
});

test('over HTTP a failed commit answers 503 naming the batch and lines, with what was committed', async () => {
  const { db, path } = tmpDb();
  poisonPort(db);
  const { app } = createApp(testContext(db, path));
  const res = await request(app).post('/api/v1/flows?format=netobserv').type('application/x-ndjson').send(`${rec(1)}\n${rec(2, { DstPort: 4444 })}\n`).expect(503);
  assert.match(res.headers['content-type'] ?? '', /problem\+json/);
  assert.match(res.body.detail, /batch 1 of api:.* \(lines 1-2\) could not be committed/);
  assert.equal(res.body.summary.accepted, 0);
  assert.equal(res.body.errors[0].path, 'body lines 1-2');
  // The CLI stops with exit code 1 and says the same.
  const cli = await runCli(['ingest', '--db', path, '--format', 'netobserv', '-'], `${rec(1)}\n${rec(2, { DstPort: 4444 })}\n`);
  assert.equal(cli.code, 1);
  assert.match(cli.err, /batch 1 of - \(lines 1-2\) could not be committed/);
});

test('counters saturate at 2^53 - 1 across batches and runs instead of failing a batch', async () => {
  const { db } = tmpDb();
  const big = { Bytes: MAX_COUNT, Packets: '99999999999999999999' };
  for (let i = 0; i < 3; i++) {
    const s = await ingestFlows(db, [{ name: `r${i}`, open: () => Readable.from([`${rec(1, big)}\n${rec(1, big)}\n`]) }], { format: 'netobserv', batchSize: 1 });
    assert.deepEqual([s.accepted, s.saturated, s.inputs[0]?.status], [2, 2, 'done']);
  }
  const [e] = new EdgeStore(db).list();
  assert.deepEqual([e?.flows, e?.bytes, e?.packets], [6, MAX_COUNT, MAX_COUNT]);
  assert.equal(new IngestRunStore(db).list(1)[0]?.saturated, 2);
});

test('a bad row already stored is skipped, counted and reported by every read; it can be deleted by id', async () => {
  const { db, path } = tmpDb();
  await ingestFlows(db, [{ name: 'good', open: () => Readable.from([`${rec(1)}\n${rec(2)}\n`]) }], { format: 'netobserv' });
  const insert = db.prepare('INSERT INTO edges (client, server, port, protocol, first_seen, last_seen, flows, packets, bytes, forwarded, dropped, sources) VALUES (?, ?, ?, ?, ?, ?, 1, 1, 1, 0, 0, 1)');
  const bad = [
    ['workload:a/b/Deployment/x', 'external:10.0.0.9', 80, 'TCP', T0, T0],
    ['workload:shop/Deployment/</script>', 'external:10.0.0.9', 80, 'TCP', T0, T0],
    ['workload:shop/Deployment/web', 'external::::', 80, 'TCP', T0, T0],
    ['workload:shop/Deployment/web', 'external:10.0.0.9', 80, 'XYZ', T0, T0],
    ['workload:shop/Deployment/web', 'external:10.0.0.10', 80, 'TCP', T0, 9e15],
    ['node:Node_A', 'external:10.0.0.9', 0, 'TCP', T0, T0],
    // Port 0 is no TCP port (ICMP edges carry it): read, it failed every recommendation.
    ['workload:shop/Deployment/web', 'external:10.0.0.11', 0, 'TCP', T0, T0],
  ] as const;
  const ids = bad.map((b) => Number(insert.run(...b).lastInsertRowid));
  db.prepare('INSERT INTO ambiguous_pairs (peer_a, peer_b, protocol, port_a, port_b, first_seen, last_seen) VALUES (?, ?, ?, 1, 2, 0, 0)').run('garbage', 'external:10.0.0.1', 'TCP');

  const skipped = newSkippedRows();
  assert.equal(new EdgeStore(db).list({}, skipped).length, 2);
  assert.equal(skipped.count, bad.length);
  assert.deepEqual(skipped.examples.map((x) => x.id).sort(), [...ids].sort());
  const traffic = newSkippedRows();
  assert.equal(readEdgeTraffic(db, traffic).length, 2);
  assert.equal(traffic.count, bad.length);
  assert.equal(readAllEdges(db).length, 2);
  const amb = newSkippedRows();
  assert.equal(new EdgeStore(db).listAmbiguous(amb).length, 0);
  assert.equal(amb.count, 1);

  // This store has flows but no inventory: export says so (never silently empty), it does not trip on the bad rows.
  for (const engine of ['kubernetes', 'calico']) {
    const r = await runCli(['export', '--db', path, '--engine', engine]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /^flowmatrix: no inventory: run `flowmatrix inventory import FILE`/);
  }
  importShop(db);
  const { app } = createApp(testContext(db, path));
  const page = await request(app).get('/api/v1/edges').expect(200);
  assert.equal(page.body.items.length, 2);
  assert.equal(page.body.skipped.count, bad.length);
  for (const url of ['/api/v1/recommendations?engine=kubernetes', '/api/v1/drift?engine=cilium']) {
    const r = await request(app).get(url);
    assert.equal(r.status, 200, `${url}: ${r.text.slice(0, 300)}`);
  }
  // Reported, not silent: the recommendation and the report say what was left out.
  const leftOut = new RegExp(`^${bad.length} stored row\\(s\\) could not be read and were left out of this recommendation \\(edges `);
  const list = await request(app).get('/api/v1/recommendations?engine=kubernetes').expect(200);
  assert.ok((list.body.warnings as string[]).some((w) => leftOut.test(w)), JSON.stringify(list.body.warnings));
  const report = await request(app).post('/api/v1/reports').type('application/json').send('{}');
  assert.ok(report.status < 300, `report: ${report.status} ${report.text.slice(0, 300)}`);
  const stored = await request(app).get(report.headers.location as string).set('Accept', 'application/json').expect(200);
  assert.ok((stored.body.warnings as string[]).some((w) => leftOut.test(w)), JSON.stringify(stored.body.warnings));
  const cli = await runCli(['edges', '--db', path]);
  assert.equal(cli.code, 0);
  assert.match(cli.err, /7 stored edge row\(s\) could not be read and were left out: .*flowmatrix edges delete --id ID/);

  for (const id of ids) assert.deepEqual((await request(app).delete(`/api/v1/edges?id=${id}`).expect(200)).body, { deleted: 1 });
  assert.equal((await request(app).get('/api/v1/edges').expect(200)).body.skipped, undefined);
});

test('DELETE /api/v1/edges: the listing filters, write scope, and no filter (or filters in a body) is refused', async () => {
  const { db, path } = tmpDb();
  const meta = (ns: string, name: string) => ({ SrcK8S_Type: 'Pod', SrcK8S_Namespace: ns, SrcK8S_Name: `${name}-1`, SrcK8S_OwnerType: 'Deployment', SrcK8S_OwnerName: name });
  const body = [rec(1, meta('shop', 'web')), rec(2, meta('shop', 'api')), rec(3, meta('billing', 'api')), rec(4, { ...meta('billing', 'web'), TimeFlowEndMs: T0 - 86_400_000 })].join('\n');
  await ingestFlows(db, [{ name: 'x', open: () => Readable.from([`${body}\n`]) }], { format: 'netobserv' });
  const config = { tokens: [{ name: 'reader', secret: READ, scopes: ['read' as const] }, { name: 'writer', secret: WRITE, scopes: ['read' as const, 'write' as const] }] };
  const { app } = createApp(testContext(db, path, config));
  await request(app).delete('/api/v1/edges?namespace=shop').set('Authorization', `Bearer ${READ}`).expect(403);
  const none = await request(app).delete('/api/v1/edges').set('Authorization', `Bearer ${WRITE}`).expect(400);
  assert.match(none.body.detail, /say which edges to delete/);
  // Filters sent as a body are refused, not ignored.
  const inBody = await request(app).delete('/api/v1/edges').set('Authorization', `Bearer ${WRITE}`).send({ namespace: 'shop' }).expect(415);
  assert.match(inBody.body.detail, /^DELETE \/api\/v1\/edges takes no request body: its options are query parameters \(namespace, workload, since, before, id\)$/);
  assert.equal((await request(app).delete('/api/v1/edges?namespace=shop&workload=api').set('Authorization', `Bearer ${WRITE}`).expect(200)).body.deleted, 1);
  assert.equal((await request(app).delete(`/api/v1/edges?before=${new Date(T0 - 3_600_000).toISOString()}`).set('Authorization', `Bearer ${WRITE}`).expect(200)).body.deleted, 1);
  const left = new EdgeStore(db).list().map((e) => peerKey(e.client)).sort();
  assert.deepEqual(left, ['workload:billing/Deployment/api', 'workload:shop/Deployment/web']);
  // The CLI takes the same filters.
  const cli = await runCli(['edges', 'delete', '--db', path, '--namespace', 'billing']);
  assert.deepEqual([cli.code, cli.out.trim()], [0, '{"deleted":1}']);
  assert.equal((await runCli(['edges', 'delete', '--db', path])).code, 1, 'no filter: refused');
});

test('retention: buckets older than hourDays go, edges not seen for edgeDays go with their buckets; serve runs it on its schedule', async () => {
  const { db, path } = tmpDb();
  const day = 86_400_000;
  const now = Date.UTC(2026, 10, 21);
  const body = [rec(1, { TimeFlowEndMs: now - 100 * day }), rec(2, { TimeFlowEndMs: now - 40 * day }), rec(2, { TimeFlowEndMs: now - day })].join('\n');
  await ingestFlows(db, [{ name: 'x', open: () => Readable.from([`${body}\n`]) }], { format: 'netobserv', now: () => now });
  assert.equal((db.prepare('SELECT count(*) AS n FROM edge_hours').get() as { n: number }).n, 3);
  const pair = db.prepare("INSERT INTO metric_pairs (peer_a, peer_b, source, metric, lacks, first_seen, last_seen) VALUES ('workload:a/Deployment/x', ?, 'netobserv', 'netobserv_workload_flows_total', 'direction,port,protocol', ?, ?)");
  pair.run('workload:b/Deployment/old', now - 100 * day, now - 91 * day);
  pair.run('workload:b/Deployment/new', now - 100 * day, now - 89 * day);
  const r = applyRetention(db, { edgeDays: 90, hourDays: 35 }, now);
  assert.deepEqual([r.edges, r.hours], [1, 2], 'the 100-day-old edge (and its bucket) and the 40-day-old bucket');
  assert.equal(r.metricPairs, 1, 'the flow-metric pair last seen 91 days ago goes, the one seen 89 days ago stays');
  assert.deepEqual(db.prepare('SELECT peer_b FROM metric_pairs').pluck().all(), ['workload:b/Deployment/new']);
  assert.equal(new EdgeStore(db).count(), 1);
  assert.equal((db.prepare('SELECT count(*) AS n FROM edge_hours').get() as { n: number }).n, 1);
  const prune = await runCli(['edges', 'prune', '--db', path, '--edge-days', '0', '--hour-days', '0']);
  assert.equal(prune.code, 0);
  assert.equal(JSON.parse(prune.out).edges, 0, '0 keeps forever');
  // Retention is store-wide: a filter (the parent `edges` takes -n) is refused, never ignored while every namespace is pruned.
  const filtered = await runCli(['edges', 'prune', '-n', 'shop', '--db', path, '--edge-days', '1']);
  assert.equal(filtered.code, 1);
  assert.match(filtered.err, /edges prune applies retention to the whole store and takes no filter \(got --namespace\)/);
  assert.equal(new EdgeStore(db).count(), 1, 'nothing pruned');
  const ctx = testContext(db, path, { retention: { edgeDays: 1, hourDays: 0, historyDays: 0, runDays: 0, intervalMinutes: 60 } });
  const schedule = startRetentionSchedule({ ...ctx, now: () => now + 2 * day });
  await schedule.runOnce();
  schedule.stop();
  assert.equal(new EdgeStore(db).count(), 0);
});

test('edge caps: past them, external addresses fold into /24 blocks, then into 0.0.0.0/0; the stored edges count towards the cap; recommendations read the blocks', async () => {
  const { db, path } = tmpDb();
  const meta = { SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'shop', SrcK8S_Name: 'web-1', SrcK8S_OwnerType: 'Deployment', SrcK8S_OwnerName: 'web' };
  const lines = Array.from({ length: 3_000 }, (_, i) => rec(i, { ...meta, DstAddr: `198.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}` }));
  const caps = { maxEdgesPerWorkload: 50, maxEdgesPerRun: 10_000 };
  const s = await ingestFlows(db, [{ name: 'scan', open: () => Readable.from([`${lines.join('\n')}\n`]) }], { format: 'netobserv', caps });
  assert.equal(s.accepted, 3_000);
  const keys = new EdgeStore(db).list().map((e) => peerKey(e.server));
  assert.ok(keys.length <= 2 * caps.maxEdgesPerWorkload + 1, `${keys.length} edges`);
  assert.equal(keys.filter((k) => !k.includes('/')).length, 50, 'the first 50 addresses are kept as they are');
  assert.ok(keys.some((k) => k.endsWith('.0/24')), 'then /24 blocks');
  assert.ok(keys.includes('external:0.0.0.0/0'), 'then the whole family');
  assert.equal(s.folded, 3_000 - 50);
  assert.equal(new IngestRunStore(db).get(s.inputs[0]!.run)?.folded, 3_000 - 50);
  // A second run starts from what is stored: the workload is already past its cap.
  const again = await ingestFlows(db, [{ name: 'again', open: () => Readable.from([`${rec(9, { ...meta, DstAddr: '192.0.2.77' })}\n`]) }], { format: 'netobserv', caps });
  assert.equal(again.folded, 1);
  importShop(db);
  const { app } = createApp(testContext(db, path));
  const rec1 = await request(app).get('/api/v1/recommendations?engine=kubernetes&namespace=shop');
  assert.equal(rec1.status, 200, rec1.text.slice(0, 300));
  const edgesJson = (await request(app).get('/api/v1/edges?limit=1000').expect(200)).body.items as { server: string; folded?: boolean }[];
  assert.ok(edgesJson.filter((e) => e.server.includes('/')).every((e) => e.folded === true), 'a folded edge says so');
});

test('edge caps: workloads only flow records name cannot be folded, so past the caps their edges are refused and the records skipped as edge-cap; inventory workloads and addresses are not', async () => {
  // collectors/flows/edge-budget.ts: a stream of made-up owner names is as unbounded as an address scan.
  const { db } = tmpDb();
  const web = { SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'shop', SrcK8S_Name: 'web-1', SrcK8S_OwnerType: 'Deployment', SrcK8S_OwnerName: 'web' };
  const made = (i: number) => ({ DstK8S_Type: 'Pod', DstK8S_Namespace: 'shop', DstK8S_Name: `fake-${i}-1`, DstK8S_OwnerType: 'Deployment', DstK8S_OwnerName: `fake-${i}` });
  const lines = Array.from({ length: 300 }, (_, i) => rec(i, { ...web, ...made(i) }));
  const caps = { maxEdgesPerWorkload: 50, maxEdgesPerRun: 10_000 };
  const s = await ingestFlows(db, [{ name: 'names', open: () => Readable.from([`${lines.join('\n')}\n`]) }], { format: 'netobserv', caps });
  assert.equal(s.accepted, 50, 'the first 50 edges of web are kept');
  assert.equal(s.skipped, 250);
  assert.deepEqual(s.skips, { 'edge-cap': 250 });
  assert.equal(new EdgeStore(db).count(), 50);
  // An address far side still folds rather than being refused.
  const scan = await ingestFlows(db, [{ name: 'scan', open: () => Readable.from([`${rec(1, { ...web, DstAddr: '198.51.100.7' })}\n`]) }], { format: 'netobserv', caps });
  assert.deepEqual([scan.accepted, scan.folded], [1, 1]);
  // Workloads the inventory lists are bounded by it: never refused, whatever the caps.
  const budget = new EdgeBudget({ maxEdgesPerWorkload: 1, maxEdgesPerRun: 1 }, () => 0, (k) => k !== 'workload:shop/Deployment/fake-9');
  assert.ok(budget.admit('workload:shop/Deployment/web', 'workload:shop/Deployment/db', 5432, 'TCP'));
  assert.ok(budget.admit('workload:shop/Deployment/web', 'workload:shop/Deployment/cache', 6379, 'TCP'));
  assert.equal(budget.admit('workload:shop/Deployment/web', 'workload:shop/Deployment/fake-9', 80, 'TCP'), undefined);
});

test('edge caps hold for ambiguous pairs too: a scan whose client cannot be told folds its addresses into blocks, and the stored pairs count towards the cap', async () => {
  const { db } = tmpDb();
  const meta = { SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'shop', SrcK8S_Name: 'web-1', SrcK8S_OwnerType: 'Deployment', SrcK8S_OwnerName: 'web' };
  // 8080 → 9090 without a handshake, declared ports or a well-known port: ambiguous.
  const lines = Array.from({ length: 3_000 }, (_, i) => rec(i, { ...meta, Flags: 0, SrcPort: 8080, DstPort: 9090, DstAddr: `198.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}` }));
  const caps = { maxEdgesPerWorkload: 50, maxEdgesPerRun: 10_000 };
  const s = await ingestFlows(db, [{ name: 'scan', open: () => Readable.from([`${lines.join('\n')}\n`]) }], { format: 'netobserv', caps });
  assert.equal(s.ambiguous, 3_000);
  const pairs = () => new EdgeStore(db).listAmbiguous().map((p) => peerKey(p.peerA.kind === 'external' ? p.peerA : p.peerB));
  const first = pairs();
  assert.ok(first.length <= 2 * caps.maxEdgesPerWorkload + 1, `${first.length} pairs`);
  assert.equal(first.filter((k) => !k.includes('/')).length, 50, 'the first 50 addresses are kept as they are');
  assert.ok(first.includes('external:0.0.0.0/0'), 'then the whole family');
  // The next run starts from the stored pairs: a new address folds at once.
  await ingestFlows(db, [{ name: 'again', open: () => Readable.from([`${rec(1, { ...meta, Flags: 0, SrcPort: 8080, DstPort: 9090, DstAddr: '192.0.2.77' })}\n`]) }], { format: 'netobserv', caps });
  assert.ok(!pairs().includes('external:192.0.2.77'));
});

test('a recommendation over more stored edges than recommendations.maxEdges is refused with 413 and a reason, not read', async () => {
  const { db, path } = tmpDb();
  await ingestFlows(db, [{ name: 'x', open: () => Readable.from([`${rec(1)}\n${rec(2)}\n${rec(3)}\n`]) }], { format: 'netobserv' });
  importShop(db);
  const { app } = createApp(testContext(db, path, { maxRecommendEdges: 2 }));
  const r = await request(app).get('/api/v1/recommendations?engine=kubernetes').expect(413);
  assert.match(r.body.detail, /the store holds 3 edges, more than one recommendation reads \(2, recommendations\.maxEdges\)/);
  assert.ok(readInventory(db));
});
