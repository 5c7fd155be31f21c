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
