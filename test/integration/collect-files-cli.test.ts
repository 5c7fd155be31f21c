/** `flowmatrix collect files --once`: reads each file from its stored offset to its end; refusals exit non-zero. */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const NETOBSERV = readFileSync(fileURLToPath(new URL('../fixtures/reference/flows/netobserv/netobserv-flow-samples.ndjson', import.meta.url)), 'utf8').trim().split('\n');
const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

test('collect files --once --file PATH:netobserv: the first pass reads the file, the next only what was appended', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  const path = join(dir, 'flows.ndjson');
  writeFileSync(path, text(NETOBSERV.slice(0, 10)));
  const first = await runCli(['collect', 'files', '--once', '--db', db, '--file', `${path}:netobserv`]);
  assert.equal(first.code, 0, first.err);
  const s1 = JSON.parse(first.out) as { records: number; accepted: number; files: { status: string }[]; edgesTotal: number };
  assert.deepEqual([s1.records, s1.accepted, s1.files[0]?.status], [10, 10, 'done']);
  appendFileSync(path, text(NETOBSERV.slice(10)));
  const second = JSON.parse((await runCli(['collect', 'files', '--once', '--db', db, '--file', `${path}:netobserv`])).out) as { records: number };
  assert.equal(second.records, 7);
  const third = JSON.parse((await runCli(['collect', 'files', '--once', '--db', db, '--file', `${path}:netobserv`])).out) as { records: number };
  assert.equal(third.records, 0);
});

test('collect files --once with the list from --config', async () => {
  const dir = tmpDir();
  const path = join(dir, 'flows.ndjson');
  writeFileSync(path, text(NETOBSERV));
  writeFileSync(join(dir, 'c.yaml'), `collectors:\n  files:\n    files:\n      - path: ${path}\n        format: netobserv\n`);
  const r = await runCli(['collect', 'files', '--once', '--db', join(dir, 'f.db'), '--config', join(dir, 'c.yaml')]);
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { records: number }).records, 17);
});

test('collect files --once: a missing file, an unknown format, a read error, no files, a relative path in the config, every record rejected: exit 1', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  const missing = await runCli(['collect', 'files', '--once', '--db', db, '--file', join(dir, 'nope.ndjson')]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.ndjson: no such file/);

  const format = await runCli(['collect', 'files', '--once', '--db', db, '--file', `${join(dir, 'flows.ndjson')}:bogus`]);
  assert.equal(format.code, 1);
  assert.match(format.err, /flows\.ndjson:bogus: unknown format "bogus" \(netobserv, hubble, auto; /);

  const none = await runCli(['collect', 'files', '--once', '--db', db]);
  assert.equal(none.code, 1);
  assert.match(none.err, /no files/);

  writeFileSync(join(dir, 'c.yaml'), 'collectors:\n  files:\n    files:\n      - path: flows.ndjson\n');
  const relative = await runCli(['collect', 'files', '--once', '--db', db, '--config', join(dir, 'c.yaml')]);
  assert.equal(relative.code, 1);
  assert.match(relative.err, /collectors\.files\.files\[0\]\.path: must be an absolute path/);

  const garbage = join(dir, 'garbage.ndjson');
  writeFileSync(garbage, 'not json\nnor this\n');
  const bad = await runCli(['collect', 'files', '--once', '--db', db, '--file', `${garbage}:netobserv`]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /none of the 2 records could be read/);

  const directory = await runCli(['collect', 'files', '--once', '--db', db, '--file', `${dir}:netobserv`]);
  assert.equal(directory.code, 1);
  assert.match(directory.err, /: not a regular file/);

  // A path under a regular file: stat fails with ENOTDIR (a read error, not a missing file), even for root.
  const notDir = await runCli(['collect', 'files', '--once', '--db', db, '--file', join(garbage, 'flows.ndjson')]);
  assert.equal(notDir.code, 1);
  assert.match(notDir.err, /garbage\.ndjson\/flows\.ndjson: .*ENOTDIR/);
});

test('collect files --once: a file reachable under two names is read once — a glob matching a symlink to it, or two exact paths naming it (refused: list it once)', async () => {
  const dir = tmpDir();
  const a = join(dir, 'a.log');
  writeFileSync(a, text(NETOBSERV));
  symlinkSync(a, join(dir, 'b.log'));
  const glob = await runCli(['collect', 'files', '--once', '--db', join(dir, 'g.db'), '--file', `${join(dir, '*.log')}:netobserv`]);
  assert.equal(glob.code, 0, glob.err);
  const s = JSON.parse(glob.out) as { records: number; files: { path: string }[] };
  assert.equal(s.records, NETOBSERV.length);
  assert.deepEqual(s.files.map((f) => f.path), [a]);

  const exact = await runCli(['collect', 'files', '--once', '--db', join(dir, 'e.db'), '--file', `${a}:netobserv`, '--file', `${join(dir, 'b.log')}:netobserv`]);
  assert.equal(exact.code, 1);
  assert.match(exact.err, /b\.log and .*a\.log are the same file: list it once/);
});
