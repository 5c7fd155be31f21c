/**
 * Calico selector expressions of label selectors and namespace lists, and the same split into
 * several expressions that each fit the projectcalico.org/v3 CRD's bound on a selector (the
 * policy's `selector`, `namespaceSelector`, `serviceAccountSelector` and an EntityRule's
 * `selector`, `namespaceSelector`, `notSelector`: `maxLength: 1024`, projectcalico/calico
 * api/pkg/apis/projectcalico/v3 policy_common.go, api/config/crd/projectcalico.org_*.yaml).
 *
 * A split deals the values of one `in {…}` set over several expressions: `k in {a, b}` selects
 * what `k in {a}` or `k in {b}` does, the other terms alike in each. The caller writes one policy
 * (or one rule) per expression, which allows their union.
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import { canonicalSelector } from '../policy/order.ts';

export const CALICO_NAMESPACE_LABEL = 'projectcalico.org/name';

/** At most this many characters in one selector expression (the CRD's `maxLength: 1024`). */
export const MAX_CALICO_SELECTOR = 1024;

const quote = (v: string): string => `'${v}'`;

/** A term of a selector: its text, or an `in` set (rendered `key in {…}`). */
type Term = string | { key: string; values: readonly string[] };

const setText = (values: readonly string[]): string => `{${values.map(quote).join(', ')}}`;

function render(terms: readonly Term[]): string {
  if (terms.length === 0) return 'all()';
  return terms.map((t) => (typeof t === 'string' ? t : `${t.key} in ${setText(t.values)}`)).join(' && ');
}

function terms(s: LabelSelector): Term[] {
  const c = canonicalSelector(s);
  const out: Term[] = [];
  for (const [k, v] of Object.entries(c.matchLabels ?? {})) out.push(`${k} == ${quote(v)}`);
  for (const e of c.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
        out.push({ key: e.key, values: e.values ?? [] });
        break;
      case 'NotIn':
        out.push(`${e.key} not in ${setText(e.values ?? [])}`);
        break;
      case 'Exists':
        out.push(`has(${e.key})`);
        break;
      case 'DoesNotExist':
        out.push(`!has(${e.key})`);
        break;
    }
  }
  return out;
}

/** A LabelSelector as a Calico selector expression; `{}` → `all()`. */
export function calicoSelector(s: LabelSelector): string {
  return render(terms(s));
}

/** calicoSelector(s), or several expressions selecting the same endpoints together, each fitting MAX_CALICO_SELECTOR; unsplit when no split fits. */
export function fittingCalicoSelectors(s: LabelSelector, max = MAX_CALICO_SELECTOR): string[] {
  const ts = terms(s);
  const whole = render(ts);
  if (whole.length <= max) return [whole];
  // The set with the most text: the one whose split leaves the most room.
  let at = -1;
  let widest = -1;
  ts.forEach((t, i) => {
    if (typeof t !== 'string' && setText(t.values).length > widest) [at, widest] = [i, setText(t.values).length];
  });
  if (at < 0) return [whole];
  const set = ts[at] as { key: string; values: readonly string[] };
  const withValues = (values: readonly string[]): string => render(ts.map((t, i) => (i === at ? { key: set.key, values } : t)));
  const runs = fittingRuns(set.values, withValues([]).length, max);
  return runs === undefined ? [whole] : runs.map(withValues);
}

/** The namespaces as a selector of their `projectcalico.org/name` label. */
export function namespaceSelector(namespaces: readonly string[]): string {
  return namespaces.length === 1 ? `${CALICO_NAMESPACE_LABEL} == ${quote(namespaces[0]!)}` : `${CALICO_NAMESPACE_LABEL} in ${setText(namespaces)}`;
}

/** namespaceSelector(namespaces), or several selecting the namespaces together, each fitting MAX_CALICO_SELECTOR. */
export function fittingNamespaceSelectors(namespaces: readonly string[], max = MAX_CALICO_SELECTOR): string[] {
  const whole = namespaceSelector(namespaces);
  if (whole.length <= max) return [whole];
  const runs = fittingRuns(namespaces, namespaceSelector([]).length, max);
  return runs === undefined ? [whole] : runs.map(namespaceSelector);
}

/**
 * `values` in order, in runs whose `{…}` set makes an expression of at most `max` characters,
 * `empty` being its length with the set empty (`{}`); undefined when one value alone does not fit.
 */
function fittingRuns(values: readonly string[], empty: number, max: number): string[][] | undefined {
  const runs: string[][] = [];
  let run: string[] = [];
  let length = empty;
  for (const v of values) {
    const alone = quote(v).length;
    // `'v'`, and `, ` before every value but the first of a run.
    if (run.length > 0 && length + 2 + alone > max) {
      runs.push(run);
      run = [];
      length = empty;
    }
    length += alone + (run.length > 0 ? 2 : 0);
    if (length > max) return undefined;
    run.push(v);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
