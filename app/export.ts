/**
 * The export: the manifests of a recommendation, verified, without the evidence, for a cluster
 * of any size. Emitted and verified a group of namespaces at a time and written a window of
 * manifests at a time (recommender/verify/in-chunks.ts, engines/emit-in-order.ts), so that the
 * whole set of manifests is never in memory at once; the bytes are those of one whole emit.
 */
import type { EmitWarning, EngineName, Manifest } from '../recommender/engines/types.ts';
import { manifestsInOrder } from '../recommender/engines/emit-in-order.ts';
import type { MatricesConfigT } from '../recommender/matrix/schema.ts';
import type { Recommendation, RecommendOptions } from '../recommender/recommend.ts';
import type { Verification } from '../recommender/verify/recommendation.ts';
import type { Db } from '../store/db.ts';
import { countEdges } from '../store/recommend-read.ts';
import { clusterModel } from '../recommender/simulate/cluster.ts';
import { appErrors, dropVerifiedSides, emitOptions, opensByRule, readRecommendationInput, recommendWithWarnings, verifyRecommendationInChunks, type StoredRecommendInput } from './recommendation.ts';

export interface VerifiedExport {
  /** The recommendation, without its sides. */
  rec: Recommendation;
  emitted: { engine: EngineName; warnings: EmitWarning[] };
  verification: Verification;
  /** How many manifests `manifests()` gives. */
  count: number;
  /** The manifests, in the order of one whole emit; each call renders them again, a window at a time (kept instead when the verification was one chunk). */
  manifests(): Iterable<Manifest>;
}

export interface ExportLimits {
  /** Edge sides verified at once (verify/in-chunks.ts CHUNK_EDGE_SIDES). */
  maxEdgeSides?: number;
  /** Manifests rendered at once when written (engines/emit-in-order.ts DEFAULT_EMIT_WINDOW). */
  window?: number;
}

/** Recommends without evidence, then emits and verifies `engine`'s manifests in chunks; with `tightness`, measures each side's tightness too (as RecommendationRun.tightness). */
export function verifiedExport(input: StoredRecommendInput, engine: EngineName, options: Partial<RecommendOptions>, limits: ExportLimits & Pick<ExportRun, 'tightness'> = {}): VerifiedExport {
  return appErrors(() => {
    const model = clusterModel(input.inventory, input.externalNames);
    const rec = recommendWithWarnings(input, options, { details: false, openByRule: opensByRule(engine, input, model) });
    const { verification, warnings, slots, manifests } = verifyRecommendationInChunks(
      input,
      rec,
      engine,
      { tightness: limits.tightness === true, ...(limits.maxEdgeSides !== undefined ? { maxEdgeSides: limits.maxEdgeSides } : {}) },
      model,
    );
    dropVerifiedSides(rec);
    return {
      rec,
      emitted: { engine, warnings },
      verification,
      count: slots.length,
      // Rendered again with the options the verification emitted them with (emitOptions).
      manifests: () => manifests ?? manifestsInOrder(engine, rec.policySet, slots, emitOptions(input), limits.window),
    };
  });
}

export interface ExportRun {
  /** More stored edges than this are refused before anything is read (as RecommendationRun.maxEdges). */
  maxEdges?: number;
  /** Told how many edges the store holds before anything is read (the CLI sizes its heap by it: cli/heap-growth.ts). */
  storeSize?: (edges: number) => void;
  /** Measure each workload side's tightness (`recommend`'s text output shows it; its probes cost about as many simulations again); default false. */
  tightness?: boolean;
}

/** Reads the store (traffic only: no evidence) and exports `engine`'s manifests. */
export function exportFromStore(db: Db, matrices: MatricesConfigT, engine: EngineName, options: Partial<RecommendOptions>, run: ExportRun = {}, limits: ExportLimits = {}): VerifiedExport {
  run.storeSize?.(countEdges(db));
  return verifiedExport(readRecommendationInput(db, matrices, { details: false, ...(run.maxEdges !== undefined ? { maxEdges: run.maxEdges } : {}) }), engine, options, { ...limits, ...(run.tightness === true ? { tightness: true } : {}) });
}
