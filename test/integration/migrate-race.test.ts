/**
 * Two processes opening one old store at once (the service and a CLI command after an upgrade):
 * each migration is applied once, by whichever takes the write lock first; the other waits and
 * finds it applied, never running it again ("duplicate column name").
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { loadMigrations, migrate } from '../../store/migrate.ts';
import { tmpDir } from '../helpers/tmp.ts';

const OPEN = new URL('../../store/db.ts', import.meta.url).href;

/** A worker that opens the store once the shared flag says go, and reports what happened. */
const SCRIPT = `
import { workerData, parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
register();
const { openDb } = await import(workerData.open);
const flag = new Int32Array(workerData.flag);
Atomics.wait(flag, 0, 0);
try { openDb(workerData.path).close(); parentPort.postMessage('ok'); } catch (e) { parentPort.postMessage(String(e.message)); }
`;

function opener(script: string, path: string, flag: SharedArrayBuffer): Promise<string> {
  const w = new Worker(script, { workerData: { path, flag, open: OPEN } });
  return new Promise((resolve, reject) => {
    w.once('message', (m: string) => resolve(m));
    w.once('error', reject);
  });
}

test('two openers of a store at an old schema version race: both succeed and every migration is recorded once', async () => {
  const migrations = loadMigrations();
  // Beside the repository's modules, so that the worker resolves tsx from its node_modules.
  const script = join(fileURLToPath(new URL('.', import.meta.url)), `.migrate-race-worker-${process.pid}.mjs`);
  writeFileSync(script, SCRIPT);
  after(() => rmSync(script, { force: true }));
  for (let round = 0; round < 6; round++) {
    const path = join(tmpDir(), 'old.db');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    migrate(old, migrations, 5);
    old.close();
    const flag = new SharedArrayBuffer(4);
    const results = Promise.all([opener(script, path, flag), opener(script, path, flag)]);
    await new Promise((r) => setTimeout(r, 300)); // both workers loaded and waiting
    Atomics.store(new Int32Array(flag), 0, 1);
    Atomics.notify(new Int32Array(flag), 0);
    assert.deepEqual(await results, ['ok', 'ok'], `round ${round}`);
    const db = new Database(path, { readonly: true });
    const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
    db.close();
    assert.deepEqual(versions, migrations.map((m) => m.version));
  }
});
