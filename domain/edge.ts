import type { FlowSource, Protocol } from './flow.ts';
import type { Peer } from './peer.ts';

/** Flows aggregated by (client, server, port, protocol): storage grows with edges, not flows. */
export interface Edge {
  id: number;
  client: Peer;
  server: Peer;
  port: number;
  protocol: Protocol;
  firstSeen: number;
  lastSeen: number;
  flows: number;
  packets: number;
  bytes: number;
  forwarded: number;
  dropped: number;
  sources: FlowSource[];
}
