/**
 * Whole-cluster recommendations never block the service: they run on worker threads,
 * identical concurrent requests share one computation, and answers are cached as bytes within
 * a byte budget. The demo cluster in a real SQLite file; the real worker threads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { HttpProblem } from '../../server/http/problem.ts';
import { ServiceMetrics } from '../../server/metrics.ts';
import { InlineExecutor, WorkerPool, type RecommendationExecutor, type ReportJobOptions } from '../../server/services/recommendation-pool.ts';
import { configFor } from '../../server/config/load.ts';
import type { Report } from '../../reports/model.ts';
import { renderResponse, type RecommendationQuery, type RenderedResponse, type SimulationResponse } from '../../server/services/recommendation-responses.ts';
import type { RecommendationResult, StoredRecommendInput } from '../../app/recommendation.ts';
import type { SimulateRequest } from '../../app/simulate.ts';
import type { InventoryImportRequest, PreparedInventory } from '../../app/inventory.ts';
import type { MatrixVerdict, ValidateMatrixJob } from '../../server/services/matrix-verdict.ts';
import { RecommendationService } from '../../server/services/recommendations.ts';
import type { MatrixQuery } from '../../server/services/matrix-views.ts';
import type { CheckMatrixJob } from '../../server/services/matrix-apply.ts';
import type { CheckedMatrix } from '../../app/matrices.ts';
import { openDb } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { blocking } from '../helpers/event-loop.ts';

const dbPath = await demoDb();
const REPORTS = { settings: configFor().reports, staleDays: 30 };
const LIST: RecommendationQuery = { kind: 'list', engine: 'calico', options: { mode: 'union', egress: true, defaultDeny: false, shared: false, includeMay: false, staleDays: 30 }, page: { limit: 200, tag: 'test' } };
const EXPORT: RecommendationQuery = { kind: 'export', engine: 'cilium', options: LIST.options, format: 'yaml', allowUnverified: true, filename: 'x' };

test('on worker threads the event loop stays free while a whole cluster is computed; in-process it is blocked', async () => {
  const db = openDb(dbPath);
  const pool = new WorkerPool({ dbPath, matrices: {}, reports: REPORTS }, { size: 2 }, pino({ level: 'silent' }));
  try {
    await pool.execute({ ...LIST, engine: 'kubernetes' }); // workers up, modules loaded
    const inline = await blocking(() => new InlineExecutor(db, {}, REPORTS).execute(LIST));
    const worker = await blocking(() => Promise.all([pool.execute(LIST), pool.execute(EXPORT)]));
    // The in-process run holds the loop for most of its time: the measure can see blocking.
    assert.ok(inline.blockedMs >= inline.tookMs * 0.5, `in-process: blocked ${inline.blockedMs} ms of ${inline.tookMs} ms`);
    assert.ok(worker.blockedMs < Math.max(100, inline.blockedMs / 4), `workers: blocked ${worker.blockedMs} ms (in-process ${inline.blockedMs} ms)`);
  } finally {
    await pool.close();
    db.close();
  }
});

test('simulate runs on a worker too: a large simulation leaves the event loop free, answers what the in-process one does, and refuses bad input as it does', async () => {
  const db = openDb(dbPath);
  const pool = new WorkerPool({ dbPath, matrices: {}, reports: REPORTS }, { size: 1 }, pino({ level: 'silent' }));
  try {
    // 40 default-deny policies over every shop pod and 20,000 edges between two demo workloads.
    const policies = Array.from({ length: 40 }, (_, i) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: deny-${i}, namespace: shop }\nspec: { podSelector: {} }\n`).join('---\n');
    const edge = { client: 'workload:shop/Deployment/frontend', server: 'workload:shop/Deployment/catalog', port: 8080, protocol: 'TCP' };
    const request = { policies, flows: JSON.stringify(Array.from({ length: 20_000 }, () => edge)), format: 'edges' as const };
    await pool.simulate({ ...request, flows: JSON.stringify([edge]) }); // worker up, modules loaded
    let inlineAnswer: SimulationResponse | undefined;
    let workerAnswer: SimulationResponse | undefined;
    const inline = await blocking(async () => (inlineAnswer = await new InlineExecutor(db, {}, REPORTS).simulate(request)));
    const worker = await blocking(async () => (workerAnswer = await pool.simulate(request)));
    assert.ok(inline.blockedMs >= inline.tookMs * 0.5, `in-process: blocked ${inline.blockedMs} ms of ${inline.tookMs} ms`);
    assert.ok(worker.blockedMs < Math.max(100, inline.blockedMs / 4), `worker: blocked ${worker.blockedMs} ms (in-process ${inline.blockedMs} ms)`);
    assert.ok(Buffer.concat(workerAnswer!.response.body).equals(Buffer.concat(inlineAnswer!.response.body)));
    assert.ok(workerAnswer!.response.body.length > 1, 'the answer comes in chunks');
    await assert.rejects(pool.simulate({ ...request, policies: 'kind: Frobnicator' }), (e: Error) => e.name === 'AppError' && /^policies: .*not a Kubernetes object/.test(e.message));
  } finally {
    await pool.close();
    db.close();
  }
});

test('a matrix validation runs on a worker: the event loop stays free while a large document is parsed, and the verdict is the in-process one', async () => {
  const db = openDb(dbPath);
  const pool = new WorkerPool({ dbPath, matrices: {}, reports: REPORTS }, { size: 1 }, pino({ level: 'silent' }));
  try {
    // 6,000 components: about 150,000 YAML tokens, under the API's cap; invalid (no rules), with its problems.
    const text = `apiVersion: flowmatrix.io/v1alpha1\nkind: CommunicationMatrix\nmetadata: {name: many}\ncomponents:\n${Array.from({ length: 6_000 }, (_, i) => `  c${i}: {namespace: ns, selector: {matchLabels: {a: b}}}\n`).join('')}`;
    await pool.validateMatrix({ text: 'kind: x\n' }); // worker up, modules loaded
    let inlineVerdict: unknown;
    let workerVerdict: unknown;
    const inline = await blocking(async () => (inlineVerdict = await new InlineExecutor(db, {}, REPORTS).validateMatrix({ text })));
    const worker = await blocking(async () => (workerVerdict = await pool.validateMatrix({ text })));
    assert.ok(inline.blockedMs >= inline.tookMs * 0.5, `in-process: blocked ${inline.blockedMs} ms of ${inline.tookMs} ms`);
    assert.ok(worker.blockedMs < Math.max(100, inline.blockedMs / 4), `worker: blocked ${worker.blockedMs} ms (in-process ${inline.blockedMs} ms)`);
    assert.deepEqual(workerVerdict, inlineVerdict);
    assert.equal((workerVerdict as { valid: boolean }).valid, false);
  } finally {
    await pool.close();
    db.close();
  }
});

test('a worker answers byte for byte what the in-process computation answers', async () => {
  const db = openDb(dbPath);
  const pool = new WorkerPool({ dbPath, matrices: {}, reports: REPORTS }, { size: 1 }, pino({ level: 'silent' }));
  try {
    for (const q of [LIST, EXPORT, { ...EXPORT, format: 'bundle' as const }, { kind: 'drift', engine: 'kubernetes', options: LIST.options, allowUnverified: false } as RecommendationQuery]) {
      const [a, b] = [await pool.execute(q), await new InlineExecutor(db, {}, REPORTS).execute(q)];
      assert.ok(a.bytes > 100, q.kind);
      assert.equal(a.bytes, b.bytes, q.kind);
      assert.ok(Buffer.concat(a.body).equals(Buffer.concat(b.body)), q.kind);
      assert.equal(a.etag, b.etag);
    }
  } finally {
    await pool.close();
    db.close();
  }
});

/** The real in-process executor, counting how often it is asked. */
class CountingExecutor implements RecommendationExecutor {
  calls = 0;
  constructor(private readonly inner: RecommendationExecutor) {}
  async execute(q: RecommendationQuery): Promise<RenderedResponse> {
    this.calls++;
    await new Promise((r) => setTimeout(r, 20)); // still running when the second request arrives
    return this.inner.execute(q);
  }
  report(o: ReportJobOptions): Promise<Report> {
    return this.inner.report(o);
  }
  simulate(r: SimulateRequest): Promise<SimulationResponse> {
    return this.inner.simulate(r);
  }
  validateMatrix(j: ValidateMatrixJob): Promise<MatrixVerdict> {
    return this.inner.validateMatrix(j);
  }
  checkMatrix(j: CheckMatrixJob): Promise<CheckedMatrix> {
    return this.inner.checkMatrix(j);
  }
  async matrices(q: MatrixQuery): Promise<RenderedResponse> {
    this.calls++;
    return this.inner.matrices(q);
  }
  convertInventory(r: InventoryImportRequest): Promise<PreparedInventory> {
    return this.inner.convertInventory(r);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

test('concurrent identical requests share one computation; a cache hit computes nothing', async () => {
  const db = openDb(dbPath);
  const counting = new CountingExecutor(new InlineExecutor(db, {}, REPORTS));
  const service = new RecommendationService(db, counting, new ServiceMetrics(() => 0, { defaultMetrics: false }), 64 * 1024 * 1024);
  const [a, b] = await Promise.all([service.respond(EXPORT), service.respond({ ...EXPORT, options: { ...EXPORT.options } })]);
  assert.equal(counting.calls, 1);
  assert.equal(a, b);
  await service.respond(EXPORT);
  assert.equal(counting.calls, 1);
  await service.respond({ ...EXPORT, engine: 'calico' });
  assert.equal(counting.calls, 2);
  db.close();
});

test('the answer cache stays within its byte budget and drops everything when the store changes', async () => {
  const db = openDb(dbPath);
  const counting = new CountingExecutor(new InlineExecutor(db, {}, REPORTS));
  const one = (await new InlineExecutor(db, {}, REPORTS).execute(EXPORT)).bytes;
  const service = new RecommendationService(db, counting, new ServiceMetrics(() => 0, { defaultMetrics: false }), Math.floor(one * 1.5));
  await service.respond(EXPORT);
  assert.equal(service.cachedBytes, one);
  await service.respond({ ...EXPORT, filename: 'y' }); // same size: the first is evicted
  assert.ok(service.cachedBytes <= one * 1.5, `${service.cachedBytes} bytes cached`);
  await service.respond(EXPORT);
  assert.equal(counting.calls, 3, 'the evicted answer was computed again');
  const tiny = new RecommendationService(db, counting, new ServiceMetrics(() => 0, { defaultMetrics: false }), 10);
  await tiny.respond(LIST);
  assert.equal(tiny.cachedBytes, 0, 'an answer larger than the budget is answered, not kept');
  db.prepare("INSERT INTO ingest_runs (source, format, started_at, status) VALUES ('t', 'netobserv', 0, 'done')").run();
  await service.respond(EXPORT);
  assert.equal(counting.calls, 5, 'a write to the store invalidates the cache');
  db.close();
});

test('a request that outgrows the worker heap budget fails with 503 naming the budget; the pool goes on', async () => {
  const pool = new WorkerPool({ dbPath, matrices: {}, reports: REPORTS }, { size: 1, memoryMb: 8 }, pino({ level: 'silent' }));
  try {
    await assert.rejects(pool.execute(LIST), (e: unknown) => e instanceof HttpProblem && e.status === 503 && /recommendations\.workerMemoryMb = 8 MiB/.test(e.message));
    await assert.rejects(pool.execute(LIST), (e: unknown) => e instanceof HttpProblem && e.status === 503, 'a new worker takes the next job');
  } finally {
    await pool.close();
  }
});

test('a simulation that outgrows the worker heap budget says what applies to a simulation, not the recommendation\'s namespace=', async () => {
  const pool = new WorkerPool({ dbPath, matrices: {}, reports: REPORTS }, { size: 1, memoryMb: 8 }, pino({ level: 'silent' }));
  try {
    const edge = { client: 'workload:shop/Deployment/frontend', server: 'workload:shop/Deployment/catalog', port: 8080, protocol: 'TCP' };
    const request = { policies: '', flows: JSON.stringify(Array.from({ length: 20_000 }, () => edge)), format: 'edges' as const };
    await assert.rejects(pool.simulate(request), (e: unknown) => {
      assert.ok(e instanceof HttpProblem && e.status === 503, String(e));
      assert.match(e.message, /^the simulation needed more than its memory budget \(recommendations\.workerMemoryMb = 8 MiB\): send fewer flows or policies per request, or raise the budget$/);
      return true;
    });
  } finally {
    await pool.close();
  }
});

test('a report built on a worker is the report built in-process', async () => {
  const db = openDb(dbPath);
  const pool = new WorkerPool({ dbPath, matrices: {}, reports: REPORTS }, { size: 1 }, pino({ level: 'silent' }));
  try {
    const o: ReportJobOptions = { trigger: 'manual', generatedAt: Date.UTC(2026, 10, 21) };
    const [a, b] = [await pool.report(o), await new InlineExecutor(db, {}, REPORTS).report(o)];
    assert.ok(a.headline, 'a report model');
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  } finally {
    await pool.close();
    db.close();
  }
});

test('the resolved matrices are cached as the recommendations are: a repeated GET computes nothing until the store changes', async () => {
  const db = openDb(dbPath);
  const counting = new CountingExecutor(new InlineExecutor(db, {}, REPORTS));
  const service = new RecommendationService(db, counting, new ServiceMetrics(() => 0, { defaultMetrics: false }), 64 * 1024 * 1024);
  const first = await service.matrices({ kind: 'matrices' });
  assert.deepEqual(await service.matrices({ kind: 'matrices' }), first);
  assert.equal(counting.calls, 1);
  db.prepare("UPDATE edges SET flows = flows + 1 WHERE id = (SELECT min(id) FROM edges)").run();
  await service.matrices({ kind: 'matrices' });
  assert.equal(counting.calls, 2, 'a store change is a new computation');
  db.close();
});

test('an export refused for failing verification (422) counts its body in the cache budget like any answer', async () => {
  // Nineteen blocked edges: the refusal carries them in `errors` and in the whole `verification`, some kilobytes.
  const blocked = Array.from({ length: 19 }, (_, i) => ({ workload: 'shop/Deployment/web', direction: 'egress', edge: `shop/web -> shop/db-${i}:5432/TCP`, reason: 'no rule allows it' }));
  const verification = { engine: 'cilium', ok: false, admission: [], blocked, blockedByApplied: [], stillAllowed: [], denied: [], skipped: {}, tightness: [], warnings: [], unverifiedMustFlows: [] };
  const refusal = await renderResponse({ verification } as unknown as RecommendationResult, { ...EXPORT, allowUnverified: false } as Extract<RecommendationQuery, { kind: 'export' }>, { inventory: {} as StoredRecommendInput['inventory'] });
  assert.equal(refusal.problem?.kind, 'unprocessable-content');
  const serialised = Buffer.byteLength(JSON.stringify(refusal.problem));
  assert.ok(refusal.bytes >= serialised, `a refusal of ${serialised} bytes of problem is counted as ${refusal.bytes}`);

  const db = openDb(dbPath);
  try {
    const counting = new CountingExecutor({ execute: async () => refusal } as unknown as RecommendationExecutor);
    const roomy = new RecommendationService(db, counting, new ServiceMetrics(() => 0, { defaultMetrics: false }), 1024 * 1024);
    await roomy.respond(EXPORT);
    assert.equal(roomy.cachedBytes, refusal.bytes, 'a kept refusal counts its bytes');
    const small = new RecommendationService(db, counting, new ServiceMetrics(() => 0, { defaultMetrics: false }), 1000);
    await small.respond(EXPORT);
    await small.respond(EXPORT);
    assert.equal(counting.calls, 3, 'a refusal larger than the budget is answered, not kept');
    assert.equal(small.cachedBytes, 0);
  } finally {
    db.close();
  }
});
