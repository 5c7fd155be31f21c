/** TopK: the first k of a stream are the first k of the whole list sorted (Array.prototype.sort, stable). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TopK } from '../../reports/top-k.ts';

const byFlowsThenKey = (a: { flows: number; key: string }, b: { flows: number; key: string }): number => b.flows - a.flows || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

test('the first k of any stream, in order, are those of a whole sort', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ flows: fc.integer({ min: 0, max: 20 }), key: fc.string({ maxLength: 3 }) }), { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (items, k) => {
      const top = new TopK(k, byFlowsThenKey);
      for (const x of items) top.offer(x);
      assert.deepEqual(top.sorted(), [...items].sort(byFlowsThenKey).slice(0, k));
    }),
    { numRuns: 300 },
  );
});

test('once cut, an item after the k-th costs one comparison and is not kept; k must be positive', () => {
  const top = new TopK<number>(3, (a, b) => a - b);
  for (let i = 100; i > 0; i--) top.offer(i);
  assert.deepEqual(top.sorted(), [1, 2, 3]);
  let asked = 0;
  const counting = new TopK<number>(2, (a, b) => (asked++, a - b));
  for (let i = 0; i < 1000; i++) counting.offer(i);
  assert.ok(asked < 1100, `an item after the cut costs one comparison: ${asked}`);
  assert.deepEqual(counting.sorted(), [0, 1]);
  assert.throws(() => new TopK(0, (a: number, b: number) => a - b), /positive integer/);
});
