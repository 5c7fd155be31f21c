import { Option, type Command } from 'commander';
import type { Db } from '../store/db.ts';

export interface DbOptions {
  db?: string;
}

/** Every command takes `--db PATH` (default ./data/flowmatrix.db, env FLOWMATRIX_DB). */
export function withDb(cmd: Command): Command {
  return cmd.addOption(new Option('--db <path>', 'SQLite database file (env FLOWMATRIX_DB, default ./data/flowmatrix.db)'));
}

/**
 * Runs `fn` with an open database and always closes it. The store (better-sqlite3, the migrations)
 * is loaded here, when a command first needs it, not when the CLI starts.
 */
export async function withOpenDb<T>(opts: DbOptions, fn: (db: Db) => Promise<T> | T): Promise<T> {
  const { openDb, resolveDbPath } = await import('../store/db.ts');
  const db = openDb(resolveDbPath(opts.db));
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** The one output flag of every command: `-o, --output FORMAT` (kubectl's). */
export function outputOption(formats: readonly string[], fallback: string, description = 'output format'): Option {
  return new Option('-o, --output <format>', description).choices([...formats]).default(fallback);
}

/** `-n, --namespace NS` (kubectl's). */
export function namespaceOption(description = 'only workloads of this namespace'): Option {
  return new Option('-n, --namespace <ns>', description);
}
