/** Kubernetes label-selector semantics over plain label maps. */
import type { LabelSelector, Labels } from '../../domain/inventory.ts';

export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  return selectorMatchesBy(selector, (key) => (Object.hasOwn(labels, key) ? labels[key] : undefined));
}

/** The same over any label lookup (a Map, a view with extra labels); `undefined` = no such label. */
export function selectorMatchesBy(selector: LabelSelector, label: (key: string) => string | undefined): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (label(k) !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const value = label(e.key);
    switch (e.operator) {
      case 'In':
        if (value === undefined || !(e.values ?? []).includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && (e.values ?? []).includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
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
