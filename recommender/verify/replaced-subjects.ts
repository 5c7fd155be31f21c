/**
 * Workloads outside a scoped run (`-n`, `--workload`) that an applied policy the run's manifests
 * replace selects. Applying a manifest replaces the applied object of the same kind, namespace and
 * name (`kubectl apply` identifies an object by them), whatever pods that object selected; a pod's
 * allowed traffic is the union of the rules of every policy selecting it (NetworkPolicySpec: "the
 * union of the policies that select the pod"; a ClusterNetworkPolicy's `subject`,
 * kubernetes-sigs/network-policy-api), so the replaced object's rules are gone for its other pods
 * too. Their observed sides, and the flows a documented `must` rule requires there that nothing
 * observed yet — their own rules', and those of another workload's rule naming them, at their far
 * side (recommend.ts outsideMustFlows) — are judged (recommendation.ts
 * `judgeReplacedSubject`, `judgeDocumentedRequirements`): what applying the output newly cuts
 * there is blocked, naming the replaced policy.
 *
 * Bounded: only applied policies whose identity a recommended manifest holds are looked at, only
 * workloads no side of the verification holds (those the edges name, and those a matrix component
 * selects or a rule names) are tried against them, and only in the namespaces the policy's subject can reach (its own namespace; a cluster-scoped one's subject namespaces,
 * subject-namespaces.ts). An unscoped run holds every workload: nothing is tried there.
 */
import { DIRECTIONS, type Direction } from '../../domain/direction.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import { workloadKey, type Peer } from '../../domain/peer.ts';
import { manifestId } from '../engines/manifest-id.ts';
import { compareStrings } from '../policy/order.ts';
import type { ClusterModel } from '../simulate/cluster.ts';
import { ownSetGroups, volatileKeysSelected } from '../simulate/own-set-groups.ts';
import { decideSide, type SimPod, type Simulator, type SimulatorFactory } from '../simulate/types.ts';
import { subjectNamespaces } from '../subject-namespaces.ts';
import { edgeKeyOf } from '../synthesize/evidence.ts';
import type { OutsideMustFlows, RequiredFlow, VerifiedSides } from '../verified-sides.ts';
import { worldProbe } from './probes.ts';

export interface ReplacedSubjectsInput {
  /** The applied policies (manifests) a recommended manifest replaces: same identity (recommendation.ts manifestIdentity). */
  replaced: readonly unknown[];
  model: ClusterModel;
  /** Every observed edge the run read: the store's. */
  edges: readonly EdgeTraffic[];
  /** The workloads (keys) whose sides the verification judges already: the run's, and those its policies restrict. */
  judged: ReadonlySet<string>;
  /** Reads the applied policies (the enforcing engine's: recommendation.ts VerifyInput.besideSimulator). */
  simulator: SimulatorFactory;
  /** The must flows nothing observed of the workloads outside the run; absent: none is judged. */
  mustFlows?: OutsideMustFlows;
}

/** The workload a peer of an edge names, when it is one policies can select. */
export function workloadOf(p: Peer): string | undefined {
  return p.kind === 'workload' || p.kind === 'dns' ? workloadKey(p.workload) : undefined;
}

/** The namespaces a policy can select pods of: a namespaced one's own; a cluster-scoped one's subject namespaces (undefined: any). */
function reach(manifest: unknown): string[] | undefined {
  const ns = (manifest as { metadata?: { namespace?: unknown } }).metadata?.namespace;
  return typeof ns === 'string' ? [ns] : subjectNamespaces(manifest);
}

/**
 * The sides (each in edge-key order) of the workloads outside `judged` that a replaced policy
 * selects, in the directions it selects them, with `replacedBy` naming it and their must flows
 * not observed in those directions (`documented`); none when no replaced policy selects such a
 * workload.
 */
export function replacedSubjectSides(input: ReplacedSubjectsInput): VerifiedSides[] {
  if (input.replaced.length === 0) return [];
  const selected = selectedOutside(input, candidates(input));
  if (selected.size === 0) return [];
  const must = input.mustFlows?.flowsOf([...selected.keys()]) ?? new Map<string, Record<Direction, readonly RequiredFlow[]>>();
  const sides = new Map<string, Record<Direction, { key: string; edge: EdgeTraffic }[]>>();
  const add = (key: string | undefined, d: Direction, edge: EdgeTraffic): void => {
    if (key === undefined || (selected.get(key)?.[d].length ?? 0) === 0) return;
    let s = sides.get(key);
    if (s === undefined) sides.set(key, (s = { ingress: [], egress: [] }));
    s[d].push({ key: edgeKeyOf(edge), edge });
  };
  for (const e of input.edges) {
    add(workloadOf(e.server), 'ingress', e);
    add(workloadOf(e.client), 'egress', e);
  }
  // In the directions the replaced policies select it only, as its observed edges are.
  const documentedOf = (workload: string): Record<Direction, readonly RequiredFlow[]> | undefined => {
    const flows = must.get(workload);
    const by = selected.get(workload)!;
    const kept = flows && { ingress: by.ingress.length > 0 ? flows.ingress : [], egress: by.egress.length > 0 ? flows.egress : [] };
    return kept && kept.ingress.length + kept.egress.length > 0 ? kept : undefined;
  };
  for (const workload of must.keys()) if (!sides.has(workload) && documentedOf(workload) !== undefined) sides.set(workload, { ingress: [], egress: [] });
  const inOrder = (list: { key: string; edge: EdgeTraffic }[]): EdgeTraffic[] => list.sort((a, b) => compareStrings(a.key, b.key)).map((x) => x.edge);
  return [...sides]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([workload, s]) => {
      const by = selected.get(workload)!;
      const documented = documentedOf(workload);
      return {
        workload,
        edges: { ingress: inOrder(s.ingress), egress: inOrder(s.egress) },
        excluded: { ingress: new Map(), egress: new Map() },
        restricted: { ingress: by.ingress.length > 0, egress: by.egress.length > 0 },
        replacedBy: by,
        ...(documented !== undefined ? { documented } : {}),
      };
    });
}

/**
 * The workloads in a namespace some replaced policy can reach that no judged side holds: those the
 * edges name, and those must flows can be at (OutsideMustFlows.candidates), observed or not.
 */
function candidates(input: ReplacedSubjectsInput): string[] {
  const each = input.replaced.map(reach);
  const reachable = each.some((n) => n === undefined) ? undefined : new Set(each.flatMap((n) => n!));
  const out = new Set<string>();
  const add = (key: string): void => {
    if (!input.judged.has(key)) out.add(key);
  };
  const addPeer = (p: Peer): void => {
    if ((p.kind === 'workload' || p.kind === 'dns') && (reachable === undefined || reachable.has(p.workload.namespace))) add(workloadKey(p.workload));
  };
  for (const e of input.edges) {
    addPeer(e.client);
    addPeer(e.server);
  }
  for (const key of input.mustFlows?.candidates(reachable) ?? []) add(key);
  return [...out];
}

/**
 * Per candidate workload a replaced policy selects (`policiesSelecting`), per direction, the ids of
 * those that select it there.
 */
function selectedOutside(input: ReplacedSubjectsInput, keys: readonly string[]): Map<string, Record<Direction, string[]>> {
  const selecting = policiesSelecting(input.replaced, input.model, input.simulator);
  const out = new Map<string, Record<Direction, string[]>>();
  for (const key of keys) {
    const by = selecting(key);
    if (by.ingress.length > 0 || by.egress.length > 0) out.set(key, by);
  }
  return out;
}

const NONE: Record<Direction, string[]> = { ingress: [], egress: [] };

/**
 * Which of `policies` (applied ones, read by `simulator`: the enforcing engine's) select a workload
 * (key), per direction, as ids (manifestId) in `policies`' order; each policy is read once, on first
 * use. Only a policy whose subject can reach the workload's namespace is tried. A policy selects a
 * pod for a direction when, judged alone, it isolates the pod there (`isolates`), at any of the
 * workload's pods the policies tell apart (`workloadPods`).
 */
export function policiesSelecting(policies: readonly unknown[], model: ClusterModel, simulator: SimulatorFactory): (workload: string) => Record<Direction, string[]> {
  if (policies.length === 0) return () => NONE;
  const each = policies.map((policy) => ({ namespaces: reach(policy), id: manifestId(policy), alone: lazy(() => simulator([policy], model.cluster)) }));
  const kept = volatileKeysSelected(policies);
  return (key) => {
    const pods = workloadPods(model, key, kept);
    if (pods.length === 0) return NONE;
    const out: Record<Direction, string[]> = { ingress: [], egress: [] };
    for (const p of each) {
      if (p.namespaces !== undefined && !p.namespaces.includes(pods[0]!.namespace)) continue;
      for (const d of DIRECTIONS) if (pods.some((subject) => isolates(model, p.alone(), subject, d))) out[d].push(p.id);
    }
    return out;
  };
}

/**
 * A workload's pod, every pod of it the policies tell apart by address (ClusterModel.podsOf), and
 * the pod at each of its pods' own label sets told apart by their labels (own-set-groups.ts: the
 * volatile labels of `kept` keys, those the policies select on, kept); none for a workload the
 * model has no pod of.
 */
export function workloadPods(model: ClusterModel, key: string, kept: ReadonlySet<string>): SimPod[] {
  const pod = model.podOf(key);
  if (pod === undefined) return [];
  const own = ownSetGroups(model.ownSets(pod), pod.labels, pod.ports, kept).map((set) => model.relabelled(pod, set));
  return [pod, ...model.podsOf(pod).map((p) => p.pod), ...own];
}

/**
 * Whether `sim` isolates `pod` for direction `d` (SideVerdict.isolated: a policy applies to it
 * there), whatever the peer: asked with a flow from or to the world.
 */
export function isolates(model: ClusterModel, sim: Simulator, pod: SimPod, d: Direction): boolean {
  const subject = { kind: 'pod' as const, pod };
  const world = { kind: 'external' as const, ip: worldProbe(model, subject) };
  const flow = d === 'ingress' ? { client: world, server: subject, port: 443, protocol: 'TCP' as const } : { client: subject, server: world, port: 443, protocol: 'TCP' as const };
  return decideSide(sim, flow, d).isolated;
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
