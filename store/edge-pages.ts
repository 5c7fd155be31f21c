/**
 * Keyset pages over the edges for the API: stable order (client, server, port, protocol), the
 * cursor is the last key of the previous page, so pages neither skip nor repeat while edges are
 * added or updated between requests.
 */
import type { Edge } from '../domain/edge.ts';
import type { Db } from './db.ts';
import { checkedEdges, edgeFilterSql, type EdgeFilter, type EdgeRow } from './edges.ts';
import type { SkippedRows } from './row-check.ts';

export interface EdgeKey {
  client: string;
  server: string;
  port: number;
  protocol: string;
}

export interface EdgePageQuery extends EdgeFilter {
  /** Last seen at or after this time, ms. */
  since?: number;
  after?: EdgeKey;
  limit: number;
}

/** One page; unreadable rows are skipped into `skipped` (a page may then hold fewer than `limit` edges). */
export function edgePage(db: Db, q: EdgePageQuery, skipped?: SkippedRows): { edges: Edge[]; next?: EdgeKey } {
  const where: string[] = [];
  const params: unknown[] = [];
  const filter = edgeFilterSql(q, params);
  if (filter) where.push(filter);
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
  const rows = db.prepare(sql).all(...params) as EdgeRow[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page.at(-1);
  const result: { edges: Edge[]; next?: EdgeKey } = { edges: checkedEdges(page, skipped) };
  if (more && last) result.next = { client: last.client, server: last.server, port: last.port, protocol: last.protocol };
  return result;
}

/** Whether the store answers and has its schema: for /readyz. */
export function storeHealth(db: Db): { reachable: boolean; version: number } {
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return { reachable: true, version: row.v ?? 0 };
}
