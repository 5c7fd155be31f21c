/**
 * `flowmatrix ingest` stopped by SIGTERM or SIGINT (Ctrl-C, a pod's termination): what was read is
 * committed, the run is marked failed with the reason instead of staying `running` for ever, the
 * summary is printed and the exit code is the signal's (128 + its number).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { tmpDir } from '../helpers/tmp.ts';

const BIN = fileURLToPath(new URL('../../bin/flowmatrix.mjs', import.meta.url));

const line = (n: number) =>
  `{"SrcAddr":"10.1.${(n >> 8) & 255}.${n & 255}","SrcPort":40000,"DstAddr":"10.2.0.1","DstPort":${1 + (n % 1000)},"Proto":6,"Flags":2,"Packets":1,"Bytes":10,"TimeFlowEndMs":${Date.now() - 3_600_000 + n}}\n`;

/** Records the last run has committed (0 while the store is not there yet). */
function committedRecords(db: string): number {
  try {
    const probe = new Database(db, { readonly: true });
    try {
      return (probe.prepare('SELECT records FROM ingest_runs ORDER BY id DESC LIMIT 1').get() as { records: number } | undefined)?.records ?? 0;
    } finally {
      probe.close();
    }
  } catch {
    return 0;
  }
}

for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`ingest stopped by ${signal}: committed records kept, the run failed with the reason, the summary printed, exit ${code}`, async () => {
    const db = join(tmpDir(), 'i.db');
    const child = spawn(process.execPath, [BIN, 'ingest', '--db', db, '--format', 'netobserv', '--batch-size', '500', '--flush-interval', '3600', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => {});
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    try {
      let s = '';
      for (let i = 0; i < 1200; i++) s += line(i);
      child.stdin.write(s);
      // Two batches of 500 are committed; the last 200 records wait in the open window.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const n = committedRecords(db);
        if (n >= 1000) break;
        if (Date.now() > deadline) assert.fail('timed out waiting for two committed batches');
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 100));
      child.kill(signal);
      assert.equal(await exited, code);
    } finally {
      child.kill('SIGKILL');
    }
    const summary = JSON.parse(out) as { records: number; inputs: { status: string; error?: string; records: number }[] };
    assert.equal(summary.records, 1200, 'the open window is committed too');
    assert.equal(summary.inputs[0]!.status, 'failed');
    assert.equal(summary.inputs[0]!.error, `interrupted by ${signal}`);
    assert.match(err, new RegExp(`flowmatrix: interrupted by ${signal}: 1200 records committed`));
    const after = new Database(db, { readonly: true });
    try {
      assert.deepEqual(after.prepare('SELECT status, error, records FROM ingest_runs').all(), [{ status: 'failed', error: `interrupted by ${signal}`, records: 1200 }]);
    } finally {
      after.close();
    }
  });
}
