/**
 * Stages resolve and orient for one flow record: each (source, destination) pair the record's
 * addresses resolve to, as a connection from a client to a server, or as ambiguous when nothing
 * tells which side opened it. Used by ingest (which aggregates the connections into edges) and by
 * `simulate` (which decides each of them).
 */
import type { FlowObservation } from '../../domain/flow.ts';
import type { Peer } from '../../domain/peer.ts';
import { clientPeer, orient, serverSide } from './orient.ts';
import type { ResolutionIndex, ResolvedSide } from './resolve.ts';

export type FlowConnection =
  | { kind: 'oriented'; client: { peer: Peer; key: string }; server: ResolvedSide; src: ResolvedSide; clientIp: string; clientPort: number | undefined }
  | { kind: 'ambiguous'; src: ResolvedSide; dst: ResolvedSide };

export interface ResolvedFlow {
  srcs: ResolvedSide[];
  dsts: ResolvedSide[];
  connections: FlowConnection[];
}

export function resolveFlow(f: FlowObservation, index: ResolutionIndex): ResolvedFlow {
  const context = { protocol: f.protocol, observedOn: f.observedOn, observedInCluster: f.observedInCluster };
  const srcs = index.resolve(f.src, f.time, context);
  const dsts = index.resolve(f.dst, f.time, context);
  const connections: FlowConnection[] = [];
  for (const s of srcs) {
    for (const d of dsts) {
      const o = orient(s, d, f.handshake, f.oredFlags === true);
      if (o.kind === 'oriented' && o.server.clientOnly) continue;
      connections.push(o.kind === 'ambiguous' ? { kind: 'ambiguous', src: s, dst: d } : { kind: 'oriented', client: clientPeer(o.client, o.server), server: serverSide(o.server), src: s, clientIp: o.client.ip, clientPort: o.client.port });
    }
  }
  return { srcs, dsts, connections };
}
