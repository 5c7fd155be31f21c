import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_WARNING_TEXT, warningHeader } from '../../server/http/warning-header.ts';

test('a Warning header is a 299 quoted-string in Latin-1, cut short enough for a proxy buffer', () => {
  assert.equal(warningHeader('policy "x" \\ café'), '299 - "policy \\"x\\" \\\\ caf?"');
  const long = warningHeader('a'.repeat(5000));
  assert.equal(long, `299 - "${'a'.repeat(MAX_WARNING_TEXT - 3)}..."`);
  assert.equal(warningHeader('a'.repeat(MAX_WARNING_TEXT)), `299 - "${'a'.repeat(MAX_WARNING_TEXT)}"`);
});
