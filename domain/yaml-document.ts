/**
 * A parsed YAML document's data, or the reason it has none. A hostile or careless document can
 * hold an alias inside its own anchor (`a: &x [*x]`: `toJS` then returns a cyclic object that
 * every later JSON.stringify or schema walk dies on) or more alias expansions than
 * `maxAliasCount` (the "billion laughs" shape: `toJS` throws). Every reader of user YAML
 * (matrices, configs, inventories) turns both into its own input error, never a 500.
 */
import type { Document } from 'yaml';

export type YamlData = { ok: true; data: unknown } | { ok: false; message: string };

/** Deeper nesting than this is refused rather than walked (no legitimate input comes close). */
const MAX_DEPTH = 512;

export function yamlData(doc: Document.Parsed, maxAliasCount = 100): YamlData {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount });
  } catch (e) {
    return { ok: false, message: `YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  const problem = treeProblem(data);
  return problem ? { ok: false, message: `YAML: ${problem}` } : { ok: true, data };
}

/** Why `value` is not a finite tree (a cycle, or nesting beyond MAX_DEPTH), or undefined: for parsed JSON too, which readers walk recursively. */
export function treeProblem(value: unknown): string | undefined {
  const ancestors = new Set<object>();
  const walk = (v: unknown, depth: number): string | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    if (ancestors.has(v)) return 'an alias refers to a node that contains it (a cycle)';
    if (depth > MAX_DEPTH) return `nesting deeper than ${MAX_DEPTH} levels`;
    ancestors.add(v);
    const children = v instanceof Map ? [...v.values()] : v instanceof Set ? [...v] : Object.values(v);
    for (const child of children) {
      const p = walk(child, depth + 1);
      if (p) return p;
    }
    ancestors.delete(v);
    return undefined;
  };
  return walk(value, 0);
}
