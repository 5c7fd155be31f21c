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
 * internal traffic will be checked against the rule as well"); `domainNames` match an outside
 * address through the DNS names seen for it. A peer of no known kind fails closed: an Accept
 * rule matches nothing, a Deny or Pass rule everything.
 */
import { selectorMatches } from '../matrix/selector.ts';
import { AddressCache, cidrHas } from './kubernetes/cidr-match.ts';
import { ClusterView, SelectorMemo, subjectPod, type PeerView } from './kubernetes/cluster-view.ts';
import { namedPortMatches } from './kubernetes/named-port.ts';
import { compileTierPolicies, type CompiledPeer, type CompiledPort, type CompiledRule, type CompiledSubject, type Direction, type TierPolicy } from './clusternetworkpolicy/compile.ts';
import { NetworkPolicyIndex, type KubernetesSimOptions } from './kubernetes.ts';
import { RulesByPort } from './rules-by-port.ts';
import { combine, type SideVerdict, type SimCluster, type SimFlow, type SimPod, type SimProtocol, type Simulator } from './types.ts';

export type ClusterNetworkPolicySimOptions = KubernetesSimOptions;

interface Selected {
  admin: Record<Direction, TierPolicy[]>;
  baseline: Record<Direction, TierPolicy[]>;
}

/** `*.example.com` matches one or more labels before `example.com`; otherwise an exact, case-insensitive match. */
export function domainMatches(pattern: string, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return n.endsWith(suffix) && n.length > suffix.length;
  }
  return n === pattern;
}

/** Whether the rule's ports can match (protocol, port) whatever the destination pod (named and unknown ports can). */
function canMatchPort(r: CompiledRule, protocol: SimProtocol, port: number): boolean {
  return !r.ports || r.ports.some((p) => p.kind !== 'range' || (p.protocol === protocol && port >= p.start && port <= p.end));
}

/** The part of a subject `subjectNamespaceMatches` reads, as text: equal texts select the same namespaces. */
function subjectNamespaceKey(s: CompiledSubject): string {
  if ('none' in s) return 'none';
  return JSON.stringify('namespaces' in s ? s.namespaces : s.namespaceSelector);
}

class TieredPolicies {
  private readonly policies: TierPolicy[];
  /** Each policy's rules per direction, narrowed to a flow's port as they are scanned. */
  private readonly byPort = new Map<TierPolicy, Record<Direction, RulesByPort<CompiledRule>>>();
  /** A Map, not a WeakMap: asked once per flow side, and a Map lookup is several times cheaper; it lives as long as the simulator. */
  private readonly selected = new Map<SimPod, Selected>();
  private readonly byNamespace = new Map<string, TierPolicy[]>();
  private readonly addresses = new AddressCache();
  private readonly np: NetworkPolicyIndex;
  private readonly selectors: SelectorMemo;
  /** Each policy's subject namespace selector as text (`inNamespace`). */
  private readonly subjectKeys = new Map<TierPolicy, string>();

  constructor(
    manifests: readonly unknown[],
    private readonly view: ClusterView,
    options: ClusterNetworkPolicySimOptions,
  ) {
    this.selectors = new SelectorMemo(view);
    this.policies = compileTierPolicies(manifests);
    for (const p of this.policies) this.subjectKeys.set(p, subjectNamespaceKey(p.subject));
    for (const p of this.policies) this.byPort.set(p, { ingress: new RulesByPort(p.rules.ingress, canMatchPort), egress: new RulesByPort(p.rules.egress, canMatchPort) });
    this.np = new NetworkPolicyIndex(manifests, view, options);
  }

  /** Whether the subject's namespace part selects the namespace (a `none` subject selects nothing). */
  private subjectNamespaceMatches(s: CompiledSubject, namespace: string): boolean {
    if ('none' in s) return false;
    return selectorMatches('namespaces' in s ? s.namespaces : s.namespaceSelector, this.view.namespaceLabels(namespace));
  }

  /**
   * The policies whose subject selects some pod of the namespace, in order: worked out once per
   * namespace, so that a pod is matched against its namespace's candidates only (a cluster
   * has a policy or two per workload: matching every subject for every pod is quadratic).
   */
  private inNamespace(namespace: string): TierPolicy[] {
    let list = this.byNamespace.get(namespace);
    if (!list) {
      // Policies repeat the same few subject namespace selectors (one per namespace, typically):
      // each distinct one is matched against the namespace once.
      const verdicts = new Map<string, boolean>();
      list = this.policies.filter((p) => {
        const key = this.subjectKeys.get(p)!;
        let v = verdicts.get(key);
        if (v === undefined) verdicts.set(key, (v = this.subjectNamespaceMatches(p.subject, namespace)));
        return v;
      });
      this.byNamespace.set(namespace, list);
    }
    return list;
  }

  private selecting(pod: SimPod): Selected {
    let s = this.selected.get(pod);
    if (!s) {
      const mine = this.inNamespace(pod.namespace).filter((p) => 'namespaces' in p.subject || ('podSelector' in p.subject && selectorMatches(p.subject.podSelector, pod.labels)));
      const pick = (tier: 'Admin' | 'Baseline', d: Direction): TierPolicy[] => mine.filter((p) => p.tier === tier && p.rules[d].length > 0);
      s = { admin: { ingress: pick('Admin', 'ingress'), egress: pick('Admin', 'egress') }, baseline: { ingress: pick('Baseline', 'ingress'), egress: pick('Baseline', 'egress') } };
      this.selected.set(pod, s);
    }
    return s;
  }

  side(flow: SimFlow, direction: Direction): SideVerdict {
    const pod = subjectPod(direction === 'ingress' ? flow.server : flow.client);
    if (!pod) return this.np.side(flow, direction);
    const sel = this.selecting(pod);
    const other = this.view.view(direction === 'ingress' ? flow.client : flow.server);

    const admin = this.tier(sel.admin[direction], direction, other, flow);
    if (admin && admin.rule.action !== 'Pass') return this.decided(admin, direction, 'Admin');
    const passed = admin ? ` (passed on by ${admin.policy.ref} ${admin.rule.pointer})` : '';

    const np = this.np.side(flow, direction);
    if (np.isolated) return { ...np, reason: `${np.reason}${passed}` };

    const baseline = this.tier(sel.baseline[direction], direction, other, flow);
    if (baseline && baseline.rule.action !== 'Pass') return this.decided(baseline, direction, 'Baseline');
    const isolated = sel.admin[direction].length > 0 || sel.baseline[direction].length > 0;
    const why = baseline ? `passed by ${baseline.policy.ref} ${baseline.rule.pointer} to the default` : isolated ? 'no rule of any tier matches' : 'no policy selects the pod';
    return { isolated, allowed: true, reason: `${direction} allowed by default: ${why}${passed}` };
  }

  private decided(m: { policy: TierPolicy; rule: CompiledRule }, direction: Direction, tier: string): SideVerdict {
    const allowed = m.rule.action === 'Accept';
    const named = m.rule.name ? ` "${m.rule.name}"` : '';
    return { isolated: true, allowed, by: { policy: m.policy.ref, rule: m.rule.pointer }, reason: `${allowed ? 'accepted' : 'denied'} by ${tier} tier ${direction} rule${named} of ${m.policy.ref}` };
  }

  /** The first matching rule of the tier, in priority then written order. */
  private tier(policies: readonly TierPolicy[], direction: Direction, other: PeerView, flow: SimFlow): { policy: TierPolicy; rule: CompiledRule } | undefined {
    for (const policy of policies) {
      for (const rule of this.byPort.get(policy)![direction].on(flow.protocol, flow.port)) {
        if (this.ruleMatches(rule, other, flow)) return { policy, rule };
      }
    }
    return undefined;
  }

  private ruleMatches(r: CompiledRule, other: PeerView, flow: SimFlow): boolean {
    const failClosed = r.action !== 'Accept';
    if (r.ports && !r.ports.some((p) => this.portMatches(p, flow, failClosed))) return false;
    return r.peers.some((p) => this.peerMatches(p, other, failClosed));
  }

  private portMatches(p: CompiledPort, flow: SimFlow, failClosed: boolean): boolean {
    switch (p.kind) {
      case 'range':
        return p.protocol === flow.protocol && flow.port >= p.start && flow.port <= p.end;
      case 'named':
        return namedPortMatches(p.name, flow, p.protocol);
      case 'unknown':
        return failClosed;
    }
  }

  private peerMatches(p: CompiledPeer, other: PeerView, failClosed: boolean): boolean {
    switch (p.kind) {
      case 'namespaces':
        return other.kind === 'pod' && this.selectors.namespace(p.selector, other.pod.namespace);
      case 'pods':
        return other.kind === 'pod' && this.selectors.namespace(p.namespaceSelector, other.pod.namespace) && this.selectors.pod(p.podSelector, other.pod);
      case 'nodes':
        return (other.kind === 'node' || other.kind === 'apiserver') && other.node !== undefined && selectorMatches(p.selector, other.node.labels);
      case 'networks':
        return other.ips.some((ip) => {
          const a = this.addresses.get(ip);
          return a !== undefined && p.cidrs.some((c) => cidrHas(c, a));
        });
      case 'domainNames':
        return other.kind === 'external' && other.names.some((n) => p.names.some((pattern) => domainMatches(pattern, n)));
      case 'unknown':
        return failClosed;
    }
  }
}

/**
 * The `clusternetworkpolicy` engine's simulator; `options` are the NetworkPolicy tier's (see
 * KubernetesSimOptions). Like the `kubernetes` one, it caches per pod: treat the manifests and
 * the cluster model as frozen for its lifetime.
 */
export function createClusterNetworkPolicySimulator(policies: readonly unknown[], cluster: SimCluster, options: ClusterNetworkPolicySimOptions = {}): Simulator {
  const tiers = new TieredPolicies(policies, new ClusterView(cluster), options);
  return {
    engine: 'clusternetworkpolicy',
    evaluate: (flow) => combine(tiers.side(flow, 'egress'), tiers.side(flow, 'ingress')),
    side: (flow, direction) => tiers.side(flow, direction),
  };
}
