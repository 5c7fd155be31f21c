/** How a matrix or config problem shows the value it names: as written, but never a whole document. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProblem, shownValue } from '../../recommender/matrix/problem.ts';

test('a value is shown as JSON (numbers JSON cannot hold as written); a long one is cut, saying how long it was', () => {
  assert.equal(shownValue('Bogus'), '"Bogus"');
  assert.equal(shownValue(Infinity), 'Infinity');
  const list = { apiVersion: 'v1', kind: 'List', items: Array.from({ length: 500 }, (_, i) => ({ kind: 'Pod', metadata: { name: `p${i}` } })) };
  const shown = formatProblem({ path: 'items', line: 1, message: 'unknown field "items"', value: list.items });
  assert.ok(shown.length < 300, `${shown.length} characters`);
  assert.match(shown, /^ {2}items \(line 1\): unknown field "items"; got \[\{"kind":"Pod".*… \(\d+ characters\)$/);
});
