/**
 * `--include` and `include=` are one syntax (docs/recommend.md): comma-separated statuses, no
 * spaces, no empty item, at least one. A value one front end refuses the other refuses too, and an
 * empty list (`--include "$UNSET"`) is refused rather than read as "no rules": deny-all policies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { runCli } from '../helpers/cli.ts';
import { testApp } from '../helpers/service.ts';
import { tmpDb } from '../helpers/tmp.ts';

const { db, path } = tmpDb();
const app = testApp(db, path);

const refused = ['', ',', 'confirmed,', ',confirmed', 'confirmed,,stale', 'confirmed, stale', ' confirmed', 'Confirmed', 'confirmed;stale', 'nope'];
const accepted = ['confirmed', 'confirmed,stale', 'stale,confirmed,confirmed', 'blocked,documented-when-set'];

test('the CLI refuses every --include value the API refuses, naming --include and the value; both take the others', async () => {
  for (const value of [...refused, ...accepted]) {
    const api = await request(app).get(`/api/v1/recommendations?engine=kubernetes&include=${encodeURIComponent(value)}`);
    const cli = await runCli(['recommend', '--db', path, '--engine', 'kubernetes', '--include', value, '-o', 'json']);
    if (refused.includes(value)) {
      assert.equal(api.status, 400, `API include="${value}": ${api.text}`);
      assert.equal(api.body.errors[0].path, 'query.include');
      assert.equal(cli.code, 1, `CLI --include "${value}"`);
      assert.ok(cli.err.startsWith(`flowmatrix: --include "${value}": `), cli.err);
    } else {
      // An empty store: past the options, both say there is nothing to recommend for.
      assert.equal(api.status, 404, `API include="${value}": ${api.text}`);
      assert.doesNotMatch(cli.err, /--include/, `CLI --include "${value}"`);
      assert.match(cli.err, /no inventory/);
    }
  }
});

test('the CLI says what is wrong with the list', async () => {
  const err = async (value: string): Promise<string> => (await runCli(['recommend', '--db', path, '--engine', 'kubernetes', '--include', value])).err;
  assert.match(await err(''), /--include "": empty: name at least one of confirmed, documented-unobserved, documented-when-set, undocumented, stale, blocked/);
  assert.match(await err('confirmed,,stale'), /--include "confirmed,,stale": item 2 is empty/);
  assert.match(await err('confirmed, stale'), /--include "confirmed, stale": " stale" is not one of .*: no spaces around the commas/);
  assert.match(await err('confirmd'), /--include "confirmd": "confirmd" is not one of confirmed, /);
});
