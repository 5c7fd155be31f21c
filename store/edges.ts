/** Aggregated edges, their hourly buckets, ambiguous pairs and external names: upserts and reads. */
import type { AggregateBatch } from '../domain/edge-batch.ts';
import { mergeThroughServices, targetPortOf, type Edge } from '../domain/edge.ts';
import { MAX_COUNT, sourcesFromBits, type Protocol } from '../domain/flow.ts';
import type { Peer } from '../domain/peer.ts';
import type { Db } from './db.ts';
import { assertStorablePeer, checkedPeer, edgePortProblem, edgeValuesProblem, skipRow, type SkippedRows } from './row-check.ts';

/** An ambiguous pair keeps the ports last seen; at one time the lowest pair (as the aggregator does), so that the record order never decides. */
const LATER_PORTS = '(excluded.last_seen > last_seen OR (excluded.last_seen = last_seen AND (excluded.port_a < port_a OR (excluded.port_a = port_a AND excluded.port_b < port_b))))';

export interface EdgeRow {
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
  /** TargetPortWays (migration 0045); NULL: not known. */
  target_port_name: string | null;
  /** ThroughServices (migration 0051); NULL: none, or not known. */
  through_service: string | null;
}

export interface EdgeFilter {
  /** Edges with a workload (or DNS) peer in this namespace on either side. */
  namespace?: string;
  /** Edges with this workload on either side: `name` or `Kind/name`. */
  workload?: string;
}

/** What `deleteEdges` removes: the listing filters, plus an edge id and a last-seen bound. */
export interface EdgeDeleteFilter extends EdgeFilter {
  /** One edge by id (`edges --output json` shows ids): the way to remove one unreadable row. */
  id?: number;
  /** Edges last seen at or after this time, ms (the listing's `since`). */
  lastSeenSince?: number;
  /** Edges last seen before this time, ms. */
  lastSeenBefore?: number;
}

export interface AmbiguousPair {
  peerA: Peer;
  peerB: Peer;
  protocol: Protocol;
  portA: number;
  portB: number;
  firstSeen: number;
  lastSeen: number;
  flows: number;
  packets: number;
  bytes: number;
  sources: ReturnType<typeof sourcesFromBits>;
}

export class EdgeStore {
  private readonly upsertEdge;
  private readonly upsertHour;
  private readonly upsertAmbiguous;
  private readonly upsertName;
  private readonly upsertWorkloadName;
  private readonly countOfPeer;
  private readonly hasEdge;
  private readonly pairsOfPeer;
  private readonly namesOfWorkload;
  private readonly hasName;

  constructor(private readonly db: Db) {
    // Two edges' Service ports merged as the aggregator merges them (migration 0051); only called where both are known and differ.
    db.function('merge_through_services', { deterministic: true }, (a: unknown, b: unknown) => mergeThroughServices(a as string, b as string));
    // Sums saturate at MAX_COUNT (2^53 - 1): a counter that would overflow never fails a batch.
    this.upsertEdge = db.prepare(`
      INSERT INTO edges (client, server, port, protocol, first_seen, last_seen, flows, packets, bytes, forwarded, dropped, sources, target_port_name, through_service)
      VALUES (@client, @server, @port, @protocol, @firstSeen, @lastSeen, @flows, @packets, @bytes, @forwarded, @dropped, @sources, @targetPortName, @throughService)
      ON CONFLICT (client, server, port, protocol) DO UPDATE SET
        -- The Service ports the flows were addressed to (migration 0051): every one seen, sorted and
        -- capped (domain/edge.ts mergeThroughServices); NULL (none, or not known) takes the other.
        through_service = CASE
          WHEN through_service IS NULL OR excluded.through_service IS NULL OR through_service = excluded.through_service THEN coalesce(excluded.through_service, through_service)
          ELSE merge_through_services(through_service, excluded.through_service) END,
        -- How the flows reached the port (migration 0045), merged as domain/edge.ts mergeTargetPortWays
        -- merges them: a name once seen stays, '+' marks flows by number too; NULL (not known) takes the new.
        target_port_name = CASE
          WHEN target_port_name IS NULL OR target_port_name = excluded.target_port_name THEN excluded.target_port_name
          WHEN excluded.target_port_name IS NULL THEN target_port_name
          WHEN target_port_name = '' THEN '+' || ltrim(excluded.target_port_name, '+')
          ELSE '+' || ltrim(target_port_name, '+') END,
        first_seen = min(first_seen, excluded.first_seen),
        last_seen  = max(last_seen, excluded.last_seen),
        flows      = min(flows + excluded.flows, ${MAX_COUNT}),
        packets    = min(packets + excluded.packets, ${MAX_COUNT}),
        bytes      = min(bytes + excluded.bytes, ${MAX_COUNT}),
        forwarded  = min(forwarded + excluded.forwarded, ${MAX_COUNT}),
        dropped    = min(dropped + excluded.dropped, ${MAX_COUNT}),
        sources    = sources | excluded.sources
      RETURNING id`);
    this.upsertHour = db.prepare(`
      INSERT INTO edge_hours (edge_id, hour, flows, packets, bytes) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (edge_id, hour) DO UPDATE SET
        flows = min(flows + excluded.flows, ${MAX_COUNT}), packets = min(packets + excluded.packets, ${MAX_COUNT}), bytes = min(bytes + excluded.bytes, ${MAX_COUNT})`);
    this.upsertAmbiguous = db.prepare(`
      INSERT INTO ambiguous_pairs (peer_a, peer_b, protocol, port_a, port_b, first_seen, last_seen, flows, packets, bytes, sources)
      VALUES (@peerA, @peerB, @protocol, @portA, @portB, @firstSeen, @lastSeen, @flows, @packets, @bytes, @sources)
      ON CONFLICT (peer_a, peer_b, protocol) DO UPDATE SET
        port_a     = CASE WHEN ${LATER_PORTS} THEN excluded.port_a ELSE port_a END,
        port_b     = CASE WHEN ${LATER_PORTS} THEN excluded.port_b ELSE port_b END,
        first_seen = min(first_seen, excluded.first_seen),
        last_seen  = max(last_seen, excluded.last_seen),
        flows      = min(flows + excluded.flows, ${MAX_COUNT}),
        packets    = min(packets + excluded.packets, ${MAX_COUNT}),
        bytes      = min(bytes + excluded.bytes, ${MAX_COUNT}),
        sources    = sources | excluded.sources`);
    this.upsertName = db.prepare(`
      INSERT INTO external_names (ip, name, first_seen, last_seen) VALUES (@ip, @name, @firstSeen, @lastSeen)
      ON CONFLICT (ip, name) DO UPDATE SET
        first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`);
    this.upsertWorkloadName = db.prepare(`
      INSERT INTO workload_names (workload, service, name, first_seen, last_seen) VALUES (@workload, @service, @name, @firstSeen, @lastSeen)
      ON CONFLICT (workload, service, name) DO UPDATE SET
        first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`);
    // Asked once per peer an ingest run meets (the per-workload edge cap): prepared once, not per call.
    this.countOfPeer = db.prepare('SELECT (SELECT count(*) FROM edges WHERE client = ?) + (SELECT count(*) FROM edges WHERE server = ?) AS n');
    this.hasEdge = db.prepare('SELECT 1 FROM edges WHERE client = ? AND server = ? AND port = ? AND protocol = ?').pluck();
    this.pairsOfPeer = db.prepare('SELECT (SELECT count(*) FROM ambiguous_pairs WHERE peer_a = ?) + (SELECT count(*) FROM ambiguous_pairs WHERE peer_b = ?) AS n');
    this.namesOfWorkload = db.prepare('SELECT count(*) FROM workload_names WHERE workload = ?').pluck();
    this.hasName = db.prepare('SELECT 1 FROM workload_names WHERE workload = ? AND service = ? AND name = ?').pluck();
  }

  /** Writes one batch. Call inside a transaction (see `commitIngestBatch`) so a batch lands whole or not at all. */
  write(batch: AggregateBatch): void {
    for (const e of batch.edges) {
      assertStorablePeer(e.client, 'edges.client');
      assertStorablePeer(e.server, 'edges.server');
      const { id } = this.upsertEdge.get({
        client: e.client,
        server: e.server,
        port: e.port,
        protocol: e.protocol,
        firstSeen: e.firstSeen,
        lastSeen: e.lastSeen,
        flows: e.flows,
        packets: e.packets,
        bytes: e.bytes,
        forwarded: e.forwarded,
        dropped: e.dropped,
        sources: e.sources,
        targetPortName: e.targetPortName ?? '',
        throughService: e.throughService ?? null,
      }) as { id: number };
      for (const h of e.hours.values()) this.upsertHour.run(id, h.hour, h.flows, h.packets, h.bytes);
    }
    for (const a of batch.ambiguous) {
      assertStorablePeer(a.peerA, 'ambiguous_pairs.peer_a');
      assertStorablePeer(a.peerB, 'ambiguous_pairs.peer_b');
      this.upsertAmbiguous.run(a);
    }
    for (const n of batch.names) this.upsertName.run(n);
    for (const n of batch.workloadNames ?? []) this.upsertWorkloadName.run(n);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n;
  }

  /** Edges with this peer on either side (an edge from a peer to itself counts twice: a cap, not a report). */
  countOf(peerKey: string): number {
    const row = this.countOfPeer.get(peerKey, peerKey) as { n: number };
    return row.n;
  }

  /** DNS names stored for a workload (workloadKey), through any Service: the per-workload name cap counts them. */
  workloadNameCount(workload: string): number {
    return this.namesOfWorkload.get(workload) as number;
  }

  /** The name is stored for the workload through the Service (one lookup on the table's key). */
  hasWorkloadName(workload: string, service: string, name: string): boolean {
    return this.hasName.get(workload, service, name) !== undefined;
  }

  /** The edge is stored (one lookup on the edges' unique key). */
  has(client: string, server: string, port: number, protocol: string): boolean {
    return this.hasEdge.get(client, server, port, protocol) !== undefined;
  }

  /** Ambiguous pairs with this peer on either side. */
  ambiguousCountOf(peerKey: string): number {
    const row = this.pairsOfPeer.get(peerKey, peerKey) as { n: number };
    return row.n;
  }

  /** Edges in a stable order (client, server, port, protocol); unreadable rows are skipped into `skipped`. */
  list(filter: EdgeFilter = {}, skipped?: SkippedRows): Edge[] {
    const params: unknown[] = [];
    const where = edgeFilterSql(filter, params);
    const sql = `SELECT * FROM edges ${where ? `WHERE ${where}` : ''} ORDER BY client, server, port, protocol`;
    return checkedEdges(this.db.prepare(sql).iterate(...params) as Iterable<EdgeRow>, skipped);
  }

  /**
   * Deletes the edges a filter selects (their hourly buckets go with them, ON DELETE CASCADE);
   * returns how many. An empty filter is refused: deleting everything must be asked for by a
   * filter that says so (`lastSeenBefore` in the future).
   */
  deleteEdges(filter: EdgeDeleteFilter): number {
    const where: string[] = [];
    const params: unknown[] = [];
    const f = edgeFilterSql(filter, params);
    if (f) where.push(f);
    if (filter.id !== undefined) {
      where.push('id = ?');
      params.push(filter.id);
    }
    if (filter.lastSeenSince !== undefined) {
      where.push('last_seen >= ?');
      params.push(filter.lastSeenSince);
    }
    if (filter.lastSeenBefore !== undefined) {
      where.push('last_seen < ?');
      params.push(filter.lastSeenBefore);
    }
    if (where.length === 0) throw new Error('deleteEdges needs a filter');
    return this.db.prepare(`DELETE FROM edges WHERE ${where.join(' AND ')}`).run(...params).changes;
  }

  /** Ambiguous pairs; unreadable rows are skipped into `skipped`. */
  listAmbiguous(skipped?: SkippedRows): AmbiguousPair[] {
    const rows = this.db.prepare('SELECT * FROM ambiguous_pairs ORDER BY peer_a, peer_b, protocol').iterate() as Iterable<{
      id: number; peer_a: string; peer_b: string; protocol: string; port_a: number; port_b: number; first_seen: number; last_seen: number;
      flows: number; packets: number; bytes: number; sources: number;
    }>;
    const out: AmbiguousPair[] = [];
    for (const r of rows) {
      const a = checkedPeer(r.peer_a);
      const b = checkedPeer(r.peer_b);
      const problem =
        (typeof a === 'string' ? a : undefined) ??
        (typeof b === 'string' ? b : undefined) ??
        edgeValuesProblem(r.port_a, r.protocol, [r.first_seen, r.last_seen], [r.flows, r.packets, r.bytes, r.port_b]);
      if (problem !== undefined || typeof a === 'string' || typeof b === 'string') {
        skipRow(skipped, 'ambiguous_pairs', r.id, problem ?? 'unreadable');
        continue;
      }
      out.push({
        peerA: a,
        peerB: b,
        protocol: r.protocol as Protocol,
        portA: r.port_a,
        portB: r.port_b,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        flows: r.flows,
        packets: r.packets,
        bytes: r.bytes,
        sources: sourcesFromBits(r.sources),
      });
    }
    return out;
  }

  /** DNS names seen for an external IP, sorted. */
  externalNames(ip: string): string[] {
    return (this.db.prepare('SELECT name FROM external_names WHERE ip = ? ORDER BY name').all(ip) as { name: string }[]).map((r) => r.name);
  }

  hours(edgeId: number): { hour: number; flows: number; packets: number; bytes: number }[] {
    return this.db.prepare('SELECT hour, flows, packets, bytes FROM edge_hours WHERE edge_id = ? ORDER BY hour').all(edgeId) as {
      hour: number; flows: number; packets: number; bytes: number;
    }[];
  }
}

/** Why a stored edge row cannot be read, or undefined. */
export function edgeRowProblem(r: EdgeRow): string | undefined {
  const c = checkedPeer(r.client);
  if (typeof c === 'string') return `client: ${c}`;
  const s = checkedPeer(r.server);
  if (typeof s === 'string') return `server: ${s}`;
  return edgeValuesProblem(r.port, r.protocol, [r.first_seen, r.last_seen], [r.flows, r.packets, r.bytes, r.forwarded, r.dropped, r.sources]) ?? edgePortProblem(r.port, r.protocol);
}

/** The readable rows as edges; the others are skipped into `skipped`. */
export function checkedEdges(rows: Iterable<EdgeRow>, skipped?: SkippedRows): Edge[] {
  const out: Edge[] = [];
  for (const r of rows) {
    const problem = edgeRowProblem(r);
    if (problem === undefined) out.push(edgeFromRow(r));
    else skipRow(skipped, 'edges', r.id, problem);
  }
  return out;
}

/** A row already checked (`edgeRowProblem`) as an edge. */
export function edgeFromRow(r: EdgeRow): Edge {
  return {
    id: r.id,
    client: checkedPeer(r.client) as Peer,
    server: checkedPeer(r.server) as Peer,
    port: r.port,
    protocol: r.protocol as Protocol,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    flows: r.flows,
    packets: r.packets,
    bytes: r.bytes,
    forwarded: r.forwarded,
    dropped: r.dropped,
    sources: sourcesFromBits(r.sources),
    // Read as recommend-read.ts reads them: anything but text is not known.
    ...(typeof r.target_port_name === 'string' ? targetPortOf(r.target_port_name) : {}),
    ...(typeof r.through_service === 'string' ? { throughService: r.through_service } : {}),
  };
}

/**
 * The SQL condition of an edge filter (parameters appended to `params`), '' for none: a workload
 * or DNS peer of `namespace` on either side, and `workload` (`name` or `Kind/name`) on that same
 * side. Peer keys are `workload:ns/Kind/name` or `dns:ns/Kind/name`; other keys contain no '/'.
 */
export function edgeFilterSql(filter: EdgeFilter, params: unknown[]): string {
  if (filter.namespace === undefined && filter.workload === undefined) return '';
  return `(${sideCondition('client', filter, params)} OR ${sideCondition('server', filter, params)})`;
}

function sideCondition(col: 'client' | 'server', f: EdgeFilter, params: unknown[]): string {
  const conds: string[] = [];
  if (f.namespace !== undefined) {
    conds.push(`(substr(${col}, 1, ?) = ? OR substr(${col}, 1, ?) = ?)`);
    const w = `workload:${f.namespace}/`;
    const d = `dns:${f.namespace}/`;
    params.push(w.length, w, d.length, d);
  } else {
    conds.push(`(substr(${col}, 1, 9) = 'workload:' OR substr(${col}, 1, 4) = 'dns:')`);
  }
  if (f.workload !== undefined) {
    const suffix = `/${f.workload}`;
    // A bare name must be the last segment; `Kind/name` the last two.
    conds.push(`substr(${col}, -?) = ?`);
    params.push(suffix.length, suffix);
    if (!f.workload.includes('/')) {
      conds.push(`instr(substr(${col}, 1, length(${col}) - ?), '/') > 0`);
      params.push(suffix.length);
    }
  }
  return `(${conds.join(' AND ')})`;
}
