/**
 * The results a worker keeps to answer other views and pages of the same options: at most four,
 * and, when the heap is more than half full (a large cluster's result takes a good part of the
 * worker's budget), only the newest, so that the next computation has room instead of ending the
 * worker (503). A list result keeps the evidence of a window of workloads: pages past it compute
 * again, with the same bytes. The demo cluster in a real SQLite file; the heap's fullness and
 * the window's budget given by the test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configFor } from '../../server/config/load.ts';
import { KEEP_RESULTS_BELOW_HEAP_SHARE, RecommendationComputer } from '../../server/services/recommendation-computer.ts';
import type { RecommendationQuery } from '../../server/services/recommendation-responses.ts';
import { openDb } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';

const db = openDb(await demoDb());
const REPORTS = { settings: configFor().reports, staleDays: 30 };
const drift = (staleDays: number): RecommendationQuery => ({ kind: 'drift', engine: 'kubernetes', options: { staleDays }, allowUnverified: false });

test('a heap less than half full keeps the last four results; a fifth replaces the oldest', async () => {
  const computer = new RecommendationComputer(db, {}, REPORTS, undefined, () => KEEP_RESULTS_BELOW_HEAP_SHARE - 0.1);
  for (const days of [10, 20, 30, 40]) await computer.respond(drift(days));
  assert.equal(computer.keptResults, 4);
  await computer.respond(drift(50));
  assert.equal(computer.keptResults, 4);
});

test('a heap more than half full keeps only the newest result', async () => {
  let share = KEEP_RESULTS_BELOW_HEAP_SHARE - 0.1;
  const computer = new RecommendationComputer(db, {}, REPORTS, undefined, () => share);
  for (const days of [10, 20, 30]) await computer.respond(drift(days));
  assert.equal(computer.keptResults, 3);
  share = KEEP_RESULTS_BELOW_HEAP_SHARE + 0.1;
  const first = await computer.respond(drift(40));
  assert.equal(computer.keptResults, 1, 'the three older results let go');
  const again = await computer.respond(drift(40));
  assert.equal(computer.keptResults, 1);
  assert.deepEqual(Buffer.concat(again.body), Buffer.concat(first.body));
});

/** Every page of the list with `limit`, each page's `after` the last key of the one before. */
async function walk(computer: RecommendationComputer, limit: number): Promise<string[]> {
  const bodies: string[] = [];
  let after: string | undefined;
  for (;;) {
    const q: RecommendationQuery = { kind: 'list', engine: 'cilium', options: {}, page: { limit, tag: 't', ...(after !== undefined ? { after } : {}) } };
    const body = JSON.parse(Buffer.concat((await computer.respond(q)).body).toString('utf8')) as { items: { workload: { namespace: string; kind: string; name: string } }[]; next?: string };
    bodies.push(JSON.stringify(body));
    if (body.next === undefined) return bodies;
    const last = body.items.at(-1)!.workload;
    after = `${last.namespace}/${last.kind}/${last.name}`;
    assert.ok(bodies.length < 100, 'the walk ends');
  }
}

test('a list walked past the evidence window computes again, page by page, and gives the same pages as one whole window', async () => {
  const whole = new RecommendationComputer(db, {}, REPORTS, undefined, () => 0);
  const expected = await walk(whole, 3);
  assert.ok(expected.length > 2, `the demo has several pages (${expected.length})`);
  assert.equal(whole.computations, 1, 'the demo cluster is one window');
  // A window of one observed edge holds the page that asked for it and nothing more.
  const small = new RecommendationComputer(db, {}, REPORTS, undefined, () => 0, 1);
  const pages = await walk(small, 3);
  assert.deepEqual(pages, expected);
  assert.ok(small.computations > 1 && small.computations <= pages.length, `${small.computations} computations for ${pages.length} pages`);
});
