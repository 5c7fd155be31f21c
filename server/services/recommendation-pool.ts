/**
 * Where recommendation answers are computed. `WorkerPool` runs them on worker threads, each
 * with its own read connection: the event loop stays free while a whole cluster is computed.
 * `InlineExecutor` computes on the calling thread, for in-memory databases a worker cannot
 * open (tests, embedding). Both queue jobs; a crashed worker is replaced and its job fails.
 *
 * The pool runs two lanes. Whole-cluster work (a recommendation, export, drift or report with no
 * namespace or workload: seconds to minutes on a large store) runs on all workers but one, and
 * at most `maxQueuedWholeCluster` of it waits (more is refused: 503); small work (anything scoped
 * to a namespace or workload, simulations, matrices, inventory bodies) goes first to any worker,
 * so it never waits behind whole-cluster work while there are two workers or more. A job whose
 * caller's signal aborts (the client went away) leaves the queue, or, running, is cancelled: its
 * worker is terminated (the computations have no checkpoints to stop at) and a fresh one started.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { AppError } from '../../app/errors.ts';
import { HttpProblem } from '../http/problem.ts';
import { busyProblem } from '../http/compute-admission.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { Db } from '../../store/db.ts';
import { RecommendationComputer } from './recommendation-computer.ts';
import type { RecommendationQuery, RenderedResponse, SimulationResponse } from './recommendation-responses.ts';
import type { MatrixVerdict, ValidateMatrixJob } from './matrix-verdict.ts';
import type { SimulateBodyJob, SimulateJob } from './simulate-job.ts';
import type { MatrixQuery } from './matrix-views.ts';
import type { CheckMatrixJob } from './matrix-apply.ts';
import type { CheckedMatrix } from '../../app/matrices.ts';
import { convertInventoryExport, type InventoryImportRequest, type PreparedInventory } from '../../app/inventory.ts';
import type { JobReply, RecommendationJob, WorkerConfig } from './recommendation-worker.ts';
import type { BuildOptions } from '../../app/reports.ts';
import type { Report } from '../../reports/model.ts';

/** A body a job carries as bytes moves to the worker instead of being copied, when it owns its whole ArrayBuffer (a pooled small Buffer does not). */
function transferOf(job: RecommendationJob): ArrayBuffer[] {
  if (job.kind !== 'simulate' || !('body' in job.request)) return [];
  const b = job.request.body;
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? [b.buffer] : [];
}

/** Node ends a worker that exceeds its resourceLimits with this code (nodejs.org/api/errors.html). */
function outOfMemory(e: Error): boolean {
  return (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/** What a request of each kind that ran out of its worker's heap can do about it. */
const OUT_OF_MEMORY_ADVICE: Record<RecommendationJob['kind'], { what: string; advice: string }> = {
  respond: { what: 'the recommendation', advice: 'narrow it with namespace=, or raise the budget' },
  report: { what: 'the report', advice: 'narrow it with namespace=, or raise the budget' },
  simulate: { what: 'the simulation', advice: 'send fewer flows or policies per request, or raise the budget' },
  'validate-matrix': { what: 'the matrix validation', advice: 'send a smaller document, or raise the budget' },
  matrices: { what: 'the resolved matrices', advice: 'raise the budget' },
  'check-matrix': { what: 'the matrix check', advice: 'send a smaller document, or raise the budget' },
  'convert-inventory': { what: 'reading the inventory', advice: 'send it as JSON, or fewer kinds per request, or raise the budget' },
};

function outOfMemoryProblem(kind: RecommendationJob['kind'], memoryMb: number | undefined): HttpProblem {
  const { what, advice } = OUT_OF_MEMORY_ADVICE[kind];
  return new HttpProblem('unavailable', `${what} needed more than its memory budget (recommendations.workerMemoryMb = ${memoryMb} MiB): ${advice}`);
}

/** Which lane a job waits and runs in: see the module comment. */
export type Lane = 'wholeCluster' | 'small';

/**
 * The service's own nightly report: no client waits to be told to retry, so the bound on waiting
 * whole-cluster work is not for it — it waits its turn like the rest, and is never refused.
 */
function isScheduled(job: RecommendationJob): boolean {
  return job.kind === 'report' && job.options.trigger === 'schedule';
}

/** Whole-cluster work is a recommendation (any view) or a report of no namespace or workload; all else is small. */
export function laneOf(job: RecommendationJob): Lane {
  const scope = job.kind === 'respond' ? job.query.options : job.kind === 'report' ? job.options : undefined;
  if (scope === undefined) return 'small';
  return scope.namespace === undefined && (!('workload' in scope) || scope.workload === undefined) ? 'wholeCluster' : 'small';
}

/**
 * The executors take an optional signal where a request waits for the job: aborted (the client
 * went away), the job is withdrawn or cancelled and its promise rejects with the signal's reason.
 */
export interface RecommendationExecutor {
  execute(query: RecommendationQuery, signal?: AbortSignal): Promise<RenderedResponse>;
  /** Builds a report's model (the caller stores it). */
  report(options: ReportJobOptions): Promise<Report>;
  /** `simulate` (app/simulate.ts) on the store, rendered: off the event loop too, for large inputs. */
  simulate(job: SimulateJob | SimulateBodyJob, signal?: AbortSignal): Promise<SimulationResponse>;
  /** POST /matrices/validate's verdict: parsing the document is CPU work kept off the event loop too. */
  validateMatrix(job: ValidateMatrixJob, signal?: AbortSignal): Promise<MatrixVerdict>;
  /** GET /matrices (or one matrix) resolved: reading every edge's traffic is kept off the event loop too. */
  matrices(query: MatrixQuery, signal?: AbortSignal): Promise<RenderedResponse>;
  /** PUT /matrices/{name}'s parsing and checks (matrix-apply.ts): the main thread only stores. */
  checkMatrix(job: CheckMatrixJob): Promise<CheckedMatrix>;
  /** Parses and converts an inventory export and plans its IP history (app/inventory.ts convertInventoryExport); the caller stores it. */
  convertInventory(request: InventoryImportRequest): Promise<PreparedInventory>;
  /** Jobs dropped since the executor started because nobody waited for them any more (none when absent: an executor that runs everything to its end). */
  readonly abandoned?: AbandonedWork;
  /** Terminates the workers; queued and running jobs fail. Idempotent. */
  close(): Promise<void>;
}

/** Abandoned jobs, by what became of them. */
export interface AbandonedWork {
  /** Taken off the queue before they ran. */
  withdrawn: number;
  /** Running, cancelled (their worker terminated). */
  cancelled: number;
}

export type ReportJobOptions = BuildOptions & { generatedAt: number };

export class InlineExecutor implements RecommendationExecutor {
  private readonly computer: RecommendationComputer;
  constructor(
    private readonly db: Db,
    matrices: MatricesConfigT,
    reports: WorkerConfig['reports'],
    maxEdges?: number,
  ) {
    this.computer = new RecommendationComputer(db, matrices, reports, maxEdges);
  }
  async execute(query: RecommendationQuery): Promise<RenderedResponse> {
    return this.computer.respond(query);
  }
  async report(options: ReportJobOptions): Promise<Report> {
    return this.computer.report(options);
  }
  async simulate(job: SimulateJob | SimulateBodyJob): Promise<SimulationResponse> {
    return this.computer.simulate(job);
  }
  async validateMatrix(job: ValidateMatrixJob): Promise<MatrixVerdict> {
    return this.computer.validateMatrix(job);
  }
  async matrices(query: MatrixQuery): Promise<RenderedResponse> {
    return this.computer.resolvedMatrices(query);
  }
  async checkMatrix(job: CheckMatrixJob): Promise<CheckedMatrix> {
    return this.computer.checkMatrix(job);
  }
  async convertInventory(request: InventoryImportRequest): Promise<PreparedInventory> {
    return convertInventoryExport(this.db, request);
  }
  async close(): Promise<void> {}
}

type JobResult = RenderedResponse | Report | SimulationResponse | MatrixVerdict | CheckedMatrix | PreparedInventory;

interface Pending {
  job: RecommendationJob;
  lane: Lane;
  resolve(r: JobResult): void;
  reject(e: unknown): void;
}

/** What the pool holds now, and how much abandoned work it dropped since it started. */
export interface PoolState extends AbandonedWork {
  running: Record<Lane, number>;
  queued: Record<Lane, number>;
}

/**
 * The worker's bootstrap. Run as TypeScript (through tsx, as bin/flowmatrix.mjs does), the
 * worker registers tsx's loader itself before importing its module: a worker inherits neither
 * a programmatic `register()` nor, on Node 20, a loader passed as `--import` in its execArgv.
 * Both URLs are resolved here, so it works from any working directory. Built JavaScript
 * (dist/) imports the module directly.
 */
function workerBootstrap(): string {
  const ts = import.meta.url.endsWith('.ts');
  const entry = JSON.stringify(new URL(`./recommendation-worker.${ts ? 'ts' : 'js'}`, import.meta.url).href);
  if (!ts) return `import(${entry});`;
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return `import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); });`;
}

class PoolWorker {
  readonly worker: Worker;
  current: Pending | undefined;
  /** Terminated for a cancelled job: it takes no other. */
  cancelled = false;
  constructor(bootstrap: string, config: WorkerConfig, memoryMb: number | undefined, onReply: (w: PoolWorker, reply: JobReply) => void, onExit: (w: PoolWorker, error: Error) => void) {
    this.worker = new Worker(bootstrap, { eval: true, workerData: config, ...(memoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: memoryMb } } : {}) });
    this.worker.on('message', (reply: JobReply) => onReply(this, reply));
    this.worker.on('error', (e) => onExit(this, e));
    this.worker.on('exit', (code) => onExit(this, new Error(`recommendation worker exited (code ${code})`)));
    this.worker.unref();
  }
}

export class WorkerPool implements RecommendationExecutor {
  private readonly idle: PoolWorker[] = [];
  private readonly all = new Set<PoolWorker>();
  private readonly queues: Record<Lane, Pending[]> = { wholeCluster: [], small: [] };
  private nextId = 1;
  private closed = false;
  private withdrawn = 0;
  private cancelled = 0;

  private readonly size: number;
  private readonly memoryMb: number | undefined;
  private readonly maxQueuedWholeCluster: number;
  private readonly bootstrap: string;

  constructor(
    private readonly config: WorkerConfig,
    options: {
      size: number;
      memoryMb?: number | undefined;
      /** Whole-cluster jobs waiting at most; more are refused (503). */
      maxQueuedWholeCluster?: number;
      /** The worker's source (tests run a stand-in); default the recommendation worker. */
      bootstrap?: string;
    },
    private readonly logger: Logger,
  ) {
    this.size = options.size;
    this.memoryMb = options.memoryMb;
    this.maxQueuedWholeCluster = options.maxQueuedWholeCluster ?? Infinity;
    this.bootstrap = options.bootstrap ?? workerBootstrap();
    if (!(this.size >= 1)) throw new RangeError(`recommendation workers: need at least 1, got ${this.size}`);
  }

  /** Whole-cluster jobs run on all workers but one (one at least): that one stays free for small work. */
  private get wholeClusterWorkers(): number {
    return Math.max(1, this.size - 1);
  }

  get state(): PoolState {
    const running = { wholeCluster: 0, small: 0 };
    for (const w of this.all) if (w.current) running[w.current.lane]++;
    return { running, queued: { wholeCluster: this.queues.wholeCluster.length, small: this.queues.small.length }, ...this.abandoned };
  }

  get abandoned(): AbandonedWork {
    return { withdrawn: this.withdrawn, cancelled: this.cancelled };
  }

  execute(query: RecommendationQuery, signal?: AbortSignal): Promise<RenderedResponse> {
    return this.submit({ id: this.nextId++, kind: 'respond', query }, signal) as Promise<RenderedResponse>;
  }

  report(options: ReportJobOptions): Promise<Report> {
    return this.submit({ id: this.nextId++, kind: 'report', options }) as Promise<Report>;
  }

  simulate(request: SimulateJob | SimulateBodyJob, signal?: AbortSignal): Promise<SimulationResponse> {
    return this.submit({ id: this.nextId++, kind: 'simulate', request }, signal) as Promise<SimulationResponse>;
  }

  validateMatrix(request: ValidateMatrixJob, signal?: AbortSignal): Promise<MatrixVerdict> {
    return this.submit({ id: this.nextId++, kind: 'validate-matrix', request }, signal) as Promise<MatrixVerdict>;
  }

  matrices(query: MatrixQuery, signal?: AbortSignal): Promise<RenderedResponse> {
    return this.submit({ id: this.nextId++, kind: 'matrices', query }, signal) as Promise<RenderedResponse>;
  }

  checkMatrix(request: CheckMatrixJob): Promise<CheckedMatrix> {
    return this.submit({ id: this.nextId++, kind: 'check-matrix', request }) as Promise<CheckedMatrix>;
  }

  convertInventory(request: InventoryImportRequest): Promise<PreparedInventory> {
    return this.submit({ id: this.nextId++, kind: 'convert-inventory', request }) as Promise<PreparedInventory>;
  }

  private submit(job: RecommendationJob, signal?: AbortSignal): Promise<JobResult> {
    if (this.closed) return Promise.reject(new Error('the recommendation workers are shut down'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const lane = laneOf(job);
    if (lane === 'wholeCluster' && !isScheduled(job) && this.queues.wholeCluster.length >= this.maxQueuedWholeCluster) {
      return Promise.reject(
        busyProblem(`${this.maxQueuedWholeCluster} whole-cluster recommendations, exports, drifts or reports are already waiting for a worker (recommendations.maxQueuedWholeCluster; a request with namespace= does not wait behind them)`),
      );
    }
    return new Promise((resolve, reject) => {
      const abandoned = (): void => this.abandon(p, signal!.reason);
      const settled = (): void => signal?.removeEventListener('abort', abandoned);
      const p: Pending = {
        job,
        lane,
        resolve: (r) => (settled(), resolve(r)),
        reject: (e) => (settled(), reject(e)),
      };
      signal?.addEventListener('abort', abandoned, { once: true });
      this.queues[lane].push(p);
      this.dispatch();
    });
  }

  /** Nobody waits for `p` any more: off the queue, or, running, cancelled by terminating its worker (a fresh one replaces it). */
  private abandon(p: Pending, reason: unknown): void {
    const queue = this.queues[p.lane];
    const i = queue.indexOf(p);
    if (i >= 0) {
      queue.splice(i, 1);
      this.withdrawn++;
    } else {
      const w = [...this.all].find((x) => x.current === p);
      if (!w) return; // answered meanwhile
      w.cancelled = true;
      w.current = undefined;
      this.cancelled++;
      this.logger.info({ job: p.job.kind, lane: p.lane }, 'computation cancelled: nobody waits for it any more');
      void w.worker.terminate();
    }
    p.reject(reason);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.queues.small.splice(0), ...this.queues.wholeCluster.splice(0)]) p.reject(new Error('the service is shutting down'));
    // A terminating worker does not keep the event loop alive (seen on Node 20, ref'd or not): the
    // loop could end before terminate() settles, and what awaits close() — the shutdown's database
    // close — would never run. A timer of its own holds the loop until every worker has exited.
    const holdLoop = setInterval(() => undefined, 1_000);
    try {
      await Promise.all([...this.all].map((w) => w.worker.terminate()));
    } finally {
      clearInterval(holdLoop);
    }
  }

  /** The next job a free worker takes: small work first; whole-cluster work while it holds fewer than its workers. */
  private nextQueue(): Pending[] | undefined {
    if (this.queues.small.length > 0) return this.queues.small;
    if (this.queues.wholeCluster.length > 0 && this.state.running.wholeCluster < this.wholeClusterWorkers) return this.queues.wholeCluster;
    return undefined;
  }

  private dispatch(): void {
    for (let queue = this.nextQueue(); queue; queue = this.nextQueue()) {
      let w = this.idle.pop();
      if (!w && this.all.size < this.size) w = this.spawn();
      if (!w) return;
      const p = queue.shift()!;
      w.current = p;
      w.worker.ref(); // a running job keeps the process alive until it answers
      try {
        w.worker.postMessage(p.job, transferOf(p.job));
      } catch (e) {
        // A job the structured clone cannot copy (a value nested past the stack) fails alone.
        w.current = undefined;
        w.worker.unref();
        this.idle.push(w);
        p.reject(e as Error);
      }
    }
  }

  private spawn(): PoolWorker {
    const w = new PoolWorker(this.bootstrap, this.config, this.memoryMb, (pw, reply) => this.onReply(pw, reply), (pw, e) => this.onExit(pw, e));
    this.all.add(w);
    return w;
  }

  private onReply(w: PoolWorker, reply: JobReply): void {
    if (w.cancelled) return; // it answered as it was being terminated: nobody waits for it
    const p = w.current;
    w.current = undefined;
    w.worker.unref();
    this.idle.push(w);
    if (p && p.job.id === reply.id) {
      if (reply.ok) p.resolve('response' in reply ? reply.response : 'simulation' in reply ? reply.simulation : 'verdict' in reply ? reply.verdict : 'checked' in reply ? reply.checked : 'inventory' in reply ? reply.inventory : reply.report);
      else if (reply.problem) p.reject(new HttpProblem(reply.problem.kind, reply.problem.detail, reply.problem.errors !== undefined ? { errors: reply.problem.errors } : {}));
      else if (reply.appError) p.reject(new AppError(reply.appError.code, reply.appError.message, { problems: reply.appError.problems, ...(reply.appError.reason !== undefined ? { reason: reply.appError.reason } : {}) }));
      else p.reject(new Error(`recommendation failed in its worker: ${reply.message}`));
    }
    this.dispatch();
  }

  private onExit(w: PoolWorker, error: Error): void {
    if (!this.all.delete(w)) return; // 'error' and 'exit' both fire for one death
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    if (w.current) w.current.reject(outOfMemory(error) ? outOfMemoryProblem(w.current.job.kind, this.memoryMb) : error);
    w.current = undefined;
    if (!this.closed) {
      if (!w.cancelled) this.logger.error({ err: error.message }, 'recommendation worker died; a new one takes the next job');
      this.dispatch();
    }
  }
}
