/**
 * What a point counts, against a real Prometheus (Debian package) backfilled with promtool: every
 * step counts what the counter says happened in it, whatever the scrape interval, a new series'
 * first value included, resets handled, an ended series counted no more, nothing counted twice
 * across passes.
 *
 * The expectations come from what the exporters do: Cilium creates a port-distribution series on
 * its first flow (`WithLabelValues(...).Inc()`, cilium pkg/hubble/metrics/port-distribution/handler.go),
 * so a Job that made 3 connections has a series constant at 3; Prometheus scrapes every 60s by
 * default (`scrape_interval`, prometheus docs/configuration/configuration.md), one sample per
 * 1-minute step, where `increase()` needs two; a counter that goes down was reset (prometheus
 * docs/querying/functions.md, "Breaks in monotonicity (such as counter resets due to target
 * restarts) are automatically adjusted for"); a failed scrape writes a staleness marker for every
 * series of the target (prometheus scrape/scrape.go scrapeAndReport: "A failed scrape is the same as
 * an empty scrape, we still call sl.append to trigger stale markers"), which promtool cannot backfill,
 * so that test scrapes a real endpoint.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig, type PrometheusSettings } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { peerKey } from '../../domain/peer.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { backfill, startFailingScrapeTarget, startPrometheus } from '../helpers/prometheus.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

/** A whole hour three hours ago; the pass window is (T0, END], 30 one-minute steps. */
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const MIN = 60_000;
const END = T0 + 30 * MIN;

const WEB_TO_DB = 'source_namespace="shop",source_workload="web",source_workload_kind="Deployment",destination_namespace="shop",destination_workload="db",destination_workload_kind="StatefulSet"';
const port = (p: number): string => `protocol="TCP",port="${p}",${WEB_TO_DB}`;

/** Samples of one series: `at` offsets from T0 (ms), the value each one has. */
function samples(metric: string, labels: string, at: number[], value: (i: number, t: number) => number): string[] {
  return at.map((t, i) => `${metric}{${labels}} ${value(i, t)} ${(T0 + t) / 1000}`);
}

function every(from: number, to: number, interval: number): number[] {
  const out: number[] = [];
  for (let t = from; t <= to; t += interval) out.push(t);
  return out;
}

const HUBBLE = [
  // Scraped every 60s (7s past the minute, as a real scrape's offset), +10 per scrape, from before the window.
  ...samples('hubble_port_distribution_total', port(5432), every(-10 * MIN + 7_000, 30 * MIN, MIN), (i) => 1000 + 10 * i),
  // A Job's series: born at its first flows with the value 3, never growing (15s scrapes, minutes 5 to 12).
  ...samples('hubble_port_distribution_total', port(5433), every(5 * MIN, 12 * MIN, 15_000), () => 3),
  // Reset at minute 10 (the agent restarted): +1 per 15s scrape before and after; the first value after it is 7.
  ...samples('hubble_port_distribution_total', port(5434), every(-5 * MIN, 30 * MIN, 15_000), (i, t) => (t <= 10 * MIN ? 100 + i : 7 + (t - 10 * MIN) / 15_000 - 1)),
  // Ends at minute 10 (the pod was deleted): +1 per 15s scrape until then, nothing after.
  ...samples('hubble_port_distribution_total', port(5435), every(-5 * MIN, 10 * MIN, 15_000), (i) => 50 + i),
  // Scraped every 2 minutes, longer than the step: +10 per scrape.
  ...samples('hubble_port_distribution_total', port(5436), every(-10 * MIN + 7_000, 30 * MIN, 2 * MIN), (i) => 10 * i),
  // Hubble's deprecated pod-short context: web-cache-0's flows, shortened to "shop/web" (cilium api/context.go shortenPodName).
  ...samples('hubble_port_distribution_total', 'protocol="TCP",port="6379",source="shop/web",destination="shop/db"', every(-5 * MIN, 30 * MIN, 15_000), (i) => i),
];

const ISTIO_DB_TO_WEB = 'source_workload="db",source_workload_namespace="shop",destination_workload="web",destination_workload_namespace="shop",destination_service_name="web",destination_service_namespace="shop",request_protocol="http",response_code="200"';
const ISTIO_WEB_TO_CHECKOUT = 'source_workload="web",source_workload_namespace="shop",destination_workload="unknown",destination_workload_namespace="unknown",destination_service_name="checkout",destination_service_namespace="shop",request_protocol="http",response_code="200"';
const ISTIO = [
  // Both proxies report db → web, each scraped every 60s (at different offsets): counted once, the server's report.
  ...samples('istio_requests_total', `reporter="destination",${ISTIO_DB_TO_WEB}`, every(-10 * MIN + 7_000, 30 * MIN, MIN), (i) => 500 + 5 * i),
  ...samples('istio_requests_total', `reporter="source",${ISTIO_DB_TO_WEB}`, every(-10 * MIN + 31_000, 30 * MIN, MIN), (i) => 500 + 5 * i),
  // Only the client's proxy reports web → Service checkout (no sidecar on checkout), scraped every 60s.
  ...samples('istio_requests_total', `reporter="source",${ISTIO_WEB_TO_CHECKOUT}`, every(-10 * MIN + 7_000, 30 * MIN, MIN), (i) => 200 + 2 * i),
];

const dataDir = join(tmpDir('flowmatrix-tsdb-'), 'data');
backfill(`${[...HUBBLE, ...ISTIO].join('\n')}\n# EOF\n`, dataDir);
const prom = await startPrometheus({ dataDir });

function freshDb(): Db {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8'), takenAt: T0 - 3_600_000, source: 'cluster.json' });
  return db;
}

function settingsFor(over: Record<string, unknown> = {}): PrometheusSettings {
  return resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: '30m', delay: '0s', families: ['hubble', 'istio'], ...over });
}

async function pass(db: Db, now: number, settings = settingsFor()) {
  return runPass({ db, api: new PrometheusApi(settings), settings, now, limits: DEFAULT_INGEST_LIMITS });
}

/** Stored edges as [client, server, port, flows, firstSeen, lastSeen], peers as keys. */
function edges(db: Db): [string, string, number, number, number, number][] {
  return new EdgeStore(db)
    .list()
    .map((e): [string, string, number, number, number, number] => [peerKey(e.client), peerKey(e.server), e.port, e.flows, e.firstSeen, e.lastSeen])
    .sort((a, b) => a[2] - b[2] || a[0].localeCompare(b[0]));
}

const WEB = 'workload:shop/Deployment/web';
const DB = 'workload:shop/StatefulSet/db';
const CHECKOUT = 'workload:shop/Deployment/checkout';

const one = freshDb();
const onePass = await pass(one, END);

test('a series scraped every 60s counts each scrape\'s increase at a 1-minute step (increase() over one step saw one sample and said nothing)', () => {
  assert.deepEqual(edges(one).find((e) => e[2] === 5432), [WEB, DB, 5432, 30 * 10, T0 + MIN, END]);
});

test('a series constant at its first value counts that value once: a Job\'s 3 connections', () => {
  assert.deepEqual(edges(one).find((e) => e[2] === 5433), [WEB, DB, 5433, 3, T0 + 5 * MIN, T0 + 5 * MIN]);
});

test('a reset counts the value after it: 40 scrapes before minute 10, then 7, then one per scrape', () => {
  assert.deepEqual(edges(one).find((e) => e[2] === 5434), [WEB, DB, 5434, 40 + 7 + 79, T0 + MIN, END]);
});

test('an ended series is counted to its last sample and never again while the lookback still returns that sample', () => {
  assert.deepEqual(edges(one).find((e) => e[2] === 5435), [WEB, DB, 5435, 40, T0 + MIN, T0 + 10 * MIN]);
});

test('a series scraped less often than the step: every scrape counted once, at its step, and the pass says the points are sparser than the step', () => {
  // Scrapes at 0:07, 2:07, … 28:07: fifteen of them in the window.
  assert.deepEqual(edges(one).find((e) => e[2] === 5436), [WEB, DB, 5436, 15 * 10, T0 + MIN, T0 + 29 * MIN]);
  const sparse = onePass.warnings.filter((w) => /less often than once per step/.test(w));
  assert.deepEqual(sparse.map((w) => w.split(':')[0]), ['hubble_port_distribution_total{}'], '60s scrapes at a 1-minute step are not sparse');
  assert.match(sparse[0] ?? '', /\(60s\)/);
});

test('Istio: 60s scrapes of both proxies\' reports count once (the server\'s); a source-only report counts', () => {
  assert.deepEqual(
    edges(one).filter((e) => e[2] === 8080 || e[2] === 8443),
    [
      [DB, WEB, 8080, 30 * 5, T0 + MIN, END],
      [WEB, CHECKOUT, 8443, 30 * 2, T0 + MIN, END],
    ],
  );
});

test('Hubble pod-short context: a shortened pod name is never credited to a workload of that name; skipped, counted, and said', async () => {
  const db = freshDb();
  const summary = await pass(db, END, settingsFor({ families: ['hubble'], hubble: { sourceContext: ['pod-short'], destinationContext: ['pod-short'] } }));
  assert.equal(edges(db).filter((e) => e[2] === 6379).length, 0, 'web-cache-0 is not shop/web');
  assert.equal(summary.reasons['pod-short-context'], 30, 'one per step of the series');
  assert.ok(summary.warnings.some((w) => /pod-short/.test(w) && /workload-name/.test(w) && /pod-name/.test(w)), summary.warnings.join('\n'));
});

test('two passes over the same data count what one pass counts; a third adds nothing', async () => {
  const db = freshDb();
  await pass(db, T0 + 15 * MIN, settingsFor({ lookback: '15m' }));
  await pass(db, END);
  assert.deepEqual(edges(db), edges(one));
  const again = await pass(db, END);
  assert.ok(again.queries.every((q) => q.status === 'up-to-date'));
  assert.deepEqual(edges(db), edges(one));
  assert.equal(onePass.status, 'done');
});

/** Polls an instant query on `url` until `done` says its result is there. */
async function waitFor(url: string, query: string, done: (result: unknown[]) => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as { data: { result: unknown[] } };
    if (done(r.data.result)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${query}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('a failed scrape between two samples of an unchanged counter counts nothing', async () => {
  const metric = 'hubble_port_distribution_total';
  const target = await startFailingScrapeTarget(`# TYPE ${metric} counter\n${metric}{${port(5437)}} 1000\n`);
  const live = await startPrometheus({ config: `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: cilium\n    static_configs:\n      - targets: ['127.0.0.1:${target.port}']\n` });
  await waitFor(live.url, `count_over_time(${metric}[1m]) >= 2`, (r) => r.length === 1);
  target.failing = true;
  await waitFor(live.url, 'up == 0', (r) => r.length === 1);
  target.failing = false;
  // The failed scrape's staleness marker hides the series until the next scrape succeeds.
  await waitFor(live.url, metric, (r) => r.length === 1);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const db = freshDb();
  await pass(db, Date.now(), settingsFor({ url: live.url, step: '1s', lookback: '5m', families: ['hubble'] }));
  const [edge] = edges(db);
  assert.equal(edge?.[3], 1000, 'the first value once, nothing after the failed scrape');
  assert.equal(edge?.[5], edge?.[4], 'last seen at the first value: nothing happened since');
});
