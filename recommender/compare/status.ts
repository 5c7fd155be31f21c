/**
 * Comparison statuses (docs/design.md §3). Every documented rule and every observed edge of a workload
 * gets exactly one; `inactive` is for documented rules whose condition does not hold, whose
 * component is disabled or whose peer could not be resolved: reported, never compared.
 *
 * `documented-when-set`: an observed edge no active rule covers, which a rule documents once the
 * cluster config sets a parameter (seed 003: S3 "when configured") or binds a role; and such a
 * rule, inactive today, that observed edges fit (docs/matrices.md, "Documented when set"). Not
 * `documented-when-configured`: a status is part of ClusterNetworkPolicy rule names
 * (synthesize/rule-ids.ts), and one longer than `documented-unobserved` would shorten every id.
 */
export const COMPARISON_STATUSES = ['confirmed', 'documented-unobserved', 'documented-when-set', 'undocumented', 'stale', 'blocked'] as const;
export type ComparisonStatus = (typeof COMPARISON_STATUSES)[number];

/** A documented (matrix) rule's status: a comparison status, or `inactive`. */
export type DocumentedRuleStatus = ComparisonStatus | 'inactive';

export const DEFAULT_STALE_DAYS = 30;
export const DAY_MS = 24 * 3600 * 1000;
