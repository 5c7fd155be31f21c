/**
 * Computes recommendation answers on one database connection: the store's input read once per
 * data version (the traffic-only read for manifests, the full one for evidence), the last few
 * results kept to answer the other views (and pages) of the same options, every answer rendered
 * to bytes. A list result keeps the evidence of a window of workloads only (evidence-window.ts),
 * so the list of a cluster of any size fits the worker's budget.
 * It runs inside each worker thread (recommendation-worker.ts) and, for in-memory databases
 * that a worker cannot open, on the main thread.
 */
import { getHeapStatistics } from 'node:v8';
import { listRecommendation, readRecommendationInput, runRecommendation, type ListedRecommendation, type RecommendationResult, type StoredRecommendInput } from '../../app/recommendation.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { Db } from '../../store/db.ts';
import { dataVersion } from '../../store/data-version.ts';
import { ReportService, type BuildOptions } from '../../app/reports.ts';
import type { ReportSettings } from '../../reports/config.ts';
import type { Report } from '../../reports/model.ts';
import { EvidenceWindow, WINDOW_OBSERVED_EDGES } from './evidence-window.ts';
import { pageResponse, renderResponse, simulationResponse, type ListQuery, type RecommendationQuery, type RenderedResponse, type SimulationResponse } from './recommendation-responses.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { matrixVerdict, type MatrixVerdict, type ValidateMatrixJob } from './matrix-verdict.ts';
import { simulateJobOfBody, simulateRequestOf, type SimulateBodyJob, type SimulateJob } from './simulate-job.ts';
import { matrixView, type MatrixQuery } from './matrix-views.ts';
import { checkMatrixApply, type CheckedMatrix } from '../../app/matrices.ts';
import type { CheckMatrixJob } from './matrix-apply.ts';

/** Results kept per connection at most: each can hold a whole cluster's evidence, so only a few. */
const RESULTS_KEPT = 4;

/**
 * A result of a large cluster takes a good part of the worker's heap budget (at 200k edges, one
 * with evidence holds about a quarter of the default budget), so older results are let go while
 * the heap holds more than this share of its limit: the next computation needs the room, and a
 * worker that outgrows its budget is ended, failing its request (503).
 */
export const KEEP_RESULTS_BELOW_HEAP_SHARE = 0.5;

/** How full the heap is, as a share of its limit (the worker's resourceLimits budget). */
export type HeapShare = () => number;

const heapShare: HeapShare = () => {
  const h = getHeapStatistics();
  return h.used_heap_size / h.heap_size_limit;
};

/**
 * A kept answer of one engine and options: a result with its manifests, computed from the edges'
 * traffic (manifests only) or with every workload's evidence (one workload's answer); or the
 * list's recommendation, with the evidence of a window of workloads and no manifests.
 */
type Kept =
  | { kind: 'traffic' | 'details'; result: RecommendationResult; input: StoredRecommendInput }
  | { kind: 'list'; listed: ListedRecommendation; window: EvidenceWindow };

export class RecommendationComputer {
  private version = '';
  private readonly inputs = new Map<'details' | 'traffic', StoredRecommendInput>();
  /** By engine, kind and options, oldest first. */
  private readonly results = new Map<string, Kept>();
  private computed = 0;

  constructor(
    private readonly db: Db,
    private readonly matrices: MatricesConfigT,
    private readonly reports: { settings: ReportSettings; staleDays: number },
    /** recommendations.maxEdges: more stored edges answer 413 instead of risking the heap. */
    private readonly maxEdges?: number,
    private readonly heap: HeapShare = heapShare,
    /** Observed edges whose evidence a list result keeps (evidence-window.ts). */
    private readonly windowObservedEdges: number = WINDOW_OBSERVED_EDGES,
  ) {}

  /** How many results are kept (oldest first, by options). */
  get keptResults(): number {
    return this.results.size;
  }

  /** How many recommendations this computer has computed. */
  get computations(): number {
    return this.computed;
  }

  /** Builds a report's model (not stored: the main thread, the one writer, stores it). */
  report(o: BuildOptions & { generatedAt: number }): Report {
    return new ReportService({ db: this.db, settings: this.reports.settings, staleDays: this.reports.staleDays, matrices: this.matrices, ...(this.maxEdges !== undefined ? { maxEdges: this.maxEdges } : {}), clock: () => o.generatedAt }).build(o);
  }

  /** `simulate` on this connection's store (app/simulate.ts), rendered; a body as sent is parsed and checked first. */
  simulate(job: SimulateJob | SimulateBodyJob): SimulationResponse {
    return simulationResponse(simulateFlows(this.db, simulateRequestOf('body' in job ? simulateJobOfBody(job) : job)));
  }

  /** POST /matrices/validate's verdict against this connection's stored matrices. */
  validateMatrix(job: ValidateMatrixJob): MatrixVerdict {
    return matrixVerdict(this.db, this.matrices, job);
  }

  /** GET /matrices (or one matrix) resolved against this connection's store. */
  resolvedMatrices(q: MatrixQuery): RenderedResponse {
    return matrixView(this.db, this.matrices, q);
  }

  /** PUT /matrices/{name}'s checks against this connection's stored matrices (matrix-apply.ts). */
  checkMatrix(job: CheckMatrixJob): CheckedMatrix {
    return checkMatrixApply(this.db, { ...job, config: this.matrices });
  }

  respond(q: RecommendationQuery): Promise<RenderedResponse> {
    this.sync();
    if (q.kind === 'list') return Promise.resolve(this.page(q));
    // A result with the evidence also answers the manifests-only views.
    const kept = this.keptResult(q, 'details') ?? (q.kind === 'workload' ? undefined : this.keptResult(q, 'traffic'));
    const { result, input } = kept ?? this.compute(q, q.kind === 'workload' ? 'details' : 'traffic');
    return renderResponse(result, q, input);
  }

  /** A page of the list: cut from the kept window, or from a recommendation computed again with a window that starts at the page. */
  private page(q: ListQuery): RenderedResponse {
    return this.keptPage(q) ?? this.newWindowPage(q);
  }

  private keptPage(q: ListQuery): RenderedResponse | undefined {
    const kept = this.results.get(this.key(q, 'list'));
    const cut = kept?.kind === 'list' ? kept.window.page(q.page.after, q.page.limit) : undefined;
    return kept?.kind === 'list' && cut ? pageResponse(kept.listed, cut, q) : undefined;
  }

  private newWindowPage(q: ListQuery): RenderedResponse {
    const { after, limit } = q.page;
    const key = this.key(q, 'list');
    // The old window's evidence goes before the next one's is made (nothing else refers to it).
    this.results.delete(key);
    this.letGo(0);
    const window = new EvidenceWindow(after, limit, this.windowObservedEdges);
    const listed = listRecommendation(this.input('details'), q.engine, q.options, window.offer);
    this.keep(key, { kind: 'list', listed, window });
    return pageResponse(listed, window.page(after, limit)!, q);
  }

  private sync(): void {
    const v = dataVersion(this.db);
    if (v === this.version) return;
    this.version = v;
    this.inputs.clear();
    this.results.clear();
  }

  private key(q: RecommendationQuery, kind: Kept['kind']): string {
    return `${q.engine}\0${kind}\0${JSON.stringify(q.options, Object.keys(q.options).sort())}`;
  }

  private keptResult(q: RecommendationQuery, kind: 'traffic' | 'details'): { result: RecommendationResult; input: StoredRecommendInput } | undefined {
    const kept = this.results.get(this.key(q, kind));
    return kept?.kind === kind ? kept : undefined;
  }

  /** The store's input, read once per data version: the traffic-only read for manifests, the full one for evidence. */
  private input(read: 'details' | 'traffic'): StoredRecommendInput {
    let input = this.inputs.get(read);
    if (!input) {
      input = readRecommendationInput(this.db, this.matrices, { details: read === 'details', ...(this.maxEdges !== undefined ? { maxEdges: this.maxEdges } : {}) });
      this.inputs.set(read, input);
    }
    return input;
  }

  private compute(q: RecommendationQuery, kind: 'traffic' | 'details'): { result: RecommendationResult; input: StoredRecommendInput } {
    this.letGo(0);
    const input = this.input(kind);
    const kept = { kind, result: runRecommendation(input, q.engine, q.options, { details: kind === 'details' }), input };
    this.keep(this.key(q, kind), kept);
    return kept;
  }

  private keep(key: string, kept: Kept): void {
    this.computed++;
    this.results.set(key, kept);
    this.letGo(1);
  }

  /**
   * Drops the oldest results beyond RESULTS_KEPT, and when the heap is fuller than
   * KEEP_RESULTS_BELOW_HEAP_SHARE all but the newest `keep` (the heap's use is read as it is,
   * garbage included, which freeing a result does not lower at once).
   */
  private letGo(keep: number): void {
    const dropOldest = (): boolean => this.results.delete(this.results.keys().next().value as string);
    while (this.results.size > RESULTS_KEPT) dropOldest();
    if (this.heap() > KEEP_RESULTS_BELOW_HEAP_SHARE) while (this.results.size > keep) dropOldest();
  }
}
