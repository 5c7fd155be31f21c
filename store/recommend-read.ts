/** What the recommender reads besides edges and the inventory: DNS names seen for external IPs. */
import type { Edge } from '../domain/edge.ts';
import { sourcesFromBits, type FlowSource, type Protocol } from '../domain/flow.ts';
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

interface EdgeRow {
  id: number;
  client: string;
  server: string;
  port: number;
  protocol: string;
  first_seen: number;
  last_seen: number;
  flows: number;
  packets: number;
  bytes: number;
  forwarded: number;
  dropped: number;
  sources: number;
}

/**
 * Every edge, ordered by (client, server, port, protocol). Peers are parsed once per distinct key
 * and shared between edges (a cluster has far fewer peers than edges): the recommender reads all
 * edges at once, and this keeps that read close to a bare SELECT.
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
  for (const r of db.prepare('SELECT * FROM edges ORDER BY client, server, port, protocol').iterate() as Iterable<EdgeRow>) {
    let s = sources.get(r.sources);
    if (s === undefined) sources.set(r.sources, (s = sourcesFromBits(r.sources)));
    out.push({
      id: r.id,
      client: peer(r.client),
      server: peer(r.server),
      port: r.port,
      protocol: r.protocol as Protocol,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      flows: r.flows,
      packets: r.packets,
      bytes: r.bytes,
      forwarded: r.forwarded,
      dropped: r.dropped,
      sources: s,
    });
  }
  return out;
}
