import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.ts';

export type Db = Database.Database;

export const DEFAULT_DB_PATH = './data/flowmatrix.db';

/**
 * The store's path: the flag, else FLOWMATRIX_DB, else the default. An empty FLOWMATRIX_DB is
 * unset (as in the service config); an empty flag is an error: SQLite would open a temporary
 * database, deleted on close, and whatever was written would be lost without a word.
 */
export function resolveDbPath(flag?: string): string {
  if (flag !== undefined && flag.trim() === '') throw new Error('--db: the path is empty (SQLite would write a temporary database, deleted on exit); name a file, or leave --db out to use FLOWMATRIX_DB or ./data/flowmatrix.db');
  const env = process.env.FLOWMATRIX_DB;
  return flag ?? (env !== undefined && env.trim() !== '' ? env : DEFAULT_DB_PATH);
}

/**
 * Creates the database file for the owner only (0600) when there is none: it holds the cluster's
 * inventory, flows and matrices. SQLite gives the -wal and -shm files it creates the main file's
 * mode (os_unix.c: findCreateFileMode for -wal, unixOpenSharedMemory for -shm), so they follow. `wx` creates only a file that does not
 * exist: an existing one keeps the mode its owner gave it.
 */
function createOwnerOnly(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** SQLite refused a write because it holds the store read-only (SQLITE_READONLY and its extended codes). */
export function isReadOnlyError(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY');
}

/** A write the store refused because SQLite opened it read-only: which file, why, and what to do. */
export class ReadOnlyStoreError extends Error {
  override name = 'ReadOnlyStoreError';
  constructor(
    readonly path: string,
    override readonly cause: unknown,
  ) {
    const uid = process.getuid?.();
    super(
      `${path}: the store is read-only (the file's or its directory's permissions): ${(cause as Error)?.message ?? String(cause)}; ` +
        `make the file, its -wal and -shm files and its directory writable by this user${uid !== undefined ? ` (uid ${uid})` : ''}, or run flowmatrix as their owner`,
    );
  }
}

/** `e` as a ReadOnlyStoreError naming `path` when SQLite refused a write for that reason; else `e` itself. */
export function namingReadOnly(path: string, e: unknown): unknown {
  return isReadOnlyError(e) && !(e instanceof ReadOnlyStoreError) ? new ReadOnlyStoreError(path, e) : e;
}

/**
 * Throws a ReadOnlyStoreError when the store refuses writes. SQLite opens a file it may not write
 * read-only without a word (sqlite3_db_readonly is not exposed by better-sqlite3), so a write is
 * tried: a DELETE that matches nothing opens a write transaction and changes nothing. Another
 * connection's write lock (SQLITE_BUSY, not waited for) means the store takes writes.
 */
export function assertWritable(db: Db): void {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.prepare('DELETE FROM schema_migrations WHERE 0').run();
  } catch (e) {
    if (isReadOnlyError(e)) throw new ReadOnlyStoreError(db.name, e);
    if ((e as { code?: unknown }).code !== 'SQLITE_BUSY') throw e;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * Opens (creating if needed, 0600) the SQLite store in WAL mode with foreign keys on, and migrates it.
 * A store that cannot be opened (not a database, damaged, read-only, newer) is named in the error.
 * `write: true` (commands that write, the service) also refuses a store SQLite could open only
 * read-only; without it a read-only store serves reads.
 */
export function openDb(path: string, options: { migrate?: boolean; write?: boolean } = {}): Db {
  let db: Db | undefined;
  try {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      createOwnerOnly(path);
    }
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    // Waits for another connection's write lock, but only in a transaction that takes it first:
    // a deferred one that has read cannot wait (SQLITE_BUSY at once, sqlite.org/isolation.html),
    // so every transaction that reads before it writes is started IMMEDIATE.
    db.pragma('busy_timeout = 5000');
    if (options.migrate !== false) migrate(db);
    if (options.write === true && path !== ':memory:') assertWritable(db);
    return db;
  } catch (e) {
    db?.close();
    // A store that needs a migration and cannot take it is read-only too.
    if (isReadOnlyError(e) || e instanceof ReadOnlyStoreError) throw namingReadOnly(path, e);
    throw new Error(`${path}: cannot open the store: ${(e as Error).message}`, { cause: e });
  }
}
