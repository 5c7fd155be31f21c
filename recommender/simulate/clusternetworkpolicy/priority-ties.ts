/**
 * Cluster-scoped policies of one tier and priority that can match one connection: "If two (or
 * more) policies in the same tier with the same priority could match a connection, then the
 * implementation can apply any of the matching policies" (network-policy-api
 * apis/v1alpha2/clusternetworkpolicy_types.go, `Priority`). A connection is matched by the
 * policies selecting its pod as their subject, in its direction only ("CNPs with no ingress
 * rules do not affect ingress traffic"), so policies tie where they select a common pod of the
 * cluster with rules in one direction; subjects are matched as the simulator matches them
 * (subjects.ts). Without a pod on the pod network to match, every policy of a rank is taken as
 * tying with the others: nothing shows that their subjects are apart.
 */
import { ClusterView, policyRef } from '../kubernetes/cluster-view.ts';
import type { SimCluster, SimPod } from '../types.ts';
import { compileTierPolicies, type TierPolicy } from './compile.ts';
import { SubjectIndex } from './subjects.ts';

export interface PriorityTie {
  tier: TierPolicy['tier'];
  priority: number;
  /** The policies' refs (`Kind/name`), in input order. */
  policies: string[];
}

/** The ties among `manifests` on `cluster`, in the input order of their first policy. */
export function priorityTies(manifests: readonly unknown[], cluster: SimCluster): PriorityTie[] {
  const compiled = compileTierPolicies(manifests);
  // compileTierPolicies orders by priority and name; messages keep the order the policies were given in.
  const position = new Map<string, number>();
  manifests.forEach((m, i) => {
    const o = m as { kind?: unknown; metadata?: { name?: unknown } };
    const ref = policyRef(String(o.kind), typeof o.metadata?.name === 'string' ? o.metadata.name : '');
    if (!position.has(ref)) position.set(ref, i);
  });
  const byRank = new Map<string, TierPolicy[]>();
  for (const p of compiled) {
    const rank = `${p.tier} ${p.priority}`;
    byRank.set(rank, [...(byRank.get(rank) ?? []), p]);
  }
  const ranks = [...byRank.values()].filter((ps) => ps.length > 1);
  if (ranks.length === 0) return [];
  const pods = cluster.pods.filter((p) => !p.hostNetwork);
  const view = new ClusterView(cluster);
  const groups = ranks.flatMap((ps) => (pods.length === 0 ? [ps] : overlapping(ps, pods, view)));
  const byInput = (a: TierPolicy, b: TierPolicy): number => position.get(a.ref)! - position.get(b.ref)!;
  return groups
    .map((g) => [...g].sort(byInput))
    .sort((a, b) => byInput(a[0]!, b[0]!))
    .map((g) => ({ tier: g[0]!.tier, priority: g[0]!.priority, policies: g.map((p) => p.ref) }));
}

/** The policies of one rank joined where they select a common pod in one direction: the groups of two or more. */
function overlapping(policies: readonly TierPolicy[], pods: readonly SimPod[], view: ClusterView): TierPolicy[][] {
  const parent = policies.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const index = new SubjectIndex(
    policies.map((policy, i) => ({ policy, i })),
    view,
  );
  for (const pod of pods) {
    const s = index.of(pod);
    for (const list of [s.admin.ingress, s.admin.egress, s.baseline.ingress, s.baseline.egress]) {
      for (const other of list.slice(1)) parent[root(other.i)] = root(list[0]!.i);
    }
  }
  const groups = new Map<number, TierPolicy[]>();
  policies.forEach((p, i) => groups.set(root(i), [...(groups.get(root(i)) ?? []), p]));
  return [...groups.values()].filter((g) => g.length > 1);
}
