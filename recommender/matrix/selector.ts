/** Kubernetes label-selector semantics over plain label maps. */
import type { LabelSelector, Labels } from '../../domain/inventory.ts';

export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

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
