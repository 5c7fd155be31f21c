/** Backoff: full jitter under a doubling, capped bound (AWS "Exponential Backoff and Jitter"). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, sleep } from '../../collectors/backoff.ts';

test('the bound doubles from initialMs to maxMs, the delay is random below it, and reset starts over', () => {
  const top = new Backoff({ initialMs: 100, maxMs: 1_000, random: () => 0.999999 });
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => top.next()), [99, 199, 399, 799, 999, 999]);
  assert.equal(top.failures, 6);
  top.reset();
  assert.equal(top.next(), 99);
  const bottom = new Backoff({ initialMs: 100, maxMs: 1_000, random: () => 0 });
  assert.equal(bottom.next(), 0, 'full jitter may retry at once');
});

test('a bad range is refused', () => {
  assert.throws(() => new Backoff({ initialMs: 0 }), /0 < initialMs <= maxMs/);
  assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5 }), /0 < initialMs <= maxMs/);
});

test('sleep ends early when its signal aborts', async () => {
  const ac = new AbortController();
  const started = Date.now();
  const done = sleep(60_000, ac.signal);
  ac.abort();
  await done;
  assert.ok(Date.now() - started < 1_000);
});
