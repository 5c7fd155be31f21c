/**
 * Kubernetes label-selector semantics over plain label maps (apimachinery LabelSelector: every
 * matchLabels pair and every matchExpression must hold). In domain/ because the store judges a
 * stored selector against an import's pods with it (store/inventory.ts) and the simulators every
 * rule peer (recommender/matrix/selector.ts re-exports it).
 */
import type { LabelSelector, Labels } from './inventory.ts';

export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  // selectorMatchesBy's loop without its closure and entry arrays: simulators call this for
  // every rule peer they scan.
  const matchLabels = selector.matchLabels;
  if (matchLabels !== undefined) for (const k in matchLabels) if (!Object.hasOwn(labels, k) || labels[k] !== matchLabels[k]) return false;
  const expressions = selector.matchExpressions;
  if (expressions !== undefined) for (const e of expressions) if (!expressionHolds(e, Object.hasOwn(labels, e.key) ? labels[e.key] : undefined)) return false;
  return true;
}

/** The same over any label lookup (a Map, a view with extra labels); `undefined` = no such label. */
export function selectorMatchesBy(selector: LabelSelector, label: (key: string) => string | undefined): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (label(k) !== v) return false;
  for (const e of selector.matchExpressions ?? []) if (!expressionHolds(e, label(e.key))) return false;
  return true;
}

/** One matchExpression on the label's value (`undefined`: no such label). */
function expressionHolds(e: NonNullable<LabelSelector['matchExpressions']>[number], value: string | undefined): boolean {
  switch (e.operator) {
    case 'In':
      return value !== undefined && (e.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(e.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
  }
  return true;
}

/**
 * A selector as `kubectl get -l` writes one (apimachinery labels.Selector String(): `k=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by commas); '' for the empty selector.
 */
export function selectorString(selector: LabelSelector): string {
  const pairs = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  return [...pairs, ...(selector.matchExpressions ?? []).map(expressionString)].join(',');
}

function expressionString(e: NonNullable<LabelSelector['matchExpressions']>[number]): string {
  switch (e.operator) {
    case 'In':
      return `${e.key} in (${(e.values ?? []).join(',')})`;
    case 'NotIn':
      return `${e.key} notin (${(e.values ?? []).join(',')})`;
    case 'Exists':
      return e.key;
    case 'DoesNotExist':
      return `!${e.key}`;
  }
}

/**
 * The values of a label (the keys `isKey` accepts) the selector is limited to: those every
 * matchLabels pair and `In` expression on it allows (requirements AND), sorted; undefined when
 * nothing limits it to named values (no such requirement, or only NotIn, Exists, DoesNotExist).
 */
export function selectorLimits(selector: LabelSelector, isKey: (key: string) => boolean): string[] | undefined {
  const limits: string[][] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (isKey(k)) limits.push([v]);
  for (const e of selector.matchExpressions ?? []) if (isKey(e.key) && e.operator === 'In') limits.push(e.values ?? []);
  if (limits.length === 0) return undefined;
  return [...new Set(limits[0])].filter((v) => limits.every((l) => l.includes(v))).sort();
}
