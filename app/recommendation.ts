/**
 * Running a recommendation: read the inventory, the edges, the external names and the matrices
 * in force from the store, map the options a front end was given, call the recommender and
 * render the chosen engine's manifests. `flowmatrix recommend`/`export`, the recommendations
 * API and the report all run it through here, so their bytes agree.
 */
import { DEFAULT_STALE_DAYS, type ComparisonStatus } from '../recommender/compare/status.ts';
import { emitOptionsBeside, ENGINE_NAMES, isEngineName, type EmitOptions, type EmitResult, type EmitWarning, type EngineName, type Manifest } from '../recommender/engines/index.ts';
import type { MatricesConfigT } from '../recommender/matrix/schema.ts';
import { PolicyError } from '../recommender/policy/build.ts';
import { emitFor, recommend, RecommendError, type Recommendation, type RecommendInput, type RecommendOptions, type RecommendRun, type WorkloadRecommendation } from '../recommender/recommend.ts';
import type { OutsideMustFlows } from '../recommender/verified-sides.ts';
import type { Mode } from '../recommender/synthesize/options.ts';
import type { Db } from '../store/db.ts';
import { readRecommendData, TooManyEdgesError } from '../store/recommend-read.ts';
import { inventoriedNamespaces } from '../store/inventory.ts';
import type { SkippedRows } from '../store/row-check.ts';
import { clusterModel, type ClusterModel } from '../recommender/simulate/cluster.ts';
import { enforcingEngine, verifyingEngine } from '../recommender/simulate/decide.ts';
import { SIMULATORS } from '../recommender/simulate/index.ts';
import type { SimulatorFactory } from '../recommender/simulate/types.ts';
import { engineWarnings } from '../recommender/verify/engine-warnings.ts';
import { verifyInChunks, type ChunkedVerification, type ChunkedVerifyInput } from '../recommender/verify/in-chunks.ts';
import { inventoryNetworkPlugin, networkPlugin } from '../recommender/simulate/network-plugin.ts';
import { verifyRecommendation, type Verification } from '../recommender/verify/recommendation.ts';
import { deniesUnselected } from '../recommender/simulate/cilium/enforcement-mode.ts';
import { flowWorkloads, flowWorkloadWarnings, inventoryNamespaces, markInferredIntents, withFlowWorkloads, type FlowWorkloads } from '../recommender/synthesize/inferred-workloads.ts';
import type { EdgeTraffic } from '../domain/edge.ts';
import type { AppliedPolicy, InventorySnapshot } from '../domain/inventory.ts';
import type { ObservedLabels } from '../domain/observed-labels.ts';
import { workloadKey, type Peer, type WorkloadRef } from '../domain/peer.ts';
import { invalidInput, tooLarge } from './errors.ts';
import { resolveMatrices, type InvalidMatrix } from './matrices.ts';
import { unmatchedMetricPairs, warnMetricPairs, type UnmatchedPairs } from './metric-pairs.ts';
import { warnMisresolvedEdges } from './misresolved-edges.ts';

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
  /** Workloads only flow records name (no inventory of their namespace): already in `inventory` when inferred. */
  flowWorkloads?: FlowWorkloads;
  /** Pairs flow metrics saw talking with no edge between them: a warning on each workload involved (app/metric-pairs.ts). */
  metricPairs?: UnmatchedPairs;
  /** Stored matrices not in force (they no longer validate): each one's warning goes with the recommendation. */
  invalidMatrices?: readonly InvalidMatrix[];
  /** What the observed names say the config has wrong (app/matrices.ts observedConfigWarnings): with the recommendation too. */
  configWarnings?: readonly string[];
}

export function readRecommendationInput(db: Db, matrices: MatricesConfigT, run: { details?: boolean; maxEdges?: number } = {}): StoredRecommendInput {
  const { observedLabels, ...data } = tooManyEdges(() => readRecommendData(db, { details: run.details !== false, ...(run.maxEdges !== undefined ? { maxEdges: run.maxEdges } : {}) }));
  const { inventory, flowWorkloads } = withWorkloadsFromFlows(data.inventory, data.edges, observedLabels, inventoriedNamespaces(db));
  const { matrices: resolved, invalid, configWarnings } = resolveMatrices(db, matrices, inventory, data);
  return { ...data, inventory, flowWorkloads, matrices: resolved, invalidMatrices: invalid, configWarnings, metricPairs: unmatchedMetricPairs(db) };
}

/**
 * The inventory completed by the workloads only flow records name, in namespaces it does not
 * know (docs/recommend.md#without-an-inventory): those with remembered pod labels are added with
 * an inferred selector; the others are listed as unselectable. The same inventory object when
 * every edge's workloads are in namespaces it knows.
 */
export function withWorkloadsFromFlows(
  inventory: InventorySnapshot,
  edges: readonly EdgeTraffic[],
  observed: readonly ObservedLabels[],
  /**
   * Namespaces an earlier import listed workloads in, with the time they were known gone
   * (inventoriedNamespaces): one deleted since is known to be gone — unless a flow of it was seen
   * after that (created again): then its records complete it as for any namespace not inventoried.
   */
  inventoried: ReadonlyMap<string, number> = new Map(),
): { inventory: InventorySnapshot; flowWorkloads: FlowWorkloads } {
  const known = inventoryNamespaces(inventory);
  const gone = new Set([...inventoried.keys()].filter((ns) => !known.has(ns)));
  if (gone.size > 0) {
    const seenAgain = new Set<string>();
    const check = (p: Peer, lastSeen: number): void => {
      if ((p.kind === 'workload' || p.kind === 'dns') && gone.has(p.workload.namespace) && lastSeen > inventoried.get(p.workload.namespace)!) seenAgain.add(p.workload.namespace);
    };
    for (const e of edges) {
      check(e.client, e.lastSeen);
      check(e.server, e.lastSeen);
    }
    for (const ns of gone) if (!seenAgain.has(ns)) known.add(ns);
  }
  const named = new Map<string, WorkloadRef>();
  const note = (p: Peer): void => {
    if ((p.kind === 'workload' || p.kind === 'dns') && !known.has(p.workload.namespace)) named.set(workloadKey(p.workload), p.workload);
  };
  for (const e of edges) {
    note(e.client);
    note(e.server);
  }
  const fw = flowWorkloads(known, named.values(), observed);
  return { inventory: withFlowWorkloads(inventory, fw), flowWorkloads: fw };
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
  /** More stored edges than this are refused before anything is read (default domain/edge.ts DEFAULT_MAX_RECOMMEND_EDGES). */
  maxEdges?: number;
}

/**
 * Recommends, emits the engine's manifests and verifies them: no front end hands out manifests
 * that were not verified. Options the recommender rejects are AppError `invalid-input`.
 */
export function runRecommendation(input: StoredRecommendInput, engine: EngineName, options: Partial<RecommendOptions>, run: RecommendationRun = {}): RecommendationResult {
  return appErrors(() => {
    const model = clusterModel(input.inventory, input.externalNames);
    const rec = recommendWithWarnings(input, options, { details: run.details !== false, openByRule: opensByRule(engine, input, model) });
    const result = emitAndVerify(input, rec, engine, model, run.tightness ?? run.details !== false);
    dropVerifiedSides(rec);
    return result;
  });
}

/**
 * Whether `engine`'s output is enforced by Cilium (its own policies; NetworkPolicies on a cluster
 * running Cilium, and ClusterNetworkPolicies where its cilium-config has it enforce them: decide.ts
 * verifyingEngine) under `enable-policy: always`, which denies a direction no rule allows on every
 * endpoint: a direction the recommendation leaves open then needs an allow-all rule
 * (recommender/synthesize/open-by-rule.ts). Calico's output is not Cilium's to enforce.
 */
export function opensByRule(engine: EngineName, input: RecommendInput, model: ClusterModel): boolean {
  return deniesUnselected(model.cluster) && verifyingEngine(engine, networkPlugin(model, input.inventory.policies), model.cluster.ciliumPolicy) === 'cilium';
}

/**
 * The simulator that judges the engine's manifests (`verifyingEngine`: Cilium's for NetworkPolicies
 * on a cluster that runs Cilium, and for ClusterNetworkPolicies where it enforces them), and the one
 * that judges them beside the applied policies (`enforcingEngine`), for the plugin the inventory shows.
 */
function simulatorsFor(engine: EngineName, applied: readonly AppliedPolicy[], model: ClusterModel): { simulator: SimulatorFactory; besideSimulator: SimulatorFactory } {
  const plugin = networkPlugin(model, applied);
  const cilium = model.cluster.ciliumPolicy;
  return { simulator: SIMULATORS[verifyingEngine(engine, plugin, cilium)], besideSimulator: SIMULATORS[enforcingEngine(engine, applied, plugin, cilium)] };
}

/**
 * The recommendation's manifests for `engine`, emitted and verified a group of namespaces at a
 * time over the input it was made from, beside the applied policies (recommender/verify/in-chunks.ts).
 */
export function verifyRecommendationInChunks(
  input: StoredRecommendInput,
  rec: Recommendation,
  engine: EngineName,
  run: Pick<ChunkedVerifyInput, 'tightness' | 'maxEdgeSides' | 'each'>,
  model: ClusterModel = clusterModel(input.inventory, input.externalNames),
): ChunkedVerification {
  const applied = input.inventory.policies;
  return verifyInChunks({ engine, set: rec.policySet, sides: rec.sides, model, applied, ...calicoCrdObjectsOf(input), options: emitOptions(input), ...simulatorsFor(engine, applied, model), ...scopedEdges(input, rec), ...run });
}

/** The Calico objects the stored inventory did not import (store/inventory.ts): every verification beside applied policies names them. */
function calicoCrdObjectsOf(input: RecommendInput): Pick<ChunkedVerifyInput, 'calicoCrdObjects'> {
  return input.inventory.calicoCrdObjects !== undefined ? { calicoCrdObjects: input.inventory.calicoCrdObjects } : {};
}

/**
 * A scoped run's verification reads every stored edge and the must flows at the workloads outside
 * the run (made once by the recommendation, shared by every engine's verification): the sides of
 * those that an applied policy its manifests replace selects are judged too
 * (recommender/verify/replaced-subjects.ts). An unscoped run holds every workload: nothing to add.
 */
function scopedEdges(input: RecommendInput, rec: Recommendation): { scopedEdges?: readonly EdgeTraffic[]; outsideMustFlows?: OutsideMustFlows } {
  if (rec.options.namespace === undefined && rec.options.workload === undefined) return {};
  return { scopedEdges: input.edges, ...(rec.outsideMustFlows !== undefined ? { outsideMustFlows: rec.outsideMustFlows } : {}) };
}

/** Drops what the verification read (the sides, the outside must flows): not kept with a (cached) result. */
export function dropVerifiedSides(rec: Recommendation): void {
  rec.sides = [];
  delete rec.outsideMustFlows;
}

/**
 * The options of every emit of a recommendation over `input`, beside its applied policies
 * (Calico orders after the applied Deny and Pass policies, ClusterNetworkPolicy priorities that
 * tie with no applied one: engines/index.ts emitOptionsBeside). Every emit site takes these — whole, in chunks, rendered again when
 * written — or the manifests verified and those written would differ.
 */
export function emitOptions(input: RecommendInput): EmitOptions {
  return emitOptionsBeside(input.inventory.policies, input.inventory.ciliumPolicy, inventoryNetworkPlugin(input.inventory) === 'cilium');
}

/** A recommendation verified without keeping its manifests: what the recommendation list shows. */
export interface ListedRecommendation {
  /** Its records without evidence (the evidence went to `eachDetailed`). */
  rec: Recommendation;
  engine: EngineName;
  /** The emitter's warnings, as one whole emit gives them. */
  engineWarnings: EmitWarning[];
  /** With the tightness figures, as the JSON output shows them. */
  verification: Verification;
}

/**
 * Recommends, handing each workload's record with its evidence to `eachDetailed` as it is made
 * (in workload-key order), then emits and verifies the engine's manifests a group of namespaces
 * at a time without keeping them (recommender/verify/in-chunks.ts): the caller keeps what it
 * shows of the evidence, so the list of a cluster of any size fits a worker's heap. The
 * verification is that of `runRecommendation` with details.
 */
export function listRecommendation(input: StoredRecommendInput, engine: EngineName, options: Partial<RecommendOptions>, eachDetailed: (record: WorkloadRecommendation) => void): ListedRecommendation {
  return appErrors(() => {
    const model = clusterModel(input.inventory, input.externalNames);
    const rec = recommendWithWarnings(input, options, { eachDetailed, openByRule: opensByRule(engine, input, model) });
    const { verification, warnings } = verifyRecommendationInChunks(input, rec, engine, { tightness: true }, model);
    dropVerifiedSides(rec);
    return { rec, engine, engineWarnings: warnings, verification };
  });
}

/** What a report takes of one recommendation, each part once, as it is made: nothing is kept for it. */
export interface EveryEngineConsumer {
  /** Each selected workload's record with its evidence; the Recommendation returned keeps the record without it. */
  workload(record: WorkloadRecommendation): void;
  /** Each engine's manifests, engine after engine, each once as its group of namespaces is emitted (not in the order of one whole emit). */
  manifest(engine: EngineName, m: Manifest): void;
  /** Each engine's verification and emit warnings, once its manifests were all seen. */
  engine(engine: EngineName, result: { verification: Verification; warnings: EmitWarning[] }): void;
}

/**
 * One recommendation, emitted and verified for every engine in turn, a group of namespaces at a
 * time as an export is (recommender/verify/in-chunks.ts): the report compares them. The evidence
 * and the manifests go to `consumer` as they are made and are not kept, so one workload's evidence
 * and one chunk's manifests and simulation are in memory at a time. The engines Cilium enforces
 * under enable-policy: always open the directions left open by a rule (`opensByRule`): a
 * recommendation of their own, made without evidence — unless it is `recordsFor`'s (the report's
 * engine), whose records, summaries and warnings are then worded as its manifests are, and whose
 * verification alone measures the tightness.
 */
export function recommendForEveryEngine(input: StoredRecommendInput, options: Partial<RecommendOptions>, consumer: EveryEngineConsumer, recordsFor?: EngineName): Recommendation {
  return appErrors(() => {
    const model = clusterModel(input.inventory, input.externalNames);
    const opens = (engine: EngineName): boolean => opensByRule(engine, input, model);
    const openByRule = recordsFor !== undefined && opens(recordsFor);
    const rec = recommendWithWarnings(input, options, { eachDetailed: (w) => consumer.workload(w), openByRule });
    const other = ENGINE_NAMES.some((e) => opens(e) !== openByRule) ? recommendWithWarnings(input, options, { details: false, openByRule: !openByRule }) : undefined;
    for (const engine of ENGINE_NAMES) {
      const made = opens(engine) === openByRule ? rec : other!;
      // The report counts each engine's verification; it shows the tightness of its own engine's only (the probes cost about as many simulations again).
      const { verification, warnings } = verifyRecommendationInChunks(input, made, engine, { tightness: engine === recordsFor, each: (m) => consumer.manifest(engine, m) }, model);
      consumer.engine(engine, { verification, warnings });
    }
    dropVerifiedSides(rec);
    if (other !== undefined) dropVerifiedSides(other);
    return rec;
  });
}

/**
 * The recommendation with what the store's read adds to it: the stored matrices not in force, the
 * rows it left out, the workloads only flow records name, the metric pairs with no edge. Options the recommender rejects throw
 * RecommendError or PolicyError: callers run it inside `appErrors`.
 */
export function recommendWithWarnings(input: StoredRecommendInput, options: Partial<RecommendOptions>, run: RecommendRun): Recommendation {
  const mark = inferredMark(input.flowWorkloads);
  const each = run.eachDetailed;
  // The records handed out are marked as those the Recommendation keeps.
  const marked = (r: WorkloadRecommendation): void => {
    mark?.(r);
    each?.(r);
  };
  const rec = recommend(input, options, each !== undefined && mark !== undefined ? { ...run, eachDetailed: marked } : run);
  rec.warnings.push(...matrixWarnings(input));
  warnSkippedRows(rec, input.skippedRows);
  markFlowWorkloads(rec, input.flowWorkloads, mark);
  warnMetricPairs(rec, input.metricPairs);
  warnMisresolvedEdges(rec, input.inventory);
  return rec;
}

/** What the matrices in force and the config come with: the stored matrices not in force, what the observed names say the config has wrong. */
export function matrixWarnings(input: Pick<StoredRecommendInput, 'invalidMatrices' | 'configWarnings'>): string[] {
  return [...(input.invalidMatrices ?? []).map((m) => m.warning), ...(input.configWarnings ?? [])];
}

function emitAndVerify(input: RecommendInput, rec: Recommendation, engine: EngineName, model: ClusterModel, tightness: boolean): RecommendationResult {
  const emitted = emitFor(rec, engine, emitOptions(input));
  const applied = input.inventory.policies;
  const verification = verifyRecommendation({
    engine,
    emitted,
    model,
    applied,
    sides: rec.sides,
    ...simulatorsFor(engine, applied, model),
    warnings: engineWarnings(emitted, model, applied, input.inventory.calicoCrdObjects),
    tightness,
    ...scopedEdges(input, rec),
  });
  return { rec, emitted, verification };
}

/** The JSON of `recommend --output json` and GET /recommendations: the recommendation, its manifests and its verification. */
export function recommendationJson(r: RecommendationResult) {
  const { sides: _sides, outsideMustFlows: _outside, ...rec } = r.rec;
  return { engine: r.emitted.engine, ...rec, manifests: r.emitted.manifests, engineWarnings: r.emitted.warnings, verification: r.verification };
}

/** One line per thing that makes the verification fail, for front ends that print text. */
export function verificationFailures(v: Pick<Verification, 'admission' | 'blocked'>): string[] {
  return [
    // Manifests with one name each carry the same error: said once. The API server takes them (one replaces the other): no refusal.
    ...new Set(v.admission.map((e) => `${e.manifest} ${e.path}: ${e.message}${e.duplicateName ? '' : e.crdChannel !== undefined ? ` (the network-policy-api ${e.crdChannel}-channel CRD refuses it)` : ' (the engine refuses it)'}`)),
    ...v.blocked.map((b) => `${b.workload} ${b.direction} ${b.edge}: ${b.replaced ? 'cut by replacing an applied policy' : 'denied by the recommended policies'} (${b.reason}${b.by ? `; ${b.by.policy}${b.by.rule ?? ''}` : ''})`),
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
export function appErrors<T>(fn: () => T): T {
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

/** Stored rows a read left out are said with every recommendation built without them (a loss is reported, never silent). */
function warnSkippedRows(rec: Recommendation, skipped: SkippedRows | undefined): void {
  if (!skipped || skipped.count === 0) return;
  const ids = skipped.examples.map((x) => `${x.table} ${x.id}: ${x.problem}`).join('; ');
  rec.warnings.push(`${skipped.count} stored row(s) could not be read and were left out of this recommendation (${ids}${skipped.count > skipped.examples.length ? '; …' : ''}); remove them with \`flowmatrix edges delete --id ID\``);
}

/** Marks a record `inferred` when its workload's selector was inferred from flow records; whether it did. */
type InferredMark = (r: WorkloadRecommendation) => boolean;

/** The mark of the workloads `fw` inferred; undefined when flow records added none. */
function inferredMark(fw: FlowWorkloads | undefined): InferredMark | undefined {
  if (fw === undefined || (fw.inferred.length === 0 && fw.unselectable.length === 0)) return undefined;
  const inferred = new Map(fw.inferred.map((w) => [workloadKey(w), w]));
  return (r) => {
    const w = inferred.get(workloadKey(r.workload as WorkloadRef));
    if (w !== undefined) r.inferred = { from: 'flow-records', selector: w.selector };
    return w !== undefined;
  };
}

/**
 * Workloads whose selectors were inferred from flow records are said so: once in the warnings,
 * on each workload's record (`inferred`) and in the annotations of every manifest using such a
 * selector; workloads that could not be selected are named in the warnings.
 */
function markFlowWorkloads(rec: Recommendation, fw: FlowWorkloads | undefined, mark: InferredMark | undefined): void {
  if (fw === undefined || mark === undefined) return;
  const inferred = new Set(fw.inferred.map((w) => workloadKey(w)));
  const shown = markInferredIntents(rec.policySet, fw.inferred);
  for (const r of rec.workloads) if (mark(r)) shown.add(workloadKey(r.workload as WorkloadRef));
  // Said about what this recommendation selects: the workloads it covers or names as peers, and
  // the unselectable ones of the namespace asked for.
  const ns = rec.options.namespace;
  rec.warnings.push(...flowWorkloadWarnings(fw, (k) => shown.has(k) || (!inferred.has(k) && (ns === undefined || k.startsWith(`${ns}/`)))));
}
