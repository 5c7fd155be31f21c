/**
 * The Calico selectors of a policy spec as their meaning, for drift (drift.ts): an API server
 * stores a selector as written, so `app == 'web'` applied is listed back so while flowmatrix
 * writes `app == "web"`, or with other spaces; felix reads both alike. Each selector is replaced
 * by its canonical text (libcalico-go selector parser, Selector.String(): double quotes, single
 * spaces, `in` sets sorted, `&&` / `||` parenthesised: calico/selector.ts), in `spec.selector`,
 * `namespaceSelector` and `serviceAccountSelector` and in each rule's `source` / `destination`
 * (`selector`, `notSelector`, `namespaceSelector`, `serviceAccounts.selector`).
 * Left as written: an empty one (in a rule, none at all, not `all()`), one that does not parse
 * (the API server refuses it), and one whose `all()` or `global()` is spelt otherwise (`all( )`):
 * libcalico-go's syncer rewrites them by text (v1-selectors.ts), so that spelling matters.
 * A Calico NetworkPolicy without `spec.selector` applies to every endpoint of its namespace, as
 * `all()` does (updateprocessors networkpolicyprocessor.go: `(selector) && namespace == …`, or the
 * namespace test alone): it is compared as `all()`. A GlobalNetworkPolicy's is only when it has no
 * namespaceSelector or serviceAccountSelector, since the syncer turns an `all()` written beside
 * them into `has(projectcalico.org/namespace)`, which host endpoints do not pass.
 */
import { parseSelector } from './simulate/calico/selector.ts';
import { isPlainObject } from '../domain/plain-object.ts';

type Obj = Record<string, unknown>;

const POLICY_SELECTORS = ['selector', 'namespaceSelector', 'serviceAccountSelector'] as const;
const ENTITY_SELECTORS = ['selector', 'notSelector', 'namespaceSelector'] as const;
const ALL = 'all()';

/** The spec with each Calico selector written canonically; the spec itself for other kinds. */
export function withCalicoSelectorsCanonical(apiVersion: string, kind: string, spec: unknown): unknown {
  if (apiVersion !== 'projectcalico.org/v3' || (kind !== 'NetworkPolicy' && kind !== 'GlobalNetworkPolicy') || !isPlainObject(spec)) return spec;
  const out: Obj = canonicalAt(spec, POLICY_SELECTORS);
  const bare = kind === 'NetworkPolicy' || (!spec.namespaceSelector && !spec.serviceAccountSelector);
  if (bare && !spec.selector) out.selector = ALL;
  for (const direction of ['ingress', 'egress']) {
    const rules = spec[direction];
    if (Array.isArray(rules)) out[direction] = rules.map((rule) => (isPlainObject(rule) ? entities(rule) : rule));
  }
  return out;
}

function entities(rule: Obj): Obj {
  const out: Obj = { ...rule };
  for (const side of ['source', 'destination']) {
    const e = rule[side];
    if (!isPlainObject(e)) continue;
    const entity = canonicalAt(e, ENTITY_SELECTORS);
    if (isPlainObject(e.serviceAccounts)) entity.serviceAccounts = canonicalAt(e.serviceAccounts, ['selector']);
    out[side] = entity;
  }
  return out;
}

/** `x` with its selector strings `fields` written canonically. */
function canonicalAt(x: Obj, fields: readonly string[]): Obj {
  const out: Obj = { ...x };
  for (const k of fields) if (typeof x[k] === 'string') out[k] = canonicalSelector(x[k]);
  return out;
}

function canonicalSelector(text: string): string {
  if (text.trim() === '') return text;
  let canonical: string;
  try {
    canonical = parseSelector(text).text;
  } catch {
    return text;
  }
  return TEXT_REWRITTEN.every((fn) => occurrences(text, fn) === occurrences(canonical, fn)) ? canonical : text;
}

/** The functions the syncer rewrites by text (v1-selectors.ts): `all()`, and `global()` in a rule's namespaceSelector. */
const TEXT_REWRITTEN = [ALL, 'global()'];

const occurrences = (s: string, part: string): number => s.split(part).length - 1;
