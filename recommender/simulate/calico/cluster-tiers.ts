/**
 * The network-policy-api's cluster-scoped policies as Calico enforces them, in tiers of its own
 * (docs.tigera.io calico/latest/network-policy/policy-tiers/tiered-policy, "kube-admin tier" and
 * "kube-baseline tier"): AdminNetworkPolicies and Admin-tier ClusterNetworkPolicies in
 * `kube-admin` (order 1,000, default action Pass), the BaselineAdminNetworkPolicy and
 * Baseline-tier ClusterNetworkPolicies in `kube-baseline` (order 10,000,000, default action Pass),
 * a policy's priority its order there. A rule's Accept (v1alpha1 Allow) allows, Deny denies, Pass
 * goes on to the next tier. Their subjects and peers are matched as the `clusternetworkpolicy`
 * simulator matches them (../clusternetworkpolicy/). Calico policies written into those tiers
 * are evaluated after them: an approximation where their orders interleave.
 */
import { ClusterView } from '../kubernetes/cluster-view.ts';
import { compileTierPolicies, type Direction } from '../clusternetworkpolicy/compile.ts';
import { TierRules, type MatchPolicy, type MatchRule } from '../clusternetworkpolicy/rules.ts';
import { SubjectIndex } from '../clusternetworkpolicy/subjects.ts';
import type { SimCluster, SimFlow, SimPod } from '../types.ts';

export { KUBE_ADMIN, KUBE_BASELINE } from './policies.ts';

export type ClusterTier = 'admin' | 'baseline';

export class ClusterTiers {
  private readonly rules: TierRules;
  private readonly subjects: SubjectIndex<MatchPolicy>;
  readonly empty: boolean;

  constructor(manifests: readonly unknown[], cluster: SimCluster) {
    const view = new ClusterView(cluster);
    this.rules = new TierRules(view);
    const policies = compileTierPolicies(manifests).map((p) => this.rules.compile(p));
    this.empty = policies.length === 0;
    this.subjects = new SubjectIndex(policies, view);
  }

  /** The tier's policies selecting the pod with rules in that direction, in priority order. */
  selecting(pod: SimPod, tier: ClusterTier, direction: Direction): MatchPolicy[] {
    return this.subjects.of(pod)[tier][direction];
  }

  /** The first of their rules matching the flow seen from `direction`'s end. */
  firstMatch(policies: readonly MatchPolicy[], direction: Direction, flow: SimFlow): MatchRule | undefined {
    return this.rules.firstMatch(policies, direction, flow);
  }
}
