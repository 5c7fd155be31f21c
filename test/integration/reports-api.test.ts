import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import request from 'supertest';
import { startReportSchedule } from '../../server/services/reports.ts';
import type { CronFactory } from '../../reports/schedule.ts';
import { createApp } from '../../server/app.ts';
import { configFor } from '../../server/config/load.ts';
import type { ServiceContext } from '../../server/context.ts';
import { ServiceMetrics } from '../../server/metrics.ts';
import { openDb } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';

const READ = 'read-token-0123456789abcdef';
const WRITE = 'write-token-0123456789abcdef';
const dbPath = await demoDb();
const db = openDb(dbPath);
const CLOCK = Date.UTC(2026, 10, 21, 2, 0, 0);

function context(reports: Partial<ServiceContext['config']['reports']> = {}): ServiceContext {
  const base = configFor({ dbPath });
  const config = configFor({
    dbPath,
    tokens: [
      { name: 'reader', secret: READ, scopes: ['read'] },
      { name: 'writer', secret: WRITE, scopes: ['read', 'write'] },
    ],
    reports: { ...base.reports, retention: 3, ...reports },
  });
  return { db, config, metrics: new ServiceMetrics(() => 0, { defaultMetrics: false }), logger: pino({ level: 'silent' }), version: 'test', collectors: () => [], draining: false, now: () => CLOCK };
}

const ctx = context();
const { app, document } = createApp(ctx);
const R = `Bearer ${READ}`;
const W = `Bearer ${WRITE}`;

test('POST /api/v1/reports needs the write scope', async () => {
  await request(app).post('/api/v1/reports').expect(401).expect('Content-Type', /application\/problem\+json/);
  const forbidden = await request(app).post('/api/v1/reports').set('Authorization', R).expect(403);
  assert.equal(forbidden.body.type, 'https://flowmatrix.io/problems/forbidden');
});

test('POST builds and stores a report; GET lists it and serves it as JSON, Markdown or HTML by Accept', async () => {
  const created = await request(app).post('/api/v1/reports').set('Authorization', W).expect(201);
  const id = created.body.id as number;
  assert.equal(created.headers.location, `/api/v1/reports/${id}`);
  assert.equal(created.body.trigger, 'manual');
  assert.equal(created.body.engine, 'kubernetes');
  assert.equal(created.body.createdAt, '2026-11-21T02:00:00.000Z');
  assert.equal(created.body.headline.violations, 3); // the self-monitor scraping the manager's 8080 and Fluent Bit's 2021 (seed 001 lines 27, 30), the metric agent's OTLP push to the metric gateway (lines 18, 23)
  assert.equal(created.body.headline.dropped, 1);

  const list = await request(app).get('/api/v1/reports').set('Authorization', R).expect(200);
  assert.equal(list.body.items[0].id, id);
  assert.equal(list.body.items[0].links.html, `/api/v1/reports/${id}?format=html`);

  const json = await request(app).get(`/api/v1/reports/${id}`).set('Authorization', R).expect(200).expect('Content-Type', /^application\/json/);
  assert.equal(json.body.id, id);
  assert.equal(json.body.schemaVersion, 1);
  assert.ok(json.body.attention.undocumented.some((e: { key: string }) => e.key === 'workload:tools/Pod/netshoot|external:192.0.2.44|4444|TCP'));
  assert.equal(json.headers.vary, 'Accept');

  const md = await request(app).get(`/api/v1/reports/${id}`).set('Authorization', R).set('Accept', 'text/markdown').expect(200).expect('Content-Type', /^text\/markdown; charset=utf-8/);
  assert.ok(md.text.startsWith('# flowmatrix report — data as of 2026-11-20 23:59:17Z\n'));
  assert.ok(md.text.includes('Generated 2026-11-21 02:00:00Z (manual)'));

  const html = await request(app).get(`/api/v1/reports/${id}`).set('Authorization', R).set('Accept', 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8').expect(200).expect('Content-Type', /^text\/html/);
  assert.ok(html.text.startsWith('<!DOCTYPE html>'));
  assert.equal(html.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'");

  const viaQuery = await request(app).get(`/api/v1/reports/${id}?format=markdown`).set('Authorization', R).set('Accept', 'application/json').expect(200);
  assert.equal(viaQuery.text, md.text);
  await request(app).get(`/api/v1/reports/${id}`).set('Authorization', R).set('Accept', 'text/*').expect('Content-Type', /^text\/markdown/);
});

test('POST ?staleDays= builds the report with that staleness, as report --stale-days; out of range is a 400 naming the parameter', async () => {
  const created = await request(app).post('/api/v1/reports?staleDays=7').set('Authorization', W).expect(201);
  const json = await request(app).get(`/api/v1/reports/${created.body.id}`).set('Authorization', R).expect(200);
  assert.equal(json.body.options.staleDays, 7);
  const byDefault = await request(app).post('/api/v1/reports').set('Authorization', W).expect(201);
  assert.notEqual((await request(app).get(`/api/v1/reports/${byDefault.body.id}`).set('Authorization', R).expect(200)).body.options.staleDays, 7);
  const bad = await request(app).post('/api/v1/reports?staleDays=0').set('Authorization', W).expect(400);
  assert.match(JSON.stringify(bad.body), /staleDays/);
});

test('406 for an Accept no format satisfies; 404 for an unknown id; 400 for a malformed one', async () => {
  const created = await request(app).post('/api/v1/reports').set('Authorization', W).expect(201);
  const r = await request(app).get(`/api/v1/reports/${created.body.id}`).set('Authorization', R).set('Accept', 'application/pdf').expect(406);
  assert.equal(r.body.type, 'https://flowmatrix.io/problems/not-acceptable');
  assert.match(r.body.detail, /application\/json, text\/markdown, text\/html/);
  const nf = await request(app).get('/api/v1/reports/999999').set('Authorization', R).expect(404).expect('Content-Type', /application\/problem\+json/);
  assert.match(nf.body.detail, /no report 999999/);
  await request(app).get('/api/v1/reports/abc').set('Authorization', R).expect(400);
  await request(app).get('/api/v1/reports').expect(401);
});

test('options as query parameters; retention keeps the newest; pages are keyset-based', async () => {
  const cilium = await request(app).post('/api/v1/reports?engine=cilium&namespace=shop').set('Authorization', W).expect(201);
  assert.equal(cilium.body.engine, 'cilium');
  const full = await request(app).get(`/api/v1/reports/${cilium.body.id}`).set('Authorization', R).expect(200);
  assert.equal(full.body.options.namespace, 'shop');
  await request(app).post('/api/v1/reports?engine=iptables').set('Authorization', W).expect(400);
  for (let i = 0; i < 3; i++) await request(app).post('/api/v1/reports').set('Authorization', W).expect(201);
  const all = await request(app).get('/api/v1/reports').set('Authorization', R).expect(200);
  assert.equal(all.body.items.length, 3, 'reports.retention = 3');
  const ids = all.body.items.map((i: { id: number }) => i.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  const p1 = await request(app).get('/api/v1/reports?limit=2').set('Authorization', R).expect(200);
  const p2 = await request(app).get(`/api/v1/reports?limit=2&cursor=${p1.body.next}`).set('Authorization', R).expect(200);
  assert.deepEqual([...p1.body.items, ...p2.body.items].map((i: { id: number }) => i.id), ids);
  assert.equal(p2.body.next, undefined);
});

test('options sent as a body are refused (415 naming the query parameters), not ignored: nothing is built', async () => {
  const before = (await request(app).get('/api/v1/reports?limit=100').set('Authorization', R).expect(200)).body.items;
  const r = await request(app).post('/api/v1/reports').set('Authorization', W).send({ engine: 'cilium' }).expect(415);
  assert.equal(r.type, 'application/problem+json');
  assert.equal(r.body.detail, 'POST /api/v1/reports takes no request body: its options are query parameters (engine, mode, egress, shared, defaultDeny, namespace, staleDays, now)');
  assert.equal(r.body.errors[0].path, 'body');
  assert.deepEqual((await request(app).get('/api/v1/reports?limit=100').set('Authorization', R).expect(200)).body.items, before);
  await request(app).post('/api/v1/reports').set('Authorization', W).type('text/plain').send('engine=cilium '.repeat(200)).expect(415);
  // An empty POST (as `curl -X POST` sends it) or an empty JSON object (as some clients always send) is no body.
  await request(app).post('/api/v1/reports?engine=cilium').set('Authorization', W).set('Content-Length', '0').expect(201);
  await request(app).post('/api/v1/reports?engine=cilium').set('Authorization', W).send({}).expect(201);
  const post = (document as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }).paths['/api/v1/reports']!.post!;
  assert.ok(post.responses['415'], 'documented in /openapi.json');
});

test('the last-report metric and run counter; the endpoints are in /openapi.json', async () => {
  const metrics = await ctx.metrics.registry.metrics();
  assert.match(metrics, new RegExp(`flowmatrix_last_report_timestamp_seconds ${CLOCK / 1000}\\b`));
  assert.match(metrics, /flowmatrix_report_runs_total\{trigger="manual",outcome="ok"\} \d+/);
  const paths = (document as { paths: Record<string, Record<string, unknown>> }).paths;
  assert.ok(paths['/api/v1/reports']?.get && paths['/api/v1/reports']?.post);
  assert.ok(paths['/api/v1/reports/{id}']?.get);
});

test('the schedule stores reports with trigger "schedule"; a failing build is counted and does not stop it', async () => {
  let fire: () => void = () => {};
  const cron: CronFactory = (_e, tick) => {
    fire = tick;
    return { stop: () => {} };
  };
  const sctx = context({ schedule: '*/5 * * * *' });
  const scheduler = startReportSchedule(sctx, cron);
  assert.equal(scheduler.started, true);
  assert.equal(await scheduler.tick(), 'ok');
  const { app: sapp } = createApp(sctx);
  const list = await request(sapp).get('/api/v1/reports?limit=1').set('Authorization', R).expect(200);
  assert.equal(list.body.items[0].trigger, 'schedule');

  // A config that no longer matches the matrices makes the build fail: logged, counted, schedule alive.
  const broken = context();
  broken.config = { ...broken.config, matrices: { systems: { nosuch: { enabled: true } } } };
  const failing = startReportSchedule(broken, cron);
  assert.equal(await failing.tick(), 'failed');
  assert.equal(failing.started, true);
  fire();
  await failing.stop(); // waits for the run the tick started (it builds off the event loop)
  assert.match(await broken.metrics.registry.metrics(), /flowmatrix_report_runs_total\{trigger="schedule",outcome="failed"\} 2/);
  await scheduler.stop();

  const off = startReportSchedule(context({ enabled: false }), cron);
  assert.equal(off.started, false);
});

test('a report stored before a part of the model existed (attention.documentedWhenSet, added within schema version 1) still renders as Markdown and HTML, and its JSON has that part, empty', async () => {
  const created = await request(app).post('/api/v1/reports').set('Authorization', W).expect(201);
  const id = created.body.id as number;
  const row = db.prepare('SELECT model FROM reports WHERE id = ?').get(id) as { model: string };
  const older = JSON.parse(row.model) as { attention: Record<string, unknown>; headline: Record<string, unknown>; namespaces: { attention: Record<string, unknown> }[] };
  delete older.attention.documentedWhenSet;
  delete older.headline.documentedWhenSet;
  for (const n of older.namespaces) delete n.attention.documentedWhenSet;
  db.prepare('UPDATE reports SET model = ? WHERE id = ?').run(JSON.stringify(older), id);
  const md = await request(app).get(`/api/v1/reports/${id}?format=markdown`).set('Authorization', R).expect(200);
  assert.match(md.text, /Documented when set \(set the parameter\)[^]*?None\./);
  await request(app).get(`/api/v1/reports/${id}?format=html`).set('Authorization', R).expect(200);
  const json = await request(app).get(`/api/v1/reports/${id}`).set('Authorization', R).expect(200);
  assert.deepEqual(json.body.attention.documentedWhenSet, { edges: [], rules: [] });
  assert.equal(json.body.headline.documentedWhenSet, 0);
});

test('recommendations.maxEdges bounds a report as it bounds a recommendation: a store with more edges answers 413 and nothing is stored (docs/operations.md)', async () => {
  const bounded: ServiceContext = { ...context(), config: { ...context().config, maxRecommendEdges: 10 } };
  const { app: small } = createApp(bounded);
  const before = (await request(small).get('/api/v1/reports').set('Authorization', R).expect(200)).body.items.length as number;
  const refused = await request(small).post('/api/v1/reports').set('Authorization', W).expect(413);
  assert.match(refused.body.detail, /more than one recommendation reads \(10, recommendations\.maxEdges\)/);
  assert.equal((await request(small).get('/api/v1/reports').set('Authorization', R).expect(200)).body.items.length, before);
  await request(small).get('/api/v1/export?engine=kubernetes').set('Authorization', R).expect(413);
});

test('POST ?shared=true&defaultDeny=true builds with those layers, as reports.shared / reports.defaultDeny do for the schedule', async () => {
  const created = await request(app).post('/api/v1/reports?shared=true&defaultDeny=true').set('Authorization', W).expect(201);
  const json = await request(app).get(`/api/v1/reports/${created.body.id as number}`).set('Authorization', R).expect(200);
  assert.equal(json.body.options.shared, true);
  assert.equal(json.body.options.defaultDeny, true);
  const { app: configured } = createApp(context({ shared: true }));
  const fromConfig = await request(configured).post('/api/v1/reports').set('Authorization', W).expect(201);
  const model = await request(configured).get(`/api/v1/reports/${fromConfig.body.id as number}`).set('Authorization', R).expect(200);
  assert.equal(model.body.options.shared, true);
  assert.equal(model.body.options.defaultDeny, undefined);
});

test('serve started after the schedule\'s time while the last scheduled report is older: that run is made at start, once (docs/reports.md)', async () => {
  const cron: CronFactory = () => ({ stop: () => {} });
  // The service clock is 02:00Z on 21 November: the 01:00Z run of that day came while it was down;
  // the last scheduled report is of the 19th.
  const sctx = context({ schedule: '0 1 * * *' });
  const model = db.prepare("SELECT model FROM reports ORDER BY id DESC LIMIT 1").get() as { model: string };
  db.prepare("DELETE FROM reports WHERE trigger = 'schedule'").run();
  db.prepare("INSERT INTO reports (created_at, trigger, engine, data_time, headline, model) VALUES (?, 'schedule', 'kubernetes', 0, '{}', ?)").run(CLOCK - 2 * 86_400_000 + 60_000, model.model);
  const { app: sapp } = createApp(sctx);
  const before = (await request(sapp).get('/api/v1/reports?limit=1').set('Authorization', R).expect(200)).body.items[0];
  const scheduler = startReportSchedule(sctx, cron);
  await scheduler.stop(); // waits for the run start began
  const after = (await request(sapp).get('/api/v1/reports?limit=1').set('Authorization', R).expect(200)).body.items[0];
  assert.notEqual(after.id, before.id, 'a report was built at start');
  assert.equal(after.trigger, 'schedule');
  assert.equal(after.createdAt, new Date(CLOCK).toISOString());
  // Started again: that run's report is stored, nothing is due.
  const again = startReportSchedule(sctx, cron);
  await again.stop();
  assert.equal((await request(sapp).get('/api/v1/reports?limit=1').set('Authorization', R).expect(200)).body.items[0].id, after.id);
});
