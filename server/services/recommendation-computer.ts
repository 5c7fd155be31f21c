/**
 * Computes recommendation answers on one database connection: the store's input read once per
 * data version (the traffic-only read for manifests, the full one for evidence), the last few
 * results kept to answer the other views (and pages) of the same options, every answer rendered
 * to bytes.
 * It runs inside each worker thread (recommendation-worker.ts) and, for in-memory databases
 * that a worker cannot open, on the main thread.
 */
import { getHeapStatistics } from 'node:v8';
import { readRecommendationInput, runRecommendation, type RecommendationResult } from '../../app/recommendation.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { RecommendInput } from '../../recommender/recommend.ts';
import type { Db } from '../../store/db.ts';
import { dataVersion } from '../../store/data-version.ts';
import { ReportService, type BuildOptions } from '../../app/reports.ts';
import type { ReportSettings } from '../../reports/config.ts';
import type { Report } from '../../reports/model.ts';
import { needsDetails, renderResponse, type RecommendationQuery, type RenderedResponse } from './recommendation-responses.ts';

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

export class RecommendationComputer {
  private version = '';
  private readonly inputs = new Map<'details' | 'traffic', RecommendInput>();
  /** Each result with the input it was computed from (drift compares with that input's applied policies). */
  private readonly results = new Map<string, { result: RecommendationResult; input: RecommendInput }>();

  constructor(
    private readonly db: Db,
    private readonly matrices: MatricesConfigT,
    private readonly reports: { settings: ReportSettings; staleDays: number },
    /** recommendations.maxEdges: more stored edges answer 413 instead of risking the heap. */
    private readonly maxEdges?: number,
    private readonly heap: HeapShare = heapShare,
  ) {}

  /** How many results are kept (oldest first, by options). */
  get keptResults(): number {
    return this.results.size;
  }

  /** Builds a report's model (not stored: the main thread, the one writer, stores it). */
  report(o: BuildOptions & { generatedAt: number }): Report {
    return new ReportService({ db: this.db, settings: this.reports.settings, staleDays: this.reports.staleDays, matrices: this.matrices, clock: () => o.generatedAt }).build(o);
  }

  respond(q: RecommendationQuery): Promise<RenderedResponse> {
    this.sync();
    const { result, input } = this.result(q, needsDetails(q));
    return renderResponse(result, q, input.inventory.policies);
  }

  private sync(): void {
    const v = dataVersion(this.db);
    if (v === this.version) return;
    this.version = v;
    this.inputs.clear();
    this.results.clear();
  }

  private result(q: RecommendationQuery, details: boolean): { result: RecommendationResult; input: RecommendInput } {
    const options = JSON.stringify(q.options, Object.keys(q.options).sort());
    const key = (withDetails: boolean): string => `${q.engine}\0${withDetails}\0${options}`;
    // A result with the evidence also answers the manifests-only views.
    const hit = this.results.get(key(details)) ?? (details ? undefined : this.results.get(key(true)));
    if (hit) return hit;
    this.letGo(0);
    const kind = details ? 'details' : 'traffic';
    let input = this.inputs.get(kind);
    if (!input) {
      input = readRecommendationInput(this.db, this.matrices, { details, ...(this.maxEdges !== undefined ? { maxEdges: this.maxEdges } : {}) });
      this.inputs.set(kind, input);
    }
    const entry = { result: runRecommendation(input, q.engine, q.options, { details }), input };
    this.results.set(key(details), entry);
    this.letGo(1);
    return entry;
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
