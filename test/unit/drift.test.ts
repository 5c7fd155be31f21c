/**
 * Drift: applied policies against recommended manifests, matched by apiVersion, kind, namespace
 * and name; compared one manifest at a time (DriftComparison, as the report does) it is the
 * comparison of the whole list (computeDrift), in any order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppliedPolicy } from '../../domain/inventory.ts';
import { computeDrift, DriftComparison } from '../../recommender/drift.ts';
import type { Manifest } from '../../recommender/engines/index.ts';

const NP = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' };
const spec = (port: number) => ({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port, protocol: 'TCP' }] }] });
const manifest = (namespace: string, name: string, port: number): Manifest =>
  ({ ...NP, metadata: { namespace, name, labels: {}, annotations: {} }, spec: spec(port) }) as unknown as Manifest;
const applied = (namespace: string, name: string, port: number, kind = NP): AppliedPolicy => ({ ...kind, namespace, name, manifest: { ...kind, metadata: { namespace, name }, spec: spec(port) } });

const appliedPolicies = [
  applied('shop', 'web', 8080), // in sync
  applied('shop', 'db', 5432), // differing: 5433 recommended
  applied('shop', 'old', 80), // extra
  applied('shop', 'cilium', 80, { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' }), // another engine's kind: not compared
  applied('tools', 'other', 80), // extra, or out of scope with namespace=shop
];
const recommended = [manifest('shop', 'web', 8080), manifest('shop', 'db', 5433), manifest('shop', 'cache', 6379), manifest('tools', 'new', 22)];

test('each recommended manifest is in sync, differing (with the paths) or missing; applied ones of the engine\'s kinds not recommended are extra', () => {
  const d = computeDrift('kubernetes', appliedPolicies, recommended);
  assert.deepEqual(d.summary, { recommended: 4, applied: 4, inSync: 1, missing: 2, extra: 2, differing: 1 });
  assert.deepEqual(d.inSync.map((r) => r.name), ['web']);
  assert.deepEqual(d.missing.map((r) => `${r.namespace}/${r.name}`), ['shop/cache', 'tools/new']);
  assert.deepEqual(d.extra.map((r) => `${r.namespace}/${r.name}`), ['shop/old', 'tools/other']);
  assert.deepEqual(d.differing, [{ ...NP, namespace: 'shop', name: 'db', changes: [{ path: 'spec.ingress[0].ports[0].port', applied: 5432, recommended: 5433 }] }]);
  const inShop = computeDrift('kubernetes', appliedPolicies, recommended, 'shop');
  assert.deepEqual(inShop.extra.map((r) => r.name), ['old'], 'namespace=shop: the tools policy is out of scope');
});

test('compared one manifest at a time, in any order, the drift is that of the whole list', () => {
  for (const namespace of [undefined, 'shop']) {
    const whole = computeDrift('kubernetes', appliedPolicies, recommended, namespace);
    for (const order of [[...recommended].reverse(), [recommended[2]!, recommended[0]!, recommended[3]!, recommended[1]!]]) {
      const one = new DriftComparison('kubernetes', appliedPolicies, namespace);
      for (const m of order) one.add(m);
      assert.deepEqual(one.report(), whole, `namespace ${namespace ?? '(all)'}`);
    }
  }
});

test('a recommended kind the engine table does not list still brings the applied policies of that kind into scope', () => {
  const gnp = { apiVersion: 'projectcalico.org/v3', kind: 'StagedNetworkPolicy' };
  const d = computeDrift('kubernetes', [applied('shop', 'staged', 80, gnp), applied('shop', 'other-staged', 80, gnp)], [
    { ...gnp, metadata: { namespace: 'shop', name: 'staged', labels: {}, annotations: {} }, spec: spec(80) } as unknown as Manifest,
  ]);
  assert.deepEqual(d.summary, { recommended: 1, applied: 2, inSync: 1, missing: 0, extra: 1, differing: 0 });
});
