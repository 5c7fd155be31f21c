/**
 * A documented CIDR rule the comparison credits with node traffic (Kyma Telemetry, model
 * `current` with "any IP" written as 0.0.0.0/0 — the metric agent's scrapes of the kubelets on 10250) must
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
import { applyKymaAnyIpAsCidrs } from '../helpers/demo-db.ts';
import { tmpDb } from '../helpers/tmp.ts';

const CURRENT = { systems: { 'kyma-telemetry': { parameters: { model: 'current' } } } };
const { db } = tmpDb();
await loadDemo(db);
const builtIn = readRecommendationInput(db, CURRENT);
applyKymaAnyIpAsCidrs(db);
const input = readRecommendationInput(db, CURRENT);

test('Kyma model current with "any IP" as CIDRs: every engine\'s output passes its verification (the kubelet scrapes and the webhook calls from the control plane stay allowed)', () => {
  for (const engine of ENGINE_NAMES) {
    const { verification } = runRecommendation(input, engine, recommendOptions({ namespace: 'kyma-system' }), { tightness: false });
    assert.deepEqual(verification.blocked.map((b) => b.edge), [], engine);
    assert.equal(verification.ok, true, engine);
  }
});

test('Kyma model current as the catalog writes it ("any IP" is `world`: seed 001 line 51, "only ingress ports are limited"): in mode documented no engine denies an in-cluster flow on a listed port — on Cilium a CIDR selects no pod, and the alert queries and the alertmanager webhook (lines 26-31) were cut', () => {
  for (const engine of ENGINE_NAMES) {
    const { verification } = runRecommendation(builtIn, engine, recommendOptions({ namespace: 'kyma-system', mode: 'documented' }), { tightness: false });
    assert.deepEqual(verification.denied.map((d) => d.edge), [], engine);
    assert.equal(verification.ok, true, engine);
  }
});
