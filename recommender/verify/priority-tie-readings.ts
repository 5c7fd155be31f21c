/**
 * Recommended cluster-scoped policies that tie with applied ones: the same tier and priority,
 * subjects selecting a common pod in one direction (simulate/clusternetworkpolicy/priority-ties.ts).
 * "If two (or more) policies in the same tier with the same priority could match a connection,
 * then the implementation can apply any of the matching policies" (kubernetes-sigs/network-policy-api
 * apis/v1alpha2/clusternetworkpolicy_types.go, `Priority`): the simulator's name order is one
 * implementation's choice, not the cluster's. So the recommendation beside the applied policies
 * is simulated in both orders — ours first, and the applied ones first — by taking each tied
 * policy of ours half a priority before, then after, its rank: that moves it past the policies
 * it ties with and past nothing else (priorities are integers).
 */
import { isAdminNetworkPolicy, isClusterNetworkPolicy } from '../engines/wire/clusternetworkpolicy.ts';
import { policyRef } from '../simulate/kubernetes/cluster-view.ts';
import { priorityTies, type PriorityTie } from '../simulate/clusternetworkpolicy/priority-ties.ts';
import type { SimCluster, Simulator, SimulatorFactory } from '../simulate/types.ts';

export interface TieReadings {
  /** The recommendation beside the applied policies, ours first within each tie. */
  oursFirst: Simulator;
  /** The same, the applied policies first within each tie. */
  appliedFirst: Simulator;
  /** The ties between ours and applied ones, by the ref (`Kind/name`) of each policy in them. */
  tieOf: ReadonlyMap<string, PriorityTie>;
}

type Prioritized = { kind: string; metadata: { name: string }; spec: { priority: number } };

/** A policy that has a priority (the v1alpha1 BaselineAdminNetworkPolicy has none: one per cluster). */
const hasPriority = (m: unknown): m is Prioritized => (isClusterNetworkPolicy(m) || isAdminNetworkPolicy(m)) && typeof (m as Prioritized).spec?.priority === 'number';
const refOf = (m: Prioritized): string => policyRef(m.kind, m.metadata.name);

/** Both readings of the ties between `manifests` (the recommendation's) and `beside` (the applied ones left beside it); undefined where there is none. */
export function tieReadings(manifests: readonly unknown[], beside: readonly unknown[], cluster: SimCluster, factory: SimulatorFactory): TieReadings | undefined {
  const ours = new Set(manifests.filter(hasPriority).map(refOf));
  if (ours.size === 0 || !beside.some(hasPriority)) return undefined;
  const tieOf = new Map<string, PriorityTie>();
  for (const tie of priorityTies([...manifests, ...beside], cluster)) {
    if (!tie.policies.some((p) => !ours.has(p))) continue;
    for (const p of tie.policies) tieOf.set(p, tie);
  }
  if (tieOf.size === 0) return undefined;
  const shifted = (by: number): unknown[] => manifests.map((m) => (hasPriority(m) && tieOf.has(refOf(m)) ? { ...m, spec: { ...m.spec, priority: m.spec.priority + by } } : m));
  return {
    oursFirst: factory([...shifted(-0.5), ...beside], cluster),
    appliedFirst: factory([...shifted(0.5), ...beside], cluster),
    tieOf,
  };
}

/** `ClusterNetworkPolicy/a, ClusterNetworkPolicy/b share the Baseline tier, priority 200` */
export function tieWords(tie: PriorityTie): string {
  return `${tie.policies.join(', ')} share the ${tie.tier} tier, priority ${tie.priority}`;
}
