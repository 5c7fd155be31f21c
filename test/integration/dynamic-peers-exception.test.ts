/**
 * A `dynamic-peers` exception holds in every mode (docs/matrices.md, "Exceptions": "the peers
 * cannot be known in advance …, so traffic in that direction is allow-all"). StackLight seed,
 * line 106: Prometheus Server's "Scrape configurations are created dynamically, so egress is
 * allowed to all". In mode observed the egress used to be narrowed to today's targets, with no
 * warning: a new scrape target was cut.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { recommend } from '../../recommender/recommend.ts';
import { tmpDb } from '../helpers/tmp.ts';

const { db } = tmpDb();
await loadDemo(db);
const input = readRecommendationInput(db, {});

test('mode observed: Prometheus Server\'s egress keeps a rule to any destination on every port, explained by the exception', () => {
  for (const mode of ['observed', 'union'] as const) {
    const rec = recommend(input, recommendOptions({ mode, namespace: 'stacklight', workload: 'StatefulSet/prometheus-server' }));
    const intent = rec.policySet.intents.find((i) => i.key === 'stacklight/statefulset/prometheus-server')!;
    const rules = intent.egress.mode === 'rules' ? intent.egress.rules : [];
    const open = rules.find((r) => r.peers.some((p) => p.kind === 'world') && r.ports.length === 0);
    assert.ok(open, `${mode}: ${JSON.stringify(rules.map((r) => [r.peers.map((p) => p.kind), r.ports.length]))}`);
    assert.match(open.explanation.text, /dynamic peers \(StackLight rules for Kubernetes network policies, line 106\): Scrape configurations are created dynamically, so egress is allowed to all/);
  }
});
