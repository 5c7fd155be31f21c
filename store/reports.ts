/**
 * Stored reports (the model as JSON, with when and why it was built) and the ingest-health reads
 * the report needs. Retention keeps the newest N reports of each trigger; older ones are deleted with the insert.
 */
import type { Db } from './db.ts';

export interface StoredReportMeta {
  id: number;
  createdAt: number;
  trigger: 'manual' | 'schedule';
  engine: string;
  dataTime: number;
  headline: Record<string, number>;
}

export interface StoredReport extends StoredReportMeta {
  /** The report model, as JSON text (parse it where it is needed). */
  model: string;
}

export interface NewReport {
  createdAt: number;
  trigger: 'manual' | 'schedule';
  engine: string;
  dataTime: number;
  headline: Record<string, number>;
  model: string;
}

interface ReportRow {
  id: number;
  created_at: number;
  trigger: string;
  engine: string;
  data_time: number;
  headline: string;
  model?: string;
}

function meta(r: ReportRow): StoredReportMeta {
  return { id: r.id, createdAt: r.created_at, trigger: r.trigger as StoredReportMeta['trigger'], engine: r.engine, dataTime: r.data_time, headline: JSON.parse(r.headline) as Record<string, number> };
}

const META_COLUMNS = 'id, created_at, trigger, engine, data_time, headline';

export class ReportStore {
  private readonly insertStmt;
  private readonly pruneStmt;
  private readonly getStmt;
  private readonly pageStmt;
  private readonly pageAfterStmt;
  private readonly latestStmt;
  private readonly latestScheduledStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT INTO reports (created_at, trigger, engine, data_time, headline, model) VALUES (?, ?, ?, ?, ?, ?) RETURNING id');
    // Newest = highest id (ids grow with inserts; created_at may come from an injected clock). Each
    // trigger is counted apart: reports built by hand never push the scheduled history out.
    this.pruneStmt = db.prepare('DELETE FROM reports WHERE trigger = @trigger AND id NOT IN (SELECT id FROM reports WHERE trigger = @trigger ORDER BY id DESC LIMIT @keep)');
    this.getStmt = db.prepare(`SELECT ${META_COLUMNS}, model FROM reports WHERE id = ?`);
    this.pageStmt = db.prepare(`SELECT ${META_COLUMNS} FROM reports ORDER BY id DESC LIMIT ?`);
    this.pageAfterStmt = db.prepare(`SELECT ${META_COLUMNS} FROM reports WHERE id < ? ORDER BY id DESC LIMIT ?`);
    this.latestStmt = db.prepare(`SELECT ${META_COLUMNS} FROM reports ORDER BY id DESC LIMIT 1`);
    this.latestScheduledStmt = db.prepare("SELECT max(created_at) AS at FROM reports WHERE trigger = 'schedule'");
  }

  /** Stores a report and deletes all but the newest `keep` of its trigger, in one transaction. Returns its id. */
  insert(r: NewReport, keep: number): number {
    return this.db.transaction(() => {
      const { id } = this.insertStmt.get(r.createdAt, r.trigger, r.engine, r.dataTime, JSON.stringify(r.headline), r.model) as { id: number };
      this.pruneStmt.run({ trigger: r.trigger, keep: Math.max(1, keep) });
      return id;
    })();
  }

  get(id: number): StoredReport | undefined {
    const row = this.getStmt.get(id) as ReportRow | undefined;
    return row && { ...meta(row), model: row.model as string };
  }

  /** Newest first; `before` = the last id of the previous page. */
  list(limit: number, before?: number): { items: StoredReportMeta[]; next?: number } {
    const rows = (before === undefined ? this.pageStmt.all(limit + 1) : this.pageAfterStmt.all(before, limit + 1)) as ReportRow[];
    const items = rows.slice(0, limit).map(meta);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, next: last.id } : { items };
  }

  /** When the newest report the schedule built was stored; undefined when none is kept. */
  latestScheduledAt(): number | undefined {
    return (this.latestScheduledStmt.get() as { at: number | null }).at ?? undefined;
  }

  latest(): StoredReportMeta | undefined {
    const row = this.latestStmt.get() as ReportRow | undefined;
    return row && meta(row);
  }
}

export interface IngestTotals {
  runs: number;
  failed: number;
  running: number;
  records: number;
  accepted: number;
  rejected: number;
  skipped: number;
  ambiguous: number;
  /** DNS names not kept past the per-workload name cap; present when some were. */
  namesCapped?: number;
}

/** Counters summed over every ingest run, and reject counts by reason. */
export function ingestTotals(db: Db): { totals: IngestTotals; rejects: Record<string, number> } {
  const t = db
    .prepare(
      `SELECT count(*) AS runs, coalesce(sum(status = 'failed'), 0) AS failed, coalesce(sum(status = 'running'), 0) AS running,
              coalesce(sum(records), 0) AS records, coalesce(sum(accepted), 0) AS accepted, coalesce(sum(rejected), 0) AS rejected,
              coalesce(sum(skipped), 0) AS skipped, coalesce(sum(ambiguous), 0) AS ambiguous, coalesce(sum(names_capped), 0) AS namesCapped
       FROM ingest_runs`,
    )
    .get() as Required<IngestTotals>;
  const rejects: Record<string, number> = {};
  for (const r of db.prepare('SELECT j.key AS reason, sum(j.value) AS n FROM ingest_runs, json_each(ingest_runs.rejects) AS j GROUP BY j.key ORDER BY j.key').iterate() as Iterable<{ reason: string; n: number }>) {
    rejects[r.reason] = r.n;
  }
  const { namesCapped, ...totals } = t;
  return { totals: namesCapped > 0 ? { ...totals, namesCapped } : totals, rejects };
}
