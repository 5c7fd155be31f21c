/**
 * The results a worker keeps to answer other views and pages of the same options: at most four,
 * and, when the heap is more than half full (a large cluster's result takes a good part of the
 * worker's budget), only the newest, so that the next computation has room instead of ending the
 * worker (503). The demo cluster in a real SQLite file; the heap's fullness given by the test.
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
const drift = (staleDays: number): RecommendationQuery => ({ kind: 'drift', engine: 'kubernetes', options: { staleDays } });

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
