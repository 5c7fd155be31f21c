/** Built-in catalog + user-applied matrices: an applied matrix replaces the built-in one of the same name. */
import { parseMatrix } from './load.ts';
import type { MatrixEntry } from './resolve.ts';
import type { MatrixT } from './schema.ts';

export interface AppliedSource {
  name: string;
  source: string;
  origin: string;
}

export function mergeMatrices(builtIn: readonly MatrixT[], applied: readonly AppliedSource[]): MatrixEntry[] {
  const out = new Map<string, MatrixEntry>();
  for (const m of builtIn) out.set(m.metadata.name, { matrix: m, origin: 'built-in', overridesBuiltIn: false });
  for (const a of applied) {
    const { matrix } = parseMatrix(a.source, `stored matrix ${a.name} (from ${a.origin})`);
    out.set(matrix.metadata.name, { matrix, origin: 'applied', overridesBuiltIn: out.get(matrix.metadata.name)?.origin === 'built-in' });
  }
  return [...out.values()].sort((a, b) => a.matrix.metadata.name.localeCompare(b.matrix.metadata.name));
}
