/**
 * A connection dropped before any answer (ECONNRESET: a kept-alive connection the server closed for
 * idleness as the request went out, or a proxy restarting) is asked again once: every request of
 * the Prometheus client is a GET, which a client "MAY automatically retry … after a communication
 * failure" (RFC 9110 §9.2.2). A server that drops every connection is still unreachable, asked twice
 * and no more; a refused connection (nothing listening) is not asked again
 * (collect-prometheus-failures.test.ts counts it).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { PrometheusApi, PrometheusError } from '../../collectors/prometheus/client.ts';
import { resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { freePort } from '../helpers/prometheus.ts';

/** How many of the next requests the stand-in drops without an answer; the others get an empty target list. */
let drop = 0;
let requests = 0;
const stand = createServer((req, res) => {
  requests++;
  if (drop > 0) {
    drop--;
    req.socket.destroy();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'success', data: { activeTargets: [], droppedTargets: [] } }));
});
const port = await freePort();
await new Promise<void>((r) => stand.listen(port, '127.0.0.1', r));
after(() => new Promise<void>((r) => stand.close(() => r())));

const api = () => new PrometheusApi(resolvePrometheusConfig({ url: `http://127.0.0.1:${port}`, families: ['targets'], scraper: { ip: '10.0.1.11' } }));

test('one connection dropped before the answer: asked again, answered', async () => {
  drop = 1;
  requests = 0;
  assert.deepEqual(await api().activeTargets(), []);
  assert.equal(requests, 2);
});

test('every connection dropped: unreachable after the second attempt, naming the reset', async () => {
  drop = 5;
  requests = 0;
  await assert.rejects(api().activeTargets(), (e: unknown) => e instanceof PrometheusError && e.kind === 'unreachable' && /ECONNRESET/.test(e.message));
  assert.equal(requests, 2);
  drop = 0;
});
