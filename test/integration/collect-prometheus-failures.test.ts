/**
 * A failing Prometheus: the collector's loop (as `serve` runs it) against a real Prometheus
 * behind a relay this test controls, which answers HTTP 500, then an HTML page, then refuses
 * connections, then passes requests through. Each failure is counted and retried with backoff,
 * logged once for the whole episode, nothing stored is lost, and once Prometheus answers again
 * the missed window is collected from the query cursors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { importInventory } from '../../app/inventory.ts';
import { Backoff } from '../../collectors/backoff.ts';
import { PrometheusCollector } from '../../collectors/prometheus/collector.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import type { PassSummary } from '../../collectors/prometheus/pass.ts';
import { EdgeStore } from '../../store/edges.ts';
import { backfill, freePort, startPrometheus } from '../helpers/prometheus.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);
const END = T0 + 20 * 60_000;
const lines: string[] = [];
for (let t = T0, v = 0; t <= END; t += 15_000, v++) {
  lines.push(`hubble_port_distribution_total{protocol="TCP",port="5432",source_namespace="shop",source_workload="web",source_workload_kind="Deployment",destination_namespace="shop",destination_workload="db",destination_workload_kind="StatefulSet"} ${v} ${t / 1000}`);
}
const dataDir = join(tmpDir('flowmatrix-tsdb-'), 'data');
backfill(`${lines.join('\n')}\n# EOF\n`, dataDir);
const prom = await startPrometheus({ dataDir });

/** What the relay does with the next request. */
let mode: 'http-500' | 'html' | 'pass' = 'http-500';
let relay: Server | undefined;
const relayPort = await freePort();
function startRelay(): Promise<void> {
  relay = createServer((req, res) => {
    if (mode === 'http-500') {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"status":"error","errorType":"internal","error":"query processing would load too many samples"}');
    } else if (mode === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    } else {
      const up = request(`${prom.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    }
  });
  return new Promise((r) => relay?.listen(relayPort, '127.0.0.1', r));
}
const stopRelay = (): Promise<void> =>
  new Promise((r) => {
    if (!relay?.listening) return r();
    relay.close(() => r());
    relay.closeAllConnections();
  });
await startRelay();
after(stopRelay);

const db = tmpDb().db;
importInventory(db, { text: readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8'), takenAt: T0 - 3_600_000, source: 'cluster.json' });

const logs: { level: number; msg: string }[] = [];
const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logs.push(JSON.parse(String(chunk))), done()) }));

test('HTTP 500, an HTML answer, a refused connection: counted, retried with backoff, logged once; then the missed window is collected', async () => {
  let now = T0 + 10 * 60_000;
  const passes: (PassSummary | Error)[] = [];
  const waits: number[] = [];
  let wake: (() => void) | undefined;
  const settings = resolvePrometheusConfig({ url: `http://127.0.0.1:${relayPort}`, step: '1m', lookback: '10m', delay: '0s', interval: '5m', families: ['hubble'], timeout: '5s' });
  const collector = new PrometheusCollector(settings, { db, logger, now: () => now, ingest: DEFAULT_INGEST_LIMITS }, {
    // Backoff's upper bound each time (random → 1): the doubling is visible, nothing waits for real.
    backoff: new Backoff({ initialMs: 1_000, maxMs: 8_000, random: () => 0.999_999 }),
    sleep: (ms, signal) => {
      waits.push(ms);
      return new Promise<void>((r) => {
        wake = r;
        signal.addEventListener('abort', () => r(), { once: true });
      });
    },
    onPass: (s) => {
      if (process.env.DEBUG_PROM) console.error("pass", JSON.stringify(s instanceof Error ? s.message : s.queries.map((q) => [q.status, q.errorKind, q.from])));
      passes.push(s);
    },
  });
  const step = async (): Promise<PassSummary> => {
    const n = passes.length;
    if (n > 0) wake?.();
    else await collector.start();
    while (passes.length === n) await new Promise((r) => setTimeout(r, 10));
    return passes.at(-1) as PassSummary;
  };

  const p1 = await step();
  assert.equal(p1.status, 'failed');
  assert.equal(p1.queries[0]?.errorKind, 'http');
  mode = 'html';
  const p2 = await step();
  assert.equal(p2.queries[0]?.errorKind, 'bad-response');
  await stopRelay();
  const p3 = await step();
  assert.equal(p3.queries[0]?.errorKind, 'unreachable');
  assert.ok(p3.queries.slice(1).every((q) => q.status === 'failed' && q.errorKind === 'unreachable'), 'an unreachable server is not asked again in the same pass');
  assert.ok(p3.queries.slice(1).every((q) => q.error?.startsWith('not asked: the server did not answer the query before')), JSON.stringify(p3.queries.slice(1).map((q) => q.error)));
  assert.deepEqual(waits, [999, 1999, 3999], 'capped exponential backoff');
  assert.equal(new EdgeStore(db).count(), 0);

  let status = collector.status();
  assert.equal(status.counters.failed_passes, 3);
  assert.equal(status.counters.errors_http, 3, 'one per failed query (three Hubble queries)');
  assert.equal(status.counters.errors_bad_response, 3);
  assert.equal(status.gauges?.consecutive_failures, 3);
  assert.match(status.lastError ?? '', /ECONNREFUSED|ECONNRESET/);
  assert.equal(logs.filter((l) => l.msg.startsWith('prometheus pass failed')).length, 1, 'logged once per episode');
  // Retrying is `starting` (flowmatrix_collector_up 0), not `running` (docs/operations.md).
  assert.equal(status.state, 'starting');

  // Prometheus answers again, 10 minutes later: the whole window since the first pass is collected.
  mode = 'pass';
  await startRelay();
  now = END;
  const p4 = await step();
  assert.equal(p4.status, 'done', JSON.stringify(p4.queries));
  assert.equal(p4.queries[0]?.from, new Date(T0).toISOString());
  status = collector.status();
  assert.equal(status.lastSuccess, END);
  assert.equal(status.lastError, undefined);
  assert.equal(status.gauges?.consecutive_failures, 0);
  assert.equal(status.state, 'running');
  assert.equal(logs.filter((l) => l.msg === 'prometheus reachable again').length, 1);
  const [edge] = new EdgeStore(db).list();
  assert.equal(edge?.flows, 80, '4 per minute over the 20 minutes (T0, END]');
  assert.equal(waits.at(-1), settings.intervalMs, 'back to the interval after a success');

  // A failure after success: what is stored stays.
  mode = 'http-500';
  now = END + 5 * 60_000;
  const p5 = await step();
  assert.equal(p5.status, 'failed');
  assert.equal(new EdgeStore(db).list()[0]?.flows, 80);
  assert.equal(logs.filter((l) => l.msg.startsWith('prometheus pass failed')).length, 2, 'a new episode logs once more');
  assert.equal(collector.status().state, 'starting');
  await collector.stop();
  await collector.stop();
  assert.equal(collector.status().state, 'stopped');
});
