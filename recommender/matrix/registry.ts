/** Built-in catalog + user-applied matrices: an applied matrix replaces the built-in one of the same name. */
import { configProblemsFor } from './config.ts';
import { parseMatrix } from './load.ts';
import type { MatrixEntry } from './resolve.ts';
import type { MatricesConfigT, MatrixT } from './schema.ts';
import { compareStrings } from '../../domain/order.ts';

export interface AppliedSource {
  name: string;
  source: string;
  origin: string;
}

export function mergeMatrices(builtIn: readonly MatrixT[], applied: readonly AppliedSource[]): MatrixEntry[] {
  const out = new Map<string, MatrixEntry>();
  for (const m of builtIn) out.set(m.metadata.name, { matrix: m, origin: 'built-in', overridesBuiltIn: false });
  for (const a of applied) {
    // Valid when stored, it may fail a check added since: the error says how to get out.
    const { matrix } = parseMatrix(a.source, `stored matrix ${a.name} (from ${a.origin}; apply a fixed one, or \`flowmatrix matrix delete ${a.name}\`)`);
    out.set(matrix.metadata.name, { matrix, origin: 'applied', overridesBuiltIn: out.get(matrix.metadata.name)?.origin === 'built-in' });
  }
  return [...out.values()].sort((a, b) => compareStrings(a.matrix.metadata.name, b.matrix.metadata.name));
}

/**
 * The matrices in force: the built-in catalog merged with the applied ones, and what in the
 * cluster config does not fit them (returned, for the caller to report in its own terms).
 * Throws MatrixError when a stored matrix no longer parses.
 */
export function mergeAndCheck(builtIn: readonly MatrixT[], applied: readonly AppliedSource[], config: MatricesConfigT) {
  const entries = mergeMatrices(builtIn, applied);
  return { entries, problems: configProblemsFor(config, entries) };
}
