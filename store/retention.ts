/**
 * Retention: what the store keeps, by age. Hourly buckets older than `hourDays` go (the edge
 * keeps its totals and first/last seen); edges not seen for `edgeDays` go with their buckets
 * (ON DELETE CASCADE), as do ambiguous pairs, flow-metric pairs and external DNS names not seen
 * since. IP-history intervals and former apiserver endpoints that ended more than `historyDays`
 * ago go, and the cut-off is kept (`history_horizon`): a flow from before it is skipped at ingest
 * (`before-history`), since its address may have had an owner the store no longer knows. Finished
 * ingest runs older than `runDays` go (an Idempotency-Key is then forgotten).
 * 0 keeps that kind forever.
 */
import type { Db } from './db.ts';

export interface RetentionPolicy {
  /** Edges (and ambiguous pairs, flow-metric pairs, external names) last seen longer ago than this are deleted; 0 = never. */
  edgeDays: number;
  /** Hourly buckets older than this are deleted; 0 = never. */
  hourDays: number;
  /** IP-history intervals and former apiserver endpoints that ended longer ago than this are deleted; 0 (or absent) = never. */
  historyDays?: number;
  /** Finished ingest runs (and the Idempotency-Key summaries they keep) that ended longer ago than this are deleted; 0 (or absent) = never. */
  runDays?: number;
}

export interface RetentionResult {
  /** The cut-off times applied, ISO 8601 (absent: that kind is kept forever). */
  edgesBefore?: string;
  hoursBefore?: string;
  historyBefore?: string;
  runsBefore?: string;
  edges: number;
  hours: number;
  ambiguous: number;
  /** Observed pairs of flow metrics (migration 0009_metric_pairs). */
  metricPairs: number;
  names: number;
  /** IP-history intervals and former apiserver endpoints (migration 0023). */
  intervals: number;
  formerApiserverEndpoints: number;
  runs: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export function applyRetention(db: Db, policy: RetentionPolicy, now: number = Date.now()): RetentionResult {
  const result: RetentionResult = { edges: 0, hours: 0, ambiguous: 0, metricPairs: 0, names: 0, intervals: 0, formerApiserverEndpoints: 0, runs: 0 };
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
    if ((policy.historyDays ?? 0) > 0) {
      const cutoff = now - (policy.historyDays ?? 0) * DAY_MS;
      result.historyBefore = new Date(cutoff).toISOString();
      // Every interval that held a time at or after the cut-off ended at or after it, so it stays:
      // flows from the cut-off on resolve exactly as before.
      result.intervals = db.prepare('DELETE FROM ip_history WHERE valid_to < ?').run(cutoff).changes;
      result.formerApiserverEndpoints = db.prepare('DELETE FROM apiserver_history WHERE valid_to < ?').run(cutoff).changes;
      // The horizon only moves forward: a pass with a shorter historyDays set later has already forgotten more.
      db.prepare('INSERT INTO history_horizon (id, before) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET before = max(before, excluded.before)').run(cutoff);
    }
    if ((policy.runDays ?? 0) > 0) {
      const cutoff = now - (policy.runDays ?? 0) * DAY_MS;
      result.runsBefore = new Date(cutoff).toISOString();
      // A running run is never deleted, however old: its process may still commit to it.
      result.runs = db.prepare("DELETE FROM ingest_runs WHERE status <> 'running' AND finished_at < ?").run(cutoff).changes;
    }
    // IMMEDIATE: it may read before it writes (store/db.ts).
  }).immediate();
  return result;
}

/** The time before which flows cannot be resolved because the IP history then was deleted by retention (absent: nothing was). */
export function historyHorizon(db: Db): number | undefined {
  const row = db.prepare('SELECT before FROM history_horizon WHERE id = 1').get() as { before: number } | undefined;
  return row?.before;
}
