/**
 * Workloads outside a scoped run (`-n`, `--workload`) that an applied policy the run's manifests
 * replace selects. Applying a manifest replaces the applied object of the same kind, namespace and
 * name (`kubectl apply` identifies an object by them), whatever pods that object selected; a pod's
 * allowed traffic is the union of the rules of every policy selecting it (NetworkPolicySpec: "the
 * union of the policies that select the pod"; a ClusterNetworkPolicy's `subject`,
 * kubernetes-sigs/network-policy-api), so the replaced object's rules are gone for its other pods
 * too. Their observed sides are judged (recommendation.ts `judgeReplacedSubjects`): what applying
 * the output newly cuts there is blocked, naming the replaced policy.
 *
 * Bounded: only applied policies whose identity a recommended manifest holds are looked at, only
 * workloads no side of the verification holds are tried against them, and only in the namespaces
 * the policy's subject can reach (its own namespace; a cluster-scoped one's subject namespaces,
 * subject-namespaces.ts). An unscoped run holds every workload: nothing is tried there.
 */
import { DIRECTIONS, type Direction } from '../../domain/direction.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import { workloadKey, type Peer } from '../../domain/peer.ts';
import { manifestId } from '../engines/manifest-id.ts';
import { compareStrings } from '../policy/order.ts';
import type { ClusterModel } from '../simulate/cluster.ts';
import { decideSide, type SimPod, type SimulatorFactory } from '../simulate/types.ts';
import { subjectNamespaces } from '../subject-namespaces.ts';
import { edgeKeyOf } from '../synthesize/evidence.ts';
import type { VerifiedSides } from '../verified-sides.ts';
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
}

/** The workload a peer of an edge names, when it is one policies can select. */
function workloadOf(p: Peer): string | undefined {
  return p.kind === 'workload' || p.kind === 'dns' ? workloadKey(p.workload) : undefined;
}

/** The namespaces a policy can select pods of: a namespaced one's own; a cluster-scoped one's subject namespaces (undefined: any). */
function reach(manifest: unknown): string[] | undefined {
  const ns = (manifest as { metadata?: { namespace?: unknown } }).metadata?.namespace;
  return typeof ns === 'string' ? [ns] : subjectNamespaces(manifest);
}

/**
 * The sides (each in edge-key order) of the workloads outside `judged` that a replaced policy
 * selects, in the directions it selects them, with `replacedBy` naming it; none when no replaced
 * policy selects such a workload.
 */
export function replacedSubjectSides(input: ReplacedSubjectsInput): VerifiedSides[] {
  if (input.replaced.length === 0) return [];
  const selected = selectedOutside(input, candidates(input));
  if (selected.size === 0) return [];
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
  const inOrder = (list: { key: string; edge: EdgeTraffic }[]): EdgeTraffic[] => list.sort((a, b) => compareStrings(a.key, b.key)).map((x) => x.edge);
  return [...sides]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([workload, s]) => {
      const by = selected.get(workload)!;
      return {
        workload,
        edges: { ingress: inOrder(s.ingress), egress: inOrder(s.egress) },
        excluded: { ingress: new Map(), egress: new Map() },
        restricted: { ingress: by.ingress.length > 0, egress: by.egress.length > 0 },
        replacedBy: by,
      };
    });
}

/** The workloads the edges name in a namespace some replaced policy can reach that no judged side holds, by namespace. */
function candidates(input: ReplacedSubjectsInput): Map<string, string[]> {
  const each = input.replaced.map(reach);
  const reachable = each.some((n) => n === undefined) ? undefined : new Set(each.flatMap((n) => n!));
  const seen = new Set<string>();
  const out = new Map<string, string[]>();
  const add = (p: Peer): void => {
    if ((p.kind !== 'workload' && p.kind !== 'dns') || (reachable !== undefined && !reachable.has(p.workload.namespace))) return;
    const key = workloadKey(p.workload);
    if (input.judged.has(key) || seen.has(key)) return;
    seen.add(key);
    (out.get(p.workload.namespace) ?? out.set(p.workload.namespace, []).get(p.workload.namespace)!).push(key);
  };
  for (const e of input.edges) {
    add(e.client);
    add(e.server);
  }
  return out;
}

/**
 * Per candidate workload a replaced policy selects (any of its pods, as the policies tell them
 * apart: ClusterModel.podsOf), per direction, the ids (manifestId) of those that select it there.
 * A policy selects a pod for a direction when, judged alone, it isolates the pod there
 * (SideVerdict.isolated), whatever the peer: a flow from or to the world is asked.
 */
function selectedOutside(input: ReplacedSubjectsInput, byNamespace: ReadonlyMap<string, readonly string[]>): Map<string, Record<Direction, string[]>> {
  const { model } = input;
  const out = new Map<string, Record<Direction, string[]>>();
  for (const policy of input.replaced) {
    const namespaces = reach(policy);
    const keys = namespaces === undefined ? [...byNamespace.values()].flat() : namespaces.flatMap((ns) => byNamespace.get(ns) ?? []);
    if (keys.length === 0) continue;
    const alone = input.simulator([policy], model.cluster);
    const id = manifestId(policy);
    for (const key of keys) {
      const pod = model.podOf(key);
      if (pod === undefined) continue;
      const pods: SimPod[] = [pod, ...model.podsOf(pod).map((p) => p.pod)];
      for (const d of DIRECTIONS) {
        const isolates = pods.some((p) => {
          const subject = { kind: 'pod' as const, pod: p };
          const world = { kind: 'external' as const, ip: worldProbe(model, subject) };
          const flow = d === 'ingress' ? { client: world, server: subject, port: 443, protocol: 'TCP' as const } : { client: subject, server: world, port: 443, protocol: 'TCP' as const };
          return decideSide(alone, flow, d).isolated;
        });
        if (!isolates) continue;
        let entry = out.get(key);
        if (entry === undefined) out.set(key, (entry = { ingress: [], egress: [] }));
        entry[d].push(id);
      }
    }
  }
  return out;
}
