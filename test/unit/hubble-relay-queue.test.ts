/** The bounded queue between the gRPC stream and the writer: pause when full, resume at half, errors after the items. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedQueue } from '../../collectors/hubble-relay/queue.ts';
import { ResumeCursor } from '../../collectors/hubble-relay/cursor.ts';

test('pauses the producer at capacity and resumes it once the consumer took it down to half', async () => {
  const events: string[] = [];
  const q = new BoundedQueue<number>(4, { pause: () => events.push('pause'), resume: () => events.push('resume') });
  for (let i = 0; i < 5; i++) q.push(i);
  assert.deepEqual(events, ['pause'], 'one pause, even for the message already in flight');
  assert.equal(q.length, 5);
  q.close();
  const seen: number[] = [];
  for await (const n of q) {
    seen.push(n);
    events.push(`take ${n}`);
  }
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  assert.deepEqual(events, ['pause', 'take 0', 'take 1', 'resume', 'take 2', 'take 3', 'take 4']);
});

test('a close with an error is thrown to the consumer after the queued items; pushes after close are dropped', async () => {
  const q = new BoundedQueue<number>(10, { pause: () => undefined, resume: () => undefined });
  q.push(1);
  q.close(new Error('stream broke'));
  q.push(2);
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const n of q) seen.push(n);
  }, /stream broke/);
  assert.deepEqual(seen, [1]);
});

test('a consumer waiting on an empty queue wakes up for the next push', async () => {
  const q = new BoundedQueue<string>(2, { pause: () => undefined, resume: () => undefined });
  const it = q[Symbol.asyncIterator]();
  const next = it.next();
  setTimeout(() => q.push('late'), 5);
  assert.deepEqual(await next, { value: 'late', done: false });
});

test('resume cursor: the flows at the cursor time are recognised when sent again; later ones move it', () => {
  const c = new ResumeCursor();
  assert.equal(c.since, undefined);
  assert.equal(c.accept(100n, 'a'), true);
  assert.equal(c.accept(200n, 'b'), true);
  assert.equal(c.accept(200n, 'c'), true);
  assert.equal(c.since, 200n);
  // After a resume with since=200: b and c come again, d is new.
  assert.equal(c.accept(200n, 'b'), false);
  assert.equal(c.accept(200n, 'c'), false);
  assert.equal(c.accept(200n, 'd'), true);
  assert.equal(c.accept(300n, 'b'), true, 'the same identity at a later time is another flow');
  // A late flow (older than the cursor) is taken and does not move the cursor back.
  assert.equal(c.accept(150n, 'e'), true);
  assert.equal(c.since, 300n);
});

test('resume cursor: a flow dated after the collector\'s clock (a node whose clock runs ahead) never moves the resume point past the clock, and is recognised when sent again', () => {
  // Hubble filters GetFlows by flow time (since): resuming from a future time would drop every
  // other node's flows until the clocks caught up.
  const c = new ResumeCursor();
  const now = 1_000n;
  assert.equal(c.accept(900n, 'a', now), true);
  assert.equal(c.accept(1_600n, 'skewed', now), true);
  assert.equal(c.since, 900n, 'the future flow does not move the resume point');
  assert.equal(c.accept(950n, 'b', now), true);
  assert.equal(c.since, 950n);
  // Resumed with since=950: b and the skewed flow come again, c is new.
  const back = ResumeCursor.restore(JSON.parse(JSON.stringify(c.toJSON())))!;
  assert.equal(back.accept(950n, 'b', 1_100n), false);
  assert.equal(back.accept(1_600n, 'skewed', 1_100n), false, 'remembered across a restart');
  assert.equal(back.accept(1_000n, 'c', 1_100n), true);
  assert.equal(back.since, 1_000n);
  // Once the clock passed it, the skewed flow's time is a resume point like any other.
  assert.equal(back.accept(1_600n, 'later', 2_000n), true);
  assert.equal(back.since, 1_600n);
  assert.equal(back.accept(1_600n, 'skewed', 2_100n), false, 'still at the resume point: recognised');
  assert.equal(back.accept(1_700n, 'd', 2_100n), true);
  assert.equal(back.toJSON()?.ahead, undefined, 'nothing remembered once the resume point passed it');
});

test('resume cursor: stored and restored, a malformed stored value is refused', () => {
  const c = new ResumeCursor();
  c.accept(1636540856467244400n, 'a');
  c.accept(1636540856467244400n, 'b');
  const state = c.toJSON();
  assert.equal(state?.since, '1636540856467244400');
  const back = ResumeCursor.restore(JSON.parse(JSON.stringify(state)));
  assert.equal(back?.since, 1636540856467244400n);
  assert.equal(back?.accept(1636540856467244400n, 'a'), false);
  assert.equal(back?.accept(1636540856467244400n, 'c'), true);
  assert.equal(new ResumeCursor().toJSON(), undefined);
  for (const bad of [undefined, {}, { since: 12, atLast: [] }, { since: '-1', atLast: [] }, { since: '1', atLast: 'x' }]) assert.equal(ResumeCursor.restore(bad), undefined, JSON.stringify(bad));
});

test('resume cursor: at most maxRemembered flows dated ahead are remembered; those the resume point passed make room, and what cannot be remembered is counted', () => {
  const c = new ResumeCursor(3);
  const now = 1_000n;
  // Two nodes ahead, the farther one first: insertion order is not time order.
  assert.equal(c.accept(1_900n, 'far-1', now), true);
  assert.equal(c.accept(1_100n, 'near-1', now), true);
  assert.equal(c.accept(1_150n, 'near-2', now), true);
  assert.equal(c.accept(1_200n, 'near-3', now), true);
  assert.equal(c.unremembered, 1, 'the map was full');
  // The clock and the resume point pass the near node's flows: room again.
  assert.equal(c.accept(1_160n, 'on-time', 1_300n), true);
  assert.equal(c.accept(1_950n, 'far-2', 1_300n), true);
  assert.equal(c.unremembered, 1);
  assert.equal(c.accept(1_950n, 'far-2', 1_300n), false, 'remembered');
});


test('firstItemOrEnd waits for the first item, or for a close with none: the collector starts a run only for a stream that delivered something', async () => {
  const hooks = { pause: () => undefined, resume: () => undefined };
  const withItem = new BoundedQueue<number>(4, hooks);
  const first = withItem.firstItemOrEnd();
  setTimeout(() => withItem.push(7), 5);
  await first;
  assert.equal(withItem.length, 1);
  const failed = new BoundedQueue<number>(4, hooks);
  const end = failed.firstItemOrEnd();
  setTimeout(() => failed.close(new Error('UNAVAILABLE')), 5);
  await end;
  assert.equal(failed.length, 0);
  await assert.rejects(async () => {
    for await (const _ of failed) assert.fail('no item');
  }, /UNAVAILABLE/);
});
