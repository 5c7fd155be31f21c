/**
 * Whole-cluster work under load: a computation nobody waits for any more is dropped (queued) or
 * cancelled (running), never one another client still waits for; past
 * `recommendations.maxQueuedWholeCluster` waiting, another whole-cluster computation answers 503;
 * and small work (a namespace's export, a simulation, …) never waits behind whole-cluster work.
 * The workers run a stand-in for the recommendation worker: a whole-cluster job runs until it is
 * cancelled, a small one answers at once, so every state is reached without real computations.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { get as httpGet, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../server/app.ts';
import { configFor } from '../../server/config/load.ts';
import { HttpProblem } from '../../server/http/problem.ts';
import { useExecutor } from '../../server/services/compute.ts';
import { WorkerPool, type PoolState } from '../../server/services/recommendation-pool.ts';
import type { RecommendationQuery } from '../../server/services/recommendation-responses.ts';
import { openDb } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { testContext } from '../helpers/service.ts';

const dbPath = await demoDb();

/** The stand-in worker: a whole-cluster recommendation never ends by itself; anything else answers at once. */
const STAND_IN_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (job) => {
  const o = job.kind === 'respond' ? job.query.options : {};
  if (job.kind === 'respond' && o.namespace === undefined && o.workload === undefined) return;
  const body = Buffer.from('small answer');
  parentPort.postMessage({ id: job.id, ok: true, response: { contentType: 'text/plain', headers: {}, body: [body], bytes: body.length } });
});`;

const OPTIONS = { mode: 'union', egress: true, defaultDeny: false, shared: false, includeMay: false } as const;
const whole = (staleDays: number): RecommendationQuery => ({ kind: 'export', engine: 'calico', options: { ...OPTIONS, staleDays }, format: 'yaml', allowUnverified: true, filename: 'x' });
const namespaced: RecommendationQuery = { kind: 'export', engine: 'calico', options: { ...OPTIONS, staleDays: 30, namespace: 'shop' }, format: 'yaml', allowUnverified: true, filename: 'x' };

function standInPool(size: number, maxQueuedWholeCluster: number): WorkerPool {
  return new WorkerPool({ dbPath: ':memory:', matrices: {}, reports: { settings: configFor().reports, staleDays: 30 } }, { size, maxQueuedWholeCluster, bootstrap: STAND_IN_WORKER }, pino({ level: 'silent' }));
}

/** Waits (generously) until the pool's state satisfies `ok`. */
async function until(pool: WorkerPool, ok: (s: PoolState) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!ok(pool.state)) {
    if (Date.now() > deadline) assert.fail(`${what}: the pool stayed ${JSON.stringify(pool.state)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the pool: small work runs beside whole-cluster work, the whole-cluster queue is bounded, abandoned work is withdrawn or cancelled', async () => {
  const pool = standInPool(2, 1);
  try {
    const first = new AbortController();
    const second = new AbortController();
    const running = pool.execute(whole(11), first.signal);
    const queued = pool.execute(whole(12), second.signal);
    running.catch(() => undefined);
    queued.catch(() => undefined);
    await until(pool, (s) => s.running.wholeCluster === 1 && s.queued.wholeCluster === 1, 'one whole-cluster job on a worker, one waiting');
    // A worker is kept for small work: a namespace's export is answered while both whole-cluster jobs are in.
    assert.equal((await pool.execute(namespaced)).bytes, 'small answer'.length);
    await assert.rejects(pool.execute(whole(13)), (e: unknown) => {
      assert.ok(e instanceof HttpProblem && e.status === 503, String(e));
      assert.equal(e.headers['Retry-After'], '5');
      assert.match(e.message, /^1 whole-cluster .* already waiting .*\(recommendations\.maxQueuedWholeCluster\b.*: retry in 5 s$/);
      return true;
    });
    // The nightly report is the service's own: past the bound it waits its turn, never refused (a manual one is).
    const manual = pool.report({ trigger: 'manual', generatedAt: 0 });
    await assert.rejects(manual, (e: unknown) => e instanceof HttpProblem && e.status === 503);
    const nightly = pool.report({ trigger: 'schedule', generatedAt: 0 });
    nightly.catch(() => undefined);
    await until(pool, (s) => s.queued.wholeCluster === 2, 'the nightly report waiting behind the queued export');
    second.abort();
    await assert.rejects(queued, { name: 'AbortError' });
    await until(pool, (s) => s.queued.wholeCluster === 1 && s.withdrawn === 1, 'the abandoned waiting job withdrawn');
    first.abort();
    await assert.rejects(running, { name: 'AbortError' });
    await until(pool, (s) => s.running.wholeCluster === 0 && s.cancelled === 1, 'the abandoned running job cancelled');
    // Its worker was replaced: the pool goes on.
    assert.equal((await pool.execute(namespaced)).bytes, 'small answer'.length);
    const next = pool.execute(whole(14));
    next.catch(() => undefined);
    await until(pool, (s) => s.running.wholeCluster === 1, 'the next whole-cluster job runs');
  } finally {
    await pool.close();
  }
});

/** A GET whose client can hang up; its status once answered. */
function start(base: string, path: string): { req: ClientRequest; status: Promise<number> } {
  const req = httpGet(`${base}${path}`);
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  status.catch(() => undefined); // hung up on purpose
  return { req, status };
}

test('over HTTP: a whole-cluster export whose clients all hung up is withdrawn or cancelled, one another client shares is not; past the limit 503; a namespace export is not held up', async () => {
  const ctx = testContext(openDb(dbPath), dbPath, { recommendationWorkers: 2, recommendationMaxQueuedWholeCluster: 1 });
  const pool = standInPool(2, 1);
  useExecutor(ctx, pool);
  const { app, close } = createApp(ctx);
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const exportOf = (staleDays: number): string => `/api/v1/export?engine=calico&staleDays=${staleDays}`;
  try {
    const a1 = start(base, exportOf(11));
    await until(pool, (s) => s.running.wholeCluster === 1, 'the first whole-cluster export running');
    const a2 = start(base, exportOf(11)); // the same export: shares the running computation
    const b = start(base, exportOf(12));
    await until(pool, (s) => s.queued.wholeCluster === 1, 'the second whole-cluster export waiting');

    const refused = await fetch(`${base}${exportOf(13)}`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.match(((await refused.json()) as { detail: string }).detail, /recommendations\.maxQueuedWholeCluster/);
    const small = await fetch(`${base}${exportOf(30)}&namespace=shop`);
    assert.equal(small.status, 200);
    assert.equal(await small.text(), 'small answer');

    a1.req.destroy(); // a2 still waits for the same computation
    b.req.destroy(); // nobody else waits for this one
    await until(pool, (s) => s.queued.wholeCluster === 0 && s.withdrawn === 1, 'the abandoned waiting export withdrawn');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual([pool.state.running.wholeCluster, pool.state.cancelled], [1, 0], 'the shared computation goes on for the client still waiting');
    a2.req.destroy();
    await until(pool, (s) => s.running.wholeCluster === 0 && s.cancelled === 1, 'the computation nobody waits for cancelled');

    // The duration histogram holds only the computation that answered (the namespace's export):
    // not the withdrawn, cancelled or refused ones, which the abandoned counter says instead.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^flowmatrix_recommendation_duration_seconds_count\{engine="calico",kind="export"\} 1$/m);
    assert.match(metrics, /^flowmatrix_recommendation_abandoned_total\{outcome="withdrawn"\} 1$/m);
    assert.match(metrics, /^flowmatrix_recommendation_abandoned_total\{outcome="cancelled"\} 1$/m);
  } finally {
    server.closeAllConnections();
    server.close();
    await close();
    ctx.db.close();
  }
});
