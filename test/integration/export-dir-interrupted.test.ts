/**
 * `export --out DIR` when a write fails part-way (a full disk, a file size limit, the process
 * killed): each policy file holds either its previous text or its new text, never the first part of
 * one. A truncated NetworkPolicy that a GitOps controller picks up can be a much wider policy than
 * either: cut before `podSelector`, it selects every pod of its namespace (the API server reads a
 * missing podSelector as the empty one) and isolates them all. And the next export must not be
 * stuck on the remains of its own failed write.
 *
 * The real CLI under `ulimit -f` (a limit is per process): a write past it stops the process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { storeOneConnection } from '../helpers/one-connection-store.ts';
import { tmpDir } from '../helpers/tmp.ts';

const BIN = fileURLToPath(new URL('../../bin/flowmatrix.mjs', import.meta.url));
/** KiB the export may write to one file: less than the policy file it rewrites. */
const LIMIT_KIB = 1;

const work = tmpDir();
const db = join(work, 'f.db');

function files(dir: string): Map<string, string> {
  return new Map(
    (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .map((f) => [relative(dir, f), readFileSync(f, 'utf8')] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

async function exportUnderLimit(dir: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> {
  const child = spawn('bash', ['-c', `ulimit -f ${LIMIT_KIB} && exec "$0" "$@"`, process.execPath, BIN, 'export', '--db', db, '--engine', 'kubernetes', '--out', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, err };
}

test('setup: the fixture cluster and one observed connection', () => storeOneConnection(db, work));

test('a write that fails part-way leaves every policy file whole (its previous text), and the next export completes', async () => {
  const dir = join(work, 'gitops');
  const first = await runCli(['export', '--db', db, '--engine', 'kubernetes', '--out', dir]);
  assert.equal(first.code, 0, first.err);
  // A file of ours the next export rewrites (a hand edit it undoes), longer than the limit.
  const before = files(dir);
  const [rel, text] = [...before].find(([, t]) => t.length > LIMIT_KIB * 1024 && t.includes('podSelector'))!;
  const edited = text.replace('flowmatrix.io/explanation: "', 'flowmatrix.io/explanation: "edited: ');
  assert.notEqual(edited, text);
  writeFileSync(join(dir, rel), edited);
  before.set(rel, edited);

  // The store held open here keeps its -shm file mapped at full size: the limited process then
  // writes nothing to the store, only the policy file.
  const hold = openDb(db);
  let failed;
  try {
    failed = await exportUnderLimit(dir);
  } finally {
    hold.close();
  }
  // Past the limit the kernel sends SIGXFSZ (Node ignores it and the write fails EFBIG); while
  // write-file-atomic writes, its exit handler (signal-exit) takes the signal, removes the
  // temporary file and lets the signal end the process.
  assert.equal(failed.signal, 'SIGXFSZ', `the export is stopped by the file size limit (exit ${failed.code}): ${failed.err}`);
  assert.deepEqual(files(dir), before, `every file as it was, ${rel} not cut short`);

  const again = await runCli(['export', '--db', db, '--engine', 'kubernetes', '--out', dir]);
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(JSON.parse(again.out).changed, [rel]);
  assert.equal(readFileSync(join(dir, rel), 'utf8'), text, 'rewritten whole');
  assert.deepEqual([...files(dir).keys()], [...before.keys()], 'no leftover file of the failed write');
});

test('a file the export rewrites keeps the mode its owner gave it', async () => {
  const dir = join(work, 'modes');
  assert.equal((await runCli(['export', '--db', db, '--engine', 'kubernetes', '--out', dir])).code, 0);
  const [rel, text] = [...files(dir)].find(([, t]) => t.includes('flowmatrix.io/explanation: "'))!;
  writeFileSync(join(dir, rel), text.replace('flowmatrix.io/explanation: "', 'flowmatrix.io/explanation: "edited: '));
  chmodSync(join(dir, rel), 0o640);
  const again = await runCli(['export', '--db', db, '--engine', 'kubernetes', '--out', dir]);
  assert.deepEqual(JSON.parse(again.out).changed, [rel]);
  assert.equal(readFileSync(join(dir, rel), 'utf8'), text);
  assert.equal(statSync(join(dir, rel)).mode & 0o777, 0o640);
});
