/** What the recommender reads besides edges and the inventory: DNS names seen for external IPs and for workloads' pods. */
import type { InventorySnapshot } from '../domain/inventory.ts';
import { deletedWorkloads, readInventory } from './inventory.ts';
import { DEFAULT_MAX_RECOMMEND_EDGES, targetPortOf, type Edge, type EdgeTraffic, type NamesNotKept } from '../domain/edge.ts';
import { PROTOCOLS, sourcesFromBits, type FlowSource, type Protocol } from '../domain/flow.ts';
import { workloadKey, type Peer, type WorkloadRef } from '../domain/peer.ts';
import type { Db } from './db.ts';
import { canonicalDnsName } from '../domain/dns-name.ts';
import type { ObservedLabels } from '../domain/observed-labels.ts';
import { readObservedLabels } from './observed-labels.ts';
import { checkedPeer, edgePortProblem, edgeValuesFaultSql, edgeValuesProblem, newSkippedRows, skipRow, type SkippedRows } from './row-check.ts';

/** External IP → the DNS names seen for it, names sorted. */
export function readExternalNames(db: Db): Map<string, string[]> {
  return namesByHolder(db.prepare('SELECT ip AS holder, name FROM external_names ORDER BY ip, name'));
}

/** Workload (its workloadKey, namespace/Kind/name) → the DNS names seen answering with its pods' own addresses, names sorted. */
export function readWorkloadNames(db: Db): Map<string, string[]> {
  return namesByHolder(db.prepare("SELECT workload AS holder, name FROM workload_names WHERE service = '' ORDER BY workload, name"));
}

/** Service (namespace/name) → the DNS names seen answering with its ClusterIP (kept with its backend workloads), names sorted. */
export function readServiceNames(db: Db): Map<string, string[]> {
  return namesByHolder(db.prepare("SELECT DISTINCT service AS holder, name FROM workload_names WHERE service <> '' ORDER BY service, name"));
}

/** The edges stored before the DNS names pods answer were kept (NamesNotKept), undefined once none is left. */
export function readNamesNotKept(db: Db): NamesNotKept | undefined {
  const kept = db.prepare('SELECT count(*) AS n, max(e.last_seen) AS last FROM edges_names_not_kept k JOIN edges e ON e.id = k.edge_id').get() as { n: number; last: number | null };
  if (kept.n === 0 || kept.last === null) return undefined;
  // Past every one of them, and past every edge with a flow before that (its flows are all in the
  // logs ingested again): an edge that straddled the time would keep its earlier flows and get them again.
  const lastOfEarlier = db.prepare('SELECT max(last_seen) FROM edges WHERE first_seen < ?').pluck();
  let before = kept.last + 1;
  for (let last = lastOfEarlier.get(before) as number; last >= before; last = lastOfEarlier.get(before) as number) before = last + 1;
  return { edges: kept.n, before };
}

function namesByHolder(rows: { iterate(): IterableIterator<unknown> }): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows.iterate() as Iterable<{ holder: string; name: string }>) {
    // Canonical here too: an older version stored names as the flow log spelt them.
    const name = canonicalDnsName(r.name);
    const l = out.get(r.holder);
    if (l === undefined) out.set(r.holder, [name]);
    else if (!l.includes(name)) l.push(name);
  }
  for (const l of out.values()) l.sort();
  return out;
}

/** One string per protocol for every edge (SQLite hands out a new string per row). */
const PROTOCOL_STRINGS = new Map<string, Protocol>(PROTOCOLS.map((p) => [p, p]));

/** Column order of the raw rows below (arrays are cheaper to build than one object per row). */
type EdgeTuple = [id: number, client: string, server: string, port: number, protocol: string, firstSeen: number, lastSeen: number, flows: number, packets: number, bytes: number, forwarded: number, dropped: number, sources: number, targetPortName: string | null, throughService: string | null];

/**
 * Peers parsed once per distinct key and shared between edges (a cluster has far fewer peers
 * than edges): the recommender memoises per peer object.
 */
function peerInterner(): (key: string) => Peer | string {
  const peers = new Map<string, Peer | string>();
  return (k) => {
    let p = peers.get(k);
    if (p === undefined) peers.set(k, (p = checkedPeer(k)));
    return p;
  };
}

/** The same row checks as store/edges.ts `edgeRowProblem`, on a row's raw columns. */
function rowProblem(client: Peer | string, server: Peer | string, port: number, protocol: string, times: number[], counts: number[]): string | undefined {
  if (typeof client === 'string') return `client: ${client}`;
  if (typeof server === 'string') return `server: ${server}`;
  return edgeValuesProblem(port, protocol, times, counts) ?? edgePortProblem(port, protocol);
}

/**
 * Every edge, in storage order (the recommender orders each workload's edges itself; walking
 * the (client, server, port, protocol) index instead costs a table lookup per row, half the
 * read), peers shared between edges.
 */
export function readAllEdges(db: Db, skipped?: SkippedRows): Edge[] {
  const peer = peerInterner();
  const sources = new Map<number, FlowSource[]>();
  const out: Edge[] = [];
  const rows = db
    .prepare('SELECT id, client, server, port, protocol, first_seen, last_seen, flows, packets, bytes, forwarded, dropped, sources, target_port_name, through_service FROM edges')
    .raw(true)
    .iterate() as Iterable<EdgeTuple>;
  let lastBits = -1;
  let lastSources: FlowSource[] = [];
  for (const r of rows) {
    const client = peer(r[1]);
    const server = peer(r[2]);
    const problem = rowProblem(client, server, r[3], r[4], [r[5], r[6]], [r[7], r[8], r[9], r[10], r[11], r[12]]);
    if (problem !== undefined) {
      skipRow(skipped, 'edges', r[0], problem);
      continue;
    }
    if (r[12] !== lastBits) {
      let s = sources.get(r[12]);
      if (s === undefined) sources.set(r[12], (s = sourcesFromBits(r[12])));
      lastBits = r[12];
      lastSources = s;
    }
    const edge: Edge = {
      id: r[0],
      client: client as Peer,
      server: server as Peer,
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
    };
    if (typeof r[13] === 'string' && r[13] !== '') Object.assign(edge, targetPortOf(r[13]));
    if (typeof r[14] === 'string') edge.throughService = r[14];
    out.push(edge);
  }
  return out;
}

type TrafficTuple = [client: string, server: string, port: number, protocol: string, lastSeen: number, flows: number, forwarded: number, dropped: number];

/** Answered from the covering index `edges_traffic` alone (a test pins the query plan). */
export const TRAFFIC_QUERY = 'SELECT client, server, port, protocol, last_seen, flows, forwarded, dropped FROM edges ORDER BY client, server, port, protocol';

/**
 * Every edge's traffic only: what manifests are made of. Each column read costs time on every
 * row and the objects live as long as the run, so the evidence columns are left out. The rows
 * come in edge-key order from a covering index (migration 0005): a workload's outgoing edges
 * are read, and allocated, one after the other, and consecutive rows share their client.
 */
export function readEdgeTraffic(db: Db, skipped?: SkippedRows): EdgeTraffic[] {
  const peer = peerInterner();
  const out: EdgeTraffic[] = [];
  const named = readTargetPortNames(db);
  const through = readThroughServices(db);
  const faulty = readFaultyOutsideTraffic(db);
  const rows = db.prepare(TRAFFIC_QUERY).raw(true).iterate() as Iterable<TrafficTuple>;
  // In key order, consecutive rows share their client, and often their server (other ports).
  let clientKey = '';
  let client: Peer | string | undefined;
  let serverKey = '';
  let server: Peer | string | undefined;
  const left: { row: TrafficTuple; problem: string }[] = [];
  for (const r of rows) {
    if (client === undefined || r[0] !== clientKey) {
      clientKey = r[0];
      client = peer(r[0]);
    }
    if (server === undefined || r[1] !== serverKey) {
      serverKey = r[1];
      server = peer(r[1]);
    }
    // The row's other columns, read where one of them is faulty: then checked as the full read checks them.
    const others = faulty.size === 0 ? undefined : faulty.get(r[0])?.get(r[1])?.get(r[2])?.get(r[3]);
    const problem = others === undefined ? rowProblem(client, server, r[2], r[3], [r[4]], [r[5], r[6], r[7]]) : rowProblem(client, server, r[2], r[3], [others[0], r[4]], [r[5], others[1], others[2], r[6], r[7], others[3]]);
    if (problem !== undefined) {
      left.push({ row: r, problem });
      continue;
    }
    const edge: EdgeTraffic = { client: client as Peer, server: server as Peer, port: r[2], protocol: PROTOCOL_STRINGS.get(r[3]) ?? (r[3] as Protocol), lastSeen: r[4], flows: r[5], forwarded: r[6], dropped: r[7] };
    const ways = named.get(r[0])?.get(r[1])?.get(r[2])?.get(r[3]);
    if (ways !== undefined) Object.assign(edge, targetPortOf(ways));
    const service = through.get(r[0])?.get(r[1])?.get(r[2])?.get(r[3]);
    if (service !== undefined) edge.throughService = service;
    out.push(edge);
  }
  // Named by their row id, which `edges delete --id` takes, as the full read names them: looked up
  // once the iteration is over (the connection runs one statement at a time), for the few left out.
  if (left.length > 0) {
    const idOf = db.prepare('SELECT id FROM edges WHERE client = ? AND server = ? AND port = ? AND protocol = ?').pluck();
    for (const { row: r, problem } of left) skipRow(skipped, 'edges', (idOf.get(r[0], r[1], r[2], r[3]) as number | undefined) ?? `${r[0]}|${r[1]}|${r[2]}|${r[3]}`, problem);
  }
  return out;
}

/** The columns an edge row holds besides those TRAFFIC_QUERY reads. */
type OtherColumns = [firstSeen: number, packets: number, bytes: number, sources: number];

/**
 * The rows whose columns outside the covering index (first_seen, packets, bytes, sources) break
 * the row rules, with those columns, by edge: every read leaves out the same rows (store/row-check.ts),
 * so export (this read) and the full read one workload's answer comes from never differ on one.
 * Found by a condition on those columns alone, a scan that is a small part of the read.
 */
function readFaultyOutsideTraffic(db: Db): ByEdge<OtherColumns> {
  const query = `SELECT client, server, port, protocol, first_seen, packets, bytes, sources FROM edges WHERE ${edgeValuesFaultSql(['first_seen', 'packets', 'bytes', 'sources'])}`;
  // Few rows, if any: gathered at once.
  const rows = db.prepare(query).raw(true).all() as [string, string, number, string, ...OtherColumns][];
  return byEdge(rows.map(([client, server, port, protocol, ...others]) => [client, server, port, protocol, others] as const));
}

/** A value per edge by client, server, port and protocol: looked up by the strings a row already holds, no key built per row. */
type ByEdge<V> = Map<string, Map<string, Map<number, Map<string, V>>>>;

/** A text per edge (a target port name, a Service port). */
type NamesByEdge = ByEdge<string>;

/**
 * The target port names of the edges that keep one (migration 0045: reached through a Service's
 * named targetPort), by edge: from their partial index, so that the traffic itself stays a read of
 * the covering index alone.
 */
function readTargetPortNames(db: Db): NamesByEdge {
  // The partial index's own condition: '' (mixed) and NULL (not known) are no name.
  return byEdge(db.prepare("SELECT client, server, port, protocol, target_port_name FROM edges WHERE target_port_name <> ''").raw(true).iterate() as Iterable<[string, string, number, string, string]>);
}

/** The Service ports the edges that keep one came through (migration 0051, domain/edge.ts ThroughServices), by edge: from their partial index, as readTargetPortNames. */
function readThroughServices(db: Db): NamesByEdge {
  return byEdge(db.prepare('SELECT client, server, port, protocol, through_service FROM edges WHERE through_service IS NOT NULL').raw(true).iterate() as Iterable<[string, string, number, string, string]>);
}

/** Rows of (client, server, port, protocol, value) by edge. */
function byEdge<V>(rows: Iterable<readonly [string, string, number, string, V]>): ByEdge<V> {
  const out: ByEdge<V> = new Map();
  for (const [client, server, port, protocol, value] of rows) {
    const byServer = out.get(client) ?? out.set(client, new Map()).get(client)!;
    const byPort = byServer.get(server) ?? byServer.set(server, new Map()).get(server)!;
    const byProtocol = byPort.get(port) ?? byPort.set(port, new Map()).get(port)!;
    byProtocol.set(protocol, value);
  }
  return out;
}

/** The most stored edges one recommendation reads by default (config `recommendations.maxEdges`). */
export { DEFAULT_MAX_RECOMMEND_EDGES };

/** The store holds more edges than one recommendation may read: refused before reading, never an out-of-memory crash. */
export class TooManyEdgesError extends Error {
  override name = 'TooManyEdgesError';
  constructor(
    readonly count: number,
    readonly limit: number,
  ) {
    super(
      `the store holds ${count} edges, more than one recommendation reads (${limit}, recommendations.maxEdges): ` +
        'delete or prune edges (flowmatrix edges delete / prune, DELETE /api/v1/edges), lower ingest.maxEdgesPerWorkload, or raise the limit with the memory to match',
    );
  }
}

interface RecommendData<E extends EdgeTraffic> {
  inventory: InventorySnapshot;
  edges: E[];
  externalNames: Map<string, string[]>;
  /** Workload key → the DNS names seen answering with its pods (readWorkloadNames). */
  workloadNames: Map<string, string[]>;
  /** Service (namespace/name) → the DNS names seen answering with its ClusterIP (readServiceNames). */
  serviceNames: Map<string, string[]>;
  /** The edges stored before those names were kept, if any is left (readNamesNotKept). */
  namesNotKept: NamesNotKept | undefined;
  /** Stored edge rows that could not be read and were left out (store/row-check.ts). */
  skippedRows: SkippedRows;
  /** Pod labels flow records carried for workloads no inventory knew (store/observed-labels.ts). */
  observedLabels: ObservedLabels[];
  /** The most edges the recommendation holds (recommendations.maxEdges): those read, and those it follows through Services. */
  maxEdges: number;
}

/** How many edges the store holds. */
export function countEdges(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n;
}

/**
 * What recommend() reads from the store besides the matrices, which each caller resolves with
 * its own error mapping: the present inventory, every edge (`details: false`: their traffic
 * only, enough for manifests), the DNS names of external IPs. More than `maxEdges` stored edges
 * throw TooManyEdgesError before anything is read.
 */
export function readRecommendData(db: Db, opts?: { maxEdges?: number }): RecommendData<Edge>;
export function readRecommendData(db: Db, opts: { details: boolean; maxEdges?: number }): RecommendData<EdgeTraffic>;
export function readRecommendData(db: Db, opts: { details?: boolean; maxEdges?: number } = {}): RecommendData<EdgeTraffic> {
  const limit = opts.maxEdges ?? DEFAULT_MAX_RECOMMEND_EDGES;
  const count = countEdges(db);
  if (count > limit) throw new TooManyEdgesError(count, limit);
  const skippedRows = newSkippedRows();
  const edges = opts.details === false ? readEdgeTraffic(db, skippedRows) : readAllEdges(db, skippedRows);
  return { inventory: withDeletedWorkloads(db, readInventory(db), edges), edges, externalNames: readExternalNames(db), workloadNames: readWorkloadNames(db), serviceNames: readServiceNames(db), namesNotKept: readNamesNotKept(db), skippedRows, observedLabels: readObservedLabels(db), maxEdges: limit };
}

/**
 * The inventory with the workloads the edges name that an import marked absent, and when
 * (InventorySnapshot.deletedWorkloads): their edges are left out as deleted, not as unknown. The
 * same object when the edges name none.
 */
function withDeletedWorkloads(db: Db, inventory: InventorySnapshot, edges: readonly EdgeTraffic[]): InventorySnapshot {
  const listed = new Set(inventory.workloads.map(workloadKey));
  const unlisted = new Map<string, WorkloadRef>();
  for (const e of edges) {
    for (const p of [e.client, e.server]) {
      if (p.kind === 'workload' && !listed.has(workloadKey(p.workload))) unlisted.set(workloadKey(p.workload), p.workload);
    }
  }
  if (unlisted.size === 0) return inventory;
  const deleted = deletedWorkloads(db, unlisted.values());
  return Object.keys(deleted).length > 0 ? { ...inventory, deletedWorkloads: deleted } : inventory;
}
