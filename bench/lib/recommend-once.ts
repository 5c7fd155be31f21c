/**
 * The work the recommend figures of bench/recommend.ts time, in the bench's process and in a
 * fresh one (bench/lib/export-child.ts): read the inventory, the edges and the matrices, compare,
 * synthesize and emit the `kubernetes` manifests as objects — what `flowmatrix export --engine
 * kubernetes` computes before the YAML text.
 */
import { loadCatalog } from '../../app/catalog.ts';
import { getEngine } from '../../recommender/engines/index.ts';
import { mergeMatrices } from '../../recommender/matrix/registry.ts';
import { resolveMatrix } from '../../recommender/matrix/resolve.ts';
import { recommend } from '../../recommender/recommend.ts';
import type { Db } from '../../store/db.ts';
import { readInventory } from '../../store/inventory.ts';
import { readAllEdges, readEdgeTraffic, readExternalNames } from '../../store/recommend-read.ts';

export interface RecommendPhases {
  readMs: number;
  synthesizeMs: number;
  emitMs: number;
  manifests: number;
}

const since = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

/** One recommendation; `details` also builds the evidence of `--output json` (and reads every edge column for it). */
export function recommendOnce(db: Db, details: boolean): RecommendPhases {
  const t0 = process.hrtime.bigint();
  const inventory = readInventory(db);
  // As `flowmatrix export` reads them: the traffic only, unless the evidence is built too.
  const edges = details ? readAllEdges(db) : readEdgeTraffic(db);
  const externalNames = readExternalNames(db);
  const matrices = mergeMatrices(loadCatalog().map((c) => c.matrix), []).entries.map((e) => resolveMatrix(e, inventory, {}));
  const readMs = since(t0);
  const t1 = process.hrtime.bigint();
  const rec = recommend({ inventory, edges, matrices, externalNames }, {}, { details });
  const synthesizeMs = since(t1);
  const t2 = process.hrtime.bigint();
  const { manifests } = getEngine('kubernetes').emit(rec.policySet);
  return { readMs, synthesizeMs, emitMs: since(t2), manifests: manifests.length };
}
