/**
 * The report model: format-independent, plain JSON, every list sorted. Markdown, HTML and JSON are
 * renderings of it; the store keeps it as JSON. Times are ISO 8601 strings. `generatedAt` and
 * `trigger` are the only fields that do not derive from the data.
 */
import type { Direction } from '../domain/direction.ts';
import type { EdgeObservationJson } from '../domain/edge-json.ts';
import type { ComparisonStatus, DocumentedRuleStatus } from '../recommender/compare/status.ts';
import type { Citation } from '../recommender/matrix/resolved.ts';
import type { Tightness } from '../recommender/verify/recommendation.ts';
import type { IngestRunStatus } from '../store/ingest-runs.ts';

export const REPORT_SCHEMA_VERSION = 1;

/** Items kept per attention list: a report is read by people, and stored every night. */
export const MAX_ATTENTION_ITEMS = 500;

export const REPORT_TRIGGERS = ['manual', 'schedule'] as const;
export type ReportTrigger = (typeof REPORT_TRIGGERS)[number];

/** The attention categories, in the order a reader should work through them. */
export const ATTENTION_CATEGORIES = [
  'blocked',
  'violations',
  'dropped',
  'undocumented',
  'documentedWhenSet',
  'documentedUnobserved',
  'stale',
  'hostNetwork',
  'findings',
  'drift',
] as const;
export type AttentionCategory = (typeof ATTENTION_CATEGORIES)[number];

/** How one workload sees an edge (the client on its egress side, the server on its ingress side). */
export interface EdgeSide {
  workload: string;
  direction: Direction;
  status: ComparisonStatus;
  /** Documented rules the edge falls under on this side. */
  rules: string[];
  /** Status `documented-when-set`: the rules that document it once the config says so, `<rule id> when <condition>`. */
  documentedWhen?: string[];
  /** Whether the recommended policy allows it; `reason` when not. */
  included: boolean;
  reason?: string;
  /** Undocumented traffic of an authoritative direction (mode union). */
  violation: boolean;
  /**
   * Left out (`included: false`) yet allowed all the same, per engine, sorted: the verification's
   * `stillAllowed` (a broader rule of the recommendation, or an applied policy beside it). Absent
   * when no engine allows it, and in reports stored before it was reported.
   */
  stillAllowed?: StillAllowedBy[];
}

/** Which policy and rule of an engine still allow an edge side the recommendation left out. */
export interface StillAllowedBy {
  engine: string;
  /** `Kind/namespace/name`, when the simulator names the deciding policy. */
  policy?: string;
  /** The rule's path in it (`/spec/ingress/1`). */
  rule?: string;
  /** An applied policy that stays beside the recommendation allows it, not one of ours: delete or tighten it. */
  byApplied?: true;
  /** It allows it only where the network plugin matches ipBlocks against pod addresses. */
  onlyWhereIpBlocksMatchPods?: true;
}

/** An observed edge with its evidence. */
export interface EdgeItem extends EdgeObservationJson {
  key: string;
  /** The workloads' views, sorted by workload then direction; empty when no selected workload is on either side. */
  sides: EdgeSide[];
}

/** A documented rule with its citation, and the workloads of its component it applies to. */
export interface RuleItem {
  id: string;
  matrix: string;
  component: string;
  direction: Direction;
  level: 'must' | 'may';
  status: DocumentedRuleStatus;
  peer: string;
  purpose: string;
  condition?: string;
  /** Status `documented-when-set`: the condition to set and where in the cluster config (docs/matrices.md). */
  whenSet?: { set: string; config: string[] };
  source: Citation;
  workloads: string[];
  /** Keys of the edges under it. */
  edges: string[];
  /**
   * Of a must rule not observed (the documentedUnobserved list): where the recommendation allows
   * its flow. `both-ends` where its peer names workloads (their side is opened and verified too);
   * `rule-end` where it names none (any pod, a role bound to every pod, the world, addresses): the
   * peer's own egress or ingress is its own policies'; `both-ends-for-named` where it has peers of
   * both kinds. Absent elsewhere, and in reports stored before it was said.
   */
  allowedAt?: RuleEnds;
}

export type RuleEnds = 'both-ends' | 'rule-end' | 'both-ends-for-named';

export interface HostNetworkItem {
  workload: string;
  components: string[];
  summary: string;
}

export interface FindingItem {
  matrix: string;
  kind: string;
  subject: string;
  message: string;
}

export interface PolicyRefItem {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** A required edge side a recommended policy cuts (a verification `blocked` finding). */
export interface DriftCut {
  /** `namespace/Kind/name`. */
  workload: string;
  direction: 'ingress' | 'egress';
  /** `client|server|port|protocol` (peer keys). */
  edge: string;
}

/**
 * Why a recommended policy of an engine that fails verification fails: the fields are absent on a
 * policy that does not fail, and on every policy of an engine that verifies.
 */
export interface DriftFailureMarks {
  /** The required edge sides it cuts (the first DRIFT_CUTS_SHOWN; `cutsOmitted` counts the rest). */
  cuts?: DriftCut[];
  cutsOmitted?: number;
  /** What the engine's admission refuses in it: `path: message`. */
  refused?: string[];
  /**
   * Other manifests of the recommendation have its kind, namespace and name: no refusal (the API
   * server accepts each) but one object, which the one applied last replaces: `path: message`.
   */
  sameName?: string[];
}

/** A recommended policy (missing or differing), with its failure marks. */
export interface DriftPolicyItem extends PolicyRefItem, DriftFailureMarks {}

/**
 * The recommended policy of an applied shared policy's name, which applying would replace it: its
 * spec differs at `paths`; `name` its own when the applied one is listed under another (Calico's
 * `default.<name>`); its failure marks as a missing or differing policy's.
 */
export interface ReplacingPolicyItem extends DriftFailureMarks {
  name?: string;
  paths: string[];
}

/** Who else manages an applied policy: its `app.kubernetes.io/managed-by` label, its controller owner reference (`owner`). */
export interface PolicyManagerItem {
  managedBy?: string;
  owner?: { apiVersion: string; kind: string; name: string };
}

/** An applied policy another tool manages (DriftSection.ownedByOperator). */
export interface OwnedPolicyItem extends PolicyRefItem, PolicyManagerItem {}

/** An applied Calico policy of a tier flowmatrix does not write (DriftSection.inOtherTiers). */
export interface OtherTierPolicyItem extends PolicyRefItem {
  tier: string;
}

/** An applied cluster-scoped policy a namespace's drift leaves to the whole cluster's (DriftSection.sharedWithOtherNamespaces). */
export interface SharedPolicyItem extends PolicyRefItem {
  namespaces?: string[];
  replacedByRecommended?: ReplacingPolicyItem;
}

export const DRIFT_CUTS_SHOWN = 20;

export interface DriftSection {
  engine: string;
  /**
   * Present (false) only when the engine's recommendation fails verification (the report's
   * `verification[engine]` says what fails): `missing` and `differing` are what applying it
   * applies, and GET /api/v1/drift refuses such a drift unless allowUnverified=true.
   */
  verified?: false;
  /**
   * The drift's summary (GET /api/v1/drift's, with its `ownedByOperator`, `differingOwnedByOperator`,
   * `renamed` and `inOtherTiers` when there are any), and `replacingShared` when there are any: the recommended
   * policies listed under sharedWithOtherNamespaces' `replacedByRecommended`.
   */
  summary: {
    recommended: number;
    applied: number;
    inSync: number;
    missing: number;
    extra: number;
    differing: number;
    ownedByOperator?: number;
    differingOwnedByOperator?: number;
    renamed?: number;
    inOtherTiers?: number;
    replacingShared?: number;
  };
  missing: DriftPolicyItem[];
  extra: PolicyRefItem[];
  /**
   * `ownedByOperator` when another tool manages the applied policy (GET /api/v1/drift's): applying
   * the recommended one is overwritten by that tool; counted in `summary.differingOwnedByOperator`.
   */
  differing: (DriftPolicyItem & { paths: string[]; ownedByOperator?: PolicyManagerItem })[];
  /**
   * In a namespace's report, when there are any: applied cluster-scoped policies whose subject also
   * covers other namespaces (`namespaces`: those it is limited to; absent: any). Not extra: deleting
   * them would cut the other namespaces' traffic; the whole cluster's drift judges them.
   * `replacedByRecommended`: the recommendation holds a policy of this name, whose spec differs
   * at `paths`; applying it would replace this one (not listed as differing for that reason, but
   * counted in the headline's drift as one).
   */
  sharedWithOtherNamespaces?: SharedPolicyItem[];
  /**
   * When there are any: applied policies flowmatrix wrote under the name an earlier export gave
   * the recommended `renamedTo` (GET /api/v1/drift's `renamed`). Not extra: delete them once
   * `renamedTo` is applied; counted in the headline's drift as extra ones were.
   */
  renamed?: (PolicyRefItem & { renamedTo: string })[];
  /**
   * When there are any: applied policies, not recommended, that another tool manages (GET
   * /api/v1/drift's `ownedByOperator`: an operator's built-in policy). Not extra: deleting them
   * fights the tool, which recreates them; turn them off there. Not counted in the headline's drift.
   */
  ownedByOperator?: OwnedPolicyItem[];
  /**
   * When there are any: applied Calico policies of a tier other than the default one, the only
   * tier flowmatrix writes (GET /api/v1/drift's `inOtherTiers`). Not extra: the tier is another
   * owner's (a platform team's default-deny), not the drift's to delete. Not counted in the headline's drift.
   */
  inOtherTiers?: OtherTierPolicyItem[];
}

export interface NamespaceSummary {
  namespace: string;
  workloads: number;
  hostNetwork: number;
  /** `matrix/component` of the documented components running here. */
  components: string[];
  /** Manifests proposed per engine (the configured options). */
  manifests: Record<string, number>;
  /** Proposed rules by status (configured engine's policy set). */
  rules: Record<string, number>;
  /** Observed edge sides of its workloads by status. */
  edges: Record<string, number>;
  attention: { blocked: number; violations: number; dropped: number; undocumented: number; documentedWhenSet: number; documentedUnobserved: number; stale: number };
}

export interface SystemSummary {
  matrix: string;
  title: string;
  origin: string;
  enabled: boolean;
  detected: boolean;
  components: { present: number; total: number };
  findings: number;
}

export interface IngestRunItem {
  id: number;
  source: string;
  format: string;
  status: IngestRunStatus;
  startedAt: string;
  finishedAt?: string;
  records: number;
  accepted: number;
  rejected: number;
  skipped: number;
  ambiguous: number;
  /** A collector's failure streak: one run for all its attempts (started at the first, finished at the last). */
  attempts?: number;
  /** DNS names the run did not keep past the per-workload name cap; present when some. */
  namesCapped?: number;
}

export interface AmbiguousItem {
  peerA: string;
  peerB: string;
  protocol: string;
  portA: number;
  portB: number;
  flows: number;
  firstSeen: string;
  lastSeen: string;
}

/** A pair a flow metric saw talking (no direction, port or protocol) with no edge between its peers. */
export interface MetricPairItem {
  peerA: string;
  peerB: string;
  source: string;
  metric: string;
  lacks: string[];
  firstSeen: string;
  lastSeen: string;
  flows: number;
  packets: number;
  bytes: number;
}

/** Traffic seen only in flow metrics (domain/metric-pair.ts): what the recommended policies would block. */
export interface MetricPairsSection {
  /** Pairs stored in all (matched or not, every namespace). */
  stored: number;
  /** Pairs no edge joins, not stale (last seen within staleDays of the data's time), in the report's namespace when it has one. */
  unmatched: number;
  /** The first MAX_ATTENTION_ITEMS of them, in key order (peer A, peer B, source, metric). */
  pairs: MetricPairItem[];
}

export interface IngestSection {
  /** `namesCapped`: DNS names not kept past the per-workload name cap, present when some (docs/ingest.md "Bounded by design"). */
  totals: { runs: number; failed: number; running: number; records: number; accepted: number; rejected: number; skipped: number; ambiguous: number; namesCapped?: number };
  rejects: { reason: string; count: number }[];
  recent: IngestRunItem[];
  ambiguous: { pairs: number; flows: number; top: AmbiguousItem[] };
}

/** One engine's verification (recommender/verify/recommendation.ts `Verification`), counted. */
export interface VerificationSummary {
  /** No admission error and every included edge allowed. */
  ok: boolean;
  /** Refusals of the engine's API server or agent, per manifest problem. */
  admissionErrors: number;
  /** Manifests another manifest of the recommendation has the kind, namespace and name of: accepted, the one applied last replaces the others (absent when none). */
  duplicateNames?: number;
  /**
   * Stored edge rows the read could not use (store/row-check.ts), left out of the recommendation:
   * its manifests allow none of their traffic and this verification did not judge it (absent when none).
   */
  edgeRowsLeftOut?: number;
  /** Included edges the recommended policies deny: applying them would cut this traffic. */
  blocked: number;
  /** Included edges only an applied policy beside the recommendation denies. */
  blockedByApplied: number;
  /** Of those, the ones denied only where the network plugin does not match ipBlocks against pod addresses (absent in reports stored before it was counted). */
  blockedByAppliedOnOneReading?: number;
  /** Edge sides left out that a broader rule of the recommendation itself still allows (absent in reports stored before). */
  stillAllowed?: number;
  /** Edge sides left out that an applied policy beside the recommendation still allows: delete or tighten it (absent in reports stored before). */
  stillAllowedByApplied?: number;
  /** The first of the edges `blockedByApplied` counts (at most BLOCKED_BY_APPLIED_SHOWN), which and by what (absent in reports stored before). */
  blockedByAppliedEdges?: AppliedBlock[];
  /**
   * What weakens "verified" on this engine: the verification's warnings (what it could not judge,
   * what the cluster may do otherwise) and the emitter's; sorted by workload, code and message, each
   * once, the first MAX_ATTENTION_ITEMS (absent in reports stored before they were reported).
   */
  warnings?: VerificationWarning[];
  /** Warnings past MAX_ATTENTION_ITEMS (absent when none). */
  warningsOmitted?: number;
}

/** One warning of an engine's verification or emitter. */
export interface VerificationWarning {
  /** The emitter's code (recommender/engines/types.ts WARNING_CODES); absent for the verification's own warnings. */
  code?: string;
  /** What it concerns, where it names one: the policy intent of an emitter warning, the workload whose warning it also is. */
  workload?: string;
  message: string;
}

/** A workload side's tightness, as the verification measured it (recommender/verify/recommendation.ts). */
export type TightnessItem = Tightness;

export const BLOCKED_BY_APPLIED_SHOWN = 20;

/** A required edge side an applied policy beside the recommendation denies. */
export interface AppliedBlock {
  /** `namespace/Kind/name`. */
  workload: string;
  direction: Direction;
  /** `client|server|port|protocol` (peer keys). */
  edge: string;
  /** `Kind/namespace/name` of the applied policy that decides, when known. */
  policy?: string;
  /**
   * Where no applied policy decides, what denies it: `host endpoint of node <name>` (a Cilium host
   * policy's default deny there), `enable-policy: always (no rule allows it)`. Absent otherwise.
   */
  deniedBy?: string;
  /** With `deniedBy`: the node whose host endpoint denies it (allowed in a host policy selecting that node). */
  hostNode?: string;
  /** Decided at the edge's other end (EdgeFinding.hostEndpoint / farSide): that end's side. */
  otherEnd?: Direction;
  /**
   * Where no rule decides and applied policies isolate the side in its direction (a NetworkPolicy
   * of the pod's namespace whose rules do not allow it): those policies, `Kind/namespace/name`.
   */
  isolatedBy?: string[];
  reason: string;
}

export interface Report {
  schemaVersion: number;
  /** When the report was built (the only wall-clock value; injectable). */
  generatedAt: string;
  trigger: ReportTrigger;
  engine: string;
  options: { mode: string; egress: boolean; shared?: true; defaultDeny?: true; staleDays: number; namespace?: string };
  data: {
    /** The reference time of the data (latest last-seen, or the options' `now`): staleness is measured from it. */
    now: string;
    firstSeen?: string;
    lastSeen?: string;
    inventoryTakenAt?: string;
    edges: number;
    workloads: number;
  };
  /** Count per attention category. */
  headline: Record<AttentionCategory, number>;
  totals: {
    workloads: number;
    hostNetwork: number;
    manifests: Record<string, number>;
    rules: Record<string, number>;
    edges: Record<string, number>;
  };
  /**
   * Per engine, the verification of its manifests (admission, and every observed edge
   * simulated), as counts. Absent from reports stored before it was reported.
   */
  verification?: Record<string, VerificationSummary>;
  attention: {
    blocked: { edges: EdgeItem[]; rules: RuleItem[] };
    violations: EdgeItem[];
    /** Observed edges the applied policies dropped (some or all flows), not already blocked or violations. */
    dropped: EdgeItem[];
    undocumented: EdgeItem[];
    /** Observed traffic a matrix documents once the config sets a parameter or binds a role: allowed; set it. */
    documentedWhenSet: { edges: EdgeItem[]; rules: RuleItem[] };
    documentedUnobserved: RuleItem[];
    /** Unobserved `may` rules are listed by count only: they are optional. */
    documentedUnobservedMay: number;
    stale: { edges: EdgeItem[]; rules: RuleItem[] };
    hostNetwork: HostNetworkItem[];
    findings: FindingItem[];
    drift: DriftSection;
    /**
     * Present only when the store holds observed pairs at all (a collector reads NetObserv's
     * predefined workload metrics): a report of a store without them says nothing about them.
     */
    seenOnlyInMetrics?: MetricPairsSection;
    /**
     * Items left out per list (beyond MAX_ATTENTION_ITEMS, the least flows or latest ids first): the
     * headline has the full counts; the edges and recommendations endpoints have every item.
     */
    omitted: Record<string, number>;
  };
  /**
   * The report engine's tightness per restricted workload side, the least tight first (unbounded,
   * then the highest ratio), the first MAX_ATTENTION_ITEMS. Absent from reports stored before it
   * was reported.
   */
  tightness?: TightnessItem[];
  /** Sides past MAX_ATTENTION_ITEMS (absent when none). */
  tightnessOmitted?: number;
  namespaces: NamespaceSummary[];
  systems: SystemSummary[];
  ingest: IngestSection;
  /** The recommendation's and the workloads' warnings that no engine's verification warnings list. */
  warnings: string[];
}
