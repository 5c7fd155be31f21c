/**
 * Writes that read first, while another connection (the service beside a CLI ingest) writes. In
 * WAL mode a deferred transaction that has read cannot become a writer once another connection
 * committed since its read: SQLite answers SQLITE_BUSY at once, without calling the busy handler
 * (sqlite.org/lang_transaction.html, "Read transactions": "If some other database connection has
 * already modified the database ... the upgrade attempt fails with SQLITE_BUSY"; isolation.html).
 * `busy_timeout` waits only for a transaction that takes the write lock first: BEGIN IMMEDIATE.
 * PUT /matrices answered 500 and POST /flows 503 "database is locked" beside a running ingest.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { openDb, type Db } from '../../store/db.ts';
import { IngestRunStore } from '../../store/ingest-runs.ts';
import { saveMatrix } from '../../store/matrices.ts';
import { applyRetention } from '../../store/retention.ts';
import { tmpDir } from '../helpers/tmp.ts';

/**
 * Another connection takes the write lock, and commits a change `holdMs` later; resolves once it
 * holds the lock. `during` then runs on this connection, whose read snapshot predates that commit.
 */
async function whileAnotherWrites(path: string, holdMs: number): Promise<Worker> {
  const worker = new Worker(
    `const { createRequire } = require('node:module');
     const { parentPort, workerData } = require('node:worker_threads');
     const Database = createRequire(workerData.base)('better-sqlite3');
     const db = new Database(workerData.path);
     db.pragma('busy_timeout = 5000');
     db.exec('BEGIN IMMEDIATE');
     db.prepare("INSERT INTO collector_state (collector, state, updated_at) VALUES ('test', '{}', 1) ON CONFLICT DO UPDATE SET updated_at = updated_at + 1").run();
     parentPort.postMessage('locked');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
     db.exec('COMMIT');
     db.close();`,
    { eval: true, workerData: { path, holdMs, base: new URL('../../package.json', import.meta.url).pathname } },
  );
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return worker;
}

for (const [what, write] of [
  ['saveMatrix (PUT /matrices)', (db: Db) => saveMatrix(db, { name: 'm', source: `kind: x ${Math.random()}`, origin: 'api', appliedAt: 1 })],
  ['IngestRunStore.start (a new ingest run)', (db: Db) => void new IngestRunStore(db).start('test-source', 'netobserv')],
  ['applyRetention', (db: Db) => void applyRetention(db, { edgeDays: 1, hourDays: 0 }, Date.UTC(2026, 0, 1))],
] as const) {
  test(`${what} waits for another connection's write instead of failing with "database is locked"`, async () => {
    const path = join(tmpDir('flowmatrix-contention-'), 's.db');
    const db = openDb(path);
    const other = await whileAnotherWrites(path, 300);
    try {
      assert.doesNotThrow(() => write(db));
    } finally {
      await new Promise((resolve) => other.once('exit', resolve));
      db.close();
    }
  });
}
