/**
 * The JSON shape of one edge: a contract shared by `flowmatrix edges --output json` and
 * `GET /api/v1/edges` (documented field by field in docs/ingest.md).
 */
import type { Edge } from './edge.ts';
import { peerKey } from './peer.ts';

export function edgeJson(e: Edge) {
  return {
    id: e.id,
    client: peerKey(e.client),
    server: peerKey(e.server),
    port: e.port,
    protocol: e.protocol,
    flows: e.flows,
    packets: e.packets,
    bytes: e.bytes,
    forwarded: e.forwarded,
    dropped: e.dropped,
    firstSeen: new Date(e.firstSeen).toISOString(),
    lastSeen: new Date(e.lastSeen).toISOString(),
    sources: e.sources,
    clientPeer: e.client,
    serverPeer: e.server,
  };
}

export type EdgeJson = ReturnType<typeof edgeJson>;
