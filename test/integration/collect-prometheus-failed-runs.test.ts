/**
 * A failed pass's ingest run says why, as a Hubble Relay stream's does (docs/operations.md,
 * "Stored"): against a fake server answering 503, an answer that is not the API's, an answer
 * later than `timeout`, and a pass stopped mid-request, each run ends `failed` with the first
 * failed query and its reason in `error` — the same text as the collector's `lastError`.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { PrometheusCollector } from '../../collectors/prometheus/collector.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { IngestRunStore } from '../../store/ingest-runs.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.UTC(2026, 0, 15, 10);

type Answer = 'unavailable' | 'html' | 'proxy-unavailable' | 'silent';
let answer: Answer = 'unavailable';
let requests = 0;

function respond(_req: IncomingMessage, res: ServerResponse): void {
  requests++;
  if (answer === 'unavailable') {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end('{"status":"error","errorType":"unavailable","error":"the TSDB is starting"}');
  } else if (answer === 'html') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>502 Bad Gateway</body></html>');
  } else if (answer === 'proxy-unavailable') {
    // A proxy in front of Prometheus: its own page, not the API's JSON.
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('upstream connect error or disconnect/reset before headers');
  }
  // 'silent': taken and never answered.
}

const server = createServer(respond);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
after(
  () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
);
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const settings = resolvePrometheusConfig({ url, timeout: '1s', families: ['hubble'], delay: '0s', lookback: '10m' });

test('a failed pass stores its reason in its run\'s error: HTTP 503, an answer that is not the API\'s, a proxy\'s 503 page (its status named), an answer later than timeout', { timeout: 10_000 }, async () => {
  const { db } = tmpDb();
  const runs = new IngestRunStore(db);
  const expected: [Answer, RegExp][] = [
    ['unavailable', /HTTP 503: the TSDB is starting/],
    ['html', /the answer is not a Prometheus API response \(HTTP 200\)/],
    ['proxy-unavailable', /HTTP 503, with a body that is not a Prometheus API response/],
    ['silent', /did not complete within the timeout of 1s/],
  ];
  for (const [given, reason] of expected) {
    answer = given;
    const summary = await runPass({ db, api: new PrometheusApi(settings), settings, now: NOW, limits: DEFAULT_INGEST_LIMITS });
    assert.equal(summary.status, 'failed', given);
    const run = runs.get(summary.run);
    assert.equal(run?.status, 'failed', given);
    const first = summary.queries.find((q) => q.status === 'failed');
    assert.equal(run?.error, `${first?.query}: ${first?.error}`, given);
    assert.match(run?.error ?? '', reason, given);
  }
});

test('a pass stopped mid-request ends its run failed with the reason: abandoned, the collector is stopping', { timeout: 5_000 }, async () => {
  answer = 'silent';
  const { db } = tmpDb();
  const collector = new PrometheusCollector({ ...settings, timeoutMs: 30_000 }, { db, logger: pino({ level: 'silent' }), now: () => NOW, ingest: DEFAULT_INGEST_LIMITS });
  const before = requests;
  await collector.start();
  while (requests === before) await new Promise((r) => setTimeout(r, 5));
  await collector.stop();
  const [run] = new IngestRunStore(db).list(1);
  assert.equal(run?.status, 'failed');
  assert.match(run?.error ?? '', /abandoned: the collector is stopping/);
});

test('a pass the store stops half-way (a write refused) ends its run failed with that reason, not left running for the next start to call abandoned', { timeout: 5_000 }, async () => {
  answer = 'unavailable';
  const { db } = tmpDb();
  // The first pass anchors each query's cursor before asking anything: the store refuses it.
  db.exec(`CREATE TRIGGER refuse_cursor BEFORE INSERT ON prometheus_cursors BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  await assert.rejects(runPass({ db, api: new PrometheusApi(settings), settings, now: NOW, limits: DEFAULT_INGEST_LIMITS }), /database or disk is full/);
  const [run] = new IngestRunStore(db).list(1);
  assert.equal(run?.status, 'failed');
  assert.match(run?.error ?? '', /^the pass stopped: database or disk is full$/);
});
