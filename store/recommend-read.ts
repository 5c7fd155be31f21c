/** What the recommender reads besides edges and the inventory: DNS names seen for external IPs. */
import type { InventorySnapshot } from '../domain/inventory.ts';
import { readInventory } from './inventory.ts';
import type { Edge } from '../domain/edge.ts';
import { PROTOCOLS, sourcesFromBits, type FlowSource, type Protocol } from '../domain/flow.ts';
import { parsePeerKey, type Peer } from '../domain/peer.ts';
import type { Db } from './db.ts';

/** External IP → the DNS names seen for it, names sorted. */
export function readExternalNames(db: Db): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of db.prepare('SELECT ip, name FROM external_names ORDER BY ip, name').iterate() as Iterable<{ ip: string; name: string }>) {
    const l = out.get(r.ip);
    if (l) l.push(r.name);
    else out.set(r.ip, [r.name]);
  }
  return out;
}

/** One string per protocol for every edge (SQLite hands out a new string per row). */
const PROTOCOL_STRINGS = new Map<string, Protocol>(PROTOCOLS.map((p) => [p, p]));

/** Column order of the raw rows below (arrays are cheaper to build than one object per row). */
type EdgeTuple = [id: number, client: string, server: string, port: number, protocol: string, firstSeen: number, lastSeen: number, flows: number, packets: number, bytes: number, forwarded: number, dropped: number, sources: number];

/**
 * Every edge, in storage order (the recommender orders each workload's edges itself; walking
 * the (client, server, port, protocol) index instead costs a table lookup per row, half the
 * read). Peers are parsed once per distinct key and shared between edges (a cluster has far
 * fewer peers than edges): the recommender memoises per peer object.
 */
export function readAllEdges(db: Db): Edge[] {
  const peers = new Map<string, Peer>();
  const peer = (k: string): Peer => {
    let p = peers.get(k);
    if (p === undefined) peers.set(k, (p = parsePeerKey(k)));
    return p;
  };
  const sources = new Map<number, FlowSource[]>();
  const out: Edge[] = [];
  const rows = db
    .prepare('SELECT id, client, server, port, protocol, first_seen, last_seen, flows, packets, bytes, forwarded, dropped, sources FROM edges')
    .raw(true)
    .iterate() as Iterable<EdgeTuple>;
  let lastBits = -1;
  let lastSources: FlowSource[] = [];
  for (const r of rows) {
    if (r[12] !== lastBits) {
      let s = sources.get(r[12]);
      if (s === undefined) sources.set(r[12], (s = sourcesFromBits(r[12])));
      lastBits = r[12];
      lastSources = s;
    }
    out.push({
      id: r[0],
      client: peer(r[1]),
      server: peer(r[2]),
      port: r[3],
      protocol: PROTOCOL_STRINGS.get(r[4]) ?? (r[4] as Protocol),
      firstSeen: r[5],
      lastSeen: r[6],
      flows: r[7],
      packets: r[8],
      bytes: r[9],
      forwarded: r[10],
      dropped: r[11],
      sources: lastSources,
    });
  }
  return out;
}

/**
 * What recommend() reads from the store besides the matrices, which each caller resolves with
 * its own error mapping: the present inventory, every edge, the DNS names of external IPs.
 */
export function readRecommendData(db: Db): { inventory: InventorySnapshot; edges: Edge[]; externalNames: Map<string, string[]> } {
  return { inventory: readInventory(db), edges: readAllEdges(db), externalNames: readExternalNames(db) };
}
