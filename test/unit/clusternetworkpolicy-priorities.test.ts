/**
 * The priorities of flowmatrix's ClusterNetworkPolicies beside the applied ones (docs/engines.md,
 * "clusternetworkpolicy"): "If two (or more) policies in the same tier with the same priority
 * could match a connection, then the implementation can apply any of the matching policies"
 * (kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go, `Priority`),
 * so a layer whose priority an applied Baseline policy holds moves to the next free one after it
 * (lower value = evaluated first: the applied policy still decides first, never overridden), the
 * layers keeping their order: shared ≤ allowlist < isolation-1 < isolation < defaultDeny ≤ 1000.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppliedPolicy } from '../../domain/inventory.ts';
import { cnpPrioritiesBeside, DEFAULT_CNP_PRIORITY } from '../../recommender/engines/clusternetworkpolicy.ts';
import { emitOptionsBeside, ENGINES } from '../../recommender/engines/index.ts';
import { explanation, policySet } from '../../recommender/policy/build.ts';

const CNP = 'policy.networking.k8s.io/v1alpha2';

function applied(name: string, priority: number, more: { tier?: 'Admin' | 'Baseline'; labels?: Record<string, string>; apiVersion?: string; kind?: string } = {}): AppliedPolicy {
  const apiVersion = more.apiVersion ?? CNP;
  const kind = more.kind ?? 'ClusterNetworkPolicy';
  const manifest = {
    apiVersion,
    kind,
    metadata: { name, ...(more.labels ? { labels: more.labels } : {}) },
    spec: { tier: more.tier ?? 'Baseline', priority, subject: { namespaces: {} }, ingress: [{ name: 'deny', action: 'Deny', from: [{ namespaces: {} }] }] },
  };
  return { apiVersion, kind, name, manifest };
}

test('no applied Baseline policy: the documented priorities (shared 100, allowlist 200, isolation 500, default-deny 1000)', () => {
  assert.deepEqual(cnpPrioritiesBeside([]), DEFAULT_CNP_PRIORITY);
  assert.deepEqual(cnpPrioritiesBeside([applied('elsewhere', 300)]), DEFAULT_CNP_PRIORITY);
});

test('an applied Baseline Deny at the allowlist\'s priority 200 (the zz-lockdown reproduction): the allowlist moves to 201, after it, and so does the shared layer (it never decides before a Deny the allowlist leaves deciding); the other layers stay', () => {
  assert.deepEqual(cnpPrioritiesBeside([applied('zz-lockdown', 200)]), { shared: 201, allowlist: 201, isolation: 500, defaultDeny: 1000 });
});

test('each layer moves past the taken priorities only: shared 100, 101 taken → 102; the isolation needs its own priority and the one before (a Pass isolation takes isolation-1)', () => {
  assert.deepEqual(cnpPrioritiesBeside([applied('a', 100), applied('b', 101)]), { shared: 102, allowlist: 200, isolation: 500, defaultDeny: 1000 });
  assert.deepEqual(cnpPrioritiesBeside([applied('a', 499)]), { shared: 100, allowlist: 200, isolation: 501, defaultDeny: 1000 });
  assert.deepEqual(cnpPrioritiesBeside([applied('a', 500)]), { shared: 100, allowlist: 200, isolation: 502, defaultDeny: 1000 });
  assert.deepEqual(cnpPrioritiesBeside([applied('a', 200), applied('b', 201), applied('c', 202)]), { shared: 203, allowlist: 203, isolation: 500, defaultDeny: 1000 });
});

test('flowmatrix\'s own applied policies (app.kubernetes.io/managed-by: flowmatrix), Admin-tier ones and other kinds are not counted: the priorities stay those of the same inputs run to run', () => {
  const ours = applied('shop-deployment-api', 200, { labels: { 'app.kubernetes.io/managed-by': 'flowmatrix' } });
  assert.deepEqual(cnpPrioritiesBeside([ours]), DEFAULT_CNP_PRIORITY);
  assert.deepEqual(cnpPrioritiesBeside([applied('admin', 200, { tier: 'Admin' })]), DEFAULT_CNP_PRIORITY);
  assert.deepEqual(cnpPrioritiesBeside([applied('anp', 200, { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy' })]), DEFAULT_CNP_PRIORITY);
});

test('no free priority after a taken one keeps the order: that layer keeps today\'s priority (the verification then judges the tie); every priority from 200 on taken: today\'s priorities', () => {
  assert.deepEqual(cnpPrioritiesBeside([applied('last', 1000)]), DEFAULT_CNP_PRIORITY);
  const all = Array.from({ length: 801 }, (_, i) => applied(`p${200 + i}`, 200 + i));
  assert.deepEqual(cnpPrioritiesBeside(all), DEFAULT_CNP_PRIORITY);
});

test('an applied Baseline Deny at 150, between the shared layer (100) and the allowlists (200): the shared layer moves to 151, after it — a Baseline policy at a lower priority value is evaluated first ("Policies with lower priority values have higher precedence", clusternetworkpolicy_types.go), and an Accept evaluated before the Deny would override it where the same rule written per workload at 200 does not', () => {
  assert.deepEqual(cnpPrioritiesBeside([applied('lockdown', 150)]), { shared: 151, allowlist: 200, isolation: 500, defaultDeny: 1000 });
  assert.deepEqual(cnpPrioritiesBeside([applied('lockdown', 150), applied('later', 151)]), { shared: 152, allowlist: 200, isolation: 500, defaultDeny: 1000 });
  // At the allowlists' own priority: both move after it.
  assert.deepEqual(cnpPrioritiesBeside([applied('lockdown', 200)]), { shared: 201, allowlist: 201, isolation: 500, defaultDeny: 1000 });
});

test('a Pass counts as a Deny (it skips the tier\'s later policies); an applied Accept-only policy, or a Deny after the allowlists, leaves the shared layer where it is', () => {
  const pass = applied('pass', 150);
  (pass.manifest as { spec: { ingress: { action: string }[] } }).spec.ingress[0]!.action = 'Pass';
  assert.deepEqual(cnpPrioritiesBeside([pass]), { shared: 151, allowlist: 200, isolation: 500, defaultDeny: 1000 });
  const accept = applied('accept', 150);
  (accept.manifest as { spec: { ingress: { action: string }[] } }).spec.ingress[0]!.action = 'Accept';
  assert.deepEqual(cnpPrioritiesBeside([accept]), DEFAULT_CNP_PRIORITY);
  assert.deepEqual(cnpPrioritiesBeside([applied('fallback', 300)]), DEFAULT_CNP_PRIORITY);
});

test('emitOptionsBeside hands the emitter those priorities: the allowlist Accept of a workload is written at 201 beside an applied policy at 200', () => {
  const set = policySet([
    {
      key: 'a/deployment/web',
      namespace: 'a',
      layer: 'allowlist',
      subject: { kind: 'workload', selector: { matchLabels: { app: 'web' } }, hostNetwork: false },
      ingress: { mode: 'allow-all', ports: [], explanation: explanation('a#in', 'confirmed', 'seen') },
      explanation: 'test',
    },
  ]);
  const r = ENGINES.clusternetworkpolicy.emit(set, emitOptionsBeside([applied('zz-lockdown', 200)]));
  assert.deepEqual(r.manifests.map((m) => [m.metadata.name, m.spec.priority]), [['a-deployment-web', 201]]);
});
