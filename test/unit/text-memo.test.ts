import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoByText } from '../../recommender/text-memo.ts';

test('memoByText computes each text once, undefined answers included, and starts afresh past its limit', () => {
  const calls: string[] = [];
  const f = memoByText((t) => {
    calls.push(t);
    return t === 'none' ? undefined : { t };
  }, 3);
  const a = f('a');
  assert.equal(f('a'), a, 'the same object again');
  assert.equal(f('none'), undefined);
  assert.equal(f('none'), undefined);
  assert.deepEqual(calls, ['a', 'none']);
  f('b');
  f('c'); // a fourth text: the memo held 3, so it starts afresh with c
  f('a');
  assert.deepEqual(calls, ['a', 'none', 'b', 'c', 'a']);
});

test('memoByText remembers nothing when the computation throws', () => {
  let n = 0;
  const f = memoByText((t) => {
    n++;
    if (t === 'bad') throw new Error('bad text');
    return t.length;
  }, 10);
  assert.throws(() => f('bad'), /bad text/);
  assert.throws(() => f('bad'), /bad text/);
  assert.equal(n, 2);
});
