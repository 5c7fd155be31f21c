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
