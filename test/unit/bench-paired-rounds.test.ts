/** bench/lib/paired-rounds.ts: the median and range the benches print, and the order of paired runs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSpread, pairedRounds, quantile, spread } from '../../bench/lib/paired-rounds.ts';

test('spread: the middle value of an odd count, the mean of the two middle values of an even one, lowest and highest', () => {
  assert.deepEqual(spread([3, 1, 2, 5, 4]), { median: 3, min: 1, max: 5 });
  assert.deepEqual(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4 });
  assert.deepEqual(spread([7]), { median: 7, min: 7, max: 7 });
  assert.throws(() => spread([]), /no rounds/);
});

test('formatSpread: median then range, with the unit and digits asked for', () => {
  assert.equal(formatSpread({ median: 2.414, min: 2.3, max: 2.771 }), '2.41× (median; 2.30–2.77×)');
  assert.equal(formatSpread({ median: 12.34, min: 9, max: 40.06 }, ' ms', 1), '12.3 ms (median; 9.0–40.1 ms)');
});

test('quantile: nearest rank, p = 1 the maximum, 0 for no samples', () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted order
  // The ⌈p·n⌉-th smallest: half of 1…100 do not exceed 50, 99 of them do not exceed 99.
  assert.equal(quantile(xs, 0.5), 50);
  assert.equal(quantile(xs, 0.99), 99);
  assert.equal(quantile([5, 1, 3], 0.5), 3);
  assert.equal(quantile([5, 1, 3], 0.01), 1);
  assert.equal(quantile(xs, 1), 100);
  assert.equal(quantile([], 0.99), 0);
});

test('pairedRounds: the first run alternates between the sides, each ratio pairs the runs of its own round', () => {
  const order: string[] = [];
  let n = 0;
  // Each run takes longer than the one before, as on a machine slowing down: a round's ratio
  // must pair the two runs of that round, whichever went first.
  const run = (side: string) => () => {
    order.push(side);
    n++;
    return { side, wallMs: n * 10, cpuMs: n };
  };
  const rounds = pairedRounds(4, run('base'), run('candidate'));
  assert.deepEqual(order, ['base', 'candidate', 'candidate', 'base', 'base', 'candidate', 'candidate', 'base']);
  assert.deepEqual(
    rounds.map((r) => [r.base.wallMs, r.candidate.wallMs]),
    [[10, 20], [40, 30], [50, 60], [80, 70]],
  );
  assert.deepEqual(rounds.map((r) => r.wall), [2, 30 / 40, 60 / 50, 70 / 80]);
  assert.deepEqual(rounds.map((r) => r.cpu), [2, 3 / 4, 6 / 5, 7 / 8]);
  assert.ok(rounds.every((r) => r.base.side === 'base' && r.candidate.side === 'candidate'));
});
