/**
 * Every recommendation is verified before anyone sees it: its manifests for one engine are
 * checked by that engine's admission rules, then simulated under that engine's semantics
 * against the observed edges the recommendation was built from.
 *
 * - An edge the recommendation includes must be allowed on the recommended side: otherwise
 *   applying the output would cut required traffic, and the verification fails.
 * - An edge it leaves out should be denied; one that is still allowed (a broader rule covers it)
 *   is listed with the rule that allows it.
 * - The same is simulated with the applied policies beside the recommended ones (the ones the
 *   recommendation replaces, same kind/namespace/name, left out): a denial that only appears
 *   then is the applied policies' doing and is a warning, not a failure of the output.
 * - A replaced applied policy may select pods outside a scoped run (replaced-subjects.ts): their
 *   observed sides, and the flows their must rules require that nothing observed, are judged under
 *   every applied policy and under the recommendation beside the applied ones it leaves; what is
 *   allowed before and denied after is cut by applying it, blocked.
 * - An edge whose other end is a node's host endpoint (a node, the apiserver at a node's address)
 *   is judged at that end too, where the engine polices it — Cilium's host firewall enforcing a
 *   host policy, a Calico host endpoint (host-endpoint-sides.ts): no workload's side is its own, but
 *   what the host's policies deny there is cut all the same. So is a kubelet probe, which no rule
 *   writes, at its node's host endpoint where the engine polices the host's traffic with its own
 *   pods (Cilium), and at its pod on Cilium, whose local-host allow `allow-localhost: policy` takes
 *   away and a deny rule outranks (local-host-probes.ts).
 * - In a scoped run, an edge whose other end is a workload outside the run is judged at that end
 *   too where an applied policy selects that workload in that direction, or on Cilium under
 *   `enable-policy: always` (far-workload-sides.ts): the run writes no policy for it, yet what no
 *   rule allows is denied there; blockedByApplied.
 * - Tightness per workload side: the (peer, port) pairs the policies allow among the observed
 *   pairs (the kubelet's probes among them: traffic the recommendation must keep) and the probes
 *   (`probes.ts`: one peer of each class a looser policy opens, and every workload a selector
 *   naming an observed peer, or a policy selecting the subject, admits too, on the side's
 *   ports), divided by the observed pairs; 1 is as tight as the observations allow.
 *   A restricted side where nothing was observed that allows something: `observed: 0`,
 *   `ratio: null`, `unbounded: true` (JSON has no Infinity).
 */
import type { AppliedPolicy } from '../../domain/inventory.ts';
import type { Direction } from '../policy/ir.ts';
import { DIRECTIONS, opposite } from '../../domain/direction.ts';
import { compareStrings } from '../policy/order.ts';
import { engineDefaultNote, type LetThrough } from './engine-default-pairs.ts';
import { manifestSortKey } from '../engines/metadata.ts';
import type { EmitResult, EngineName, Manifest } from '../engines/types.ts';
import { rendersEcho } from '../engines/echo-support.ts';
import { duplicateNameErrors, nameSlot } from './duplicate-names.ts';
import { connectionFlow, type ClusterModel, type FlowAddressing } from '../simulate/cluster.ts';
import { decideSide, sideAllows, type DecidedBy, type PortFlow, type SideVerdict, type SimCluster, type SimEndpoint, type SimFlow, type Simulator, type SimulatorFactory } from '../simulate/types.ts';
import { manifestErrors, type ManifestError } from './index.ts';
import { extraProbes, SelectorOverlap, worldProbe, type Probe } from './probes.ts';
import { unaddressedHostNetworkNote } from './unaddressed-host-network.ts';
import { tieReadings, tieWords, type TieReadings } from './priority-tie-readings.ts';
import { atJudgedNodes } from '../simulate/host-network-nodes.ts';
import { allowedAtEvery, deniedAt, firstOf, judgesOwnHostOnIngress, judgesPeerByNode, sideAtFirst, PodsApart, type FlowAtPods } from '../simulate/pods-apart.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import { ipFamily, type IpFamily } from '../../domain/ip.ts';
import { peerKey, workloadKey } from '../../domain/peer.ts';
import { targetPortNowNote, targetPortNumbersNow } from '../../domain/service-links.ts';
import type { OutsideMustFlows, RequiredEdge, RequiredFlow, Requirement, VerifiedSides } from '../verified-sides.ts';
import { policiesSelecting, replacedSubjectSides } from './replaced-subjects.ts';
import { deniesUnselected } from '../simulate/cilium/enforcement-mode.ts';
import { SIMULATORS } from '../simulate/index.ts';
import { hostEndDenied, judgesHostEnds, kubeletProbe, type HostEndsJudged } from './host-endpoint-sides.ts';
import { judgesProbeAtPod, probeAtPodNote, probeWayOut } from './local-host-probes.ts';
import { farSides, farWorkloadsJudged, outsideTheRun, type FarSides, type FarWorkload } from './far-workload-sides.ts';
import { calicoCreatedName } from '../calico-listed-name.ts';

/**
 * Each restricted side's edges with what the recommendation decided (`reason` undefined: it is
 * included); unrestricted sides are counted in `skipped`, and given to `unrestricted` when there
 * is one. A visitor rather than a generator or a list: it runs once per observed edge side, and
 * neither an iterator step nor an object each.
 */
export function forEachSide(
  sides: readonly VerifiedSides[],
  skipped: Record<string, number>,
  visit: (workload: string, direction: Direction, edge: EdgeTraffic, reason: string | undefined) => void,
  unrestricted?: (workload: string, direction: Direction, edge: EdgeTraffic) => void,
): void {
  for (const s of sides) {
    for (const direction of DIRECTIONS) {
      const edges = s.edges[direction];
      if (!s.restricted[direction]) {
        if (edges.length > 0) skipped[UNRESTRICTED] = (skipped[UNRESTRICTED] ?? 0) + edges.length;
        if (unrestricted) for (const edge of edges) unrestricted(s.workload, direction, edge);
        continue;
      }
      const excluded = s.excluded[direction];
      for (const edge of edges) visit(s.workload, direction, edge, excluded.size === 0 ? undefined : excluded.get(edge));
    }
  }
}

const UNRESTRICTED = 'the recommendation does not restrict this direction of the workload';

export interface EdgeFinding {
  workload: string;
  direction: Direction;
  /** `client|server|port|protocol`. */
  edge: string;
  by?: DecidedBy;
  /** Why the simulator decided so, or why the recommendation left the edge out. */
  reason: string;
  /** Decided by an applied policy that stays beside the recommendation (an edge left out that it still allows). */
  byApplied?: true;
  /**
   * The finding holds on one reading only of what the NetworkPolicy spec leaves to the network
   * plugin: blocked where it does not match ipBlocks against pod addresses, still allowed where it does.
   */
  dependsOnIpBlockReading?: true;
  /**
   * The side is a workload's outside a scoped run, cut because applying the recommendation
   * replaces these applied policies (manifestId), which selected it and allowed the edge.
   */
  replaced?: string[];
  /**
   * Decided at the edge's other end, a node's host endpoint (a node, the apiserver at a node's
   * address: host-endpoint-sides.ts), on its side of this direction; `workload` and `direction`
   * name the side the edge was found on.
   */
  hostEndpoint?: Direction;
  /** With `hostEndpoint`: the node whose host endpoint decides. */
  hostNode?: string;
  /** No rule decides: Cilium's `enable-policy: always` denies what no rule allows (SideVerdict.enablePolicyAlways). */
  enablePolicyAlways?: true;
  /** No rule decides: these applied or recommended policies isolate the side and none of their rules allows it (SideVerdict.isolatedBy). */
  isolatedBy?: string[];
  /**
   * Decided at the edge's other end, a workload outside a scoped run, on its side of this
   * direction, where an applied policy selects it there or Cilium's `enable-policy: always` denies
   * what no rule allows even so (far-workload-sides.ts); `workload` and `direction` name the side
   * the edge was found on.
   */
  farSide?: Direction;
}

export interface Tightness {
  workload: string;
  direction: Direction;
  /** The observed (peer, port) pairs the recommendation includes; 0 at a side it restricts where nothing was observed but something is allowed. */
  observed: number;
  allowed: number;
  /** allowed ÷ observed (pairs), to two decimals; 1 = allows only what was observed; null when nothing was observed (`unbounded`). */
  ratio: number | null;
  /** Nothing was observed and something is allowed: wider than any ratio (JSON has no Infinity). */
  unbounded?: true;
  /**
   * Where a selector overlap (distinct-selectors.ts' warning) brought pairs into the figure: whose,
   * and where the warning is; then how many of the allowed pairs the engine lets through with no
   * rule of the output deciding, which peers, and why (engine-default-pairs.ts).
   */
  note?: string;
}

export interface Verification {
  engine: EngineName;
  /** No admission error and nothing blocked: every included edge, and every flow a documented must rule requires, allowed by the recommended policies. */
  ok: boolean;
  admission: ManifestError[];
  /** Included edges the recommended policies deny: applying them would cut this traffic. */
  blocked: EdgeFinding[];
  /** Included edges and flows a must rule requires, not observed yet, that only an applied policy beside the recommendation denies; on a direction it leaves open, those the applied policies deny. */
  blockedByApplied: EdgeFinding[];
  /** Edges left out that a broader rule still allows. */
  stillAllowed: EdgeFinding[];
  /** Edges left out and denied, with the recommendation's reason. */
  denied: EdgeFinding[];
  /** Edge sides that cannot be simulated, counted by reason. */
  skipped: Record<string, number>;
  /** Per restricted workload side; empty when the caller did not ask for it (`VerifyInput.tightness`). */
  tightness: Tightness[];
  /** Every warning: the engine's, and those of `unverifiedMustFlows`. */
  warnings: string[];
  /**
   * The warnings of must flows the verification cannot judge (no port to verify a rule with no
   * ports on, nothing to stand for its peer: synthesize/representative-flows.ts), of the
   * directions the recommendation restricts: "verified" does not cover them, and /export and
   * /drift send them as `Warning: 299`. Also in `warnings`.
   */
  unverifiedMustFlows: string[];
}

export interface VerifyInput {
  engine: EngineName;
  emitted: EmitResult;
  /** The cluster the sides are judged in. */
  model: ClusterModel;
  applied: readonly AppliedPolicy[];
  /** The recommendation's sides (`Recommendation.sides`). */
  sides: readonly VerifiedSides[];
  simulator: SimulatorFactory;
  /** Judges the recommendation together with the applied policies beside it (the simulator of `enforcingEngine`); default `simulator`. */
  besideSimulator?: SimulatorFactory;
  /** Extra engine-specific warnings (e.g. from `engineWarnings`). */
  warnings?: string[];
  /**
   * Measure the tightness (probes every restricted side with extra peers: about as many
   * simulations again as the observed edges). Only the JSON output shows it; default true.
   * Without it `tightness` is empty; nothing else changes.
   */
  tightness?: boolean;
  /**
   * Given for a scoped run (`-n`, `--workload`): every edge the run read. The sides of the
   * workloads outside the run that an applied policy the recommendation replaces selects are
   * taken from them and judged (replaced-subjects.ts). Absent: none is (an unscoped run holds
   * every workload).
   */
  scopedEdges?: readonly EdgeTraffic[];
  /** Given with `scopedEdges`: the must flows of the workloads outside the run (recommend.ts outsideMustFlows), judged for those a replaced applied policy selects. */
  outsideMustFlows?: OutsideMustFlows;
}

const edgeKey = (e: EdgeTraffic): string => `${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}`;

/** What makes a manifest the same object to the API server: an applied one with this identity is replaced. */
export const manifestIdentity = (m: { apiVersion?: unknown; kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } }): string =>
  `${String(m.apiVersion)}|${String(m.kind)}|${String(m.metadata?.namespace ?? '')}|${String(m.metadata?.name ?? '')}`;

/** The applied policies that stay beside the recommendation: those whose identity `replaced` (the recommendation's manifests) does not hold (isReplaced). */
export function appliedBeside(applied: readonly AppliedPolicy[], replaced: ReadonlySet<string>): unknown[] {
  const gone = isReplaced(applied, replaced);
  return applied.map((p) => p.manifest).filter((m) => isManifest(m) && !gone(m));
}

/** The applied policies the recommendation replaces: those whose identity `replaced` holds (isReplaced). */
export function appliedReplaced(applied: readonly AppliedPolicy[], replaced: ReadonlySet<string>): unknown[] {
  const gone = isReplaced(applied, replaced);
  return applied.map((p) => p.manifest).filter((m) => isManifest(m) && gone(m));
}

/**
 * Whether an applied policy is one object with a manifest of `replaced`: of its identity, or a
 * Calico default-tier policy listed as `default.<name>` when the recommendation holds `<name>` and
 * no `<name>` is applied beside it (calico-listed-name.ts; the drift reads it so too).
 */
function isReplaced(applied: readonly AppliedPolicy[], replaced: ReadonlySet<string>): (m: Parameters<typeof manifestIdentity>[0]) => boolean {
  let appliedIds: Set<string> | undefined;
  return (m) => {
    if (replaced.has(manifestIdentity(m))) return true;
    const created = calicoCreatedName(m);
    if (created === undefined) return false;
    const id = manifestIdentity({ ...m, metadata: { ...m.metadata, name: created } });
    appliedIds ??= new Set(applied.map((p) => manifestIdentity({ apiVersion: p.apiVersion, kind: p.kind, metadata: { namespace: p.namespace, name: p.name } })));
    return replaced.has(id) && !appliedIds.has(id);
  };
}

const isManifest = (m: unknown): m is Parameters<typeof manifestIdentity>[0] => typeof m === 'object' && m !== null;

/**
 * The sides of the workloads outside a scoped run that the applied policies `replaced` selects
 * (replaced-subjects.ts), from `scopedEdges`; none for an unscoped run (no `scopedEdges`).
 */
export function replacedSides(input: Pick<VerifyInput, 'model' | 'simulator' | 'besideSimulator' | 'scopedEdges' | 'outsideMustFlows'>, sides: readonly VerifiedSides[], replaced: readonly unknown[]): VerifiedSides[] {
  if (input.scopedEdges === undefined || replaced.length === 0) return [];
  return replacedSubjectSides({
    replaced,
    model: input.model,
    edges: input.scopedEdges,
    judged: new Set(sides.map((s) => s.workload)),
    simulator: input.besideSimulator ?? input.simulator,
    ...(input.outsideMustFlows !== undefined ? { mustFlows: input.outsideMustFlows } : {}),
  });
}

function finding(workload: string, direction: Direction, edge: EdgeTraffic, s: SideVerdict, reason: string): EdgeFinding {
  return { workload, direction, edge: edgeKey(edge), ...(s.by !== undefined ? { by: s.by } : {}), ...(s.enablePolicyAlways ? { enablePolicyAlways: true as const } : {}), ...(s.by === undefined && s.isolatedBy !== undefined ? { isolatedBy: [...s.isolatedBy] } : {}), reason };
}

/** What simulating some of a recommendation's edge sides found, unsorted: the whole verification is one part, a verification in chunks (in-chunks.ts) one per chunk. */
export type SidesFound = Pick<Verification, 'blocked' | 'blockedByApplied' | 'stillAllowed' | 'denied' | 'skipped' | 'tightness'>;

export interface SimulateSidesInput {
  /** The engine of the recommended manifests: ICMP edges are judged where it renders echo rules (rendersEcho). */
  engine: EngineName;
  /** The recommended manifests that can decide these sides. */
  manifests: readonly unknown[];
  /** The applied policies that stay beside them (`appliedBeside`). */
  beside: readonly unknown[];
  /** Every applied policy: what the sides of `replacedBy` workloads are judged under before the recommendation is applied. */
  applied: readonly unknown[];
  /** The applied policies the recommendation replaces (`appliedReplaced`): what applying it takes away from the workloads they select. */
  replaced: readonly unknown[];
  /** The cluster the sides are judged in. */
  model: ClusterModel;
  sides: readonly VerifiedSides[];
  simulator: SimulatorFactory;
  /** As VerifyInput.besideSimulator. */
  besideSimulator?: SimulatorFactory;
  tightness: boolean;
  /**
   * Given for a scoped run: every side its verification judges, over every chunk (the run's,
   * those its policies restrict, those a replaced applied policy selects), and the far sides
   * outside them that an applied policy beside the recommendation selects (far-workload-sides.ts
   * farSides). Such a far side is judged, and every one where the verifying engine is Cilium under
   * `enable-policy: always`.
   */
  farSides?: FarSides;
}

/**
 * An edge as the verification simulates it: on its port, or an ICMP edge as its echo request
 * where the engine renders echo rules (engines/echo-support.ts rendersEcho: Cilium unless the cilium-config
 * sets enable-icmp-rules off, Calico). Elsewhere the engine writes no ICMP rule and says where a
 * restricted direction will deny the echo (engines/metadata.ts withoutEcho), so such an edge is counted as skipped, with why. `each`: the
 * flow at each pod pair of the workload ends that the policies tell apart for `direction`'s side
 * (pods-apart.ts), lazily, else `flow` alone: the side is allowed when it is at every one, still
 * open when at any; `whole`: the flow before it is placed at pods and nodes (the other end's side
 * is told apart at its own).
 */
function verifiedFlow(j: Judges, edge: EdgeTraffic, direction: Direction, required?: Pick<RequiredFlow, 'names' | 'address'>): { ok: true; flow: SimFlow; whole: SimFlow; each: Iterable<FlowAtPods<SimFlow>> } | { ok: false; reason: string } {
  const conn = connectionFlow(j.model, edge.client, edge.server, edge.port, edge.protocol, farAddress(required?.address, direction));
  if (!conn.ok) return conn;
  if (conn.flow.icmp !== undefined && !rendersEcho(j.engine, j.model.cluster.ciliumPolicy)) return { ok: false, reason: `${edge.protocol} echo: ${noEchoRule(j.engine)} (a restricted direction denies it, warned)` };
  const whole = throughPortName(resolvedFrom(conn.flow, required?.names), edge);
  const flow = j.atNodes(whole);
  return { ok: true, flow, whole, each: j.apart.side(whole, direction, j.atNodes, flow) };
}

/**
 * The flow of an edge whose flows reached its port through a Service's target port name alone
 * carrying that name: "a named port in the target Pod's container ports" (ServicePort.targetPort),
 * so it reaches the pods giving the name that number, not every pod declaring it.
 */
function throughPortName(flow: SimFlow, edge: EdgeTraffic): SimFlow {
  return edge.targetPortName === undefined || edge.reachedByNumberToo === true || flow.icmp !== undefined ? flow : { ...flow, throughPortName: edge.targetPortName };
}

/** Why the engine wrote no ICMP rule: it has none, or (cilium) the cilium-config turns the agent's ICMP rules off. */
const noEchoRule = (engine: EngineName): string =>
  engine === 'cilium' ? 'the cilium-config sets enable-icmp-rules: "false", so the cilium engine writes no ICMP rule' : `the ${engine} engine has no ICMP rule`;

/** An observed edge's flow: it records no address (one object for every edge side, asked once per side). */
const UNADDRESSED: FlowAddressing = Object.freeze({});

/** A required flow's far end at the address it is required at, in that address's family (connectionFlow's `seen`). */
function farAddress(address: string | undefined, direction: Direction): FlowAddressing {
  const family = address === undefined ? undefined : ipFamily(address);
  if (family === undefined) return UNADDRESSED;
  return direction === 'egress' ? { family, serverIp: address } : { family, clientIp: address };
}

/**
 * The flow with its outside end resolved from `names` besides the names stored for its address (a
 * DNS name's stand-in where none is: synthesize/representative-flows.ts), as a flow record's
 * `destination_names` is simulated.
 */
function resolvedFrom<F extends SimFlow>(flow: F, names: readonly string[] | undefined): F {
  if (names === undefined) return flow;
  const named = (e: SimEndpoint): SimEndpoint => (e.kind === 'external' ? { ...e, names: [...(e.names ?? []), ...names] } : e);
  return { ...flow, client: named(flow.client), server: named(flow.server) };
}

/** The simulators a verification judges with: the recommended manifests alone, and with the applied policies beside them. */
interface Judges {
  /** The engine of the recommended manifests. */
  engine: EngineName;
  /** The cluster the sides are judged in. */
  model: ClusterModel;
  ours: Simulator;
  withApplied: Simulator | undefined;
  /**
   * What decides a direction the recommendation leaves open: the applied policies beside it; where
   * none are, under Cilium's `enable-policy: always` the recommendation alone, as every endpoint
   * then denies what no rule allows, selected or not (simulate/cilium/enforcement-mode.ts).
   */
  leftOpen: Simulator | undefined;
  /** `withApplied` where the network plugin matches ipBlocks against pod addresses (null: no applied policies); built on first use. */
  withAppliedOtherReading: () => Simulator | null;
  /**
   * Where Cilium judges the recommendation beside the applied policies (its reading of ipBlocks is
   * not in doubt: never a pod, so withAppliedOtherReading is null): the applied NetworkPolicies
   * alone, read by a plugin that matches ipBlocks against pod addresses — what tells a side Cilium
   * denies that another plugin would let through by an applied ipBlock (ciliumIpBlockNote). Null
   * otherwise, or no applied NetworkPolicy; built on first use.
   */
  appliedNetworkPoliciesMatchingPods: () => Simulator | null;
  /** `withApplied` in both orders of the recommended policies that tie with applied ones (priority-tie-readings.ts); undefined: no tie. */
  ties: TieReadings | undefined;
  /** The workloads' pods told apart by every policy judged (pods-apart.ts). */
  apart: PodsApart;
  /** A flow placed at the nodes it is judged at (host-network-nodes.ts), one function for the whole verification. */
  atNodes: <F extends SimFlow>(f: F) => F;
  /** Every applied policy, as the cluster enforces them before the recommendation is applied; built on first use. */
  before: () => Simulator;
  /** The ids of the replaced applied policies that select a workload, per direction (replaced-subjects.ts policiesSelecting); read on first use. */
  replacedSelecting: (workload: string) => Record<Direction, readonly string[]>;
  /** How each simulator judges host endpoints' sides (host-endpoint-sides.ts), undefined where it cannot deny one; undefined as a whole: neither can, and host ends are not judged. */
  hostEnds: { ours: HostEndsJudged | undefined; withApplied: HostEndsJudged | undefined } | undefined;
  /** The far workload of an edge side whose own side no side of the run is, judged under `leftOpen` (far-workload-sides.ts); undefined: none is judged. */
  farWorkload: ((edge: EdgeTraffic, direction: Direction) => FarWorkload | undefined) | undefined;
}

function judges(input: SimulateSidesInput): Judges {
  const { cluster } = input.model;
  const together = input.beside.length > 0 ? [...input.manifests, ...input.beside] : undefined;
  const beside = input.besideSimulator ?? input.simulator;
  // Built only when a finding about the applied policies may depend on the reading.
  let otherReading: Simulator | null | undefined;
  let appliedNetworkPolicies: Simulator | null | undefined;
  let before: Simulator | undefined;
  const ours = input.simulator(input.manifests, cluster);
  const withApplied = together && beside(together, cluster);
  const peerByNode = judgesPeerByNode(ours.engine) || (withApplied !== undefined && judgesPeerByNode(withApplied.engine));
  const ownHostOnIngress = judgesOwnHostOnIngress(ours.engine) || (withApplied !== undefined && judgesOwnHostOnIngress(withApplied.engine));
  const hostEnds = { ours: judgesHostEnds(ours, input.manifests, cluster, false), withApplied: together && judgesHostEnds(withApplied, together, cluster, true) };
  return {
    engine: input.engine,
    model: input.model,
    ours,
    withApplied,
    leftOpen: withApplied ?? (ours.engine === 'cilium' && deniesUnselected(cluster) ? ours : undefined),
    withAppliedOtherReading: () => (otherReading ??= (together && beside.ipBlocksMatchingPods?.(together, cluster)) ?? null),
    appliedNetworkPoliciesMatchingPods: () => (appliedNetworkPolicies ??= withApplied?.engine === 'cilium' ? networkPoliciesMatchingPods(input.beside, cluster) : null),
    ties: together && tieReadings(input.manifests, input.beside, cluster, beside),
    apart: new PodsApart(input.model, together ?? input.manifests, { peerByNode, ownHostOnIngress }),
    atNodes: (f) => atJudgedNodes(input.model, f),
    before: () => (before ??= beside(input.applied, cluster)),
    replacedSelecting: policiesSelecting(input.replaced, input.model, beside),
    hostEnds: hostEnds.ours || hostEnds.withApplied ? hostEnds : undefined,
    farWorkload: farWorkloadsJudged(ours, cluster, input.farSides),
  };
}

/** A restricted workload side whose tightness is measured: its observed pairs, `allowed` of them by the recommendation. */
interface TightnessSide {
  workload: string;
  direction: Direction;
  subject: SimEndpoint;
  observed: Probe[];
  allowed: number;
  /** The pairs its documented must flows name that it does not count as observed: probed. */
  documented: Probe[];
}

/** Simulates every edge side under the recommended manifests (and again with the applied policies beside them). */
export function simulateSides(input: SimulateSidesInput): SidesFound {
  const { model } = input;
  const j = judges(input);
  const found: SidesFound = { blocked: [], blockedByApplied: [], stillAllowed: [], denied: [], skipped: {}, tightness: [] };
  const sides = new Map<string, TightnessSide>();
  const outside = new Set(input.sides.filter((s) => s.outside === true).map((s) => s.workload));
  const replaced = input.sides.filter((s) => s.replacedBy !== undefined);
  const sidesOfRun = replaced.length === 0 ? input.sides : input.sides.filter((s) => s.replacedBy === undefined);

  // A direction the recommendation leaves open (--no-egress, a host-network workload) is the applied policies' to decide: what they deny is said too.
  const leftOpen = j.leftOpen;
  const appliedDecide = leftOpen
    ? (workload: string, direction: Direction, edge: EdgeTraffic): void => {
        const conn = verifiedFlow(j, edge, direction);
        if (!conn.ok) {
          judgeKubeletProbe(j, found, workload, direction, edge, leftOpen);
          return;
        }
        if (!cutByReplacing(j, found, workload, direction, edge, conn.each, LEFT_OPEN)) blockedByAppliedOnly(j, found, workload, direction, edge, conn.each, LEFT_OPEN, leftOpen);
        judgeOtherEnd(j, found, workload, direction, edge, conn, '');
      }
    : undefined;

  forEachSide(sidesOfRun, found.skipped, (workload, direction, edge, reason) => {
    const conn = verifiedFlow(j, edge, direction);
    if (!conn.ok) {
      if (!judgeKubeletProbe(j, found, workload, direction, edge)) countSkipped(found, conn.reason);
      if (input.tightness && !outside.has(workload)) observeKubeletProbe(j, sides, workload, direction, edge);
      return;
    }
    if (reason !== undefined) {
      judgeLeftOut(j, found, workload, direction, edge, conn.each, reason);
      return;
    }
    // An edge no flow had, that a Service leads the client to now (follow-services.ts): its findings say so.
    const followed = edge.followed === undefined ? '' : `; ${edge.followed.note}`;
    const allowed = judgeRequired(j, found, workload, direction, edge, conn.each, undefined, followed);
    judgeOtherEnd(j, found, workload, direction, edge, conn, followed);
    // Tightness is measured on ports (probes.ts): an echo edge is judged above, not probed.
    if (input.tightness && conn.flow.icmp === undefined && (outside.size === 0 || !outside.has(workload))) observePair(sides, workload, direction, conn.flow, allowed);
  }, appliedDecide);

  judgeRenumbered(j, found, sidesOfRun, input.tightness ? (workload, direction, flow, allowed) => observePair(sides, workload, direction, flow, allowed) : undefined);
  judgeDocumentedRequirements(input, j, found, input.tightness ? (workload, direction, flow) => documentedPair(sides, workload, direction, flow) : undefined);
  for (const s of replaced) judgeReplacedSubject(j, found, s);
  if (input.tightness) found.tightness.push(...measureTightness(model, j.ours, sidesOfRun, sides));
  return found;
}

const countSkipped = (found: SidesFound, reason: string): void => {
  found.skipped[reason] = (found.skipped[reason] ?? 0) + 1;
};

/**
 * A side the recommendation must allow (an included edge, or a flow a documented must `rule`
 * requires that nothing observed): blocked by the recommended policies, or by an applied policy
 * beside them, or fine. Whether the recommended policies allow it.
 */
function judgeRequired(j: Judges, found: SidesFound, workload: string, direction: Direction, edge: EdgeTraffic, each: Iterable<FlowAtPods<SimFlow>>, by?: RequiredFlow, note = ''): boolean {
  const required = by === undefined ? note : requiredNote(by, firstOf(each)!.flow, direction);
  // Most sides are allowed: their verdict's words are only needed when they are not.
  const denied = deniedAt(j.ours, each, direction);
  if (denied !== undefined) {
    const side = decideSide(j.ours, denied.flow, direction);
    const reason = `${side.reason}${denied.at}${unaddressedHostNetworkNote(j.model, edge, denied.flow, direction)}`;
    found.blocked.push(finding(workload, direction, edge, side, by === undefined ? `${reason}${required}` : `${reason}${required}: ${CUTS}${wayOut(by)}`));
  } else if (!blockedByTie(j, found, workload, direction, edge, each, required) && !cutByReplacing(j, found, workload, direction, edge, each, required)) {
    blockedByAppliedOnly(j, found, workload, direction, edge, each, required);
  }
  return denied === undefined;
}

/**
 * The included edges that came through a Service's named target port, judged again at each number
 * the name has now on the server's pods other than theirs (domain/service-links.ts
 * targetPortNumbersNow), as the same client's flow there: a rollout renumbered `http` 8080 → 9090
 * since the flows, and the Service sends the client's next connection to 9090 (ServicePort.targetPort
 * "will be looked up as a named port in the target Pod's container ports"), which a policy kept at
 * 8080 cuts. Only edges with a name whose numbers now differ from theirs; a number a side observed
 * already, or derived already, is judged once.
 */
function judgeRenumbered(j: Judges, found: SidesFound, sides: readonly VerifiedSides[], pair?: (workload: string, direction: Direction, flow: PortFlow, allowed: boolean) => void): void {
  for (const s of sides) {
    for (const direction of DIRECTIONS) {
      if (!s.restricted[direction]) continue;
      // The side's edges by key, built for a side with a renumbered edge only.
      let judged: Set<string> | undefined;
      for (const edge of s.edges[direction]) {
        const now = edge.targetPortName === undefined ? undefined : renumbered(j.model, edge);
        if (now === undefined || s.excluded[direction].has(edge)) continue;
        judged ??= new Set(s.edges[direction].map(edgeKey));
        for (const at of now.edges) {
          const key = edgeKey(at);
          if (judged.has(key)) continue;
          judged.add(key);
          const conn = verifiedFlow(j, at, direction);
          if (!conn.ok) continue;
          const allowed = judgeRequired(j, found, s.workload, direction, at, conn.each, undefined, now.note);
          judgeOtherEnd(j, found, s.workload, direction, at, conn, now.note);
          if (pair !== undefined && s.outside !== true && conn.flow.icmp === undefined) pair(s.workload, direction, conn.flow, allowed);
        }
      }
    }
  }
}

/** An edge through a target port name at each other number the name has now on its server's pods (the model's: the inventory read), with what a finding there says; undefined: none. */
function renumbered(model: ClusterModel, edge: EdgeTraffic): { edges: EdgeTraffic[]; note: string } | undefined {
  if (edge.targetPortName === undefined || edge.server.kind !== 'workload') return undefined;
  const server = workloadKey(edge.server.workload);
  const numbers = targetPortNumbersNow(edge, model.podOf(server)?.ports ?? []);
  const others = numbers.filter((n) => n !== edge.port);
  if (others.length === 0) return undefined;
  return { edges: others.map((port) => ({ ...edge, port })), note: `; ${targetPortNowNote(edge.targetPortName, numbers, server)} (observed on ${edge.port})` };
}

/**
 * The observed sides of a workload outside a scoped run that replaced applied policies selected
 * (`s.replacedBy`, replaced-subjects.ts), judged before and after the replacement (`judgeReplacedEdge`).
 */
function judgeReplacedSubject(j: Judges, found: SidesFound, s: VerifiedSides): void {
  for (const direction of DIRECTIONS) {
    const replaced = s.replacedBy?.[direction] ?? [];
    if (replaced.length === 0) continue;
    for (const edge of s.edges[direction]) {
      const conn = verifiedFlow(j, edge, direction);
      if (!conn.ok) countSkipped(found, conn.reason);
      else judgeReplacedEdge(j, found, s.workload, direction, edge, conn.each, replaced, OUTSIDE_THE_SCOPE, '');
    }
  }
}

const OUTSIDE_THE_SCOPE = " outside the run's scope and allows it now";
const OF_THE_RUN = ' and allows it now';

/**
 * A side of the run whose workload a replaced applied policy selects in `direction` (a direction
 * the recommendation leaves open, `note`: LEFT_OPEN; or an included edge the applied policies
 * beside it deny): judged before and after the replacement (`judgeReplacedEdge`). A pod may do
 * what the union of the policies selecting it allows (NetworkPolicySpec), and `kubectl apply`
 * replaces the applied object of the same kind, namespace and name, so the replaced policy's rules
 * are gone for it even where the recommendation leaves the direction to the applied policies.
 * Whether it was cut.
 */
function cutByReplacing(j: Judges, found: SidesFound, workload: string, direction: Direction, edge: EdgeTraffic, each: Iterable<FlowAtPods<SimFlow>>, note: string): boolean {
  const replaced = j.replacedSelecting(workload)[direction];
  return replaced.length > 0 && judgeReplacedEdge(j, found, workload, direction, edge, each, replaced, OF_THE_RUN, note);
}

/**
 * An edge side of a workload that the applied policies `replaced` select: allowed under every
 * applied policy (before) and denied under the recommendation beside the applied policies it
 * leaves (after), at some pod, it is cut by applying the recommendation: blocked, naming the
 * replaced policies (`selects`: how they select the workload; `note`: what the finding notes). What
 * was denied before is not the replacement's doing and is not said. Whether it was cut.
 */
function judgeReplacedEdge(j: Judges, found: SidesFound, workload: string, direction: Direction, edge: EdgeTraffic, each: Iterable<FlowAtPods<SimFlow>>, replaced: readonly string[], selects: typeof OUTSIDE_THE_SCOPE | typeof OF_THE_RUN, note: string): boolean {
  const after = j.withApplied ?? j.ours;
  const cut = firstOf(each, (f) => !sideAllows(after, f.flow, direction) && sideAllows(j.before(), f.flow, direction));
  if (cut === undefined) return false;
  const side = decideSide(after, cut.flow, direction);
  const reason = `${side.reason}${cut.at}, once the recommendation replaces the applied ${replaced.join(', ')} (kubectl apply: same kind, namespace and name), which selects this workload${selects}${note}: ${CUTS}; rename the applied policy first (it then stays beside the recommendation)${selects === OUTSIDE_THE_SCOPE ? ', or run without the scope' : ''}`;
  found.blocked.push({ ...finding(workload, direction, edge, side, reason), replaced: [...replaced] });
  return true;
}

/**
 * A required side that the two orders of a tie between recommended and applied policies decide
 * apart is blocked: the cluster may apply either order (priority-tie-readings.ts), so applying the
 * recommendation may cut it — as much the recommendation's priority's doing as the applied
 * policy's. Whether it was.
 */
function blockedByTie(j: Judges, found: SidesFound, workload: string, direction: Direction, edge: EdgeTraffic, each: Iterable<FlowAtPods<SimFlow>>, note: string): boolean {
  const t = j.ties;
  if (t === undefined) return false;
  const apart = firstOf(each, (f) => sideAllows(t.oursFirst, f.flow, direction) !== sideAllows(t.appliedFirst, f.flow, direction));
  if (apart === undefined) return false;
  const oursFirst = sideAllows(t.oursFirst, apart.flow, direction);
  const denied = decideSide(oursFirst ? t.appliedFirst : t.oursFirst, apart.flow, direction);
  const tie = denied.by === undefined ? undefined : t.tieOf.get(denied.by.policy);
  const order = oursFirst ? 'the applied policies first' : 'the recommended policies first';
  const why = tie === undefined ? 'policies of one tier and priority' : tieWords(tie);
  found.blocked.push(finding(workload, direction, edge, denied, `undetermined: ${why}, and the implementation can apply any of them (network-policy-api, ClusterNetworkPolicy "priority"); taking ${order}, ${denied.reason}${apart.at}${note}: ${CUTS} on such a cluster; give one of them another priority`));
  return true;
}

/**
 * What a finding on a flow a must rule requires, not observed yet, says of it: `; <rule> (must)
 * requires it, not observed yet`; on one that stands for an exposed workload's clients: `; exposed
 * by Service shop/web type LoadBalancer: a client outside the cluster may reach 8080/TCP
 * (198.51.100.1 on 8080/TCP stands for it)`.
 */
function requiredNote(by: RequiredFlow, flow: SimFlow, direction: Direction): string {
  if (by.exposed) return `; ${by.rule}: ${by.stands ?? 'any client'} may reach ${flow.port}/${flow.protocol} (${standsFor(flow, direction)} stands for it)`;
  return by.stands === undefined ? `; ${by.rule} (must) requires it, not observed yet` : `; ${by.rule} (must) requires ${by.stands}, not observed yet (${standsFor(flow, direction)} stands for it)`;
}

/**
 * The other end's side of an edge side that must stay open (included, required, or left to the
 * applied policies), where that end is a node's host endpoint (host-endpoint-sides.ts): blocked
 * where the recommended policies deny it there, blockedByApplied where the applied ones beside them
 * do (`note` ends its reason). Nothing where no host policy is enforced (`j.hostEnds`).
 */
function judgeHostEnd(j: Judges, found: SidesFound, workload: string, direction: Direction, edge: EdgeTraffic, each: Iterable<FlowAtPods<SimFlow>>, note: string, localPod = false): void {
  if (j.hostEnds === undefined) return;
  const judges = (h: HostEndsJudged | undefined): boolean => h !== undefined && (!localPod || h.localPods);
  const ours = judges(j.hostEnds.ours) ? hostEndDenied(j.ours, j.model, each, direction) : undefined;
  const denied = ours ?? (judges(j.hostEnds.withApplied) && j.withApplied ? hostEndDenied(j.withApplied, j.model, each, direction) : undefined);
  if (denied === undefined) return;
  const node = denied.node === undefined ? {} : { hostNode: denied.node };
  const f = { ...finding(workload, direction, edge, denied.side, `${denied.side.reason}${denied.at}${note}`), hostEndpoint: opposite(direction), ...node };
  (ours !== undefined ? found.blocked : found.blockedByApplied).push(f);
}

/**
 * The other end's side of an edge side that must stay open (included, required, or left to the
 * applied policies): a node's host endpoint (`judgeHostEnd`), or a workload outside a scoped run
 * (`judgeFarWorkload`).
 */
function judgeOtherEnd(j: Judges, found: SidesFound, workload: string, direction: Direction, edge: EdgeTraffic, conn: { whole: SimFlow; each: Iterable<FlowAtPods<SimFlow>> }, note: string): void {
  judgeHostEnd(j, found, workload, direction, edge, conn.each, note);
  judgeFarWorkload(j, found, workload, direction, edge, conn.whole, note);
}

/**
 * The other end's side of an edge side that must stay open, where that end is a workload outside
 * a scoped run that an applied policy selects there, or any such workload where Cilium's
 * `enable-policy: always` has it deny what no rule allows (far-workload-sides.ts): judged under
 * what applying the output leaves in force there (`Judges.leftOpen`: the recommendation beside the
 * applied policies), at each pod pair that side's policies tell apart. A denial is in
 * blockedByApplied, naming the far workload and why its side is judged: the run writes no policy
 * for it, the cluster's state cuts it (`note` ends its reason).
 */
function judgeFarWorkload(j: Judges, found: SidesFound, workload: string, direction: Direction, edge: EdgeTraffic, whole: SimFlow, note: string): void {
  const far = j.farWorkload?.(edge, direction);
  if (far === undefined || j.leftOpen === undefined) return;
  const there = opposite(direction);
  const denied = deniedBeside(j, j.leftOpen, j.apart.side(whole, there, j.atNodes), there);
  if (denied === undefined) return;
  const reason = `at ${far.workload}'s ${there}${outsideTheRun(far.why)}: ${denied.words}${note}`;
  const f: EdgeFinding = { ...finding(workload, direction, edge, denied.side, reason), farSide: there };
  found.blockedByApplied.push(denied.onOneReading ? { ...f, dependsOnIpBlockReading: true } : f);
}

/**
 * A kubelet probe (`kubelet:<node>` to the workload's pod on that node), which every plugin lets
 * in whatever the policy but Cilium, under `allow-localhost: policy` or where a deny rule matches
 * the local host (local-host-probes.ts): judged on Cilium at the pod's ingress there as a side
 * the policies must allow — by the recommended policies, or, on a direction the recommendation
 * leaves open, by `leftOpen` (what decides it) —, and elsewhere counted as skipped by the caller.
 * Judged at its node's host endpoint's egress too where the engine polices the host's traffic
 * with its own pods (host-endpoint-sides.ts: Cilium's host firewall, not Calico). What either denies cuts the probe: the pod is restarted, or never ready.
 * Whether its pod side was judged.
 */
function judgeKubeletProbe(j: Judges, found: SidesFound, workload: string, direction: Direction, edge: EdgeTraffic, leftOpen?: Simulator): boolean {
  if (direction !== 'ingress' || edge.client.kind !== 'kubelet') return false;
  const atPod = judgesProbeAtPod(leftOpen ?? j.ours);
  if (!atPod && j.hostEnds === undefined) return false;
  const probe = kubeletProbe(j.model, edge);
  if (probe === undefined) return false;
  if (atPod) judgeProbeAtPod(j, found, workload, edge, edge.client.node, probe, leftOpen);
  if (j.hostEnds !== undefined) judgeHostEnd(j, found, workload, direction, edge, probe, KUBELET_PROBE, true);
  return atPod;
}

/**
 * A kubelet probe at its pod's ingress on Cilium: blocked where the recommended policies deny it,
 * with the way out; blockedByApplied where only the applied policies beside them do (or, on a
 * direction the recommendation leaves open, `leftOpen`).
 */
function judgeProbeAtPod(j: Judges, found: SidesFound, workload: string, edge: EdgeTraffic, node: string, probe: readonly FlowAtPods<SimFlow>[], leftOpen: Simulator | undefined): void {
  const note = probeAtPodNote(node, j.model.cluster);
  if (leftOpen !== undefined) {
    blockedByAppliedOnly(j, found, workload, 'ingress', edge, probe, `${LEFT_OPEN}${note}`, leftOpen);
    return;
  }
  const denied = deniedAt(j.ours, probe, 'ingress');
  if (denied !== undefined) {
    const side = decideSide(j.ours, denied.flow, 'ingress');
    found.blocked.push(finding(workload, 'ingress', edge, side, `${side.reason}${denied.at}${note}${probeWayOut(j.engine, j.model.cluster)}`));
  } else if (judgesProbeAtPod(j.withApplied)) blockedByAppliedOnly(j, found, workload, 'ingress', edge, probe, note);
}

const KUBELET_PROBE = "; the kubelet's probe of the pod on its own node leaves through the node's host endpoint (host policies are enforced between the host and its own pods)";

/** A direction the recommendation leaves open (--no-egress, a host-network workload): the applied policies decide it. */
const LEFT_OPEN = '; the recommendation leaves this direction open, the applied policies decide it';

/**
 * A side the applied policies beside the recommendation deny (`withApplied`; on a direction it
 * leaves open, `Judges.leftOpen`): a blockedByApplied finding (`note` ends its reason).
 */
function blockedByAppliedOnly(j: Judges, found: SidesFound, workload: string, direction: Direction, edge: EdgeTraffic, each: Iterable<FlowAtPods<SimFlow>>, note: string, withApplied = j.withApplied): void {
  const denied = withApplied && deniedBeside(j, withApplied, each, direction);
  if (denied === undefined) return;
  const f = finding(workload, direction, edge, denied.side, `${denied.words}${note}`);
  found.blockedByApplied.push(denied.onOneReading ? { ...f, dependsOnIpBlockReading: true } : f);
}

/**
 * Where `withApplied` (the applied policies beside the recommendation, or what decides a direction
 * it leaves open) denies `direction`'s side at one of `each`: the verdict there, its words, and
 * whether it holds on one reading of ipBlocks only (`withAppliedOtherReading` allows it at every
 * one), which the words then say.
 */
function deniedBeside(j: Judges, withApplied: Simulator, each: Iterable<FlowAtPods<SimFlow>>, direction: Direction): { side: SideVerdict; words: string; onOneReading: boolean } | undefined {
  const denied = deniedAt(withApplied, each, direction);
  if (denied === undefined) return undefined;
  const side = decideSide(withApplied, denied.flow, direction);
  const other = j.withAppliedOtherReading();
  const onOneReading = other !== null && allowedAtEvery(other, each, direction);
  return { side, words: `${side.reason}${denied.at}${onOneReading ? ONE_IPBLOCK_READING : ''}`, onOneReading };
}

const ONE_IPBLOCK_READING = ' — only where the network plugin does not match ipBlocks against pod addresses; where it does, the applied policies allow it';

/**
 * An edge the recommendation leaves out (`reason`): denied, or still allowed by a broader rule of
 * ours or by an applied policy beside them — at any pod of a workload end the policies tell apart.
 */
function judgeLeftOut(j: Judges, found: SidesFound, workload: string, direction: Direction, edge: EdgeTraffic, each: Iterable<FlowAtPods<SimFlow>>, reason: string): void {
  const open = (sim: Simulator) => sideAtFirst(sim, each, direction, true);
  const ours = open(j.ours);
  if (ours.side.allowed) {
    found.stillAllowed.push(finding(workload, direction, edge, ours.side, `left out (${reason}) but allowed: ${ours.side.reason}${ours.at}`));
    return;
  }
  // Applying the recommendation leaves the applied policies of other names in force: one of them may keep it open.
  const applied = j.withApplied && open(j.withApplied);
  if (applied?.side.allowed) {
    found.stillAllowed.push({ ...finding(workload, direction, edge, applied.side, `left out (${reason}) but an applied policy beside the recommendation allows it: ${applied.side.reason}${applied.at}; delete or tighten it`), byApplied: true });
    return;
  }
  const other = applied && j.withAppliedOtherReading();
  const otherOpen = other ? open(other) : undefined;
  if (otherOpen?.side.allowed) {
    const otherSide = otherOpen.side;
    found.stillAllowed.push({
      ...finding(workload, direction, edge, otherSide, `left out (${reason}) but, where the network plugin matches ipBlocks against pod addresses, an applied policy beside the recommendation allows it: ${otherSide.reason}${otherOpen.at}; delete or tighten it`),
      byApplied: true,
      dependsOnIpBlockReading: true,
    });
    return;
  }
  if (applied === undefined) {
    found.denied.push(finding(workload, direction, edge, ours.side, reason));
    return;
  }
  // Denied beside the applied policies too: those of them that isolate the side are named with the recommended ones, and why none of their rules counts.
  const isolating = (applied.side.isolatedBy ?? []).filter((id) => !(ours.side.isolatedBy ?? []).includes(id));
  if (isolating.length === 0) {
    found.denied.push(finding(workload, direction, edge, ours.side, reason));
    return;
  }
  const engine = j.withApplied?.engine ?? j.engine;
  const words = `${reason}; beside the recommendation, the applied ${isolating.join(', ')} ${isolating.length === 1 ? 'isolates' : 'isolate'} it too and no rule of ${isolating.length === 1 ? 'it' : 'them'} allows it as ${engine} reads ${isolating.length === 1 ? 'it' : 'them'}${ciliumIpBlockNote(j, each, direction)}`;
  found.denied.push(finding(workload, direction, edge, { ...ours.side, isolatedBy: [...(ours.side.isolatedBy ?? []), ...isolating] }, words));
}

/** The applied NetworkPolicies among `beside`, read with ipBlocks matching pod addresses (Judges.appliedNetworkPoliciesMatchingPods); null: none. */
function networkPoliciesMatchingPods(beside: readonly unknown[], cluster: SimCluster): Simulator | null {
  const nps = beside.filter((m) => {
    const o = (typeof m === 'object' && m !== null ? m : {}) as { apiVersion?: unknown; kind?: unknown };
    return o.apiVersion === 'networking.k8s.io/v1' && o.kind === 'NetworkPolicy';
  });
  const factory = SIMULATORS.kubernetes.ipBlocksMatchingPods;
  return nps.length > 0 && factory !== undefined ? factory(nps, cluster) : null;
}

/**
 * Where Cilium denies a side that an applied NetworkPolicy's ipBlock would allow on a plugin that
 * matches ipBlocks against pod addresses (the kubernetes output says it is still allowed there):
 * which rule, and why it does not count on Cilium — it converts an ipBlock to a CIDR selector, and
 * "CIDR rules do not apply to traffic where both sides of the connection are either managed by
 * Cilium or use an IP belonging to a node in the cluster" (cilium/cilium
 * Documentation/security/policy/language.rst, Layer 3 "CIDR based"; a pod's identity is its
 * labels). Empty otherwise.
 */
function ciliumIpBlockNote(j: Judges, each: Iterable<FlowAtPods<SimFlow>>, direction: Direction): string {
  const nps = j.appliedNetworkPoliciesMatchingPods();
  if (nps === null) return '';
  const open = sideAtFirst(nps, each, direction, true);
  if (!open.side.allowed || open.side.by === undefined) return '';
  return ` — ${open.side.reason}${open.at} only where the network plugin matches ipBlocks against pod addresses: Cilium never matches an ipBlock against a pod address (it reads an ipBlock as a CIDR rule, and "CIDR rules do not apply to traffic where both sides of the connection are either managed by Cilium or use an IP belonging to a node in the cluster": docs.cilium.io, policy language, Layer 3, CIDR based), so that rule does not keep it open`;
}

/**
 * Flows a documented must rule requires that nothing observed: judged like included edges. On a
 * direction the recommendation leaves open, the applied policies decide them (`Judges.leftOpen`), as
 * they decide the observed edges there (appliedDecide): what those deny is in blockedByApplied. Those
 * of a workload outside a scoped run that replaced applied policies select (`s.replacedBy`) are judged
 * as its observed edges are, before and after the replacement (judgeReplacedSubject).
 */
function judgeDocumentedRequirements(input: SimulateSidesInput, j: Judges, found: SidesFound, pair?: (workload: string, direction: Direction, flow: PortFlow) => void): void {
  for (const s of input.sides) {
    for (const direction of DIRECTIONS) {
      const restricted = s.restricted[direction];
      const replaced = s.replacedBy?.[direction];
      if ((!restricted && !j.leftOpen) || replaced?.length === 0) continue;
      for (const f of s.documented?.[direction] ?? []) {
        const edge = f.outside === 'world' ? inSubjectsFamily(input.model, f.edge, direction) : f.edge;
        const conn = verifiedFlow(j, edge, direction, f);
        if (!conn.ok) {
          if (restricted) countSkipped(found, conn.reason);
          continue;
        }
        const unusable = f.outside === 'address' ? unusableFamily(input.model, conn.flow, direction) : undefined;
        if (unusable !== undefined) {
          // A rule none of whose representatives the workload can reach is warned of (synthesize/representative-flows.ts withUnreachableFamily).
          if (restricted) countSkipped(found, `a representative address of a family the workload cannot use (IPv${unusable.far}, and the workload can use IPv${unusable.own} only)`);
          continue;
        }
        if (replaced !== undefined) judgeReplacedEdge(j, found, s.workload, direction, edge, conn.each, replaced, OUTSIDE_THE_SCOPE, requiredNote(f, conn.flow, direction));
        else if (restricted) {
          judgeRequired(j, found, s.workload, direction, edge, conn.each, f);
          if (pair !== undefined && s.outside !== true && conn.flow.icmp === undefined) pair(s.workload, direction, conn.flow);
        } else {
          const note = `${requiredNote(f, conn.flow, direction)}${LEFT_OPEN}`;
          if (!cutByReplacing(j, found, s.workload, direction, edge, conn.each, note)) blockedByAppliedOnly(j, found, s.workload, direction, edge, conn.each, note, j.leftOpen);
        }
        // A replaced policy's subject outside the run (replaced-subjects.ts): its flows are not the run's, their far side is judged at a host endpoint only.
        if (replaced !== undefined) judgeHostEnd(j, found, s.workload, direction, edge, conn.each, requiredNote(f, conn.flow, direction));
        else judgeOtherEnd(j, found, s.workload, direction, edge, conn, requiredNote(f, conn.flow, direction));
      }
    }
  }
}

/**
 * A representative flow to or from the world is judged at the world address of the family the
 * workload can use (verify/probes.ts worldProbe: the IPv6 one for an IPv6-only workload).
 */
function inSubjectsFamily(model: ClusterModel, edge: EdgeTraffic, direction: Direction): EdgeTraffic {
  const far = direction === 'egress' ? edge.server : edge.client;
  if (far.kind !== 'external') return edge;
  const conn = connectionFlow(model, edge.client, edge.server, edge.port, edge.protocol);
  if (!conn.ok) return edge;
  const ip = worldProbe(model, direction === 'egress' ? conn.flow.client : conn.flow.server);
  if (ip === far.ip) return edge;
  return direction === 'egress' ? { ...edge, server: { kind: 'external', ip } } : { ...edge, client: { kind: 'external', ip } };
}

/**
 * A representative address of its own (a block's, a DNS name's: synthesize/representative-flows.ts)
 * is judged where the workload can use its family: an IPv4-only pod never sends to an IPv6 block.
 * The families apart where it cannot, else undefined.
 */
function unusableFamily(model: ClusterModel, flow: SimFlow, direction: Direction): { far: IpFamily; own: IpFamily } | undefined {
  const far = direction === 'egress' ? flow.server : flow.client;
  const own = model.families(direction === 'egress' ? flow.client : flow.server);
  if (far.kind !== 'external' || own === undefined || own === 'both') return undefined;
  const family = ipFamily(far.ip);
  return family !== undefined && family !== own ? { far: family, own } : undefined;
}

/** The far end of a representative flow, as its finding names it: `198.51.100.1 on 443/TCP`. */
function standsFor(flow: SimFlow, direction: Direction): string {
  const far = direction === 'egress' ? flow.server : flow.client;
  const who = far.kind === 'pod' ? `${far.pod.namespace}/${far.pod.name ?? ''}` : far.kind === 'node' ? `node ${far.node.name}` : far.kind === 'cilium-ingress' ? "Cilium's Ingress proxy" : far.ip;
  return `${who} on ${flow.port}/${flow.protocol}`;
}

/** The warnings of the must flows the verification cannot judge, of the directions the recommendation restricts (VerifiedSides.unverified). */
export function unverifiedMustFlows(sides: readonly VerifiedSides[]): string[] {
  return sides.flatMap((s) => DIRECTIONS.flatMap((d) => (s.restricted[d] ? (s.unverified?.[d] ?? []) : [])));
}

/** The side of `flow` at `workload`, made on first use. */
function tightnessSide(sides: Map<string, TightnessSide>, workload: string, direction: Direction, subject: SimEndpoint): TightnessSide {
  const k = `${workload}|${direction}`;
  let entry = sides.get(k);
  if (entry === undefined) sides.set(k, (entry = { workload, direction, subject, observed: [], allowed: 0, documented: [] }));
  return entry;
}

const farPair = (flow: PortFlow, direction: Direction): Probe => ({ peer: direction === 'ingress' ? flow.client : flow.server, port: flow.port, protocol: flow.protocol });

/** Adds an included edge's (far peer, port, protocol) to its side's observed pairs. */
function observePair(sides: Map<string, TightnessSide>, workload: string, direction: Direction, flow: PortFlow, allowed: boolean): void {
  const entry = tightnessSide(sides, workload, direction, direction === 'ingress' ? flow.server : flow.client);
  // Observed pairs of a side are distinct: its edges are (far peer, port, protocol) apart.
  entry.observed.push(farPair(flow, direction));
  if (allowed) entry.allowed++;
}

/**
 * Adds a kubelet probe (`kubelet:<node>`) to its restricted ingress's observed pairs: traffic the
 * recommendation must keep, so never looseness. Allowed where the engine lets it in: on Cilium,
 * where the verification judges it at the pod (local-host-probes.ts), as the recommended policies
 * decide; elsewhere whatever the policies say (simulate/decide.ts fromOwnNode). Its peer is the
 * node, so the node probe of the same node and port is this pair (probes.ts extraProbes).
 */
function observeKubeletProbe(j: Judges, sides: Map<string, TightnessSide>, workload: string, direction: Direction, edge: EdgeTraffic): void {
  if (direction !== 'ingress' || edge.client.kind !== 'kubelet') return;
  const pod = j.model.podOf(workload);
  if (pod === undefined || pod.hostNetwork) return;
  const probe = kubeletProbe(j.model, edge);
  const flow = probe?.[0]?.flow;
  if (probe === undefined || flow === undefined || flow.icmp !== undefined) return;
  // The workload's stand-in, as a side with no observed edge is measured at (measureTightness), not the pod placed on the probing node.
  const entry = tightnessSide(sides, workload, direction, { kind: 'pod', pod });
  entry.observed.push(farPair(flow, direction));
  if (!judgesProbeAtPod(j.ours) || allowedAtEvery(j.ours, probe, direction)) entry.allowed++;
}

/** Adds a documented must flow's (far peer, port, protocol) to its side's probes. */
function documentedPair(sides: Map<string, TightnessSide>, workload: string, direction: Direction, flow: PortFlow): void {
  tightnessSide(sides, workload, direction, direction === 'ingress' ? flow.server : flow.client).documented.push(farPair(flow, direction));
}

/**
 * The tightness of every restricted side of the run (`runSides`, those outside a scoped run left
 * out): the sides with observed pairs (`measured`), and those where nothing was observed, at the
 * workload's stand-in pod, which get a figure when they allow something.
 */
function measureTightness(model: ClusterModel, ours: Simulator, runSides: readonly VerifiedSides[], measured: Map<string, TightnessSide>): Tightness[] {
  for (const s of runSides) {
    if (s.outside === true) continue;
    const pod = model.podOf(s.workload);
    // A host-network stand-in is its node, which no pod policy selects: its probes would say nothing of the policies.
    if (pod === undefined || pod.hostNetwork) continue;
    for (const d of DIRECTIONS) if (s.restricted[d]) tightnessSide(measured, s.workload, d, { kind: 'pod', pod });
  }
  const overlap = new SelectorOverlap(model);
  const out: Tightness[] = [];
  for (const s of measured.values()) {
    const t = sideTightness(model, ours, s, borrowedPairs(s, measured, overlap), overlap);
    if (t !== undefined) out.push(t);
  }
  return out;
}

/**
 * The pairs the policies of other workloads allow at a side, where their selector selects its
 * subject's pods too (policies are additive): their observed and documented pairs in the same
 * direction. Such workloads share the subject's namespace, so their sides are in the same chunk.
 */
function borrowedPairs(s: TightnessSide, measured: ReadonlyMap<string, TightnessSide>, overlap: SelectorOverlap): Probe[] {
  if (s.subject.kind !== 'pod') return [];
  const out: Probe[] = [];
  for (const other of overlap.selecting(s.subject.pod)) {
    const theirs = measured.get(`${other.key}|${s.direction}`);
    if (theirs === undefined) continue;
    const why = `counts what the policies of ${other.key} allow: its selector selects these pods too (see ${other.key}'s warning)`;
    for (const p of [...theirs.observed, ...theirs.documented]) out.push({ ...p, why });
  }
  return out;
}

/**
 * A side's tightness: its observed pairs and the probes of a looser policy that the recommendation
 * allows, over the observed pairs; undefined for a side where nothing was observed and nothing is
 * allowed. Its note says where a selector overlap brought pairs in, then which pairs the engine
 * lets through with no rule of the output deciding.
 */
function sideTightness(model: ClusterModel, ours: Simulator, s: TightnessSide, borrowed: readonly Probe[], overlap: SelectorOverlap): Tightness | undefined {
  const observed = s.observed.length;
  // Nothing observed at a host-network subject (a documented flow's): no pod policy selects it, every probe would pass.
  if (observed === 0 && (s.subject.kind !== 'pod' || s.subject.pod.hostNetwork)) return undefined;
  let allowed = s.allowed;
  const notes = new Set<string>();
  const letThrough: LetThrough[] = [];
  const probes = extraProbes(model, s.subject, s.direction, s.observed, { pairs: [...s.documented, ...borrowed], overlap, anyPort: observed === 0 });
  for (const p of probes) {
    const flow: SimFlow = s.direction === 'ingress' ? { client: p.peer, server: s.subject, port: p.port, protocol: p.protocol } : { client: s.subject, server: p.peer, port: p.port, protocol: p.protocol };
    const verdict = allowedProbe(ours, flow, s.direction);
    if (verdict === undefined) continue;
    if (verdict.by === undefined) {
      // Where nothing was observed, only what the output itself opens makes a side wider than its observations.
      if (observed === 0) continue;
      letThrough.push({ peer: p.peer, verdict });
    } else if (p.why !== undefined) notes.add(p.why);
    allowed++;
  }
  if (observed === 0 && allowed === 0) return undefined;
  const words = [...notes].sort(compareStrings);
  const byDefault = engineDefaultNote(ours.engine, s.direction, letThrough);
  if (byDefault !== undefined) words.push(byDefault);
  const note = words.length > 0 ? { note: words.join('; ') } : {};
  if (observed === 0) return { workload: s.workload, direction: s.direction, observed, allowed, ratio: null, unbounded: true, ...note };
  return { workload: s.workload, direction: s.direction, observed, allowed, ratio: Math.round((allowed / observed) * 100) / 100, ...note };
}

/**
 * The verdict of a probe its side allows (by a rule of the manifests, or by what the engine lets
 * through with no rule: Cilium's local host by default, a peer kind an isolation does not cover);
 * undefined where denied. Put into words only when allowed, which few probes are.
 */
function allowedProbe(sim: Simulator, flow: SimFlow, direction: Direction): SideVerdict | undefined {
  return sideAllows(sim, flow, direction) ? decideSide(sim, flow, direction) : undefined;
}

const CUTS = 'applying this cuts required traffic';
const wayOut = (by: Requirement): string => (by.keptBy !== undefined ? `; ${by.keptBy}` : '');

/** A side a documented `must` rule requires, by `${edgeKey}|${direction}` of the rule's owner (VerifiedSides.required). */
export type RequiredSides = ReadonlyMap<string, RequiredEdge & { workload: string }>;

export function requiredSides(sides: readonly VerifiedSides[]): RequiredSides {
  const out = new Map<string, RequiredEdge & { workload: string }>();
  for (const s of sides) {
    for (const d of ['ingress', 'egress'] as const) for (const [edge, r] of s.required?.[d] ?? []) out.set(`${edgeKey(edge)}|${d}`, { ...r, workload: s.workload });
  }
  return out;
}

/**
 * The must rule that requires the side of finding `f`, and whose it is: its own workload's (the
 * side is the rule's owner's), else the workload's at the other end, where its rule names this
 * one; with what keeps the flow (`; mode union keeps it`, or nothing).
 */
function requirementOf(f: EdgeFinding, required: RequiredSides): { says: string; wayOut: string } | undefined {
  if (required.size === 0) return undefined;
  const here = required.get(`${f.edge}|${f.direction}`);
  if (here !== undefined && here.workload === f.workload) {
    // A rule of a workload outside a scoped run, put on this side: worded as from the other end.
    const says = here.exposed ? `the Ingress controller's pods reach it (${here.rule})` : here.owner !== undefined ? `${here.rule} requires it (${here.owner}'s ${opposite(f.direction)})` : `${here.rule} (must) requires it`;
    return { says, wayOut: wayOut(here) };
  }
  const there = required.get(`${f.edge}|${opposite(f.direction)}`);
  return there?.otherEnd ? { says: `${there.rule} requires it (${there.workload}'s ${opposite(f.direction)})`, wayOut: wayOut(there) } : undefined;
}

/**
 * The verification from what the sides' simulations found (in any order: every list is sorted
 * here), the admission errors in manifest order, and the engine's warnings. A side left out and
 * denied whose edge a documented `must` rule requires (`required`: of its own workload, or of the
 * workload at the other end, naming this one) is blocked: the traffic is cut, whichever side cuts
 * it and whatever left it out (mode observed and a must rule seen long ago only; an undocumented
 * server under a namespace default-deny, in mode documented, cutting what its client's matrix
 * says it must send).
 */
export function completeVerification(engine: EngineName, admission: ManifestError[], parts: readonly SidesFound[], warnings: readonly string[], unverified: readonly string[], required: RequiredSides = new Map()): Verification {
  const all = <K extends 'blocked' | 'blockedByApplied' | 'stillAllowed' | 'denied'>(k: K): EdgeFinding[] => parts.flatMap((p) => p[k]).sort(byFinding);
  const skipped: Record<string, number> = {};
  for (const p of parts) for (const [reason, n] of Object.entries(p.skipped)) skipped[reason] = (skipped[reason] ?? 0) + n;
  const denied: EdgeFinding[] = [];
  const cut: EdgeFinding[] = [];
  for (const f of all('denied')) {
    const by = requirementOf(f, required);
    if (by === undefined) denied.push(f);
    else cut.push({ ...f, reason: `${f.reason}, but ${by.says}: ${CUTS}${by.wayOut}` });
  }
  // Left out, denied by the recommended policies, and kept open only by an applied policy beside
  // them: required all the same. The recommendation alone cuts it (as an included edge is judged),
  // and "delete or tighten" that policy, as said of the others, would cut it too.
  const stillAllowed: EdgeFinding[] = [];
  for (const f of all('stillAllowed')) {
    const by = f.byApplied ? requirementOf(f, required) : undefined;
    if (by === undefined) stillAllowed.push(f);
    else {
      const { byApplied: _, dependsOnIpBlockReading: __, ...rest } = f;
      cut.push({ ...rest, reason: `the recommended policies deny it and only an applied policy beside them allows it (${f.by?.policy ?? 'see the applied policies'}), but ${by.says}: ${CUTS} wherever that policy goes${by.wayOut}` });
    }
  }
  const blocked = cut.length > 0 ? [...all('blocked'), ...cut].sort(byFinding) : all('blocked');
  return {
    engine,
    ok: admission.length === 0 && blocked.length === 0,
    admission,
    blocked,
    blockedByApplied: all('blockedByApplied'),
    stillAllowed,
    denied,
    skipped: Object.fromEntries(Object.entries(skipped).sort(([a], [b]) => compareStrings(a, b))),
    tightness: parts.flatMap((p) => p.tightness).sort((a, b) => compareStrings(a.workload, b.workload) || compareStrings(a.direction, b.direction)),
    warnings: [...warnings, ...unverified].sort(compareStrings),
    unverifiedMustFlows: [...unverified].sort(compareStrings),
  };
}

const byFinding = (a: EdgeFinding, b: EdgeFinding): number =>
  compareStrings(a.workload, b.workload) || compareStrings(a.direction, b.direction) || compareStrings(a.edge, b.edge) || compareStrings(a.hostEndpoint ?? '', b.hostEndpoint ?? '') || compareStrings(a.farSide ?? '', b.farSide ?? '');

/**
 * What the engine would refuse of the manifests (sorted by key, as an EmitResult holds them), and
 * the manifests whose names repeat, in the order verify/in-chunks.ts gives them: by manifest, each
 * manifest's errors in the order they were found.
 */
function admissionErrors(manifests: readonly Manifest[]): ManifestError[] {
  const found = manifests.flatMap((m) => manifestErrors([m]).map((error) => ({ key: manifestSortKey(m), error })));
  found.push(...duplicateNameErrors(manifests.map(nameSlot)));
  // Stable: the errors of one manifest keep their order.
  return found.sort((a, b) => compareStrings(a.key, b.key)).map((x) => x.error);
}

export function verifyRecommendation(input: VerifyInput): Verification {
  const { emitted } = input;
  const admission = admissionErrors(emitted.manifests);
  const identities = new Set(emitted.manifests.map(manifestIdentity));
  const replaced = appliedReplaced(input.applied, identities);
  const sides = [...input.sides, ...replacedSides(input, input.sides, replaced)];
  const beside = appliedBeside(input.applied, identities);
  const found = simulateSides({
    engine: input.engine,
    manifests: emitted.manifests,
    beside,
    applied: input.applied.map((p) => p.manifest),
    replaced,
    model: input.model,
    sides,
    simulator: input.simulator,
    ...(input.besideSimulator ? { besideSimulator: input.besideSimulator } : {}),
    tightness: input.tightness !== false,
    ...(input.scopedEdges !== undefined ? { farSides: farSides(sides, { beside, model: input.model, simulator: input.besideSimulator ?? input.simulator }) } : {}),
  });
  return completeVerification(input.engine, admission, [found], input.warnings ?? [], unverifiedMustFlows(input.sides), requiredSides(input.sides));
}
