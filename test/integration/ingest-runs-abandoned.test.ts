/**
 * A run left `running` by a process that stopped without ending it (kill -9, a crash, the node
 * gone) does not stay `running` for ever: the next run of the same source closes it as failed, at
 * its own start, with the reason; its counters stay what it committed (docs/ingest.md: "a run row
 * that agrees with it"). Any run start closes them, whatever their source (an API upload's source is
 * never reused), and so does the service when it starts. A run of a process still alive (another
 * `ingest` of the same file) is left alone. A real SQLite file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadServiceConfig } from '../../server/config/load.ts';
import { startService } from '../../server/serve.ts';
import { openDb } from '../../store/db.ts';
import { IngestRunStore } from '../../store/ingest-runs.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const counters = { records: 7, accepted: 7, rejected: 0, skipped: 0, ambiguous: 0, saturated: 0, folded: 0, rejects: {} };
/** A pid no process has (Linux's pid_max is at most 2^22). */
const DEAD_PID = 2 ** 31 - 2;
type Row = { id: number; source: string; status: string; error: string | null; finished_at: number | null; records: number };

test('the next run of a source closes one the last process left running; a run of another live process is left alone', () => {
  const { db } = tmpDb();
  const runs = new IngestRunStore(db);
  const other = runs.start('file:/var/log/flows.ndjson', 'netobserv', 1_200);
  // Another process, alive (our parent).
  db.prepare('UPDATE ingest_runs SET pid = ? WHERE id = ?').run(process.ppid, other);
  const killed = runs.start('hubble:relay:4245', 'hubble', 1_000);
  runs.save(killed, counters, 'running', 1_500);
  const next = runs.start('hubble:relay:4245', 'hubble', 2_000);
  const rows = db.prepare('SELECT id, source, status, error, finished_at, records FROM ingest_runs ORDER BY id').all() as Row[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  assert.equal(byId.get(killed)?.status, 'failed');
  assert.equal(byId.get(killed)?.finished_at, 2_000);
  assert.match(byId.get(killed)?.error ?? '', /^ended without finishing: the process that ran it stopped/);
  assert.equal(byId.get(killed)?.records, 7, 'what it committed');
  assert.equal(byId.get(other)?.status, 'running');
  assert.equal(byId.get(next)?.status, 'running');
});

test('a running run of the same source whose process is alive is left to it; one that commits again after all has no error left', () => {
  const { db } = tmpDb();
  const runs = new IngestRunStore(db);
  const t0 = Date.now();
  const live = runs.start('file:/var/log/flows.ndjson', 'netobserv', t0);
  // Recorded with this process's pid; seen from "another process" that is alive.
  runs.start('file:/var/log/flows.ndjson', 'netobserv', t0 + 1_000, () => true);
  const row = () => db.prepare('SELECT status, error FROM ingest_runs WHERE id = ?').get(live) as { status: string; error: string | null };
  assert.deepEqual(row(), { status: 'running', error: null });
  // Closed as gone (its pid not alive), then it commits after all: done, and no stale error.
  runs.start('file:/var/log/flows.ndjson', 'netobserv', t0 + 2_000, () => false);
  assert.equal(row().status, 'failed');
  runs.save(live, counters, 'done', t0 + 3_000);
  assert.deepEqual(row(), { status: 'done', error: null });
});

test('a run of any source whose process is gone is closed when any run starts: an API upload killed mid-body does not stay running', () => {
  const { db } = tmpDb();
  const runs = new IngestRunStore(db);
  // API sources are never reused (api:<request id>): only a run of another source can close it.
  const t0 = Date.now();
  const killed = runs.start('api:3f6c0b1e', 'auto', t0);
  runs.save(killed, counters, 'running', t0 + 500);
  const live = runs.start('api:9a1d', 'auto', t0 + 600);
  db.prepare('UPDATE ingest_runs SET pid = ? WHERE id = ?').run(DEAD_PID, killed);
  db.prepare('UPDATE ingest_runs SET pid = ? WHERE id = ?').run(process.ppid, live);
  // Our own pid: a run this process started is live (a collector's, another upload); one started
  // before this process was a predecessor's that had the same pid (a restarted container's pid 1).
  const ours = runs.start('hubble-relay:relay:4245', 'hubble', t0 + 700);
  const predecessor = runs.start('api:77aa', 'auto', 1_700);
  runs.start('file:/var/log/flows.ndjson', 'netobserv', t0 + 2_000);
  const row = (id: number) => db.prepare('SELECT status, error, records, finished_at FROM ingest_runs WHERE id = ?').get(id) as { status: string; error: string | null; records: number; finished_at: number | null };
  assert.equal(row(killed).status, 'failed');
  assert.match(row(killed).error ?? '', /^ended without finishing: the process that ran it stopped \(kill -9, a crash\); its counters are what it committed/);
  assert.equal(row(killed).records, 7);
  assert.equal(row(killed).finished_at, t0 + 700, 'closed by the next run that started, of another source');
  assert.equal(row(live).status, 'running', 'a live process (our parent) keeps its run');
  assert.equal(row(ours).status, 'running', 'a run of this process is left to it');
  assert.equal(row(predecessor).status, 'failed', 'a run of a predecessor with our pid is closed');
});

test('the service closes the runs a stopped process left running when it starts, whatever their source', async () => {
  const dir = tmpDir();
  const path = join(dir, 'f.db');
  const db = openDb(path);
  const runs = new IngestRunStore(db);
  const killed = runs.start('api:3f6c0b1e', 'auto', 1_000);
  runs.save(killed, counters, 'running', 1_500);
  db.prepare('UPDATE ingest_runs SET pid = ? WHERE id = ?').run(DEAD_PID, killed);
  db.close();
  writeFileSync(join(dir, 'config.yaml'), 'server:\n  port: 0\n');
  const service = await startService(loadServiceConfig({ file: join(dir, 'config.yaml'), dbPath: path, env: {} }), { logger: pino({ level: 'silent' }) });
  try {
    const row = service.ctx.db.prepare('SELECT status, error, records FROM ingest_runs WHERE id = ?').get(killed) as { status: string; error: string | null; records: number };
    assert.equal(row.status, 'failed');
    assert.match(row.error ?? '', /^ended without finishing/);
    assert.equal(row.records, 7);
  } finally {
    await service.close();
  }
});
