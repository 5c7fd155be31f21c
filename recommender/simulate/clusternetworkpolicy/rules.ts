/**
 * The rules of the cluster-scoped policies as a side of a flow scans them: per policy and
 * direction, narrowed to the flow's (protocol, port) (../port-buckets.ts), with their pod-selecting
 * peers interned (pod-peers.ts); the first rule that matches, in written order, decides the
 * policy (API: "rules are evaluated in order"; the tier's order of policies is the caller's).
 *
 * A rule matches when one of its ports matches (no ports: every port) and one of its peers does:
 * `namespaces`/`pods` select pods on the pod network only; `nodes` node addresses
 * (node.Status.Addresses), the apiserver's too when it runs on a node; `networks` the addresses
 * the reading lets them select (../kubernetes/block-reading.ts): under the API's, any address, pods'
 * included ("cluster-internal traffic will be checked against the rule as well"; API_NETWORKS_READING),
 * under Cilium's no pod (simulate/index.ts);
 * `domainNames` an outside address through the DNS names seen for it. What the simulator does not
 * know (a peer or port of no known kind) fails closed: it never matches an Accept rule and always
 * matches a Deny or Pass rule. ICMP has no port: only a rule without ports matches it ("If
 * unspecified, protocol-specific attributes will not be used to match traffic"; the ports the API
 * has are TCP, UDP and SCTP ones).
 */
import { selectorMatches } from '../../matrix/selector.ts';
import { AddressCache, cidrCovers, cidrTouches } from '../kubernetes/cidr-match.ts';
import { blockApplies, type BlockReading } from '../kubernetes/block-reading.ts';
import { subjectPod, type ClusterView } from '../kubernetes/cluster-view.ts';
import { ON_DESTINATION_POD, type NamedPortReading } from '../kubernetes/named-port.ts';
import type { SideVerdict, SimEndpoint, SimFlow } from '../types.ts';
import type { CompiledPeer, CompiledPort, CompiledRule, Direction, TierPolicy } from './compile.ts';
import { PodPeers } from './pod-peers.ts';
import { PortBuckets, type PortSpan } from '../port-buckets.ts';
import { canonicalDnsName } from '../../../domain/dns-name.ts';

/** A peer as matched: pod-selecting peers by their PodPeers id, the others as compiled. */
type MatchPeer = { kind: 'selects'; id: number } | Exclude<CompiledPeer, { kind: 'namespaces' | 'pods' }>;

export interface MatchRule {
  policy: TierPolicy;
  rule: CompiledRule;
  peers: MatchPeer[];
  /** The verdict this rule gives, in words; made on first use (a rule decides many sides). */
  verdict?: SideVerdict;
}

/** A policy's rules per direction, narrowed to a flow's port as they are scanned. */
export interface MatchPolicy {
  policy: TierPolicy;
  rules: Record<Direction, PortBuckets<MatchRule>>;
}

/** `*.example.com` matches one or more labels before `example.com`; otherwise an exact, case-insensitive match. */
export function domainMatches(pattern: string, name: string): boolean {
  const n = canonicalDnsName(name);
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return n.endsWith(suffix) && n.length > suffix.length;
  }
  return n === pattern;
}

/** The rule's ports as spans; undefined when it can match any port (none written; named and unknown ports, which depend on the destination pod or fail closed). */
function portSpans(r: MatchRule): readonly PortSpan[] | undefined {
  const ports = r.rule.ports;
  if (ports === undefined || ports.some((p) => p.kind !== 'range')) return undefined;
  return ports as readonly PortSpan[];
}

/**
 * `networks` as the API defines them: "intended for representing entities that live outside the
 * cluster, … but note that cluster-internal traffic will be checked against the rule as well"
 * (ClusterNetworkPolicyEgressPeer.Networks): pods, nodes and the apiserver alike.
 */
export const API_NETWORKS_READING: BlockReading = { ipBlockMatchesPods: true, ipBlockMatchesNodes: true, ipBlockMatchesApiserver: true };

export class TierRules {
  private readonly pods: PodPeers;
  private readonly addresses = new AddressCache();
  /** Compiled peers are shared by the rules naming the same wire peer (compile.ts): each is interned once. */
  private readonly matchPeers = new Map<CompiledPeer, MatchPeer>();

  constructor(
    private readonly view: ClusterView,
    private readonly networksReading: BlockReading = API_NETWORKS_READING,
    /** How a port name resolves: the API's on the destination pod, or the plugin's (Cilium's egress names: simulate/index.ts). */
    private readonly namedPort: NamedPortReading = ON_DESTINATION_POD,
  ) {
    this.pods = new PodPeers(view);
  }

  /** Every policy's rules in matching form; all of them before the first `firstMatch`. */
  compile(policy: TierPolicy): MatchPolicy {
    const matchRule = (rule: CompiledRule): MatchRule => ({ policy, rule, peers: rule.peers.map((p) => this.matchPeer(p)) });
    return {
      policy,
      rules: { ingress: new PortBuckets(policy.rules.ingress.map(matchRule), portSpans), egress: new PortBuckets(policy.rules.egress.map(matchRule), portSpans) },
    };
  }

  private matchPeer(p: CompiledPeer): MatchPeer {
    let m = this.matchPeers.get(p);
    if (m === undefined) this.matchPeers.set(p, (m = this.internPeer(p)));
    return m;
  }

  private internPeer(p: CompiledPeer): MatchPeer {
    switch (p.kind) {
      case 'namespaces':
        return { kind: 'selects', id: this.pods.intern(p.selector) };
      case 'pods':
        return { kind: 'selects', id: this.pods.intern(p.namespaceSelector, p.podSelector) };
      default:
        return p;
    }
  }

  /** The first rule of `policies` (in their order, then written order) matching the flow seen from `direction`'s end. */
  firstMatch(policies: readonly MatchPolicy[], direction: Direction, flow: SimFlow): MatchRule | undefined {
    if (policies.length === 0) return undefined;
    const other = direction === 'ingress' ? flow.client : flow.server;
    const otherPod = subjectPod(other);
    const row = otherPod === undefined ? undefined : this.pods.row(otherPod);
    for (const p of policies) {
      for (const r of p.rules[direction].on(flow.protocol, flow.port)) {
        if (!this.portsMatch(r.rule, flow, direction)) continue;
        const failClosed = r.rule.action !== 'Accept';
        for (const peer of r.peers) {
          const matches = peer.kind === 'selects' ? otherPod !== undefined && this.pods.selects(peer.id, otherPod, row!) : this.addressPeerMatches(peer, other, flow, failClosed);
          if (matches) return r;
        }
      }
    }
    return undefined;
  }

  private portsMatch(r: CompiledRule, flow: SimFlow, direction: Direction): boolean {
    if (r.ports === undefined) return true;
    const failClosed = r.action !== 'Accept';
    for (const p of r.ports) if (p.kind === 'named' ? this.namedPort(p.name, flow, p.protocol ?? flow.protocol, direction) && (p.protocol === undefined || p.protocol === flow.protocol) : portMatches(p, flow, failClosed)) return true;
    return false;
  }

  private addressPeerMatches(p: Exclude<MatchPeer, { kind: 'selects' }>, end: SimEndpoint, flow: SimFlow, failClosed: boolean): boolean {
    if (p.kind === 'unknown') return failClosed;
    const other = this.view.view(end, flow.family);
    switch (p.kind) {
      case 'nodes':
        return (other.kind === 'node' || other.kind === 'apiserver') && other.node !== undefined && selectorMatches(p.selector, other.node.labels);
      case 'networks':
        if (!blockApplies(other, this.networksReading)) return false;
        // A pod the inventory has no address for (a workload only flow records name) has one all
        // the same: networks holding every address of both families match it, whatever it is.
        if (other.ips.length === 0 && other.kind === 'pod') return p.everyAddress;
        // A block (a folded edge's peer) stands for some of its addresses: an Accept rule takes it
        // only whole, a Deny or Pass rule as soon as it holds part of it (what is not known fails closed).
        return other.ips.some((ip) => {
          const r = this.addresses.range(ip);
          return r !== undefined && p.cidrs.some((c) => (failClosed ? cidrTouches(c, r) : cidrCovers(c, r)));
        });
      case 'domainNames':
        return other.kind === 'external' && other.names.some((n) => p.names.some((pattern) => domainMatches(pattern, n)));
    }
  }
}

function portMatches(p: Exclude<CompiledPort, { kind: 'named' }>, flow: SimFlow, failClosed: boolean): boolean {
  switch (p.kind) {
    case 'range':
      return p.protocol === flow.protocol && flow.port >= p.start && flow.port <= p.end;
    case 'unknown':
      return failClosed;
  }
}
