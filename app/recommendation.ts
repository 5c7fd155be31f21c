/**
 * Running a recommendation: read the inventory, the edges, the external names and the matrices
 * in force from the store, map the options a front end was given, call the recommender and
 * render the chosen engine's manifests. `flowmatrix recommend`/`export`, the recommendations
 * API and the report all run it through here, so their bytes agree.
 */
import { DEFAULT_STALE_DAYS, type ComparisonStatus } from '../recommender/compare/status.ts';
import { ENGINE_NAMES, isEngineName, type EmitResult, type EngineName } from '../recommender/engines/index.ts';
import type { MatricesConfigT } from '../recommender/matrix/schema.ts';
import { PolicyError } from '../recommender/policy/build.ts';
import { emitFor, recommend, RecommendError, type Recommendation, type RecommendInput, type RecommendOptions } from '../recommender/recommend.ts';
import type { Mode } from '../recommender/synthesize/options.ts';
import type { Db } from '../store/db.ts';
import { readRecommendData } from '../store/recommend-read.ts';
import { invalidInput } from './errors.ts';
import { resolveMatrices } from './matrices.ts';

/** The options a front end takes (CLI flags, API query parameters), already parsed to their types. Absent: the default. */
export interface RecommendationRequest {
  mode?: Mode;
  egress?: boolean;
  defaultDeny?: boolean;
  shared?: boolean;
  includeMay?: boolean;
  staleDays?: number;
  include?: readonly ComparisonStatus[];
  /** Reference time for staleness (ms). */
  now?: number;
  namespace?: string;
  /** `name` or `Kind/name`. */
  workload?: string;
}

/** Request → recommender options; `staleDays` falls back to the configured default (the service config's, else 30). */
export function recommendOptions(req: RecommendationRequest, defaultStaleDays: number = DEFAULT_STALE_DAYS): Partial<RecommendOptions> {
  const out: Partial<RecommendOptions> = {
    mode: req.mode ?? 'union',
    egress: req.egress ?? true,
    defaultDeny: req.defaultDeny ?? false,
    shared: req.shared ?? false,
    includeMay: req.includeMay ?? false,
    staleDays: req.staleDays ?? defaultStaleDays,
  };
  if (req.include !== undefined) out.include = [...new Set(req.include)];
  if (req.now !== undefined) out.now = req.now;
  if (req.namespace !== undefined) out.namespace = req.namespace;
  if (req.workload !== undefined) out.workload = req.workload;
  return out;
}

/** The engine of that name; AppError `invalid-input` listing the four. */
export function engineNamed(name: string): EngineName {
  if (!isEngineName(name)) throw invalidInput(`unknown engine "${name}": expected one of ${ENGINE_NAMES.join(', ')}`);
  return name;
}

/**
 * Everything the recommender reads, from the store. `details: false` reads the edges' traffic
 * only: enough for manifests, not for the JSON evidence.
 */
export function readRecommendationInput(db: Db, matrices: MatricesConfigT, run: { details?: boolean } = {}): RecommendInput {
  const data = readRecommendData(db, { details: run.details !== false });
  return { ...data, matrices: resolveMatrices(db, matrices, data.inventory) };
}

export interface RecommendationResult {
  rec: Recommendation;
  emitted: EmitResult;
}

/**
 * Checks a recommendation before a front end hands it out, and may add what it found. The
 * verification step (manifests against their engine's schema and simulator) plugs in here.
 */
export type VerifyStep = (result: RecommendationResult) => RecommendationResult;

export interface RecommendationRun {
  /** Build the per-rule evidence (the JSON output); manifests alone do not need it. Default true. */
  details?: boolean;
  /** Runs after the manifests are emitted; none by default. */
  verify?: VerifyStep;
}

/** Recommends, emits the engine's manifests, then verifies. Options the recommender rejects are AppError `invalid-input`. */
export function runRecommendation(input: RecommendInput, engine: EngineName, options: Partial<RecommendOptions>, run: RecommendationRun = {}): RecommendationResult {
  return appErrors(() => emitAndVerify(recommend(input, options, { details: run.details !== false }), engine, run));
}

/** One recommendation (with details), emitted and verified for every engine: the report compares them. */
export function recommendForEveryEngine(input: RecommendInput, options: Partial<RecommendOptions>, run: Pick<RecommendationRun, 'verify'> = {}): { rec: Recommendation; emitted: Record<EngineName, EmitResult> } {
  return appErrors(() => {
    const rec = recommend(input, options);
    const emitted = Object.fromEntries(ENGINE_NAMES.map((e) => [e, emitAndVerify(rec, e, run).emitted])) as Record<EngineName, EmitResult>;
    return { rec, emitted };
  });
}

function emitAndVerify(rec: Recommendation, engine: EngineName, run: Pick<RecommendationRun, 'verify'>): RecommendationResult {
  const result = { rec, emitted: emitFor(rec, engine) };
  return run.verify ? run.verify(result) : result;
}

/** Runs `fn`; what the recommender and the policy builder reject becomes AppError `invalid-input`. */
function appErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RecommendError || e instanceof PolicyError) throw invalidInput(e.message);
    throw e;
  }
}

/** Reads the store and runs one recommendation for `engine`. */
export function recommendFromStore(db: Db, matrices: MatricesConfigT, engine: EngineName, options: Partial<RecommendOptions>, run: RecommendationRun = {}): RecommendationResult {
  return runRecommendation(readRecommendationInput(db, matrices, run), engine, options, run);
}
