/**
 * A flow as the pipeline sees it, from wire record to edge:
 *   FlowObservation (decoded, unoriented) → ResolvedFlow (peers known) → Flow (client/server known).
 */
import type { Peer } from './peer.ts';

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The protocols of a port: Kubernetes' (core/v1 Protocol: a container's, a Service's, a policy's); ICMP has no ports. */
export const PORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

/** ICMP has no ports: its flows and edges carry port 0, which is no TCP, UDP or SCTP port. */
export const isIcmp = (protocol: string): protocol is IcmpProtocol => protocol === 'ICMP' || protocol === 'ICMPv6';

export type IcmpProtocol = 'ICMP' | 'ICMPv6';

/** One ICMP message kind: what a policy matches instead of a port. */
export interface IcmpMessage {
  type: number;
  code: number;
}

/**
 * The echo types (RFC 792: request 8, reply 0; RFC 4443: request 128, reply 129). Echo is the only
 * ICMP the decoders keep (the rest is `icmp-control`): a request is the client's, a reply the server's.
 */
export const ECHO_TYPES: Readonly<Record<IcmpProtocol, { request: number; reply: number }>> = {
  ICMP: { request: 8, reply: 0 },
  ICMPv6: { request: 128, reply: 129 },
};

/**
 * The message an ICMP flow or edge stands for: its client's echo request, code 0 (the only code
 * echo has). The reply belongs to the same exchange, as a TCP reply to its connection.
 */
export function echoRequest(protocol: IcmpProtocol): IcmpMessage {
  return { type: ECHO_TYPES[protocol].request, code: 0 };
}

export type Verdict = 'forwarded' | 'dropped' | 'unknown';

/**
 * The largest count stored: counters are summed in JavaScript numbers and SQLite INTEGERs, and
 * both hold every integer up to 2^53 - 1 exactly. A larger count (a corrupt `1e300`) is kept as
 * this value (saturated) rather than failing its batch.
 */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/** The last millisecond a JavaScript Date can hold (ECMA-262 §21.4.1.1): later times cannot be shown. */
export const MAX_TIME_MS = 8.64e15;

/**
 * The earliest flow time accepted: 2014-01-01T00:00:00Z, before Kubernetes' first release (its
 * first commit is of June 2014), so no flow between Kubernetes workloads is older. An earlier time
 * is one that was never set — flowlogs-pipeline writes an absent protobuf Timestamp as 0
 * (netobserv/flowlogs-pipeline pkg/pipeline/decode/decode_protobuf.go,
 * `flow.TimeFlowEnd.AsTime().UnixMilli()`), goflow2 prints unset IPFIX times as 0, and a zero
 * Timestamp is protojson's `1970-01-01T00:00:00Z` — or a time in another unit (seconds where
 * milliseconds are due land in January 1970), or a node clock read before NTP set it. Stored, it
 * would move an edge's firstSeen decades back.
 */
export const MIN_FLOW_TIME_MS = Date.UTC(2014, 0, 1);

/** Where a flow was observed. Stored as a bitmask on edges (see `FLOW_SOURCE_BITS`). */
export const FLOW_SOURCES = ['netobserv', 'hubble', 'prometheus', 'scrape-targets', 'manual'] as const;
export type FlowSource = (typeof FLOW_SOURCES)[number];

export const FLOW_SOURCE_BITS: Record<FlowSource, number> = {
  netobserv: 1,
  hubble: 2,
  prometheus: 4,
  'scrape-targets': 8,
  manual: 16,
};

export function sourcesFromBits(bits: number): FlowSource[] {
  return FLOW_SOURCES.filter((s) => (bits & FLOW_SOURCE_BITS[s]) !== 0);
}

export function sourcesToBits(sources: Iterable<FlowSource>): number {
  let bits = 0;
  for (const s of sources) bits |= FLOW_SOURCE_BITS[s];
  return bits;
}

/**
 * What the wire record says about who started the connection, before any inventory is consulted.
 * `src-is-client`: a SYN without ACK, or Hubble `is_reply: false`; `dst-is-client`: SYN-ACK or `is_reply: true`.
 */
export type HandshakeHint = 'src-is-client' | 'dst-is-client' | 'none';

/** Kubernetes metadata a flow record carries itself; it wins over the IP history. */
export type EndpointMeta =
  | {
      kind: 'pod';
      namespace: string;
      podName?: string;
      ownerKind?: string;
      ownerName?: string;
      labels?: Record<string, string>;
      /** Node hosting the pod, when the record names it. */
      node?: string;
      /** The Cilium cluster of the pod, when the record names it (ClusterMesh: Hubble's `cluster_name`, the `io.cilium.k8s.policy.cluster` label). */
      cluster?: string;
      /** The Service (namespace/name) the record says the pod was reached through (Hubble's `destination_service`, the pod its backend after translation). */
      service?: string;
    }
  | { kind: 'service'; namespace: string; name: string }
  | { kind: 'node'; name: string }
  /** Cilium reserved identities without the `reserved:` prefix: host, remote-node, kube-apiserver, world, health, … */
  | { kind: 'reserved'; identities: string[] };

export interface FlowEndpoint {
  ip: string;
  port?: number;
  meta?: EndpointMeta;
  /** DNS names seen for this IP (Hubble `destination_names`). */
  names?: string[];
}

export interface FlowObservation {
  /** Milliseconds since the epoch: when the flow was seen (end of the flow window when known). */
  time: number;
  src: FlowEndpoint;
  dst: FlowEndpoint;
  protocol: Protocol;
  packets: number;
  bytes: number;
  verdict: Verdict;
  handshake: HandshakeHint;
  /**
   * The hint comes from TCP flags OR'd over the record's window (NetObserv SYN|ACK without
   * SYN_ACK): the client's SYN then its ACKs, or a server's SYN+ACK from an agent that does not set
   * SYN_ACK. A weaker hint: ports outside the ephemeral range on the client side contradict it.
   */
  oredFlags?: true;
  /**
   * A `forwarded` verdict taken on its way out of the sender, before the receiver's ingress policy
   * (Hubble: a datagram traced leaving the sender's node): to a server in the cluster it proves no
   * delivery (the receiver may drop it), so it counts as unknown there; to an outside server the
   * sender's side is all there is (`collectors/flows/pipeline.ts`).
   */
  provesEgressOnly?: true;
  source: FlowSource;
  /** The node that reported the flow, when the record names it. */
  observedOn?: string;
  /** The Cilium cluster of that node, when the record names it (`cluster/node`). */
  observedInCluster?: string;
  /** A counter of the record was larger than the store holds and was kept at its maximum. */
  saturated?: boolean;
}

/** A peer as resolved at the flow's time, with what the inventory says it listens on. */
export interface ResolvedEndpoint {
  peer: Peer;
  ip: string;
  port?: number;
  /** Node hosting the pod (or the node itself), when known. */
  node?: string;
  /** Ports this endpoint declares: container ports, Service ports, EndpointSlice ports. */
  declaredPorts: ReadonlySet<number>;
}

/** An oriented flow: ready to aggregate into an edge. */
export interface Flow {
  client: Peer;
  server: Peer;
  port: number;
  protocol: Protocol;
  time: number;
  packets: number;
  bytes: number;
  verdict: Verdict;
  source: FlowSource;
}

/** Why a flow could not be oriented or kept. */
export interface AmbiguousFlow {
  a: ResolvedEndpoint;
  b: ResolvedEndpoint;
  protocol: Protocol;
  time: number;
  packets: number;
  bytes: number;
  source: FlowSource;
}
