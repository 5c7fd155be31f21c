/**
 * The network-policy-api's cluster-scoped policies as Calico enforces them: converted into
 * GlobalNetworkPolicies of Calico's own tiers (docs.tigera.io calico/latest/network-policy/
 * policy-tiers/tiered-policy, "kube-admin tier" and "kube-baseline tier"; libcalico-go
 * lib/backend/k8s/conversion/clusternetworkpolicy.go K8sClusterNetworkPolicyToCalico):
 * Admin-tier ClusterNetworkPolicies in `kube-admin` (order 1,000, default action Pass),
 * Baseline-tier ones in `kube-baseline` (order 10,000,000, default action Pass), each policy's
 * priority its `order` there (`order := float64(kcnp.Spec.Priority)`), so that Calico policies
 * written into those tiers are ordered together with them ("The ClusterNetworkPolicy priority
 * field maps to the order field … so that the two types of policy can be ordered together").
 * A rule's Accept (v1alpha1 Allow) allows, Deny denies, Pass goes on to the next tier. Their
 * subjects and peers are matched as the `clusternetworkpolicy` simulator matches them
 * (../clusternetworkpolicy/). That is Calico 3.32 on; Calico 3.29–3.31 enforced the v1alpha1
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy instead, in tiers of their own
 * (`adminnetworkpolicy`, `baselineadminnetworkpolicy`: policies.ts ANP_TIER, BANP_TIER); 3.32
 * enforces them no more. Both are simulated, each kind as the versions enforcing it do.
 */
import { ClusterView } from '../kubernetes/cluster-view.ts';
import { compileTierPolicies, type CompiledPeer, type CompiledRule, type Direction, type TierPolicy } from '../clusternetworkpolicy/compile.ts';
import { TierRules, type MatchPolicy, type MatchRule } from '../clusternetworkpolicy/rules.ts';
import { SubjectIndex } from '../clusternetworkpolicy/subjects.ts';
import type { SimCluster, SimFlow, SimPod } from '../types.ts';
import { withCalicoSelectors } from './k8s-selectors.ts';
import { ANP_TIER, BANP_TIER, KUBE_ADMIN, KUBE_BASELINE, type Ignored, type TierInfo } from './policies.ts';

export { KUBE_ADMIN, KUBE_BASELINE } from './policies.ts';

/** A cluster-scoped policy as the GlobalNetworkPolicy Calico makes of it. */
export interface ClusterPolicy {
  match: MatchPolicy;
  /** `match` alone, as firstMatch takes it (made once). */
  only: readonly MatchPolicy[];
  /** The built-in tier it is put in (a Tier manifest may not change it: the Tier CRD refuses another order or default action). */
  tier: TierInfo;
  order: number;
  /** felix calc/policy_sorter.go PolKVLess tie-break, `name/namespace/kind` of its policy key. */
  sortKey: string;
}

/** The tier, order and policy key Calico gives a converted policy. */
function placement(p: TierPolicy): Pick<ClusterPolicy, 'tier' | 'order' | 'sortKey'> {
  switch (p.kind) {
    // Calico 3.29–3.31 (conversion adminnetworkpolicy_test.go: name names.K8sAdminNetworkPolicyNamePrefix
    // + name, tier names.AdminNetworkPolicyTierName, order the priority; calico#9464: the one
    // BaselineAdminNetworkPolicy at order 1000, name prefix K8sBaselineAdminNetworkPolicyNamePrefix).
    case 'AdminNetworkPolicy':
      return { tier: ANP_TIER, order: p.priority, sortKey: `kanp.adminnetworkpolicy.${p.name}//KubernetesAdminNetworkPolicy` };
    case 'BaselineAdminNetworkPolicy':
      return { tier: BANP_TIER, order: 1000, sortKey: `kbanp.baselineadminnetworkpolicy.${p.name}//KubernetesBaselineAdminNetworkPolicy` };
    default:
      // Calico 3.32 on (conversion/clusternetworkpolicy.go): the key is the policy's name, of kind
      // model.KindKubernetesClusterNetworkPolicy.
      return { tier: p.tier === 'Admin' ? KUBE_ADMIN : KUBE_BASELINE, order: p.priority, sortKey: `${p.name}//KubernetesClusterNetworkPolicy` };
  }
}

/**
 * Peer kinds Calico converts: From takes namespaces and pods, To those and networks — for the
 * ClusterNetworkPolicy (conversion/clusternetworkpolicy.go) as for the v1alpha1 AdminNetworkPolicy
 * and BaselineAdminNetworkPolicy of 3.29–3.31 (conversion/adminnetworkpolicy.go; networks since
 * calico#9276).
 */
const CONVERTED_PEERS: Record<Direction, ReadonlySet<CompiledPeer['kind']>> = { ingress: new Set(['namespaces', 'pods']), egress: new Set(['namespaces', 'pods', 'networks']) };

/** Matches every address (compiled peers of no known kind fail closed: a Deny rule's match everything). */
const EVERYTHING: CompiledPeer = { kind: 'unknown' };

/** Where each kind's conversion is, and how its wire format names the compiled Accept. */
const CONVERSION: Record<string, { source: string; accept: string }> = {
  ClusterNetworkPolicy: { source: 'conversion/clusternetworkpolicy.go k8sClusterNetPolHandleFailedRules', accept: 'Accept' },
  AdminNetworkPolicy: { source: 'conversion/adminnetworkpolicy.go, Calico 3.29–3.31; calico#9331', accept: 'Allow' },
  BaselineAdminNetworkPolicy: { source: 'conversion/adminnetworkpolicy.go, Calico 3.30–3.31; calico#9331', accept: 'Allow' },
};

/**
 * A policy's rules as Calico converts them (conversion/clusternetworkpolicy.go
 * combinePortsWithCNPIngressPeers / combinePortsWithCNPEgressPeers, and their v1alpha1
 * counterparts): a rule with a peer of any other kind (`nodes`, `domainNames`) fails ("none of
 * supported fields in 'To' is set"), and Calico puts `Rule{Action: Deny}` in place of a failed
 * Deny or Pass rule — a Deny of everything, every peer, protocol and port — and drops a failed
 * Accept (v1alpha1 Allow) rule (k8sClusterNetPolHandleFailedRules; calico#9331 for the v1alpha1
 * kinds: "Rules with `pass` action, are converted to a deny-all"). The converter's client keeps
 * the rest of the policy (resources/clusternetworkpolicy.go ignores
 * ErrorClusterNetworkPolicyConversion, its AdminNetworkPolicy client ErrorAdminPolicyConversion).
 * Each such rule is noted.
 */
function asCalicoConverts(p: TierPolicy, notes: Ignored[]): TierPolicy {
  const conversion = Object.hasOwn(CONVERSION, p.kind) ? CONVERSION[p.kind]! : undefined;
  if (conversion === undefined) return p;
  let changed = false;
  const convert = (d: Direction): CompiledRule[] =>
    p.rules[d].flatMap((r) => {
      const bad = r.peers.find((peer) => !CONVERTED_PEERS[d].has(peer.kind));
      if (bad === undefined) return [r];
      changed = true;
      const field = d === 'ingress' ? 'From' : 'To';
      const what = bad.kind === 'unknown' ? 'a peer of no supported field' : `a ${bad.kind} peer`;
      const deny = r.action !== 'Accept';
      const action = deny ? r.action : conversion.accept;
      notes.push({ policy: p.ref, reason: `${d} rule ${r.pointer}: Calico does not convert ${what} ("none of supported fields in '${field}' is set"): ${deny ? `the ${action} rule is replaced by a Deny of all ${d} traffic` : `the ${action} rule is dropped`} (libcalico-go ${conversion.source})` });
      return deny ? [{ pointer: r.pointer, ...(r.name === undefined ? {} : { name: r.name }), action: 'Deny' as const, peers: [EVERYTHING] }] : [];
    });
  const rules = { ingress: convert('ingress'), egress: convert('egress') };
  return changed ? { ...p, rules } : p;
}

/** What Calico's conversion does not keep as written of the cluster-scoped policies among `manifests` (as ClusterTiers notes them). */
export function conversionNotes(manifests: readonly unknown[]): Ignored[] {
  const notes: Ignored[] = [];
  for (const p of compileTierPolicies(manifests)) asCalicoConverts(p, notes);
  return notes;
}

export class ClusterTiers {
  private readonly rules: TierRules;
  private readonly subjects: SubjectIndex<MatchPolicy>;
  private readonly converted = new Map<MatchPolicy, ClusterPolicy>();
  readonly empty: boolean;
  /** The rules Calico's conversion does not keep as written, and what it makes of them. */
  readonly notes: Ignored[] = [];

  constructor(manifests: readonly unknown[], cluster: SimCluster) {
    const view = new ClusterView(cluster);
    this.rules = new TierRules(view);
    const policies = withCalicoSelectors(compileTierPolicies(manifests)).map((p) => this.rules.compile(asCalicoConverts(p, this.notes)));
    for (const match of policies) this.converted.set(match, { match, only: [match], ...placement(match.policy) });
    this.empty = policies.length === 0;
    this.subjects = new SubjectIndex(policies, view);
  }

  /** The policies selecting the pod with rules in that direction, as Calico has them. */
  selecting(pod: SimPod, direction: Direction): ClusterPolicy[] {
    const s = this.subjects.of(pod);
    return [...s.admin[direction], ...s.baseline[direction]].map((m) => this.converted.get(m)!);
  }

  /** The first rule of the policy matching the flow seen from `direction`'s end. */
  firstMatch(p: ClusterPolicy, direction: Direction, flow: SimFlow): MatchRule | undefined {
    return this.rules.firstMatch(p.only, direction, flow);
  }
}
