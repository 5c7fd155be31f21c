import { Option, type Command } from 'commander';
import { dns1123LabelError } from '../domain/k8s-names.ts';
import type { Db } from '../store/db.ts';
import { CliError } from './io.ts';

export interface DbOptions {
  db?: string;
}

/** Every command takes `--db PATH` (default ./data/flowmatrix.db, env FLOWMATRIX_DB). */
export function withDb(cmd: Command): Command {
  return cmd.addOption(new Option('--db <path>', 'SQLite database file (env FLOWMATRIX_DB, default ./data/flowmatrix.db)'));
}

/**
 * Runs `fn` with an open database and always closes it. The store (better-sqlite3, the migrations)
 * is loaded here, when a command first needs it, not when the CLI starts. A command that writes
 * passes `write: true`: a store SQLite could open only read-only stops it before it reads its input.
 * A write refused later for that reason names the store.
 */
export async function withOpenDb<T>(opts: DbOptions, fn: (db: Db) => Promise<T> | T, access: { write?: boolean } = {}): Promise<T> {
  const { namingReadOnly, openDb, resolveDbPath } = await import('../store/db.ts');
  const path = resolveDbPath(opts.db);
  const db = openDb(path, { write: access.write === true });
  try {
    return await fn(db);
  } catch (e) {
    throw namingReadOnly(path, e);
  } finally {
    db.close();
  }
}

/** The one output flag of every command: `-o, --output FORMAT` (kubectl's). */
export function outputOption(formats: readonly string[], fallback: string, description = 'output format'): Option {
  return new Option('-o, --output <format>', description).choices([...formats]).default(fallback);
}

/**
 * `-n, --namespace NS` (kubectl's): a namespace name, a DNS-1123 label, checked at the door as the
 * REST API checks `?namespace=` (server/schemas/common.ts): `-n Shop` is refused as a name no
 * namespace can have, not looked up as one the store lacks.
 */
export function namespaceOption(description = 'only workloads of this namespace'): Option {
  return new Option('-n, --namespace <ns>', description).argParser((value: string): string => {
    const problem = dns1123LabelError(value);
    if (problem !== undefined) throw new CliError(`-n, --namespace: "${value}" is no namespace name: ${problem}`);
    return value;
  });
}
