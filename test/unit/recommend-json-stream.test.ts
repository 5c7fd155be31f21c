import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { jsonArrayPieces, JsonArrayText, jsonPieces, writeJson } from '../../recommender/json-stream.ts';

const written = (v: unknown, space: 0 | 2 = 2): string => {
  let s = '';
  writeJson(v, (t) => void (s += t), space);
  return s;
};

test('writeJson gives the bytes of JSON.stringify(value, null, 2) and of compact JSON.stringify, for any JSON value', () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => written(v) === JSON.stringify(v, null, 2) && written(v, 0) === JSON.stringify(v)), { numRuns: 500, seed: 7 });
});

test('writeJson drops what JSON.stringify drops and calls toJSON', () => {
  const v = { a: undefined, b: [undefined, () => 1, 1], c: new Date(0), d: { e: Symbol('x') }, f: [], g: {}, h: 'line\nbreak' };
  assert.equal(written(v), JSON.stringify(v, null, 2));
  assert.equal(written(v, 0), JSON.stringify(v));
});

test('writeJson streams: a value larger than one chunk arrives in several pieces, in order', () => {
  const v = { items: Array.from({ length: 5000 }, (_, i) => ({ i, name: `workload-${i}`, tags: ['a', 'b'] })) };
  const chunks: string[] = [];
  writeJson(v, (t) => chunks.push(t));
  assert.ok(chunks.length > 3);
  assert.equal(chunks.join(''), JSON.stringify(v, null, 2));
});

test('jsonArrayPieces and JsonArrayText give the bytes of JSON.stringify(items, null, 2), for any array', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.jsonValue(), fc.constant(undefined))), (items) => {
      const expected = JSON.stringify(items, null, 2);
      const t = new JsonArrayText();
      const wrap = (x: unknown): unknown => ({ wrapped: x });
      return (
        [...jsonArrayPieces(items)].join('') === expected &&
        items.map((x) => t.item(x)).join('') + t.end() === expected &&
        [...jsonArrayPieces(items, wrap)].join('') === JSON.stringify(items.map(wrap), null, 2)
      );
    }),
    { numRuns: 500, seed: 11 },
  );
  assert.equal([...jsonArrayPieces([])].join(''), '[]');
});

test('jsonArrayPieces and jsonPieces hand out pieces of about 64 Ki characters, never the whole text at once', () => {
  const items = Array.from({ length: 5000 }, (_, i) => ({ i, name: `edge-${i}`, sources: ['hubble', 'netobserv'] }));
  for (const pieces of [[...jsonArrayPieces(items)], [...jsonPieces(items)]]) {
    assert.equal(pieces.join(''), JSON.stringify(items, null, 2));
    assert.ok(pieces.length > 3, `${pieces.length} pieces`);
    for (const p of pieces.slice(0, -1)) assert.ok(p.length >= 65536 && p.length < 65536 + 200, `${p.length} characters`);
  }
});
