/**
 * A list result keeps the evidence of a window of workloads (server/services/evidence-window.ts):
 * the records after the page's position, in key order, until the next would pass the budget of
 * observed edges — always the page itself; a page is cut from the window only when all of it is
 * there. Input → expected pages, on records that carry only what the window reads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkloadRecommendation } from '../../recommender/recommend.ts';
import { EvidenceWindow } from '../../server/services/evidence-window.ts';

/** A record of workload `ns/Deployment/name` with `edges` observed edges. */
const record = (name: string, edges: number): WorkloadRecommendation => ({ workload: { namespace: 'ns', kind: 'Deployment', name }, observed: new Array(edges).fill({}) }) as unknown as WorkloadRecommendation;
const names = (p: { items: WorkloadRecommendation[] } | undefined): string[] | undefined => p?.items.map((r) => r.workload.name);
const RECORDS = [record('a', 2), record('b', 2), record('c', 2), record('d', 0)];

function windowOf(after: string | undefined, atLeast: number, maxObserved: number): EvidenceWindow {
  const w = new EvidenceWindow(after, atLeast, maxObserved);
  RECORDS.forEach(w.offer);
  return w;
}

test('a window holds the records up to its budget of observed edges; pages inside it are cut from it', () => {
  const w = windowOf(undefined, 1, 5); // a and b (4 edges); c would make 6
  assert.deepEqual(names(w.page(undefined, 2)), ['a', 'b']);
  assert.equal(w.page(undefined, 2)!.more, true, 'c and d follow, outside the window');
  assert.deepEqual(names(w.page('ns/Deployment/a', 1)), ['b']);
  assert.equal(w.page('ns/Deployment/b', 1), undefined, 'c is past the window');
  assert.equal(w.page(undefined, 3), undefined, 'the page runs past the window');
});

test('the page that asks for a window is in it, whatever its edges', () => {
  const w = windowOf(undefined, 3, 1);
  assert.deepEqual(names(w.page(undefined, 3)), ['a', 'b', 'c']);
  assert.equal(w.page(undefined, 3)!.more, true);
  assert.equal(w.page(undefined, 4), undefined);
});

test('a window starts after its position: pages before it are not in it', () => {
  const w = windowOf('ns/Deployment/b', 1, 100);
  assert.deepEqual(names(w.page('ns/Deployment/b', 5)), ['c', 'd']);
  assert.equal(w.page('ns/Deployment/b', 5)!.more, false, 'd is the last workload');
  assert.deepEqual(names(w.page('ns/Deployment/c', 5)), ['d']);
  assert.equal(w.page('ns/Deployment/a', 1), undefined);
  assert.equal(w.page(undefined, 1), undefined);
});

test('a window that reaches the last workload answers every page after its position, the last one without more', () => {
  const w = windowOf(undefined, 1, 100);
  assert.deepEqual(names(w.page('ns/Deployment/c', 2)), ['d']);
  assert.equal(w.page('ns/Deployment/c', 2)!.more, false);
  assert.deepEqual(w.page('ns/Deployment/z', 2), { items: [], more: false }, 'past the last workload: an empty last page');
});
