/**
 * A partial answer: Thanos Query (partial response on by default) and Prometheus with remote read
 * answer `success` with a `warnings` entry when a store did not answer (Prometheus HTTP API,
 * "Format overview": "warnings" … "only set if there were warnings while executing the request").
 * Counting it as the whole window would lose the rest for good: the query fails with kind
 * `partial`, its cursor stays, and the next pass reads the window again. A real Prometheus behind
 * a relay this test controls, which adds the warning to its answer.
 */
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { EdgeStore } from '../../store/edges.ts';
import { backfill, freePort, startPrometheus } from '../helpers/prometheus.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const END = T0 + 10 * 60_000;
const labels = 'protocol="TCP",port="5432",source_namespace="shop",source_workload="web",source_workload_kind="Deployment",destination_namespace="shop",destination_workload="db",destination_workload_kind="StatefulSet"';
const lines: string[] = [];
for (let t = T0, v = 0; t <= END; t += 15_000, v += 4) lines.push(`hubble_port_distribution_total{${labels}} ${v} ${t / 1000}`);
const dataDir = join(tmpDir('flowmatrix-tsdb-'), 'data');
backfill(`${lines.join('\n')}\n# EOF\n`, dataDir);
const prom = await startPrometheus({ dataDir });

let warn = true;
const relay = createServer((req, res) => {
  // Without accept-encoding: the answer comes uncompressed, to be rewritten.
  const { 'accept-encoding': _, ...headers } = req.headers;
  const up = request(`${prom.url}${req.url}`, { method: req.method, headers }, (r) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      // What Thanos answers with a store down: success, the series it has, and a warning.
      if (warn) Object.assign(body, { warnings: ['partial response: store 10.0.0.9:10901 unavailable'], data: { resultType: 'matrix', result: [] } });
      res.writeHead(r.statusCode ?? 502, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  req.pipe(up);
});
const port = await freePort();
await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
after(() => relay.close());

test('an answer with warnings fails the query (partial) and keeps its cursor; the next pass counts the whole window', async () => {
  const settings = resolvePrometheusConfig({ url: `http://127.0.0.1:${port}`, step: '1m', lookback: '10m', delay: '0s', families: ['hubble'] });
  const { db } = tmpDb();
  const first = await runPass({ db, api: new PrometheusApi(settings), settings, now: END, limits: DEFAULT_INGEST_LIMITS });
  const q = first.queries.find((x) => x.query.startsWith('hubble_port_distribution_total'))!;
  assert.equal(first.status, 'failed');
  assert.deepEqual([q.status, q.errorKind], ['failed', 'partial']);
  assert.match(q.error ?? '', /partial response: store 10\.0\.0\.9:10901 unavailable/);
  assert.equal(new EdgeStore(db).count(), 0);
  warn = false;
  const second = await runPass({ db, api: new PrometheusApi(settings), settings, now: END, limits: DEFAULT_INGEST_LIMITS });
  assert.equal(second.status, 'done');
  const edge = new EdgeStore(db).list()[0];
  // 10 one-minute steps of 16 flows each: the window the first pass could not count.
  assert.equal(edge?.flows, 160);
});
