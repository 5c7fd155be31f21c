/**
 * Simulations and matrix validations (read scope, bodies up to server.maxBodyBytes) are admitted
 * up to one per recommendation worker plus `recommendations.maxQueued` waiting; past that they
 * answer 503 with Retry-After before their body is read, so a burst of them cannot fill the
 * heap or the workers' queue.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createApp } from '../../server/app.ts';
import { openDb } from '../../store/db.ts';
import { testContext } from '../helpers/service.ts';

async function post(base: string, path: string, type: string, body: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

test('past workers + maxQueued, a simulate or validate answers 503 with Retry-After before its body is read; a finished one frees its place', async () => {
  const { app } = createApp(testContext(openDb(':memory:'), ':memory:', { recommendationWorkers: 1, recommendationMaxQueued: 1 }));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const requests: ReturnType<typeof httpRequest>[] = [];
  try {
    // Two uploads in progress (their bodies not finished): the one place of the worker and the one of the queue.
    const slow = ['/api/v1/simulate', '/api/v1/matrices/validate'].map((path) => {
      const req = httpRequest(`${base}${path}`, { method: 'POST', headers: { 'content-type': path.endsWith('validate') ? 'application/yaml' : 'application/json' } });
      const answered = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
      answered.catch(() => undefined); // destroyed when the test fails first
      requests.push(req);
      req.write(path.endsWith('validate') ? 'apiVersion: x\n' : '{"engine": "kubernetes", "policies": [], ');
      return { req, answered };
    });
    await new Promise((r) => setTimeout(r, 100));
    for (const [path, type, body] of [
      ['/api/v1/simulate', 'application/json', '{"engine": "kubernetes", "policies": [], "flows": []}'],
      ['/api/v1/matrices/validate', 'application/yaml', 'apiVersion: x\n'],
    ] as const) {
      const res = await post(base, path, type, body);
      assert.equal(res.status, 503, `${path}: ${res.body}`);
      assert.equal(res.headers['retry-after'], '5');
      const problem = JSON.parse(res.body) as { type: string; detail: string };
      assert.equal(problem.type, 'https://flowmatrix.io/problems/unavailable');
      assert.match(problem.detail, /^2 simulations and matrix validations are already running or waiting \(recommendations\.workers \+ recommendations\.maxQueued\): retry in 5 s$/);
    }
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'other requests are not limited');
    slow[0]!.req.end('"flows": []}');
    slow[1]!.req.end('kind: y\n');
    assert.deepEqual(await Promise.all(slow.map((s) => s.answered)), [200, 200]);
    const again = await post(base, '/api/v1/simulate', 'application/json', '{"engine": "kubernetes", "policies": [], "flows": []}');
    assert.equal(again.status, 200, again.body);
  } finally {
    for (const r of requests) r.destroy();
    server.closeAllConnections();
    server.close();
  }
});
