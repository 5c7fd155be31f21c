/**
 * A store as an older release left it, for the tests of what an upgrade keeps: the rows a store
 * of this release holds, those columns the schema of migration `oldSchema` has, copied into a new
 * store migrated only that far. Opening it with `openDb` runs the later migrations, as upgrading
 * does. The rows must be ones the old release would have written too (each test says why).
 */
import { join } from 'node:path';
import { openDb, type Db } from '../../store/db.ts';
import { loadMigrations, migrate } from '../../store/migrate.ts';
import { tmpDir } from './tmp.ts';

/**
 * The path of a store at schema `oldSchema` holding the rows of the store at `from` (left open or
 * closed by the caller). `check` sees the old store before it is closed (what the old release stored).
 */
export function oldSchemaCopy(from: string, oldSchema: number, check?: (old: Db) => void): string {
  const path = join(tmpDir(), 'old.db');
  const old = openDb(path, { migrate: false });
  migrate(old, loadMigrations(), oldSchema);
  old.pragma('foreign_keys = OFF'); // tables are copied by name, a child before its parent
  old.prepare('ATTACH DATABASE ? AS source').run(from);
  const tables = old.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name").all() as { name: string }[];
  for (const { name } of tables) {
    const columns = (old.prepare(`SELECT name FROM pragma_table_info(?, 'main')`).all(name) as { name: string }[]).map((c) => `"${c.name}"`).join(', ');
    old.exec(`INSERT OR REPLACE INTO main."${name}" (${columns}) SELECT ${columns} FROM source."${name}"`);
  }
  old.exec('DETACH DATABASE source');
  check?.(old);
  old.close();
  return path;
}
