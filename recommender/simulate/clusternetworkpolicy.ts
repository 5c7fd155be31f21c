/**
 * The `clusternetworkpolicy` engine: policy.networking.k8s.io ClusterNetworkPolicy (v1alpha2),
 * and the AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1) clusters apply today, as
 * the API defines them (kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go,
 * https://network-policy-api.sigs.k8s.io/reference/spec/). Each side of a flow (the client's
 * egress, the server's ingress) is decided in this order:
 *
 * 1. the Admin tier, by priority (lower first), rules in written order: the first matching rule
 *    decides — Accept (v1alpha1 Allow) allows, Deny denies, Pass skips the rest of the tier;
 * 2. the NetworkPolicy tier: if NetworkPolicies isolate the pod in that direction, they decide
 *    ("v1.NetworkPolicy always makes a final decision for selected pods"), through the
 *    `kubernetes` simulator;
 * 3. the Baseline tier, the same way as the Admin tier (Pass goes on to the default);
 * 4. the default: allowed.
 *
 * Subjects are pods on the pod network ("host-networked pods are not included in subject
 * selection"); `namespaces`/`pods` peers select such pods only; `nodes` peers select node
 * addresses (node.Status.Addresses); `networks` match any address, pods' included ("cluster-
 * internal traffic will be checked against the rule as well") — around Cilium's policies, as
 * Cilium reads them (withClusterNetworkPolicyTiers); `domainNames` match an outside
 * address through the DNS names seen for it. A peer of no known kind fails closed: an Accept
 * rule matches nothing, a Deny or Pass rule everything. A selector apimachinery cannot build
 * (LabelSelectorAsSelector's error: an unknown operator, a key or value NewRequirement refuses, …;
 * domain/label-selector.ts selectorProblems) selects nothing, as an implementation building it
 * with apimachinery programs nothing for it.
 */
import { ClusterView, subjectPod } from './kubernetes/cluster-view.ts';
import { compileTierPolicies, mapSelectors, type CompiledRule, type Direction, type TierPolicy } from './clusternetworkpolicy/compile.ts';
import { API_NETWORKS_READING, TierRules, type MatchPolicy, type MatchRule } from './clusternetworkpolicy/rules.ts';
import type { BlockReading } from './kubernetes/block-reading.ts';
import type { NamedPortReading } from './kubernetes/named-port.ts';
import { SubjectIndex } from './clusternetworkpolicy/subjects.ts';
import { NetworkPolicyIndex, type KubernetesSimOptions } from './kubernetes.ts';
import { combine, type SideVerdict, type SimCluster, type SimFlow, type Simulator } from './types.ts';
import type { LabelSelector } from '../../domain/inventory.ts';
import { SELECTS_NOTHING, selectorProblems } from '../../domain/label-selector.ts';

export { domainMatches } from './clusternetworkpolicy/rules.ts';

export type ClusterNetworkPolicySimOptions = KubernetesSimOptions;

/** The selector as apimachinery builds it: one it cannot build selects nothing. */
function asApimachineryBuilds(s: LabelSelector): LabelSelector {
  return selectorProblems(s).length > 0 ? SELECTS_NOTHING : s;
}

/**
 * What decides between the Admin and the Baseline tier: the NetworkPolicies (the API's own
 * reading), or every policy the network plugin enforces there (Cilium's, withClusterNetworkPolicyTiers).
 * It decides a side it isolates; otherwise the Baseline tier has its say. A side denied only by
 * Cilium's `enable-policy: always` (SideVerdict.enablePolicyAlways: no rule of the middle tier
 * isolates it) is not decided there: that deny-all is Cilium's fallback rule, in a tier of its own
 * after the Baseline tier (cilium/design-cfps CFP-42904: the Default range after Baseline, "a
 * single 'allow all' or 'deny all' fallback rule"; cilium/cilium#44612: "at least one tier for the
 * Cilium internal default policy rules at the end"), so the Baseline tier decides first.
 */
export interface MiddleTier {
  side(flow: SimFlow, direction: Direction): SideVerdict;
}

class TieredPolicies {
  private readonly rules: TierRules;
  private readonly subjects: SubjectIndex<MatchPolicy>;

  constructor(
    tierPolicies: readonly TierPolicy[],
    view: ClusterView,
    private readonly np: MiddleTier,
    networksReading: BlockReading = API_NETWORKS_READING,
    namedPort?: NamedPortReading,
  ) {
    this.rules = new TierRules(view, networksReading, namedPort);
    this.subjects = new SubjectIndex(
      mapSelectors(tierPolicies, asApimachineryBuilds).map((p) => this.rules.compile(p)),
      view,
    );
  }

  /** The side's verdict in words. */
  side(flow: SimFlow, direction: Direction): SideVerdict {
    const pod = subjectPod(direction === 'ingress' ? flow.server : flow.client);
    if (!pod) return this.np.side(flow, direction);
    const sel = this.subjects.of(pod);

    const admin = this.rules.firstMatch(sel.admin[direction], direction, flow);
    if (admin && admin.rule.action !== 'Pass') return decided(admin, direction);
    const passed = admin ? ` (passed on by ${admin.policy.ref} ${admin.rule.pointer})` : '';

    const np = this.np.side(flow, direction);
    if (np.isolated && !np.enablePolicyAlways) return { ...np, reason: `${np.reason}${passed}` };

    const baseline = this.rules.firstMatch(sel.baseline[direction], direction, flow);
    if (baseline && baseline.rule.action !== 'Pass') {
      const v = decided(baseline, direction);
      // The verdict object is shared by every flow that rule decides: a Pass before it is said on a copy.
      return passed === '' ? v : { ...v, reason: `${v.reason}${passed}` };
    }
    // Cilium's deny-all fallback under `enable-policy: always`, after the Baseline tier (MiddleTier).
    if (np.isolated) return { ...np, reason: `${np.reason}${passed}` };
    const isolated = sel.admin[direction].length > 0 || sel.baseline[direction].length > 0;
    const why = baseline ? `passed by ${baseline.policy.ref} ${baseline.rule.pointer} to the default` : isolated ? 'no rule of any tier matches' : 'no policy selects the pod';
    return { isolated, allowed: true, reason: `${direction} allowed by default: ${why}${passed}` };
  }

  /** `side(flow, direction).allowed`, the same steps without the words (the verification asks it of every included edge side). */
  allows(flow: SimFlow, direction: Direction): boolean {
    const pod = subjectPod(direction === 'ingress' ? flow.server : flow.client);
    if (!pod) return this.np.side(flow, direction).allowed;
    const sel = this.subjects.of(pod);
    const admin = this.rules.firstMatch(sel.admin[direction], direction, flow);
    if (admin && admin.rule.action !== 'Pass') return admin.rule.action === 'Accept';
    const np = this.np.side(flow, direction);
    if (np.isolated && !np.enablePolicyAlways) return np.allowed;
    const baseline = this.rules.firstMatch(sel.baseline[direction], direction, flow);
    if (baseline && baseline.rule.action !== 'Pass') return baseline.rule.action === 'Accept';
    return np.isolated ? np.allowed : true;
  }
}

function decided(m: MatchRule, direction: Direction): SideVerdict {
  if (m.verdict === undefined) {
    const allowed = m.rule.action === 'Accept';
    const named = m.rule.name ? ` "${m.rule.name}"` : '';
    m.verdict = { isolated: true, allowed, by: { policy: m.policy.ref, rule: m.rule.pointer }, reason: `${allowed ? 'accepted' : 'denied'} by ${m.policy.tier} tier ${direction} rule${named} of ${m.policy.ref}` };
  }
  return m.verdict;
}

/**
 * The `clusternetworkpolicy` engine's simulator; `options` are the NetworkPolicy tier's (see
 * KubernetesSimOptions). Like the `kubernetes` one, it caches per pod: treat the manifests and
 * the cluster model as frozen for its lifetime.
 */
export function createClusterNetworkPolicySimulator(policies: readonly unknown[], cluster: SimCluster, options: ClusterNetworkPolicySimOptions = {}): Simulator {
  const view = new ClusterView(cluster);
  return tiered('clusternetworkpolicy', new TieredPolicies(compileTierPolicies(policies), view, new NetworkPolicyIndex(policies, view, options)));
}

/**
 * `middle` between the Admin and the Baseline tier of the cluster-scoped policies among `policies`
 * of the kinds `enforced` keeps: the layering above around another engine's policies, for a plugin
 * that puts the network-policy-api's tiers around its own (Cilium, simulate/index.ts), its
 * `networks` peers read as that plugin reads them (`networksReading`: Cilium makes them CIDR
 * selectors, which select no pod), its port names resolved as that plugin resolves them (`namedPort`).
 * `middle`'s engine names the result.
 */
export function withClusterNetworkPolicyTiers(middle: Simulator & MiddleTier, policies: readonly unknown[], cluster: SimCluster, enforced: (p: TierPolicy) => boolean, networksReading: BlockReading, namedPort?: NamedPortReading): Simulator {
  const tierPolicies = compileTierPolicies(policies).filter(enforced);
  return tierPolicies.length === 0 ? middle : tiered(middle.engine, new TieredPolicies(tierPolicies, new ClusterView(cluster), middle, networksReading, namedPort));
}

/**
 * The cluster-scoped policies as a plugin without tiers enforces them, around `middle`'s policies
 * (Cilium builds before its policy tiers, domain/cilium-release.ts: ParseClusterNetworkPolicy
 * ignores `tier` and `priority`, and makes each rule a plain rule of its own, `Deny: deny`,
 * `DefaultDeny = false`): a Deny rule of any policy matching the flow denies, whatever allows it;
 * otherwise `middle` decides, and where it isolates the side and denies it for want of an allow
 * (`deniedByRule` tells its own deny rules, which win over every allow), an Accept or Pass rule
 * matching allows it. These rules isolate nothing. Matching is the tiers' own (TierRules: a peer or
 * port of no known kind fails closed for Deny and Pass rules, as the conversion's wildcard does),
 * `networks` read as `networksReading` says (the same CIDR selectors in those builds), port names
 * as `namedPort` does.
 */
export function withUntieredClusterNetworkPolicies(
  middle: Simulator & MiddleTier,
  policies: readonly unknown[],
  cluster: SimCluster,
  enforced: (p: TierPolicy) => boolean,
  deniedByRule: (v: SideVerdict) => boolean,
  networksReading: BlockReading,
  namedPort?: NamedPortReading,
): Simulator {
  const tierPolicies = compileTierPolicies(policies).filter(enforced);
  if (tierPolicies.length === 0) return middle;
  const rules = new UntieredRules(tierPolicies, new ClusterView(cluster), networksReading, namedPort);
  const side = (flow: SimFlow, direction: Direction): SideVerdict => {
    const deny = rules.match('deny', flow, direction);
    if (deny) return untiered(deny, direction);
    const m = middle.side(flow, direction);
    if (m.allowed || !m.isolated || deniedByRule(m)) return m;
    const allow = rules.match('allow', flow, direction);
    return allow ? untiered(allow, direction) : m;
  };
  return {
    engine: middle.engine,
    evaluate: (flow) => combine(side(flow, 'egress'), side(flow, 'ingress')),
    side,
    allows: (flow, direction) => {
      if (rules.match('deny', flow, direction)) return false;
      if (middle.allows?.(flow, direction) ?? middle.side(flow, direction).allowed) return true;
      return rules.match('allow', flow, direction) !== undefined && side(flow, direction).allowed;
    },
  };
}

/** The policies' Deny rules, and apart their Accept and Pass rules, each kind as one unordered set (withUntieredClusterNetworkPolicies). */
class UntieredRules {
  private readonly rules: TierRules;
  private readonly byVerdict: Record<'deny' | 'allow', SubjectIndex<MatchPolicy>>;

  constructor(tierPolicies: readonly TierPolicy[], view: ClusterView, networksReading: BlockReading, namedPort?: NamedPortReading) {
    this.rules = new TierRules(view, networksReading, namedPort);
    const keep = (p: TierPolicy, deny: boolean): TierPolicy => {
      const kept = (rs: readonly CompiledRule[]) => rs.filter((r) => (r.action === 'Deny') === deny);
      return { ...p, rules: { ingress: kept(p.rules.ingress), egress: kept(p.rules.egress) } };
    };
    const built = mapSelectors(tierPolicies, asApimachineryBuilds);
    const index = (deny: boolean) => new SubjectIndex(built.map((p) => this.rules.compile(keep(p, deny))), view);
    this.byVerdict = { deny: index(true), allow: index(false) };
  }

  /** A rule of that kind matching the flow at `direction`'s end, of a policy of either tier. */
  match(verdict: 'deny' | 'allow', flow: SimFlow, direction: Direction): MatchRule | undefined {
    const pod = subjectPod(direction === 'ingress' ? flow.server : flow.client);
    if (!pod) return undefined;
    const sel = this.byVerdict[verdict].of(pod);
    return this.rules.firstMatch(sel.admin[direction], direction, flow) ?? this.rules.firstMatch(sel.baseline[direction], direction, flow);
  }
}

function untiered(m: MatchRule, direction: Direction): SideVerdict {
  const allowed = m.rule.action !== 'Deny';
  const named = m.rule.name ? ` "${m.rule.name}"` : '';
  return {
    isolated: true,
    allowed,
    by: { policy: m.policy.ref, rule: m.rule.pointer },
    reason: `${allowed ? 'allowed' : 'denied'} by ${direction} rule${named} of ${m.policy.ref}, a Cilium ${allowed ? 'allow' : 'deny'} rule where Cilium enforces ClusterNetworkPolicies without tiers (its ${m.policy.tier} tier and priority ignored${m.rule.action === 'Pass' ? ', Pass an allow' : ''})`,
  };
}

function tiered(engine: Simulator['engine'], tiers: TieredPolicies): Simulator {
  return {
    engine,
    evaluate: (flow) => combine(tiers.side(flow, 'egress'), tiers.side(flow, 'ingress')),
    side: (flow, direction) => tiers.side(flow, direction),
    allows: (flow, direction) => tiers.allows(flow, direction),
  };
}
