/**
 * A documented admission webhook (ingress from the apiserver) stays open to any source on its
 * port in mode observed too. Seed 003 line 70: "The apiserver sources traffic from an address
 * that is not a pod, so the webhook rule cannot be narrowed … Leaving the webhook from list empty
 * keeps the port reachable, which is what lets the apiserver reach the webhook"; line 93: "The
 * apiserver dials the webhook and has no label to select on — leave open." Modes union and
 * documented render it so (docs/engines.md, WEBHOOK_SOURCE_NOTE); mode observed rendered the
 * source address the flows showed (the demo's control-plane node, 10.0.0.10/32), which another
 * apiserver replica, konnectivity or a managed control plane does not call from.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getEngine, ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { demoDb, demoRecommendInput } from '../helpers/demo-db.ts';

// Built at the top level: a temporary directory made inside a before() hook is removed when the hook ends.
const input = demoRecommendInput(await demoDb());

/** The demo's documented webhooks, each observed called from the control-plane node: seed 003 lines 64/70, seed 002 line 24, seed 001 line 30. */
const WEBHOOKS = [
  { namespace: 'progressive-delivery', workload: 'stage-controller', rule: 'progressive-delivery/controller/ingress/webhook' },
  { namespace: 'netobserv', workload: 'netobserv-controller-manager', rule: 'netobserv/operator/ingress/apiserver-9443' },
  { namespace: 'kyma-system', workload: 'telemetry-manager', rule: 'kyma-telemetry/telemetry-manager/ingress/apiserver-9443' },
];

for (const w of WEBHOOKS) {
  test(`mode observed: ${w.rule} is open to any source on 9443, not narrowed to the observed control-plane address (seed 003 lines 70, 93)`, () => {
    const rec = recommend(input, { mode: 'observed', namespace: w.namespace });
    const workload = rec.workloads.find((x) => x.workload.name === w.workload)!;
    const rule = workload.rules.find((r) => r.direction === 'ingress' && r.id.split(' ').includes(w.rule));
    assert.ok(rule, JSON.stringify(workload.rules.map((r) => r.id)));
    assert.equal(rule.status, 'confirmed');
    assert.deepEqual(
      rule.peers.map((p) => p.kind),
      ['apiserver'],
    );
    for (const engine of ENGINE_NAMES) {
      const rules = getEngine(engine)
        .emit(rec.policySet)
        .manifests.filter((m) => m.metadata.name.startsWith(`${w.namespace}-deployment-${w.workload}`))
        .flatMap((m) => ((m.spec as { ingress?: unknown[] }).ingress ?? []) as Record<string, unknown>[]);
      const on9443 = rules.filter((r) => JSON.stringify(r).includes('9443'));
      assert.ok(on9443.some(OPEN[engine]!), `${engine}: 9443 open to every source: ${JSON.stringify(on9443)}`);
    }
  });
}

/** An ingress rule that names no source, per engine (docs/engines.md: the apiserver's ingress rule). */
const OPEN: Record<string, (r: Record<string, unknown>) => boolean> = {
  kubernetes: (r) => r.from === undefined,
  cilium: (r) => JSON.stringify(r.fromEntities) === '["all"]',
  calico: (r) => r.source === undefined && r.action === 'Allow',
  clusternetworkpolicy: (r) => r.action === 'Accept' && JSON.stringify(r.from) === '[{"namespaces":{}}]',
};
