/**
 * The `kubernetes` engine: networking.k8s.io/v1 NetworkPolicy, as the Kubernetes API defines it
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the
 * NetworkPolicy API reference):
 *
 * - a pod is isolated for a direction when a NetworkPolicy of its namespace selects it and has
 *   that direction in `policyTypes`; `policyTypes` defaults to Ingress, plus Egress when
 *   `spec.egress` has rules (kubernetes/kubernetes pkg/apis/networking/v1/defaults.go
 *   SetDefaults_NetworkPolicy);
 * - an isolated pod may do what the union of those policies' rules allows, nothing else; a
 *   connection needs the client's egress and the server's ingress;
 * - a rule without peers matches every peer, without ports every port; a peer is either an
 *   ipBlock, or pods (podSelector in the policy's namespace, namespaceSelector alone = every
 *   pod of those namespaces, both in one peer = AND);
 * - ports: protocol defaults to TCP; a named port resolves on the destination pod's container
 *   ports; endPort makes a range; ICMP, which the API does not define, as ICMP_READING says;
 * - host-network pods: no NetworkPolicy isolates them; as peers they are their node's address.
 *
 * What the API leaves to the network plugin, an option: whether an ipBlock selects pod IPs
 * and node/apiserver IPs ("cluster ingress and egress mechanisms often require rewriting the
 * source or destination IP"; Cilium by default matches neither: `policy-cidr-match-mode`
 * empty, https://docs.cilium.io/en/stable/security/policy/language/#selecting-nodes-with-cidr-ipblock).
 * The defaults are the strict reading (no): a policy that only works when they match does not
 * work on every cluster.
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import { selectorMatches } from '../matrix/selector.ts';
import { isNetworkPolicy, type NetworkPolicy, type NetworkPolicyPeer, type NetworkPolicyPort } from '../engines/wire/kubernetes.ts';
import { AddressCache, blockCovers, compileBlock, type CompiledBlock } from './kubernetes/cidr-match.ts';
import { blockApplies } from './kubernetes/block-reading.ts';
import { apiServerCidr } from '../../domain/legacy-cidr.ts';
import { ClusterView, policyRef, subjectPod, type PeerView } from './kubernetes/cluster-view.ts';
import { ON_DESTINATION_POD, type NamedPortReading } from './kubernetes/named-port.ts';
import { PortBuckets, type PortSpan } from './port-buckets.ts';
import { combine, type SideVerdict, type SimCluster, type SimEndpoint, type SimFlow, type SimPod, type Simulator } from './types.ts';
import type { Direction } from '../../domain/direction.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

export interface KubernetesSimOptions {
  /** Whether an ipBlock selects the IPs of pods on the pod network. Default false (Cilium's default; the spec leaves it to the plugin). */
  ipBlockMatchesPods?: boolean;
  /** Whether an ipBlock selects node IPs (nodes, host-network pods). Default false (Cilium without `policy-cidr-match-mode: nodes`). */
  ipBlockMatchesNodes?: boolean;
  /**
   * Whether an ipBlock selects the kube-apiserver endpoints (those on a node also whenever
   * `ipBlockMatchesNodes`). Default false; `off-nodes`: those that are no node's address, as
   * Cilium reads it (an address with the kube-apiserver label and no node's gets CIDR labels:
   * pkg/ipcache metadata.go resolveIdentity; cilium/cilium#25241).
   */
  ipBlockMatchesApiserver?: boolean | 'off-nodes';
}


interface CompiledPeer {
  block?: CompiledBlock;
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
}

interface CompiledPort {
  protocol: string;
  /** undefined = every port of the protocol. */
  port?: number | string;
  endPort?: number;
}

interface CompiledRule {
  pointer: string;
  /** The verdict this rule gives when it allows (made once: simulators answer the same rule many times). */
  allows?: SideVerdict;
  /** undefined = every peer. */
  peers?: CompiledPeer[];
  /** undefined = every port and protocol. */
  ports?: CompiledPort[];
}

interface CompiledPolicy {
  ref: string;
  namespace: string;
  podSelector: LabelSelector;
  isolates: Record<Direction, boolean>;
  rules: Record<Direction, PortBuckets<CompiledRule>>;
}

/** The rule's ports as spans; undefined when it can match any port (no ports, a named port, which depends on the destination pod). */
function portSpans(r: CompiledRule): PortSpan[] | undefined {
  if (!r.ports) return undefined;
  const spans: PortSpan[] = [];
  for (const p of r.ports) {
    if (typeof p.port === 'string') return undefined;
    if (p.port === undefined) spans.push({ protocol: p.protocol, start: 1, end: 65535 });
    else spans.push({ protocol: p.protocol, start: p.port, end: p.endPort ?? p.port });
  }
  return spans;
}

/** kubernetes/kubernetes pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy. */
function effectivePolicyTypes(np: NetworkPolicy): Set<string> {
  const declared = np.spec.policyTypes;
  if (declared && declared.length > 0) return new Set(declared);
  return new Set((np.spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
}

function compilePeer(p: NetworkPolicyPeer): CompiledPeer {
  // Read as the API server reads it: `010.0.0.0/8` is 10.0.0.0/8 (domain/legacy-cidr.ts).
  if (p.ipBlock) return { block: compileBlock(apiServerCidr(p.ipBlock.cidr), p.ipBlock.except?.map(apiServerCidr)) };
  const out: CompiledPeer = {};
  if (p.podSelector) out.podSelector = p.podSelector;
  if (p.namespaceSelector) out.namespaceSelector = p.namespaceSelector;
  return out;
}

function compilePort(p: NetworkPolicyPort): CompiledPort {
  const out: CompiledPort = { protocol: p.protocol ?? 'TCP' };
  if (p.port !== undefined) out.port = p.port;
  if (p.endPort !== undefined) out.endPort = p.endPort;
  return out;
}

function compile(np: NetworkPolicy): CompiledPolicy {
  const namespace = np.metadata?.namespace ?? 'default';
  const spec = np.spec ?? { podSelector: {} };
  const types = effectivePolicyTypes({ ...np, spec });
  const rules = (direction: Direction): CompiledRule[] => {
    const list: unknown[] = Array.isArray(spec[direction]) ? (spec[direction] as unknown[]) : [];
    return list.map((entry, i) => {
      const r = (isPlainObject(entry) ? entry : {}) as { from?: unknown; to?: unknown; ports?: unknown };
      const peers = direction === 'ingress' ? r.from : r.to;
      const out: CompiledRule = { pointer: `/spec/${direction}/${i}` };
      if (Array.isArray(peers) && peers.length > 0) out.peers = peers.map((p) => (isPlainObject(p) ? compilePeer(p as NetworkPolicyPeer) : {}));
      if (Array.isArray(r.ports) && r.ports.length > 0) out.ports = r.ports.map((p) => compilePort(isPlainObject(p) ? (p as NetworkPolicyPort) : {}));
      return out;
    });
  };
  return {
    ref: policyRef('NetworkPolicy', np.metadata?.name ?? '', namespace),
    namespace,
    podSelector: spec.podSelector ?? {},
    isolates: { ingress: types.has('Ingress'), egress: types.has('Egress') },
    rules: { ingress: new PortBuckets(rules('ingress'), portSpans), egress: new PortBuckets(rules('egress'), portSpans) },
  };
}

/** The policies isolating a pod in one direction, and the sentence a deny then gives (built once per pod). */
interface Selecting {
  policies: CompiledPolicy[];
  denyReason: SideVerdict;
}

/**
 * NetworkPolicy "is defined for layer 4 connections (TCP, UDP, and optionally SCTP). For all the
 * other protocols, the behaviour may vary across network plugins" (kubernetes.io Network Policies,
 * "Network traffic filtering"). ICMP is read as Calico and Cilium enforce it: a rule without ports
 * has no protocol once converted (libcalico-go conversion.go k8sPortToCalicoFields), or is an
 * L3-only rule (cilium pkg/policy/rule.go mergeIngress: port 0, protocol ANY), and matches ICMP; a
 * rule with ports is TCP, UDP or SCTP; what no rule allows is denied on an isolated pod. Said in
 * every ICMP verdict of an isolated side.
 */
const ICMP_READING = ' (ICMP: NetworkPolicy defines TCP, UDP and SCTP only; read as Calico and Cilium enforce it, a rule without ports matches ICMP; other network plugins may decide otherwise)';

const NOT_SELECTED: Record<Direction, SideVerdict> = {
  ingress: { isolated: false, allowed: true, reason: 'no NetworkPolicy selects the pod for ingress' },
  egress: { isolated: false, allowed: true, reason: 'no NetworkPolicy selects the pod for egress' },
};


const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * NetworkPolicies indexed by namespace, answering one side of a flow. The ClusterNetworkPolicy
 * simulator reuses it for its NetworkPolicy tier.
 */
export class NetworkPolicyIndex {
  private readonly byNamespace = new Map<string, CompiledPolicy[]>();
  /** A Map, not a WeakMap: asked once per flow side, and a Map lookup is several times cheaper; it lives as long as the simulator. */
  private readonly selecting = new Map<SimPod, Record<Direction, Selecting>>();
  private readonly addresses = new AddressCache();
  private readonly options: Required<KubernetesSimOptions>;

  /** `namedPorts`: how the plugin resolves a rule's port names (Kubernetes': on the destination pod). */
  constructor(
    policies: readonly unknown[],
    readonly view: ClusterView,
    options: KubernetesSimOptions = {},
    private readonly namedPorts: NamedPortReading = ON_DESTINATION_POD,
  ) {
    this.options = { ipBlockMatchesPods: false, ipBlockMatchesNodes: false, ipBlockMatchesApiserver: false, ...options };
    // Sorted by namespace/name so the rule named as deciding is the same whatever the input order.
    const compiled = policies.filter(isNetworkPolicy).map(compile);
    compiled.sort((a, b) => compareText(a.ref, b.ref));
    for (const p of compiled) {
      let list = this.byNamespace.get(p.namespace);
      if (!list) this.byNamespace.set(p.namespace, (list = []));
      list.push(p);
    }
  }

  private policiesSelecting(pod: SimPod): Record<Direction, Selecting> {
    let s = this.selecting.get(pod);
    if (!s) {
      const all = (this.byNamespace.get(pod.namespace) ?? []).filter((p) => selectorMatches(p.podSelector, pod.labels));
      const of = (d: Direction): Selecting => {
        const policies = all.filter((p) => p.isolates[d]);
        const refs = policies.map((p) => p.ref);
        return { policies, denyReason: { isolated: true, allowed: false, isolatedBy: refs, reason: `isolated for ${d} by ${namedFew(refs)}; no rule allows it` } };
      };
      s = { ingress: of('ingress'), egress: of('egress') };
      this.selecting.set(pod, s);
    }
    return s;
  }

  /** Whether a NetworkPolicy isolates this end in this direction. */
  isolates(subject: SimEndpoint, direction: Direction): boolean {
    const pod = subjectPod(subject);
    return pod !== undefined && this.policiesSelecting(pod)[direction].policies.length > 0;
  }

  /** The verdict of this end's NetworkPolicies for one direction of the flow. */
  side(flow: SimFlow, direction: Direction): SideVerdict {
    const subject = direction === 'ingress' ? flow.server : flow.client;
    const pod = subjectPod(subject);
    if (!pod) {
      const what = subject.kind === 'pod' ? 'a host-network pod' : subject.kind === 'node' ? 'a node' : subject.kind === 'apiserver' ? 'the kube-apiserver' : subject.kind === 'cilium-ingress' ? "Cilium's Ingress proxy" : 'outside the cluster';
      return { isolated: false, allowed: true, reason: `the ${direction === 'ingress' ? 'server' : 'client'} is ${what}: no NetworkPolicy applies to it` };
    }
    const { policies: selecting, denyReason } = this.policiesSelecting(pod)[direction];
    if (selecting.length === 0) return NOT_SELECTED[direction];
    const other = this.view.view(direction === 'ingress' ? flow.client : flow.server, flow.family);
    for (const p of selecting) {
      for (const r of p.rules[direction].on(flow.protocol, flow.port)) {
        if (this.ruleMatches(r, p.namespace, other, flow, direction)) {
          const allows = (r.allows ??= { isolated: true, allowed: true, by: { policy: p.ref, rule: r.pointer }, reason: `allowed by ${direction} rule ${r.pointer} of ${p.ref}` });
          return flow.icmp === undefined ? allows : { ...allows, reason: `${allows.reason}, which has no ports${ICMP_READING}` };
        }
      }
    }
    return flow.icmp === undefined ? denyReason : { ...denyReason, reason: `${denyReason.reason}: a rule with ports never matches ICMP${ICMP_READING}` };
  }

  private ruleMatches(r: CompiledRule, namespace: string, other: PeerView, flow: SimFlow, direction: Direction): boolean {
    if (r.ports && !this.anyPortMatches(r.ports, flow, direction)) return false;
    if (!r.peers) return true;
    for (const p of r.peers) if (this.peerMatches(p, namespace, other)) return true;
    return false;
  }

  private anyPortMatches(ports: readonly CompiledPort[], flow: SimFlow, direction: Direction): boolean {
    for (const p of ports) if (this.portMatches(p, flow, direction)) return true;
    return false;
  }

  private portMatches(p: CompiledPort, flow: SimFlow, direction: Direction): boolean {
    if (p.protocol !== flow.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return this.namedPorts(p.port, flow, p.protocol, direction);
    return p.endPort !== undefined ? flow.port >= p.port && flow.port <= p.endPort : flow.port === p.port;
  }

  private peerMatches(p: CompiledPeer, namespace: string, other: PeerView): boolean {
    if (p.block) {
      if (!blockApplies(other, this.options)) return false;
      for (const ip of other.ips) {
        const r = this.addresses.range(ip);
        if (r !== undefined && blockCovers(p.block, r)) return true;
      }
      return false;
    }
    if (other.kind !== 'pod') return false;
    // A peer with neither selector is refused by validation; it selects nothing here.
    if (!p.podSelector && !p.namespaceSelector) return false;
    const pod = other.pod;
    if (p.namespaceSelector) {
      if (!selectorMatches(p.namespaceSelector, this.view.namespaceLabels(pod.namespace))) return false;
    } else if (pod.namespace !== namespace) return false;
    return !p.podSelector || selectorMatches(p.podSelector, pod.labels);
  }
}

/**
 * The `kubernetes` engine's simulator (a SimulatorFactory with an optional third argument).
 * Policies are compiled and pods' selecting policies cached on first use: treat the manifests
 * and the cluster model as frozen for the simulator's lifetime.
 */
export function createKubernetesSimulator(policies: readonly unknown[], cluster: SimCluster, options: KubernetesSimOptions = {}): Simulator {
  const index = new NetworkPolicyIndex(policies, new ClusterView(cluster), options);
  return {
    engine: 'kubernetes',
    evaluate: (flow) => combine(index.side(flow, 'egress'), index.side(flow, 'ingress')),
    side: (flow, direction) => index.side(flow, direction),
  };
}

/** Policies a verdict names: the first few and how many more (a reason stays short however many policies select a pod). */
const NAMED = 3;
function namedFew(refs: readonly string[]): string {
  return refs.length <= NAMED ? refs.join(', ') : `${refs.slice(0, NAMED).join(', ')} and ${refs.length - NAMED} more`;
}
