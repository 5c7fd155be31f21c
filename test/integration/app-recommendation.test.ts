/**
 * The recommendation use case: one option mapping for the CLI flags and the API query parameters,
 * and the run's phases (read → recommend → emit → verify) on a real SQLite file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRecommendationInput, recommendForEveryEngine, recommendFromStore, recommendOptions, runRecommendation, type RecommendationResult } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES, getEngine } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { tmpDb } from '../helpers/tmp.ts';

const { db } = tmpDb();
await loadDemo(db);

test('options: an empty request is the documented defaults, staleDays from the configured default; include deduplicated', () => {
  assert.deepEqual(recommendOptions({}), { mode: 'union', egress: true, defaultDeny: false, shared: false, includeMay: false, staleDays: 30 });
  assert.equal(recommendOptions({}, 7).staleDays, 7);
  assert.equal(recommendOptions({ staleDays: 3 }, 7).staleDays, 3);
  assert.deepEqual(
    recommendOptions({ mode: 'observed', egress: false, defaultDeny: true, shared: true, includeMay: true, include: ['confirmed', 'stale', 'confirmed'], now: 5, namespace: 'shop', workload: 'StatefulSet/db' }),
    { mode: 'observed', egress: false, defaultDeny: true, shared: true, includeMay: true, staleDays: 30, include: ['confirmed', 'stale'], now: 5, namespace: 'shop', workload: 'StatefulSet/db' },
  );
});

test('a run reads the store, recommends and emits exactly what the recommender and the engine give for that input', () => {
  const options = recommendOptions({ namespace: 'netobserv' });
  const input = readRecommendationInput(db, {});
  const direct = recommend(input, options);
  const { rec, emitted } = recommendFromStore(db, {}, 'cilium', options);
  assert.ok(emitted.manifests.length > 0, 'the demo netobserv namespace gets policies');
  assert.deepEqual(rec, direct);
  assert.deepEqual(emitted, getEngine('cilium').emit(direct.policySet));
  const every = recommendForEveryEngine(input, options);
  assert.deepEqual(Object.keys(every.emitted), [...ENGINE_NAMES]);
  for (const e of ENGINE_NAMES) assert.deepEqual(every.emitted[e], getEngine(e).emit(direct.policySet), e);
});

test('the verify step runs after emission, on the emitted manifests, and what it returns is the result', () => {
  const seen: RecommendationResult[] = [];
  const verify = (r: RecommendationResult): RecommendationResult => {
    seen.push(r);
    return { ...r, emitted: { ...r.emitted, manifests: r.emitted.manifests.slice(1) } };
  };
  const input = readRecommendationInput(db, {});
  const options = recommendOptions({ namespace: 'netobserv' });
  const result = runRecommendation(input, 'kubernetes', options, { verify });
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.emitted.engine, 'kubernetes');
  assert.ok((seen[0]?.emitted.manifests.length ?? 0) > 1);
  assert.deepEqual(result.emitted.manifests, seen[0]?.emitted.manifests.slice(1));
  recommendForEveryEngine(input, options, { verify });
  assert.deepEqual(seen.slice(1).map((r) => r.emitted.engine), [...ENGINE_NAMES]);
});
