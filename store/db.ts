import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.ts';

export type Db = Database.Database;

export const DEFAULT_DB_PATH = './data/flowmatrix.db';

export function resolveDbPath(flag?: string): string {
  return flag ?? process.env.FLOWMATRIX_DB ?? DEFAULT_DB_PATH;
}

/**
 * Opens (creating if needed) the SQLite store in WAL mode with foreign keys on, and migrates it.
 * A store that cannot be opened (not a database, damaged, read-only, newer) is named in the error.
 */
export function openDb(path: string, options: { migrate?: boolean } = {}): Db {
  let db: Db | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    if (options.migrate !== false) migrate(db);
    return db;
  } catch (e) {
    db?.close();
    throw new Error(`${path}: cannot open the store: ${(e as Error).message}`, { cause: e });
  }
}
