/**
 * A run left `running` by a process that stopped without ending it (kill -9, a crash, the node
 * gone) does not stay `running` for ever: the next run of the same source closes it as failed, at
 * its own start, with the reason; its counters stay what it committed (docs/ingest.md: "a run row
 * that agrees with it"). A run of a process still alive (another `ingest` of the same file) and
 * runs of other sources are left alone. A real SQLite file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IngestRunStore } from '../../store/ingest-runs.ts';
import { tmpDb } from '../helpers/tmp.ts';

const counters = { records: 7, accepted: 7, rejected: 0, skipped: 0, ambiguous: 0, saturated: 0, folded: 0, rejects: {} };
type Row = { id: number; source: string; status: string; error: string | null; finished_at: number | null; records: number };

test('the next run of a source closes one the last process left running; other sources are left alone', () => {
  const { db } = tmpDb();
  const runs = new IngestRunStore(db);
  const killed = runs.start('hubble:relay:4245', 'hubble', 1_000);
  runs.save(killed, counters, 'running', 1_500);
  const other = runs.start('file:/var/log/flows.ndjson', 'netobserv', 1_200);
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
  const live = runs.start('file:/var/log/flows.ndjson', 'netobserv', 1_000);
  // Recorded with this process's pid; seen from "another process" that is alive.
  runs.start('file:/var/log/flows.ndjson', 'netobserv', 2_000, () => true);
  const row = () => db.prepare('SELECT status, error FROM ingest_runs WHERE id = ?').get(live) as { status: string; error: string | null };
  assert.deepEqual(row(), { status: 'running', error: null });
  // Closed as gone (its pid not alive), then it commits after all: done, and no stale error.
  runs.start('file:/var/log/flows.ndjson', 'netobserv', 3_000, () => false);
  assert.equal(row().status, 'failed');
  runs.save(live, counters, 'done', 4_000);
  assert.deepEqual(row(), { status: 'done', error: null });
});
