/**
 * The one entry point the CLI and the REST API call: inventory + edges + resolved matrices +
 * options → per-workload recommendations (statuses, evidence), the PolicySet and, per engine,
 * the manifests and warnings. Pure: no I/O; `now` comes from the options or the data.
 */
import { DNS_CONVENTIONS, isNodeLocalDns, NODE_LOCAL_DNS } from '../domain/cluster-dns.ts';
import { DEFAULT_MAX_RECOMMEND_EDGES, isStoredEdge, type EdgeTraffic } from '../domain/edge.ts';
import type { InventorySnapshot, LabelSelector, Workload } from '../domain/inventory.ts';
import { workloadKey, type Peer, type WorkloadRef } from '../domain/peer.ts';
import { hasSelectablePods, workloadsWithPodNetworkPods } from '../domain/pod-networks.ts';
import { compareWorkload, edgeKeys, type EdgeKeys, type RuleAssessment, type WorkloadComparison, type WorkloadComponent } from './compare/compare.ts';
import { indexCluster, reachedAsPods } from './compare/context.ts';
import { PeerRanks, type PeerInfo } from './compare/edge-order.ts';
import { getEngine, type EmitOptions, type EmitResult, type EngineName } from './engines/index.ts';
import { clusterFacts } from './matrix/bindings.ts';
import type { ResolvedMatrix } from './matrix/resolved.ts';
import { policySet, port } from './policy/build.ts';
import { DIRECTIONS, opposite } from '../domain/direction.ts';
import type { Direction, DirectionPolicy, Layer, PolicyPeer, PolicyRuleStatus, PolicySet, PortSpec } from './policy/ir.ts';
import { policyName } from './policy/names.ts';
import { compareStrings, selectorIsEmpty } from './policy/order.ts';
import { EdgeEvidenceCache, edgeKeyOf, matrixRuleEvidence, type EdgeEvidence, type MatrixRuleEvidence } from './synthesize/evidence.ts';
import { clusterWideLayers } from './synthesize/cluster-layers.ts';
import { leftOutWarning } from './matrix/component-pods.ts';
import { distinctSelectors } from './synthesize/distinct-selectors.ts';
import { foreignSubjects } from './synthesize/foreign-subjects.ts';
import { outsideOwners } from './synthesize/outside-owners.ts';
import { layerCovers, outsideRun, outsideSides } from './synthesize/outside-run.ts';
import { defaultDenyIntent, shareNamespace } from './synthesize/layers.ts';
import { defaultOptions, optionProblems, type RecommendOptions } from './synthesize/options.ts';
import { ruleEdges } from './synthesize/atoms.ts';
import { RunPeers } from './synthesize/far-peers.ts';
import type { DnsTarget } from './synthesize/peers.ts';
import { PortSets } from './synthesize/port-sets.ts';
import { keptBy } from './synthesize/kept-by.ts';
import type { DocumentedFlow } from './synthesize/documented-flow.ts';
import type { IcmpProtocol } from '../domain/flow.ts';
import { edgeProxies, exposureClients, forwardingNode } from './synthesize/exposure-flows.ts';
import { intentEdges, planWorkload, restricts, unobservedMustFlows, type PlannedIntent, type SynthesisContext, type WorkloadPlan } from './synthesize/workload.ts';
import { mirroredRules, type MirroredRules, type PodNetwork } from './synthesize/mirrored-rules.ts';
import { openLeftDirections } from './synthesize/open-by-rule.ts';
import { appliedHostPolicies } from './synthesize/host-firewall.ts';
import { ownNodeRules } from './synthesize/own-node-ingress.ts';
import { followServices, refusedWarning, type UnfollowedService } from './follow-services.ts';
import { uniquePorts, unresolvedTargetPorts, workloadServedPorts, type UnresolvedTargetPort } from './matrix/bindings.ts';
import type { ResolvedPort } from './matrix/resolved.ts';

export { defaultOptions, type RecommendOptions } from './synthesize/options.ts';

export interface RecommendInput {
  inventory: InventorySnapshot;
  /**
   * The stored edges; their traffic alone (`readEdgeTraffic`, a lighter read) is enough when
   * the run asks for no details.
   */
  edges: readonly EdgeTraffic[];
  matrices: readonly ResolvedMatrix[];
  /** External IP → DNS names seen for it. */
  externalNames?: ReadonlyMap<string, readonly string[]>;
  /**
   * The most edges the run holds (recommendations.maxEdges; absent: DEFAULT_MAX_RECOMMEND_EDGES):
   * `edges`, and those it follows through Services, which past it are not followed, with a warning.
   */
  maxEdges?: number;
}

/** One IR rule of a policy as `recommend --output json` lists it, with its evidence. */
export interface RuleRecord {
  /** The manifest name of the rule's policy. */
  policy: string;
  intent: string;
  direction: Direction;
  /** The rule's explanation: id, status and text. */
  id: string;
  status: PolicyRuleStatus;
  text: string;
  /** As synthesis made them (the manifests render the PolicySet's checked copy). */
  peers: PolicyPeer[];
  /** As synthesis made them; empty = every port (but for an `echo` rule, which has none). */
  ports: PortSpec[];
  /** An ICMP echo rule: it allows the echo request of this protocol (type 8, ICMPv6 128) with its peers, on the engines that render it (policy/ir.ts EchoRule). */
  echo?: IcmpProtocol;
  evidence: { matrixRules: MatrixRuleEvidence[]; edges: EdgeEvidence[]; notes: string[] };
}

/** One policy (intent) as `recommend --output json` lists it. */
export interface PolicyRecord {
  intent: string;
  name: string;
  layer: Layer;
  ingress: DirectionPolicy['mode'];
  egress: DirectionPolicy['mode'];
  explanation: string;
  /** Edges an allow-all direction covers (exposed ports). */
  edges: EdgeEvidence[];
  /**
   * A shared layer's rules (`--shared`: a namespace's, or several namespaces' cluster-wide) with
   * their evidence, every member workload's edges summed: where a shared rule's id is looked up,
   * as a workload's rule is in its `rules`. Absent without evidence (details) and on other layers.
   */
  rules?: RuleRecord[];
}

export interface WorkloadRecommendation {
  workload: { namespace: string; kind: string; name: string };
  /** Whether the recommendation takes it as host-network (no policy): the inventory says so, or a matrix component that selects it declares it. */
  hostNetwork: boolean;
  /** The inventory's hostNetwork, present only where it differs from `hostNetwork` (a matrix component declares host network, the inventory shows the pods on the pod network). */
  inventoryHostNetwork?: boolean;
  exposure: Workload['exposure'];
  components: string[];
  summary: string;
  policies: PolicyRecord[];
  rules: RuleRecord[];
  documented: MatrixRuleEvidence[];
  observed: (EdgeEvidence & { included: boolean; reason?: string })[];
  violations: string[];
  warnings: string[];
  /**
   * Set when no inventory knows the workload: its pod selector was inferred from the labels flow
   * records carried (recommender/synthesize/inferred-workloads.ts). Absent otherwise.
   */
  inferred?: { from: 'flow-records'; selector: LabelSelector };
}

import type { OutsideMustFlows, RequiredEdge, RequiredFlow, VerifiedSides } from './verified-sides.ts';

export interface Recommendation {
  now: string;
  options: RecommendOptions;
  workloads: WorkloadRecommendation[];
  /** Namespace layers (default-deny, shared). */
  namespaces: PolicyRecord[];
  policySet: PolicySet;
  warnings: string[];
  /** For the verification; front ends leave it out of what they show. */
  sides: VerifiedSides[];
  /**
   * A scoped run's (`-n`, `--workload`): the must flows at the workloads outside it, for the
   * verification (verify/replaced-subjects.ts), made once from what the run computed and shared by
   * every engine's verification; front ends leave it out, and drop it with `sides`.
   */
  outsideMustFlows?: OutsideMustFlows;
}

export class RecommendError extends Error {}

function selected(w: Workload, opts: RecommendOptions): boolean {
  if (opts.namespace !== undefined && w.namespace !== opts.namespace) return false;
  if (opts.workload !== undefined && w.name !== opts.workload && `${w.kind}/${w.name}` !== opts.workload) return false;
  return true;
}

/** `evidence` undefined: a run without details, whose records list no edges. */
function policyRecord(p: PlannedIntent, evidence: EdgeEvidenceCache | undefined): PolicyRecord {
  return {
    intent: p.input.key,
    name: policyName(p.input.key),
    layer: p.input.layer,
    ingress: p.input.ingress?.mode ?? 'none',
    egress: p.input.egress?.mode ?? 'none',
    explanation: p.input.explanation,
    edges: evidence === undefined ? [] : evidence.list(intentEdges(p)),
  };
}

function layerRecord(p: PlannedIntent, evidence: EdgeEvidenceCache, details: boolean): PolicyRecord {
  const record = policyRecord(p, evidence);
  return details && p.rules.length > 0 ? { ...record, rules: ruleRecords(p, evidence) } : record;
}

function ruleRecords(p: PlannedIntent, evidence: EdgeEvidenceCache): RuleRecord[] {
  const policy = policyName(p.input.key);
  return p.rules.map((g) => ({
    policy,
    intent: p.input.key,
    direction: g.direction,
    id: g.input.explanation.id,
    status: g.input.explanation.status,
    text: g.input.explanation.text,
    peers: [...g.input.peers],
    ports: [...(g.input.ports ?? [])],
    ...(g.echo !== undefined ? { echo: g.echo.protocol } : {}),
    evidence: { matrixRules: g.rules.map(matrixRuleEvidence), edges: evidence.list(ruleEdges(g)), notes: [...g.notes] },
  }));
}

export interface RecommendRun {
  /** Build the per-rule evidence and the documented/observed lists (the JSON output); manifests alone do not need them. Default true. */
  details?: boolean;
  /**
   * Given, each workload's record with its evidence is handed here as soon as it is made, and the
   * Recommendation keeps the record without evidence (as `details: false` makes it): a consumer
   * that folds the evidence (the report) never holds a whole cluster's evidence at once.
   */
  eachDetailed?: (record: WorkloadRecommendation) => void;
  /**
   * The engine the output is for enforces a direction no rule allows, selected or not (Cilium under
   * `enable-policy: always`): each direction the recommendation leaves open is opened by an
   * allow-all rule (synthesize/open-by-rule.ts). Set per engine by the caller (app/recommendation.ts).
   */
  openByRule?: boolean;
}

/** One direction's edges dealt out to the workloads' sides: each side in edge-key order. */
interface DealtSides {
  /** The edges of slot `slot`'s side. */
  edges(slot: number): EdgeTraffic[];
}

/**
 * Deals the edges (positions in key order) to the slots `infos` name (the server's for
 * ingress, the client's for egress): a stable counting sort by slot, so every side is one
 * contiguous run in key order; sides are sized once, never grown.
 */
function dealSides(order: Int32Array, edges: readonly EdgeTraffic[], infos: readonly PeerInfo[], slots: number): DealtSides {
  const start = new Int32Array(slots + 1);
  for (let k = 0; k < order.length; k++) {
    const slot = infos[order[k]!]!.slot;
    if (slot >= 0) start[slot + 1]!++;
  }
  for (let s = 0; s < slots; s++) start[s + 1]! += start[s]!;
  const dealt = new Int32Array(start[slots]!);
  const next = start.slice(0, slots);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const slot = infos[i]!.slot;
    if (slot >= 0) dealt[next[slot]!++] = i;
  }
  return {
    edges(slot) {
      const from = start[slot]!;
      const out = new Array<EdgeTraffic>(start[slot + 1]! - from);
      for (let j = 0; j < out.length; j++) out[j] = edges[dealt[from + j]!]!;
      return out;
    },
  };
}

export function recommend(given: RecommendInput, options: Partial<RecommendOptions> = {}, run: RecommendRun = {}): Recommendation {
  const details = run.details !== false || run.eachDetailed !== undefined;
  const opts = checkedOptions(given, options, details);
  const { input, distinct, withPodNetworkPods, componentsOf, podNetwork, mirrors, unfollowed, refused } = runBasis(given, opts);
  const workloads = selectedWorkloads(input.inventory, opts);
  const owners = outsideOwners(input.inventory, workloads, mirrors);
  // The owners' sides take the slots after the run's.
  const sides = sidesOf(input.edges, owners.length === 0 ? workloads : [...workloads, ...owners]);
  const now = opts.now ?? sides.latest ?? input.inventory.takenAt;
  const { plans, outsideRules, ctx } = planWorkloads(input, workloads, owners, sides, { now, opts, details, podNetwork, mirrors, componentsOf, withPodNetworkPods, openByRule: run.openByRule === true });
  const layers = namespaceLayers(plans, input.inventory, opts, withPodNetworkPods);
  if (run.openByRule === true) for (const p of plans) openLeftDirections(p, layers.intents, podNetwork);
  for (const p of plans) {
    p.intents = p.intents.filter(restrictsSomething);
    const overlap = p.intents.length > 0 ? distinct.warnings.get(workloadKey(p.workload)) : undefined;
    if (overlap !== undefined) p.warnings.push(overlap);
    p.warnings.push(...podsLeftOutWarnings(workloadKey(p.workload), componentsOf));
  }
  const outside = outsideRun(input.inventory, workloads, withPodNetworkPods);
  const foreign = foreignSubjects(plans, outside, withPodNetworkPods);
  const closed = closedRules(plans);
  const set = policySet([...plans.flatMap((p) => p.intents.map((i) => i.input)), ...layers.intents.map((i) => i.input)]);
  const evidence = new EdgeEvidenceCache();
  return {
    now: new Date(now).toISOString(),
    options: opts,
    workloads: plans.map((p) => {
      if (run.eachDetailed === undefined) return workloadRecord(p, details ? evidence : undefined);
      // Evidence objects are shared within a record only, so each record's die with it; the peer and time texts stay shared.
      run.eachDetailed(workloadRecord(p, evidence.forOneRecord()));
      return workloadRecord(p, undefined);
    }),
    namespaces: layers.intents.map((i) => layerRecord(i, evidence, details)).sort((a, b) => compareStrings(a.intent, b.intent)),
    policySet: set,
    warnings: [...layers.warnings, ...dnsWarnings(input.inventory, opts, plans), ...unfollowedWarnings(unfollowed, workloads), ...(refused !== undefined ? [refusedWarning(refused)] : [])].sort(compareStrings),
    sides: [
      ...withExposureFlows(
        withDocumentedFlows(withOutsideRequirements(plans.map((p) => verifiedSides(p, layers.intents, opts, now, closed, foreign.get(workloadKey(p.workload)), podNetwork)), outsideRules, opts, now, closed), [...plans, ...outsideRules], opts, now),
        plans,
        forwardingNode(input.inventory.nodes),
        edgeProxies(input.inventory.workloads),
      ),
      ...outsideSides(input.edges, outside, foreign, layers.intents),
    ],
    ...(opts.namespace !== undefined || opts.workload !== undefined ? { outsideMustFlows: outsideMustFlows({ input, opts, now, ctx, componentsOf, mirrors, found: foundMustFlows([...plans, ...outsideRules]) }) } : {}),
  };
}

/**
 * What every workload of a run is compared and planned against: the inventory with distinct
 * selectors, the edges with those their Services lead to today (follow-services.ts), the matrices'
 * components and mirrored rules, the pod network.
 */
function runBasis(given: RecommendInput, opts: RecommendOptions) {
  const withPodNetworkPods = workloadsWithPodNetworkPods(given.inventory.podAddresses);
  const distinct = distinctSelectors(given.inventory, given.matrices, withPodNetworkPods);
  const followed = followServices(given.edges, given.inventory.services, given.inventory.workloads, (given.maxEdges ?? DEFAULT_MAX_RECOMMEND_EDGES) - given.edges.length);
  const input = distinct.inventory === given.inventory && followed.edges === given.edges ? given : { ...given, inventory: distinct.inventory, edges: followed.edges };
  const componentsOf = componentsByWorkload(input.matrices);
  const podNetwork = podNetworkOf(input.inventory, componentsOf, withPodNetworkPods);
  const mirrors = mirroredRules(input.matrices, opts, podNetwork, componentsOf);
  return { input, distinct, withPodNetworkPods, componentsOf, podNetwork, mirrors, unfollowed: followed.unfollowed, refused: followed.refused };
}

/** The warnings of the edges through a Service that cannot be followed today, of the run's workloads (either end), each once. */
function unfollowedWarnings(unfollowed: readonly UnfollowedService[], workloads: readonly Workload[]): string[] {
  if (unfollowed.length === 0) return [];
  const inRun = new Set(workloads.map(workloadKey));
  const ofRun = (p: Peer): boolean => p.kind === 'workload' && inRun.has(workloadKey(p.workload));
  return [...new Set(unfollowed.filter((u) => ofRun(u.edge.client) || ofRun(u.edge.server)).map((u) => u.warning))];
}

/** What recommend() computed that the must flows at the workloads outside a scoped run are read from (outsideMustFlows). */
interface OutsideBasis {
  /** The run's input, with distinct selectors (runBasis). */
  input: RecommendInput;
  opts: RecommendOptions;
  now: number;
  /** The run's synthesis context (its cluster index). */
  ctx: SynthesisContext;
  componentsOf: ReadonlyMap<string, WorkloadComponent[]>;
  mirrors: MirroredRules;
  /** The must flows the run found already: of its workloads and of its outside owners, by key. */
  found: ReadonlyMap<string, readonly DocumentedFlow[]>;
}

/** The must flows the run's comparisons found, by workload key: read again for the workloads outside it, not compared again. */
function foundMustFlows(requirers: readonly Pick<WorkloadPlan, 'workload' | 'documentedFlows'>[]): Map<string, readonly DocumentedFlow[]> {
  return new Map(requirers.map((p) => [workloadKey(p.workload), p.documentedFlows]));
}

/**
 * The must flows nothing observed at the workloads outside a scoped run, for the verification,
 * which reads them only for the workloads an applied policy the run replaces selects
 * (verify/replaced-subjects.ts): a workload's own rules' flows, and those of every rule naming it
 * (the run's own workloads', other outside workloads': outside-owners.ts finds them) on its
 * opposite side, as an unscoped run puts them (mustFlowsByEnd). A workload not compared by the
 * run is compared as in an unscoped run, for its requirements only (no plan, no record), as
 * outside owners are. Nothing is computed until asked, each workload once.
 */
function outsideMustFlows(b: OutsideBasis): OutsideMustFlows {
  const outside = (w: Workload): boolean => !selected(w, b.opts);
  const answered = new Map<string, Record<Direction, RequiredFlow[]> | undefined>();
  return {
    candidates(namespaces) {
      const mayHave = (key: string): boolean => b.componentsOf.has(key) || b.mirrors.byWorkload.has(key);
      return b.input.inventory.workloads.filter((w) => outside(w) && (namespaces === undefined || namespaces.has(w.namespace)) && mayHave(workloadKey(w))).map(workloadKey);
    },
    flowsOf(keys) {
      const asked = new Set(keys.filter((k) => !answered.has(k)));
      const ends = b.input.inventory.workloads.filter((w) => outside(w) && asked.has(workloadKey(w))).sort((x, y) => compareStrings(workloadKey(x), workloadKey(y)));
      if (ends.length > 0) {
        const requirers = [...ends, ...outsideOwners(b.input.inventory, ends, b.mirrors)];
        const compared = mustFlowsOf(requirers.filter((w) => !b.found.has(workloadKey(w))), b);
        const documented = requirers.map((w) => ({ workload: w, documentedFlows: b.found.get(workloadKey(w)) ?? compared.get(workloadKey(w))! }));
        // No plan tells what the ends' authoritative matrices leave closed: that only words what keeps a flow, which a replaced policy's finding does not say.
        const flows = mustFlowsByEnd(documented, new Map(ends.map((w) => [workloadKey(w), []])), b.opts, b.now);
        for (const w of ends) answered.set(workloadKey(w), flows.get(workloadKey(w)));
      }
      const out = new Map<string, Record<Direction, RequiredFlow[]>>();
      for (const k of keys) {
        const flows = answered.get(k);
        if (flows !== undefined) out.set(k, flows);
      }
      return out;
    },
  };
}

/** The must flows nothing observed of `workloads`, each compared as in an unscoped run, by key. */
function mustFlowsOf(workloads: readonly Workload[], b: OutsideBasis): Map<string, DocumentedFlow[]> {
  if (workloads.length === 0) return new Map();
  const sides = sidesOf(b.input.edges, workloads);
  const ctx = { ...b.ctx, edgeKeys: sides.keys };
  return new Map(
    workloads.map((w, slot) => {
      const { comparison } = comparedWorkload(w, slot, sides, ctx.ix, b.componentsOf, b.now, b.opts);
      return [workloadKey(w), unobservedMustFlows(comparison, selfPeer(w), ctx).flows];
    }),
  );
}

/** A workload as the peer its own rules' flows start or end at. */
function selfPeer(w: Workload): Peer & { kind: 'workload' } {
  return { kind: 'workload', workload: { namespace: w.namespace, kind: w.kind, name: w.name } };
}

/** What resolves a must rule's flow that the far end's authoritative matrix leaves closed (WorkloadPlan.leftClosed). */
function disagreement(rule: string, authority: string, d: Direction): string {
  return `the matrices disagree: document it in ${authority} (authoritative for ${d}), or ${rule} is wrong and is no must rule`;
}

/** By `${rule}|${workloadKey}`: the authoritative matrix that leaves the rule's flow closed at that workload. */
function closedRules(plans: readonly WorkloadPlan[]): Map<string, { authority: string; direction: Direction }> {
  const out = new Map<string, { authority: string; direction: Direction }>();
  for (const p of plans) {
    for (const c of p.leftClosed) out.set(`${c.rule}|${workloadKey(p.workload)}`, { authority: c.authority, direction: c.direction });
  }
  return out;
}

/**
 * Each plan's unobserved must flows put on both of their ends' sides (VerifiedSides.documented),
 * where those ends are in the run (`sides[i]` is `plans[i]`'s); `requirers` are the plans and the
 * outside owners (OutsideRules), whose flows go on their run end only.
 */
function withDocumentedFlows(sides: VerifiedSides[], requirers: readonly Pick<WorkloadPlan, 'workload' | 'documentedFlows'>[], opts: RecommendOptions, now: number): VerifiedSides[] {
  const ends = new Map(sides.map((s, i) => [s.workload, (requirers[i] as WorkloadPlan).leftClosed]));
  const flows = mustFlowsByEnd(requirers, ends, opts, now);
  return sides.map((s) => {
    const documented = flows.get(s.workload);
    return documented ? { ...s, documented } : s;
  });
}

/**
 * Each requirer's unobserved must flows by the workload (key) they are judged at: its own side,
 * and the opposite side of the far workload the rule names where `ends` holds that workload (with
 * the rules its authoritative matrix leaves closed, WorkloadPlan.leftClosed).
 */
function mustFlowsByEnd(
  requirers: readonly { workload: Workload; documentedFlows: readonly DocumentedFlow[] }[],
  ends: ReadonlyMap<string, readonly WorkloadPlan['leftClosed'][number][]>,
  opts: RecommendOptions,
  now: number,
): Map<string, Record<Direction, RequiredFlow[]>> {
  const flows = new Map<string, Record<Direction, RequiredFlow[]>>();
  const add = (key: string, d: Direction, f: RequiredFlow): void => {
    let x = flows.get(key);
    if (x === undefined) flows.set(key, (x = { ingress: [], egress: [] }));
    x[d].push(f);
  };
  for (const p of requirers) {
    for (const documented of p.documentedFlows) {
      const f = requiredFlow(documented, opts, now);
      add(workloadKey(p.workload), documented.direction, f);
      const far = documented.direction === 'ingress' ? f.edge.client : f.edge.server;
      // A representative's own side is not judged: the rule's peer says what this side allows, not what each pod must accept.
      if (far.kind !== 'workload' || documented.stands !== undefined) continue;
      const farKey = workloadKey(far.workload);
      const leftClosed = ends.get(farKey);
      if (leftClosed === undefined) continue;
      // Left closed by the peer's authoritative matrix, the flow is cut there all the same: required, and the way out is the matrices'.
      const closed = leftClosed.find((c) => c.rule === f.rule);
      add(farKey, opposite(documented.direction), closed ? { ...f, keptBy: disagreement(f.rule, closed.authority, opposite(documented.direction)) } : f);
    }
  }
  return flows;
}

/** A must flow nothing observed as the verification judges it, with what keeps it where the recommendation cuts it. */
function requiredFlow(documented: DocumentedFlow, opts: RecommendOptions, now: number): RequiredFlow {
  const kept = keptBy(opts, documented.status, now);
  return { edge: documented.edge, rule: documented.rule, ...(kept !== undefined ? { keptBy: kept } : {}), ...(documented.stands !== undefined ? { stands: documented.stands } : {}), ...(documented.outside !== undefined ? { outside: documented.outside } : {}), ...(documented.names !== undefined ? { names: documented.names } : {}), ...(documented.address !== undefined ? { address: documented.address } : {}) };
}

/**
 * What stands for each exposed workload's clients (synthesize/exposure-flows.ts) put on its ingress
 * side: stand-in flows on its required flows (VerifiedSides.documented), an Ingress controller's
 * observed edges on its required edges (VerifiedSides.required, where no must rule requires them
 * already); `sides[i]` is `plans[i]`'s. `node`: the node that stands for a node port's forwarded
 * clients; `proxies`: the workloads that may be an Ingress controller (edgeProxies).
 */
function withExposureFlows(sides: VerifiedSides[], plans: readonly WorkloadPlan[], node: string | undefined, proxies: ReadonlySet<string>): VerifiedSides[] {
  return sides.map((s, i) => {
    const w = plans[i]?.workload;
    if (w === undefined || w.exposure.length === 0) return s;
    const clients = exposureClients(w, node, s.edges.ingress, proxies);
    let out = s;
    if (clients.flows.length > 0) out = { ...out, documented: { ingress: [...clients.flows, ...(s.documented?.ingress ?? [])], egress: s.documented?.egress ?? [] } };
    if (clients.observed.size > 0) out = { ...out, required: { ingress: new Map([...clients.observed, ...(s.required?.ingress ?? [])]), egress: s.required?.egress ?? new Map() } };
    return out;
  });
}

/**
 * The observed edges the outside owners' must rules require at the run's end (the far peer the
 * rule names is in the run) put on that end's side, as the owner's own side would require them
 * of it in an unscoped run (requirementOf, verify/recommendation.ts), `owner` naming whose rule
 * it is. A rule of the run's own workload on the same edge side wins.
 */
function withOutsideRequirements(sides: VerifiedSides[], outside: readonly OutsideRules[], opts: RecommendOptions, now: number, closed: ReturnType<typeof closedRules>): VerifiedSides[] {
  if (outside.length === 0) return sides;
  const byKey = new Map(sides.map((s) => [s.workload, s]));
  const none = { ingress: new Map<EdgeTraffic, string>(), egress: new Map<EdgeTraffic, string>() };
  for (const o of outside) {
    const owner = workloadKey(o.workload);
    const required = requiredEdges(o.comparison, none, closed, opts, now);
    for (const d of DIRECTIONS) {
      for (const [edge, r] of required[d]) {
        const far = d === 'ingress' ? edge.client : edge.server;
        const side = r.otherEnd && far.kind === 'workload' ? byKey.get(workloadKey(far.workload)) : undefined;
        const at = side?.required?.[opposite(d)] as Map<EdgeTraffic, RequiredEdge> | undefined;
        if (at === undefined || at.has(edge)) continue;
        at.set(edge, { rule: r.rule, otherEnd: false, owner, ...(r.keptBy !== undefined ? { keptBy: r.keptBy } : {}) });
      }
    }
  }
  return sides;
}

/**
 * `layers`: the namespace and cluster-wide layers, which restrict every pod of their namespaces;
 * `closed`: the rules other workloads' authoritative matrices leave closed (closedRules);
 * `foreign`: the policies of other workloads that select this one's pods (foreign-subjects.ts).
 */
function verifiedSides(p: WorkloadPlan, layers: readonly PlannedIntent[], opts: RecommendOptions, now: number, closed: ReturnType<typeof closedRules>, foreign: Record<Direction, string[]> | undefined, podNetwork: PodNetwork): VerifiedSides {
  const ns = p.workload.namespace;
  const covering = layers.filter((l) => layerCovers(l, ns));
  // No policy applies to host-network pods (they are their node), whatever selects their labels;
  // but a host-network workload's pods on the pod network are pods, which a layer selects
  // (kubernetes.io "Network Policies": only hostNetwork pods are ignored by podSelector).
  const hasPods = podNetwork.onPodNetwork(p.workload);
  const ownRestricts = (d: Direction): boolean => hasPods && [...p.intents, ...covering].some((i) => restricts(i, d));
  const restricted = { ingress: ownRestricts('ingress'), egress: ownRestricts('egress') };
  const excluded = { ingress: new Map<EdgeTraffic, string>(), egress: new Map<EdgeTraffic, string>() };
  // A direction only another workload's policy restricts is one this recommendation leaves open:
  // nothing of it is left out, so all of its traffic must still pass.
  const openHere = { ingress: !restricted.ingress && (foreign?.ingress.length ?? 0) > 0, egress: !restricted.egress && (foreign?.egress.length ?? 0) > 0 };
  // A workload given no policy as host-network whose pods are on the pod network (a matrix that
  // declares host network where the inventory shows pods there; one whose pods are on both networks
  // gets a policy for those, synthesize/workload.ts): the recommendation means to restrict nothing
  // of them; what a layer cuts of them is cut, not left out by design.
  const podsUnpolicied = p.hostNetwork && hasPods;
  for (const x of p.excluded) if (!openHere[x.edge.direction] && !podsUnpolicied) excluded[x.edge.direction].set(x.edge.edge, x.reason);
  if (foreign !== undefined) for (const d of DIRECTIONS) restricted[d] ||= foreign[d].length > 0;
  const required = requiredEdges(p.comparison, excluded, closed, opts, now);
  return {
    workload: workloadKey(p.workload),
    edges: { ingress: p.comparison.ingress.edges, egress: p.comparison.egress.edges },
    excluded,
    required,
    restricted,
    ...(p.unverified.length > 0 ? { unverified: { ingress: p.unverified.filter((u) => u.direction === 'ingress').map((u) => u.warning), egress: p.unverified.filter((u) => u.direction === 'egress').map((u) => u.warning) } } : {}),
  };
}

/**
 * The observed edges of a workload's sides that its active must rules cover (VerifiedSides.required):
 * those whose far peer the rule names (`otherEnd`), and those `excluded` leaves out, with what keeps
 * them (`closed`: the rules other workloads' authoritative matrices leave closed, closedRules).
 */
function requiredEdges(comparison: WorkloadComparison, excluded: Record<Direction, ReadonlyMap<EdgeTraffic, string>>, closed: ReturnType<typeof closedRules>, opts: RecommendOptions, now: number): Record<Direction, Map<EdgeTraffic, RequiredEdge>> {
  // A must rule's id → its assessment and the keys of the workloads its peers name.
  const must = new Map<string, { rule: RuleAssessment; named: Set<string> }>();
  for (const r of comparison.rules) {
    if (r.rule.level !== 'must' || !r.rule.active) continue;
    const named = r.rule.peers.flatMap((rp) => (rp.kind === 'pods' && rp.namespaceSelector === undefined && !selectorIsEmpty(rp.selector) ? rp.workloads.map(workloadKey) : []));
    must.set(r.rule.id, { rule: r, named: new Set(named) });
  }
  const required = { ingress: new Map<EdgeTraffic, RequiredEdge>(), egress: new Map<EdgeTraffic, RequiredEdge>() };
  if (must.size > 0) {
    for (const d of DIRECTIONS) {
      const side = comparison[d];
      side.edges.forEach((e, i) => {
        const ids = side.rules[i]!;
        if (ids.length === 0) return;
        const far = d === 'ingress' ? e.client : e.server;
        const farKey = far.kind === 'workload' ? workloadKey(far.workload) : undefined;
        // A far workload whose authoritative matrix leaves the rule closed is a required peer
        // whatever the rule's peer kind (a whole namespace too): its flow is blocked there "all
        // the same, observed or not", as the unobserved one is (withDocumentedFlows).
        const named = farKey !== undefined ? ids.find((id) => must.get(id)?.named.has(farKey) || (must.has(id) && closed.has(`${id}|${farKey}`))) : undefined;
        // This side judges an included edge as required anyway: only what it leaves out needs the rule here.
        const id = named ?? (excluded[d].has(e) ? ids.find((x) => must.has(x)) : undefined);
        if (id === undefined) return;
        // Cut at the far end because its authoritative matrix leaves the rule closed: no option keeps it there.
        const closedThere = named !== undefined && farKey !== undefined ? closed.get(`${named}|${farKey}`) : undefined;
        const kept = closedThere !== undefined
          ? disagreement(named!, closedThere.authority, closedThere.direction)
          : excluded[d].has(e) ? keptBy(opts, must.get(id)!.rule.status, now, side.status[i] === 'stale' ? e.lastSeen : undefined) : undefined;
        required[d].set(e, { rule: id, otherEnd: named !== undefined, ...(kept !== undefined ? { keptBy: kept } : {}) });
      });
    }
  }
  return required;
}

/** The options with their defaults, refused when they contradict each other or the input. */
function checkedOptions(input: RecommendInput, options: Partial<RecommendOptions>, details: boolean): RecommendOptions {
  const opts = defaultOptions(options);
  const problems = optionProblems(opts);
  if (problems.length > 0) throw new RecommendError(problems.join('; '));
  if (details && !input.edges.every(isStoredEdge)) throw new RecommendError('details (evidence) need the stored edges, not their traffic only: read them with readAllEdges');
  return opts;
}

/** The workloads the options select, by workload key. */
function selectedWorkloads(inventory: InventorySnapshot, opts: RecommendOptions): Workload[] {
  return inventory.workloads.filter((w) => selected(w, opts)).sort((a, b) => compareStrings(workloadKey(a), workloadKey(b)));
}

/** Every selected workload's ingress and egress edges, each side in edge-key order. */
interface WorkloadSides {
  ingress: DealtSides;
  egress: DealtSides;
  /** Two edges share an edge key (only from callers that pass the same edge twice). */
  duplicateKeys: boolean;
  /** The latest last-seen of all edges; undefined without edges. */
  latest: number | undefined;
  keys: EdgeKeys;
}

/**
 * The edges of the selected workloads (`workloads[i]` is slot i), ordered by edge key once and
 * dealt out to the workloads' sides: an edge is in its server's ingress and its client's egress.
 */
function sidesOf(edges: readonly EdgeTraffic[], workloads: readonly Workload[]): WorkloadSides {
  const slotOf = new Map<string, number>();
  workloads.forEach((w, i) => slotOf.set(workloadKey(w), i));
  const slotOfPeer = (p: Peer): number => (p.kind === 'workload' || p.kind === 'dns' ? (slotOf.get(workloadKey(p.workload)) ?? -1) : -1);
  const ranks = new PeerRanks();
  const selectedEdges: EdgeTraffic[] = [];
  const clients: PeerInfo[] = [];
  const servers: PeerInfo[] = [];
  let latest: number | undefined;
  for (const e of edges) {
    if (latest === undefined || e.lastSeen > latest) latest = e.lastSeen;
    const client = ranks.of(e.client, slotOfPeer);
    const server = ranks.of(e.server, slotOfPeer);
    if (client.slot < 0 && server.slot < 0) continue;
    selectedEdges.push(e);
    clients.push(client);
    servers.push(server);
  }
  const keys = edgeKeys();
  const { order, duplicateKeys } = ranks.order(selectedEdges, clients, servers, keys.key);
  return {
    ingress: dealSides(order, selectedEdges, servers, workloads.length),
    egress: dealSides(order, selectedEdges, clients, workloads.length),
    duplicateKeys,
    latest,
    keys,
  };
}

/**
 * The DNS rule of every restricted egress names the cluster DNS as the inventory shows it
 * (domain/cluster-dns.ts), else the conventional kube-system pods labelled k8s-app=kube-dns on
 * 53: said when the inventory holds no DNS pods, for a cluster whose DNS runs elsewhere would
 * have its name resolution cut.
 */
function dnsWarnings(inventory: InventorySnapshot, opts: RecommendOptions, plans: readonly WorkloadPlan[]): string[] {
  const { dns } = clusterFacts(inventory);
  if (!opts.egress || plans.every((p) => p.intents.length === 0)) return [];
  const nodeLocal = inventory.workloads.find((w) => isNodeLocalDns(w.namespace, w.labels));
  const out: string[] = [];
  if (nodeLocal !== undefined) {
    out.push(
      `NodeLocal DNSCache (${workloadKey(nodeLocal)}) is in the inventory: pods then ask the cache on the node, at ${NODE_LOCAL_DNS.address} and at the kube-dns Service address, not the DNS pods the DNS rule of every restricted egress names (${dns.via}) — add egress to ${NODE_LOCAL_DNS.address}/32 and the kube-dns Service address on 53/UDP and 53/TCP before applying, or name resolution is cut`,
    );
  }
  for (const problem of dns.portProblems ?? []) {
    out.push(`the cluster DNS: ${problem}, so the DNS rule of every restricted egress names 53 there, which its pods may not answer on — check the Service's ports before applying`);
  }
  if (dns.origin !== 'default') return out;
  return [
    ...out,
    `no cluster DNS in the inventory (pods of ${DNS_CONVENTIONS.map((c) => `${c.namespace}/${c.service}`).join(' or ')}): the DNS rule of every restricted egress names ${dns.via} on 53; where the cluster DNS runs elsewhere name resolution would be cut — import the DNS pods and their Service with the inventory, or check the DNS rule before applying`,
  ];
}

/** The enabled components binding the workload whose selectors leave out some of its pods (matrix/component-pods.ts): one warning each. */
function podsLeftOutWarnings(key: string, componentsOf: ReadonlyMap<string, WorkloadComponent[]>): string[] {
  const out: string[] = [];
  for (const { matrix, component } of componentsOf.get(key) ?? []) {
    const left = component.enabled ? component.leavesOut?.find((l) => workloadKey(l.workload) === key) : undefined;
    if (left !== undefined) out.push(leftOutWarning(matrix, component, left));
  }
  return out;
}

/** The matrix components that select each workload (by workload key), matrices by name. */
function componentsByWorkload(matrices: readonly ResolvedMatrix[]): Map<string, WorkloadComponent[]> {
  const componentsOf = new Map<string, WorkloadComponent[]>();
  for (const m of [...matrices].sort((a, b) => compareStrings(a.name, b.name))) {
    if (!m.enabled) continue;
    for (const c of m.components) {
      for (const w of c.workloads) {
        const k = workloadKey(w);
        componentsOf.set(k, [...(componentsOf.get(k) ?? []), { matrix: m.name, component: c, parameters: m.parameters }]);
      }
    }
  }
  return componentsOf;
}

/**
 * A workload outside a scoped run whose must rules name workloads of the run (outside-owners.ts),
 * compared for its requirements only: the rules' flows are verified at the run's end.
 */
interface OutsideRules {
  workload: Workload;
  comparison: WorkloadComparison;
  documentedFlows: DocumentedFlow[];
}

/**
 * Each selected workload compared (documented against observed), then planned into intents; and
 * each outside owner (slots after the run's in `sides`) compared for its requirements.
 */
function planWorkloads(
  input: RecommendInput,
  workloads: readonly Workload[],
  owners: readonly Workload[],
  sides: WorkloadSides,
  run: {
    now: number;
    opts: RecommendOptions;
    details: boolean;
    podNetwork: PodNetwork;
    mirrors: MirroredRules;
    componentsOf: ReadonlyMap<string, WorkloadComponent[]>;
    /** The inventory's workloadsWithPodNetworkPods: narrowing selectors (distinctSelectors) leaves the pods as they are. */
    withPodNetworkPods: ReadonlySet<string>;
    /** RecommendRun.openByRule. */
    openByRule: boolean;
  },
): { plans: WorkloadPlan[]; outsideRules: OutsideRules[]; ctx: SynthesisContext } {
  const ctx = synthesisContext(input, sides.keys, run);
  const { componentsOf } = run;
  const compared = (w: Workload, slot: number) => comparedWorkload(w, slot, sides, ctx.ix, componentsOf, run.now, run.opts);
  const plans = workloads.map((w, i) => {
    const { components, comparison } = compared(w, i);
    return planWorkload(w, comparison, components, ctx);
  });
  const planOf = new Map(plans.map((p) => [workloadKey(p.workload), p]));
  const outsideRules = owners.map((w, j) => {
    const { comparison } = compared(w, workloads.length + j);
    const must = unobservedMustFlows(comparison, selfPeer(w), ctx);
    // The owner has no record in a scoped run: its flow's end in the run is told instead.
    for (const u of must.unverifiable) if (u.far !== undefined) planOf.get(workloadKey(u.far))?.warnings.push(`${u.warning} (${workloadKey(w)}'s ${u.direction})`);
    return { workload: w, comparison, documentedFlows: must.flows };
  });
  return { plans, outsideRules, ctx };
}

/** What planning a run's workloads reads: the cluster index, the cluster DNS, the run's peers and port sets. */
function synthesisContext(
  input: RecommendInput,
  edgeKeys: EdgeKeys,
  run: { opts: RecommendOptions; details: boolean; podNetwork: PodNetwork; mirrors: MirroredRules; withPodNetworkPods: ReadonlySet<string>; openByRule: boolean },
): SynthesisContext {
  const ix = indexCluster(input.inventory, input.externalNames, run.withPodNetworkPods);
  const { dns } = clusterFacts(input.inventory);
  // Its pods on the host network are reached at their nodes, the others (of the same workload too) as pods.
  const inventoried = dns.workloads.map((ref) => ix.workloads.get(workloadKey(ref)));
  const onHost = inventoried.some((w) => w?.hostNetwork === true);
  const asPods = inventoried.some((w) => w === undefined || reachedAsPods(w, ix));
  const network = !onHost ? 'pod' : asPods ? 'both' : 'host';
  const dnsTarget: DnsTarget = { namespace: dns.namespace, selector: dns.selector, ports: dns.ports.map((x) => port(x.protocol, x.port)), network };
  const hostPolicies = appliedHostPolicies(input.inventory);
  const ownNode = ownNodeRules(input.inventory.ciliumPolicy);
  return { ix, dns: dnsTarget, opts: run.opts, peers: new RunPeers(ix, dnsTarget, run.podNetwork), portSets: new PortSets(), edgeKeys, details: run.details, mirrors: run.mirrors, podNetwork: run.podNetwork, ...(hostPolicies !== undefined ? { hostPolicies } : {}), ...(run.openByRule ? { openByRule: true } : {}), ...(ownNode !== undefined ? { ownNodeRules: ownNode } : {}) };
}

/** A workload (`slot` of `sides`) compared, documented against observed. */
function comparedWorkload(w: Workload, slot: number, sides: WorkloadSides, ix: SynthesisContext['ix'], componentsOf: ReadonlyMap<string, WorkloadComponent[]>, now: number, opts: RecommendOptions): { components: WorkloadComponent[]; comparison: WorkloadComparison } {
  const components = componentsOf.get(workloadKey(w)) ?? [];
  // A workload talking to itself is both an ingress and an egress edge: compared once per side.
  const edges = { ingress: sides.ingress.edges(slot), egress: sides.egress.edges(slot) };
  const duplicateKeys = { ingress: sides.duplicateKeys, egress: sides.duplicateKeys };
  return { components, comparison: compareWorkload(w, components, edges, ix, { now, staleDays: opts.staleDays }, sides.keys.key, duplicateKeys) };
}

/**
 * The inventory's pod-network (and host-network only) workloads by namespace, and the ports each
 * workload serves and declares (mirrored-rules.ts PodNetwork). A workload with pods on both
 * networks is a pod-network one (`withPodNetworkPods`, domain/pod-networks.ts).
 */
function podNetworkOf(inventory: InventorySnapshot, componentsOf: ReadonlyMap<string, WorkloadComponent[]>, withPodNetworkPods: ReadonlySet<string>): PodNetwork {
  const byNamespace = new Map<string, WorkloadRef[]>();
  const hostByNamespace = new Map<string, WorkloadRef[]>();
  const onPodNetwork = new Set<string>();
  for (const w of inventory.workloads) {
    const ref: WorkloadRef = { namespace: w.namespace, kind: w.kind, name: w.name };
    const podNetwork = hasSelectablePods(w, withPodNetworkPods);
    if (podNetwork) onPodNetwork.add(workloadKey(ref));
    const lists = podNetwork ? byNamespace : hostByNamespace;
    let list = lists.get(w.namespace);
    if (list === undefined) lists.set(w.namespace, (list = []));
    list.push(ref);
  }
  const byKey = new Map(inventory.workloads.map((w) => [workloadKey(w), w]));
  const served = new Map<string, readonly ResolvedPort[]>();
  const servedPorts = (ref: WorkloadRef): readonly ResolvedPort[] => {
    const k = workloadKey(ref);
    let ports = served.get(k);
    if (ports === undefined) {
      const w = byKey.get(k);
      served.set(k, (ports = w ? workloadServedPorts(w, inventory) : []));
    }
    return ports;
  };
  const declaredPorts = (ref: WorkloadRef): readonly ResolvedPort[] => {
    const documented = (componentsOf.get(workloadKey(ref)) ?? []).flatMap(({ component }) => (component.enabled ? component.ports : []));
    return documented.length > 0 ? uniquePorts(documented) : servedPorts(ref);
  };
  const all = [...byNamespace.values()].flat();
  const unresolved = (ref: WorkloadRef): readonly UnresolvedTargetPort[] => {
    const w = byKey.get(workloadKey(ref));
    return w ? unresolvedTargetPorts(w, inventory) : [];
  };
  const pods = new Map<string, Set<string>>();
  const podIps = new Map<string, Set<string>>();
  for (const a of inventory.podAddresses) {
    if (a.hostNetwork) continue;
    const k = workloadKey(a.workload);
    pods.set(k, (pods.get(k) ?? new Set()).add(a.pod));
    podIps.set(k, (podIps.get(k) ?? new Set()).add(a.ip));
  }
  return {
    inNamespace: (ns) => byNamespace.get(ns) ?? [],
    hostNetworkIn: (ns) => hostByNamespace.get(ns) ?? [],
    all: () => all,
    onPodNetwork: (w) => onPodNetwork.has(workloadKey(w)),
    servedPorts,
    declaredPorts,
    unresolvedTargetPorts: unresolved,
    podIps: (w) => [...(podIps.get(workloadKey(w)) ?? [])],
    replicated: (w) => (pods.get(workloadKey(w))?.size ?? 0) >= 2,
  };
}

/** The namespace layers the options ask for (shared, default-deny), and why a namespace got no shared policy. */
function namespaceLayers(plans: readonly WorkloadPlan[], inventory: InventorySnapshot, opts: RecommendOptions, withPodNetworkPods: ReadonlySet<string>): { intents: PlannedIntent[]; warnings: string[] } {
  const intents: PlannedIntent[] = [];
  const warnings: string[] = [];
  const byNs = new Map<string, WorkloadPlan[]>();
  for (const p of plans) if (p.intents.length > 0 && p.layerGuard === undefined) byNs.set(p.workload.namespace, [...(byNs.get(p.workload.namespace) ?? []), p]);
  // Intents that only hold open what a layer would cut go where no layer comes (--default-deny) …
  for (const p of plans) {
    if (p.layerGuard === undefined || (opts.defaultDeny && byNs.has(p.workload.namespace))) continue;
    p.intents = [];
    p.warnings = [];
    p.summary = p.layerGuard.summary;
    p.excluded = p.layerGuard.excluded;
  }
  // … and make part of it where one does.
  for (const p of plans) if (p.layerGuard !== undefined && p.intents.length > 0) byNs.get(p.workload.namespace)!.push(p);
  for (const p of plans) {
    if (!opts.defaultDeny || !byNs.has(p.workload.namespace)) continue;
    if (p.underLayer !== undefined) p.warnings.push(...p.underLayer);
    if (p.underLayerSummary !== undefined) p.summary = p.underLayerSummary;
  }
  for (const [ns, nsPlans] of [...byNs.entries()].sort((a, b) => compareStrings(a[0], b[0]))) {
    if (opts.shared) {
      const isolatable = inventory.workloads.filter((w) => w.namespace === ns && hasSelectablePods(w, withPodNetworkPods)).length;
      if (isolatable === nsPlans.length) {
        const s = shareNamespace(ns, nsPlans);
        if (s) intents.push(s);
      } else warnings.push(`--shared: only ${nsPlans.length} of the ${isolatable} workloads of namespace ${ns} get a policy in this run (the selection, or workloads no policy is recommended for: mode documented, no labels): no shared policy`);
    }
    if (opts.defaultDeny) intents.push(defaultDenyIntent(ns, opts.egress));
  }
  return { intents: opts.shared ? clusterWideLayers(intents) : intents, warnings };
}

/** An intent that says something about one direction at least (sharing can empty an allowlist). */
function restrictsSomething(i: PlannedIntent): boolean {
  return restricts(i, 'ingress') || restricts(i, 'egress');
}

/** A workload's record; `evidence` undefined: a run without details, whose records list no edges. */
function workloadRecord(p: WorkloadPlan, evidence: EdgeEvidenceCache | undefined): WorkloadRecommendation {
  const head = {
    workload: { namespace: p.workload.namespace, kind: p.workload.kind, name: p.workload.name },
    hostNetwork: p.hostNetwork,
    ...(p.hostNetwork !== p.workload.hostNetwork ? { inventoryHostNetwork: p.workload.hostNetwork } : {}),
    exposure: p.workload.exposure,
    components: [...new Set(p.components.map((c) => `${c.matrix}/${c.component.name}`))].sort(compareStrings),
    summary: p.summary,
  };
  // In the run's edge order (the plan sorted them), written as every output writes an edge key.
  const violations = p.violations.map((v) => edgeKeyOf(v.edge));
  const warnings = [...p.warnings].sort(compareStrings);
  if (evidence === undefined) {
    return { ...head, policies: p.intents.map((i) => policyRecord(i, undefined)), rules: [], documented: [], observed: [], violations, warnings };
  }
  // Exclusions hold the comparison's own assessment objects (one per side position).
  const excluded = new Map(p.excluded.map((x) => [x.edge, x.reason]));
  return {
    ...head,
    policies: p.intents.map((i) => policyRecord(i, evidence)),
    rules: p.intents.flatMap((i) => ruleRecords(i, evidence)),
    documented: p.comparison.rules.map(matrixRuleEvidence),
    observed: p.comparison.edges.map((e) => {
      const reason = excluded.get(e);
      return reason === undefined ? { ...evidence.of(e), included: true } : { ...evidence.of(e), included: false, reason };
    }),
    violations,
    warnings,
  };
}

/** Renders the recommendation's PolicySet for one engine. */
export function emitFor(rec: Recommendation, engine: EngineName, options?: EmitOptions): EmitResult {
  return getEngine(engine).emit(rec.policySet, options);
}

export type { EngineName };
