/**
 * Which Calico policies are of the default tier, the one flowmatrix writes: libcalico-go
 * lib/names TierOrDefault reads an absent or blank tier as `default`. One reading for the drift
 * (recommender/drift.ts), the verification's `default.<name>` (calico-listed-name.ts) and the
 * orders beside applied policies (engines/calico-orders.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calicoCreatedName, inCalicoDefaultTier } from '../../recommender/calico-listed-name.ts';

const np = (spec: Record<string, unknown>, name = 'default.web') => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { namespace: 'shop', name }, spec });

test('absent, blank and `default` tiers are the default tier (TierOrDefault); any other is not', () => {
  assert.equal(inCalicoDefaultTier(np({})), true);
  assert.equal(inCalicoDefaultTier(np({ tier: '' })), true);
  assert.equal(inCalicoDefaultTier(np({ tier: 'default' })), true);
  assert.equal(inCalicoDefaultTier(np({ tier: 'security' })), false);
});

test('a default-tier policy listed as default.<name> was created as <name>, a blank tier too; one of another tier was not', () => {
  assert.equal(calicoCreatedName(np({ tier: '' })), 'web');
  assert.equal(calicoCreatedName(np({})), 'web');
  assert.equal(calicoCreatedName(np({ tier: 'security' })), undefined);
  assert.equal(calicoCreatedName(np({}, 'web')), undefined);
});
