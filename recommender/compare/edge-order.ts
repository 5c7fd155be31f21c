/**
 * Edge-key order (`edgeKey`: client|server|padded port|protocol) for all edges of a run at once,
 * without building edge keys. Every distinct peer gets the rank of `${peerKey}|` among the run's
 * peers once; then three stable counting-sort passes (port and protocol, server rank, client
 * rank) order the edges. Ranks decide exactly like the keys because the compared strings are
 * `${peerKey}|…`: only a peer key containing a `|` could make one `${key}|` a prefix of another,
 * and then (like for ports outside 0..99999 or an unknown protocol) the edges are sorted by
 * their full keys instead.
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import { peerKey, type Peer } from '../../domain/peer.ts';

export interface PeerInfo {
  key: string;
  /** Position of `${key}|` among the run's distinct peers (equal keys, equal ranks). */
  rank: number;
  /** `${key}|` is a proper prefix of another peer's: ranks cannot decide. */
  prefix: boolean;
  /** Caller's data (the recommender: the workload slot, -1 for none). */
  slot: number;
}

export class PeerRanks {
  private readonly byPeer = new Map<Peer, PeerInfo>();
  private ranked = 0;

  /** The info of a peer object; ranks are assigned by `order()`. */
  of(p: Peer, slot: (p: Peer) => number): PeerInfo {
    let info = this.byPeer.get(p);
    if (info === undefined) this.byPeer.set(p, (info = { key: peerKey(p), rank: -1, prefix: false, slot: slot(p) }));
    return info;
  }

  private rank(): boolean {
    const infos = [...this.byPeer.values()].map((info) => ({ info, k: `${info.key}|` }));
    infos.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    let rank = -1;
    let prefix = false;
    for (let i = 0; i < infos.length; i++) {
      const cur = infos[i]!;
      if (i === 0 || cur.k !== infos[i - 1]!.k) rank++;
      cur.info.rank = rank;
    }
    // A string that is a prefix of some later one is a prefix of the next distinct one.
    for (let i = 0; i < infos.length; i++) {
      const cur = infos[i]!;
      let j = i + 1;
      while (j < infos.length && infos[j]!.k === cur.k) j++;
      cur.info.prefix = j < infos.length && infos[j]!.k.startsWith(cur.k);
      if (cur.info.prefix) prefix = true;
    }
    this.ranked = rank + 1;
    return !prefix;
  }

  /**
   * Positions of `edges` in edge-key order (stable: equal keys keep their input order), and
   * whether two edges share a key. `infos[i]` are the client and server infos of edge i.
   */
  order(edges: readonly EdgeTraffic[], clients: readonly PeerInfo[], servers: readonly PeerInfo[], keyOf: (e: EdgeTraffic) => string): { order: Int32Array; duplicateKeys: boolean } {
    const n = edges.length;
    let order: Int32Array = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // Integer sort keys (protocol rank, port); one edge outside them sends all to the full-key sort.
    const protocolKey = new Int32Array(n);
    const portKey = new Int32Array(n);
    let byRanks = this.rank();
    for (let i = 0; i < n && byRanks; i++) {
      const e = edges[i]!;
      protocolKey[i] = PROTOCOL_RANK.get(e.protocol) ?? -1;
      portKey[i] = e.port;
      byRanks = protocolKey[i]! >= 0 && Number.isInteger(e.port) && e.port >= 0 && e.port < PORT_SPAN;
    }
    if (byRanks) {
      const key = new Int32Array(n);
      order = countingSort(order, protocolKey, PROTOCOL_ORDER.length);
      order = countingSort(order, portKey, PORT_SPAN);
      for (let i = 0; i < n; i++) key[i] = servers[i]!.rank;
      order = countingSort(order, key, this.ranked);
      for (let i = 0; i < n; i++) key[i] = clients[i]!.rank;
      order = countingSort(order, key, this.ranked);
      let duplicateKeys = false;
      for (let i = 1; i < n && !duplicateKeys; i++) {
        const a = order[i - 1]!;
        const b = order[i]!;
        duplicateKeys = clients[a]!.rank === clients[b]!.rank && servers[a]!.rank === servers[b]!.rank && portKey[a] === portKey[b] && protocolKey[a] === protocolKey[b];
      }
      return { order, duplicateKeys };
    }
    const keys = edges.map(keyOf);
    const cmp = (i: number, j: number): number => (keys[i]! < keys[j]! ? -1 : keys[i]! > keys[j]! ? 1 : 0);
    order = Int32Array.from([...order].sort(cmp));
    let duplicateKeys = false;
    for (let i = 1; i < n && !duplicateKeys; i++) duplicateKeys = keys[order[i - 1]!] === keys[order[i]!];
    return { order, duplicateKeys };
  }
}

/** `order` stably sorted by `key[i]` (integers in 0..range-1). */
function countingSort(order: Int32Array, key: Int32Array, range: number): Int32Array {
  const counts = new Int32Array(range + 1);
  for (let i = 0; i < order.length; i++) counts[key[order[i]!]! + 1]!++;
  for (let r = 0; r < range; r++) counts[r + 1]! += counts[r]!;
  const out = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const e = order[i]!;
    out[counts[key[e]!]!++] = e;
  }
  return out;
}

const PORT_SPAN = 100_000;
/** Protocol names in code-unit order (as they compare at the end of an edge key). */
const PROTOCOL_ORDER: readonly string[] = ['ICMP', 'ICMPv6', 'SCTP', 'TCP', 'UDP'];
const PROTOCOL_RANK = new Map(PROTOCOL_ORDER.map((p, i) => [p, i]));
