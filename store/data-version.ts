/**
 * A cheap "has anything changed?" token for caches: SQLite's data_version moves when another
 * connection commits, total_changes() when this one writes. Equal tokens = same data.
 */
import type { Db } from './db.ts';

export function dataVersion(db: Db): string {
  const dv = db.pragma('data_version', { simple: true }) as number;
  const tc = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  return `${dv}:${tc}`;
}
