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
