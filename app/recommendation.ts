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
import { readRecommendData, TooManyEdgesError } from '../store/recommend-read.ts';
import type { SkippedRows } from '../store/row-check.ts';
import { clusterModel, type ClusterModel } from '../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../recommender/simulate/index.ts';
import { engineWarnings } from '../recommender/verify/engine-warnings.ts';
import { verifyRecommendation, type Verification } from '../recommender/verify/recommendation.ts';
import { invalidInput, tooLarge } from './errors.ts';
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
/** What the recommender reads, and the stored rows the read had to leave out (reported as a warning). */
export interface StoredRecommendInput extends RecommendInput {
  skippedRows?: SkippedRows;
}

export function readRecommendationInput(db: Db, matrices: MatricesConfigT, run: { details?: boolean; maxEdges?: number } = {}): StoredRecommendInput {
  const data = tooManyEdges(() => readRecommendData(db, { details: run.details !== false, ...(run.maxEdges !== undefined ? { maxEdges: run.maxEdges } : {}) }));
  return { ...data, matrices: resolveMatrices(db, matrices, data.inventory, data) };
}

export interface RecommendationResult {
  rec: Recommendation;
  emitted: EmitResult;
  /** The manifests checked by the engine's admission rules and simulated against the observed edges. */
  verification: Verification;
}

export interface RecommendationRun {
  /** Build the per-rule evidence (the JSON output); manifests alone do not need it. Default true. */
  details?: boolean;
  /**
   * Measure each workload side's tightness in the verification (its probes cost about as much
   * as simulating the observed edges). Only the JSON output shows it, so the default follows
   * `details`; every other check of the verification runs either way.
   */
  tightness?: boolean;
  /** More stored edges than this are refused before anything is read (default store/recommend-read.ts DEFAULT_MAX_RECOMMEND_EDGES). */
  maxEdges?: number;
}

/**
 * Recommends, emits the engine's manifests and verifies them: no front end hands out manifests
 * that were not verified. Options the recommender rejects are AppError `invalid-input`.
 */
export function runRecommendation(input: StoredRecommendInput, engine: EngineName, options: Partial<RecommendOptions>, run: RecommendationRun = {}): RecommendationResult {
  return appErrors(() => {
    const rec = recommend(input, options, { details: run.details !== false });
    warnSkippedRows(rec, input.skippedRows);
    const result = emitAndVerify(input, rec, engine, clusterModel(input.inventory, input.externalNames), run.tightness ?? run.details !== false);
    rec.sides = []; // what the verification read: not kept with a cached result
    return result;
  });
}

/** One recommendation (with details), emitted and verified for every engine: the report compares them. */
export function recommendForEveryEngine(input: StoredRecommendInput, options: Partial<RecommendOptions>): { rec: Recommendation; results: Record<EngineName, RecommendationResult> } {
  return appErrors(() => {
    const rec = recommend(input, options);
    warnSkippedRows(rec, input.skippedRows);
    const model = clusterModel(input.inventory, input.externalNames);
    const results = Object.fromEntries(ENGINE_NAMES.map((e) => [e, emitAndVerify(input, rec, e, model, true)])) as Record<EngineName, RecommendationResult>;
    rec.sides = [];
    return { rec, results };
  });
}

function emitAndVerify(input: RecommendInput, rec: Recommendation, engine: EngineName, model: ClusterModel, tightness: boolean): RecommendationResult {
  const emitted = emitFor(rec, engine);
  const applied = input.inventory.policies;
  const verification = verifyRecommendation({
    engine,
    emitted,
    model,
    applied,
    sides: rec.sides,
    simulator: SIMULATORS[engine],
    warnings: engineWarnings(emitted, model, applied),
    tightness,
  });
  return { rec, emitted, verification };
}

/** The JSON of `recommend --output json` and GET /recommendations: the recommendation, its manifests and its verification. */
export function recommendationJson(r: RecommendationResult) {
  const { sides: _sides, ...rec } = r.rec;
  return { engine: r.emitted.engine, ...rec, manifests: r.emitted.manifests, engineWarnings: r.emitted.warnings, verification: r.verification };
}

/** One line per thing that makes the verification fail, for front ends that print text. */
export function verificationFailures(v: Verification): string[] {
  return [
    ...v.admission.map((e) => `${e.manifest} ${e.path}: ${e.message} (the engine refuses it)`),
    ...v.blocked.map((b) => `${b.workload} ${b.direction} ${b.edge}: denied by the recommended policies (${b.reason}${b.by ? `; ${b.by.policy}${b.by.rule ?? ''}` : ''})`),
  ];
}

/** Runs a store read; more edges than one recommendation may read becomes AppError `too-large`. */
export function tooManyEdges<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TooManyEdgesError) throw tooLarge(e.message);
    throw e;
  }
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

/** Stored rows a read left out are said with every recommendation built without them (issue 14: reported, not silent). */
function warnSkippedRows(rec: Recommendation, skipped: SkippedRows | undefined): void {
  if (!skipped || skipped.count === 0) return;
  const ids = skipped.examples.map((x) => `${x.table} ${x.id}: ${x.problem}`).join('; ');
  rec.warnings.push(`${skipped.count} stored row(s) could not be read and were left out of this recommendation (${ids}${skipped.count > skipped.examples.length ? '; …' : ''}); remove them with \`flowmatrix edges delete --id ID\``);
}
