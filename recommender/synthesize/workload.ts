/**
 * Synthesis for one workload: its comparison → atoms → an allowlist intent (plus one that opens
 * the exposed ports), with what was left out and why. StackLight's archetypes fall out of the
 * data: nothing in → deny-all ingress, nothing out → deny-all egress, exposed → allow-all on
 * the exposed port, calls to the world → egress to those destinations.
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { Workload } from '../../domain/inventory.ts';
import { peerKey, workloadKey, type Peer, type WorkloadRef } from '../../domain/peer.ts';
import { opposite } from '../../domain/direction.ts';
import { hostNetworkNodes, peerMatches, portMatches, resolvePortNumbers } from '../compare/match.ts';
import { assessmentsOf, sortAssessments, type EdgeAssessment, type EdgeKeys, type EdgeRefs, type RuleAssessment, type SideComparison, type WorkloadComparison, type WorkloadComponent } from '../compare/compare.ts';
import { DNS_SERVICE_PORT } from '../../domain/cluster-dns.ts';
import { HBONE_PORT, ISTIOD_XDS_PORT } from '../../domain/istio.ts';
import { reachedAsPods, refOf, type ClusterIndex } from '../compare/context.ts';
import { dnsPorts, explanation, isPortName, port, worldPeer, type DirectionInput, type IntentInput } from '../policy/build.ts';
import type { Direction, PolicyPeer, PolicyRuleStatus, PortSpec } from '../policy/ir.ts';
import { targetPortNowNote, targetPortNumbersNow } from '../../domain/service-links.ts';
import { isIcmp } from '../../domain/flow.ts';
import { compareStrings, portKey, selectorIsEmpty } from '../policy/order.ts';
import { confirmedFromNodesOnly, nodeEvidenceShows, speakingNodes } from './node-evidence.ts';
import { disabledComponentWarning, documentedWarnings, leftOutByModeObserved, onlyRoleUnbound, otherViewWarnings, probesOnly, probesRequireNodes, unboundRoleNote } from '../compare/documented-notes.ts';
import { AtomGroups, type GroupedRule } from './atoms.ts';
import { EchoAtoms, echoCanName, rulesDirection } from './echo-rules.ts';
import type { RecommendOptions } from './options.ts';
import type { RunPeers } from './far-peers.ts';
import type { PortSets } from './port-sets.ts';
import { APISERVER, dnsTargetPeers, endpointWorkloadNote, irPeers, ownNodeClients, protocolOf, reachesHostNetwork, resolvedPeers, resolvedPorts, type DnsTarget } from './peers.ts';
import type { ResolvedPeer, ResolvedPort } from '../matrix/resolved.ts';
import type { UnresolvedTargetPort } from '../matrix/bindings.ts';
import { hostNetworkFarSide } from './host-network-far-sides.ts';
import { webhookCaller } from './webhook-calls.ts';
import { hostNetworkAdvice, requiredTraffic } from './host-firewall.ts';
import { firstFew } from './first-few.ts';
import { openWords, opensLeftByRule } from './open-words.ts';
import type { DocumentedFlow } from './documented-flow.ts';
import { partlyObservedWarnings } from './partly-observed.ts';
import { blockHolderPeers, blockHolders, nodesAcrossFamily } from './block-holders.ts';
import { ANY_PORT, standInFor, standInForRole, standInsOf, UNVERIFIED_MUST_FLOW, type StandIn, type StandIns } from './representative-flows.ts';
import { exceptionCitation, farPartialNote, farPartialWarning, partialDirection, partialNote, partialWarning, type PartialDirection } from './partial-directions.ts';
import { componentPeers } from '../matrix/component-pods.ts';
import { ownNodeExclusion, ownNodeIngress, type OwnNodeRules } from './own-node-ingress.ts';
import { documentsPeer, namedWorkloads, opensAll, portsCover, portsServedBy, portsToward, replicaPorts, selectedWorkloads, type MirroredRule, type MirroredRules, type PodNetwork } from './mirrored-rules.ts';

export interface ExcludedEdge {
  edge: EdgeAssessment;
  reason: string;
}

export interface PlannedIntent {
  input: IntentInput;
  /** The rules with their evidence; empty when the context asks for no details and no shared layer reads them. */
  rules: GroupedRule[];
  /** Evidence of an allow-all / deny-all direction (exposure: the edges it covers). */
  evidence: EdgeRefs[];
}

/** Whether the intent restricts direction `d` of the pods it selects (its policy has that policyType). */
export const restricts = (i: PlannedIntent, d: Direction): boolean => (i.input[d]?.mode ?? 'none') !== 'none';

export interface WorkloadPlan {
  workload: Workload;
  /** Whether the plan takes the workload as host-network (no policy): the inventory's word, or a matrix component's that selects it (noPolicyReason). */
  hostNetwork: boolean;
  /** The comparison behind the plan: its edges per side are what the verification checks, its rules the evidence. */
  comparison: WorkloadComparison;
  components: WorkloadComponent[];
  intents: PlannedIntent[];
  /** Edges left out and why (the verification checks that the policies deny them). */
  excluded: ExcludedEdge[];
  /** Undocumented edges of a direction a matrix is authoritative for (mode union), in `${edgeKey}|${direction}` order. */
  violations: EdgeAssessment[];
  warnings: string[];
  summary: string;
  /**
   * Flows this workload's active `must` rules require that nothing observed (to and from the
   * workloads their peers name), in every mode, included or not: the verification checks them at
   * both ends, since no observed edge does.
   */
  documentedFlows: DocumentedFlow[];
  /** The must flows of this workload the verification cannot judge (MustFlows.unverifiable): its warnings, where the direction is restricted. */
  unverified: { direction: Direction; warning: string }[];
  /** Other components' rules this workload's authoritative matrix leaves closed (warned: the matrices disagree), with that matrix's `matrix/component`. */
  leftClosed: { rule: string; authority: string; direction: Direction }[];
  /**
   * The intents only hold open what the namespace default-deny layer would cut (the cluster DNS
   * in mode documented): they make no layer of their own, and go when no layer comes, leaving
   * this summary and these edges left out.
   */
  layerGuard?: { summary: string; excluded: ExcludedEdge[] };
  /** Warnings that hold only where the namespace default-deny layer comes (recommend.ts adds them there). */
  underLayer?: string[];
  /** The summary where that layer comes (recommend.ts puts it in place of `summary` there). */
  underLayerSummary?: string;
}

/**
 * What unobservedMustFlows finds: the flows, and a warning per rule and far workload whose flow
 * names no port (a rule with no ports, to a server that declares none; a port name no server of the
 * peer declares): nothing to verify.
 */
export interface MustFlows {
  flows: DocumentedFlow[];
  unverifiable: { far?: WorkloadRef; direction: Direction; warning: string }[];
}

export interface SynthesisContext {
  ix: ClusterIndex;
  dns: DnsTarget;
  opts: RecommendOptions;
  /** Edge peers and ports, made and checked once per run. */
  peers: RunPeers;
  /** The run's port sets (merged atoms' ports), one array per distinct set. */
  portSets: PortSets;
  /** The run's edge keys and ids (`edgeKey`, `edgeId`, cached). */
  edgeKeys: EdgeKeys;
  /** Record what was left out and why (`excluded`): the JSON output needs it, manifests do not. Default true. */
  details?: boolean;
  /** Documented rules of other components whose peer names workloads, by workload (mirrored-rules.ts). */
  mirrors: MirroredRules;
  /** The pod-network workloads of the cluster (a role bound to a namespace names them all). */
  podNetwork: PodNetwork;
  /** Where the cilium-config turns the host firewall on: the applied host policies (host-firewall.ts appliedHostPolicies). */
  hostPolicies?: readonly string[];
  /**
   * The engine the output is for denies what no rule allows, selected or not (Cilium under
   * `enable-policy: always`): a direction left open is opened by an allow-all rule (open-by-rule.ts),
   * and worded so (open-words.ts).
   */
  openByRule?: boolean;
  /** The rules the engines write for a pod's own node, where the cilium-config has them write any (own-node-ingress.ts ownNodeRules). */
  ownNodeRules?: OwnNodeRules;
}

const UPSTREAM_DNS_PORTS: readonly PortSpec[] = dnsPorts();

/** The cluster DNS's edge to a resolver outside it: DNS on 53, to anything but the cluster DNS itself. */
const isUpstreamDns = (e: EdgeTraffic): boolean => e.port === DNS_SERVICE_PORT && (e.protocol === 'UDP' || e.protocol === 'TCP') && e.server.kind !== 'dns';

/** The edge reaches the cluster DNS on a port it answers DNS on. */
function answersDns(dns: DnsTarget, edge: EdgeTraffic): boolean {
  return dns.ports.some((p) => p.kind === 'number' && p.port === edge.port && p.protocol === edge.protocol);
}

export function intentKey(w: Workload, suffix?: string): string {
  return `${w.namespace}/${w.kind.toLowerCase()}/${w.name}${suffix ? `/${suffix}` : ''}`;
}

function authoritative(components: readonly WorkloadComponent[], d: Direction): string | undefined {
  for (const c of components) {
    const s = c.component.authoritative[d];
    if (s.authoritative && (!s.condition || s.condition.holds)) return `${c.matrix}/${c.component.name}`;
  }
  return undefined;
}

function ruleIncluded(r: RuleAssessment, opts: RecommendOptions): boolean {
  // A rule documented when set is not in force: its observed edges become rules, never its peers.
  if (r.status === 'inactive' || r.status === 'documented-when-set') return false;
  const include = opts.include as string[];
  // Every edge stale: documented and not observed now, so included as an unobserved rule is — a
  // must rule seen long ago is no less required than one never seen (docs/recommend.md, "Statuses").
  const unobserved = r.status === 'documented-unobserved' || (r.status === 'stale' && !include.includes('stale'));
  if (!include.includes(unobserved ? 'documented-unobserved' : r.status)) return false;
  return !unobserved || r.rule.level === 'must' || opts.includeMay;
}

const MODE_DOCUMENTED_LEFT_OUT = 'mode documented: no included documented rule covers this edge';

const isApiserverEdge = (e: EdgeTraffic, peers: RunPeers): boolean => peers.farSide(e, 'egress').kind === 'apiserver';

const NO_RULES: RuleAssessment[] = [];
const NO_NOTES: readonly string[] = [];
const NO_EDGES: readonly number[] = [];

export function planWorkload(w: Workload, comparison: WorkloadComparison, all: WorkloadComponent[], ctx: SynthesisContext): WorkloadPlan {
  // A component whose `when` does not hold does not exist (docs/matrices.md): no authority, no
  // exception, nothing documented — but the observed edges its rules fit once its toggle is set
  // (documented when set), which it still documents.
  const components = all.filter((c) => c.component.enabled);
  const documenting = documentingComponents(all, comparison);
  const observed = comparison.ingress.edges.length + comparison.egress.edges.length;
  const self: Planning['self'] = { kind: 'workload', workload: { namespace: w.namespace, kind: w.kind, name: w.name } };
  // Before any refusal: a workload given no policy (on the host network) still requires its must
  // flows at their other end, whose policy can cut them.
  const plan = newPlan(w, comparison, documenting, unobservedMustFlows(comparison, self, ctx), ctx);
  warnDisabledComponents(plan, all, documenting, observed);
  const mirrorEvidence = confirmFromOtherEnds(w, comparison, components, ctx);
  const onlyAtOtherEnds = requiredOnlyAtOtherEnds(w, documenting, comparison, ctx);
  const refusal = noPolicyReason(w, documenting, ctx, onlyAtOtherEnds, observed, comparison, plan.documentedFlows);
  if (refusal !== undefined) return refuse(plan, refusal, ctx);
  const hostPods = hostNetworkPodsWarning(w, ctx);
  if (hostPods !== undefined) plan.warnings.push(hostPods);
  planPolicies(newPlanning(w, self, comparison, components, ctx, plan, mirrorEvidence), onlyAtOtherEnds);
  return plan;
}

/** The components that document something of the workload: the enabled ones, and a disabled one whose rule documents an edge once set. */
function documentingComponents(all: readonly WorkloadComponent[], comparison: WorkloadComparison): WorkloadComponent[] {
  const documentsWhenSet = (c: WorkloadComponent): boolean =>
    comparison.rules.some((r) => r.status === 'documented-when-set' && r.matrix === c.matrix && r.component === c.component.name);
  return all.filter((c) => c.component.enabled || documentsWhenSet(c));
}

/** The plan before anything is decided: the must flows the verification checks, and their unverifiable warnings first. */
function newPlan(w: Workload, comparison: WorkloadComparison, documenting: WorkloadComponent[], must: MustFlows, ctx: SynthesisContext): WorkloadPlan {
  return {
    workload: w,
    hostNetwork: !reachedAsPods(w, ctx.ix),
    comparison,
    components: documenting,
    intents: [],
    excluded: [],
    violations: [],
    warnings: must.unverifiable.map((u) => u.warning),
    summary: '',
    documentedFlows: must.flows,
    unverified: must.unverifiable.map((u) => ({ direction: u.direction, warning: u.warning })),
    leftClosed: [],
  };
}

function warnDisabledComponents(plan: WorkloadPlan, all: readonly WorkloadComponent[], documenting: readonly WorkloadComponent[], observed: number): void {
  for (const c of all) {
    const warning = documenting.includes(c) ? undefined : disabledComponentWarning(c, observed);
    if (warning !== undefined) plan.warnings.push(warning);
  }
}

/**
 * In mode documented a workload no matrix of its own documents gets no policy: nothing of it is
 * restricted. Under a namespace default-deny, which isolates it all the same, one that another
 * component's rule names (a role's pods), or that is the far end of an observed edge another
 * workload's partial direction keeps, gets the rules required at its end, on top of that layer.
 */
function requiredOnlyAtOtherEnds(w: Workload, documenting: readonly WorkloadComponent[], comparison: WorkloadComparison, ctx: SynthesisContext): boolean {
  if (!ctx.opts.defaultDeny || documenting.length > 0) return false;
  if ((ctx.mirrors.byWorkload.get(workloadKey(w))?.length ?? 0) > 0) return true;
  // The cluster DNS answers every pod whatever its policy (clusterDnsIntent): no partial edge needs it planned.
  if (w.clusterDns === true) return false;
  return [comparison.ingress, comparison.egress].some((side) => side.edges.some((_, i) => farPartial(side, i, ctx) !== undefined));
}

/**
 * Mode documented: the partial direction of the workload at the edge's other end that lists it
 * only in kind (its egress for an ingress edge here, its ingress for an egress edge), or undefined.
 * Such an edge is documented traffic at that end (docs/matrices.md, `partial`): required at both
 * ends, as a documented rule is at its peer's (mirrored-rules.ts), so it is kept here too.
 */
function farPartial(side: SideComparison, i: number, ctx: SynthesisContext): PartialDirection | undefined {
  if (ctx.mirrors.partial.size === 0) return undefined;
  const e = side.edges[i]!;
  const far = side.direction === 'ingress' ? e.client : e.server;
  return far.kind === 'workload' ? ctx.mirrors.partial.get(workloadKey(far.workload))?.[opposite(side.direction)] : undefined;
}

/** The plan of a workload that gets no policy: every edge left out, with the refusal's summary and warning. */
function refuse(plan: WorkloadPlan, refusal: NoPolicy, ctx: SynthesisContext): WorkloadPlan {
  plan.summary = refusal.summary;
  plan.hostNetwork = refusal.hostNetwork === true;
  for (const e of plan.comparison.edges) plan.excluded.push({ edge: e, reason: refusal.excluded });
  const guarded = refusal.undocumented === true && ctx.opts.defaultDeny;
  if (guarded && plan.workload.clusterDns === true) {
    guardClusterDns(plan, ctx, ctx.details !== false);
    guardExposure(plan, ctx.details !== false);
    return plan;
  }
  if (refusal.warning !== undefined) (refusal.undocumented ? (plan.underLayer ??= []) : plan.warnings).push(refusal.warning);
  if (refusal.layerSummary !== undefined) plan.underLayerSummary = refusal.layerSummary;
  if (guarded) guardExposure(plan, ctx.details !== false);
  return plan;
}

function newPlanning(
  w: Workload,
  self: Planning['self'],
  comparison: WorkloadComparison,
  components: readonly WorkloadComponent[],
  ctx: SynthesisContext,
  plan: WorkloadPlan,
  mirrorEvidence: ReadonlyMap<MirroredRule, number[]>,
): Planning {
  return {
    w,
    self,
    name: nameOf(w),
    comparison,
    components,
    ctx,
    details: ctx.details !== false,
    plan,
    groups: { ingress: new AtomGroups('ingress', comparison.ingress, ctx.portSets), egress: new AtomGroups('egress', comparison.egress, ctx.portSets) },
    echo: { ingress: new EchoAtoms('ingress', comparison.ingress), egress: new EchoAtoms('egress', comparison.egress) },
    portless: { ingress: [], egress: [] },
    unresolved: { ingress: [], egress: [] },
    ownNode: [],
    apiserverUnknown: false,
    openByRule: opensLeftByRule(w, ctx.openByRule, ctx.podNetwork),
    mirrorEvidence,
    mirrored: { ingress: new Set(), egress: new Set() },
    cutHere: [],
    silent: silentDirections(comparison, components, ctx.opts),
    partial: keptObservedDirections(components, ctx.opts),
    keptByPartial: { ingress: 0, egress: 0 },
    keptByFarPartial: { ingress: [], egress: [] },
  };
}

/** A direction as the allowlist renders it, with its grouped rules (the evidence). */
interface PlannedDirection {
  input: DirectionInput;
  rules: GroupedRule[];
}

/** The atoms of both directions, then the directions, their warnings, the intents and the summary. */
function planPolicies(p: Planning, onlyAtOtherEnds: boolean): void {
  const { w, ctx, plan } = p;
  const included = p.comparison.rules.filter((r) => ruleIncluded(r, ctx.opts));
  // An unbound role's any-peer rule is a documented-unobserved one.
  const anyPeer = ctx.opts.mode !== 'observed' && (ctx.opts.include as string[]).includes('documented-unobserved');
  addMatrixAtoms(p, included, anyPeer);
  const exposed = portExposure(w);
  const apart = addObservedAtoms(p, included, exposed);
  warnKeptByPartial(p);
  addIstiodIngressAtoms(p);
  const openWhenUndocumented = ctx.opts.mode === 'documented' && onlyAtOtherEnds;
  const egress = egressDirection(p, openWhenUndocumented);
  const ingress = ingressDirection(p, exposed.length > 0, openWhenUndocumented);
  if (openWhenUndocumented) warnCutUnderLayer(p, egress.input);
  addRestrictionWarnings(p, ingress.input, egress.input, anyPeer);
  if (p.silent.ingress && (p.silent.egress || !ctx.opts.egress)) {
    plan.summary = ctx.opts.egress
      ? `${p.name}: its matrices document nothing in or out and none is authoritative for either, so mode documented restricts neither direction: no policy.`
      : `${p.name}: its matrices document nothing in and none is authoritative for ingress, so mode documented leaves ingress open, and egress is not restricted (--no-egress): no policy.`;
    return;
  }
  plan.intents.push(allowlistIntent(p, ingress.input, ingress.rules, egress));
  // The exposure and cluster-DNS policies open ports of an ingress the allowlist restricts: over an
  // ingress it leaves open (mode documented, nothing documented in) they would restrict it instead.
  if (exposed.length > 0 && !p.silent.ingress) plan.intents.push(exposureIntent(w, p.details, p.comparison.ingress, exposed, apart.exposure));
  if (w.clusterDns === true && !p.silent.ingress) plan.intents.push(clusterDnsIntent(w, ctx, p.details, p.comparison.ingress, apart.dns));
  plan.summary = planSummary(p, ingress.input, egress.input);
}

/**
 * Mode documented, no --default-deny: the directions of the workload its matrices say nothing
 * about — no rule of its own components in force or documented when set, no dynamic-peers
 * exception, and no matrix authoritative for it (docs/matrices.md: an authoritative direction
 * with no rules is a documented deny-all). A policy built from the documentation does not close
 * what the documentation does not speak about (StackLight, seed 000 line 16, names the pods whose
 * ingress is denied "including Prometheus scrape"; cAdvisor, whose row denies egress only, is
 * scraped): such a direction is left unrestricted. Under --default-deny the namespace layer
 * isolates it whatever this policy says, as it does a workload no matrix documents: it stays closed.
 */
function silentDirections(comparison: WorkloadComparison, components: readonly WorkloadComponent[], opts: RecommendOptions): Record<Direction, boolean> {
  const silent = (d: Direction): boolean =>
    opts.mode === 'documented' &&
    !opts.defaultDeny &&
    (d === 'ingress' || opts.egress) &&
    !comparison.rules.some((r) => r.rule.direction === d && r.status !== 'inactive') &&
    !hasDynamicPeers(components, d) &&
    partialDirection(components, d) === undefined &&
    authoritative(components, d) === undefined;
  return { ingress: silent('ingress'), egress: silent('egress') };
}

/**
 * Mode documented: the directions a `partial` exception says are listed only in part, whose
 * observed traffic is kept as mode union keeps it (partial-directions.ts). In the other modes the
 * exception changes nothing: union keeps the observed traffic anyway, observed renders nothing documented.
 */
function keptObservedDirections(components: readonly WorkloadComponent[], opts: RecommendOptions): Record<Direction, PartialDirection | undefined> {
  const kept = (d: Direction) => (opts.mode === 'documented' ? partialDirection(components, d) : undefined);
  return { ingress: kept('ingress'), egress: kept('egress') };
}

/** Mode documented: the warning of each direction where observed edges no rule documents were kept, by its own partial exception or its far ends'. */
function warnKeptByPartial(p: Planning): void {
  for (const d of ['ingress', 'egress'] as const) {
    const partial = p.partial[d];
    if (partial !== undefined && p.keptByPartial[d] > 0) p.plan.warnings.push(partialWarning(partial, d, p.keptByPartial[d]));
    const far = p.keptByFarPartial[d];
    if (far.length > 0) p.plan.warnings.push(farPartialWarning(far, d, far.length));
  }
}

/** A direction its matrices say nothing about (silentDirections): unrestricted, and said so. */
function leftUndocumented(p: Planning, d: Direction): PlannedDirection {
  const word = d === 'ingress' ? 'in' : 'out';
  const observed = p.comparison[d].edges.length;
  p.plan.warnings.push(
    `mode documented: nothing is documented ${word} and no matrix is authoritative for ${d}: ${d} is ${openWords(p.openByRule)} (${observed} observed ${d} edge(s)), not closed; mode union restricts it to the traffic observed`,
  );
  return { input: { mode: 'none' }, rules: [] };
}

/** The atoms of what the matrices document: the included rules, unbound roles, dynamic peers and other components' rules. */
function addMatrixAtoms(p: Planning, included: readonly RuleAssessment[], anyPeer: boolean): void {
  // Documented rules render in modes union and documented.
  if (p.ctx.opts.mode !== 'observed') addDocumentedAtoms(p, included);
  if (anyPeer) addUnboundRoleAtoms(p, p.comparison.rules);
  addDynamicPeersAtoms(p);
  // Where the mirrored rules do not render, the verification still requires their flows here, except where this matrix leaves them closed.
  addMirroredAtoms(p, included, anyPeer);
}

/** The ingress direction: its atoms' rules, or none (see renderDirection). */
function ingressDirection(p: Planning, hasExposure: boolean, openWhenUndocumented: boolean): PlannedDirection {
  if (p.silent.ingress) return leftUndocumented(p, 'ingress');
  return renderDirection(p, 'ingress', openWhenUndocumented, () =>
    hasExposure ? 'nothing observed or documented in apart from the exposed ports (see the exposure policy)' : `${nothingIn(p, 'ingress')}: deny all ingress`,
  );
}

/**
 * A direction as its atoms' rules; with none, unrestricted where only the namespace layer isolates
 * the workload (mode documented), else deny-all for the reason `denied` gives (asked only then: it may warn).
 */
function renderDirection(p: Planning, d: Direction, openWhenUndocumented: boolean, denied: () => string): PlannedDirection {
  const rules = [...p.groups[d].build(p.ctx.edgeKeys), ...p.echo[d].build(p.ctx.edgeKeys)];
  if (rules.length > 0) return { input: rulesDirection(rules), rules };
  if (openWhenUndocumented) return { input: { mode: 'none' }, rules };
  const id = `${intentKey(p.w)}#${d}`;
  return { input: { mode: 'deny-all', explanation: explanation(id, 'implied', denied()) }, rules };
}

/**
 * Mode documented, a workload only other components' rules name: the namespace layer isolates what
 * the mirrored rules do not open, said where the layer comes. DNS and the apiserver stay allowed
 * where the egress keeps rules (the implied ones).
 */
function warnCutUnderLayer(p: Planning, egress: DirectionInput): void {
  const { plan, ctx } = p;
  const kept = (x: ExcludedEdge): boolean =>
    egress.mode === 'rules' && x.edge.direction === 'egress' && (x.edge.edge.server.kind === 'dns' || isApiserverEdge(x.edge.edge, ctx.peers));
  const cut = plan.excluded.filter((x) => x.reason === MODE_DOCUMENTED_LEFT_OUT && !kept(x)).length;
  if (cut === 0) return;
  (plan.underLayer ??= []).push(
    `${p.name}: no matrix documents it: mode documented gives it only the rules other components' must rules require at its end, ` +
      `and --default-deny isolates it otherwise: ${cut} other observed edge side(s) of it are cut; document it, or use mode union`,
  );
}

const restrictsDirection = (d: DirectionInput): boolean => d.mode === 'rules' || d.mode === 'deny-all';

/** What the restricted directions cut or leave out: documented rules, other views, mirrored must rules, ICMP and unresolved addresses. */
function addRestrictionWarnings(p: Planning, ingress: DirectionInput, egress: DirectionInput, anyPeer: boolean): void {
  const { comparison, ctx, plan } = p;
  const restricted = { ingress: restrictsDirection(ingress), egress: restrictsDirection(egress) };
  const leftOut = ctx.opts.mode === 'observed' ? leftOutInModeObserved(p) : undefined;
  plan.warnings.push(...documentedWarnings(comparison.rules, restricted, { ingress: anyPeer, egress: anyPeer && ctx.opts.egress }, leftOut));
  if (ctx.opts.mode === 'observed') plan.warnings.push(...partlyObservedWarnings(comparison.rules, plan.documentedFlows, (f) => restricted[f.direction] && leavesUnobservedFlowOut(p, f)));
  plan.warnings.push(...otherViewWarnings(comparison.rules, { ingress: comparison.ingress, egress: comparison.egress }));
  plan.warnings.push(...p.cutHere.filter((m) => restricted[m.direction]).map(mirroredCutWarning));
  for (const direction of ['ingress', 'egress'] as const) {
    if (restricted[direction]) plan.warnings.push(...portlessCut(direction, p.portless[direction]), ...unresolvedCut(direction, p.unresolved[direction]));
  }
}

function planSummary(p: Planning, ingress: DirectionInput, egress: DirectionInput): string {
  return workloadSummary(p.name, p.plan, { ingress: ingress.mode, egress: egress.mode });
}

/** A plan's one-line summary: its policies, each direction's mode (as words), the violations it reports. */
export function workloadSummary(name: string, plan: Pick<WorkloadPlan, 'intents' | 'violations'>, modes: Record<Direction, string>): string {
  const policies = `${plan.intents.length} polic${plan.intents.length === 1 ? 'y' : 'ies'}`;
  const reported = plan.violations.length > 0 ? `; ${plan.violations.length} undocumented edge(s) reported as violations` : '';
  return `${name}: ${policies}; ingress ${modes.ingress}, egress ${modes.egress}${reported}.`;
}

/** One workload being planned: its inputs, the plan so far and the atoms of both directions. */
interface Planning {
  w: Workload;
  /** The workload as a peer (the server of its ingress, the client of its egress). */
  self: Peer & { kind: 'workload' };
  /** `Kind namespace/name`, as messages name the workload. */
  name: string;
  comparison: WorkloadComparison;
  components: readonly WorkloadComponent[];
  ctx: SynthesisContext;
  details: boolean;
  plan: WorkloadPlan;
  groups: Record<Direction, AtomGroups>;
  /** The observed ICMP echo of each direction (echo-rules.ts): rules on the engines that can express ICMP. */
  echo: Record<Direction, EchoAtoms>;
  /** Portless edges (ICMP echo) not only ever dropped, whose peer no echo rule can name (the apiserver, everything): cut wherever the direction is restricted. */
  portless: Record<Direction, EdgeTraffic[]>;
  /** Edges whose far side is an in-cluster address that resolved to nothing, not only ever dropped: cut wherever the direction is restricted. */
  unresolved: Record<Direction, EdgeTraffic[]>;
  /** Ingress edges from the pods' own node that are no rule (placedApart): the allowlist's OwnNodeIngress (own-node-ingress.ts). */
  ownNode: EdgeTraffic[];
  /** An included documented egress rule needs the apiserver, whose endpoints are not known: egress is left open. */
  apiserverUnknown: boolean;
  /** A direction left open is opened by an allow-all rule (open-words.ts opensLeftByRule): its summary and warnings say so. */
  openByRule: boolean;
  /** Per mirrored rule here, the positions of the observed edges it documents (confirmFromOtherEnds). */
  mirrorEvidence: ReadonlyMap<MirroredRule, number[]>;
  /** Positions of observed edges a mirrored rule (another component's documented rule) evidences: no atoms of their own. */
  mirrored: Record<Direction, Set<number>>;
  /** Mode observed: mirrored must rules nothing observed at this end, which it does not open (cut where the direction is restricted). */
  cutHere: MirroredRule[];
  /** The directions left open because its matrices say nothing about them (silentDirections): no rule; their edges are left out with that reason, as --no-egress leaves out those of an egress it does not restrict. */
  silent: Record<Direction, boolean>;
  /** Mode documented: the directions whose listed rules are not their complete list (a `partial` exception), whose observed edges are kept as in mode union. */
  partial: Record<Direction, PartialDirection | undefined>;
  /** How many observed edges of each direction only its `partial` exception keeps (warnKeptByPartial). */
  keptByPartial: Record<Direction, number>;
  /** Per observed edge of each direction that only its far end's `partial` exception keeps, that exception (warnKeptByPartial). */
  keptByFarPartial: Record<Direction, PartialDirection[]>;
}

export function nameOf(w: Workload): string {
  return `${w.kind} ${w.namespace}/${w.name}`;
}

/**
 * A workload with pods on both networks gets a policy for its pods on the pod network; its
 * host-network pods are their nodes, which no pod policy selects (kubernetes.io "Network
 * Policies": it "cannot block traffic to or from pods with hostNetwork: true"): said, with where.
 */
function hostNetworkPodsWarning(w: Workload, ctx: SynthesisContext): string | undefined {
  if (!w.hostNetwork) return undefined;
  const nodes = ctx.ix.hostNetwork.nodesOf(w);
  const where = nodes.length > 0 ? ` (on ${nodes.length === 1 ? 'node' : 'nodes'} ${nodes.join(', ')})` : '';
  return `${nameOf(w)} runs some pods in the host network${where}: the policy selects its pods on the pod network only; no pod policy applies to the host-network ones, restrict them on the node (host firewall)`;
}

/** Why a workload gets no policy: the summary, the warning (where the namespace layer comes, if `undocumented`) and the edges' reason. */
interface NoPolicy {
  summary: string;
  layerSummary?: string;
  warning?: string;
  excluded: string;
  undocumented?: true;
  hostNetwork?: true;
}

/** Why the workload gets no policy at all (host network, no labels, nothing documented in mode documented), or undefined. */
function noPolicyReason(
  w: Workload,
  components: readonly WorkloadComponent[],
  ctx: SynthesisContext,
  documentedAtOtherEnds: boolean,
  observed: number,
  comparison: WorkloadComparison,
  must: readonly DocumentedFlow[],
): NoPolicy | undefined {
  const { opts } = ctx;
  const name = nameOf(w);
  // The matrix's word counts as the inventory's (its hostNetwork, literal or a condition that
  // holds: matrix/resolve.ts): a policy selecting host-network pods does nothing. A workload with
  // pods on the pod network beside them gets one for those (hostNetworkPodsWarning).
  const declaring = components.filter((c) => c.component.enabled && c.component.hostNetwork).map((c) => `${c.matrix}/${c.component.name}`);
  const wholly = !reachedAsPods(w, ctx.ix);
  if (wholly || declaring.length > 0) {
    const reasons = components.flatMap((c) => c.component.exceptions.filter((e) => e.type === 'host-network').map((e) => `${e.reason} (${exceptionCitation(e)})`));
    return {
      summary: `${name} runs in the host network: NetworkPolicy cannot isolate it on most CNIs, so no policy is recommended; ${hostNetworkAdvice(ctx.hostPolicies, { nodes: ctx.ix.hostNetwork.nodesOf(w), required: ctx.hostPolicies === undefined ? [] : requiredTraffic(comparison, must, opts) })}.${reasons.length > 0 ? ` Matrix: ${[...new Set(reasons)].join(' ')}` : ''}`,
      ...(wholly
        ? {}
        : { warning: `${declaring.join(', ')} declares hostNetwork for ${name}, but the inventory shows its pods on the pod network: no policy is recommended as the matrix says; if the pods are on the pod network, correct the matrix's hostNetwork (or the parameter behind it) to get one` }),
      excluded: 'host-network workload: no policy',
      hostNetwork: true,
    };
  }
  // A workload's pods must be selectable on their own: an empty selector would select the namespace.
  if (selectorIsEmpty(w.selector)) {
    return {
      summary: `${name} has no labels to select it by: a policy for it would select every pod of ${w.namespace}, so none is recommended; label its pods to get one.`,
      warning: `${name}: no labels, no policy (a selector-less policy would select the whole namespace)`,
      excluded: 'no labels: the workload cannot be selected on its own',
    };
  }
  if (opts.mode === 'documented' && components.length === 0 && !documentedAtOtherEnds) {
    const summary = `${name}: no communication matrix documents it, and mode documented uses documented rules only: no policy.`;
    const keptOpen = exposureEdgesOf(w, comparison.ingress).length;
    if (opts.defaultDeny && observed > keptOpen) {
      // No policy of its own, but where the namespace layer comes it isolates it: what it was seen doing is cut, apiserver and DNS included.
      return {
        summary,
        layerSummary: `${name}: no communication matrix documents it, and mode documented uses documented rules only: no policy of its own, and the namespace default-deny isolates it.`,
        warning: `${name}: no matrix documents it, so mode documented gives it no rule, and --default-deny isolates it: its ${observed - keptOpen} observed edge side(s)${keptOpen > 0 ? ' off its exposed ports' : ''} are cut, apiserver and DNS included; document it, or use mode union`,
        excluded: 'mode documented: no matrix documents this workload (isolated by the namespace default-deny)',
        undocumented: true,
      };
    }
    return { summary, excluded: 'mode documented: no matrix documents this workload', undocumented: true };
  }
  return undefined;
}

/**
 * A `must` rule waiting for a role nothing binds documents required traffic whose peer is not
 * known: any peer (`world`: everything, in and out of the cluster) on the rule's ports, never a
 * cut — a policy that breaks required traffic is worse than none (docs/matrices.md, "unbound").
 * Binding the role narrows it.
 */
function addUnboundRoleAtoms(p: Planning, rules: readonly RuleAssessment[]): void {
  const { ctx, self } = p;
  for (const r of rules) {
    if (!onlyRoleUnbound(r)) continue;
    const d = r.rule.direction;
    if (d === 'egress' && !ctx.opts.egress) continue;
    const peer = ctx.peers.peer(worldPeer());
    p.groups[d].add(peer.value, peer.key, resolvedPorts(r.rule.ports, d === 'ingress' ? self : undefined, ctx.ix, d === 'egress' ? ctx.podNetwork.all() : []), 'documented-unobserved', [r], NO_EDGES, [unboundRoleNote(r)]);
  }
}

/**
 * A documented rule is required at both of its ends: where its peer names workloads (a component
 * of another system, a role bound to pods or namespaces), their side opens it too, from the rule's
 * owner on the ports each serves — else an unobserved must flow is cut at the end no matrix of its own
 * documents, on every engine, while the verification (observed edges only) sees nothing. Not
 * where the workload's own matrix documents that side itself (it says what is needed there), nor
 * where it is authoritative for the direction (its list is complete: the conflict is the
 * matrices', reported as a warning).
 */
function addMirroredAtoms(p: Planning, included: readonly RuleAssessment[], open: boolean): void {
  const { w, ctx, self } = p;
  const mirrors = ctx.mirrors.byWorkload.get(workloadKey(self.workload)) ?? [];
  for (const m of mirrors) {
    const d = m.direction;
    if (d === 'egress' && !ctx.opts.egress) continue;
    // The workload's own matrix says what is needed on this side: a rule it renders that names the
    // owner on (at least) these ports, or one to or from anyone on every port.
    const toward = portsToward(m.rule, self.workload, ctx.podNetwork);
    if (included.some((r) => r.rule.direction === d && ((documentsPeer(r.rule.peers, m.owner) && portsCover(r.rule.ports, toward)) || opensAll(r)))) continue;
    const authority = authoritative(p.components, d);
    if (authority !== undefined) {
      p.plan.leftClosed.push({ rule: m.rule.id, authority, direction: d });
      p.plan.warnings.push(`${m.rule.id} (${m.rule.level}: ${m.rule.purpose}) needs ${d} here ${towardOwner(m)}, but ${authority} is authoritative for ${d} and does not document it: left closed, the matrices disagree`);
      continue;
    }
    if (!open) {
      if (ctx.opts.mode === 'observed' && m.rule.level === 'must' && (p.mirrorEvidence.get(m) ?? []).length === 0 && !hasDynamicPeers(p.components, d)) p.cutHere.push(m);
      continue;
    }
    const owners = componentPeers(m.owner);
    if (owners.length === 0) continue;
    const server: Peer | undefined = d === 'ingress' ? self : m.owner.workloads.length === 1 ? { kind: 'workload', workload: m.owner.workloads[0]! } : undefined;
    const narrow = d === 'ingress' && ctx.mirrors.servicePortRules.has(m.rule.id);
    const ports = resolvedPorts(narrow ? portsServedBy(toward, ctx.podNetwork.servedPorts(self.workload)) : toward, server, ctx.ix, m.owner.workloads);
    // The flows observed at this end that the rule documents are its evidence (status confirmed).
    const side = p.comparison[d];
    const matched = p.mirrorEvidence.get(m) ?? [];
    const status = matched.length > 0 ? 'confirmed' : 'documented-unobserved';
    for (const i of matched) p.mirrored[d].add(i);
    const assessment: RuleAssessment = { matrix: m.matrix, component: m.owner.name, rule: m.rule, status, edges: matched.map((i) => side.edges[i]!), matched };
    const note = `required at the other end by ${m.matrix}/${m.owner.name} (${m.rule.direction}): open here too`;
    const resolved = owners.flatMap((o) => resolvedPeers(o, w.namespace, ctx.ix, ctx.dns));
    // The owner's host-network workloads with no node address known: any peer on the ports, as at the owner's end (addDocumentedAtoms).
    const unknown = owners.map((o) => (resolved.length === 0 ? addressesUnknown(o) : unaddressedHostNetwork(o, ctx))).find((u) => u !== undefined);
    if (unknown !== undefined) {
      const anyPeer = d === 'ingress' ? 'from any source' : 'to any destination';
      const world = ctx.peers.peer(worldPeer());
      p.groups[d].add(world.value, world.key, ports, status, [assessment], matched, [note, `${unknown}: ${anyPeer} on these ports until it is`]);
      p.plan.warnings.push(`${m.rule.id} (${m.rule.level}: ${m.rule.purpose}) needs ${d} here ${towardOwner(m)}: ${unknown}; this recommendation allows that ${d} flow ${anyPeer} on the rule's ports until then`);
      continue;
    }
    for (const raw of resolved) {
      const peer = ctx.peers.peer(raw);
      p.groups[d].add(peer.value, peer.key, ports, status, [assessment], matched, [note]);
    }
  }
}

/**
 * Mode observed: a must rule of another component naming this workload, nothing observed here,
 * gets no rule on this side, said here (the owner's end may be on the host network, where no
 * policy cuts it and its own warning would name the wrong side); the verification says whether
 * the engine's output cuts it.
 */
function mirroredCutWarning(m: MirroredRule): string {
  return `${m.rule.id} (must: ${m.rule.purpose}) needs ${m.direction} here ${towardOwner(m)} and is not observed, and ${leftOutByModeObserved({ one: `that ${m.direction} flow here` })}`;
}

/** The rule's owner as the far end of the mirrored direction: egress goes to it, ingress comes from it. */
function towardOwner(m: MirroredRule): string {
  return `${m.direction === 'egress' ? 'to' : 'from'} ${m.matrix}/${m.owner.name}`;
}

/** Positions of the edges of `side` (of workload `w`) that a mirrored rule documents: to or from its owner's workloads, on its ports toward `w`. */
function edgesDocumentedBy(m: MirroredRule, w: Workload, side: SideComparison, ctx: SynthesisContext): number[] {
  const owners = new Set(m.owner.workloads.map(workloadKey));
  const ports = portsToward(m.rule, w, ctx.podNetwork);
  const ownerNode = ownerNodeEdge(m, ctx.ix);
  const matched: number[] = [];
  side.edges.forEach((e, i) => {
    const far = side.direction === 'ingress' ? e.client : e.server;
    const owner = far.kind === 'workload' ? owners.has(workloadKey(far.workload)) : ownerNode(far);
    if (owner && portMatches(e, ports, ctx.ix)) matched.push(i);
  });
  return matched;
}

/**
 * A host-network owner's pods speak from their node's address: a far side that is a node the
 * owner runs on — the pod's own node (`kubelet:<node>`) included — is the owner's flow, as its own
 * rules read it (compare/match.ts peerMatches, observe.ts withNodeEvidence).
 */
function ownerNodeEdge(m: MirroredRule, ix: ClusterIndex): (far: Peer) => boolean {
  if (!m.owner.hostNetwork) return () => false;
  const runsOn = hostNetworkNodes(m.owner.workloads, ix);
  return (far) => (far.kind === 'node' || far.kind === 'kubelet') && runsOn(far.node);
}

/**
 * Whether an edge is documented does not depend on the mode or on what the policy renders: one
 * that a rule of the component at its other end documents is confirmed by that rule here too
 * (addMirroredAtoms renders it), unless this workload's own matrix is authoritative for the side
 * and leaves it out (the matrices disagree: it stays undocumented here). Returns those positions
 * per mirrored rule: the evidence addMirroredAtoms gives the rule.
 */
function confirmFromOtherEnds(w: Workload, comparison: WorkloadComparison, components: readonly WorkloadComponent[], ctx: SynthesisContext): Map<MirroredRule, number[]> {
  const evidence = new Map<MirroredRule, number[]>();
  for (const m of ctx.mirrors.byWorkload.get(workloadKey(w)) ?? []) {
    if (authoritative(components, m.direction) !== undefined) continue;
    const side = comparison.side(m.direction);
    const matched = edgesDocumentedBy(m, w, side, ctx);
    for (const i of matched) side.confirmFromOtherEnd(i, m.rule.id);
    evidence.set(m, matched);
  }
  return evidence;
}

/**
 * The flows the `must` rules in force require between this workload and the workloads their peers
 * name (mirrored-rules.ts namedWorkloads: never "any pod", which says what this side allows, not
 * what each peer must accept) that no edge of the rule shows: one per peer workload and port, in
 * every mode and whether the recommendation includes the rule or not — required traffic is
 * verified as such, and a cut fails the verification. The requirement is per (peer workload,
 * port): a rule observed on one port or to one workload of its peer requires the others all the
 * same (docs/recommend.md, "Verification"). A rule with no ports (all ports) requires the ports
 * its server declares (PodNetwork.declaredPorts): a flow on any port would do, and those are the
 * ones it listens on. An observed edge (recent or stale) is left to the edges' own verification;
 * with egress open, the peer's ingress still is checked. A rule confirmed only by its
 * host-network component's node traffic (observe.ts withNodeEvidence) requires a flow per node its
 * pods speak from (node-evidence.ts speakingNodes), each shown only by that node's flow to the peer
 * workload on the port (from the peer pod's own node too, `kubelet:<node>`, where the component runs there). An ingress rule from the nodes requires one flow
 * per addressed node, also when kubelet probes alone confirm it (probesRequireNodes): they come
 * from the pod's own node, which is always let in, and prove nothing of the others. A peer that
 * names no workload (the world, any pod) is stood for by a representative flow
 * (representative-flows.ts) while nothing under the rule was observed.
 */
export function unobservedMustFlows(comparison: WorkloadComparison, self: Peer & { kind: 'workload' }, ctx: SynthesisContext): MustFlows {
  const out: MustFlows = { flows: [], unverifiable: [] };
  const warned = new Set<string>();
  for (const r of comparison.rules) {
    const unbound = r.rule.roleScope !== undefined && onlyRoleUnbound(r);
    if (unbound) {
      standInFlows(r, standInsOf(standInForRole(r.rule.roleScope!, self.workload, r.rule.direction, ctx.podNetwork)), r.rule.ports, self, ctx, out, warned);
      continue;
    }
    if (!r.rule.active || r.rule.level !== 'must') continue;
    const probed = probesRequireNodes(r, ctx.ix.mesh);
    const fromNodes = confirmedFromNodesOnly(r);
    if (!requiresFlows(r) && !probed && !fromNodes) continue;
    const status = probed || fromNodes ? 'confirmed' : (r.status as DocumentedFlow['status']);
    const d = r.rule.direction;
    const observed = new Set(r.edges.map(ctx.edgeKeys.key));
    const shownFromNodes = fromNodes ? nodeEvidenceShows(r.rule.observedFromNodes!, d) : undefined;
    const push = (edge: EdgeTraffic): void => {
      if (!observed.has(ctx.edgeKeys.key(edge)) && !shownFromNodes?.(undefined, d === 'egress' ? edge.server : edge.client, edge.port, edge.protocol)) out.flows.push({ direction: d, edge, rule: r.rule.id, status });
    };
    // Confirmed by its nodes' flows: a flow per node its pods speak from, each shown by that node's edges only (node-evidence.ts).
    const nodes = shownFromNodes !== undefined ? speakingNodes(self.workload, ctx.ix) : [];
    const pushFromEachNode = (edge: EdgeTraffic): void => {
      const far = d === 'egress' ? edge.server : edge.client;
      for (const node of nodes) {
        if (shownFromNodes!(node, far, edge.port, edge.protocol)) continue;
        const own: Peer = { kind: 'node', node };
        out.flows.push({ direction: d, edge: d === 'egress' ? { ...edge, client: own } : { ...edge, server: own }, rule: r.rule.id, status });
      }
    };
    for (const rp of r.rule.peers) {
      if (d === 'ingress' && rp.kind === 'nodes') {
        // From every node the rule names (the verification judges the pod's own one from another: simulate/host-network-nodes.ts).
        const ports = (rp.ports ?? r.rule.ports).length === 0 ? ctx.podNetwork.declaredPorts(self.workload) : (rp.ports ?? r.rule.ports);
        for (const node of rp.nodes) {
          if (node.addresses.length === 0) continue;
          const client: Peer = { kind: 'node', node: node.name };
          for (const port of ports) for (const n of requiredPortNumbers(port, self.workload, ctx)) push({ client, server: self, port: n, protocol: port.protocol, lastSeen: 0, flows: 0, forwarded: 0, dropped: 0 });
        }
        if (rp.nodes.some((node) => node.addresses.length > 0)) {
          for (const port of ports) if (port.name !== undefined && requiredPortNumbers(port, self.workload, ctx).length === 0) warnUnansweredName(r, port, [self.workload], undefined, out, warned);
        }
        continue;
      }
      const named = namedWorkloads(rp, ctx.podNetwork);
      if (named.length === 0) {
        // A representative flow stands for each part of the peer no edge of the rule shows (a stale one's edges are verified as such).
        const stand = standInFor(rp, self.workload, d, ctx.podNetwork, ctx.ix);
        if (stand !== undefined) standInFlows(r, stand, rp.ports ?? r.rule.ports, self, ctx, out, warned);
        continue;
      }
      // A port name that no server of the peer declares: no number to judge its flow on (warned once all are seen).
      const unanswered: { far: WorkloadRef; server: WorkloadRef; port: ResolvedPort }[] = [];
      const answered = new Set<string>();
      const noteName = (far: WorkloadRef, server: WorkloadRef, port: ResolvedPort, numbers: readonly number[]): void => {
        if (port.name !== undefined && numbers.length > 0) answered.add(portNameKey(port));
        else if (port.name !== undefined) unanswered.push({ far, server, port });
      };
      for (const ref of named) {
        const other: Peer = { kind: 'workload', workload: ref };
        const server = d === 'ingress' ? self : { kind: 'workload' as const, workload: ref };
        const narrow = d === 'egress' && ctx.mirrors.servicePortRules.has(r.rule.id);
        const rulePorts = rp.ports ?? r.rule.ports;
        // Itself: its replicas' flow, on the ports they serve (a peer selecting its own pods says they talk).
        const itself = workloadKey(ref) === workloadKey(self.workload);
        const ports = itself
          ? replicaPorts(d, rulePorts, ref, ctx.podNetwork)
          : rulePorts.length === 0
            ? ctx.podNetwork.declaredPorts(server.workload)
            : narrow
              ? portsServedBy(rulePorts, ctx.podNetwork.servedPorts(ref))
              : rulePorts;
        if (itself && ports.length === 0) continue;
        if (ports.length === 0) {
          const k = `${r.rule.id}|${workloadKey(server.workload)}`;
          if (!warned.has(k)) out.unverifiable.push({ far: ref, direction: d, warning: unverifiableWarning(r, server.workload, ctx.podNetwork.unresolvedTargetPorts(server.workload)) });
          warned.add(k);
          continue;
        }
        // Narrowing to the numbers it serves (portsServedBy) leaves a port name out: one it does not declare is still unanswered.
        if (narrow) for (const port of rulePorts) if (port.name !== undefined && !ports.includes(port)) noteName(ref, server.workload, port, requiredPortNumbers(port, server.workload, ctx));
        for (const port of ports) {
          const numbers = requiredPortNumbers(port, server.workload, ctx);
          noteName(ref, server.workload, port, numbers);
          for (const n of numbers) {
            const edge: EdgeTraffic = { client: d === 'ingress' ? other : self, server, port: n, protocol: port.protocol, lastSeen: 0, flows: 0, forwarded: 0, dropped: 0 };
            if (nodes.length > 0) pushFromEachNode(edge);
            else push(edge);
          }
        }
      }
      for (const u of unanswered) if (!answered.has(portNameKey(u.port))) warnUnansweredName(r, u.port, [u.server], u.far, out, warned);
    }
  }
  return out;
}

const portNameKey = (p: ResolvedPort): string => `${p.name ?? ''}/${p.protocol}`;

/** A must flow on a port name no container of its servers declares: warned once per rule, servers and name (unansweredNameWarning). */
function warnUnansweredName(r: RuleAssessment, port: ResolvedPort, servers: readonly WorkloadRef[], far: WorkloadRef | undefined, out: MustFlows, warned: Set<string>): void {
  warnOnce(`${r.rule.id}|${servers.map(workloadKey).join(',')}|${portNameKey(port)}`, { ...(far !== undefined ? { far } : {}), direction: r.rule.direction, warning: unansweredNameWarning(r, port, servers) }, out, warned);
}

/** A must flow on a port name toward a peer that is no pod (`far`: an outside address, a node): warned once per rule, name and kind of peer (nameOnNoPodWarning). */
function warnNameOnNoPod(r: RuleAssessment, port: ResolvedPort, far: Peer, out: MustFlows, warned: Set<string>): void {
  const what = far.kind === 'node' ? 'a node' : 'an address outside the cluster';
  warnOnce(`${r.rule.id}|${what}|${portNameKey(port)}`, { direction: r.rule.direction, warning: nameOnNoPodWarning(r, port, what) }, out, warned);
}

function warnOnce(key: string, unverifiable: MustFlows['unverifiable'][number], out: MustFlows, warned: Set<string>): void {
  if (warned.has(key)) return;
  warned.add(key);
  out.unverifiable.push(unverifiable);
}

/** An active rule's status whose flows unobservedMustFlows lists by its own edges; a rule confirmed by node traffic alone (no edge of its own) is node-evidence.ts's. */
function requiresFlows(r: RuleAssessment): r is RuleAssessment & { status: DocumentedFlow['status'] } {
  if (r.status === 'documented-unobserved' || r.status === 'stale') return true;
  return (r.status === 'confirmed' || r.status === 'blocked') && r.edges.length > 0;
}

/**
 * The representative flows of a must rule whose peer names no workload (representative-flows.ts),
 * on the rule's ports (every port: those its server declares, else one standing for all, ANY_PORT),
 * or the ports the peer fixes (egress to the apiserver: its endpoint ports; ingress from it is on the
 * rule's ports). Each is required unless an edge of the rule shows its part of the peer on its port
 * (on any port where the rule names none, or the peer fixes them): edges seen inside the cluster never show the world's outside part, nor one
 * block's or one node's another's. A peer in the cluster (any pod) is shown by any edge of the
 * rule. Where nothing stands for (part of) the peer, a warning that the verification cannot tell.
 */
function standInFlows(r: RuleAssessment, stands: StandIns, rulePorts: readonly ResolvedPort[], self: Peer & { kind: 'workload' }, ctx: SynthesisContext, out: MustFlows, warned: Set<string>): void {
  const d = r.rule.direction;
  if (stands.none !== undefined) out.unverifiable.push({ direction: d, warning: `${r.rule.id} (must: ${r.rule.purpose}) needs ${d} ${d === 'egress' ? 'to' : 'from'} ${r.rule.peerRef}, but ${stands.none}: ${UNVERIFIED_MUST_FLOW}${stands.wayOut !== undefined ? `; ${stands.wayOut}` : ''}` });
  const status: DocumentedFlow['status'] = requiresFlows(r) ? r.status : 'documented-unobserved';
  const far = (e: EdgeTraffic): Peer => (d === 'ingress' ? e.client : e.server);
  // Traffic with the pod's own node (`kubelet:`) is always let in and never a rule: it shows nothing of the peer.
  const shown = r.edges.filter((e) => far(e).kind !== 'kubelet');
  for (const stand of stands.all) {
    if (stand.seen === undefined && shown.length > 0) continue;
    const server: Peer = d === 'ingress' ? self : stand.peer;
    // No ports (every port): those its server declares, as for a named peer (unobservedMustFlows), else one standing for all.
    const declared = rulePorts.length === 0 && server.kind === 'workload' ? ctx.podNetwork.declaredPorts(server.workload) : [];
    const ports = stand.ports ?? (rulePorts.length > 0 ? rulePorts : declared.length > 0 ? declared : [ANY_PORT]);
    const anyPort = stand.ports !== undefined || rulePorts.length === 0;
    const seen = shown.filter((e) => stand.seen?.(far(e)) === true);
    for (const port of ports) {
      for (const { server: to, port: n } of standInTargets(r, stand, server, port, ctx, out, warned)) {
        if (seen.some((e) => anyPort || (e.port === n && e.protocol === port.protocol))) continue;
        const edge: EdgeTraffic = { client: d === 'ingress' ? stand.peer : self, server: to, port: n, protocol: port.protocol, lastSeen: 0, flows: 0, forwarded: 0, dropped: 0 };
        out.flows.push({ direction: d, edge, rule: r.rule.id, status, stands: stand.stands, ...(stand.outside !== undefined ? { outside: stand.outside } : {}), ...(stand.names !== undefined ? { names: stand.names } : {}), ...(stand.address !== undefined ? { address: stand.address } : {}) });
      }
    }
  }
}

/**
 * The server and number of each flow a stand-in requires on `port`. A port name is resolved only
 * against the container ports a pod declares (Kubernetes NetworkPolicyPort.port: "a named port on
 * a pod"): toward a pod of the cluster on each workload the stand-in stands for (`among`: every
 * pod resolves it on its own containers), one flow per number they give it, to the first workload
 * giving it — as a peer naming workloads is verified on those that declare the name; toward an
 * address or a node, which are no pods, on none. A name resolved nowhere is warned of: its flow
 * has no number to be judged on.
 */
function standInTargets(r: RuleAssessment, stand: StandIn, server: Peer, port: ResolvedPort, ctx: SynthesisContext, out: MustFlows, warned: Set<string>): { server: Peer; port: number }[] {
  if (server.kind !== 'workload') {
    if (port.port !== undefined) return [{ server, port: port.port }];
    if (port.name !== undefined) warnNameOnNoPod(r, port, server, out, warned);
    return [];
  }
  const among = port.name !== undefined && r.rule.direction === 'egress' ? (stand.among ?? [server.workload]) : [server.workload];
  const firstGiving = new Map<number, Peer>();
  for (const w of among) for (const n of requiredPortNumbers(port, w, ctx)) if (!firstGiving.has(n)) firstGiving.set(n, { kind: 'workload', workload: w });
  if (port.name !== undefined && firstGiving.size === 0) warnUnansweredName(r, port, among, undefined, out, warned);
  return [...firstGiving].sort(([a], [b]) => a - b).map(([n, to]) => ({ server: to, port: n }));
}

/**
 * The port numbers a required flow on `port` is verified on: the port itself; for a named port each
 * number the server's pods give the name (each replica set's pods need theirs); or for a range (a
 * rule naming only `protocols` is 1-65535) the ports the server declares inside it — a flow on any
 * of them would do, and those are where it listens — else its container ports inside it (a UDP
 * rule to a server whose Services serve TCP only), else the range's first port.
 */
function requiredPortNumbers(port: ResolvedPort, server: WorkloadRef, ctx: SynthesisContext): number[] {
  const numbers = resolvePortNumbers(port, { kind: 'workload', workload: server }, ctx.ix);
  const n = numbers[0];
  if (n === undefined || port.endPort === undefined || port.endPort === n) return numbers;
  const end = port.endPort;
  const inRange = (ports: readonly { port?: number; protocol: string }[]): number[] =>
    [...new Set(ports.flatMap((p) => (p.protocol === port.protocol && p.port !== undefined && p.port >= n && p.port <= end ? [p.port] : [])))].sort((a, b) => a - b);
  const declared = inRange(ctx.podNetwork.declaredPorts(server));
  if (declared.length > 0) return declared;
  const containers = inRange(ctx.ix.workloads.get(workloadKey(server))?.ports ?? []);
  return containers.length > 0 ? containers : [n];
}

/**
 * A `must` rule with no ports whose server declares none: its required flow has no port to verify
 * it on. Where a Service of the server does name a port, but by a target port name no container
 * declares (`unresolved`), that is why, and what to fix: the server is not silent about its ports.
 */
function unverifiableWarning(r: RuleAssessment, server: WorkloadRef, unresolved: readonly UnresolvedTargetPort[]): string {
  const who = workloadPhrase(server);
  const unverifiable = `there is no port to verify this ${r.rule.direction} flow on, so ${UNVERIFIED_MUST_FLOW}`;
  const head = `${r.rule.id} (must: ${r.rule.purpose}) names no port, and`;
  if (unresolved.length === 0) return `${head} ${who} declares none (no port of its matrix component, Service or container): ${unverifiable}; name the port in the rule or in the component's ports`;
  const names = unresolved.map((u) => `the Service ${u.service} names target port "${u.port.targetPort}" (of its port ${u.port.port}/${u.port.protocol})`).join(', and ');
  const fix = [...new Set(unresolved.map((u) => `"${u.port.targetPort}"`))].join(', ');
  return `${head} ${names}, which no container of ${who} declares for that protocol, so the port cannot be resolved: ${unverifiable}; declare the container port ${fix} in ${who}'s pod template or correct the Service's targetPort, or name the port in the rule or in the component's ports`;
}

/**
 * A `must` rule whose port is a name that no container of its server declares (none of the peer's
 * servers does: a name some of them declare is judged on theirs): a named port matches only a
 * pod's declared container port of that name (Kubernetes NetworkPolicy API reference,
 * NetworkPolicyPort.port), so the flow has no number to be verified on.
 */
function unansweredNameWarning(r: RuleAssessment, port: ResolvedPort, servers: readonly WorkloadRef[]): string {
  const d = r.rule.direction;
  const one = servers.length === 1 ? workloadPhrase(servers[0]!) : undefined;
  const who = one ?? `the ${servers.length} pod-network workloads its peer selects (${firstFew(servers.map(workloadPhrase))})`;
  const where = one !== undefined ? `${one}'s pod template` : 'the pod template of those it must reach';
  return (
    `${r.rule.id} (must: ${r.rule.purpose}) needs ${d} ${d === 'egress' ? 'to' : 'from'} ${r.rule.peerRef} on port "${port.name}"/${port.protocol}, which no container of ${who} declares, ` +
    `so the port cannot be resolved: there is no port to verify this ${d} flow on, so ${UNVERIFIED_MUST_FLOW}; declare the container port "${port.name}" in ${where}, or name the port by its number in the rule`
  );
}

/**
 * A `must` egress rule on a port name toward a peer that is no pod (the world's outside part, a
 * CIDR, an outside DNS name, the nodes): a name is resolved only against a pod's declared
 * container ports (Kubernetes NetworkPolicyPort.port: "a named port on a pod"; Cilium resolves
 * names on endpoints of pods off the host network only, pkg/policy/types GetNamedPort and
 * pkg/k8s/watchers/pod.go updatePodHostData; Calico on workload endpoints; a ClusterNetworkPolicy
 * refuses a named port beside networks or nodes peers, "since there are no namedPorts for
 * networks/nodes/domainNames": network-policy-api CEL, verify/admission/clusternetworkpolicy.ts),
 * so it opens nothing there on any engine.
 */
function nameOnNoPodWarning(r: RuleAssessment, port: ResolvedPort, what: string): string {
  const d = r.rule.direction;
  return (
    `${r.rule.id} (must: ${r.rule.purpose}) needs ${d} to ${r.rule.peerRef} on port "${port.name}"/${port.protocol}, but a port name is resolved only against the container ports a pod declares, and ${what} is no pod, ` +
    `so the port cannot be resolved there and no engine opens it: there is no port to verify this ${d} flow on, so ${UNVERIFIED_MUST_FLOW}; name the port by its number in the rule`
  );
}

const workloadPhrase = (w: WorkloadRef): string => `${w.kind} ${w.namespace}/${w.name}`;


/**
 * Mode observed: whether the output renders nothing that keeps what an unobserved or stale `must`
 * rule requires on every engine (whether the rules for the observed edges keep it is the engine's:
 * the verification judges it, documented-notes.ts noRuleOfTheirOwn). Not where a dynamic-peers
 * exception opens the direction to all, nor, for a rule seen long ago only, where none of its
 * edges was left out (an exposed port open to all keeps them) or all it covers are kubelet probes
 * (the pod's own node is always allowed).
 */
function leftOutInModeObserved(p: Planning): (r: RuleAssessment) => boolean {
  const left = new Set(p.plan.excluded.map((x) => x.edge.edge));
  return (r) => !hasDynamicPeers(p.components, r.rule.direction) && (r.status !== 'stale' || r.edges.some((e) => left.has(e) && e.client.kind !== 'kubelet'));
}

/**
 * Mode observed, a restricted direction: whether the output renders nothing that keeps an
 * unobserved flow of a must rule seen on others on every engine (the verification judges whether
 * the engine's rules for the observed edges keep it). Not where a dynamic-peers exception opens the
 * direction to all, nor on a port the exposure policy opens to all, nor on the cluster DNS's DNS
 * ports (open to every source).
 */
function leavesUnobservedFlowOut(p: Planning, f: DocumentedFlow): boolean {
  if (hasDynamicPeers(p.components, f.direction)) return false;
  if (f.direction !== 'ingress') return true;
  if (p.w.exposure.some((x) => x.port === f.edge.port && x.protocol === f.edge.protocol)) return false;
  return !(p.w.clusterDns === true && answersDns(p.ctx.dns, f.edge));
}

/** The direction is open to any peer on every port by a component's dynamic-peers exception (addDynamicPeersAtoms). */
function hasDynamicPeers(components: readonly WorkloadComponent[], d: Direction): boolean {
  return components.some(({ component }) => component.exceptions.some((x) => x.type === 'dynamic-peers' && (x.direction === undefined || x.direction === d)));
}

/**
 * A `dynamic-peers` exception (docs/matrices.md: "the peers cannot be known in advance …, so
 * traffic in that direction is allow-all", StackLight's Prometheus scrape targets) holds in every
 * mode: observed edges are only the targets of today, and a new one would be cut. Any peer on
 * every port, explained by the exception; it merges with a documented "allow all" rule of the
 * direction (status `implied`: it never draws more attention than the rule it joins).
 */
function addDynamicPeersAtoms(p: Planning): void {
  const { ctx } = p;
  for (const { component } of p.components) {
    for (const x of component.exceptions) {
      if (x.type !== 'dynamic-peers') continue;
      for (const d of x.direction !== undefined ? [x.direction] : (['ingress', 'egress'] as const)) {
        if (d === 'egress' && !ctx.opts.egress) continue;
        const world = ctx.peers.peer(worldPeer());
        p.groups[d].add(world.value, world.key, [], 'implied', NO_RULES, NO_EDGES, [`dynamic peers (${exceptionCitation(x)}): ${x.reason}`], 'dynamic-peers');
      }
    }
  }
}

/**
 * The included documented rules as atoms: their resolved peers on their resolved ports. A peer
 * that exists but whose addresses the inventory lacks (`addressesUnknown`) is required traffic
 * all the same, never cut: the apiserver leaves egress open (as when it is only observed), any
 * other peer becomes any peer on the rule's ports, with a warning.
 */
function addDocumentedAtoms(p: Planning, included: readonly RuleAssessment[]): void {
  const { w, ctx, self } = p;
  for (const r of included) {
    const d = r.rule.direction;
    if (d === 'egress' && !ctx.opts.egress) continue;
    // Confirmed by kubelet probes: never a node rule (an ambient pod's get their own, addObservedAtoms),
    // but for a must rule, which requires every other node too (probesRequireNodes).
    if (probesOnly(r, ctx.ix.mesh) && !probesRequireNodes(r, ctx.ix.mesh)) continue;
    const status = r.status === 'inactive' ? 'documented-unobserved' : r.status;
    let rendered = false;
    for (const rp of r.rule.peers) {
      let server: Peer | undefined = self;
      if (d === 'egress') server = rp.kind === 'pods' && rp.workloads.length === 1 ? { kind: 'workload', workload: rp.workloads[0]! } : undefined;
      const ports = resolvedPorts(rp.ports ?? r.rule.ports, server, ctx.ix, d === 'egress' ? selectedWorkloads(rp, ctx.podNetwork) : []);
      const resolved = resolvedPeers(rp, w.namespace, ctx.ix, ctx.dns);
      const unknown = resolved.length === 0 ? addressesUnknown(rp) : unaddressedHostNetwork(rp, ctx);
      if (unknown !== undefined) {
        rendered = true;
        const what = `${r.rule.id} (${r.rule.level}: ${r.rule.purpose})`;
        if (rp.kind === 'apiserver' && d === 'egress') {
          p.apiserverUnknown = true;
          p.plan.warnings.push(`${what} needs the apiserver, but ${unknown}: egress is ${leftOpenWords(p)} rather than cutting it off (import the inventory with EndpointSlices)`);
          continue;
        }
        const anyPeer = d === 'ingress' ? 'from any source' : 'to any destination';
        const world = ctx.peers.peer(worldPeer());
        p.groups[d].add(world.value, world.key, ports, status, [r], r.matched, [`${unknown}: ${anyPeer} on these ports until it is`]);
        p.plan.warnings.push(`${what}: ${unknown}; this recommendation allows that ${d} flow ${anyPeer} on the rule's ports until then`);
        continue;
      }
      const notes = rp.kind === 'pods' && rp.endpoint !== undefined ? [endpointWorkloadNote(rp.endpoint, rp.workloads)] : undefined;
      for (const raw of resolved) {
        rendered = true;
        const peer = ctx.peers.peer(raw);
        p.groups[d].add(peer.value, peer.key, ports, status, [r], r.matched, notes);
      }
      // A block's pods and nodes join the rule (block-holders.ts), and so do a pod or namespace
      // selector's host-network pods the comparison credits it with (addFarNodes).
      if (rp.kind === 'cidr') addBlockHolders(p, r, rp, ports, status);
      else addFarNodes(p, r, ports, status, (edge) => hostNetworkFarSide(edge, r.rule, rp, ctx.ix));
    }
    if (!rendered) p.plan.warnings.push(`${r.rule.id}: resolved to no expressible peer, no rule`);
  }
}

/**
 * The pods and nodes a documented block holds, as peers of the rule beside the block, each with the
 * note that says why (block-holders.ts): not every engine's CIDR peer matches them. The nodes the
 * comparison credits the block with (it credits a node with an address in the block) are named at
 * every address the edges' far sides render: an edge keeps no address family. A workload that can
 * use only a family no block of the rule holds reaches them at their addresses of it
 * (block-holders.ts nodesAcrossFamily).
 */
function addBlockHolders(p: Planning, r: RuleAssessment, rp: ResolvedPeer & { kind: 'cidr' }, ports: readonly PortSpec[], status: PolicyRuleStatus): void {
  const { ctx } = p;
  const held = blockHolders(rp, ctx.podNetwork, ctx.ix);
  const across = nodesAcrossFamily(rp, held, p.self.workload, ctx.podNetwork, ctx.ix);
  const holders = blockHolderPeers(rp.cidrs.join(', '), held, p.w.namespace, ctx.ix, reachedNodeIps(p, r), across);
  for (const raw of holders.peers) {
    const peer = ctx.peers.peer(raw);
    p.groups[r.rule.direction].add(peer.value, peer.key, ports, status, [r], r.matched, [holders.note!]);
  }
}

/** The node addresses the far sides of a documented rule's matched edges render (a node's, a host-network workload's nodes'). */
function reachedNodeIps(p: Planning, r: RuleAssessment): string[] {
  const d = r.rule.direction;
  const side = p.comparison[d];
  const ips = new Set<string>();
  for (const i of r.matched) {
    const far = p.ctx.peers.of(side.edges[i]!, d, p.w.namespace);
    if (!far.ok) continue;
    for (const peer of far.peers) if (peer.kind === 'nodes') for (const ip of peer.ips) ips.add(ip);
  }
  return [...ips];
}

/**
 * The nodes of a documented rule's matched edges that `take` picks, as node peers of the rule
 * beside its own (a CIDR's are all of its nodes: addBlockHolders). The comparison credits a pod or
 * namespace selector with a host-network
 * pod of the namespace, whose traffic is its node's (host-network-far-sides.ts): without them a
 * `podSelector: {}` cut a host-network client everywhere but on Cilium, where the server's own
 * node passes by allow-localhost and any other node is cut.
 */
function addFarNodes(p: Planning, r: RuleAssessment, ports: readonly PortSpec[], status: PolicyRuleStatus, take: (edge: EdgeTraffic) => boolean): void {
  const d = r.rule.direction;
  const side = p.comparison[d];
  for (const i of r.matched) {
    const edge = side.edges[i]!;
    // The far side's peers are resolved once per run (RunPeers): most render no node and are passed.
    const far = p.ctx.peers.of(edge, d, p.w.namespace);
    if (!far.ok) continue;
    let taken: boolean | undefined;
    for (let j = 0; j < far.peers.length; j++) {
      if (far.peers[j]!.kind !== 'nodes' || !(taken ??= take(edge))) continue;
      p.groups[d].add(far.peers[j]!, far.keys[j]!, ports, status, [r], i);
    }
  }
}

/**
 * A peer with host-network workloads beside pod-network ones (a component, a namespace) where no
 * node address is known: those workloads speak from an address no rule can name, and no pod or
 * namespace selector matches (peers.ts resolvedPeers), so the rule is open on its ports as for a
 * peer all on the host network (addressesUnknown) rather than cutting them. Undefined otherwise.
 */
function unaddressedHostNetwork(rp: ResolvedPeer, ctx: SynthesisContext): string | undefined {
  if (!reachesHostNetwork(rp, ctx.ix) || ctx.ix.allNodeIps.length > 0) return undefined;
  const host = namedWorkloads(rp, ctx.podNetwork).filter((ref) => ctx.ix.workloads.get(workloadKey(ref))?.hostNetwork === true).map(workloadKey);
  // A matrix that declares host network where the inventory shows the pod network names none.
  if (host.length === 0) return addressesUnknown(rp);
  return `${host.join(', ')} run${host.length === 1 ? 's' : ''} in the host network and no node address is known`;
}

/** Why a documented peer that resolved to nothing exists all the same (its addresses are not in the inventory), or undefined. */
function addressesUnknown(rp: ResolvedPeer): string | undefined {
  switch (rp.kind) {
    case 'apiserver':
      return 'no endpoint of default/kubernetes is known';
    case 'nodes':
      return 'no address of its nodes is known';
    case 'pods':
      return rp.hostNetwork ? 'its pods run in the host network and no node address is known' : undefined;
    default:
      return undefined;
  }
}

/**
 * The observed edges as atoms, each edge that does not become one excluded with its reason (or
 * reported as a violation); edges the exposure and cluster-DNS policies cover are returned apart.
 */
function addObservedAtoms(p: Planning, included: readonly RuleAssessment[], exposed: Workload['exposure']): { exposure: number[]; dns: number[] } {
  const { comparison, ctx, plan } = p;
  const pass: ObservedPass = {
    includedIds: new Set(included.map((r) => r.rule.id)),
    byId: new Map(comparison.rules.map((r) => [r.rule.id, r])),
    include: new Set<string>(ctx.opts.include),
    exposed,
    clusterDns: p.w.clusterDns === true,
    exposure: [],
    dns: [],
  };
  for (const side of [comparison.ingress, comparison.egress]) addObservedSide(p, pass, side);
  // Both sides add in `${edgeKey}|${direction}` order, as the comparison lists them.
  plan.violations = sortAssessments(plan.violations, ctx.edgeKeys.key);
  return { exposure: pass.exposure, dns: pass.dns };
}

/** What addObservedAtoms reads for every edge side, made once per workload, and the edges it sets apart. */
interface ObservedPass {
  includedIds: ReadonlySet<string>;
  byId: ReadonlyMap<string, RuleAssessment>;
  include: ReadonlySet<string>;
  exposed: Workload['exposure'];
  /** The cluster DNS answers every pod, host-network ones and those not observed yet included. */
  clusterDns: boolean;
  /** Positions of the ingress edges the exposure policy covers. */
  exposure: number[];
  /** Positions of the ingress edges the cluster-DNS policy covers. */
  dns: number[];
}

/** One side's edges, each set apart, left out, or made atoms, in the side's order. */
function addObservedSide(p: Planning, pass: ObservedPass, side: SideComparison): void {
  const opts = p.ctx.opts;
  if (side.direction === 'egress' && !opts.egress) {
    for (let i = 0; i < side.edges.length; i++) excludeEdge(p, side, i, 'egress is not restricted (--no-egress)');
    return;
  }
  if (p.silent[side.direction]) {
    const reason = `mode documented: nothing is documented ${side.direction === 'ingress' ? 'in' : 'out'}, so ${side.direction} is not restricted`;
    for (let i = 0; i < side.edges.length; i++) excludeEdge(p, side, i, reason);
    return;
  }
  // A partial direction (here or at an edge's far end) keeps its observed traffic in mode documented
  // as union does: with union's violations. Mode documented reads the authority for those edges only (leftOutReason).
  const authority = opts.mode !== 'observed' ? authoritative(p.components, side.direction) : undefined;
  for (let i = 0; i < side.edges.length; i++) {
    if (placedApart(p, pass, side, i)) continue;
    const reason = leftOutReason(p, pass, side, i, authority);
    if (reason !== undefined) excludeEdge(p, side, i, reason);
    else addObservedEdgeAtoms(p, pass, side, i);
  }
}

function excludeEdge(p: Planning, side: SideComparison, i: number, reason: string): void {
  p.plan.excluded.push({ edge: side.assessment(i), reason });
}

/**
 * Whether the edge is not the allowlist's own to render: a kubelet probe, an ambient pod's probe
 * (its own atom), evidence of a documented rule here or at the other end, or covered by the
 * cluster-DNS or exposure policy (recorded in `pass`).
 */
function placedApart(p: Planning, pass: ObservedPass, side: SideComparison, i: number): boolean {
  const { ctx } = p;
  const edge = side.edges[i]!;
  const ingress = side.direction === 'ingress';
  const ruleIds = side.rules[i]!;
  if (ingress && edge.client.kind === 'kubelet' && !fromOwnNodeComponent(p, pass, side, i)) {
    // Probes from the pod's own node: never a rule of their own, so never a violation either, even when a
    // documented health check from the nodes covers them (docs/recommend.md, "Health checks and kubelet probes").
    const probe = ctx.peers.of(edge, side.direction, p.w.namespace);
    if (!probe.ok) excludeEdge(p, side, i, ctx.ownNodeRules === undefined ? probe.reason : ownNodeExclusion(edge.client.node, ownNodeClients(edge.client.node, ctx.ix), intentKey(p.w), ctx.ownNodeRules));
    p.ownNode.push(edge);
    return true;
  }
  if (ingress && side.status[i] !== 'stale' && ctx.ix.mesh.isAmbientProbe(edge.client, edge.server)) {
    addAmbientProbeAtom(p, side, i, rulesOf(pass, ruleIds));
    return true;
  }
  if (ctx.opts.mode !== 'observed' && anyIn(ruleIds, pass.includedIds)) return true; // evidenced by its documented rule
  if (p.mirrored[side.direction].has(i)) return true; // evidenced by the other end's documented rule
  if (pass.clusterDns && ingress && answersDns(ctx.dns, edge)) {
    pass.dns.push(i);
    return true;
  }
  if (ingress && isExposed(edge, pass.exposed)) {
    pass.exposure.push(i);
    return true;
  }
  return false;
}

/**
 * Why the mode, the included statuses or an authoritative matrix leave the edge out, or undefined.
 * An undocumented edge of a direction a matrix is authoritative for is reported as a violation too.
 */
function leftOutReason(p: Planning, pass: ObservedPass, side: SideComparison, i: number, authority: string | undefined): string | undefined {
  const status = side.status[i]!;
  // Documented when set: a rule documents it under a condition the cluster evidently meets, so
  // it is most likely required, and a policy that cuts required traffic is worse than none
  // (docs/matrices.md, "Documented when set"). Allowed in every mode, never a violation.
  if (p.ctx.opts.mode === 'documented' && status !== 'documented-when-set' && p.partial[side.direction] === undefined && farPartial(side, i, p.ctx) === undefined) return MODE_DOCUMENTED_LEFT_OUT;
  if (!pass.include.has(status)) return `status ${status} is not included`;
  if (status === 'undocumented' && authority) {
    // An edge no flow had (a Service leads the client there now) is no traffic to review: left out all the same.
    if (side.edges[i]!.followed !== undefined) return `undocumented, and matrix ${authority} is authoritative for ${side.direction}: not a rule`;
    p.plan.violations.push(side.assessment(i));
    return `undocumented, and matrix ${authority} is authoritative for ${side.direction}: a violation to review, not a rule`;
  }
  // Denied today and required by nothing: allowing it would open what the applied policies close.
  if (status === 'undocumented' && onlyEverDropped(side.edges[i]!)) {
    return 'undocumented and only ever dropped: the applied policies deny it today; document it if it is required';
  }
  return undefined;
}

/** The edge's far peers on its ports as atoms, or left out where no peer or no port can be named. */
function addObservedEdgeAtoms(p: Planning, pass: ObservedPass, side: SideComparison, i: number): void {
  const { ctx } = p;
  const edge = side.edges[i]!;
  const direction = side.direction;
  const ruleIds = side.rules[i]!;
  const rules = ruleIds.length === 0 ? NO_RULES : rulesOf(pass, ruleIds);
  const peer = webhookCaller(direction, rules, ctx.peers, p.w.namespace) ?? ctx.peers.of(asNodeFlow(edge), direction, p.w.namespace);
  if (!peer.ok) {
    excludeEdge(p, side, i, peer.reason);
    const far = direction === 'ingress' ? edge.client : edge.server;
    if (far.kind === 'unknown' && !onlyEverDropped(edge)) p.unresolved[direction].push(edge);
    return;
  }
  // The cluster DNS asks an upstream resolver over TCP as well as UDP (a truncated answer, a
  // client that asked over TCP: CoreDNS forward follows the client's protocol): seen on one, both stay open.
  const through = targetPortPorts(edge, direction, ctx);
  const ports = through !== undefined ? through.ports : pass.clusterDns && direction === 'egress' && isUpstreamDns(edge) ? UPSTREAM_DNS_PORTS : ctx.peers.portList(edge);
  if (!ports) {
    addEchoAtom(p, side, i, peer.peers, peer.keys, rules);
    return;
  }
  const observed = observedNotes(side, i, ctx.ix);
  const notes = withPartialNote(p, side, i, through?.note === undefined ? observed : [...observed, through.note]);
  for (let j = 0; j < peer.peers.length; j++) p.groups[direction].add(peer.peers[j]!, peer.keys[j]!, ports, side.status[i]!, rules, i, notes);
}

/**
 * The ports of an edge that came through a Service's named target port (`targetPort: http`, resolved
 * on each backend pod: kubernetes pkg/api/v1/pod/util.go FindPort) to a workload whose pods give the
 * name other numbers than the edge's now (domain/service-links.ts targetPortNumbersNow); undefined
 * where its number is all it needs.
 *
 * - Ingress, where the pods give the name several numbers, the edge's among them (a rollout's
 *   ReplicaSets giving `http` 8080 and 9090): the name, not the numbers, which would open both on
 *   every pod, another pod's `metrics` 9090 too. A policy port "can either be a numerical or named
 *   port on a pod" (NetworkPolicyPort.port, kubernetes staging/src/k8s.io/api/networking/v1/types.go),
 *   resolved on each selected pod, as Cilium (pkg/policy/api l4.go PortProtocol.Port; the endpoint's
 *   own pod on ingress), Calico (numorstring.Port, a named port of the destination endpoint) and
 *   the experimental channel's ClusterNetworkPolicy (`destinationNamedPort`) do: each pod opens only
 *   its own `http`. The name carries its numbers for an engine that cannot write it (the standard
 *   channel's ClusterNetworkPolicy, since network-policy-api#392: engines/clusternetworkpolicy.ts).
 * - Otherwise (egress always: Cilium resolves an egress name only where every destination agrees):
 *   the edge's number and the name's numbers now. A rollout that renumbered `http` 8080 → 9090 since
 *   the flows sends the client's next connection to 9090 (ServicePort.targetPort "will be looked up
 *   as a named port in the target Pod's container ports"), which NetworkPolicyPort.port matches after
 *   the translation: 8080 alone would cut the Service until the edge went stale. The rule says so.
 */
function targetPortPorts(edge: EdgeTraffic, direction: Direction, ctx: SynthesisContext): { ports: readonly PortSpec[]; note?: string } | undefined {
  const name = edge.targetPortName;
  const protocol = protocolOf(edge.protocol);
  if (name === undefined || edge.server.kind !== 'workload' || protocol === undefined || !isPortName(name)) return undefined;
  const server = ctx.peers.workloadPorts(edge.server);
  const numbers = targetPortNumbersNow(edge, server.ports);
  if (numbers.length === 0) return undefined;
  if (direction === 'ingress' && numbers.length > 1 && numbers.includes(edge.port)) {
    const named = ctx.peers.namedPortList(protocol, name, numbers);
    // Flows that also came by number (a client dialling a pod's port directly) keep that number: the name may not be it on that pod.
    return { ports: edge.reachedByNumberToo === true ? [...named, ...ctx.peers.portNumbersList(protocol, [edge.port])] : named };
  }
  return { ports: ctx.peers.portNumbersList(protocol, numbers.includes(edge.port) ? numbers : [edge.port, ...numbers]), note: targetPortNowNote(name, numbers, server.key) };
}

/**
 * An ICMP echo edge (no port): a rule of the direction's echo, unless it was only ever dropped —
 * NetObserv counts an echo forwarded only when its reply was captured, and what the applied
 * policies deny today is not opened — or its peer is one no echo rule can name (cut, and said).
 */
function addEchoAtom(p: Planning, side: SideComparison, i: number, peers: readonly PolicyPeer[], keys: readonly string[], rules: readonly RuleAssessment[]): void {
  const edge = side.edges[i]!;
  const direction = side.direction;
  if (onlyEverDropped(edge)) {
    excludeEdge(p, side, i, `${edge.protocol} echo only ever dropped: the applied policies deny it today`);
    return;
  }
  if (!isIcmp(edge.protocol) || !echoCanName(peers)) {
    excludeEdge(p, side, i, `${edge.protocol} has no port, and no echo rule can name its peer`);
    p.portless[direction].push(edge);
    return;
  }
  const far = direction === 'ingress' ? edge.client : edge.server;
  const notes = withPartialNote(p, side, i, NO_NOTES);
  p.echo[direction].add(edge.protocol, peers, keys, p.ctx.edgeKeys.peerKey(far), side.status[i]!, rules, i, notes);
}

/**
 * An edge from the pod's own node (`kubelet:<node>`) that a rule credits to a host-network
 * component running there — a rule of this workload whose host-network peer it matches
 * (compare/match.ts), or the component's own rule at the other end (ownerNodeEdge): its pod on the
 * node shares the node's address with the kubelet, and is the client the rule documents. Such an
 * edge renders as that node's flow (asNodeFlow), never as a probe.
 */
function fromOwnNodeComponent(p: Planning, pass: ObservedPass, side: SideComparison, i: number): boolean {
  const client = side.edges[i]!.client;
  if (client.kind !== 'kubelet') return false;
  const byOwnRule = rulesOf(pass, side.rules[i]!).some((r) => r.rule.direction === 'ingress' && r.rule.peers.some((rp) => rp.kind === 'pods' && rp.hostNetwork && peerMatches(client, rp, p.ctx.ix)));
  return byOwnRule || [...p.mirrorEvidence].some(([m, matched]) => m.direction === 'ingress' && m.owner.hostNetwork && matched.includes(i));
}

const nodeOfOwnNode = new WeakMap<Peer, Peer>();

/** The edge with a client from the pod's own node (`kubelet:<node>`) as that node (`node:<name>`), whose address a rule can name. */
function asNodeFlow(edge: EdgeTraffic): EdgeTraffic {
  const c = edge.client;
  if (c.kind !== 'kubelet') return edge;
  let node = nodeOfOwnNode.get(c);
  if (node === undefined) nodeOfOwnNode.set(c, (node = { kind: 'node', node: c.node }));
  return { ...edge, client: node };
}

/**
 * Mode documented: an observed edge that only a `partial` exception keeps — its direction's here,
 * else that of the workload at its other end (farPartial) — is explained by it, and counted for the
 * workload's warning. One documented when set is kept anyway.
 */
function withPartialNote(p: Planning, side: SideComparison, i: number, notes: readonly string[]): readonly string[] {
  const d = side.direction;
  if (p.ctx.opts.mode !== 'documented' || side.status[i] === 'documented-when-set') return notes;
  const partial = p.partial[d];
  if (partial !== undefined) {
    p.keptByPartial[d]++;
    return [partialNote(partial, d), ...notes];
  }
  const far = farPartial(side, i, p.ctx);
  if (far === undefined) return notes;
  p.keptByFarPartial[d].push(far);
  return [farPartialNote(far, opposite(d)), ...notes];
}

/** The assessed documented rules whose ids an edge lists. */
function rulesOf(pass: ObservedPass, ruleIds: readonly string[]): RuleAssessment[] {
  return ruleIds.map((id) => pass.byId.get(id)).filter((r): r is RuleAssessment => r !== undefined);
}

/** The notes of an observed edge's atoms: the rule that documents it once set, or HBONE's port. */
function observedNotes(side: SideComparison, i: number, ix: ClusterIndex): readonly string[] {
  const notes = edgeNotes(side, i, ix);
  // No flow had it: the Service another edge came through sends the client here now (follow-services.ts).
  const followed = side.edges[i]!.followed;
  return followed === undefined ? notes : [...notes, followed.note];
}

function edgeNotes(side: SideComparison, i: number, ix: ClusterIndex): readonly string[] {
  // A documented-when-set edge is under no rule in force: its rule says which one documents it, once set.
  const when = side.status[i] === 'documented-when-set' ? side.documentedWhen.get(i) : undefined;
  if (when !== undefined && when.length > 0) return [`documented when set: ${when.join('; ')}`];
  const client = side.edges[i]!.client;
  // Rendered as its node's flow (fromOwnNodeComponent): say whose it may be.
  if (client.kind === 'kubelet') return [`from the pod's own node ${client.node} (${ownNodeClients(client.node, ix)}): the node's address`];
  return isHbone(side.edges[i]!, ix) ? HBONE_NOTES : NO_NOTES;
}

/** Never forwarded, only dropped: denied by the policies applied today. */
function onlyEverDropped(edge: EdgeTraffic): boolean {
  return edge.forwarded === 0 && edge.dropped > 0;
}

/**
 * An ambient pod's kubelet probe, SNATed by istio-cni to 169.254.7.127 (domain/istio.ts): unlike
 * a probe from the pod's own node, which every plugin lets through, it needs a rule ("Ambient and
 * Kubernetes NetworkPolicy": a default-deny must allow 169.254.7.127/32; Cilium, "Platform-Specific
 * Prerequisites": fromCIDR 169.254.7.127/32). The pod is never Ready without it, so it is allowed in
 * every mode and never a violation: `confirmed` where a documented health check covers it, else implied.
 */
function addAmbientProbeAtom(p: Planning, side: SideComparison, i: number, rules: readonly RuleAssessment[]): void {
  const edge = side.edges[i]!;
  const peer = p.ctx.peers.of(edge, 'ingress', p.w.namespace);
  const ports = p.ctx.peers.portList(edge);
  if (!peer.ok || !ports) return;
  const documented = side.status[i] === 'confirmed' || side.status[i] === 'blocked';
  const status = documented ? side.status[i]! as PolicyRuleStatus : 'implied';
  const ip = edge.client.kind === 'external' ? edge.client.ip : '';
  const note = `the kubelet's probe of an ambient pod, SNATed by istio-cni to ${ip} (Istio, "Ambient and Kubernetes NetworkPolicy"): allowed, or the pod never gets Ready`;
  for (let j = 0; j < peer.peers.length; j++) p.groups.ingress.add(peer.peers[j]!, peer.keys[j]!, ports, status, documented ? rules : NO_RULES, i, [note]);
}

/**
 * Observed ICMP (not only ever dropped) to or from a peer no echo rule can name (the apiserver,
 * everything), that the restricted direction will deny: the output cuts it, and says so rather
 * than silently. The echo that echo rules name is said by the engines that cannot render them
 * (engines/metadata.ts `withoutEcho`).
 */
function portlessCut(direction: Direction, edges: readonly EdgeTraffic[]): string[] {
  if (edges.length === 0) return [];
  const peers = [...new Set(edges.map((e) => `${peerKey(direction === 'ingress' ? e.client : e.server)} ${e.protocol}`))].sort(compareStrings);
  const shown = firstFew(peers);
  const peerWord = direction === 'ingress' ? 'from' : 'to';
  return [`${direction}: ICMP observed ${peerWord} ${shown} will be denied: ICMP has no port, and no ICMP rule names such a peer; if it is required, allow it by hand (Cilium icmps, Calico protocol ICMP)`];
}

/**
 * Observed traffic with an in-cluster address that resolved to nothing at the flow's time (no pod,
 * node or Service backend the inventory knows held it then): no rule can name it, so the
 * restricted direction cuts it — said, not left to a skipped count in the verification.
 */
function unresolvedCut(direction: Direction, edges: readonly EdgeTraffic[]): string[] {
  if (edges.length === 0) return [];
  const addresses = new Set<string>();
  const blocks = new Set<string>();
  for (const e of edges) {
    const ip = peerKey(direction === 'ingress' ? e.client : e.server).slice('unknown:'.length);
    (ip.includes('/') ? blocks : addresses).add(`${ip}${direction === 'egress' ? ` ${e.port}/${e.protocol}` : ''}`);
  }
  const peerWord = direction === 'ingress' ? 'from' : 'to';
  const said = `${direction}: traffic observed ${peerWord} in-cluster addresses that resolved to nothing at the flow's time`;
  const inventory = "import the inventory of that time (the pods, the Service's EndpointSlices) and ingest the flows again";
  const clusterMesh = "unless they are another ClusterMesh cluster's pods or nodes, which flowmatrix does not render";
  const warnings: string[] = [];
  if (addresses.size > 0) warnings.push(`${said} (${firstFew([...addresses].sort(compareStrings))}) will be denied: no rule can name them; ${inventory} — ${clusterMesh}`);
  // Past the edge caps ingest folds such addresses into their block, then the whole family
  // (collectors/flows/edge-budget.ts): `::/0` is the addresses folded into it, not an address.
  if (blocks.size > 0) {
    warnings.push(
      `${said}, folded into blocks by the ingest's edge caps (${firstFew([...blocks].sort(compareStrings))}: a block stands for the addresses folded into it, not for one), will be denied: no rule can name them; ` +
        `${inventory}, with higher edge caps (--max-edges-per-workload, --max-edges-per-run; service: ingest.maxEdgesPerWorkload, ingest.maxEdgesPerRun) to keep each address apart — ${clusterMesh}`,
    );
  }
  return warnings;
}

const HBONE_NOTES: readonly string[] = [`Istio HBONE: between mesh workloads ambient mode tunnels the connection to the receiving pod on ${HBONE_PORT}/TCP, the port the policy sees instead of the application's (Istio, "Ambient and Kubernetes NetworkPolicy")`];

/** An edge on HBONE's port between workloads whose data planes tunnel it (domain/istio.ts). */
function isHbone(edge: EdgeTraffic, ix: ClusterIndex): boolean {
  return edge.port === HBONE_PORT && edge.protocol === 'TCP' && ix.mesh.tunnelled(edge.client, edge.server);
}

// Plain functions rather than closures in placedApart: it runs once per edge side.
function anyIn(ids: readonly string[], set: ReadonlySet<string>): boolean {
  for (const id of ids) if (set.has(id)) return true;
  return false;
}

function isExposed(edge: EdgeTraffic, exposed: Workload['exposure']): boolean {
  for (const x of exposed) if (x.port === edge.port && x.protocol === edge.protocol) return true;
  return false;
}

/**
 * The egress direction: never cut the workload off the apiserver or the DNS it was seen using.
 * The cluster DNS's upstream resolvers are nowhere in the inventory: its egress is restricted
 * only once one was seen, or every name outside the cluster stops resolving.
 */
function egressDirection(p: Planning, openWhenUndocumented: boolean): PlannedDirection {
  const { w, ctx, plan } = p;
  const out = p.comparison.egress;
  // Before the implied rules: they keep what a restricted egress would cut, and this one is not restricted.
  if (p.silent.egress) return leftUndocumented(p, 'egress');
  const dnsEgressOpen = w.clusterDns === true && ctx.opts.egress && !upstreamDnsSeen(out);
  if (dnsEgressOpen) plan.warnings.push(`${p.name} is the cluster DNS and no upstream resolver was observed: its egress is ${leftOpenWords(p)}`);
  if (!ctx.opts.egress) return { input: { mode: 'none' }, rules: [] };
  if (dnsEgressOpen) return leftOpen(p, 'the cluster DNS: no upstream resolver was observed, so its egress is left open');
  // A matrix authoritative for the egress lists all of it: apiserver traffic it does not document is
  // a violation to review (StackLight's cAdvisor: "deny all egress"), not a rule to keep.
  const complete = authoritative(p.components, 'egress') !== undefined;
  const apiEdges = complete ? [] : apiserverEdges(out, ctx.peers);
  if (p.apiserverUnknown) {
    return leftOpen(p, 'a documented rule needs the apiserver, whose endpoints are unknown: egress is left open rather than cutting it off');
  }
  // The cluster DNS is CoreDNS, whose kubernetes plugin watches the apiserver (coredns.io/plugins/kubernetes;
  // OpenShift's DNS operator runs the same plugin): one long-lived connection a capture window or
  // sampling easily misses, so not having seen it says nothing.
  const watches = w.clusterDns === true && !complete && apiEdges.length === 0;
  const open = apiEdges.length > 0 || watches ? keepApiserver(p, apiEdges, watches) : undefined;
  if (open !== undefined) return open;
  addIstiodEgressAtoms(p);
  addDnsEgressAtoms(p);
  return renderDirection(p, 'egress', openWhenUndocumented, () => `${nothingIn(p, 'egress')}: deny all egress`);
}

/** Whether the egress side holds a lookup to an upstream resolver observed lately. */
function upstreamDnsSeen(out: SideComparison): boolean {
  for (let i = 0; i < out.edges.length; i++) if (isUpstreamDns(out.edges[i]!) && out.status[i] !== 'stale') return true;
  return false;
}

/** Positions of the egress edges to the apiserver observed lately. */
function apiserverEdges(out: SideComparison, peers: RunPeers): number[] {
  const found: number[] = [];
  for (let i = 0; i < out.edges.length; i++) if (out.status[i] !== 'stale' && isApiserverEdge(out.edges[i]!, peers)) found.push(i);
  return found;
}

/**
 * The apiserver as an implied egress rule covering `apiEdges`, unless a rule already names it; or,
 * where none of its endpoints is known, the egress left open (with a warning) rather than cut.
 */
function keepApiserver(p: Planning, apiEdges: readonly number[], watches: boolean): PlannedDirection | undefined {
  const { w, ctx, groups } = p;
  if (groups.egress.hasApiserver) return undefined;
  if (ctx.ix.apiserver.length === 0) {
    const uses = watches ? 'is the cluster DNS, which watches the apiserver' : 'was seen using the apiserver';
    p.plan.warnings.push(
      `${p.name} ${uses}, but no endpoint of default/kubernetes is known: ` +
        `egress is ${leftOpenWords(p)} rather than cutting it off (import the inventory with EndpointSlices)`,
    );
    const why = watches ? 'the cluster DNS, which watches the apiserver' : 'seen using the apiserver';
    return leftOpen(p, `${why}, whose endpoints are unknown: egress is left open rather than cutting it off`);
  }
  const api = irPeers(APISERVER, 'egress', w.namespace, ctx.ix, ctx.dns);
  const checked = api.ok ? ctx.peers.peer(api.peers[0]!) : undefined;
  if (!checked) return undefined;
  const note = watches
    ? 'the cluster DNS watches the apiserver (CoreDNS kubernetes plugin): never cut off, observed or not'
    : 'seen using the apiserver: never cut off';
  groups.egress.add(checked.value, checked.key, [], 'implied', [], apiEdges, [note], 'apiserver');
  coveredAfterAll(p, 'egress', apiEdges);
  return undefined;
}

/** A restricted egress that keeps any rule keeps DNS: the cluster DNS on the ports it answers on, covering the lookups left out. */
function addDnsEgressAtoms(p: Planning): void {
  const { ctx, groups } = p;
  if (groups.egress.size === 0) return;
  const targets = dnsTargetPeers(ctx.dns, ctx.ix).map((peer) => ctx.peers.peer(peer));
  const lookups = leftOutLookups(p, new Set(targets.map((t) => t.key)));
  for (const dnsTo of targets) {
    const covered = lookups.filter((x) => x.keys.includes(dnsTo.key)).map((x) => x.i);
    groups.egress.add(dnsTo.value, dnsTo.key, ctx.dns.ports, 'implied', [], covered, ['DNS is always allowed when egress is restricted'], 'dns');
  }
  coveredAfterAll(p, 'egress', lookups.map((x) => x.i));
}

const XDS_PORTS: readonly PortSpec[] = [port('TCP', ISTIOD_XDS_PORT)];
const XDS_NOTE = `an Istio proxy gets its configuration and certificates from istiod on ${ISTIOD_XDS_PORT}/TCP (Istio, "Ports used by Istio": XDS and CA services): never cut off, observed or not`;

/** Positions of `d`'s edges left out (no rule of their own) with `far` on the far side, on istiod's XDS port. */
function leftOutXds(p: Planning, d: Direction, far: Workload): number[] {
  const leftOut = new Set<EdgeTraffic>();
  for (const x of p.plan.excluded) if (x.edge.direction === d) leftOut.add(x.edge.edge);
  const side = p.comparison[d];
  const key = workloadKey(far);
  const found: number[] = [];
  for (let i = 0; i < side.edges.length; i++) {
    const e = side.edges[i]!;
    const other = d === 'egress' ? e.server : e.client;
    if (leftOut.has(e) && e.port === ISTIOD_XDS_PORT && e.protocol === 'TCP' && other.kind === 'workload' && workloadKey(other.workload) === key) found.push(i);
  }
  return found;
}

/**
 * A workload whose pods run an Istio proxy (a sidecar, a gateway, ztunnel) needs istiod's XDS and
 * CA port whatever its matrix documents, an authoritative egress included: without it the proxy
 * gets no configuration and no certificates. An implied rule to every istiod the inventory shows
 * (each revision's), like the cluster DNS; where it shows none, a warning says what to allow.
 */
function addIstiodEgressAtoms(p: Planning): void {
  const { w, ctx, plan } = p;
  if (w.istioProxy !== true) return;
  const istiods = ctx.ix.mesh.istiod.filter((x) => workloadKey(x) !== workloadKey(w));
  if (istiods.length === 0) {
    if (ctx.ix.mesh.istiod.length === 0) plan.warnings.push(`${p.name} runs an Istio proxy, but the inventory shows no istiod (pods labelled app=istiod): the proxy gets its configuration and certificates from istiod on ${ISTIOD_XDS_PORT}/TCP, which this egress does not allow; import istiod's namespace, or allow egress to istiod on ${ISTIOD_XDS_PORT}/TCP by hand`);
    return;
  }
  for (const d of istiods) addXdsAtoms(p, 'egress', d);
}

/** istiod's end of the same: its ingress on the XDS port from every workload with an Istio proxy, observed or not. */
function addIstiodIngressAtoms(p: Planning): void {
  const { w, ctx } = p;
  if (!ctx.ix.mesh.istiod.some((x) => workloadKey(x) === workloadKey(w))) return;
  for (const proxy of ctx.ix.workloads.values()) {
    if (proxy.istioProxy === true && workloadKey(proxy) !== workloadKey(w)) addXdsAtoms(p, 'ingress', proxy);
  }
}

/** The implied XDS rule to (egress) or from (ingress) `far`, with the left-out xDS edges it covers as its evidence. */
function addXdsAtoms(p: Planning, d: Direction, far: Workload): void {
  const { w, ctx } = p;
  const peer = irPeers({ kind: 'workload', workload: refOf(far) }, d, w.namespace, ctx.ix, ctx.dns);
  if (!peer.ok) return;
  const covered = leftOutXds(p, d, far);
  for (const raw of peer.peers) {
    const c = ctx.peers.peer(raw);
    p.groups[d].add(c.value, c.key, XDS_PORTS, 'implied', NO_RULES, covered, [XDS_NOTE], 'istio-xds');
  }
  coveredAfterAll(p, d, covered);
}

/**
 * Left-out egress edges to the cluster DNS on a port it answers DNS on (mode documented, say):
 * the implied DNS rule covers them. Their positions, ascending, with their peers' keys.
 */
function leftOutLookups(p: Planning, dnsKeys: ReadonlySet<string>): { i: number; keys: readonly string[] }[] {
  const found: { i: number; keys: readonly string[] }[] = [];
  const leftOut = new Set<EdgeTraffic>();
  for (const x of p.plan.excluded) if (x.edge.direction === 'egress') leftOut.add(x.edge.edge);
  if (leftOut.size === 0) return found;
  const out = p.comparison.egress;
  for (let i = 0; i < out.edges.length; i++) {
    const edge = out.edges[i]!;
    if (!leftOut.has(edge) || !answersDns(p.ctx.dns, edge)) continue;
    const peer = p.ctx.peers.of(edge, 'egress', p.w.namespace);
    if (peer.ok && peer.keys.every((k) => dnsKeys.has(k))) found.push({ i, keys: peer.keys });
  }
  return found;
}

/**
 * `d`'s edges an implied rule covers after all are no longer left out: an observed edge is
 * `included` when it "became or is covered by a rule" (docs/recommend.md, `WorkloadRecommendation`),
 * nor violations to review (an authoritative egress that does not document DNS: the lookups pass).
 * Every violation is left out too, so nothing left out means nothing to do.
 */
function coveredAfterAll(p: Planning, d: Direction, idx: readonly number[]): void {
  if (idx.length === 0 || p.plan.excluded.length === 0) return;
  const covered = new Set(idx.map((i) => p.comparison[d].edges[i]!));
  const stays = (e: EdgeAssessment): boolean => e.direction !== d || !covered.has(e.edge);
  p.plan.excluded = p.plan.excluded.filter((x) => stays(x.edge));
  if (p.plan.violations.length > 0) p.plan.violations = p.plan.violations.filter(stays);
}

/**
 * Why a direction has no rule: nothing observed or documented; or, in mode documented, nothing
 * documented while traffic was observed (left out, listed as denied by the verification), with
 * what closes it: a matrix authoritative for it (its documented deny-all), or the namespace
 * layer of --default-deny (a direction no matrix speaks about is otherwise left open: silentDirections).
 */
function nothingIn(p: Planning, d: Direction): string {
  const word = d === 'ingress' ? 'in' : 'out';
  const observed = p.comparison[d].edges.length;
  if (p.ctx.opts.mode === 'documented' && observed > 0) {
    const authority = authoritative(p.components, d);
    const closedBy = authority !== undefined ? `: ${authority} is authoritative for ${d}` : p.ctx.opts.defaultDeny ? ': --default-deny isolates the namespace' : '';
    // The count in the warning (it changes with every ingest), not in the manifest.
    p.plan.warnings.push(`mode documented: nothing is documented ${word}, so ${observed} observed ${d} edge(s) are left out and denied (deny all ${d}${closedBy}); see the verification's denied list`);
    return `nothing documented ${word} (mode documented; the traffic observed is left out)`;
  }
  return `nothing observed or documented ${word}`;
}

/** How the warnings of a direction `leftOpen` leaves open say it is open. */
const leftOpenWords = (p: Planning): string => openWords(p.openByRule, p.ctx.opts.defaultDeny);

/**
 * A direction the recommendation leaves open. Unrestricted (`none`) is enough on its own, but a
 * namespace default-deny layer (--default-deny) would isolate it: then it is an explicit
 * allow-all, so the layer below cannot cut what was deliberately left open.
 */
function leftOpen(p: Planning, why: string): PlannedDirection {
  if (!p.ctx.opts.defaultDeny) return { input: { mode: 'none' }, rules: [] };
  return { input: { mode: 'allow-all', ports: [], explanation: explanation(`${intentKey(p.w)}#egress-open`, 'implied', `${why}; allowed explicitly above the namespace default-deny`) }, rules: [] };
}

export function workloadSubject(w: Workload): IntentInput['subject'] {
  return { kind: 'workload', selector: w.selector, workload: { namespace: w.namespace, kind: w.kind, name: w.name }, hostNetwork: false };
}

const namesFqdns = (d: DirectionInput): boolean => d.mode === 'rules' && d.rules.some((r) => r.peers.some((p) => p.kind === 'fqdn'));

/** The workload's allowlist: its rules of both directions, with their evidence when something reads it. */
function allowlistIntent(p: Planning, ingress: DirectionInput, ingressRules: GroupedRule[], egress: PlannedDirection): PlannedIntent {
  const { w, ctx, details } = p;
  const nRules = countMatrixRules(ingressRules, egress.rules);
  const nEdges = countEdges([...ingressRules, ...egress.rules]);
  // Without details nothing reads the evidence again, and without a shared layer nothing reads
  // the grouped rules again: let them go with the comparison (the IR rules stay in the input).
  const grouped = details || ctx.opts.shared ? [...ingressRules, ...egress.rules] : [];
  if (!details) for (const g of grouped) g.evidence = [];
  const ownNode = ingress.mode === 'none' ? undefined : ownNodeIngress(intentKey(w), p.ownNode, ctx.ix.allNodeIps, (e) => ctx.peers.portList(e));
  return {
    input: {
      key: intentKey(w),
      namespace: w.namespace,
      layer: 'allowlist',
      subject: workloadSubject(w),
      ingress,
      egress: egress.input,
      explanation: `Least-privilege allowlist for ${p.name} (mode ${ctx.opts.mode}): ${nRules} documented rule(s)${nEdges > 0 ? ' and the traffic observed' : ''}.`,
      ...(namesFqdns(egress.input) ? { dnsResolver: { peers: dnsTargetPeers(ctx.dns, ctx.ix), ports: ctx.dns.ports } } : {}),
      ...(ownNode !== undefined ? { ownNode } : {}),
    },
    rules: grouped,
    evidence: [],
  };
}

/** The exposure on ports the exposure policy can open (every engine's port protocols). */
function portExposure(w: Workload): Workload['exposure'] {
  return w.exposure.filter((x) => protocolOf(x.protocol) !== undefined);
}

/** Positions of the ingress edges on an exposed port: those the exposure policy covers. */
function exposureEdgesOf(w: Workload, ingress: SideComparison): number[] {
  const exposed = portExposure(w);
  const out: number[] = [];
  if (exposed.length === 0) return out;
  ingress.edges.forEach((e, i) => {
    if (isExposed(e, exposed)) out.push(i);
  });
  return out;
}

/**
 * An exposed workload no matrix documents, in mode documented under --default-deny: the namespace
 * layer would cut the clients of its LoadBalancer, node port or Ingress, whom nothing observed need
 * show. Its exposed ports stay open to all above the layer (its other traffic is cut, as for any
 * undocumented workload); recommend.ts drops the intent where no layer comes (`layerGuard`).
 */
function guardExposure(plan: WorkloadPlan, details: boolean): void {
  const w = plan.workload;
  const exposed = portExposure(w);
  if (exposed.length === 0) return;
  const ingress = plan.comparison.ingress;
  plan.layerGuard ??= { summary: plan.summary, excluded: plan.excluded };
  // What the guard keeps open is no longer left out.
  plan.excluded = plan.excluded.filter((x) => x.edge.direction !== 'ingress' || !isExposed(x.edge.edge, exposed));
  plan.intents.push(exposureIntent(w, details, ingress, exposed, exposureEdgesOf(w, ingress)));
  if (plan.workload.clusterDns !== true) plan.underLayerSummary = `${nameOf(w)}: no communication matrix documents it, and mode documented uses documented rules only: the namespace default-deny isolates it, but for its exposed port(s), which stay open to any client.`;
  (plan.underLayer ??= []).push(`${nameOf(w)} is exposed and no matrix documents it: mode documented keeps its exposed port(s) open to any client above --default-deny`);
}

/** Ingress open to all on the exposed ports (`exposureEdges`: the observed edges of `ingressSide` it covers). */
function exposureIntent(w: Workload, details: boolean, ingressSide: SideComparison, exposed: Workload['exposure'], exposureEdges: number[]): PlannedIntent {
  const ports: PortSpec[] = exposed.map((x) => port(protocolOf(x.protocol)!, x.port));
  const via = [...new Set(exposed.map((x) => `${x.via} ${x.object}`))].sort().join(', ');
  return {
    input: {
      key: intentKey(w, 'exposed'),
      namespace: w.namespace,
      layer: 'allowlist',
      subject: workloadSubject(w),
      ingress: { mode: 'allow-all', ports, explanation: explanation(`${intentKey(w)}#exposed`, exposureEdges.length > 0 ? 'confirmed' : 'implied', `exposed through ${via}: any client may reach the exposed port`) },
      explanation: `${nameOf(w)} is exposed (${via}): allow all ingress on the exposed port(s), as StackLight does for UIs behind load balancers.`,
    },
    rules: [],
    evidence: details && exposureEdges.length > 0 ? [{ side: ingressSide, idx: exposureEdges }] : [],
  };
}

/**
 * The cluster DNS no matrix documents, in mode documented under --default-deny: the namespace
 * layer would cut every pod's name resolution and the DNS's upstream lookups. Its DNS ports stay
 * open to all and its egress open above the layer; what else it was seen doing is cut, as for
 * any undocumented workload (recommend.ts drops these intents where no layer comes).
 */
function guardClusterDns(plan: WorkloadPlan, ctx: SynthesisContext, details: boolean): void {
  const w = plan.workload;
  const ingress = plan.comparison.ingress;
  const dnsEdges: number[] = [];
  for (let i = 0; i < ingress.edges.length; i++) if (answersDns(ctx.dns, ingress.edges[i]!)) dnsEdges.push(i);
  const others = plan.comparison.ingress.edges.length - dnsEdges.length;
  plan.layerGuard = { summary: `${nameOf(w)}: no communication matrix documents it, and mode documented uses documented rules only: no policy.`, excluded: plan.excluded };
  // What the guard keeps open is no longer left out: its DNS ports' edges and all of its egress.
  plan.excluded = plan.excluded.filter((x) => x.edge.direction === 'ingress' && !answersDns(ctx.dns, x.edge.edge));
  plan.intents.push(clusterDnsIntent(w, ctx, details, ingress, dnsEdges), {
    input: {
      key: intentKey(w),
      namespace: w.namespace,
      layer: 'allowlist',
      subject: workloadSubject(w),
      egress: { mode: 'allow-all', ports: [], explanation: explanation(`${intentKey(w)}#egress-open`, 'implied', 'the cluster DNS: no matrix documents its upstream resolvers, so its egress is left open; allowed explicitly above the namespace default-deny') },
      explanation: `${nameOf(w)} is the cluster DNS and no matrix documents it: its DNS ports stay open to every pod and its egress open above the namespace default-deny.`,
    },
    rules: [],
    evidence: [],
  });
  plan.summary = `${nameOf(w)}: the cluster DNS, which no communication matrix documents: under the namespace default-deny its DNS ports stay open to every pod and its egress open (mode documented).`;
  plan.warnings.push(`${nameOf(w)} is the cluster DNS and no matrix documents it: mode documented keeps its DNS ports open to all and its egress open above --default-deny${others > 0 ? `; its ${others} other observed ingress edge side(s) are cut` : ''}`);
}

/** The cluster DNS's ports open to every pod (`dnsEdges`: the observed edges it covers). */
function clusterDnsIntent(w: Workload, ctx: SynthesisContext, details: boolean, ingressSide: SideComparison, dnsEdges: number[]): PlannedIntent {
  return {
    input: {
      key: intentKey(w, 'dns'),
      namespace: w.namespace,
      layer: 'allowlist',
      subject: workloadSubject(w),
      ingress: {
        mode: 'allow-all',
        ports: ctx.dns.ports,
        explanation: explanation(`${intentKey(w)}#dns`, dnsEdges.length > 0 ? 'confirmed' : 'implied', `the cluster DNS answers every pod: ${ctx.dns.ports.map((x) => (x.kind === 'number' ? `${x.port}/${x.protocol}` : portKey(x))).join(' and ')} stay open to all`),
      },
      explanation: `${nameOf(w)} is the cluster DNS: every pod resolves names through it, including host-network pods and pods never observed, so its DNS ports stay open to all.`,
    },
    rules: [],
    evidence: details && dnsEdges.length > 0 ? [{ side: ingressSide, idx: dnsEdges }] : [],
  };
}

/** Distinct documented rules behind the rules of both directions. */
function countMatrixRules(ingress: readonly GroupedRule[], egress: readonly GroupedRule[]): number {
  const ids = new Set<string>();
  for (const g of ingress) for (const r of g.rules) ids.add(r.rule.id);
  for (const g of egress) for (const r of g.rules) ids.add(r.rule.id);
  return ids.size;
}

/** Distinct edge assessments behind the rules (positions per side). */
function countEdges(rules: readonly GroupedRule[]): number {
  const seen = new Map<SideComparison, Uint8Array>();
  let n = 0;
  for (const g of rules) {
    for (const r of g.evidence) {
      let marks = seen.get(r.side);
      if (marks === undefined) seen.set(r.side, (marks = new Uint8Array(r.side.edges.length)));
      for (const i of r.idx) {
        if (marks[i] === 0) {
          marks[i] = 1;
          n++;
        }
      }
    }
  }
  return n;
}

/** The assessments of an intent's own evidence (exposure, DNS), in order. */
export function intentEdges(p: PlannedIntent): EdgeAssessment[] {
  return assessmentsOf(p.evidence);
}
