/**
 * Retention: what the store keeps of observed traffic. Hourly buckets older than `hourDays`
 * go (the edge keeps its totals and first/last seen); edges not seen for `edgeDays` go with
 * their buckets (ON DELETE CASCADE), as do ambiguous pairs, flow-metric pairs and external DNS
 * names not seen since.
 * 0 keeps that kind forever.
 */
import type { Db } from './db.ts';

export interface RetentionPolicy {
  /** Edges (and ambiguous pairs, flow-metric pairs, external names) last seen longer ago than this are deleted; 0 = never. */
  edgeDays: number;
  /** Hourly buckets older than this are deleted; 0 = never. */
  hourDays: number;
}

export interface RetentionResult {
  /** The cut-off times applied, ISO 8601 (absent: that kind is kept forever). */
  edgesBefore?: string;
  hoursBefore?: string;
  edges: number;
  hours: number;
  ambiguous: number;
  /** Observed pairs of flow metrics (migration 0009_metric_pairs). */
  metricPairs: number;
  names: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export function applyRetention(db: Db, policy: RetentionPolicy, now: number = Date.now()): RetentionResult {
  const result: RetentionResult = { edges: 0, hours: 0, ambiguous: 0, metricPairs: 0, names: 0 };
  db.transaction(() => {
    if (policy.hourDays > 0) {
      const cutoff = now - policy.hourDays * DAY_MS;
      result.hoursBefore = new Date(cutoff).toISOString();
      // A bucket is the hour starting at hour × 1 h: it goes once that whole hour is older than the cut-off.
      result.hours = db.prepare('DELETE FROM edge_hours WHERE hour < ?').run(Math.floor(cutoff / HOUR_MS)).changes;
    }
    if (policy.edgeDays > 0) {
      const cutoff = now - policy.edgeDays * DAY_MS;
      result.edgesBefore = new Date(cutoff).toISOString();
      const hoursBefore = db.prepare('SELECT count(*) AS n FROM edge_hours WHERE edge_id IN (SELECT id FROM edges WHERE last_seen < ?)').get(cutoff) as { n: number };
      result.edges = db.prepare('DELETE FROM edges WHERE last_seen < ?').run(cutoff).changes;
      result.hours += hoursBefore.n;
      result.ambiguous = db.prepare('DELETE FROM ambiguous_pairs WHERE last_seen < ?').run(cutoff).changes;
      result.metricPairs = db.prepare('DELETE FROM metric_pairs WHERE last_seen < ?').run(cutoff).changes;
      result.names = db.prepare('DELETE FROM external_names WHERE last_seen < ?').run(cutoff).changes;
    }
    // IMMEDIATE: it may read before it writes (store/db.ts).
  }).immediate();
  return result;
}
