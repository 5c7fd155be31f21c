/**
 * kill -9 during an ingest whose batch fails (no silent loss): the child commits good batches, then a
 * batch the store refuses (a trigger standing in for a full disk), and is killed without warning
 * — once while that batch is being tried, once after the run was marked failed. Either way the
 * database opens intact, holds exactly the committed batches, and its run row agrees with them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDb } from '../../store/db.ts';
import { tmpDir } from '../helpers/tmp.ts';

const CHILD = fileURLToPath(new URL('../helpers/ingest-child.ts', import.meta.url));
const BATCH = 500;

const line = (n: number, port = 1 + (n % 1000)) =>
  `{"SrcAddr":"10.1.${(n >> 8) & 255}.${n & 255}","SrcPort":40000,"DstAddr":"10.2.0.1","DstPort":${port},"Proto":6,"Flags":2,"Packets":1,"Bytes":10,"TimeFlowEndMs":${1_700_000_000_000 + n}}\n`;

async function scenario(killWhen: 'while-failing' | 'after-failed'): Promise<void> {
  const db = join(tmpDir(), `${killWhen}.db`);
  const setup = openDb(db);
  setup.exec(`CREATE TRIGGER poison BEFORE INSERT ON edges WHEN NEW.port = 4444 BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  setup.close();
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db, '--format', 'netobserv', '--batch-size', String(BATCH), '--flush-interval', '3600'], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.on('error', () => {}); // EPIPE once the child stopped reading or was killed
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let i = 0;
  const write = (count: number, poisonAt = -1) => {
    let s = '';
    for (let k = 0; k < count; k++, i++) s += line(i, k === poisonAt ? 4444 : undefined);
    child.stdin.write(s);
  };
  const probe = new Database(db);
  probe.pragma('busy_timeout = 5000');
  const run = () => probe.prepare('SELECT status, records FROM ingest_runs ORDER BY id DESC LIMIT 1').get() as { status: string; records: number } | undefined;
  const waitFor = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 120_000;
    while (!ok()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  // The child is killed whatever happens, so a failing wait cannot leave the test file hanging on it.
  try {
    write(3 * BATCH);
    await waitFor(() => (run()?.records ?? 0) >= 3 * BATCH, 'three committed batches');
    write(BATCH, 137); // batch 4 holds the record the store refuses
    write(2 * BATCH);
    if (killWhen === 'after-failed') await waitFor(() => run()?.status === 'failed', 'the run to be marked failed');
    else await new Promise((r) => setTimeout(r, 5));
  } finally {
    probe.close();
    child.kill('SIGKILL');
    await exited;
  }

  const after = openDb(db);
  assert.equal(after.pragma('integrity_check', { simple: true }), 'ok');
  const row = after.prepare('SELECT * FROM ingest_runs').get() as { status: string; records: number; accepted: number; error: string | null };
  const flows = (after.prepare('SELECT coalesce(sum(flows), 0) AS n FROM edges').get() as { n: number }).n;
  const hours = (after.prepare('SELECT coalesce(sum(flows), 0) AS n FROM edge_hours').get() as { n: number }).n;
  assert.equal(row.records % BATCH, 0, 'only whole batches were committed');
  assert.equal(row.records, 3 * BATCH, 'the refused batch and everything after it are not stored');
  assert.equal(flows, row.accepted, 'the edges hold exactly what the run row says was committed');
  assert.equal(hours, row.accepted);
  assert.equal((after.prepare('SELECT count(*) AS n FROM edges WHERE port = 4444').get() as { n: number }).n, 0);
  if (killWhen === 'after-failed') {
    assert.equal(row.status, 'failed');
    assert.match(row.error ?? '', /batch 4 of - \(lines 1501-2000\) could not be committed, even after a retry: disk says no/);
  } else assert.ok(['running', 'failed'].includes(row.status), row.status);
  after.close();
}

test('kill -9 while a refused batch is being tried: intact, the committed prefix only, the run row agrees', { timeout: 300_000 }, () => scenario('while-failing'));
test('kill -9 after the run stopped on a refused batch: intact, the run row failed with the batch named', { timeout: 300_000 }, () => scenario('after-failed'));
