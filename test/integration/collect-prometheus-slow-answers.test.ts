/**
 * Answers that never end: a server that trickles a valid query_range answer (one more series
 * every 200 ms, never idle long enough for a socket idle timeout) and one that floods an endless
 * answer as fast as it can. `timeout` is the whole request's deadline, not the socket's idle time
 * (axios's `timeout` is ClientRequest#setTimeout, an idle timeout: nodejs.org/api/http.html
 * "request.setTimeout"), and `maxResponseBytes` bounds what one answer may hold in memory (axios
 * buffers the whole body before Prometheus's series can be counted). Both fail the query with a
 * message naming it and the limit; the collector counts it and retries.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Backoff } from '../../collectors/backoff.ts';
import { PrometheusApi, PrometheusError } from '../../collectors/prometheus/client.ts';
import { PrometheusCollector } from '../../collectors/prometheus/collector.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass, type PassSummary } from '../../collectors/prometheus/pass.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { tmpDb } from '../helpers/tmp.ts';

const HEAD = '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}';
const SERIES = ',{"metric":{"a":"1"},"values":[[1,"1"]]}';
const TARGETS_HEAD = '{"status":"success","data":{"activeTargets":[{"discoveredLabels":{},"labels":{},"scrapePool":"p","scrapeUrl":"http://10.0.0.1:9100/metrics","health":"up","lastScrape":"2026-01-15T10:00:00Z"}';
const TARGET = ',{"discoveredLabels":{"__address__":"10.0.0.1:9100"},"labels":{},"scrapePool":"p","scrapeUrl":"http://10.0.0.1:9100/metrics","health":"up","lastScrape":"2026-01-15T10:00:00Z"}';

/** One more series every 200 ms, for ever (until the client goes away). */
function trickle(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write(HEAD);
  const timer = setInterval(() => res.write(SERIES), 200);
  res.once('close', () => clearInterval(timer));
}

/** An endless answer as fast as the client reads it (writes wait for `drain`: the server's memory stays flat). */
function flood(req: IncomingMessage, res: ServerResponse): void {
  const targets = (req.url ?? '').includes('/targets');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write(targets ? TARGETS_HEAD : HEAD);
  const chunk = Buffer.from((targets ? TARGET : SERIES).repeat(2_000));
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests };
}

const trickling = await serve(trickle);
const flooding = await serve(flood);
const quiet = pino({ level: 'silent' });

test('timeout bounds the whole request: an answer still trickling in after `timeout` fails as a timeout naming the URL and the limit', { timeout: 5_000 }, async () => {
  const api = new PrometheusApi(resolvePrometheusConfig({ url: trickling.url, timeout: '1s', families: ['hubble'] }));
  const started = Date.now();
  const err = await api.range('up', 60_000, 120_000, 60_000).then(
    () => assert.fail('an answer that never ends was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PrometheusError, String(err));
  assert.equal(err.kind, 'timeout');
  assert.match(err.message, new RegExp(`${trickling.url}/api/v1/query_range`));
  assert.match(err.message, /within the timeout of 1s/);
  assert.ok(Date.now() - started < 2_500, `gave up after ${Date.now() - started} ms`);
});

test('under the collector loop, a trickling answer fails each pass as a timeout: counted, in lastError, retried', { timeout: 5_000 }, async () => {
  const { db } = tmpDb();
  const settings = resolvePrometheusConfig({ url: trickling.url, timeout: '1s', families: ['hubble'], delay: '0s', lookback: '10m' });
  const passes: (PassSummary | Error)[] = [];
  let wake: (() => void) | undefined;
  const collector = new PrometheusCollector(settings, { db, logger: quiet, now: () => Date.UTC(2026, 0, 15, 10), ingest: DEFAULT_INGEST_LIMITS }, {
    backoff: new Backoff({ initialMs: 1_000, maxMs: 8_000, random: () => 0.5 }),
    sleep: (_ms, signal) =>
      new Promise<void>((r) => {
        wake = r;
        signal.addEventListener('abort', () => r(), { once: true });
      }),
    onPass: (s) => passes.push(s),
  });
  await collector.start();
  while (passes.length < 1) await new Promise((r) => setTimeout(r, 10));
  wake?.();
  while (passes.length < 2) await new Promise((r) => setTimeout(r, 10));
  const status = collector.status();
  await collector.stop();
  const last = passes.at(-1) as PassSummary;
  assert.equal(last.status, 'failed');
  assert.equal(last.queries[0]?.errorKind, 'timeout');
  assert.equal(status.state, 'starting');
  assert.equal(status.counters.failed_passes, 2);
  assert.ok((status.counters.errors_timeout ?? 0) >= 2, JSON.stringify(status.counters));
  assert.match(status.lastError ?? '', /did not complete within the timeout of 1s/);
});

test('maxResponseBytes bounds a query_range answer: an endless answer is cut at the limit, refused naming the query and the limit', { timeout: 5_000 }, async () => {
  const settings = resolvePrometheusConfig({ url: flooding.url, timeout: '30s', maxSeries: 100, families: ['hubble'] });
  assert.equal(settings.maxResponseBytes, 100 * 16 * 1024, 'the default: maxSeries × 16 KiB');
  const api = new PrometheusApi(settings);
  const heapBefore = process.memoryUsage().heapUsed;
  const err = await api.range('sum(flood)', 60_000, 120_000, 60_000).then(
    () => assert.fail('an endless answer was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PrometheusError, String(err));
  assert.equal(err.kind, 'too-large');
  assert.match(err.message, /"sum\(flood\)"/);
  assert.match(err.message, /more than maxResponseBytes 1638400/);
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 100 * 1024 * 1024, 'memory stays bounded');
});

test('a pass against an endless answer: the query failed (too-large), split down to one step and still too large, each part skipped and named; the targets call is bounded too and skipped', { timeout: 5_000 }, async () => {
  const { db } = tmpDb();
  const settings = resolvePrometheusConfig({
    url: flooding.url,
    maxResponseBytes: 64 * 1024,
    families: ['hubble', 'targets'],
    scraper: { workload: 'monitoring/StatefulSet/prometheus' },
    delay: '0s',
    lookback: '10m',
  });
  const s = await runPass({ db, api: new PrometheusApi(settings), settings, now: Date.UTC(2026, 0, 15, 10), limits: DEFAULT_INGEST_LIMITS });
  const hubble = s.queries.filter((q) => q.family === 'hubble');
  assert.ok(hubble.length > 0);
  for (const q of hubble) {
    assert.equal(q.status, 'failed', JSON.stringify(q));
    assert.equal(q.errorKind, 'too-large');
    assert.match(q.error ?? '', /more than maxResponseBytes 65536.*; 10 part\(s\) of this window could not be read even split \(0 read\), their flows not counted$/);
    assert.deepEqual(q.unread?.map((u) => Date.parse(u.to) - Date.parse(u.from)), Array(10).fill(60_000), 'halved down to one step each');
  }
  const targets = s.queries.find((q) => q.family === 'targets');
  assert.equal(targets?.status, 'skipped', JSON.stringify(targets));
  assert.equal(targets?.errorKind, 'too-large');
  assert.match(targets?.error ?? '', /targets.*more than maxResponseBytes 65536/);
  assert.ok(flooding.requests.some((u) => u.startsWith('/api/v1/targets')));
});

test('maxResponseBytes: configurable, checked at the door', () => {
  assert.equal(resolvePrometheusConfig({ url: 'http://p:9090', maxResponseBytes: 5_000_000 }).maxResponseBytes, 5_000_000);
  assert.equal(resolvePrometheusConfig({ url: 'http://p:9090' }).maxResponseBytes, 256 * 1024 * 1024, 'maxSeries 50,000 × 16 KiB, capped at 256 MiB');
  assert.throws(() => resolvePrometheusConfig({ url: 'http://p:9090', maxResponseBytes: 2 ** 30 }), /collectors\.prometheus\.maxResponseBytes: 1073741824 is more than 536870888/);
});

test('stop() during a request to a server that never answers aborts the request and returns at once, not after `timeout`; the pass is not logged as a failure', { timeout: 5_000 }, async () => {
  const silentServer = await serve(() => undefined);
  const { db } = tmpDb();
  const settings = resolvePrometheusConfig({ url: silentServer.url, timeout: '30s', families: ['hubble'], delay: '0s', lookback: '10m' });
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
  const collector = new PrometheusCollector(settings, { db, logger, now: () => Date.UTC(2026, 0, 15, 10), ingest: DEFAULT_INGEST_LIMITS });
  await collector.start();
  while (silentServer.requests.length < 1) await new Promise((r) => setTimeout(r, 5));
  const started = Date.now();
  await collector.stop();
  const took = Date.now() - started;
  assert.ok(took < 150, `stop() took ${took} ms`);
  assert.equal(collector.status().state, 'stopped');
  assert.deepEqual(warnings, [], 'a shutdown is no source failure');
});
