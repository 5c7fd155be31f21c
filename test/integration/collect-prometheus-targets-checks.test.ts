/**
 * Scrape targets are checked at the door as series are (docs/operations.md: "a label that is no
 * Kubernetes name … or a TCP port="0" is rejected … and never stored"): a real Prometheus scrapes
 * this test's endpoint under kubernetes_sd meta labels no Kubernetes object can have
 * (namespace `Shop_Bad`: a DNS-1123 label is lowercase), and a target on port 0. Neither is stored:
 * stored, each was an edge every later read left out. And a target whose lastScrape lies past the
 * clock and the allowed skew (a garbled answer: served here by a stand-in for the API) is rejected
 * without moving its cursor past its later scrapes.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { PrometheusStore } from '../../collectors/prometheus/store.ts';
import { EdgeStore } from '../../store/edges.ts';
import { freePort, startPrometheus, startScrapeTarget, untilScraped } from '../helpers/prometheus.ts';
import { tmpDb } from '../helpers/tmp.ts';

const port = await startScrapeTarget();

const prom = await startPrometheus({
  config: `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: bad-names
    static_configs:
      - targets: ['127.0.0.1:${port}']
        labels:
          __meta_kubernetes_namespace: Shop_Bad
          __meta_kubernetes_pod_name: Postgres_0
  - job_name: port-zero
    static_configs:
      - targets: ['127.0.0.1:0']
`,
});
const scraper = { workload: 'monitoring/StatefulSet/prometheus' };

test('targets with names no Kubernetes object has, or on port 0, are rejected and never stored', async () => {
  const settings = resolvePrometheusConfig({ url: prom.url, families: ['targets'], scraper });
  const api = new PrometheusApi(settings);
  await untilScraped(api, 2, 12_000);
  const { db } = tmpDb();
  const pass = await runPass({ db, api, settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  assert.deepEqual(pass.reasons, { 'invalid-label': 1, 'invalid-value': 1 });
  assert.deepEqual(pass.examples.map((e) => [e.reason, e.label, e.value]).sort(), [
    ['invalid-label', 'discoveredLabels', 'Shop_Bad'],
    ['invalid-value', 'scrapeUrl', 'http://127.0.0.1:0/metrics'],
  ]);
  assert.equal(new EdgeStore(db).count(), 0);
});

test('a target scraped "in the future" (past the clock and the allowed skew) is rejected and does not move its cursor', async () => {
  const now = Date.UTC(2026, 11, 5, 12);
  const target = (ip: string, lastScrape: string) => ({
    discoveredLabels: { __address__: `${ip}:8080` },
    labels: { job: 'x' },
    scrapePool: 'x',
    scrapeUrl: `http://${ip}:8080/metrics`,
    globalUrl: `http://${ip}:8080/metrics`,
    lastError: '',
    lastScrape,
    lastScrapeDuration: 0.01,
    health: 'up',
    scrapeInterval: '15s',
    scrapeTimeout: '10s',
  });
  const stand = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { activeTargets: [target('10.0.0.1', '2099-01-01T00:00:00Z'), target('10.0.0.2', new Date(now - 5_000).toISOString())], droppedTargets: [] } }));
  });
  const p = await freePort();
  await new Promise<void>((r) => stand.listen(p, '127.0.0.1', r));
  after(() => stand.close());
  const settings = resolvePrometheusConfig({ url: `http://127.0.0.1:${p}`, families: ['targets'], scraper });
  const { db } = tmpDb();
  const pass = await runPass({ db, api: new PrometheusApi(settings), settings, now, limits: DEFAULT_INGEST_LIMITS });
  assert.deepEqual(pass.reasons['invalid-value'], 1, JSON.stringify(pass.reasons));
  assert.deepEqual([pass.examples[0]?.label, pass.examples[0]?.value], ['lastScrape', '2099-01-01T00:00:00.000Z']);
  assert.deepEqual(new PrometheusStore(db).targetCursors(settings.url), [{ scrapePool: 'x', scrapeUrl: 'http://10.0.0.2:8080/metrics', lastScrape: now - 5_000 }], 'the good target\'s scrape is its cursor; 2099 is no target\'s');
});
