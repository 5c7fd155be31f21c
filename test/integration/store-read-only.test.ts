/**
 * A store the user cannot write (a file of mode 444 owned by someone else): SQLite opens it
 * read-only without a word. Commands that only read keep working; commands that write, and
 * `serve`, stop at start naming the file and the cause; a write refused later is said the same way.
 * File modes do not bind root: as root the commands run as another user (setpriv), else as is.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { withOpenDb } from '../../cli/options.ts';
import { toProblem } from '../../server/http/errors.ts';
import { openDb } from '../../store/db.ts';
import { tmpDir } from '../helpers/tmp.ts';

const BIN = fileURLToPath(new URL('../../bin/flowmatrix.mjs', import.meta.url));
const INVENTORY = fileURLToPath(new URL('../../demo/data/inventory.json', import.meta.url));
const ROOT = process.getuid?.() === 0;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** A migrated store of mode 444 in a directory anyone may write (so only the file refuses). */
function readOnlyStore(): string {
  const dir = tmpDir();
  chmodSync(dir, 0o777);
  const path = join(dir, 'f.db');
  openDb(path).close();
  chmodSync(path, 0o444);
  return path;
}

function flowmatrix(...args: string[]): { code: number | null; out: string; err: string } {
  const argv = [process.execPath, BIN, ...args];
  const [cmd, ...rest] = ROOT ? [SETPRIV!, '--reuid=65534', '--regid=65534', '--clear-groups', ...argv] : argv;
  const r = spawnSync(cmd!, rest, { encoding: 'utf8', env: { ...process.env, FLOWMATRIX_LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const readOnly = (db: string) => new RegExp(`^flowmatrix: (?:cannot start: )?${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the store is read-only \\(the file's or its directory's permissions\\): attempt to write a readonly database; `, 'm');

test('a read-only store: reads work, writes and serve stop at start naming the file and the cause', { skip: ROOT && !SETPRIV ? 'root without setpriv: file modes do not bind root' : false }, () => {
  const db = readOnlyStore();
  const listed = flowmatrix('matrix', 'list', '--db', db, '-o', 'json');
  assert.equal(listed.code, 0, listed.err);
  assert.ok(Array.isArray(JSON.parse(listed.out)), listed.out);

  const imported = flowmatrix('inventory', 'import', INVENTORY, '--db', db);
  assert.equal(imported.code, 1, imported.out);
  assert.match(imported.err, readOnly(db));
  assert.match(imported.err, /make the file, its -wal and -shm files and its directory writable by this user/);

  const pruned = flowmatrix('edges', 'prune', '--edge-days', '1', '--db', db);
  assert.equal(pruned.code, 1);
  assert.match(pruned.err, readOnly(db));

  const served = flowmatrix('serve', '--port', '0', '--db', db);
  assert.equal(served.code, 1, served.err);
  assert.match(served.err, readOnly(db));
});

/** A real SQLITE_READONLY error, as better-sqlite3 throws it. */
function refusedWrite(): Error {
  const path = join(tmpDir(), 'f.db');
  openDb(path).close();
  const ro = new Database(path, { readonly: true });
  try {
    ro.prepare('DELETE FROM edges').run();
  } catch (e) {
    return e as Error;
  } finally {
    ro.close();
  }
  assert.fail('the read-only connection took a write');
}

test('a write refused later (SQLITE_READONLY) names the store: the CLI says so, the API answers 503, never a generic 500', async () => {
  const e = refusedWrite();
  const db = join(tmpDir(), 'g.db');
  await assert.rejects(
    withOpenDb({ db }, () => {
      throw e;
    }),
    (err: Error) => err.message.startsWith(`${db}: the store is read-only (the file's or its directory's permissions): attempt to write a readonly database; `),
  );
  const problem = toProblem(e, '/var/lib/flowmatrix/f.db');
  assert.equal(problem.status, 503);
  assert.match(JSON.stringify(problem.body()), /\/var\/lib\/flowmatrix\/f\.db: the store is read-only/);
});
