/**
 * Bounded by design: how many distinct edges one ingest run may add, in all and per workload (on
 * either side of the edge).
 * Past either cap, an edge whose far side is an address (`external:`, `unknown:`) is folded into
 * the covering block — first the /24 (IPv6 /64), and once the workload has as many folded edges
 * as its cap, the whole family (`0.0.0.0/0`, `::/0`) — so a scan of a million addresses adds at
 * most 2 × cap + 2 edges (per port and protocol) to a workload instead of a million. A folded edge's
 * peer key holds the block (`external:203.0.113.0/24`): the edge says it stands for many
 * addresses. Edges between named peers (workloads, nodes, DNS, the apiserver) are never folded:
 * the inventory bounds them — except workloads only flow records name (not listed by the
 * inventory): a stream of made-up owner names is as unbounded as a scan, and no block can stand
 * for a name, so past either cap such an edge is refused (the record is skipped as `edge-cap`).
 * An edge the store already holds is no new edge: past the caps it is updated as itself (one
 * lookup on the edges' unique key per such record), never folded.
 * Which addresses fold therefore follows the records' arrival order (the first ones under the cap
 * keep their edge): an order-free choice would need the whole set in memory, or taking back edges
 * already committed. The same records in the same order fold the same (docs/ingest.md).
 */
import { PROTOCOLS, type Protocol } from '../../domain/flow.ts';
import { coveringCidr } from '../../domain/ip.ts';
import { edgeKey } from './aggregate.ts';
import type { EdgeCaps } from './ingest-defaults.ts';

export { DEFAULT_EDGE_CAPS, type EdgeCaps } from './ingest-defaults.ts';

/** First fold: the /24 of IPv4, the /64 of IPv6 (a subnet as sites assign them). */
const FIRST_FOLD = { v4: 24, v6: 64 };

function isAddressPeer(key: string): boolean {
  return key.startsWith('external:') || key.startsWith('unknown:');
}

function foldKey(key: string, level: 1 | 2): string {
  const colon = key.indexOf(':');
  const ip = key.slice(colon + 1);
  if (ip.includes('/')) return key;
  const v6 = ip.includes(':');
  const prefix = level === 2 ? 0 : v6 ? FIRST_FOLD.v6 : FIRST_FOLD.v4;
  const block = coveringCidr(ip, prefix);
  return block === undefined ? key : `${key.slice(0, colon)}:${block}`;
}

export interface AdmittedEdge {
  client: string;
  server: string;
  port: number;
  protocol: Protocol;
  /** The edge's key as stored (aggregate.ts `edgeKey`), built once so the aggregator does not build it again. */
  key: string;
  /** True when an address side was replaced by its covering block. */
  folded: boolean;
}

/** A port and protocol as one number: a pair's edges are told apart without a string built per record. */
const portSlot = (port: number, protocol: Protocol): number => port * PROTOCOLS.length + PROTOCOLS.indexOf(protocol);

/**
 * The edges a run admitted (as stored: folded sides for folded edges), found by client, server,
 * then port and protocol. The peer keys are the resolver's strings, hashed once, so an edge met
 * again — the common case — costs Map lookups and no joined key. A pair with a single edge holds
 * it without a Map of its own: at high cardinality most pairs have one, and memory grows with
 * distinct edges (docs/ingest.md#bounded-by-design).
 */
class AdmittedEdges {
  private readonly byClient = new Map<string, Map<string, AdmittedEdge | Map<number, AdmittedEdge>>>();
  size = 0;

  get(client: string, server: string, port: number, protocol: Protocol): AdmittedEdge | undefined {
    const ofPair = this.byClient.get(client)?.get(server);
    if (ofPair === undefined) return undefined;
    if (ofPair instanceof Map) return ofPair.get(portSlot(port, protocol));
    return ofPair.port === port && ofPair.protocol === protocol ? ofPair : undefined;
  }

  /** Adds an edge not held yet; returns it. */
  add(client: string, server: string, port: number, protocol: Protocol): AdmittedEdge {
    const edge: AdmittedEdge = { client, server, port, protocol, key: edgeKey(client, server, port, protocol), folded: false };
    let byServer = this.byClient.get(client);
    if (byServer === undefined) this.byClient.set(client, (byServer = new Map()));
    const ofPair = byServer.get(server);
    if (ofPair === undefined) byServer.set(server, edge);
    else if (ofPair instanceof Map) ofPair.set(portSlot(port, protocol), edge);
    else byServer.set(server, new Map([[portSlot(ofPair.port, ofPair.protocol), ofPair], [portSlot(port, protocol), edge]]));
    this.size++;
    return edge;
  }
}

export class EdgeBudget {
  /** Edges this run has admitted. An edge met again is answered with the object made the first time: no allocation. */
  private readonly admitted = new AdmittedEdges();
  /**
   * Per workload side of an admitted edge ('*' for edges between two addresses): [distinct edges
   * (stored before the run + admitted), folded edges admitted]. Only admitted edges add entries.
   */
  private readonly counts = new Map<string, [number, number]>();
  private folds = 0;

  constructor(
    private readonly caps: EdgeCaps,
    /** Edges already stored with this peer on either side (the cap counts them). */
    private readonly storedEdges: (peerKey: string) => number = () => 0,
    /** Whether a workload peer is one the inventory lists (else only records name it). */
    private readonly listed: (peerKey: string) => boolean = () => true,
    /** Whether the edge is stored already (then it is no new edge, whatever the caps say). */
    private readonly stored: (client: string, server: string, port: number, protocol: string) => boolean = () => false,
  ) {}

  /** Distinct edges admitted so far. */
  get size(): number {
    return this.admitted.size;
  }

  /** Edges folded into a block so far. */
  get folded(): number {
    return this.folds;
  }

  /** Workloads whose edges are counted (at most two per admitted edge). */
  get owners(): number {
    return this.counts.size;
  }

  /** The edge as it is to be stored, or undefined when it is refused (past the caps, and nothing can fold it). */
  admit(client: string, server: string, port: number, protocol: Protocol): AdmittedEdge | undefined {
    return this.admitted.get(client, server, port, protocol) ?? this.admitNew(client, server, port, protocol);
  }

  /** An edge this run has not admitted yet, as admitted, folded or refused. */
  private admitNew(client: string, server: string, port: number, protocol: Protocol): AdmittedEdge | undefined {
    // The cap holds for each workload side: made-up clients must not give one server unbounded edges.
    const sides = isAddressPeer(client) ? (isAddressPeer(server) ? ['*'] : [server]) : isAddressPeer(server) ? [client] : [client, server];
    const foldable = isAddressPeer(client) || isAddressPeer(server);
    const bounded = !foldable && !this.namedByRecords(client) && !this.namedByRecords(server);
    if (bounded || this.withinCaps(sides)) {
      const edge = this.admitted.add(client, server, port, protocol);
      for (const side of sides) this.ownerCounts(side)[0]++;
      return edge;
    }
    if (!foldable) return undefined;
    // An address the store already has this edge to is that edge, updated: it adds none. Asked only
    // past the caps, for edges the run has not admitted yet.
    if (this.stored(client, server, port, protocol)) return this.admitted.add(client, server, port, protocol);
    const counts = this.ownerCounts(sides[0]!);
    const fold = (level: 1 | 2) => ({ c: isAddressPeer(client) ? foldKey(client, level) : client, s: isAddressPeer(server) ? foldKey(server, level) : server });
    // An address whose block already has its edge is that edge: a repeat adds none, so the
    // workload's folded count does not push it into the whole family.
    let folded = fold(1);
    if (this.admitted.get(folded.c, folded.s, port, protocol) === undefined && counts[1] >= this.caps.maxEdgesPerWorkload) folded = fold(2);
    this.folds++;
    let block = this.admitted.get(folded.c, folded.s, port, protocol);
    if (block === undefined) {
      block = this.admitted.add(folded.c, folded.s, port, protocol);
      counts[0]++;
      counts[1]++;
    }
    return { ...block, folded: true };
  }

  private namedByRecords(key: string): boolean {
    return key.startsWith('workload:') && !this.listed(key);
  }

  /**
   * Whether one more edge fits the run's cap and each side's. A refused edge keeps nothing and,
   * when the run or a side already counted is full, asks the store nothing: a stream of made-up
   * names costs neither memory nor a query per record.
   */
  private withinCaps(sides: readonly string[]): boolean {
    if (this.admitted.size >= this.caps.maxEdgesPerRun) return false;
    const cap = this.caps.maxEdgesPerWorkload;
    for (const side of sides) if ((this.counts.get(side)?.[0] ?? 0) >= cap) return false;
    for (const side of sides) if (!this.counts.has(side) && side !== '*' && this.storedEdges(side) >= cap) return false;
    return true;
  }

  private ownerCounts(owner: string): [number, number] {
    let c = this.counts.get(owner);
    if (c === undefined) this.counts.set(owner, (c = [owner === '*' ? 0 : this.storedEdges(owner), 0]));
    return c;
  }
}

/** One ingest run's budgets: over edges, and the same caps over ambiguous pairs (a scan whose client cannot be told is as unbounded as one whose client can). */
export interface RunBudgets {
  edges: EdgeBudget;
  pairs: EdgeBudget;
}

/**
 * The budgets of a new run: the caps start afresh with every run, the per-workload cap counts
 * what `stored` holds (edges and pairs already in the store), `listed` says which workloads the
 * inventory lists.
 */
export function runBudgets(
  caps: EdgeCaps,
  stored: { storedEdgesOf?(peerKey: string): number; storedPairsOf?(peerKey: string): number; isStoredEdge?(client: string, server: string, port: number, protocol: string): boolean },
  listed: (peerKey: string) => boolean,
): RunBudgets {
  return {
    edges: new EdgeBudget(caps, stored.storedEdgesOf?.bind(stored), listed, stored.isStoredEdge?.bind(stored)),
    pairs: new EdgeBudget(caps, stored.storedPairsOf?.bind(stored), listed),
  };
}
