/**
 * The engine-neutral policy model. Synthesis produces a PolicySet; one emitter per engine
 * renders it (recommender/engines). Semantics follow Kubernetes NetworkPolicy: an intent that
 * restricts a direction (rules or deny-all) isolates its subject in that direction, and the
 * union of all rules that select a pod is what that pod may do. Engines with precedence
 * (Calico order, ClusterNetworkPolicy tiers) reproduce exactly that, nothing more.
 *
 * Build values through `recommender/policy/build.ts`: it validates, de-duplicates and sorts,
 * so that every emitter can iterate in order and get byte-identical output.
 */
import type { LabelSelector } from '../../domain/inventory.ts';
import type { WorkloadRef } from '../../domain/peer.ts';
import { shortHash } from './names.ts';
import { PORT_PROTOCOLS, type IcmpProtocol, type PortProtocol } from '../../domain/flow.ts';

/** Protocols a policy port can name (ICMP is not portable across the four engines). */
export { PORT_PROTOCOLS, type PortProtocol };

export type PortSpec =
  /** One port number. */
  | { kind: 'number'; protocol: PortProtocol; port: number }
  /**
   * A named container port (resolved by the CNI on the destination pod). `numbers`: the numbers the
   * name has, when known, on the destinations known when the rule was made (sorted) — on egress
   * the peer's pods, on ingress the subject's — for engines that cannot resolve it per destination
   * (Cilium on egress: cilium.ts egressPorts) or name it at all (ClusterNetworkPolicy's standard
   * channel: clusternetworkpolicy.ts Renderer.podPorts).
   */
  | { kind: 'named'; protocol: PortProtocol; name: string; numbers?: readonly number[] }
  /** An inclusive range, start < end. */
  | { kind: 'range'; protocol: PortProtocol; start: number; end: number }
  /** Every port of the protocol. */
  | { kind: 'all'; protocol: PortProtocol };

/** An apiserver endpoint as the `default/kubernetes` EndpointSlice lists it. */
export interface ApiserverAddress {
  ip: string;
  port: number;
  protocol: PortProtocol;
}

export type PolicyPeer =
  /** Pods by selector; `namespace` undefined = the subject's own namespace (namespaced intents only). */
  | { kind: 'pods'; namespace?: string; selector: LabelSelector }
  /** Every pod of a namespace; `namespace` undefined = the subject's own namespace. */
  | { kind: 'namespace'; namespace?: string }
  /**
   * Pods matching `selector` ({} = all of them) in every namespace whose labels match
   * `namespaceSelector` ({} = every namespace), those that exist today and those created
   * later: a matrix `namespaceSelector` stays a selector, never the list of today's namespaces.
   */
  | { kind: 'selected-namespaces'; namespaceSelector: LabelSelector; selector: LabelSelector }
  /**
   * The cluster DNS pods; `ports`: what they answer DNS on (UDP+TCP 53, see `dnsPorts`; 5353 on
   * OpenShift). Rules to them carry those ports, and others (CoreDNS metrics) where observed.
   */
  | { kind: 'dns'; namespace: string; selector: LabelSelector; ports: PortSpec[] }
  /**
   * The kube-apiserver. Egress: rendered on the endpoints' own ip:port (6443), never on the
   * Service port, so an egress rule naming it carries no ports of its own.
   */
  | { kind: 'apiserver'; endpoints: ApiserverAddress[] }
  /** Host network of the cluster nodes (node agents, kubelet): node IPs where the engine needs them. */
  | { kind: 'nodes'; ips: string[] }
  /**
   * Cilium's Ingress / Gateway API proxy (domain/peer.ts `cilium-ingress`): Cilium's `ingress`
   * entity. The engines that cannot select that identity open the rule's ports to any peer
   * instead, and the rule's explanation says so (engines/metadata.ts `explainedIntent`).
   */
  | { kind: 'cilium-ingress' }
  /**
   * An address block, optionally with holes. `podExcept`: holes that are pod CIDRs (the cluster's
   * own inside a folded block, domain/cluster-own-blocks.ts), for the engines that match pod
   * addresses by block (NetworkPolicy ipBlocks on most plugins, Calico `nets`, ClusterNetworkPolicy
   * `networks`); Cilium's CIDR selectors never select a pod, whose identity is its labels.
   */
  | { kind: 'cidr'; cidr: string; except: string[]; podExcept?: string[] }
  /** An external name; `ips` = addresses it resolved to when seen (fallback for engines without FQDN). */
  | { kind: 'fqdn'; name: string; ips: string[] }
  /**
   * Everything, in and out of the cluster (docs/matrices.md): every pod, node and address.
   * Engines render it as "any peer" (a rule without peers, Cilium's `all` entity), never as
   * "outside the cluster" (Cilium's `world` entity) and never as address blocks alone where
   * the engine does not match pods by address.
   */
  | { kind: 'world' };

export type PeerKind = PolicyPeer['kind'];

/** Where a rule comes from. Statuses are those of docs/design.md §3 plus `implied` (added by an option, e.g. DNS). */
export const POLICY_RULE_STATUSES = ['confirmed', 'documented-unobserved', 'documented-when-set', 'undocumented', 'stale', 'blocked', 'implied'] as const;
export type PolicyRuleStatus = (typeof POLICY_RULE_STATUSES)[number];

export interface RuleExplanation {
  /** Stable reference: matrix rule ids, or an observed id (`edge:<key>`, `observed:<direction>:<ports>:<n>-edges:<digest>`: synthesize/rule-ids.ts). */
  id: string;
  status: PolicyRuleStatus;
  /** One short sentence a reviewer reads. */
  text: string;
}

export interface PolicyRule {
  /** Sorted, de-duplicated, non-empty. */
  peers: PolicyPeer[];
  /** Sorted, de-duplicated; empty = every port and protocol. */
  ports: PortSpec[];
  explanation: RuleExplanation;
}

/**
 * ICMP echo requests (ping) between the subject and the peers: from them on ingress, to them on
 * egress; the reply is return traffic (conntrack), never a rule. ICMP has no port, so it is no
 * PolicyRule: only the engines with ICMP rules render it — Cilium `icmps` (pkg/policy/api/icmp.go),
 * Calico `protocol: ICMP` with `icmp.type` (projectcalico.org/v3 Rule); a NetworkPolicy or a
 * ClusterNetworkPolicy names TCP, UDP and SCTP ports only, and a rule without ports would open
 * every protocol to the peer, so those engines leave it out and say so (engines/metadata.ts
 * `withoutEcho`).
 */
export interface EchoRule {
  /** `ICMP` (echo request type 8, IPv4) or `ICMPv6` (type 128, IPv6). */
  protocol: IcmpProtocol;
  /** Sorted, de-duplicated, non-empty. */
  peers: PolicyPeer[];
  /** The far ends of the observed echo as its edges name them (`workload:ns/Kind/name`, `external:ip`), sorted: what an engine that cannot render it names. */
  seen: string[];
  explanation: RuleExplanation;
}

/** The peer kinds an echo rule can name (every engine that renders echo can select them on ICMP). */
export const ECHO_PEER_KINDS: ReadonlySet<PeerKind> = new Set<PeerKind>(['pods', 'namespace', 'selected-namespaces', 'dns', 'nodes', 'cidr', 'fqdn']);

export type DirectionPolicy =
  /** The direction is not restricted by this intent. */
  | { mode: 'none' }
  /** Isolate the subject and allow nothing. */
  | { mode: 'deny-all'; explanation: RuleExplanation }
  /** Allow everything (optionally only on `ports`): exposed UIs, egress to the world. */
  | { mode: 'allow-all'; ports: PortSpec[]; explanation: RuleExplanation }
  /**
   * Isolate the subject and allow exactly these rules (sorted), and the ICMP echo of `echo`
   * (sorted; absent when none): at least one rule between them.
   */
  | { mode: 'rules'; rules: PolicyRule[]; echo?: EchoRule[] };

export type { Direction } from '../../domain/direction.ts';

export type PolicySubject =
  /** The pods of one workload in the intent's namespace. */
  | { kind: 'workload'; selector: LabelSelector; workload?: WorkloadRef; hostNetwork: boolean }
  /** Every pod of the intent's namespace. */
  | { kind: 'namespace' }
  /** Cluster-wide: pods matching `selector` (all when empty) in each listed namespace (sorted). */
  | { kind: 'namespaces'; namespaces: string[]; selector: LabelSelector };

export const LAYERS = ['shared', 'allowlist', 'default-deny'] as const;
/** `shared`: rules common to a system, written once; `allowlist`: one workload; `default-deny`: a namespace. */
export type Layer = (typeof LAYERS)[number];

/** How the key of a layer several namespaces share (`--shared`) starts: `cluster/shared/<ns>+<ns>…`. */
export const SHARED_INTENT_PREFIX = 'cluster/shared/';

/**
 * The key of the layer the namespaces share (synthesize/cluster-layers.ts). Its manifest name is
 * the key with `/` and `+` as `-` (policy/names.ts), which loses where a name with a `-` ends
 * (`x-y`+`z` and `x`+`y-z` are both `x-y-z`): then the key ends in `/` and a hash of the list, so
 * that two sets never share a name.
 */
export function sharedIntentKey(namespaces: readonly string[]): string {
  const key = `${SHARED_INTENT_PREFIX}${namespaces.join('+')}`;
  return namespaces.some((n) => n.includes('-')) ? `${key}/${shortHash(namespaces.join(','))}` : key;
}

/** The namespaces of a `sharedIntentKey`. */
export function sharedIntentNamespaces(key: string): string[] {
  return key.slice(SHARED_INTENT_PREFIX.length).split('/')[0]!.split('+');
}

export interface PolicyIntent {
  /** Stable identity; the manifest names derive from it. */
  key: string;
  /** Undefined only for a `namespaces` subject (cluster-wide). */
  namespace?: string;
  layer: Layer;
  subject: PolicySubject;
  ingress: DirectionPolicy;
  egress: DirectionPolicy;
  /** Why this policy exists, one or two sentences. */
  explanation: string;
  /**
   * Workloads (keys) whose pod selector in this intent was inferred from flow records, not read
   * from an inventory (recommender/synthesize/inferred-workloads.ts); absent otherwise.
   */
  inferredSelectors?: string[];
  /**
   * The cluster DNS the subject's pods ask and the ports it answers on (its pods, or its nodes
   * when it runs on the host network), set where the egress names FQDNs: an engine that learns
   * names from the DNS answers it sees (Cilium's DNS proxy) must see those lookups.
   */
  dnsResolver?: DnsResolver;
  /** What reached the subject's pods from their own node (`OwnNodeIngress`): rendered, where an engine needs it, only while the intent restricts ingress. */
  ownNode?: OwnNodeIngress;
}

/**
 * The ports the subject's pods were reached on from their own node (`kubelet:<node>` edges: the
 * kubelet's probes, host-network pods there), which no rule of the intent allows: every plugin lets
 * a pod's own node in whatever the policy — but Cilium under `allow-localhost: policy`, where its
 * rules must let the local host in. The `cilium` engine lets the `host` entity in on every port;
 * a NetworkPolicy cannot name the local host, and the `kubernetes` engine names `nodes` instead on
 * these ports where Cilium matches a node's address against it (`policy-cidr-match-mode: nodes`).
 */
export interface OwnNodeIngress {
  /** Every node's addresses: the subject's pods may run on any node. */
  nodes: PolicyPeer & { kind: 'nodes' };
  /** Sorted, de-duplicated, non-empty. */
  ports: PortSpec[];
  explanation: RuleExplanation;
}

export interface DnsResolver {
  /** A `dns` peer, a `nodes` peer for a cluster DNS on the host network, or both when its pods run on both. */
  peers: PolicyPeer[];
  ports: PortSpec[];
}

export interface PolicySet {
  /** Sorted by key, keys unique. */
  intents: PolicyIntent[];
}
