/**
 * What one flush of the flow pipeline hands to the store: per-edge counter deltas with their
 * hourly buckets, ambiguous peer pairs and the DNS names seen for external IPs and for workloads' pods. Peers are
 * peer keys (domain/peer.ts); times are ms since the epoch.
 */
import type { ThroughServices } from './edge.ts';
import type { Protocol } from './flow.ts';
import type { ObservedLabelsDelta } from './observed-labels.ts';

export interface HourDelta {
  hour: number;
  flows: number;
  packets: number;
  bytes: number;
}

export interface EdgeDelta {
  client: string;
  server: string;
  port: number;
  protocol: Protocol;
  firstSeen: number;
  lastSeen: number;
  flows: number;
  packets: number;
  bytes: number;
  forwarded: number;
  dropped: number;
  sources: number;
  hours: Map<number, HourDelta>;
  /**
   * How the delta's flows reached the server's port (domain/edge.ts TargetPortWays: '' or absent by
   * number, `http` through that Service target port name, `+http` both): `edges.target_port_name`,
   * merged as store/edges.ts upserts it.
   */
  targetPortName?: string;
  /** The Service ports the delta's flows were addressed to (domain/edge.ts ThroughServices; absent: none): `edges.through_service`, merged as store/edges.ts upserts it. */
  throughService?: ThroughServices;
}

export interface AmbiguousDelta {
  peerA: string;
  peerB: string;
  protocol: Protocol;
  portA: number;
  portB: number;
  firstSeen: number;
  lastSeen: number;
  flows: number;
  packets: number;
  bytes: number;
  sources: number;
}

export interface ExternalNameDelta {
  ip: string;
  name: string;
  firstSeen: number;
  lastSeen: number;
}

/**
 * A DNS name seen answering with a pod of an in-cluster workload (`workload`: its workloadKey,
 * namespace/Kind/name): the pod's own address (`service` ''), or the ClusterIP of the Service
 * `service` (namespace/name) whose backend it is.
 */
export interface WorkloadNameDelta {
  workload: string;
  service: string;
  name: string;
  firstSeen: number;
  lastSeen: number;
}

/** What one flush writes. */
export interface AggregateBatch {
  edges: EdgeDelta[];
  ambiguous: AmbiguousDelta[];
  names: ExternalNameDelta[];
  /** DNS names seen answering with workloads' pods (absent: none). */
  workloadNames?: WorkloadNameDelta[];
  /** Pod labels records carried for workloads the inventory does not know (absent: none). */
  labels?: ObservedLabelsDelta[];
}
