/**
 * The observed pairs (domain/metric-pair.ts) as the front ends see them: the REST API's list
 * (GET /api/v1/metric-pairs), and the pairs no edge joins — what the recommendation warns about
 * on each workload and the report lists as "traffic seen only in flow metrics".
 */
import { metricPairJson, type MetricPair, type MetricPairJson } from '../domain/metric-pair.ts';
import { DAY_MS } from '../recommender/compare/status.ts';
import { metricPairWarnings } from '../recommender/metric-pair-warnings.ts';
import type { Recommendation, WorkloadRecommendation } from '../recommender/recommend.ts';
import type { Db } from '../store/db.ts';
import { countMetricPairs, latestMetricPairs, metricPairPage, type MetricPairKey } from '../store/metric-pairs.ts';
import { newSkippedRows, type SkippedRows } from '../store/row-check.ts';
import { requireSelection } from './selection-check.ts';

export interface MetricPairListRequest {
  namespace?: string;
  unmatched?: boolean;
  limit: number;
  after?: MetricPairKey;
}

export interface MetricPairList {
  items: MetricPairJson[];
  next?: MetricPairKey;
  /** Stored rows that could not be read (left out of the page). */
  skipped?: SkippedRows;
}

/**
 * One page of pairs. An empty page for a namespace that neither the inventory nor any edge knows
 * is AppError not-found (app/selection-check.ts); one that exists with no pair is an empty page.
 * @throws AppError not-found
 */
export function listMetricPairs(db: Db, req: MetricPairListRequest): MetricPairList {
  const skipped = newSkippedRows();
  const page = metricPairPage(db, req, skipped);
  if (page.pairs.length === 0 && skipped.count === 0 && req.namespace !== undefined) requireSelection(db, { namespace: req.namespace });
  return { items: page.pairs.map(metricPairJson), ...(page.next ? { next: page.next } : {}), ...(skipped.count > 0 ? { skipped } : {}) };
}

/** At most this many unmatched pairs are read for one recommendation or report: the rest are counted. */
export const MAX_UNMATCHED_PAIRS = 1000;

/** The pairs no edge joins: the `limit` seen last, in key order, and how many there are in all. */
export interface UnmatchedPairs {
  pairs: MetricPair[];
  total: number;
}

export function unmatchedMetricPairs(db: Db, filter: { namespace?: string; lastSeenSince?: number } = {}, limit = MAX_UNMATCHED_PAIRS): UnmatchedPairs {
  const skipped = newSkippedRows();
  const pairs = latestMetricPairs(db, { ...filter, unmatched: true }, limit, skipped);
  const all = pairs.length + skipped.count < limit ? pairs.length : countMetricPairs(db, { ...filter, unmatched: true }) - skipped.count;
  return { pairs, total: all };
}

/** How many pairs are stored at all: none means no collector reads such metrics, and the report says nothing about them. */
export const storedMetricPairs = (db: Db): number => countMetricPairs(db);

/** A policy of the workload restricts a direction: without one, the recommendation blocks nothing of it. */
const restricts = (w: WorkloadRecommendation): boolean => w.policies.some((p) => p.ingress === 'rules' || p.ingress === 'deny-all' || p.egress === 'rules' || p.egress === 'deny-all');

/** Pairs not seen for `staleDays` before the recommendation's reference time are stale, as edges are (recommender/compare/compare.ts). */
export const staleBefore = (rec: Pick<Recommendation, 'now' | 'options'>): number => Date.parse(rec.now) - rec.options.staleDays * DAY_MS;

/**
 * Each selected workload that an unmatched pair involves, and that the recommendation restricts,
 * gets a warning per pair (recommender/metric-pair-warnings.ts), after its own — unless the pair
 * is stale; pairs beyond those read are counted once in the recommendation's warnings.
 */
export function warnMetricPairs(rec: Recommendation, unmatched: UnmatchedPairs | undefined): void {
  if (unmatched === undefined || unmatched.total === 0) return;
  const since = staleBefore(rec);
  const byWorkload = metricPairWarnings(unmatched.pairs.filter((p) => p.lastSeen >= since));
  for (const w of rec.workloads) {
    const warnings = byWorkload.get(`${w.workload.namespace}/${w.workload.kind}/${w.workload.name}`);
    if (warnings !== undefined && restricts(w)) w.warnings.push(...warnings);
  }
  const unread = unmatched.total - unmatched.pairs.length;
  if (unread > 0) {
    rec.warnings.push(`${unread} more pair(s) that flow metrics saw talking with no edge between them were not checked against these workloads (only the ${unmatched.pairs.length} seen last are read): GET /api/v1/metric-pairs?unmatched=true lists them all`);
  }
}
