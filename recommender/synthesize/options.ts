/** One options type for the CLI flags and the REST query parameters alike (docs/recommend.md). */
import { COMPARISON_STATUSES, DEFAULT_STALE_DAYS, type ComparisonStatus } from '../compare/status.ts';

export const MODES = ['observed', 'documented', 'union'] as const;
export type Mode = (typeof MODES)[number];

export interface RecommendOptions {
  /** Where rules come from: observed edges, documented rules, or both (default). */
  mode: Mode;
  /** Restrict egress (default); false leaves egress open. */
  egress: boolean;
  /** Add a namespace deny-all layer below the allowlists. */
  defaultDeny: boolean;
  /** Put rules common to every workload of a namespace in one shared policy. */
  shared: boolean;
  /** An edge not seen for this many days (before `now`) is stale. */
  staleDays: number;
  /** Statuses whose rules become policy rules. `documented-unobserved` covers `must` rules only unless `includeMay`. */
  include: ComparisonStatus[];
  includeMay: boolean;
  /** Reference time, ms; default: the latest last_seen of the edges. */
  now?: number;
  namespace?: string;
  /** `name` or `Kind/name`. */
  workload?: string;
}

export const DEFAULT_INCLUDE: readonly ComparisonStatus[] = ['confirmed', 'documented-unobserved', 'documented-when-set', 'undocumented', 'blocked'];

export function defaultOptions(partial: Partial<RecommendOptions> = {}): RecommendOptions {
  const o: RecommendOptions = {
    mode: partial.mode ?? 'union',
    egress: partial.egress ?? true,
    defaultDeny: partial.defaultDeny ?? false,
    shared: partial.shared ?? false,
    staleDays: partial.staleDays ?? DEFAULT_STALE_DAYS,
    include: [...(partial.include ?? DEFAULT_INCLUDE)].sort(),
    includeMay: partial.includeMay ?? false,
  };
  if (partial.now !== undefined) o.now = partial.now;
  if (partial.namespace !== undefined) o.namespace = partial.namespace;
  if (partial.workload !== undefined) o.workload = partial.workload;
  return o;
}

/** Checks values that came from a user; the message names the option and the value. */
export function optionProblems(o: RecommendOptions): string[] {
  const p: string[] = [];
  if (!(MODES as readonly string[]).includes(o.mode)) p.push(`mode: expected ${MODES.join(', ')}, got "${o.mode}"`);
  if (!Number.isInteger(o.staleDays) || o.staleDays < 1) p.push(`stale-days: expected an integer ≥ 1, got ${String(o.staleDays)}`);
  for (const s of o.include) {
    if (!(COMPARISON_STATUSES as readonly string[]).includes(s)) p.push(`include: "${s}" is not one of ${COMPARISON_STATUSES.join(', ')}`);
  }
  if (o.now !== undefined && !Number.isFinite(o.now)) p.push(`now: not a time`);
  return p;
}
