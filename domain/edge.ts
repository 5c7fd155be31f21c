import type { FlowSource, Protocol } from './flow.ts';
import type { Peer } from './peer.ts';

/**
 * What policy synthesis reads of an edge: who talked to whom on which port, how much, how
 * recently, and whether the traffic got through. Manifests are made of this alone.
 */
export interface EdgeTraffic {
  client: Peer;
  server: Peer;
  port: number;
  protocol: Protocol;
  lastSeen: number;
  flows: number;
  forwarded: number;
  dropped: number;
  /**
   * The Service target port name every flow of the edge reached its server through (`targetPort:
   * http`, which each backend pod resolves on its own container ports; `port` is one number of
   * it, or was before a rollout renumbered it); absent: one came by number or through another name,
   * or not known (stored before migration 0045, no flow since).
   */
  targetPortName?: string;
}

/** Flows aggregated by (client, server, port, protocol): storage grows with edges, not flows. */
export interface Edge extends EdgeTraffic {
  id: number;
  firstSeen: number;
  packets: number;
  bytes: number;
  sources: FlowSource[];
}

/** A stored edge, not its traffic only: what evidence (ids, counters, sources) is made of. */
export function isStoredEdge(e: EdgeTraffic): e is Edge {
  return (e as Partial<Edge>).sources !== undefined;
}

/**
 * The stored edges whose flows were ingested before the DNS names pods answer were kept (migration
 * 0033): whether a pod answered a name in those flows is not known. `before`: a time every edge with
 * a flow before it was last seen before, so that deleting the edges last seen before it and
 * ingesting the flow logs up to it again counts no flow twice.
 */
export interface NamesNotKept {
  edges: number;
  before: number;
}
