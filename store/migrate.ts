import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const m = FILE_PATTERN.exec(file);
      if (!m) throw new Error(`migration file "${file}" in ${dir} does not match NNNN_name.sql`);
      return { version: Number(m[1]), name: m[2] as string, sql: readFileSync(join(dir, file), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 0001, 0002, … without gaps: found ${m.version} at position ${i + 1}`);
  });
  return migrations;
}

export function appliedVersion(db: Database): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/** Applies pending migrations, each in its own transaction, up to `target` (default: all). */
export function migrate(db: Database, migrations: Migration[] = loadMigrations(), target?: number): number[] {
  const current = appliedVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`database schema is at version ${current}, newer than this flowmatrix knows (${latest}); upgrade flowmatrix`);
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const latestApplied = db.prepare('SELECT max(version) AS v FROM schema_migrations');
  // Each step takes the write lock first (IMMEDIATE) and looks again: another process opening the
  // same store may have applied it since `current` was read, and running it twice would fail.
  const step = db.transaction((m: Migration): boolean => {
    if (((latestApplied.get() as { v: number | null }).v ?? 0) >= m.version) return false;
    db.exec(m.sql);
    record.run(m.version, m.name, new Date().toISOString());
    return true;
  });
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current || (target !== undefined && m.version > target)) continue;
    if (step.immediate(m)) applied.push(m.version);
  }
  return applied;
}
