/**
 * Retention: what the store keeps, by age. Hourly buckets older than `hourDays` go (the edge
 * keeps its totals and first/last seen); edges not seen for `edgeDays` go with their buckets
 * (ON DELETE CASCADE), as do ambiguous pairs, flow-metric pairs and DNS names (of outside addresses, of workloads) not seen
 * since. IP-history intervals, former apiserver endpoints and Services' former backends that ended more than `historyDays`
 * ago go, and the cut-off is kept (`history_horizon`): a flow from before it is skipped at ingest
 * (`before-history`), since its address may have had an owner the store no longer knows; so do
 * the workloads gone since before the cut-off (no flow the store still resolves can be theirs) and
 * the inventory imports taken before it (but the last, and the last that said Cilium's settings).
 * Finished ingest runs older than `runDays` go (an Idempotency-Key is then forgotten).
 * 0 keeps that kind forever.
 *
 * Rows go a batch at a time, each batch its own short transaction: the first pass on a store kept
 * for a year deleted 2.7 million intervals in one transaction, which held the service's event loop
 * 21 s and made an `ingest` beside it fail with "database is locked". `retentionSteps` yields after
 * each batch; `serve` lets its event loop turn there (server/services/retention.ts).
 */
import type { Db } from './db.ts';

export interface RetentionPolicy {
  /** Edges (and ambiguous pairs, flow-metric pairs, external names) last seen longer ago than this are deleted; 0 = never. */
  edgeDays: number;
  /** Hourly buckets older than this are deleted; 0 = never. */
  hourDays: number;
  /** IP-history intervals, former apiserver endpoints, workloads gone and inventory imports from longer ago than this are deleted; 0 (or absent) = never. */
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
  /** ClusterIPs of gone Services (migration 0038) that ended before the cut-off, but each address's latest. */
  formerClusterIps: number;
  /** Services' former backend states (migration 0049) that ended before the cut-off. */
  serviceBackends: number;
  /** Workloads no import has listed since before the history cut-off. */
  goneWorkloads: number;
  inventoryImports: number;
  runs: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Rows per transaction: a batch commits in milliseconds, so nothing waits long behind it. */
export const RETENTION_BATCH = 2_000;

/** Applies the policy at once (the CLI, tests): every batch, back to back. */
export function applyRetention(db: Db, policy: RetentionPolicy, now: number = Date.now()): RetentionResult {
  const steps = retentionSteps(db, policy, now);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The policy applied a batch at a time: each `next()` commits one short IMMEDIATE transaction (it
 * reads before it writes, store/db.ts); the last returns what was deleted.
 */
export function* retentionSteps(db: Db, policy: RetentionPolicy, now: number, batch: number = RETENTION_BATCH): Generator<void, RetentionResult> {
  const result: RetentionResult = { edges: 0, hours: 0, ambiguous: 0, metricPairs: 0, names: 0, intervals: 0, formerApiserverEndpoints: 0, formerClusterIps: 0, serviceBackends: 0, goneWorkloads: 0, inventoryImports: 0, runs: 0 };
  /**
   * Deletes the rows of `table` that `where` selects, `batch` a time (by `key`, its primary key's
   * columns), yielding after each; `alongside` counts what a batch deletes with it ($ids: the batch's keys).
   */
  function* deleteAll(table: string, key: string, where: string, params: readonly unknown[], counted: (n: number) => void, alongside?: string): Generator<void> {
    // No ORDER BY: the scan stops at the batch's size (a sort would read every candidate, each batch:
    // 24 s for a million intervals). `alongside` runs the same subquery in the same transaction.
    const ids = `SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${batch}`;
    const countAlongside = alongside === undefined ? undefined : db.prepare(alongside.replace('$ids', ids));
    const del = db.prepare(`DELETE FROM ${table} WHERE (${key}) IN (${ids})`);
    for (;;) {
      const n = db
        .transaction(() => {
          if (countAlongside) result.hours += (countAlongside.get(...params) as { n: number }).n;
          return del.run(...params).changes;
        })
        .immediate();
      counted(n);
      if (n < batch) return;
      yield;
    }
  }

  if (policy.hourDays > 0) {
    const cutoff = now - policy.hourDays * DAY_MS;
    result.hoursBefore = new Date(cutoff).toISOString();
    // A bucket is the hour starting at hour × 1 h: it goes once that whole hour is older than the cut-off.
    yield* deleteAll('edge_hours', 'edge_id, hour', 'hour < ?', [Math.floor(cutoff / HOUR_MS)], (n) => (result.hours += n));
  }
  if (policy.edgeDays > 0) {
    const cutoff = now - policy.edgeDays * DAY_MS;
    result.edgesBefore = new Date(cutoff).toISOString();
    // The buckets go with their edge (ON DELETE CASCADE): counted first, in the same transaction.
    yield* deleteAll('edges', 'id', 'last_seen < ?', [cutoff], (n) => (result.edges += n), 'SELECT count(*) AS n FROM edge_hours WHERE edge_id IN ($ids)');
    yield* deleteAll('ambiguous_pairs', 'rowid', 'last_seen < ?', [cutoff], (n) => (result.ambiguous += n));
    yield* deleteAll('metric_pairs', 'peer_a, peer_b, source, metric', 'last_seen < ?', [cutoff], (n) => (result.metricPairs += n));
    yield* deleteAll('external_names', 'rowid', 'last_seen < ?', [cutoff], (n) => (result.names += n));
    yield* deleteAll('workload_names', 'rowid', 'last_seen < ?', [cutoff], (n) => (result.names += n));
  }
  if ((policy.historyDays ?? 0) > 0) {
    const cutoff = now - (policy.historyDays ?? 0) * DAY_MS;
    result.historyBefore = new Date(cutoff).toISOString();
    // The horizon first, and it only moves forward (a pass with a shorter historyDays set later has
    // already forgotten more): an ingest running beside the pass reads it again before it reads an
    // address's intervals (store/ip-history-lookup.ts), so it skips what may be gone.
    db.prepare('INSERT INTO history_horizon (id, before) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET before = max(before, excluded.before)').run(cutoff);
    // Every interval that held a time at or after the cut-off ended at or after it, so it stays:
    // flows from the cut-off on resolve exactly as before. So does each address's latest interval,
    // however old: it is what says the address is a pod's (a later flow to it, held by no one, is
    // `unknown`, never an outside address a policy would name by its /32 where no podCIDR says so);
    // one row per address keeps that bounded.
    const notLatest = 'EXISTS (SELECT 1 FROM ip_history AS later WHERE later.ip = ip_history.ip AND (later.valid_from > ip_history.valid_from OR (later.valid_from = ip_history.valid_from AND later.id > ip_history.id)))';
    yield* deleteAll('ip_history', 'id', `valid_to < ? AND ${notLatest}`, [cutoff], (n) => (result.intervals += n));
    yield* deleteAll('apiserver_history', 'rowid', 'valid_to < ?', [cutoff], (n) => (result.formerApiserverEndpoints += n));
    // So does each address's latest gone Service: it says the address is a ClusterIP, and a later
    // flow to it is `unknown`, never an outside address (collectors/flows/resolve.ts serviceAt).
    const laterService = 'EXISTS (SELECT 1 FROM former_cluster_ips AS later WHERE later.ip = former_cluster_ips.ip AND (later.valid_to > former_cluster_ips.valid_to OR (later.valid_to = former_cluster_ips.valid_to AND later.rowid > former_cluster_ips.rowid)))';
    yield* deleteAll('former_cluster_ips', 'rowid', `valid_to < ? AND ${laterService}`, [cutoff], (n) => (result.formerClusterIps += n));
    // A Service's backends before a change: no flow from the cut-off on can be of that time. Today's
    // state (valid_to NULL) stays, however old.
    yield* deleteAll('service_backends', 'rowid', 'valid_to < ?', [cutoff], (n) => (result.serviceBackends += n));
    // A workload gone from the cluster since before the cut-off that no interval kept above names:
    // no flow the store still resolves can be its, and flow resolution, which reads every workload
    // for each ingest, no longer needs it. Its namespace's last one stays: it dates the namespace's
    // end (inventoriedNamespaces), without which a namespace deleted long ago would read as one the
    // inventory never saw, its edges' workloads as workloads from flows.
    const key = "workloads.namespace || '/' || workloads.kind || '/' || workloads.name";
    const noInterval = `NOT EXISTS (SELECT 1 FROM ip_history WHERE peer IN ('workload:' || ${key}, 'dns:' || ${key}))`;
    const notLast = 'EXISTS (SELECT 1 FROM workloads AS later WHERE later.namespace = workloads.namespace AND (later.last_seen > workloads.last_seen OR (later.last_seen = workloads.last_seen AND later.id > workloads.id)))';
    yield* deleteAll('workloads', 'id', `present = 0 AND last_seen < ? AND ${noInterval} AND ${notLast}`, [cutoff], (n) => (result.goneWorkloads += n));
    // The last import dates the inventory, and the last that read Cilium's settings keeps them (store/inventory.ts).
    const last = (where: string): string => `SELECT id FROM (SELECT id FROM inventory_imports ${where} ORDER BY taken_at DESC, id DESC LIMIT 1)`;
    const keep = `id NOT IN (${last('')} UNION ${last('WHERE cilium_cluster_name IS NOT NULL')})`;
    yield* deleteAll('inventory_imports', 'id', `taken_at < ? AND ${keep}`, [cutoff], (n) => (result.inventoryImports += n));
  }
  if ((policy.runDays ?? 0) > 0) {
    const cutoff = now - (policy.runDays ?? 0) * DAY_MS;
    result.runsBefore = new Date(cutoff).toISOString();
    // A running run is never deleted, however old: its process may still commit to it.
    yield* deleteAll('ingest_runs', 'id', "status <> 'running' AND finished_at < ?", [cutoff], (n) => (result.runs += n));
  }
  return result;
}
