/**
 * Keyset pages over the edges for the API: stable order (client, server, port, protocol), the
 * cursor is the last key of the previous page, so pages neither skip nor repeat while edges are
 * added or updated between requests.
 */
import type { Edge } from '../domain/edge.ts';
import { sourcesFromBits, type Protocol } from '../domain/flow.ts';
import { parsePeerKey } from '../domain/peer.ts';
import type { Db } from './db.ts';

export interface EdgeKey {
  client: string;
  server: string;
  port: number;
  protocol: string;
}

export interface EdgePageQuery {
  /** A workload or DNS peer of this namespace on either side. */
  namespace?: string;
  /** This workload (`name` or `Kind/name`, within `namespace` when given) on either side. */
  workload?: string;
  /** Last seen at or after this time, ms. */
  since?: number;
  after?: EdgeKey;
  limit: number;
}

interface Row {
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

const toEdge = (r: Row): Edge => ({
  id: r.id,
  client: parsePeerKey(r.client),
  server: parsePeerKey(r.server),
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
});

/** Peer-key conditions for one side: prefix `workload:NS/` or `dns:NS/`, suffix `/name` or `/Kind/name`. */
function sideCondition(col: 'client' | 'server', q: EdgePageQuery, params: unknown[]): string {
  const conds: string[] = [];
  if (q.namespace !== undefined) {
    conds.push(`(substr(${col}, 1, ?) = ? OR substr(${col}, 1, ?) = ?)`);
    const w = `workload:${q.namespace}/`;
    const d = `dns:${q.namespace}/`;
    params.push(w.length, w, d.length, d);
  } else if (q.workload !== undefined) {
    conds.push(`(substr(${col}, 1, 9) = 'workload:' OR substr(${col}, 1, 4) = 'dns:')`);
  }
  if (q.workload !== undefined) {
    const suffix = `/${q.workload}`;
    // A bare name must be the last segment; `Kind/name` the last two. Other peer keys contain no '/'.
    conds.push(`substr(${col}, -?) = ?`);
    params.push(suffix.length, suffix);
    if (!q.workload.includes('/')) {
      conds.push(`instr(substr(${col}, 1, length(${col}) - ?), '/') > 0`);
      params.push(suffix.length);
    }
  }
  return conds.length ? `(${conds.join(' AND ')})` : '';
}

export function edgePage(db: Db, q: EdgePageQuery): { edges: Edge[]; next?: EdgeKey } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.namespace !== undefined || q.workload !== undefined) {
    const c = sideCondition('client', q, params);
    const s = sideCondition('server', q, params);
    where.push(`(${c} OR ${s})`);
  }
  if (q.since !== undefined) {
    where.push('last_seen >= ?');
    params.push(q.since);
  }
  if (q.after) {
    where.push('(client, server, port, protocol) > (?, ?, ?, ?)');
    params.push(q.after.client, q.after.server, q.after.port, q.after.protocol);
  }
  const sql = `SELECT * FROM edges ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY client, server, port, protocol LIMIT ?`;
  params.push(q.limit + 1);
  const rows = db.prepare(sql).all(...params) as Row[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page.at(-1);
  const result: { edges: Edge[]; next?: EdgeKey } = { edges: page.map(toEdge) };
  if (more && last) result.next = { client: last.client, server: last.server, port: last.port, protocol: last.protocol };
  return result;
}

/** Whether the store answers and has its schema: for /readyz. */
export function storeHealth(db: Db): { reachable: boolean; version: number } {
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return { reachable: true, version: row.v ?? 0 };
}
