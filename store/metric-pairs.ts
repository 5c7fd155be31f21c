/**
 * Reads of the observed pairs (migration 0009; written by collectors/prometheus/store.ts): keyset
 * pages in primary-key order (peer_a, peer_b, source, metric), each pair marked `matched` when an
 * edge joins its peers in either direction on any port. The anti-join is two lookups per pair on
 * the edges' (client, server, …) unique index — never a scan of the edges (test/integration/
 * metric-pairs-store.test.ts checks the query plan).
 */
import { FLOW_SOURCES, type FlowSource } from '../domain/flow.ts';
import { PAIR_LACKS, type MetricPair, type PairLack } from '../domain/metric-pair.ts';
import type { Db } from './db.ts';
import { checkedPeer, isCount, isTime, skipRow, type SkippedRows } from './row-check.ts';

/** The primary key of a pair row: a page's cursor. */
export interface MetricPairKey {
  peerA: string;
  peerB: string;
  source: string;
  metric: string;
}

export interface MetricPairFilter {
  /** Pairs with a workload (or DNS workload) of this namespace on either side. */
  namespace?: string;
  /** Only pairs no edge joins (either direction, any port). */
  unmatched?: boolean;
  /** Only pairs last seen at or after this time (ms). */
  lastSeenSince?: number;
}

export interface MetricPairPageQuery extends MetricPairFilter {
  after?: MetricPairKey;
  limit: number;
}

interface PairRow {
  peer_a: string;
  peer_b: string;
  source: string;
  metric: string;
  lacks: string;
  first_seen: number;
  last_seen: number;
  flows: number;
  packets: number;
  bytes: number;
  matched: number;
}

/** An edge joins the pair's peers, either way round (the edges' unique index leads with client, server). */
const MATCHED = `(EXISTS (SELECT 1 FROM edges e WHERE e.client = p.peer_a AND e.server = p.peer_b)
  OR EXISTS (SELECT 1 FROM edges e WHERE e.client = p.peer_b AND e.server = p.peer_a))`;

function filterSql(f: MetricPairFilter, params: unknown[]): string[] {
  const where: string[] = [];
  if (f.namespace !== undefined) {
    const w = `workload:${f.namespace}/`;
    const d = `dns:${f.namespace}/`;
    const side = (col: string): string => `substr(p.${col}, 1, ?) = ? OR substr(p.${col}, 1, ?) = ?`;
    where.push(`(${side('peer_a')} OR ${side('peer_b')})`);
    params.push(w.length, w, d.length, d, w.length, w, d.length, d);
  }
  if (f.lastSeenSince !== undefined) {
    where.push('p.last_seen >= ?');
    params.push(f.lastSeenSince);
  }
  if (f.unmatched) where.push(`NOT ${MATCHED}`);
  return where;
}

/** The SQL and parameters of one page (exported for the query-plan test). */
export function metricPairPageSql(q: MetricPairPageQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = filterSql(q, params);
  if (q.after) {
    where.push('(p.peer_a, p.peer_b, p.source, p.metric) > (?, ?, ?, ?)');
    params.push(q.after.peerA, q.after.peerB, q.after.source, q.after.metric);
  }
  params.push(q.limit + 1);
  const sql = `SELECT p.*, ${MATCHED} AS matched FROM metric_pairs p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY p.peer_a, p.peer_b, p.source, p.metric LIMIT ?`;
  return { sql, params };
}

/** One page in key order; unreadable rows are skipped into `skipped` (the page may then hold fewer than `limit`). */
export function metricPairPage(db: Db, q: MetricPairPageQuery, skipped?: SkippedRows): { pairs: MetricPair[]; next?: MetricPairKey } {
  const { sql, params } = metricPairPageSql(q);
  const rows = db.prepare(sql).all(...params) as PairRow[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const pairs = checkedPairs(page, skipped);
  const last = page.at(-1);
  return more && last ? { pairs, next: { peerA: last.peer_a, peerB: last.peer_b, source: last.source, metric: last.metric } } : { pairs };
}

/**
 * The `limit` pairs the filter selects that were seen last (ties in key order), returned in key
 * order. What a bounded read for warnings needs: where more pairs exist than are read, those left
 * out are the oldest, not the ones that happen to sort last (stale pairs never crowd out fresh ones).
 */
export function latestMetricPairs(db: Db, f: MetricPairFilter, limit: number, skipped?: SkippedRows): MetricPair[] {
  const params: unknown[] = [];
  const where = filterSql(f, params);
  params.push(limit);
  const rows = db
    .prepare(
      `SELECT p.*, ${MATCHED} AS matched FROM metric_pairs p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY p.last_seen DESC, p.peer_a, p.peer_b, p.source, p.metric LIMIT ?`,
    )
    .all(...params) as PairRow[];
  return checkedPairs(rows.sort(byKey), skipped);
}

/** The primary key's order (SQLite's BINARY collation of the four text columns: code units, as `<`). */
function byKey(a: PairRow, b: PairRow): number {
  for (const k of ['peer_a', 'peer_b', 'source', 'metric'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
}

/** How many stored pairs the filter selects. */
export function countMetricPairs(db: Db, f: MetricPairFilter = {}): number {
  const params: unknown[] = [];
  const where = filterSql(f, params);
  return (db.prepare(`SELECT count(*) AS n FROM metric_pairs p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).get(...params) as { n: number }).n;
}

/** The pairs the rows hold, in their order; an unreadable row is skipped into `skipped`. */
function checkedPairs(rows: readonly PairRow[], skipped: SkippedRows | undefined): MetricPair[] {
  const pairs: MetricPair[] = [];
  for (const r of rows) {
    const p = checkedPair(r);
    if (typeof p === 'string') skipRow(skipped, 'metric_pairs', `${r.peer_a} ${r.peer_b} ${r.source} ${r.metric}`, p);
    else pairs.push(p);
  }
  return pairs;
}

const isLack = (s: string): s is PairLack => (PAIR_LACKS as readonly string[]).includes(s);

/** The pair a row holds, or why it cannot be read (store/row-check.ts: one bad row never fails a read). */
function checkedPair(r: PairRow): MetricPair | string {
  const a = checkedPeer(r.peer_a);
  if (typeof a === 'string') return a;
  const b = checkedPeer(r.peer_b);
  if (typeof b === 'string') return b;
  if (!(FLOW_SOURCES as readonly string[]).includes(r.source)) return `source ${r.source} is not one of ${FLOW_SOURCES.join(', ')}`;
  const lacks = r.lacks.split(',');
  if (!lacks.every(isLack)) return `lacks "${r.lacks}" is not a list of ${PAIR_LACKS.join(', ')}`;
  if (!isTime(r.first_seen) || !isTime(r.last_seen)) return `a time (${r.first_seen}, ${r.last_seen}) is outside the Date range`;
  if (![r.flows, r.packets, r.bytes].every(isCount)) return `a count (${r.flows}, ${r.packets}, ${r.bytes}) is not a non-negative safe integer`;
  return {
    peerA: a,
    peerB: b,
    source: r.source as FlowSource,
    metric: r.metric,
    lacks,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    flows: r.flows,
    packets: r.packets,
    bytes: r.bytes,
    matched: r.matched === 1,
  };
}
