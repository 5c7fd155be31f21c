/** The matrices the service works with: built-in catalog + applied ones, checked against the config. */
import { MatrixError } from '../../recommender/matrix/load.ts';
import { matricesInForce } from '../../recommender/matrix/registry.ts';
import { resolveMatrix, type MatrixEntry } from '../../recommender/matrix/resolve.ts';
import type { ResolvedMatrix } from '../../recommender/matrix/resolved.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { Db } from '../../store/db.ts';
import { readInventory } from '../../store/inventory.ts';
import { listStoredMatrices } from '../../store/matrices.ts';
import { HttpProblem } from '../http/problem.ts';

export function matrixEntries(db: Db, config: MatricesConfigT): MatrixEntry[] {
  let inForce;
  try {
    inForce = matricesInForce(listStoredMatrices(db), config);
  } catch (e) {
    if (e instanceof MatrixError) throw new HttpProblem('unprocessable-content', e.message);
    throw e;
  }
  const { entries, problems } = inForce;
  if (problems.length > 0) {
    throw new HttpProblem('unprocessable-content', 'the service config does not match the loaded matrices', {
      errors: problems.map((p) => ({ path: p.path, message: p.message, ...(p.value !== undefined ? { value: p.value } : {}) })),
    });
  }
  return entries;
}

export { matrixSummary } from '../../recommender/matrix/summary.ts';

export function resolveAllMatrices(db: Db, config: MatricesConfigT): ResolvedMatrix[] {
  const entries = matrixEntries(db, config);
  const inventory = readInventory(db);
  return entries.map((e) => resolveMatrix(e, inventory, config));
}

