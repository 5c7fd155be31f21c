/**
 * The `order` of flowmatrix's Calico layers beside the applied Calico policies (docs/engines.md,
 * "calico"). Within a tier "policies … are processed in order": the first that Allows or Denies
 * the packet ends the evaluation, one that Passes it goes to the next tier (docs.tigera.io
 * reference/resources/tier, "How policy is evaluated"; lower order first, felix
 * calc/policy_sorter.go PolKVLess). flowmatrix writes Allow rules only, so a layer of it ordered
 * before an applied Deny or Pass overrides it; Kubernetes NetworkPolicies are at order 1000
 * (libcalico-go conversion), the allowlists' order, and an administrator's Deny before that is one
 * namespace owners cannot override: the shared layer (900) moves after it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppliedPolicy } from '../../domain/inventory.ts';
import { calicoOrdersBeside, DEFAULT_CALICO_ORDER } from '../../recommender/engines/calico-orders.ts';
import { emitOptionsBeside, ENGINES } from '../../recommender/engines/index.ts';
import { explanation, policySet } from '../../recommender/policy/build.ts';

const V3 = 'projectcalico.org/v3';

function applied(
  name: string,
  order: number | undefined,
  more: { action?: string; tier?: string; kind?: string; apiVersion?: string; labels?: Record<string, string>; direction?: 'ingress' | 'egress' } = {},
): AppliedPolicy {
  const apiVersion = more.apiVersion ?? V3;
  const kind = more.kind ?? 'GlobalNetworkPolicy';
  const manifest = {
    apiVersion,
    kind,
    metadata: { name, ...(kind === 'NetworkPolicy' ? { namespace: 'a' } : {}), ...(more.labels ? { labels: more.labels } : {}) },
    spec: {
      ...(order === undefined ? {} : { order }),
      ...(more.tier ? { tier: more.tier } : {}),
      selector: 'all()',
      [more.direction ?? 'ingress']: [{ action: more.action ?? 'Deny', source: { namespaceSelector: "projectcalico.org/name == 'b'" } }],
    },
  };
  return { apiVersion, kind, name, ...(kind === 'NetworkPolicy' ? { namespace: 'a' } : {}), manifest };
}

test('no applied Calico Deny or Pass: the documented orders (shared 900, allowlist 1000, default-deny 2000)', () => {
  assert.deepEqual(calicoOrdersBeside([]), DEFAULT_CALICO_ORDER);
  assert.deepEqual(calicoOrdersBeside([applied('allows', 950, { action: 'Allow' }), applied('logs', 950, { action: 'Log' })]), DEFAULT_CALICO_ORDER);
});

test('an applied default-tier Deny at 950, between the shared layer and the allowlists (the reported case): the shared layer comes at 951, after it; the others stay', () => {
  assert.deepEqual(calicoOrdersBeside([applied('admin-deny', 950)]), { shared: 951, allowlist: 1000, 'default-deny': 2000 });
  assert.deepEqual(calicoOrdersBeside([applied('admin-deny', 950, { kind: 'NetworkPolicy', direction: 'egress' })]), { shared: 951, allowlist: 1000, 'default-deny': 2000 });
  assert.deepEqual(calicoOrdersBeside([applied('admin-deny', 950.5)]), { shared: 951, allowlist: 1000, 'default-deny': 2000 });
});

test('a Pass skips the tier\'s later policies (tier reference: "the next Tier … processes the packet"): one at 950 counts as a Deny does', () => {
  assert.deepEqual(calicoOrdersBeside([applied('admin-pass', 950, { action: 'Pass' })]), { shared: 951, allowlist: 1000, 'default-deny': 2000 });
});

test('an applied Deny at the allowlists\' order 1000 (a tie is broken by name): shared and allowlists come at 1001; one before 900 or after 1000 moves nothing', () => {
  assert.deepEqual(calicoOrdersBeside([applied('admin-deny', 1000)]), { shared: 1001, allowlist: 1001, 'default-deny': 2000 });
  assert.deepEqual(calicoOrdersBeside([applied('early', 100)]), DEFAULT_CALICO_ORDER);
  assert.deepEqual(calicoOrdersBeside([applied('fallback', 1500)]), DEFAULT_CALICO_ORDER);
  assert.deepEqual(calicoOrdersBeside([applied('fallback', undefined)]), DEFAULT_CALICO_ORDER);
});

test('not counted: other tiers (evaluated before or after the default tier as a whole), flowmatrix\'s own policies, Kubernetes NetworkPolicies and other API groups', () => {
  assert.deepEqual(calicoOrdersBeside([applied('sec', 950, { tier: 'security' })]), DEFAULT_CALICO_ORDER);
  assert.deepEqual(calicoOrdersBeside([applied('ours', 950, { labels: { 'app.kubernetes.io/managed-by': 'flowmatrix' } })]), DEFAULT_CALICO_ORDER);
  assert.deepEqual(calicoOrdersBeside([applied('crd', 950, { apiVersion: 'crd.projectcalico.org/v1' })]), DEFAULT_CALICO_ORDER);
  assert.deepEqual(calicoOrdersBeside([applied('default-tier-named', 950, { tier: 'default' })]), { shared: 951, allowlist: 1000, 'default-deny': 2000 });
});

test('emitOptionsBeside hands the emitter those orders: a namespace\'s shared policy is written at 951 beside an applied Deny at 950', () => {
  const set = policySet([
    {
      key: 'a/shared',
      namespace: 'a',
      layer: 'shared',
      subject: { kind: 'namespace' },
      ingress: { mode: 'allow-all', ports: [], explanation: explanation('a#in', 'confirmed', 'seen') },
      explanation: 'test',
    },
  ]);
  const r = ENGINES.calico.emit(set, emitOptionsBeside([applied('admin-deny', 950)]));
  assert.deepEqual(r.manifests.map((m) => [m.metadata.name, m.spec.order]), [['a-shared', 951]]);
});
