/**
 * A window whose answer is past maxSeries is read in parts against a real Prometheus: split by the
 * values of the query's grouping labels (namespaces first), each part a selector that the others
 * exclude, so that every series is read exactly once and every flow counted as an unlimited pass
 * counts it. A shorter time range would not help: `sum by (…) (increase(…))` over a range answers
 * every series that had a point anywhere in it, and workload-level series live for days.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { importInventory } from '../../app/inventory.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { PrometheusCollector } from '../../collectors/prometheus/collector.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass, type PassSummary } from '../../collectors/prometheus/pass.ts';
import { PrometheusStore } from '../../collectors/prometheus/store.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { peerKey } from '../../domain/peer.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { backfill, startPrometheus } from '../helpers/prometheus.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const MINUTES = 20;
const END = T0 + MINUTES * 60_000;

function series(name: string, labels: Record<string, string>, perStep = 1): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const lines: string[] = [];
  for (let t = T0, v = 1000; t <= END; t += 15_000, v += perStep) lines.push(`${name}{${l}} ${v} ${t / 1000}`);
  return lines.join('\n');
}

const ctx = (src: string, dst: string): Record<string, string> => {
  const [sns, sw, sk] = src.split('/') as [string, string, string];
  const [dns, dw, dk] = dst.split('/') as [string, string, string];
  return { source_namespace: sns, source_workload: sw, source_workload_kind: sk, destination_namespace: dns, destination_workload: dw, destination_workload_kind: dk };
};
const WEB = 'shop/web/Deployment';
const DB = 'shop/db/StatefulSet';
const CHECKOUT = 'shop/checkout/Deployment';
const DNS = 'kube-system/coredns/Deployment';
const EXPORTER = 'monitoring/node-exporter/DaemonSet';

const FIXTURE = [
  series('hubble_port_distribution_total', { protocol: 'TCP', port: '5432', ...ctx(WEB, DB) }),
  series('hubble_port_distribution_total', { protocol: 'TCP', port: '5432', ...ctx(CHECKOUT, DB) }, 2),
  series('hubble_port_distribution_total', { protocol: 'TCP', port: '8080', ...ctx(CHECKOUT, WEB) }, 3),
  series('hubble_port_distribution_total', { protocol: 'UDP', port: '53', ...ctx(WEB, DNS) }, 4),
  series('hubble_port_distribution_total', { protocol: 'UDP', port: '53', ...ctx(CHECKOUT, DNS) }, 5),
  series('hubble_port_distribution_total', { protocol: 'TCP', port: '9100', ...ctx(WEB, EXPORTER) }, 6),
  // Named by address only (sourceContext/destinationContext = ip): no namespace label at all.
  series('hubble_port_distribution_total', { protocol: 'UDP', port: '53', source: '10.244.0.10', destination: '10.244.0.5' }, 7),
].join('\n');

const dataDir = join(tmpDir('flowmatrix-tsdb-'), 'data');
backfill(`${FIXTURE}\n# EOF\n`, dataDir);
const prom = await startPrometheus({ dataDir });

function freshDb(): Db {
  const db = tmpDb().db;
  importInventory(db, { text: readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8'), takenAt: T0 - 3_600_000, source: 'cluster.json' });
  return db;
}

async function pass(db: Db, maxSeries?: number): Promise<PassSummary> {
  const settings = resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: `${MINUTES}m`, delay: '0s', families: ['hubble'], ...(maxSeries === undefined ? {} : { maxSeries }) });
  return runPass({ db, api: new PrometheusApi(settings), settings, now: END, limits: DEFAULT_INGEST_LIMITS });
}

const edgesOf = (db: Db) => new EdgeStore(db).list().map((e) => [peerKey(e.client), peerKey(e.server), e.port, e.protocol, e.flows]);
const NAME = 'hubble_port_distribution_total{}';

test('a window past maxSeries is read in parts split by label values: every flow counted as an unlimited pass counts it, and the window is done', async () => {
  const wholeDb = freshDb();
  const whole = await pass(wholeDb);
  const partsDb = freshDb();
  const parts = await pass(partsDb, 2);
  const row = parts.queries.find((q) => q.query === NAME)!;
  assert.equal(row.status, 'done', JSON.stringify(row));
  assert.ok((row.parts ?? 1) > 1, `read in parts: ${row.parts}`);
  assert.equal(row.series, 7, 'every series, once');
  assert.equal(parts.status, 'done');
  for (const k of ['records', 'accepted', 'rejected', 'skipped', 'ambiguous', 'flows', 'edges'] as const) assert.equal(parts[k], whole[k], k);
  assert.ok(whole.flows > 0);
  assert.deepEqual(edgesOf(partsDb), edgesOf(wholeDb));
});

test('what cannot be read even split (one series over one step past maxResponseBytes) is skipped, each part logged naming the query, its range and its selector; the cursor moves past the window', async () => {
  const db = freshDb();
  const settings = resolvePrometheusConfig({ url: prom.url, step: '1m', lookback: '4m', delay: '0s', families: ['hubble'], maxResponseBytes: 200 });
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const summaries: PassSummary[] = [];
  const collector = new PrometheusCollector(settings, { db, logger, now: () => END, ingest: DEFAULT_INGEST_LIMITS }, { onPass: (s) => summaries.push(s as PassSummary) });
  await collector.once();
  const row = summaries[0]!.queries.find((q) => q.query === NAME)!;
  assert.deepEqual([row.status, row.errorKind], ['failed', 'too-large']);
  assert.ok((row.unread?.length ?? 0) > 0);
  assert.match(row.error ?? '', /part\(s\) of this window could not be read even split \([0-9]+ read\), their flows not counted$/);
  const logged = lines.filter((l) => l.query === NAME && /too large to read even split/.test(String(l.msg)));
  assert.equal(logged.length, row.unread!.length, 'one line per skipped part');
  const first = logged[0]!;
  assert.match(String(first.selector), /^hubble_port_distribution_total\{.+\}$/, 'the part names the series it selects');
  assert.ok(Date.parse(String(first.from)) >= END - 4 * 60_000 && Date.parse(String(first.to)) <= END, 'and its range');
  assert.equal(new PrometheusStore(db).cursor(settings.url, NAME), END, 'the window is not asked again');
});
