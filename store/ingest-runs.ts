/**
 * One row per ingested input (file, stdin, collector pass). Its counters are updated in the same
 * transaction as each batch of edges, so after a crash the row says exactly what was committed.
 */
import type { Db } from './db.ts';
import { compareStrings } from '../domain/order.ts';

export type IngestRunStatus = 'running' | 'done' | 'failed';

export interface IngestRunCounters {
  records: number;
  accepted: number;
  rejected: number;
  skipped: number;
  ambiguous: number;
  /** Accepted records whose counters were saturated at 2^53 - 1 (migration 0006). */
  saturated?: number;
  /** Edge additions folded into a covering block past the edge caps (migration 0006). */
  folded?: number;
  /** DNS names not kept for a workload past the per-workload name cap (collectors/flows/name-budget.ts, migration 0031). */
  namesCapped?: number;
  /** Reject counts by reason. */
  rejects: Record<string, number>;
}

export interface IngestRun extends IngestRunCounters {
  id: number;
  source: string;
  format: string;
  startedAt: number;
  finishedAt?: number;
  status: IngestRunStatus;
  /** Why the run stopped, when it failed. */
  error?: string;
  /** A failure streak's attempts, when more than one (a collector retrying an unreachable source: `failedAgain`). */
  attempts?: number;
}

/** A prefix of an upload's body, from its start: the records, lines and bytes committed, and the SHA-256 of those bytes (hex). */
export interface BodyPosition {
  records: number;
  lines: number;
  bytes: number;
  sha256: string;
}

export interface LatestRun {
  id: number;
  status: IngestRunStatus;
  /** Still `running` in a process that is alive (this one included). */
  live: boolean;
  /**
   * The body position of the latest run of the source that committed one, with that run's id: a
   * later run that stopped before its first commit (kill -9, a refused commit) stored none.
   */
  body?: BodyPosition & { run: number };
  /** The summary it answered (JSON), once done. */
  summary?: string;
}

interface RunRow {
  id: number;
  source: string;
  format: string;
  started_at: number;
  finished_at: number | null;
  status: string;
  records: number;
  accepted: number;
  rejected: number;
  skipped: number;
  ambiguous: number;
  rejects: string;
  error: string | null;
  saturated: number;
  folded: number;
  names_capped: number;
  attempts: number;
}

function sortedJson(o: Record<string, number>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => compareStrings(a, b))));
}

/**
 * Whether a process of this pid runs (signal 0 tests without sending). Our own pid is no other
 * run's: a container restarted after a kill often gets the pid its predecessor had, and a run of
 * this process is never left `running` behind its back. Pids are per host (per pid namespace):
 * every process that writes the store must see the others'.
 */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When this process started (ms). */
const PROCESS_STARTED_AT = Date.now() - process.uptime() * 1000;

const ABANDONED = 'ended without finishing: the process that ran it stopped (kill -9, a crash); its counters are what it committed';

interface RunningRow {
  id: number;
  source: string;
  pid: number | null;
  started_at: number;
}

/**
 * Whether the process that ran a `running` run is gone. A run with our pid is this process's own
 * (a collector's, another upload's) unless it started before this process did: then it was a
 * predecessor's that had the same pid (a restarted container's pid 1). NULL: started before
 * migration 0015 recorded pids, taken as gone.
 */
function processGone(r: RunningRow, alive: (pid: number) => boolean): boolean {
  if (r.pid === null) return true;
  if (r.pid === process.pid) return r.started_at < PROCESS_STARTED_AT;
  return !alive(r.pid);
}

export class IngestRunStore {
  private readonly insert;
  private readonly update;
  private readonly markFailed;
  private readonly markFailedAgain;
  private readonly running;

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT INTO ingest_runs (source, format, started_at, pid) VALUES (?, ?, ?, ?) RETURNING id');
    this.update = db.prepare(`UPDATE ingest_runs SET records = @records, accepted = @accepted, rejected = @rejected,
      skipped = @skipped, ambiguous = @ambiguous, saturated = @saturated, folded = @folded, names_capped = @namesCapped, rejects = @rejects, status = @status,
      finished_at = @finishedAt, error = CASE WHEN @status = 'failed' THEN error ELSE NULL END WHERE id = @id`);
    this.markFailed = db.prepare(`UPDATE ingest_runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`);
    this.markFailedAgain = db.prepare(`UPDATE ingest_runs SET attempts = attempts + 1, error = ?, finished_at = ? WHERE id = ? AND status = 'failed'`);
    this.running = db.prepare(`SELECT id, source, pid, started_at FROM ingest_runs WHERE status = 'running'`);
  }

  /**
   * A new run of `source`. Runs left `running` by a process that stopped without ending them
   * (kill -9, a crash) are closed first, whatever their source (an unkeyed API upload's, `api:req:<uuid>`, is never reused).
   * One of the same source is closed unless another live process runs it (another `ingest` of the
   * same file): this process does not run two runs of one source at once.
   */
  start(source: string, format: string, now = Date.now(), alive: (pid: number) => boolean = processAlive): number {
    return this.db.transaction(() => {
      this.closeGone(now, alive, (r) => r.source === source && (r.pid === null || !alive(r.pid)));
      return (this.insert.get(source, format, now, process.pid) as { id: number }).id;
      // IMMEDIATE: it reads before it writes (store/db.ts).
    }).immediate();
  }

  /**
   * Marks `failed` every run left `running` by a process that is gone (the service does it when it
   * starts): its counters are what it committed. Returns how many.
   */
  closeAbandoned(now = Date.now(), alive: (pid: number) => boolean = processAlive): number {
    return this.db.transaction(() => this.closeGone(now, alive)).immediate();
  }

  private closeGone(now: number, alive: (pid: number) => boolean, also: (r: RunningRow) => boolean = () => false): number {
    let closed = 0;
    for (const r of this.running.all() as RunningRow[]) {
      if (!processGone(r, alive) && !also(r)) continue;
      this.markFailed.run(ABANDONED, now, r.id);
      closed++;
    }
    return closed;
  }

  /** Records progress (status stays `running`) or the end of the run. */
  save(id: number, c: IngestRunCounters, status: IngestRunStatus = 'running', now = Date.now()): void {
    this.update.run({
      id,
      records: c.records,
      accepted: c.accepted,
      rejected: c.rejected,
      skipped: c.skipped,
      ambiguous: c.ambiguous,
      saturated: c.saturated ?? 0,
      folded: c.folded ?? 0,
      namesCapped: c.namesCapped ?? 0,
      rejects: sortedJson(c.rejects),
      status,
      finishedAt: status === 'running' ? null : now,
    });
  }

  /** How much of an upload's body the run's commits cover (migration 0021): saved in the transaction of each batch. */
  saveBody(id: number, body: BodyPosition): void {
    this.db.prepare('UPDATE ingest_runs SET body_records = ?, body_lines = ?, body_bytes = ?, body_sha256 = ? WHERE id = ?').run(body.records, body.lines, body.bytes, body.sha256, id);
  }

  /** The summary a finished upload answered, to answer it again. */
  keepSummary(id: number, summary: string): void {
    this.db.prepare('UPDATE ingest_runs SET summary = ? WHERE id = ?').run(summary, id);
  }

  /** The latest run of `source` (an upload's key), with what of its body the runs of the source committed. */
  latest(source: string, alive: (pid: number) => boolean = processAlive): LatestRun | undefined {
    const r = this.db.prepare('SELECT id, source, status, pid, started_at, summary FROM ingest_runs WHERE source = ? ORDER BY id DESC LIMIT 1').get(source) as
      | (RunningRow & { status: string; summary: string | null })
      | undefined;
    if (!r) return undefined;
    const run: LatestRun = { id: r.id, status: r.status as IngestRunStatus, live: r.status === 'running' && !processGone(r, alive) };
    const body = this.committedBody(source);
    if (body) run.body = body;
    if (r.summary !== null) run.summary = r.summary;
    return run;
  }

  /** The body position of the latest run of `source` before run `before` that committed one, with that run's id. */
  committedBody(source: string, before = Number.MAX_SAFE_INTEGER): (BodyPosition & { run: number }) | undefined {
    const b = this.db.prepare('SELECT id, body_records, body_lines, body_bytes, body_sha256 FROM ingest_runs WHERE source = ? AND id < ? AND body_sha256 IS NOT NULL ORDER BY id DESC LIMIT 1').get(source, before) as
      | { id: number; body_records: number | null; body_lines: number | null; body_bytes: number | null; body_sha256: string }
      | undefined;
    return b && { run: b.id, records: b.body_records ?? 0, lines: b.body_lines ?? 0, bytes: b.body_bytes ?? 0, sha256: b.body_sha256 };
  }

  /** Ends a run as failed with its reason; its counters stay those of its last committed batch. */
  fail(id: number, error: string, now = Date.now()): void {
    this.markFailed.run(error, now, id);
  }

  /**
   * One more failed attempt of a failed run (a failure streak): its error and end become this
   * attempt's, its start stays the first's. False when the run is no failed run (retention removed it).
   */
  failedAgain(id: number, error: string, now = Date.now()): boolean {
    return this.markFailedAgain.run(error, now, id).changes > 0;
  }

  get(id: number): IngestRun | undefined {
    const row = this.db.prepare('SELECT * FROM ingest_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toRun(row);
  }

  /** Most recent first. */
  list(limit = 100): IngestRun[] {
    return (this.db.prepare('SELECT * FROM ingest_runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[]).map(toRun);
  }
}

function toRun(r: RunRow): IngestRun {
  const run: IngestRun = {
    id: r.id,
    source: r.source,
    format: r.format,
    startedAt: r.started_at,
    status: r.status as IngestRunStatus,
    records: r.records,
    accepted: r.accepted,
    rejected: r.rejected,
    skipped: r.skipped,
    ambiguous: r.ambiguous,
    saturated: r.saturated,
    folded: r.folded,
    rejects: JSON.parse(r.rejects) as Record<string, number>,
  };
  if (r.finished_at !== null) run.finishedAt = r.finished_at;
  if (r.error !== null) run.error = r.error;
  if (r.attempts > 1) run.attempts = r.attempts;
  if (r.names_capped > 0) run.namesCapped = r.names_capped;
  return run;
}

/** Every ingest run's counters summed per format: what every front end (CLI, API, demo, collectors) ingested into this store. */
export interface IngestTotals {
  format: string;
  accepted: number;
  rejected: number;
  skipped: number;
  rejects: Record<string, number>;
}

export function ingestTotals(db: Db): IngestTotals[] {
  const rows = db.prepare('SELECT format, sum(accepted) AS accepted, sum(rejected) AS rejected, sum(skipped) AS skipped FROM ingest_runs GROUP BY format ORDER BY format').all() as { format: string; accepted: number; rejected: number; skipped: number }[];
  const reasons = db.prepare('SELECT r.format AS format, j.key AS reason, sum(j.value) AS n FROM ingest_runs r, json_each(r.rejects) j GROUP BY r.format, j.key ORDER BY r.format, j.key').all() as { format: string; reason: string; n: number }[];
  return rows.map((r) => ({ ...r, rejects: Object.fromEntries(reasons.filter((x) => x.format === r.format).map((x) => [x.reason, x.n])) }));
}
