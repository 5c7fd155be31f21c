/** The matrices the service works with: built-in catalog + applied ones, checked against the config. */
import { loadCatalog } from '../../recommender/matrix/catalog.ts';
import { configProblemsFor } from '../../recommender/matrix/config.ts';
import { MatrixError } from '../../recommender/matrix/load.ts';
import { mergeMatrices } from '../../recommender/matrix/registry.ts';
import { resolveMatrix, type MatrixEntry } from '../../recommender/matrix/resolve.ts';
import type { ResolvedMatrix } from '../../recommender/matrix/resolved.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { Db } from '../../store/db.ts';
import { readInventory } from '../../store/inventory.ts';
import { listStoredMatrices } from '../../store/matrices.ts';
import { HttpProblem } from '../http/problem.ts';

export function matrixEntries(db: Db, config: MatricesConfigT): MatrixEntry[] {
  let entries: MatrixEntry[];
  try {
    entries = mergeMatrices(
      loadCatalog().map((c) => c.matrix),
      listStoredMatrices(db).map((s) => ({ name: s.name, source: s.source, origin: s.origin })),
    );
  } catch (e) {
    if (e instanceof MatrixError) throw new HttpProblem('unprocessable-content', e.message);
    throw e;
  }
  const problems = configProblemsFor(config, entries);
  if (problems.length > 0) {
    throw new HttpProblem('unprocessable-content', 'the service config does not match the loaded matrices', {
      errors: problems.map((p) => ({ path: p.path, message: p.message, ...(p.value !== undefined ? { value: p.value } : {}) })),
    });
  }
  return entries;
}

export function resolveAllMatrices(db: Db, config: MatricesConfigT): ResolvedMatrix[] {
  const entries = matrixEntries(db, config);
  const inventory = readInventory(db);
  return entries.map((e) => resolveMatrix(e, inventory, config));
}

export function matrixSummary(m: ResolvedMatrix) {
  return {
    name: m.name,
    title: m.title,
    origin: m.origin,
    overridesBuiltIn: m.overridesBuiltIn,
    enabled: m.enabled,
    detected: m.detected,
    components: { present: m.components.filter((c) => c.present).map((c) => c.name), total: m.components.length },
    parameters: Object.fromEntries(m.parameters.map((p) => [p.name, { value: p.value ?? null, origin: p.origin }])),
    findings: m.findings.length,
  };
}
