/**
 * A documented CIDR rule the comparison credits with node traffic (Kyma Telemetry, model
 * `current`: "any IP", 0.0.0.0/0 — the metric agent's scrapes of the kubelets on 10250) must
 * allow that traffic on every engine. An ipBlock matches node addresses on most plugins, but a
 * Cilium CIDR selects only world identities: nodes are `host` / `remote-node` (docs.cilium.io,
 * "Entities Based": "CIDR rules do not apply to traffic where both sides … are … managed by
 * Cilium"; policy-cidr-match-mode). Before, Cilium's output failed its own verification (exit 2,
 * nothing exported). The rule now names the nodes it was seen reaching, beside its CIDRs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { tmpDb } from '../helpers/tmp.ts';

const { db } = tmpDb();
await loadDemo(db);
const input = readRecommendationInput(db, { systems: { 'kyma-telemetry': { parameters: { model: 'current' } } } });

test('Kyma model current: every engine\'s output passes its verification (the kubelet scrapes and the webhook calls from the control plane stay allowed)', () => {
  for (const engine of ENGINE_NAMES) {
    const { verification } = runRecommendation(input, engine, recommendOptions({ namespace: 'kyma-system' }), { tightness: false });
    assert.deepEqual(verification.blocked.map((b) => b.edge), [], engine);
    assert.equal(verification.ok, true, engine);
  }
});
