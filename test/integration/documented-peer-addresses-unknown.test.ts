/**
 * A documented rule whose peer exists but whose addresses the inventory does not hold (the
 * apiserver without the default/kubernetes EndpointSlice) is required traffic all the same: it is
 * never cut (docs/recommend.md, `--no-egress`: "if no apiserver endpoint is known, egress is left
 * open with a warning rather than cutting it off"). Before, the rule was dropped with "resolved
 * to no expressible peer" and the workload's egress stayed isolated on every engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { tmpDb } from '../helpers/tmp.ts';

const { db } = tmpDb();
await loadDemo(db);
db.prepare('DELETE FROM apiserver_endpoints').run();
const input = readRecommendationInput(db, {});
const SCOPE = { namespace: 'kyma-system', workload: 'Deployment/telemetry-manager' };

test('an egress must rule to the apiserver with no endpoint known leaves egress open, with a warning naming the rule', () => {
  for (const defaultDeny of [false, true]) {
    const rec = recommend(input, recommendOptions({ ...SCOPE, defaultDeny }));
    const intent = rec.policySet.intents.find((i) => i.key === 'kyma-system/deployment/telemetry-manager')!;
    assert.equal(intent.egress.mode, defaultDeny ? 'allow-all' : 'none', `default-deny ${defaultDeny}: egress not cut`);
    const warnings = rec.workloads[0]!.warnings;
    // As the manifests do: no policy for it, or an allow-all rule above the namespace layer.
    const open = defaultDeny ? 'open by an allow-all rule above the namespace default-deny \\(--default-deny\\)' : 'left open';
    assert.ok(
      warnings.some((w) => new RegExp(`kyma-telemetry/essentials/egress/apiserver \\(must: every Telemetry component talks to the Kubernetes API server.*\\) needs the apiserver, but no endpoint of default/kubernetes is known: egress is ${open} rather than cutting it off`).test(w)),
      warnings.join('\n'),
    );
    assert.ok(!warnings.some((w) => /resolved to no expressible peer/.test(w)), warnings.join('\n'));
  }
});

test('an ingress must rule from the apiserver (a webhook) with no endpoint known allows any source on its port, on every engine', () => {
  const rec = recommend(input, recommendOptions(SCOPE));
  const intent = rec.policySet.intents.find((i) => i.key === 'kyma-system/deployment/telemetry-manager')!;
  const rules = intent.ingress.mode === 'rules' ? intent.ingress.rules : [];
  const webhook = rules.find((r) => r.explanation.id.split(' ').includes('kyma-telemetry/telemetry-manager/ingress/apiserver-9443'));
  assert.ok(webhook, JSON.stringify(rules.map((r) => r.explanation.id)));
  assert.ok(webhook.peers.some((p) => p.kind === 'world'), JSON.stringify(webhook.peers));
  // The world peer is one entry: RMA's unbound role adds 8080 to it (test/integration/unbound-must-role.test.ts).
  assert.ok(webhook.ports.some((p) => p.kind === 'number' && p.port === 9443), JSON.stringify(webhook.ports));
  assert.match(webhook.explanation.text, /no endpoint of default\/kubernetes is known: from any source on these ports until it is/);
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions(SCOPE), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.admission.concat(verification.blocked as never[]).slice(0, 3))}`);
    const model = clusterModel(input.inventory, input.externalNames);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    const manager = model.cluster.pods.find((p) => p.namespace === 'kyma-system' && (p.name ?? '').startsWith('telemetry-manager'))!;
    const fromOutside = { client: { kind: 'external' as const, ip: '192.0.2.10' }, server: { kind: 'pod' as const, pod: manager }, port: 9443, protocol: 'TCP' as const };
    assert.equal(sim.evaluate(fromOutside).ingress.allowed, true, `${engine}: the webhook port is open to the apiserver, wherever it is`);
    const toApi = { client: { kind: 'pod' as const, pod: manager }, server: { kind: 'external' as const, ip: '192.0.2.10' }, port: 6443, protocol: 'TCP' as const };
    assert.equal(sim.evaluate(toApi).egress.allowed, true, `${engine}: egress to the apiserver, wherever it is, is not cut`);
  }
});
