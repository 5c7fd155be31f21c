/**
 * The store holds the cluster's inventory, flows and the matrices: a database file flowmatrix
 * creates is the owner's only (0600), whatever the umask, and so are its -wal and -shm files
 * (SQLite creates them with the main file's mode: os_unix.c findCreateFileMode, unixOpenSharedMemory). A file that
 * already exists keeps the mode its owner gave it.
 */
import assert from 'node:assert/strict';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

function withUmask<T>(mask: number, fn: () => T): T {
  const before = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(before);
  }
}

test('a new database file and its -wal and -shm are created 0600 under a umask of 022', () => {
  const path = join(tmpDir(), 'sub', 'f.db');
  const db = withUmask(0o022, () => openDb(path));
  try {
    db.prepare("INSERT INTO ingest_runs (source, format, started_at, status) VALUES ('t', 'netobserv', 0, 'done')").run();
    assert.deepEqual([mode(path), mode(`${path}-wal`), mode(`${path}-shm`)], ['600', '600', '600']);
  } finally {
    db.close();
  }
});

test('an existing database file keeps its mode', () => {
  const path = join(tmpDir(), 'f.db');
  openDb(path).close();
  chmodSync(path, 0o640);
  openDb(path).close();
  assert.equal(mode(path), '640');
  const empty = join(tmpDir(), 'empty.db');
  writeFileSync(empty, '');
  chmodSync(empty, 0o644);
  openDb(empty).close();
  assert.equal(mode(empty), '644', 'an empty file the operator made is theirs too');
});

test('the CLI creates its store 0600', async () => {
  const path = join(tmpDir(), 'cli.db');
  const before = process.umask(0o022);
  const r = await runCli(['edges', 'prune', '--edge-days', '0', '--db', path]).finally(() => process.umask(before));
  assert.equal(r.code, 0, r.err);
  assert.equal(mode(path), '600');
});
