/** A JSON object read from input (a manifest, a spec, a rule): not null, not an array. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NONE: readonly unknown[] = Object.freeze([]);

/** The items of a JSON array read from input; none for anything else (one shared empty list: checks call it for every field of every rule). */
export function itemsOf(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : NONE;
}
