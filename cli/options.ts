import { Option, type Command } from 'commander';
import { openDb, resolveDbPath, type Db } from '../store/db.ts';

export interface DbOptions {
  db?: string;
}

/** Every command takes `--db PATH` (default ./data/flowmatrix.db, env FLOWMATRIX_DB). */
export function withDb(cmd: Command): Command {
  return cmd.addOption(new Option('--db <path>', 'SQLite database file (env FLOWMATRIX_DB, default ./data/flowmatrix.db)'));
}

export function openCliDb(opts: DbOptions): Db {
  return openDb(resolveDbPath(opts.db));
}

/** Runs `fn` with an open database and always closes it. */
export async function withOpenDb<T>(opts: DbOptions, fn: (db: Db) => Promise<T> | T): Promise<T> {
  const db = openCliDb(opts);
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
