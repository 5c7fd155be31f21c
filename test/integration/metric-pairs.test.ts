/**
 * Observed pairs (NetObserv's predefined netobserv_workload_* metrics: no port, protocol or
 * direction) end to end, on a real SQLite file: the REST list, the warning on the recommendation
 * of each workload a pair with no edge involves, and the report's section.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { gatherReportInput } from '../../app/report-input.ts';
import { unmatchedMetricPairs } from '../../app/metric-pairs.ts';
import { readRecommendationInput, recommendFromStore, recommendOptions, recommendationJson, runRecommendation } from '../../app/recommendation.ts';
import { PrometheusStore, type MetricPairDelta } from '../../collectors/prometheus/store.ts';
import { buildReport } from '../../reports/build.ts';
import { renderHtml } from '../../reports/render/html.ts';
import { renderMarkdown } from '../../reports/render/markdown.ts';
import { createApp, type BuiltApp } from '../../server/app.ts';
import { runCli, runCliJson } from '../helpers/cli.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const CLUSTER = new URL('../fixtures/inventory/cluster.json', import.meta.url).pathname;
const T = Date.parse('2025-11-01T10:00:00Z');
const WEB = 'workload:shop/Deployment/web';
const DB = 'workload:shop/StatefulSet/db';
const CHECKOUT = 'workload:shop/Deployment/checkout';
const EXPORTER = 'workload:monitoring/DaemonSet/node-exporter';

/** shop/web (10.244.0.10) opens a connection to shop/db-0 (10.244.1.15) on 5432: the only edge. */
function flows(dir: string): string {
  const rec = (flags: number, t: number) => JSON.stringify({ SrcAddr: '10.244.0.10', SrcPort: 41000, DstAddr: '10.244.1.15', DstPort: 5432, Proto: 6, Flags: flags, Packets: 1, Bytes: 60, TimeFlowStartMs: t, TimeFlowEndMs: t, TimeReceived: t / 1000 });
  const file = join(dir, 'flows.ndjson');
  writeFileSync(file, `${rec(2, T)}\n${rec(16, T + 1000)}\n`);
  return file;
}

function pair(a: string, b: string, metric: string, counts: Partial<Pick<MetricPairDelta, 'flows' | 'bytes'>>): MetricPairDelta {
  return { peerA: a, peerB: b, source: 'prometheus', metric, lacks: 'direction,port,protocol', firstSeen: T, lastSeen: T + 1_800_000, flows: 0, packets: 0, bytes: 0, ...counts };
}

const generatedAt = Date.UTC(2026, 10, 21, 2, 0, 0);
const store = tmpDb();
const onlyMatched = tmpDb();
let app: BuiltApp;

before(async () => {
  for (const s of [store, onlyMatched]) {
    assert.equal((await runCli(['inventory', 'import', CLUSTER, '--db', s.path])).code, 0);
    assert.equal((await runCli(['ingest', flows(tmpDir()), '--db', s.path])).code, 0);
  }
  // As the Prometheus collector stores them: unordered, peerA <= peerB.
  new PrometheusStore(store.db).writePairs([
    // db–web: the web → db:5432 edge joins them (the other way round from the pair's order).
    pair(DB, WEB, 'netobserv_workload_flows_total', { flows: 240 }),
    // checkout–web: no edge either way.
    pair(CHECKOUT, WEB, 'netobserv_workload_flows_total', { flows: 120 }),
    pair(CHECKOUT, WEB, 'netobserv_workload_ingress_bytes_total', { bytes: 180_000 }),
    // node-exporter–db: no edge, across namespaces.
    pair(EXPORTER, DB, 'netobserv_workload_flows_total', { flows: 30 }),
  ]);
  new PrometheusStore(onlyMatched.db).writePairs([pair(DB, WEB, 'netobserv_workload_flows_total', { flows: 240 })]);
  app = createApp(testContext(store.db, store.path));
});

after(async () => {
  await app.close();
});

const get = (path: string) => request(app.app).get(path);

test('GET /api/v1/metric-pairs: every pair in key order, each marked matched by an edge either way on any port', async () => {
  const res = await get('/api/v1/metric-pairs');
  assert.equal(res.status, 200);
  assert.deepEqual(
    res.body.items.map((p: { peerA: string; peerB: string; metric: string; matched: boolean }) => [p.peerA, p.peerB, p.metric, p.matched]),
    [
      [EXPORTER, DB, 'netobserv_workload_flows_total', false],
      [CHECKOUT, WEB, 'netobserv_workload_flows_total', false],
      [CHECKOUT, WEB, 'netobserv_workload_ingress_bytes_total', false],
      [DB, WEB, 'netobserv_workload_flows_total', true],
    ],
  );
  assert.deepEqual(res.body.items[2], {
    peerA: CHECKOUT,
    peerB: WEB,
    source: 'prometheus',
    metric: 'netobserv_workload_ingress_bytes_total',
    lacks: ['direction', 'port', 'protocol'],
    firstSeen: '2025-11-01T10:00:00.000Z',
    lastSeen: '2025-11-01T10:30:00.000Z',
    flows: 0,
    packets: 0,
    bytes: 180000,
    matched: false,
  });
  assert.equal(res.body.next, undefined);
});

test('unmatched=true and namespace= filter; pages of limit=1 neither skip nor repeat', async () => {
  const unmatched = await get('/api/v1/metric-pairs?unmatched=true');
  assert.deepEqual(unmatched.body.items.map((p: { peerA: string }) => p.peerA), [EXPORTER, CHECKOUT, CHECKOUT]);
  const monitoring = await get('/api/v1/metric-pairs?namespace=monitoring');
  assert.deepEqual(monitoring.body.items.map((p: { peerA: string; peerB: string }) => [p.peerA, p.peerB]), [[EXPORTER, DB]]);
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10; i++) {
    const res = await get(`/api/v1/metric-pairs?unmatched=true&namespace=shop&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200);
    assert.ok(res.body.items.length <= 1);
    seen.push(...res.body.items.map((p: { peerA: string; peerB: string; metric: string }) => `${p.peerA} ${p.peerB} ${p.metric}`));
    cursor = res.body.next;
    if (cursor === undefined) break;
  }
  assert.deepEqual(seen, [`${EXPORTER} ${DB} netobserv_workload_flows_total`, `${CHECKOUT} ${WEB} netobserv_workload_flows_total`, `${CHECKOUT} ${WEB} netobserv_workload_ingress_bytes_total`]);
});

test('an unknown namespace is 404 naming the namespaces that exist; a known one with no pair is an empty page', async () => {
  const res = await get('/api/v1/metric-pairs?namespace=shopp');
  assert.equal(res.status, 404);
  assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
  assert.equal(res.body.detail, 'no namespace "shopp" in the inventory or the edges (namespaces: batch-jobs, default, kube-system, monitoring, shop)');
  const empty = await get('/api/v1/metric-pairs?namespace=batch-jobs');
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body, { items: [] });
});

test('validation: limit, unmatched, cursor and unknown parameters are 400', async () => {
  for (const q of ['limit=0', 'limit=1001', 'unmatched=maybe', 'namespace=Shop', 'cursor=not-a-cursor', 'port=80']) {
    const res = await get(`/api/v1/metric-pairs?${q}`);
    assert.equal(res.status, 400, q);
    assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/, q);
  }
});

const warning = (metric: string, workload: string, peer: string): string =>
  `${metric} saw ${workload} exchange traffic with ${peer} but no flow with a port was observed; unless a documented rule allows that peer, the recommended policy blocks it: collect flows or add it to the matrix`;

test('recommendation: each workload an unmatched pair involves is warned, once per metric; the pair an edge joins is not', () => {
  const result = recommendFromStore(store.db, {}, 'kubernetes', recommendOptions({ namespace: 'shop' }));
  const warnings = Object.fromEntries(result.rec.workloads.map((w) => [`${w.workload.namespace}/${w.workload.kind}/${w.workload.name}`, w.warnings]));
  assert.deepEqual(warnings['shop/Deployment/web'], [
    warning('netobserv_workload_flows_total', 'shop/Deployment/web', 'shop/Deployment/checkout'),
    warning('netobserv_workload_ingress_bytes_total', 'shop/Deployment/web', 'shop/Deployment/checkout'),
  ]);
  assert.deepEqual(warnings['shop/StatefulSet/db'], [warning('netobserv_workload_flows_total', 'shop/StatefulSet/db', 'monitoring/DaemonSet/node-exporter')]);
  assert.ok(!JSON.stringify(recommendationJson(result)).includes('with shop/StatefulSet/db but'), 'web–db has an edge: no warning about it');
});

test('recommendation: once an edge joins the pair (any port, either direction), the warning is gone', () => {
  const { db } = tmpDb();
  db.exec(`ATTACH '${store.path}' AS src`);
  db.exec('DELETE FROM edges; INSERT INTO edges SELECT * FROM src.edges; DELETE FROM metric_pairs; INSERT INTO metric_pairs SELECT * FROM src.metric_pairs');
  db.exec('DELETE FROM workloads; INSERT INTO workloads SELECT * FROM src.workloads; DELETE FROM namespaces; INSERT INTO namespaces SELECT * FROM src.namespaces');
  db.exec('DETACH src');
  const before = recommendFromStore(db, {}, 'kubernetes', recommendOptions({ namespace: 'shop', workload: 'web' }));
  assert.equal(before.rec.workloads[0]?.warnings.length, 2);
  db.prepare("INSERT INTO edges (client, server, port, protocol, first_seen, last_seen, flows) VALUES (?, ?, 9999, 'UDP', ?, ?, 1)").run(WEB, CHECKOUT, T, T);
  const afterEdge = recommendFromStore(db, {}, 'kubernetes', recommendOptions({ namespace: 'shop', workload: 'web' }));
  assert.deepEqual(afterEdge.rec.workloads[0]?.warnings, []);
});

test('recommendation: a workload it does not restrict (host network, no policy) is not warned: nothing of it would be blocked', () => {
  const result = recommendFromStore(store.db, {}, 'kubernetes', recommendOptions({ namespace: 'monitoring' }));
  const exporter = result.rec.workloads.find((w) => w.workload.name === 'node-exporter');
  assert.equal(exporter?.hostNetwork, true);
  assert.deepEqual(exporter?.policies, []);
  assert.ok(!exporter?.warnings.some((w) => w.includes('exchange traffic with')), exporter?.warnings.join('\n'));
});

test('recommendation: pairs beyond those read are counted once in the recommendation-wide warnings', () => {
  const input = readRecommendationInput(store.db, {});
  assert.equal(input.metricPairs?.total, 3);
  input.metricPairs = unmatchedMetricPairs(store.db, {}, 1);
  assert.deepEqual([input.metricPairs.pairs.length, input.metricPairs.total], [1, 3]);
  const result = runRecommendation(input, 'kubernetes', recommendOptions({ namespace: 'shop' }));
  assert.ok(
    result.rec.warnings.includes('2 more pair(s) that flow metrics saw talking with no edge between them were not checked against these workloads (only the 1 seen last are read): GET /api/v1/metric-pairs?unmatched=true lists them all'),
    result.rec.warnings.join('\n'),
  );
  // The one read (node-exporter–db: all were seen at the same time, so first in key order) still warns db.
  const db = result.rec.workloads.find((w) => w.workload.name === 'db');
  assert.deepEqual(db?.warnings, [warning('netobserv_workload_flows_total', 'shop/StatefulSet/db', 'monitoring/DaemonSet/node-exporter')]);
});

test('recommendation and report: a pair not seen for staleDays before the reference time is stale, like an edge: no warning, not listed', () => {
  const now = T + 40 * 86_400_000;
  const result = recommendFromStore(store.db, {}, 'kubernetes', recommendOptions({ namespace: 'shop', now, staleDays: 30 }));
  assert.ok(result.rec.workloads.every((w) => !w.warnings.some((m) => m.includes('exchange traffic with'))));
  const report = buildReport(gatherReportInput(store.db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, now, matrices: {}, trigger: 'manual', generatedAt }));
  assert.deepEqual([report.attention.seenOnlyInMetrics?.stored, report.attention.seenOnlyInMetrics?.unmatched], [4, 0]);
});

test('the API\'s recommendation of one workload and `flowmatrix recommend` say the same warning', async () => {
  const res = await get('/api/v1/recommendations/shop/Deployment/web?engine=kubernetes');
  assert.equal(res.status, 200);
  assert.ok(res.body.workloadWarnings.includes(warning('netobserv_workload_flows_total', 'shop/Deployment/web', 'shop/Deployment/checkout')), JSON.stringify(res.body.workloadWarnings));
  const cli = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'web', '--db', store.path]);
  assert.equal(cli.code, 0, cli.err);
  assert.ok(cli.err.includes(`shop/Deployment/web: ${warning('netobserv_workload_flows_total', 'shop/Deployment/web', 'shop/Deployment/checkout')}`), cli.err);
  const json = await runCliJson<{ workloads: { workload: { name: string }; warnings: string[] }[] }>(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'web', '-o', 'json', '--db', store.path]);
  assert.deepEqual(json.workloads.map((w) => [w.workload.name, w.warnings.length]), [['web', 2]]);
});

const section = (md: string): string => {
  const start = md.indexOf('### Traffic seen only in flow metrics');
  assert.ok(start >= 0, 'the section is there');
  return md.slice(start, md.indexOf('\n### ', start + 1) + 1);
};

test('report: "Traffic seen only in flow metrics" lists each unmatched pair with metric, what it lacks, last seen and bytes', () => {
  const input = gatherReportInput(store.db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'manual', generatedAt });
  const report = buildReport(input);
  assert.equal(report.attention.seenOnlyInMetrics?.unmatched, 3);
  assert.equal(report.attention.seenOnlyInMetrics?.stored, 4);
  assert.equal(
    section(renderMarkdown(report)),
    [
      '### Traffic seen only in flow metrics (3)',
      '',
      "A flow metric without a port, a protocol or a direction (NetObserv's netobserv\\_workload\\_\\* metrics) saw these peers exchange traffic, but no flow with a port was observed between them in either direction. No observed rule allows what was never seen with a port: unless a documented rule allows it, the recommended policies block it. Collect flows for these workloads (NetObserv or Hubble flow records), or document the traffic in a matrix.",
      '',
      '| peer A | peer B | metric | lacks | last seen | flows | bytes |',
      '| --- | --- | --- | --- | --- | ---: | ---: |',
      '| `monitoring/DaemonSet/node-exporter` | `shop/StatefulSet/db` | `netobserv_workload_flows_total` | direction, port, protocol | 2025-11-01 10:30:00Z | 30 | 0 |',
      '| `shop/Deployment/checkout` | `shop/Deployment/web` | `netobserv_workload_flows_total` | direction, port, protocol | 2025-11-01 10:30:00Z | 120 | 0 |',
      '| `shop/Deployment/checkout` | `shop/Deployment/web` | `netobserv_workload_ingress_bytes_total` | direction, port, protocol | 2025-11-01 10:30:00Z | 0 | 180,000 |',
      '',
      '',
    ].join('\n'),
  );
  // HTML: the same section, in the table of contents, its count marked as needing someone today.
  const html = renderHtml(report);
  assert.ok(html.includes('<li><a href="#seen-only-in-metrics">Traffic seen only in flow metrics</a> (3)</li>'));
  assert.ok(html.includes('<section id="seen-only-in-metrics">\n<h3>Traffic seen only in flow metrics<span class="count hot">3</span></h3>'));
  // Listed in the section, not repeated as a warning per workload.
  assert.ok(!report.warnings.some((w) => w.includes('exchange traffic with')), report.warnings.join('\n'));
});

test('report: a namespace report lists the pairs of its namespace; every pair matched says so; no pair stored, no section', () => {
  const monitoring = buildReport(gatherReportInput(store.db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, namespace: 'monitoring', matrices: {}, trigger: 'manual', generatedAt }));
  assert.deepEqual(monitoring.attention.seenOnlyInMetrics?.pairs.map((p) => [p.peerA, p.peerB]), [[EXPORTER, DB]]);
  const matched = buildReport(gatherReportInput(onlyMatched.db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'manual', generatedAt }));
  assert.equal(
    section(renderMarkdown(matched)),
    '### Traffic seen only in flow metrics (0)\n\nNone: every pair of peers the flow metrics saw talking (1 stored) has an observed edge between them, or was last seen more than 30 days before 2025-11-01 10:00:01Z.\n\n',
  );
  const { db: none } = tmpDb();
  none.exec(`ATTACH '${onlyMatched.path}' AS src`);
  none.exec('INSERT INTO edges SELECT * FROM src.edges; INSERT INTO workloads SELECT * FROM src.workloads; INSERT INTO namespaces SELECT * FROM src.namespaces');
  none.exec('DETACH src');
  const without = buildReport(gatherReportInput(none, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'manual', generatedAt }));
  assert.equal(without.attention.seenOnlyInMetrics, undefined);
  assert.ok(!renderMarkdown(without).includes('seen only in flow metrics'));
});
