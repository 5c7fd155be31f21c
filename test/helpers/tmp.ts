import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openDb, type Db } from '../../store/db.ts';

/**
 * A temporary directory removed when the test file finishes. Call it at module level or inside a
 * test: inside a `before()` hook the cleanup would run as soon as the hook ends.
 */
export function tmpDir(prefix = 'flowmatrix-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A real SQLite file in a temporary directory, migrated, closed after the test file. */
export function tmpDb(): { db: Db; path: string } {
  const path = join(tmpDir(), 'flowmatrix.db');
  const db = openDb(path);
  after(() => {
    if (db.open) db.close();
  });
  return { db, path };
}
