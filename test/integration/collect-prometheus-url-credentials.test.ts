/**
 * Credentials in the Prometheus URL (`http://user:pass@host`) authenticate as Basic auth, as the
 * HTTP client would send them (axios lib/adapters/http.js: the URL's decoded username:password),
 * and never reach what the URL names: the ingest run's source, the query cursors, the pass
 * summary — which read-scoped tokens see in reports. A server in this test answers as Prometheus
 * and records what it was sent.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { PrometheusConfigError, resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { runPass } from '../../collectors/prometheus/pass.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';
import { tmpDb } from '../helpers/tmp.ts';

const seen: (string | undefined)[] = [];
const server = createServer((req, res) => {
  seen.push(req.headers.authorization);
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
after(() => server.close());
const port = (server.address() as AddressInfo).port;

test('URL credentials are sent as Basic auth and kept out of the URL the collector is named by', async () => {
  const settings = resolvePrometheusConfig({ url: `http://promuser:Super%20Secret@127.0.0.1:${port}/prom`, families: ['hubble'], delay: '0s' });
  assert.equal(settings.url, `http://127.0.0.1:${port}/prom`);
  const { db } = tmpDb();
  const summary = await runPass({ db, api: new PrometheusApi(settings), settings, now: Date.now(), limits: DEFAULT_INGEST_LIMITS });
  assert.equal(summary.status, 'done', JSON.stringify(summary));
  assert.ok(seen.length > 0 && seen.every((h) => h === `Basic ${Buffer.from('promuser:Super Secret').toString('base64')}`), JSON.stringify(seen));
  const stored = JSON.stringify([db.prepare('SELECT source FROM ingest_runs').all(), db.prepare('SELECT * FROM prometheus_cursors').all(), summary]);
  assert.doesNotMatch(stored, /Super|promuser/);
  assert.throws(() => resolvePrometheusConfig({ url: `http://user:p%zz@127.0.0.1:${port}` }), (e: unknown) => e instanceof PrometheusConfigError && /collectors\.prometheus\.url: the credentials in the URL hold a %/.test(e.message) && !e.message.includes('p%zz'));
  assert.throws(() => resolvePrometheusConfig({ url: `http://u:p@127.0.0.1:${port}`, authorization: 'Bearer x' }), (e: unknown) => e instanceof PrometheusConfigError && /credentials in the URL and collectors\.prometheus\.authorization are exclusive/.test(e.message));
});
