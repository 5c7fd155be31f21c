/**
 * Kubernetes label-selector semantics over plain label maps (apimachinery LabelSelector: every
 * matchLabels pair and every matchExpression must hold). In domain/ because the store judges a
 * stored selector against an import's pods with it (store/inventory.ts) and the simulators every
 * rule peer (recommender/matrix/selector.ts re-exports it).
 */
import type { LabelSelector, Labels } from './inventory.ts';
import { labelKeyError, labelValueError } from './k8s-names.ts';
import { isPlainObject, itemsOf } from './plain-object.ts';

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

type Requirement = NonNullable<LabelSelector['matchExpressions']>[number];

/**
 * Why apimachinery cannot build a selector holding this requirement, in its words; undefined
 * when it can. The network-policy-api CRDs take `operator` as a bare string and `values` of any
 * length, so such a selector can be stored; pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector
 * then refuses it (an operator other than the four) and so does pkg/labels/selector.go
 * NewRequirement (In/NotIn without values, Exists/DoesNotExist with values), and an
 * implementation programs nothing for it: it selects nothing (selectorMatches).
 */
export function requirementProblem(e: Requirement): string | undefined {
  const values = e.values?.length ?? 0;
  switch (e.operator) {
    case 'In':
    case 'NotIn':
      return values === 0 ? "for 'in', 'notin' operators, values set can't be empty" : undefined;
    case 'Exists':
    case 'DoesNotExist':
      return values > 0 ? 'values set must be empty for exists and does not exist' : undefined;
  }
  return `${JSON.stringify(e.operator)} is not a valid label selector operator`;
}

/** Why apimachinery cannot build a selector, at the field it names. */
export interface SelectorProblem {
  /** The field, from the selector: `['matchLabels', key]`, `['matchExpressions', 0, 'key']`, `['matchExpressions', 0, 'values', 1]` … */
  field: (string | number)[];
  problem: string;
  /** Set where the requirement is refused for its operator or its number of values (requirementProblem), not for a key's or value's syntax. */
  requirement?: Requirement;
}

/**
 * Every reason LabelSelectorAsSelector (apimachinery pkg/apis/meta/v1/helpers.go) cannot build
 * `selector`, matchLabels then matchExpressions; [] when it can. Each matchLabels pair is
 * NewRequirement(key, Equals, [value]); a matchExpression with an unknown operator is refused for
 * that alone (before NewRequirement), any other is NewRequirement's (pkg/labels/selector.go): the key
 * (validateLabelKey), the operator's number of values, then each value (validateLabelValue). Read
 * from a manifest as written: entries of the wrong shape are left to the schema.
 */
export function selectorProblems(selector: unknown): SelectorProblem[] {
  if (!isPlainObject(selector)) return [];
  const out: SelectorProblem[] = [];
  const labels = selector.matchLabels;
  if (isPlainObject(labels)) for (const [k, v] of Object.entries(labels)) out.push(...keyProblems(k, ['matchLabels', k]), ...valueProblems(v, ['matchLabels', k]));
  itemsOf(selector.matchExpressions).forEach((e, i) => {
    if (isPlainObject(e)) out.push(...expressionProblems(e as unknown as Requirement, ['matchExpressions', i]));
  });
  return out;
}

/** The operators apimachinery's LabelSelectorAsSelector accepts (pkg/apis/meta/v1/helpers.go); any other is refused. */
const LABEL_SELECTOR_OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export const isLabelSelectorOperator = (operator: string): boolean => LABEL_SELECTOR_OPERATORS.includes(operator);

function expressionProblems(e: Requirement, at: (string | number)[]): SelectorProblem[] {
  const refused = requirementProblem(e);
  if (!isLabelSelectorOperator(e.operator)) return [{ field: [...at, 'operator'], problem: refused!, requirement: e }];
  return [
    ...keyProblems(String(e.key), [...at, 'key']),
    ...(refused === undefined ? [] : [{ field: [...at, 'values'], problem: refused, requirement: e }]),
    ...itemsOf(e.values).flatMap((v, j) => valueProblems(v, [...at, 'values', j])),
  ];
}

/** validateLabelKey. */
function keyProblems(key: string, field: (string | number)[]): SelectorProblem[] {
  const error = labelKeyError(key);
  return error ? [{ field, problem: `key ${JSON.stringify(key)}: ${error}` }] : [];
}

/** validateLabelValue. */
function valueProblems(value: unknown, field: (string | number)[]): SelectorProblem[] {
  const error = labelValueError(String(value));
  return error ? [{ field, problem: `value ${JSON.stringify(String(value))}: ${error}` }] : [];
}

/**
 * A selector that selects nothing (apimachinery's labels.Nothing()), for one that cannot be built
 * (selectorProblems): an `In` without values holds for no label set (expressionHolds).
 */
export const SELECTS_NOTHING: LabelSelector = { matchExpressions: [{ key: 'selects-nothing', operator: 'In', values: [] }] };

/** One matchExpression on the label's value (`undefined`: no such label); false for one apimachinery refuses (requirementProblem). */
function expressionHolds(e: Requirement, value: string | undefined): boolean {
  const values = e.values ?? [];
  switch (e.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return values.length > 0 && (value === undefined || !values.includes(value));
    case 'Exists':
      return values.length === 0 && value !== undefined;
    case 'DoesNotExist':
      return values.length === 0 && value === undefined;
  }
  return false;
}

/**
 * A selector as `kubectl get -l` writes one (apimachinery labels.Selector String(): `k=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by commas); '' for the empty selector.
 */
export function selectorString(selector: LabelSelector): string {
  const pairs = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  return [...pairs, ...(selector.matchExpressions ?? []).map(expressionString)].join(',');
}

function expressionString(e: Requirement): string {
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
