/**
 * docs/recommend.md "Verification warnings" lists every warning with what to do. The emitter's
 * warnings have stable codes (recommender/engines/types.ts WARNING_CODES): each must have its line
 * there, so a new code cannot go undocumented. The verification's own warnings are sentences with
 * no code; their lines are kept by review.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { WARNING_CODES } from '../../recommender/engines/types.ts';

const doc = readFileSync(new URL('../../docs/recommend.md', import.meta.url), 'utf8');

function section(heading: string): string {
  const from = doc.indexOf(`\n${heading}\n`);
  assert.ok(from >= 0, `docs/recommend.md has no "${heading}"`);
  const next = doc.indexOf('\n#', from + heading.length + 2);
  return doc.slice(from, next < 0 ? undefined : next);
}

test('every emitter warning code has its line in docs/recommend.md "Verification warnings"', () => {
  const lines = section('### Verification warnings').split('\n');
  for (const code of WARNING_CODES) assert.ok(lines.some((l) => l.startsWith(`- \`${code}\` — `)), `no line for ${code}`);
});
