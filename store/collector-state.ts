/**
 * A collector's resume position (the `collector_state` table of migration 0001): one JSON value
 * per key. Written in the same transaction as the edges it accounts for.
 */
import type { Db } from './db.ts';

export class CollectorStateStore {
  private readonly getStmt;
  private readonly saveStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT state FROM collector_state WHERE collector = ?');
    this.saveStmt = db.prepare(
      `INSERT INTO collector_state (collector, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (collector) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
  }

  get(key: string): unknown {
    const row = this.getStmt.get(key) as { state: string } | undefined;
    if (!row) return undefined;
    try {
      return JSON.parse(row.state) as unknown;
    } catch {
      return undefined;
    }
  }

  save(key: string, state: unknown, now: number): void {
    this.saveStmt.run(key, JSON.stringify(state), now);
  }
}
