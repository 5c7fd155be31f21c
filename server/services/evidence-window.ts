/**
 * The evidence a recommendation list keeps: each workload's record with its evidence, from the
 * page asked for on, up to a number of observed edges. A whole cluster's evidence is large (about
 * 0.5 GB at 200k edges; at 1M edges more than a worker's default budget, which answered 503), so
 * a list result keeps the evidence of a window of workloads and the rest of its records without
 * it. Pages inside the window are cut from it; a page beyond it computes the recommendation again
 * with a window that starts there. A cluster whose observed edges fit the budget is one window:
 * its walk computes once.
 */
import type { WorkloadRecommendation } from '../../recommender/recommend.ts';

/**
 * Observed edges whose evidence one list result keeps (each edge counts once per workload it
 * belongs to, as `observed` lists it), beyond its first page: about the whole evidence of a
 * 200k-edge cluster, a fraction of a worker's default budget.
 */
export const WINDOW_OBSERVED_EDGES = 500_000;

/** `namespace/Kind/name`: the recommender's workload key (domain/peer.ts workloadKey), the order of its workloads. */
export const recordKey = (r: { workload: { namespace: string; kind: string; name: string } }): string => `${r.workload.namespace}/${r.workload.kind}/${r.workload.name}`;

/** A page cut from a window: its workloads, and whether any follow them. */
export interface WindowPage {
  items: WorkloadRecommendation[];
  more: boolean;
}

export class EvidenceWindow {
  private readonly records: WorkloadRecommendation[] = [];
  private observed = 0;
  /** A workload after the window was left out. */
  private cut = false;

  /**
   * @param after the window holds the workloads whose keys come after this one (all: undefined)
   * @param atLeast workloads it holds whatever their edges (the page that asked for it)
   */
  constructor(
    readonly after: string | undefined,
    private readonly atLeast: number,
    private readonly maxObserved: number = WINDOW_OBSERVED_EDGES,
  ) {}

  /** Offered every record with its evidence, in workload-key order (RecommendationRun.eachDetailed). */
  readonly offer = (r: WorkloadRecommendation): void => {
    if (this.after !== undefined && !(recordKey(r) > this.after)) return;
    if (this.cut || (this.records.length >= this.atLeast && this.observed + r.observed.length > this.maxObserved)) {
      this.cut = true;
      return;
    }
    this.records.push(r);
    this.observed += r.observed.length;
  };

  /** The `limit` workloads after `after` (keyset, as the list's cursor), or undefined when they are not all in the window. */
  page(after: string | undefined, limit: number): WindowPage | undefined {
    if (this.after !== undefined && (after === undefined || after < this.after)) return undefined;
    let start = 0;
    if (after !== undefined) while (start < this.records.length && !(recordKey(this.records[start]!) > after)) start++;
    const items = this.records.slice(start, start + limit);
    if (items.length < limit && this.cut) return undefined;
    return { items, more: start + limit < this.records.length || this.cut };
  }
}
