/**
 * Which store a command opens. SQLite opens a temporary database, deleted on close, for an empty
 * file name (sqlite.org "Temporary Databases"): an empty path must never get that far.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DB_PATH, resolveDbPath } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';

function withEnv<T>(value: string | undefined, fn: () => T): T {
  const before = process.env.FLOWMATRIX_DB;
  if (value === undefined) delete process.env.FLOWMATRIX_DB;
  else process.env.FLOWMATRIX_DB = value;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.FLOWMATRIX_DB;
    else process.env.FLOWMATRIX_DB = before;
  }
}

test('the flag wins, then FLOWMATRIX_DB, then the default; an empty FLOWMATRIX_DB is unset', () => {
  assert.equal(withEnv('/env.db', () => resolveDbPath('/flag.db')), '/flag.db');
  assert.equal(withEnv('/env.db', () => resolveDbPath()), '/env.db');
  assert.equal(withEnv('', () => resolveDbPath()), DEFAULT_DB_PATH);
  assert.equal(withEnv(undefined, () => resolveDbPath()), DEFAULT_DB_PATH);
});

test('an empty --db is an error naming the flag, before anything is read or written', async () => {
  assert.throws(() => resolveDbPath(''), /^Error: --db: the path is empty/);
  const r = await runCli(['edges', '--db', '']);
  assert.equal(r.code, 1);
  assert.match(r.err, /--db: the path is empty \(SQLite would write a temporary database, deleted on exit\)/);
});
