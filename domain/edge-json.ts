/**
 * The JSON shape of one edge: a contract shared by `flowmatrix edges --output json` and
 * `GET /api/v1/edges` (documented field by field in docs/ingest.md). Its observation part is
 * also what recommendation evidence and the report carry for an edge.
 */
import { throughServicesOf, type Edge } from './edge.ts';
import { peerKey, type Peer } from './peer.ts';

/** How an observation writes peers and times; a caller writing many may share the strings. */
export interface ObservationText {
  peer(p: Peer): string;
  time(ms: number): string;
}

export const PLAIN_TEXT: ObservationText = { peer: peerKey, time: (ms) => new Date(ms).toISOString() };

/** What was observed on an edge: peers as keys, counters, first/last seen (ISO), sources. */
export function edgeObservation(e: Edge, text: ObservationText = PLAIN_TEXT) {
  return {
    client: text.peer(e.client),
    server: text.peer(e.server),
    port: e.port,
    protocol: e.protocol as string,
    flows: e.flows,
    packets: e.packets,
    bytes: e.bytes,
    forwarded: e.forwarded,
    dropped: e.dropped,
    firstSeen: text.time(e.firstSeen),
    lastSeen: text.time(e.lastSeen),
    sources: [...e.sources] as string[],
  };
}

export type EdgeObservationJson = ReturnType<typeof edgeObservation>;

/** The observation fields of a larger edge object (evidence, report item), nothing else. */
export function observationOf(o: EdgeObservationJson): EdgeObservationJson {
  const { client, server, port, protocol, flows, packets, bytes, forwarded, dropped, firstSeen, lastSeen, sources } = o;
  return { client, server, port, protocol, flows, packets, bytes, forwarded, dropped, firstSeen, lastSeen, sources: [...sources] };
}

/** A peer that stands for a block of addresses: ingest folded it past its edge caps. */
function isFolded(p: Peer): boolean {
  return (p.kind === 'external' || p.kind === 'unknown') && p.ip.includes('/');
}

/** How flows reached the server: the Service target port name, by number too, the Service ports dialled. Each field only when known. */
function wayInJson(e: Edge) {
  const through = e.throughService === undefined ? undefined : throughServicesOf(e.throughService);
  return {
    ...(e.targetPortName !== undefined ? { targetPortName: e.targetPortName } : {}),
    ...(e.reachedByNumberToo ? { reachedByNumberToo: true as const } : {}),
    ...(through !== undefined ? { throughServices: through.ports } : {}),
    ...(through?.more ? { moreThroughServices: true as const } : {}),
  };
}

/** `folded: true` only when a side is a block (ingest's edge caps folded addresses into it). */
export function edgeJson(e: Edge) {
  const folded = isFolded(e.client) || isFolded(e.server);
  return { id: e.id, ...edgeObservation(e), clientPeer: e.client, serverPeer: e.server, ...(folded ? { folded: true as const } : {}), ...wayInJson(e) };
}

export type EdgeJson = ReturnType<typeof edgeJson>;
