/** Kubernetes label-selector semantics over plain label maps (the matching lives in domain/label-selector.ts) and their canonical order. */
import type { LabelSelector } from '../../domain/inventory.ts';

export { requirementProblem, selectorMatches, selectorMatchesBy, selectorString } from '../../domain/label-selector.ts';

/** A copy with keys and values in a stable order, for deterministic output. */
export function canonicalSelector(selector: LabelSelector): LabelSelector {
  const out: LabelSelector = {};
  const labels = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (labels.length > 0) out.matchLabels = Object.fromEntries(labels);
  const exprs = (selector.matchExpressions ?? [])
    .map((e) => (e.values ? { key: e.key, operator: e.operator, values: [...e.values].sort() } : { key: e.key, operator: e.operator }))
    .sort((a, b) => (a.key + a.operator < b.key + b.operator ? -1 : a.key + a.operator > b.key + b.operator ? 1 : 0));
  if (exprs.length > 0) out.matchExpressions = exprs;
  return out;
}
