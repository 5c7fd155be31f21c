/**
 * `matrix show -o source` gives back the matrix as loaded (edit it, `matrix apply` it again) and
 * `matrix delete` removes an applied one — a built-in one of that name is in force again.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CATALOG_DIR } from '../../app/catalog.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const dir = tmpDir();
const db = join(dir, 'flowmatrix.db');

test('show -o source: the built-in file byte for byte; after an edit and apply, the applied text; delete restores the built-in', async () => {
  const builtIn = readFileSync(join(CATALOG_DIR, 'netobserv.yaml'), 'utf8');
  const shown = await runCli(['matrix', 'show', 'netobserv', '-o', 'source', '--db', db]);
  assert.equal(shown.code, 0, shown.err);
  assert.equal(shown.out, builtIn);

  // The round trip a user makes: show the source, edit it, apply it.
  const edited = shown.out.replace(/^(\s*title:.*)$/m, '$1 (edited)');
  assert.notEqual(edited, builtIn);
  const file = join(dir, 'netobserv.yaml');
  writeFileSync(file, edited);
  assert.equal((await runCli(['matrix', 'apply', file, '--db', db])).code, 0);
  assert.equal((await runCli(['matrix', 'show', 'netobserv', '-o', 'source', '--db', db])).out, edited);

  const del = await runCli(['matrix', 'delete', 'netobserv', '--db', db]);
  assert.equal(del.code, 0, del.err);
  assert.deepEqual(JSON.parse(del.out), { name: 'netobserv', status: 'deleted', builtInRestored: true });
  assert.equal((await runCli(['matrix', 'show', 'netobserv', '-o', 'source', '--db', db])).out, builtIn);
});

test('delete: a built-in matrix is turned off in the config, not deleted; an unknown name is not found (exit 1)', async () => {
  const builtIn = await runCli(['matrix', 'delete', 'stacklight', '--db', db]);
  assert.equal(builtIn.code, 1);
  assert.match(builtIn.err, /"stacklight" is a built-in matrix: it cannot be deleted; set matrices\.systems\.stacklight\.enabled: false/);
  const unknown = await runCli(['matrix', 'delete', 'nope', '--db', db]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no applied matrix named "nope" \(applied: none\)/);
});
