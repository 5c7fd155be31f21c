/**
 * Comparison statuses (docs/design.md §3). Every documented rule and every observed edge of a workload
 * gets exactly one; `inactive` is for documented rules whose condition does not hold, whose
 * component is disabled or whose peer could not be resolved: reported, never compared.
 */
export const COMPARISON_STATUSES = ['confirmed', 'documented-unobserved', 'undocumented', 'stale', 'blocked'] as const;
export type ComparisonStatus = (typeof COMPARISON_STATUSES)[number];

/** A documented (matrix) rule's status: a comparison status, or `inactive`. */
export type DocumentedRuleStatus = ComparisonStatus | 'inactive';

export const DEFAULT_STALE_DAYS = 30;
export const DAY_MS = 24 * 3600 * 1000;
