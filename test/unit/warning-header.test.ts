import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_WARNING_TEXT, warningHeader } from '../../server/http/warning-header.ts';

test('a Warning header is a 299 quoted-string in Latin-1, cut short enough for a proxy buffer', () => {
  assert.equal(warningHeader('policy "x" \\ café'), '299 - "policy \\"x\\" \\\\ caf?"');
  const long = warningHeader('a'.repeat(5000));
  assert.equal(long, `299 - "${'a'.repeat(MAX_WARNING_TEXT - 3)}..."`);
  assert.equal(warningHeader('a'.repeat(MAX_WARNING_TEXT)), `299 - "${'a'.repeat(MAX_WARNING_TEXT)}"`);
});

test('Warning headers stay within a total budget: those that do not fit are counted in a last one saying where to read them all', async () => {
  const { MAX_WARNING_HEADERS_BYTES, warningHeaders } = await import('../../server/http/warning-header.ts');
  const texts = Array.from({ length: 18 }, (_, i) => `stored matrix legacy-${i} no longer validates: ${'X'.repeat(900)}`);
  const headers = warningHeaders(texts, 'GET /api/v1/matrices lists them');
  assert.ok(headers.reduce((n, h) => n + h.length, 0) <= MAX_WARNING_HEADERS_BYTES);
  const sent = headers.length - 1;
  assert.ok(sent >= 1, 'at least one warning is sent whole');
  assert.equal(headers.at(-1), `299 - "${18 - sent} more warnings not sent as headers: GET /api/v1/matrices lists them"`);
  assert.deepEqual(warningHeaders(['a', 'b'], 'x'), ['299 - "a"', '299 - "b"'], 'few warnings: all of them, no count');
  assert.deepEqual(warningHeaders([], 'x'), []);
});
