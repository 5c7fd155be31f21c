/**
 * Built-in catalog + user-applied matrices: an applied matrix replaces the built-in one of the
 * same name. A stored matrix that no longer validates (a check added since it was applied) is not
 * in force; the others are, and a built-in one of its name is in force in its place.
 */
import { configProblemsFor } from './config.ts';
import { MatrixError, parseMatrix, type MatrixProblem } from './load.ts';
import type { MatrixEntry } from './resolve.ts';
import type { MatricesConfigT, MatrixT } from './schema.ts';
import { compareStrings } from '../../domain/order.ts';
import { parseYamlDocument, yamlData } from '../../domain/yaml-document.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

export interface AppliedSource {
  name: string;
  source: string;
  origin: string;
}

/** A stored matrix that no longer validates: not in force. */
export interface BrokenMatrix {
  name: string;
  /** Where it was applied from. */
  origin: string;
  problems: MatrixProblem[];
  /** The built-in matrix of that name is in force in its place. */
  builtInInForce: boolean;
  /** The roles its document declares, read without validation: the config may bind them. */
  roles: string[];
}

export interface MergedMatrices {
  /** In force, sorted by name. */
  entries: MatrixEntry[];
  /** Stored, not in force: they no longer validate. Sorted by name. */
  broken: BrokenMatrix[];
}

/** `clusterDomain`: the config's (`matrices.clusterDomain`), under which a stored matrix is validated again. */
export function mergeMatrices(builtIn: readonly MatrixT[], applied: readonly AppliedSource[], clusterDomain?: string): MergedMatrices {
  const out = new Map<string, MatrixEntry>();
  const broken: BrokenMatrix[] = [];
  for (const m of builtIn) out.set(m.metadata.name, { matrix: m, origin: 'built-in', overridesBuiltIn: false });
  for (const a of applied) {
    let matrix: MatrixT;
    try {
      matrix = parseMatrix(a.source, `stored matrix ${a.name}`, undefined, clusterDomain !== undefined ? { clusterDomain } : {}).matrix;
    } catch (e) {
      if (!(e instanceof MatrixError)) throw e;
      broken.push({ name: a.name, origin: a.origin, problems: e.problems, builtInInForce: out.get(a.name)?.origin === 'built-in', roles: declaredRoles(a.source) });
      continue;
    }
    out.set(matrix.metadata.name, { matrix, origin: 'applied', overridesBuiltIn: out.get(matrix.metadata.name)?.origin === 'built-in' });
  }
  return {
    entries: [...out.values()].sort((a, b) => compareStrings(a.matrix.metadata.name, b.matrix.metadata.name)),
    broken: broken.sort((a, b) => compareStrings(a.name, b.name)),
  };
}

/** The keys of a document's `roles:` mapping, or none when it has none to read. */
function declaredRoles(source: string): string[] {
  const read = yamlData(parseYamlDocument(source, { prettyErrors: false }));
  const roles = read.ok ? (read.data as { roles?: unknown } | null)?.roles : undefined;
  return isPlainObject(roles) ? Object.keys(roles) : [];
}

/** Whether a config problem is about a broken matrix: its system, or a role its document declares. */
export function aboutBroken(path: string, broken: readonly BrokenMatrix[]): boolean {
  const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
  return broken.some((b) => under(`matrices.systems.${b.name}`) || b.roles.some((r) => under(`matrices.bindings.roles.${r}`)));
}

/**
 * The matrices in force, and what in the cluster config does not fit them (returned, for the
 * caller to report in its own terms): `problems`, and `waiting` — those about a broken matrix,
 * which the config cannot meet until a fixed one is applied (said with the broken matrix, not
 * refused: the config was right for it).
 */
export function mergeAndCheck(builtIn: readonly MatrixT[], applied: readonly AppliedSource[], config: MatricesConfigT) {
  const { entries, broken } = mergeMatrices(builtIn, applied, config.clusterDomain);
  const all = configProblemsFor(config, entries);
  return {
    entries,
    broken,
    problems: all.filter((p) => !aboutBroken(p.path, broken)),
    waiting: all.filter((p) => aboutBroken(p.path, broken)),
  };
}
