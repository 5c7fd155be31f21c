/**
 * Reads everything a report needs from the store and computes the recommendation, the manifests of
 * every engine and the drift: the I/O half of a report (build.ts is the pure half).
 */
import { peerKey } from '../domain/peer.ts';
import { ENGINE_NAMES, getEngine, type EmitResult, type EngineName } from '../recommender/engines/index.ts';
import { loadCatalog } from '../recommender/matrix/catalog.ts';
import { configProblemsFor } from '../recommender/matrix/config.ts';
import { formatProblem, MatrixError } from '../recommender/matrix/load.ts';
import { mergeMatrices } from '../recommender/matrix/registry.ts';
import { resolveMatrix } from '../recommender/matrix/resolve.ts';
import type { ResolvedMatrix } from '../recommender/matrix/resolved.ts';
import type { MatricesConfigT } from '../recommender/matrix/schema.ts';
import { PolicyError } from '../recommender/policy/build.ts';
import { recommend, RecommendError, type RecommendOptions } from '../recommender/recommend.ts';
import type { Mode } from '../recommender/synthesize/options.ts';
import { computeDrift } from '../recommender/drift.ts';
import type { Db } from '../store/db.ts';
import { EdgeStore } from '../store/edges.ts';
import { IngestRunStore } from '../store/ingest-runs.ts';
import { listStoredMatrices } from '../store/matrices.ts';
import { readRecommendData } from '../store/recommend-read.ts';
import { ingestTotals } from '../store/reports.ts';
import type { ReportInput } from './build.ts';
import type { ReportTrigger } from './model.ts';

/** A report that cannot be built from this store and config (bad matrices or config, rejected options). */
export class ReportError extends Error {}

export interface ReportRequest {
  engine: EngineName;
  mode: Mode;
  egress: boolean;
  staleDays: number;
  namespace?: string;
  /** Reference time for staleness (ms); default the latest last-seen in the store. */
  now?: number;
  matrices: MatricesConfigT;
  trigger: ReportTrigger;
  generatedAt: number;
}

function resolveMatrices(db: Db, config: MatricesConfigT, inventory: ReportInput['inventory']): ResolvedMatrix[] {
  try {
    const entries = mergeMatrices(
      loadCatalog().map((c) => c.matrix),
      listStoredMatrices(db).map((s) => ({ name: s.name, source: s.source, origin: s.origin })),
    );
    const problems = configProblemsFor(config, entries);
    if (problems.length > 0) throw new ReportError(`the matrices config does not match the loaded matrices:\n${problems.map(formatProblem).join('\n')}`);
    return entries.map((e) => resolveMatrix(e, inventory, config));
  } catch (e) {
    if (e instanceof MatrixError) throw new ReportError(e.message);
    throw e;
  }
}

export function gatherReportInput(db: Db, req: ReportRequest): ReportInput {
  const { inventory, edges, externalNames } = readRecommendData(db);
  const matrices = resolveMatrices(db, req.matrices, inventory);
  const options: Partial<RecommendOptions> = { mode: req.mode, egress: req.egress, staleDays: req.staleDays };
  if (req.namespace !== undefined) options.namespace = req.namespace;
  if (req.now !== undefined) options.now = req.now;

  let recommendation;
  const emitted = {} as Record<EngineName, EmitResult>;
  try {
    recommendation = recommend({ inventory, edges, matrices, externalNames }, options);
    for (const engine of ENGINE_NAMES) emitted[engine] = getEngine(engine).emit(recommendation.policySet);
  } catch (e) {
    if (e instanceof RecommendError || e instanceof PolicyError) throw new ReportError(e.message);
    throw e;
  }
  const own = emitted[req.engine];
  const { totals, rejects } = ingestTotals(db);
  return {
    recommendation,
    engine: req.engine,
    manifests: Object.fromEntries(ENGINE_NAMES.map((e) => [e, emitted[e].manifests])),
    engineWarnings: own.warnings,
    inventory,
    edges,
    matrices,
    ingest: {
      totals,
      rejects,
      recent: new IngestRunStore(db).list(10),
      ambiguous: new EdgeStore(db).listAmbiguous().map((a) => ({ ...a, peerA: peerKey(a.peerA), peerB: peerKey(a.peerB) })),
    },
    drift: computeDrift(req.engine, inventory.policies, own.manifests, req.namespace),
    generatedAt: req.generatedAt,
    trigger: req.trigger,
  };
}
