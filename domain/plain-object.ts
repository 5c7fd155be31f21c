/** A JSON object read from input (a manifest, a spec, a rule): not null, not an array. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NONE: readonly unknown[] = Object.freeze([]);

/** The items of a JSON array read from input; none for anything else (one shared empty list: checks call it for every field of every rule). */
export function itemsOf(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : NONE;
}

/**
 * A manifest as the API server holds it when fields were written as null (a bare `ingress:` line
 * in YAML): every object field whose value is null left out, at any depth; array items kept. For
 * a custom resource the API server does so before validating (apiextensions-apiserver
 * pkg/apiserver/schema/defaulting/prunenulls.go PruneNonNullableNullsWithoutDefaults; a field with
 * a default then gets it, as an absent one does; kubernetes/kubernetes#95423), and a built-in kind
 * decodes a JSON null to the field's zero value (a nil slice), never written back: either way null
 * reads as absent. Not a copy where nothing is null.
 */
export function withoutNullFields<T>(v: T): T {
  if (Array.isArray(v)) {
    const items = v.map(withoutNullFields);
    return (items.some((x, i) => x !== v[i]) ? items : v) as T;
  }
  if (!isPlainObject(v)) return v;
  let out: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    const kept = x === null ? undefined : withoutNullFields(x);
    if (kept === x) continue;
    out ??= { ...v };
    if (kept === undefined) delete out[k];
    else out[k] = kept;
  }
  return (out ?? v) as T;
}

/**
 * The lists of strings of a NetworkPolicy (its other lists hold objects): `policyTypes`,
 * `ipBlock.except`, a selector requirement's `values`, `metadata.finalizers`.
 */
const NETWORK_POLICY_STRING_LISTS: ReadonlySet<string> = new Set(['policyTypes', 'except', 'values', 'finalizers']);

/** The maps of strings of a NetworkPolicy: a selector's `matchLabels`, `metadata.labels` and `metadata.annotations`. */
const NETWORK_POLICY_STRING_MAPS: ReadonlySet<string> = new Set(['matchLabels', 'labels', 'annotations']);

/**
 * A NetworkPolicy's nulls as the API server decodes them into its Go structs (sigs.k8s.io/json, a
 * fork of Go's encoding/json: `array()` appends a zero element, `object()` decodes a map element
 * into a zero value and writes it back, and `literalStore` leaves a struct or string as it is for
 * null): a list's object item is `{}`, a string item `''`, a string map's value `''` — so
 * `ingress: [null]` is the empty rule, which allows every source on every port, and
 * `matchLabels: {app: null}` selects the pods labelled `app=""`. A null struct field is a nil
 * slice, map or pointer: absent (withoutNullFields). Custom resources keep null items
 * (apiextensions-apiserver prunes null fields only), and their schema refuses them.
 */
function withNullsDecoded<T>(v: T, key = ''): T {
  if (Array.isArray(v)) {
    const items = v.map((x) => (x === null ? (NETWORK_POLICY_STRING_LISTS.has(key) ? '' : {}) : withNullsDecoded(x)));
    return (items.some((x, i) => x !== v[i]) ? items : v) as T;
  }
  if (!isPlainObject(v)) return v;
  const stringMap = NETWORK_POLICY_STRING_MAPS.has(key);
  let out: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    const decoded = x === null && stringMap ? '' : withNullsDecoded(x, k);
    if (decoded !== x) (out ??= { ...v })[k] = decoded;
  }
  return (out ?? v) as T;
}

const isNetworkPolicy = (v: unknown): boolean => isPlainObject(v) && v.kind === 'NetworkPolicy' && v.apiVersion === 'networking.k8s.io/v1';

/** A policy manifest as the API server stores it: a NetworkPolicy's nulls in lists and string maps decoded (withNullsDecoded), then null fields absent (withoutNullFields). */
export function asStoredPolicy<T>(v: T): T {
  return withoutNullFields(isNetworkPolicy(v) ? withNullsDecoded(v) : v);
}
