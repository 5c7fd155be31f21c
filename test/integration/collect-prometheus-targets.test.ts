/**
 * Scrape targets against a real Prometheus that really scrapes an HTTP endpoint this test serves
 * (scrape_interval 1s). Two jobs point at it: one whose target carries kubernetes_sd meta labels
 * (discoveredLabels __meta_kubernetes_namespace / __meta_kubernetes_pod_name, as role=pod
 * targets do: prometheus docs/configuration/configuration.md, kubernetes_sd_config), one with the
 * bare address, which resolves through the IP history (the inventory's db-0 pod holds 127.0.0.1
 * here). Each becomes an edge from the configured Prometheus server to that pod on the scrape port.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore } from '../../store/edges.ts';
import { startPrometheus, startScrapeTarget } from '../helpers/prometheus.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

const port = await startScrapeTarget();

const prom = await startPrometheus({
  config: `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: pods
    static_configs:
      - targets: ['127.0.0.1:${port}']
        labels:
          __meta_kubernetes_namespace: shop
          __meta_kubernetes_pod_name: web-6b9f8c7d54-x2x9k
  - job_name: by-address
    static_configs:
      - targets: ['127.0.0.1:${port}']
`,
});

const db = tmpDb().db;
// The inventory as it is, except that db-0's pod IP is this machine's loopback.
const inventory = readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8').replaceAll('"10.244.1.15"', '"127.0.0.1"');
assert.ok(inventory.includes('"127.0.0.1"'));
importInventory(db, { text: inventory, takenAt: Date.now() - 3_600_000, source: 'cluster.json' });
const settings = resolvePrometheusConfig({ url: prom.url, families: ['targets'], scraper: { workload: 'monitoring/StatefulSet/prometheus' } });
const api = new PrometheusApi(settings);

/** Waits until Prometheus has scraped both targets at least once. */
async function scraped(): Promise<void> {
  const deadline = Date.now() + 12_000;
  for (;;) {
    const targets = await api.activeTargets();
    if (targets.length === 2 && targets.every((t) => t.health === 'up' && t.lastScrape > 0)) return;
    if (Date.now() > deadline) throw new Error(`targets not scraped in time: ${JSON.stringify(targets)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const edges = () =>
  new EdgeStore(db)
    .list()
    .map((e) => ({ client: peerKey(e.client), server: peerKey(e.server), port: e.port, protocol: e.protocol, flows: e.flows, forwarded: e.forwarded, sources: e.sources }));

test('every active target is an edge from the Prometheus server to the target pod on the scrape port', async () => {
  await scraped();
  const summary = await runPass({ db, api, settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  assert.equal(summary.status, 'done', JSON.stringify(summary));
  assert.deepEqual(edges(), [
    { client: 'workload:monitoring/StatefulSet/prometheus', server: 'workload:shop/Deployment/web', port, protocol: 'TCP', flows: 1, forwarded: 1, sources: ['scrape-targets'] },
    { client: 'workload:monitoring/StatefulSet/prometheus', server: 'workload:shop/StatefulSet/db', port, protocol: 'TCP', flows: 1, forwarded: 1, sources: ['scrape-targets'] },
  ].sort((a, b) => a.server.localeCompare(b.server)));
});

test('a scrape counts once: the next pass adds only scrapes made since', async () => {
  const before = edges();
  // Two passes in a row, before Prometheus scrapes again (1 s): the second finds nothing new.
  const t0 = Date.now();
  const a = await runPass({ db, api, settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  const b = await runPass({ db, api, settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  const flows = (x: typeof before) => x.reduce((n, e) => n + e.flows, 0);
  const after1 = edges();
  // Each target is counted at most once per scrape it made: at most 2 new flows per second elapsed, and
  // at least one pass finds nothing new when both ran within the same scrape interval.
  assert.ok(flows(after1) - flows(before) <= 2 * Math.ceil((Date.now() - t0) / 1000 + 1));
  assert.equal(a.status, 'done');
  assert.equal(b.status, 'done');
  await new Promise((r) => setTimeout(r, 2_100));
  const c = await runPass({ db, api, settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  assert.equal(c.accepted, 2, 'both targets were scraped again since the last pass');
  assert.equal(flows(edges()), flows(after1) + 2);
});

test('more active targets than maxSeries: skipped and said (too-many-series), and the pass is not failed — the targets have no window to move past, so failing would fail every pass for good', async () => {
  await scraped();
  const capped = resolvePrometheusConfig({ url: prom.url, families: ['targets'], scraper: { workload: 'monitoring/StatefulSet/prometheus' }, maxSeries: 1 });
  const before = edges();
  for (let pass = 0; pass < 2; pass++) {
    const summary = await runPass({ db, api: new PrometheusApi(capped), settings: capped, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
    assert.equal(summary.status, 'done', JSON.stringify(summary));
    const row = summary.queries.find((q) => q.query === 'targets')!;
    assert.deepEqual([row.status, row.errorKind, row.series], ['skipped', 'too-many-series', 2]);
    assert.match(row.error ?? '', /^2 active targets, more than maxSeries 1: not read/);
  }
  assert.deepEqual(edges(), before, 'nothing counted');
});
