/**
 * A scrape still in progress when a pass runs is counted by the next pass. Prometheus sets a
 * target's `lastScrape` to the time the scrape STARTED and publishes it only when the scrape ends
 * (prometheus/prometheus scrape/scrape.go: `report()` calls `sl.scraper.Report(start, duration, …)`
 * after the scrape; docs/querying/api.md "Targets": `lastScrape`, `lastScrapeDuration`). So a slow
 * target's scrape that started before a pass and ended after it is older, when the next pass reads
 * it, than the newest scrape of a fast target that pass saw: one cursor for every target skipped it.
 *
 * A real Prometheus scrapes two endpoints this test serves: a fast one every second (db-0's pod, by
 * address) and a slow one (web's pod, by kubernetes_sd meta labels) whose answer the test holds
 * until a pass has run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { after, test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { PrometheusApi, type ActiveTarget } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore } from '../../store/edges.ts';
import { startPrometheus, startScrapeTarget } from '../helpers/prometheus.ts';
import { tmpDb } from '../helpers/tmp.ts';

const METRICS = '# TYPE flowmatrix_test_up gauge\nflowmatrix_test_up 1\n';
const fastPort = await startScrapeTarget();

/** The slow endpoint: answers held while `holding`, each arrival's time kept. */
let holding = true;
const held: ServerResponse[] = [];
const arrivals: number[] = [];
const slow = createServer((_req, res) => {
  arrivals.push(Date.now());
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  if (holding) held.push(res);
  else res.end(METRICS);
});
await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
after(() => new Promise<void>((r) => slow.close(() => r())));
const slowPort = (slow.address() as { port: number }).port;
const release = (): void => {
  holding = false;
  for (const res of held.splice(0)) res.end(METRICS);
};

const prom = await startPrometheus({
  config: `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: fast
    static_configs:
      - targets: ['127.0.0.1:${fastPort}']
  - job_name: slow
    scrape_interval: 10s
    scrape_timeout: 10s
    static_configs:
      - targets: ['127.0.0.1:${slowPort}']
        labels:
          __meta_kubernetes_namespace: shop
          __meta_kubernetes_pod_name: web-6b9f8c7d54-x2x9k
`,
});

const db = tmpDb().db;
// The inventory as it is, except that db-0's pod IP is this machine's loopback.
const inventory = readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8').replaceAll('"10.244.1.15"', '"127.0.0.1"');
importInventory(db, { text: inventory, takenAt: Date.now() - 3_600_000, source: 'cluster.json' });
const settings = resolvePrometheusConfig({ url: prom.url, families: ['targets'], scraper: { workload: 'monitoring/StatefulSet/prometheus' } });
const api = new PrometheusApi(settings);

async function until(what: string, ok: (targets: ActiveTarget[]) => boolean, timeoutMs = 15_000): Promise<ActiveTarget[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const targets = await api.activeTargets();
    if (ok(targets)) return targets;
    if (Date.now() > deadline) throw new Error(`${what}: not in time: ${JSON.stringify(targets)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const pool = (targets: ActiveTarget[], name: string): ActiveTarget | undefined => targets.find((t) => t.scrapePool === name);
const flowsTo = (server: string): number =>
  new EdgeStore(db)
    .list()
    .filter((e) => peerKey(e.server) === server)
    .reduce((n, e) => n + e.flows, 0);

test('a scrape in progress during a pass (started before it, published after it) is counted by the next pass, once', async () => {
  // The slow target's first scrape has started (its answer is held) and the fast target has been
  // scraped since: that pass sees the fast scrape, newer than the slow one's start.
  await until('the slow scrape started', () => arrivals.length > 0);
  const started = arrivals[0] as number;
  await until('the fast target scraped after the slow scrape started', (ts) => (pool(ts, 'fast')?.lastScrape ?? 0) > started);
  const first = await runPass({ db, api, settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  assert.equal(first.status, 'done', JSON.stringify(first));
  assert.equal(flowsTo('workload:shop/Deployment/web'), 0, 'not published yet: nothing to count');

  release();
  const published = await until('the slow scrape published', (ts) => (pool(ts, 'slow')?.lastScrape ?? 0) > 0);
  assert.ok((pool(published, 'slow')?.lastScrape ?? 0) <= started, 'lastScrape is the scrape\'s start, before the pass');
  const second = await runPass({ db, api, settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  assert.equal(second.status, 'done', JSON.stringify(second));
  assert.equal(flowsTo('workload:shop/Deployment/web'), 1, 'the scrape that ended after the first pass is counted by the second');

  // The next slow scrape is 10 s away: a third pass finds that target's scrape already counted.
  await runPass({ db, api, settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  assert.equal(flowsTo('workload:shop/Deployment/web'), 1, 'counted once');
});
