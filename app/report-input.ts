/**
 * Reads everything a report needs from the store and computes the recommendation, the manifests of
 * every engine and the drift: the I/O half of a report (reports/build.ts is the pure half).
 */
import { peerKey } from '../domain/peer.ts';
import { DriftComparison } from '../recommender/drift.ts';
import type { EmitWarning, EngineName, Manifest } from '../recommender/engines/index.ts';
import { ANNOTATION_INTENT } from '../recommender/engines/metadata.ts';
import type { MatricesConfigT } from '../recommender/matrix/schema.ts';
import type { Mode } from '../recommender/synthesize/options.ts';
import type { ReportInput } from '../reports/build.ts';
import { ReportEvidence } from '../reports/evidence.ts';
import { StillAllowedSides } from '../reports/still-allowed.ts';
import type { WorkloadRecommendation } from '../recommender/recommend.ts';
import { BLOCKED_BY_APPLIED_SHOWN, MAX_ATTENTION_ITEMS, type AppliedBlock, type ReportTrigger, type VerificationSummary } from '../reports/model.ts';
import type { EdgeFinding, Tightness, Verification } from '../recommender/verify/recommendation.ts';
import type { Db } from '../store/db.ts';
import { EdgeStore } from '../store/edges.ts';
import { IngestRunStore } from '../store/ingest-runs.ts';
import { readRecommendData } from '../store/recommend-read.ts';
import { inventoriedNamespaces } from '../store/inventory.ts';
import { ingestTotals } from '../store/reports.ts';
import { driftFailures, ManifestsByIntent } from './drift-failures.ts';
import { resolveMatrices } from './matrices.ts';
import { staleBefore, storedMetricPairs, unmatchedMetricPairs } from './metric-pairs.ts';
import { recommendForEveryEngine, recommendOptions, tooManyEdges, withWorkloadsFromFlows } from './recommendation.ts';

export interface ReportRequest {
  engine: EngineName;
  mode: Mode;
  egress: boolean;
  /** `--shared`, `--default-deny` (default false): the layers the recommendation (and so the manifests counted and the drift) has. */
  shared?: boolean;
  defaultDeny?: boolean;
  staleDays: number;
  namespace?: string;
  /** Reference time for staleness (ms); default the latest last-seen in the store. */
  now?: number;
  matrices: MatricesConfigT;
  /** More stored edges than this are refused before anything is read (recommendations.maxEdges); default that of readRecommendData. */
  maxEdges?: number;
  trigger: ReportTrigger;
  generatedAt: number;
}

/** What the report counts of a manifest: its namespace, and the intent that places a cluster-scoped one. */
function countedPart(m: Manifest): ReportInput['manifests'][string][number] {
  const intent = m.metadata.annotations[ANNOTATION_INTENT];
  return { metadata: { namespace: m.metadata.namespace, annotations: intent === undefined ? {} : { [ANNOTATION_INTENT]: intent } } };
}

/**
 * An engine's verification as the report counts it, with every warning that weakens "verified":
 * the emitter's (each with its code and the intent it concerns) and the verification's
 * (reports/build.ts sorts them, each once, and names the workload whose warning one is).
 */
function verificationSummary(v: Verification, emitted: readonly EmitWarning[], edgeRowsLeftOut: number): VerificationSummary {
  const duplicateNames = v.admission.filter((e) => e.duplicateName).length;
  return {
    ok: v.ok,
    admissionErrors: v.admission.length - duplicateNames,
    ...(duplicateNames > 0 ? { duplicateNames } : {}),
    ...(edgeRowsLeftOut > 0 ? { edgeRowsLeftOut } : {}),
    blocked: v.blocked.length,
    blockedByApplied: v.blockedByApplied.length,
    blockedByAppliedOnOneReading: v.blockedByApplied.filter((f) => f.dependsOnIpBlockReading).length,
    stillAllowed: v.stillAllowed.filter((f) => !f.byApplied).length,
    stillAllowedByApplied: v.stillAllowed.filter((f) => f.byApplied).length,
    blockedByAppliedEdges: v.blockedByApplied.slice(0, BLOCKED_BY_APPLIED_SHOWN).map(appliedBlock),
    warnings: [...emitted.map((w) => ({ code: w.code, workload: w.intent, message: w.message })), ...v.warnings.map((message) => ({ message }))],
  };
}

/** A blockedByApplied finding as the report lists it: the applied policy that decides, or what denies it where none does. */
function appliedBlock(f: EdgeFinding): AppliedBlock {
  const head = { workload: f.workload, direction: f.direction, edge: f.edge };
  const otherEnd = f.hostEndpoint ?? f.farSide;
  const where = { ...(otherEnd !== undefined ? { otherEnd } : {}), ...(f.hostNode !== undefined ? { hostNode: f.hostNode } : {}) };
  if (f.by !== undefined) return { ...head, policy: f.by.policy, reason: f.reason };
  const deniedBy = f.hostNode !== undefined ? `host endpoint of node ${f.hostNode}` : f.enablePolicyAlways ? 'enable-policy: always (no rule allows it)' : undefined;
  if (deniedBy !== undefined) return { ...head, deniedBy, ...where, reason: f.reason };
  return f.isolatedBy !== undefined ? { ...head, isolatedBy: f.isolatedBy, reason: f.reason } : { ...head, reason: f.reason };
}

/**
 * AppError `invalid-input` when the matrices or the config do not fit, or the recommender rejects
 * the options. `onDetailed` sees each workload's record with its evidence as it is folded (tests).
 */
export function gatherReportInput(db: Db, req: ReportRequest, onDetailed?: (record: WorkloadRecommendation) => void): ReportInput {
  const { inventory: stored, edges, externalNames, workloadNames, serviceNames, namesNotKept, skippedRows, observedLabels, maxEdges } = tooManyEdges(() => readRecommendData(db, req.maxEdges !== undefined ? { maxEdges: req.maxEdges } : {}));
  const { inventory, flowWorkloads } = withWorkloadsFromFlows(stored, edges, observedLabels, inventoriedNamespaces(db));
  const { matrices, invalid: invalidMatrices, configWarnings } = resolveMatrices(db, req.matrices, inventory, { edges, externalNames, workloadNames, serviceNames, namesNotKept });
  const options = recommendOptions({ mode: req.mode, egress: req.egress, shared: req.shared ?? false, defaultDeny: req.defaultDeny ?? false, staleDays: req.staleDays, ...(req.namespace !== undefined ? { namespace: req.namespace } : {}), ...(req.now !== undefined ? { now: req.now } : {}) });
  const manifests: Record<string, ReportInput['manifests'][string][number][]> = {};
  const verification: Record<string, VerificationSummary> = {};
  const stillAllowed = new StillAllowedSides();
  let tightness: Tightness[] | undefined;
  const evidence = new ReportEvidence();
  const drift = new DriftComparison(req.engine, inventory.policies, req.namespace);
  const driftIntents = new ManifestsByIntent();
  // Of the report engine's verification, what marks the drift's failing policies (nothing when it passes).
  let failed: Pick<Verification, 'ok' | 'blocked' | 'admission'> | undefined;
  const recommendation = recommendForEveryEngine({ inventory, edges, matrices, externalNames, skippedRows, flowWorkloads, invalidMatrices, configWarnings, maxEdges }, options, {
    workload: (w) => {
      evidence.add(w);
      onDetailed?.(w);
    },
    manifest: (engine, m) => {
      // Of a manifest, only what the report counts is kept; the report engine's is compared with the applied policies.
      (manifests[engine] ??= []).push(countedPart(m));
      if (engine !== req.engine) return;
      drift.add(m);
      driftIntents.add(m);
    },
    engine: (engine, result) => {
      manifests[engine] ??= [];
      verification[engine] = verificationSummary(result.verification, result.warnings, skippedRows.count);
      stillAllowed.add(engine, result.verification.stillAllowed);
      if (engine !== req.engine) return;
      tightness = result.verification.tightness;
      const v = result.verification;
      if (!v.ok) failed = { ok: v.ok, blocked: v.blocked, admission: v.admission };
    },
  }, req.engine);
  if (tightness === undefined) throw new Error(`no recommendation for engine ${req.engine}`);
  // The report lists the unmatched pairs (not stale, like the edges it lists) in a section of
  // their own, so its recommendation does not also repeat them as warnings on each workload.
  const pairsStored = storedMetricPairs(db);
  const pairFilter = { lastSeenSince: staleBefore(recommendation), ...(req.namespace !== undefined ? { namespace: req.namespace } : {}) };
  const unmatched = pairsStored > 0 ? unmatchedMetricPairs(db, pairFilter, MAX_ATTENTION_ITEMS) : { pairs: [], total: 0 };
  const { totals, rejects } = ingestTotals(db);
  return {
    recommendation,
    evidence,
    engine: req.engine,
    manifests,
    verification,
    stillAllowed,
    tightness,
    inventory,
    edges,
    matrices,
    ingest: {
      totals,
      rejects,
      recent: new IngestRunStore(db).list(10),
      ambiguous: new EdgeStore(db).listAmbiguous().map((a) => ({ ...a, peerA: peerKey(a.peerA), peerB: peerKey(a.peerB) })),
    },
    drift: drift.report(),
    ...(failed !== undefined ? { driftFailures: driftFailures(failed, recommendation.policySet, driftIntents) } : {}),
    metricPairs: { stored: pairsStored, unmatched: unmatched.pairs, total: unmatched.total },
    generatedAt: req.generatedAt,
    trigger: req.trigger,
  };
}
