/**
 * The report builder: a pure function from a recommendation and its evidence (folded workload by
 * workload: reports/evidence.ts), the manifests per engine, the inventory, the edges, the resolved
 * matrices, ingest health and drift to the report model. No I/O and no clock: `generatedAt` is
 * given. Each edge lands in exactly one attention category, the most urgent that applies:
 * blocked, violation, dropped, undocumented, stale.
 */
import { ANNOTATION_INTENT, type OtherManager } from '../recommender/engines/metadata.ts';
import { manifestId } from '../recommender/engines/manifest-id.ts';
import type { DriftReport, OwnedPolicyRef, SharedPolicyRef } from '../recommender/drift.ts';
import type { Edge } from '../domain/edge.ts';
import type { MetricPair } from '../domain/metric-pair.ts';
import { namespaceOfWorkloadKey, peerKey, peerNamespace } from '../domain/peer.ts';
import type { InventorySnapshot } from '../domain/inventory.ts';
import type { ExpectedRule, ResolvedMatrix } from '../recommender/matrix/resolved.ts';
import { namesWorkloads } from '../recommender/synthesize/mirrored-rules.ts';
import type { Recommendation, WorkloadRecommendation } from '../recommender/recommend.ts';
import type { Tightness } from '../recommender/verify/recommendation.ts';
import type { IngestRun } from '../store/ingest-runs.ts';
import { classifyEdges, type ClassifiedEdges, type EdgeClass } from './edge-attention.ts';
import { workloadName, type FoldedRule, type ReportEvidence } from './evidence.ts';
import type { StillAllowedSides } from './still-allowed.ts';
import {
  ATTENTION_CATEGORIES,
  MAX_ATTENTION_ITEMS,
  REPORT_SCHEMA_VERSION,
  type AmbiguousItem,
  type AttentionCategory,
  DRIFT_CUTS_SHOWN,
  type DriftCut,
  type DriftFailureMarks,
  type DriftPolicyItem,
  type DriftSection,
  type EdgeItem,
  type FindingItem,
  type IngestSection,
  type MetricPairsSection,
  type NamespaceSummary,
  type OwnedPolicyItem,
  type PolicyManagerItem,
  type ReplacingPolicyItem,
  type SharedPolicyItem,
  type TightnessItem,
  type VerificationSummary,
  type VerificationWarning,
  type Report,
  type ReportTrigger,
  type RuleEnds,
  type RuleItem,
} from './model.ts';

/** What makes the report engine's verification fail, per policy id (`Kind/namespace/name`, as manifestId names it). */
export interface DriftFailures {
  byPolicy: ReadonlyMap<string, { cuts: readonly DriftCut[]; refused: readonly string[]; sameName: readonly string[] }>;
}

export interface IngestInput {
  totals: IngestSection['totals'];
  /** Reject counts by reason over all runs. */
  rejects: Record<string, number>;
  /** Most recent runs first. */
  recent: readonly IngestRun[];
  ambiguous: readonly { peerA: string; peerB: string; protocol: string; portA: number; portB: number; flows: number; firstSeen: number; lastSeen: number }[];
}

export interface ReportInput {
  /** The recommendation; its workloads' evidence is in `evidence`, not in its records. */
  recommendation: Recommendation;
  /** The evidence of every selected workload, folded. */
  evidence: ReportEvidence;
  /** The engine the report is written for. */
  engine: string;
  /** The manifests each engine emits for the recommendation (at least `engine`). */
  manifests: Readonly<Record<string, readonly { metadata: { namespace?: string | undefined; annotations: Record<string, string> } }[]>>;
  /** Each engine's verification of those manifests, counted, with its and its emitter's warnings in any order (the same engines as `manifests`). */
  verification: Readonly<Record<string, VerificationSummary>>;
  /** The edge sides left out that each engine's policies still allow (the verifications' `stillAllowed`): the listed sides say so. */
  stillAllowed?: StillAllowedSides;
  /** The report engine's verification's tightness figures, in any order. */
  tightness?: readonly Tightness[];
  inventory: InventorySnapshot;
  edges: readonly Edge[];
  matrices: readonly ResolvedMatrix[];
  ingest: IngestInput;
  drift: DriftReport;
  /** What fails in the drift's recommended policies (app/drift-failures.ts): only when the report engine fails verification. */
  driftFailures?: DriftFailures;
  /** The observed pairs (app/metric-pairs.ts); absent or `stored: 0` when none are stored: no section then. */
  metricPairs?: { stored: number; unmatched: readonly MetricPair[]; total: number };
  generatedAt: number;
  trigger: ReportTrigger;
}

const RECENT_RUNS = 10;
const TOP_AMBIGUOUS = 10;
const CLUSTER = '(cluster)';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const iso = (ms: number): string => new Date(ms).toISOString();
const sortedRecord = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m.entries()].sort((a, b) => cmp(a[0], b[0])));
const inc = (m: Map<string, number>, k: string, n = 1): void => void m.set(k, (m.get(k) ?? 0) + n);

/** Documented rules merged over the workloads of their component, one item per (rule, status). */
function collectRules(documented: ReadonlyMap<string, FoldedRule>): RuleItem[] {
  return [...documented.values()]
    .map(({ rule: r, workloads: ws, edges }) => {
      const item: RuleItem = {
        id: r.id,
        matrix: r.matrix,
        component: r.component,
        direction: r.direction,
        level: r.level,
        status: r.status,
        peer: r.peer,
        purpose: r.purpose,
        source: r.source,
        workloads: [...ws].sort(cmp),
        edges: [...edges].sort(cmp),
      };
      if (r.condition !== undefined) item.condition = r.condition;
      if (r.status === 'documented-when-set' && r.whenConfigured) item.whenSet = { set: r.whenConfigured.set, config: [...r.whenConfigured.config] };
      return item;
    })
    .sort((a, b) => cmp(a.id, b.id) || cmp(a.status, b.status));
}

function ingestSection(input: IngestInput): IngestSection {
  const ambiguous: AmbiguousItem[] = [...input.ambiguous]
    .sort((a, b) => b.flows - a.flows || cmp(a.peerA, b.peerA) || cmp(a.peerB, b.peerB) || cmp(a.protocol, b.protocol))
    .slice(0, TOP_AMBIGUOUS)
    .map((a) => ({ peerA: a.peerA, peerB: a.peerB, protocol: a.protocol, portA: a.portA, portB: a.portB, flows: a.flows, firstSeen: iso(a.firstSeen), lastSeen: iso(a.lastSeen) }));
  return {
    totals: { ...input.totals },
    rejects: Object.entries(input.rejects)
      .filter(([, n]) => n > 0)
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || cmp(a.reason, b.reason)),
    recent: [...input.recent]
      .sort((a, b) => b.id - a.id)
      .slice(0, RECENT_RUNS)
      .map((r) => {
        const item: IngestSection['recent'][number] = {
          id: r.id,
          source: r.source,
          format: r.format,
          status: r.status,
          startedAt: iso(r.startedAt),
          records: r.records,
          accepted: r.accepted,
          rejected: r.rejected,
          skipped: r.skipped,
          ambiguous: r.ambiguous,
        };
        if (r.finishedAt !== undefined) item.finishedAt = iso(r.finishedAt);
        if (r.attempts !== undefined) item.attempts = r.attempts;
        if (r.namesCapped !== undefined) item.namesCapped = r.namesCapped;
        return item;
      }),
    ambiguous: { pairs: input.ambiguous.length, flows: input.ambiguous.reduce((n, a) => n + a.flows, 0), top: ambiguous },
  };
}

function metricPairsSection(m: NonNullable<ReportInput['metricPairs']>): MetricPairsSection {
  return {
    stored: m.stored,
    unmatched: m.total,
    pairs: m.unmatched.slice(0, MAX_ATTENTION_ITEMS).map((p) => ({
      peerA: peerKey(p.peerA),
      peerB: peerKey(p.peerB),
      source: p.source,
      metric: p.metric,
      lacks: [...p.lacks],
      firstSeen: iso(p.firstSeen),
      lastSeen: iso(p.lastSeen),
      flows: p.flows,
      packets: p.packets,
      bytes: p.bytes,
    })),
  };
}

type Ref = { apiVersion: string; kind: string; namespace?: string; name: string };

function policyRef(r: Ref): DriftPolicyItem {
  const out: DriftPolicyItem = { apiVersion: r.apiVersion, kind: r.kind, name: r.name };
  if (r.namespace !== undefined) out.namespace = r.namespace;
  return out;
}

const cutOrder = (a: DriftCut, b: DriftCut): number => cmp(a.workload, b.workload) || cmp(a.direction, b.direction) || cmp(a.edge, b.edge);

/** A recommended policy with what fails in it, when something does. */
function failingRef(r: Ref, failures: DriftFailures | undefined): DriftPolicyItem {
  return { ...policyRef(r), ...failureMarks(r, failures) };
}

/** What fails in a recommended policy (none when nothing does). */
function failureMarks(r: Ref, failures: DriftFailures | undefined): DriftFailureMarks {
  const out: DriftFailureMarks = {};
  const f = failures?.byPolicy.get(manifestId({ apiVersion: r.apiVersion, kind: r.kind, metadata: { namespace: r.namespace, name: r.name } }));
  if (f === undefined) return out;
  if (f.cuts.length > 0) {
    out.cuts = [...f.cuts].sort(cutOrder).slice(0, DRIFT_CUTS_SHOWN);
    if (f.cuts.length > DRIFT_CUTS_SHOWN) out.cutsOmitted = f.cuts.length - DRIFT_CUTS_SHOWN;
  }
  if (f.refused.length > 0) out.refused = [...new Set(f.refused)].sort(cmp);
  if (f.sameName.length > 0) out.sameName = [...new Set(f.sameName)].sort(cmp);
  return out;
}

function driftSection(d: DriftReport, failures: DriftFailures | undefined): DriftSection {
  const replacingShared = (d.sharedWithOtherNamespaces ?? []).filter((x) => x.replacedByRecommended !== undefined).length;
  return {
    engine: d.engine,
    ...(failures !== undefined ? { verified: false as const } : {}),
    summary: { ...d.summary, ...(replacingShared > 0 ? { replacingShared } : {}) },
    missing: d.missing.map((r) => failingRef(r, failures)),
    extra: d.extra.map(policyRef),
    differing: d.differing.map((x) => ({ ...failingRef(x, failures), paths: x.changes.map((c) => c.path), ...(x.ownedByOperator !== undefined ? { ownedByOperator: managerItem(x.ownedByOperator) } : {}) })),
    ...(d.sharedWithOtherNamespaces !== undefined ? { sharedWithOtherNamespaces: d.sharedWithOtherNamespaces.map((x) => sharedItem(x, failures)) } : {}),
    ...(d.renamed !== undefined ? { renamed: d.renamed.map((x) => ({ ...policyRef(x), renamedTo: x.renamedTo })) } : {}),
    ...(d.ownedByOperator !== undefined ? { ownedByOperator: d.ownedByOperator.map(ownedItem) } : {}),
    ...(d.inOtherTiers !== undefined ? { inOtherTiers: d.inOtherTiers.map((x) => ({ ...policyRef(x), tier: x.tier })) } : {}),
  };
}

function ownedItem(x: OwnedPolicyRef): OwnedPolicyItem {
  return { ...policyRef(x), ...managerItem(x) };
}

function managerItem(x: OtherManager): PolicyManagerItem {
  return { ...(x.managedBy !== undefined ? { managedBy: x.managedBy } : {}), ...(x.owner !== undefined ? { owner: { ...x.owner } } : {}) };
}

function sharedItem(x: SharedPolicyRef, failures: DriftFailures | undefined): SharedPolicyItem {
  return {
    ...policyRef(x),
    ...(x.namespaces !== undefined ? { namespaces: x.namespaces } : {}),
    ...(x.replacedByRecommended !== undefined ? { replacedByRecommended: replacingItem(x, x.replacedByRecommended, failures) } : {}),
  };
}

/** The recommended policy that would replace a shared applied one, marked by its own name as a missing or differing one is. */
function replacingItem(applied: Ref, replacing: NonNullable<SharedPolicyRef['replacedByRecommended']>, failures: DriftFailures | undefined): ReplacingPolicyItem {
  const recommended = { apiVersion: applied.apiVersion, kind: applied.kind, name: replacing.name ?? applied.name };
  return { ...(replacing.name !== undefined ? { name: replacing.name } : {}), paths: replacing.changes.map((c) => c.path), ...failureMarks(recommended, failures) };
}

export function buildReport(input: ReportInput): Report {
  const rec = input.recommendation;
  const workloads = rec.workloads;
  const ns = rec.options.namespace;
  // Dropped traffic no selected workload sees is listed too, when its peers are in the selection's namespace.
  const inScope = (e: Edge): boolean => ns === undefined || peerNamespace(e.client) === ns || peerNamespace(e.server) === ns;
  const classes = withStillAllowed(classifyEdges(input.edges, input.evidence.sides, inScope), input.stillAllowed);
  const rules = ruleAttention(input.evidence, input.matrices);
  const hostNetwork = hostNetworkItems(workloads);
  // A namespace's report is about the systems deployed there: their matrices only.
  const deployed = new Set(workloads.flatMap((w) => w.components.map((c) => c.slice(0, c.indexOf('/')))));
  const matrices = ns === undefined ? input.matrices : input.matrices.filter((m) => deployed.has(m.name));
  const findings = findingItems(matrices);
  const drift = driftSection(input.drift, input.driftFailures);
  const manifests = manifestCounts(input);
  const workloadOf = warningWorkloads(workloads);
  const verification = Object.fromEntries(Object.keys(input.verification).sort(cmp).map((e) => [e, engineVerification(input.verification[e]!, workloadOf)]));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: iso(input.generatedAt),
    trigger: input.trigger,
    engine: input.engine,
    options: reportOptions(rec),
    data: dataWindow(input, inScope),
    headline: headlineOf(classes, rules, hostNetwork.length, findings.length, drift),
    totals: {
      workloads: workloads.length,
      hostNetwork: hostNetwork.length,
      manifests: sortedRecord(manifests.total),
      rules: sortedRecord(input.evidence.ruleCounts),
      edges: sortedRecord(input.evidence.sideCounts),
    },
    attention: {
      ...attentionSection(classes, rules, hostNetwork, findings, drift),
      ...(input.metricPairs && input.metricPairs.stored > 0 ? { seenOnlyInMetrics: metricPairsSection(input.metricPairs) } : {}),
    },
    verification,
    ...(input.tightness !== undefined ? tightnessItems(input.tightness) : {}),
    namespaces: namespaceSummaries(workloads, input.evidence, manifests, classes, rules),
    systems: systemItems(matrices),
    ingest: ingestSection(input.ingest),
    warnings: reportWarnings(input, verification),
  };
}

/** The listed edges, each left-out side saying which engines still allow it. */
function withStillAllowed(classes: ClassifiedEdges, stillAllowed: StillAllowedSides | undefined): ClassifiedEdges {
  if (stillAllowed === undefined) return classes;
  const listed = Object.fromEntries(Object.entries(classes.listed).map(([c, items]) => [c, stillAllowed.annotate(items)])) as ClassifiedEdges['listed'];
  return { ...classes, listed };
}

/** The documented rules that need attention: blocked, unobserved (must; may only counted) and stale. */
interface RuleAttention {
  blocked: RuleItem[];
  unobservedMust: RuleItem[];
  unobservedMay: number;
  stale: RuleItem[];
  whenSet: RuleItem[];
}

function ruleAttention(evidence: ReportEvidence, matrices: readonly ResolvedMatrix[]): RuleAttention {
  const rules = collectRules(evidence.documented);
  const expected = new Map(matrices.flatMap((m) => m.components.flatMap((c) => c.rules.map((r) => [r.id, r] as const))));
  return {
    blocked: rules.filter((r) => r.status === 'blocked'),
    unobservedMust: rules.filter((r) => r.status === 'documented-unobserved' && r.level === 'must').map((r) => withAllowedAt(r, expected.get(r.id))),
    unobservedMay: new Set(rules.filter((r) => r.status === 'documented-unobserved' && r.level === 'may').map((r) => r.id)).size,
    stale: rules.filter((r) => r.status === 'stale'),
    whenSet: rules.filter((r) => r.status === 'documented-when-set'),
  };
}

/**
 * At which end the recommendation allows an unobserved must rule's flow: at both where its peer
 * names workloads, whose side the recommendation opens and verifies too; at the rule's end only
 * where it names none (docs/recommend.md, Verification: such a peer "is verified by
 * representative flows, at the rule's end only"; an unbound role too, whatever its scope).
 */
function withAllowedAt(item: RuleItem, rule: ExpectedRule | undefined): RuleItem {
  if (rule === undefined || (rule.peers.length === 0 && rule.roleScope === undefined)) return item;
  const named = rule.peers.filter(namesWorkloads).length;
  const ends: RuleEnds = named === 0 ? 'rule-end' : named === rule.peers.length ? 'both-ends' : 'both-ends-for-named';
  return { ...item, allowedAt: ends };
}

function hostNetworkItems(workloads: readonly WorkloadRecommendation[]): Report['attention']['hostNetwork'] {
  return workloads.filter((w) => w.hostNetwork).map((w) => ({ workload: workloadName(w), components: [...w.components], summary: w.summary }));
}

/** The findings of the matrices in force (enabled and detected). */
function findingItems(matrices: readonly ResolvedMatrix[]): FindingItem[] {
  return matrices
    .filter((m) => m.enabled && m.detected)
    .flatMap((m) => m.findings.map((f) => ({ matrix: m.name, kind: f.kind, subject: f.subject, message: f.message })))
    .sort((a, b) => cmp(a.matrix, b.matrix) || cmp(a.kind, b.kind) || cmp(a.subject, b.subject) || cmp(a.message, b.message));
}

/** Manifests per engine, in total and per namespace (engines sorted). */
interface ManifestCounts {
  engines: string[];
  byNamespace: Map<string, Map<string, number>>;
  total: Map<string, number>;
}

function manifestCounts(input: ReportInput): ManifestCounts {
  const engines = Object.keys(input.manifests).sort(cmp);
  const byNamespace = new Map<string, Map<string, number>>();
  const intentNamespace = new Map(input.recommendation.policySet.intents.flatMap((i) => (i.namespace === undefined ? [] : [[i.key, i.namespace] as const])));
  const total = new Map<string, number>();
  for (const engine of engines) {
    total.set(engine, 0);
    for (const m of input.manifests[engine] ?? []) {
      // Cluster-scoped manifests (ClusterNetworkPolicy) count for the namespace of their intent.
      const ns = m.metadata.namespace ?? intentNamespace.get(m.metadata.annotations[ANNOTATION_INTENT] ?? '') ?? CLUSTER;
      if (!byNamespace.has(ns)) byNamespace.set(ns, new Map());
      inc(byNamespace.get(ns) as Map<string, number>, engine);
      inc(total, engine);
    }
  }
  return { engines, byNamespace, total };
}

/** Per namespace of the selected workloads (and `(cluster)` for cluster-scoped manifests): counts and what needs attention there. */
function namespaceSummaries(workloads: readonly WorkloadRecommendation[], evidence: ReportEvidence, manifests: ManifestCounts, classes: ClassifiedEdges, rules: RuleAttention): NamespaceSummary[] {
  const summaries = new Map<string, NamespaceSummary>();
  const nsComponents = new Map<string, Set<string>>();
  const add = (ns: string): void => {
    const counts = Object.fromEntries(manifests.engines.map((e) => [e, manifests.byNamespace.get(ns)?.get(e) ?? 0]));
    summaries.set(ns, { namespace: ns, workloads: 0, hostNetwork: 0, components: [], manifests: counts, rules: {}, edges: {}, attention: { blocked: 0, violations: 0, dropped: 0, undocumented: 0, documentedWhenSet: 0, documentedUnobserved: 0, stale: 0 } });
    nsComponents.set(ns, new Set());
  };
  for (const ns of new Set(workloads.map((w) => w.workload.namespace))) add(ns);
  for (const w of workloads) {
    const ns = w.workload.namespace;
    const s = summaries.get(ns)!;
    s.workloads++;
    if (w.hostNetwork) s.hostNetwork++;
    for (const c of w.components) nsComponents.get(ns)!.add(c);
  }
  if (manifests.byNamespace.has(CLUSTER) && !summaries.has(CLUSTER)) add(CLUSTER);
  const countEdges = (c: EdgeClass, field: keyof NamespaceSummary['attention']): void => {
    for (const [ns, n] of classes.byNamespace[c]) if (summaries.has(ns)) summaries.get(ns)!.attention[field] += n;
  };
  const countRules = (items: RuleItem[], field: keyof NamespaceSummary['attention']): void => {
    for (const item of items) for (const ns of new Set(item.workloads.map(namespaceOfWorkloadKey))) if (summaries.has(ns)) summaries.get(ns)!.attention[field]++;
  };
  countEdges('blocked', 'blocked');
  countRules(rules.blocked, 'blocked');
  countEdges('violations', 'violations');
  countEdges('dropped', 'dropped');
  countEdges('undocumented', 'undocumented');
  countEdges('documentedWhenSet', 'documentedWhenSet');
  countRules(rules.whenSet, 'documentedWhenSet');
  countRules(rules.unobservedMust, 'documentedUnobserved');
  countEdges('stale', 'stale');
  countRules(rules.stale, 'stale');
  for (const [ns, s] of summaries) {
    s.components = [...nsComponents.get(ns)!].sort(cmp);
    s.rules = sortedRecord(evidence.ruleCountsByNamespace.get(ns) ?? new Map());
    s.edges = sortedRecord(evidence.sideCountsByNamespace.get(ns) ?? new Map());
  }
  return [...summaries.values()].sort((a, b) => cmp(a.namespace, b.namespace));
}

function reportOptions(rec: Recommendation): Report['options'] {
  // The layers only when asked for: a report without them reads as it always did.
  const options: Report['options'] = { mode: rec.options.mode, egress: rec.options.egress, ...(rec.options.shared ? { shared: true } : {}), ...(rec.options.defaultDeny ? { defaultDeny: true } : {}), staleDays: rec.options.staleDays };
  if (rec.options.namespace !== undefined) options.namespace = rec.options.namespace;
  return options;
}

/** What the report is made of: the time, the edges' first and last seen, the inventory's time. */
/** The edges the report is about (a namespace's: those with a side there) and the time they span. */
function dataWindow(input: ReportInput, inScope: (e: Edge) => boolean): Report['data'] {
  let first = Infinity;
  let last = -Infinity;
  let edges = 0;
  for (const e of input.edges) {
    if (!inScope(e)) continue;
    edges++;
    if (e.firstSeen < first) first = e.firstSeen;
    if (e.lastSeen > last) last = e.lastSeen;
  }
  const data: Report['data'] = { now: input.recommendation.now, edges, workloads: input.recommendation.workloads.length };
  if (Number.isFinite(first)) data.firstSeen = iso(first);
  if (Number.isFinite(last)) data.lastSeen = iso(last);
  if (input.inventory.takenAt > 0) data.inventoryTakenAt = iso(input.inventory.takenAt);
  return data;
}

/** How many items each attention category has, in the categories' order. */
function headlineOf(classes: ClassifiedEdges, rules: RuleAttention, hostNetwork: number, findings: number, drift: DriftSection): Record<AttentionCategory, number> {
  const edges = classes.counts;
  const counts: Record<AttentionCategory, number> = {
    blocked: edges.blocked + rules.blocked.length,
    violations: edges.violations,
    dropped: edges.dropped,
    undocumented: edges.undocumented,
    documentedWhenSet: edges.documentedWhenSet + rules.whenSet.length,
    documentedUnobserved: rules.unobservedMust.length,
    stale: edges.stale + rules.stale.length,
    hostNetwork,
    findings,
    // A recommended policy that would replace a shared applied one differs from what is applied as a differing one does.
    drift: drift.summary.missing + drift.summary.extra + drift.summary.differing + (drift.summary.replacingShared ?? 0) + (drift.summary.renamed ?? 0),
  };
  return Object.fromEntries(ATTENTION_CATEGORIES.map((c) => [c, counts[c]])) as Record<AttentionCategory, number>;
}

/** The attention lists, each cut at MAX_ATTENTION_ITEMS; `omitted` says how many each lost (in list order). */
function attentionSection(classes: ClassifiedEdges, rules: RuleAttention, hostNetwork: Report['attention']['hostNetwork'], findings: FindingItem[], drift: DriftSection): Report['attention'] {
  const omitted: Record<string, number> = {};
  const cap = <T>(name: string, items: T[]): T[] => {
    if (items.length <= MAX_ATTENTION_ITEMS) return items;
    omitted[name] = items.length - MAX_ATTENTION_ITEMS;
    return items.slice(0, MAX_ATTENTION_ITEMS);
  };
  // Edge lists come cut already (reports/edge-attention.ts): only what they lost is counted here.
  const capEdges = (name: string, c: EdgeClass): EdgeItem[] => {
    if (classes.counts[c] > MAX_ATTENTION_ITEMS) omitted[name] = classes.counts[c] - MAX_ATTENTION_ITEMS;
    return classes.listed[c];
  };
  return {
    blocked: { edges: capEdges('blocked.edges', 'blocked'), rules: cap('blocked.rules', rules.blocked) },
    violations: capEdges('violations', 'violations'),
    dropped: capEdges('dropped', 'dropped'),
    undocumented: capEdges('undocumented', 'undocumented'),
    documentedWhenSet: { edges: capEdges('documentedWhenSet.edges', 'documentedWhenSet'), rules: cap('documentedWhenSet.rules', rules.whenSet) },
    documentedUnobserved: cap('documentedUnobserved', rules.unobservedMust),
    documentedUnobservedMay: rules.unobservedMay,
    stale: { edges: capEdges('stale.edges', 'stale'), rules: cap('stale.rules', rules.stale) },
    hostNetwork: cap('hostNetwork', hostNetwork),
    findings: cap('findings', findings),
    drift: {
      ...drift,
      missing: cap('drift.missing', drift.missing),
      extra: cap('drift.extra', drift.extra),
      differing: cap('drift.differing', drift.differing),
      ...(drift.sharedWithOtherNamespaces !== undefined ? { sharedWithOtherNamespaces: cap('drift.sharedWithOtherNamespaces', drift.sharedWithOtherNamespaces) } : {}),
      ...(drift.renamed !== undefined ? { renamed: cap('drift.renamed', drift.renamed) } : {}),
      ...(drift.ownedByOperator !== undefined ? { ownedByOperator: cap('drift.ownedByOperator', drift.ownedByOperator) } : {}),
      ...(drift.inOtherTiers !== undefined ? { inOtherTiers: cap('drift.inOtherTiers', drift.inOtherTiers) } : {}),
    },
    omitted,
  };
}

function systemItems(matrices: readonly ResolvedMatrix[]): Report['systems'] {
  return [...matrices]
    .map((m) => ({
      matrix: m.name,
      title: m.title,
      origin: m.origin,
      enabled: m.enabled,
      detected: m.detected,
      components: { present: m.components.filter((c) => c.present).length, total: m.components.length },
      findings: m.findings.length,
    }))
    .sort((a, b) => cmp(a.matrix, b.matrix));
}

/** Which workload's own warning each text is (the first in workload order): a verification warning of the same text concerns it. */
function warningWorkloads(workloads: readonly WorkloadRecommendation[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of workloads) for (const m of w.warnings) if (!out.has(m)) out.set(m, workloadName(w));
  return out;
}

const warningKey = (w: VerificationWarning): string => `${w.workload ?? ''}\u0000${w.code ?? ''}\u0000${w.message}`;
const byWarning = (a: VerificationWarning, b: VerificationWarning): number => cmp(a.workload ?? '', b.workload ?? '') || cmp(a.code ?? '', b.code ?? '') || cmp(a.message, b.message);

/**
 * An engine's verification with its warnings each once, sorted, capped at MAX_ATTENTION_ITEMS;
 * a verification warning that is also a workload's own (a must flow it cannot judge:
 * verify/recommendation.ts unverifiedMustFlows) names that workload.
 */
function engineVerification(v: VerificationSummary, workloadOf: ReadonlyMap<string, string>): VerificationSummary {
  if (v.warnings === undefined) return { ...v };
  const unique = new Map<string, VerificationWarning>();
  for (const w of v.warnings) {
    const workload = w.workload ?? workloadOf.get(w.message);
    const item: VerificationWarning = { ...(w.code !== undefined ? { code: w.code } : {}), ...(workload !== undefined ? { workload } : {}), message: w.message };
    unique.set(warningKey(item), item);
  }
  const sorted = [...unique.values()].sort(byWarning);
  const { warnings: _, warningsOmitted: __, ...rest } = v;
  return { ...rest, warnings: sorted.slice(0, MAX_ATTENTION_ITEMS), ...(sorted.length > MAX_ATTENTION_ITEMS ? { warningsOmitted: sorted.length - MAX_ATTENTION_ITEMS } : {}) };
}

/** Unbounded first, then the highest ratio: the least tight side is the first to look at. */
const looseness = (t: Tightness): number => (t.unbounded ? Infinity : (t.ratio ?? 0));

function tightnessItems(figures: readonly Tightness[]): Pick<Report, 'tightness' | 'tightnessOmitted'> {
  const sorted = [...figures].sort((a, b) => looseness(b) - looseness(a) || cmp(a.workload, b.workload) || cmp(a.direction, b.direction));
  const items: TightnessItem[] = sorted.slice(0, MAX_ATTENTION_ITEMS).map((t) => ({
    workload: t.workload,
    direction: t.direction,
    observed: t.observed,
    allowed: t.allowed,
    ratio: t.ratio,
    ...(t.unbounded ? { unbounded: true as const } : {}),
    ...(t.note !== undefined ? { note: t.note } : {}),
  }));
  return { tightness: items, ...(sorted.length > MAX_ATTENTION_ITEMS ? { tightnessOmitted: sorted.length - MAX_ATTENTION_ITEMS } : {}) };
}

/**
 * The recommendation's and the workloads' warnings, each once, sorted; less those an engine's
 * verification warnings list with their workload (said there once, where "verified" is).
 */
function reportWarnings(input: ReportInput, verification: Readonly<Record<string, VerificationSummary>>): string[] {
  const inVerification = new Set(Object.values(verification).flatMap((v) => (v.warnings ?? []).filter((w) => w.code === undefined && w.workload !== undefined).map((w) => `${w.workload}: ${w.message}`)));
  const warnings = [...input.recommendation.warnings, ...input.recommendation.workloads.flatMap((w) => w.warnings.map((m) => `${workloadName(w)}: ${m}`))];
  return [...new Set(warnings)].filter((w) => !inVerification.has(w)).sort(cmp);
}
