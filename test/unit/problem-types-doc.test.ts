/**
 * docs/api.md "Errors" says `type` is stable and lists every type: each problem type the server
 * can answer (PROBLEM_TYPES, the only way a problem gets its `type`) must be in that list, with
 * its status where the list gives one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PROBLEM_TYPES, type ProblemType } from '../../server/http/problem.ts';

const api = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const start = api.indexOf('`type` is stable:');
const list = api.slice(start, api.indexOf('`instance` carries', start));

test('docs/api.md "Errors" lists every problem type the server answers with', () => {
  assert.ok(start >= 0 && list.length > 0, 'the list is there');
  const missing = (Object.keys(PROBLEM_TYPES) as ProblemType[]).filter((t) => !list.includes(`\`${t}\``));
  assert.deepEqual(missing, [], 'problem types docs/api.md does not list');
});

test('docs/api.md "Errors" gives each type the status the server answers it with', () => {
  for (const [type, { status }] of Object.entries(PROBLEM_TYPES)) {
    const said = new RegExp(`\`${type}\`\\s*\\((\\d{3})`).exec(list)?.[1];
    if (said !== undefined) assert.equal(Number(said), status, type);
  }
});
