/**
 * The verification of ClusterNetworkPolicy output beside applied ClusterNetworkPolicies of the
 * same tier and priority. The API leaves their order open: "If two (or more) policies in the same
 * tier with the same priority could match a connection, then the implementation can apply any of
 * the matching policies" (kubernetes-sigs/network-policy-api apis/v1alpha2/
 * clusternetworkpolicy_types.go, `Priority`). So a required flow that one order allows and the
 * other denies is not verified, whatever the names: both readings are simulated.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { AppliedPolicy, Workload } from '../../domain/inventory.ts';
import type { EmitResult, Manifest } from '../../recommender/engines/types.ts';
import type { VerifiedSides } from '../../recommender/verified-sides.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import { shopInventory, shopWorkload, workloadPeer } from '../helpers/shop-cluster.ts';

const NOW = Date.UTC(2026, 10, 20);
const web = shopWorkload('web');
const api = shopWorkload('api', [8080]);
const inventory = shopInventory(NOW, [web, api]);
const edge = (client: Workload, server: Workload, port: number): EdgeTraffic => ({ client: workloadPeer(client), server: workloadPeer(server), port, protocol: 'TCP', lastSeen: NOW, flows: 1, forwarded: 1, dropped: 0 });
const webToApi = edge(web, api, 8080);

const CNP = 'policy.networking.k8s.io/v1alpha2';
const apiSubject = { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'api' } } } };

/** What flowmatrix emits for api: an Accept from web on 8080 (allowlist, priority 200), and the isolation Deny (500). */
const recommended: Manifest[] = [
  {
    apiVersion: CNP,
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'shop-deployment-api', labels: {}, annotations: {} },
    spec: {
      tier: 'Baseline',
      priority: 200,
      subject: apiSubject,
      ingress: [{ name: 'observed web', action: 'Accept', from: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'web' } } } }], protocols: [{ tcp: { destinationPort: { number: 8080 } } }] }],
    },
  },
  {
    apiVersion: CNP,
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'shop-deployment-api-isolation', labels: {}, annotations: {} },
    spec: { tier: 'Baseline', priority: 500, subject: apiSubject, ingress: [{ name: 'deny all other ingress', action: 'Deny', from: [{ namespaces: {} }] }] },
  },
] as Manifest[];

/** An applied Baseline policy of namespace shop: `action` ingress from every pod. */
function appliedLockdown(name: string, priority: number, action: 'Deny' | 'Accept' = 'Deny'): AppliedPolicy {
  const manifest = {
    apiVersion: CNP,
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec: { tier: 'Baseline', priority, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }, ingress: [{ name: 'all ingress into shop', action, from: [{ namespaces: {} }] }] },
  };
  return { apiVersion: CNP, kind: 'ClusterNetworkPolicy', name, manifest };
}

const sides: VerifiedSides = {
  workload: 'shop/Deployment/api',
  edges: { ingress: [webToApi], egress: [] },
  excluded: { ingress: new Map(), egress: new Map() },
  restricted: { ingress: true, egress: false },
};

function verify(applied: AppliedPolicy[]) {
  const emitted: EmitResult = { engine: 'clusternetworkpolicy', manifests: recommended as EmitResult['manifests'], warnings: [] };
  return verifyRecommendation({ engine: 'clusternetworkpolicy', emitted, model: clusterModel(inventory), applied, sides: [sides], simulator: SIMULATORS.clusternetworkpolicy });
}

const EDGE = 'workload:shop/Deployment/web|workload:shop/Deployment/api|8080|TCP';

test('a required edge an applied Deny of the same tier and priority may cut fails the verification, naming both policies, whichever name sorts first (clusternetworkpolicy_types.go, Priority: "the implementation can apply any of the matching policies")', () => {
  for (const name of ['zz-lockdown', 'a-aaa-lockdown']) {
    const v = verify([appliedLockdown(name, 200)]);
    assert.equal(v.ok, false, name);
    assert.deepEqual(v.blocked.map((f) => [f.workload, f.direction, f.edge]), [['shop/Deployment/api', 'ingress', EDGE]], name);
    assert.match(v.blocked[0]!.reason, new RegExp(`ClusterNetworkPolicy/shop-deployment-api.*ClusterNetworkPolicy/${name}|ClusterNetworkPolicy/${name}.*ClusterNetworkPolicy/shop-deployment-api`), name);
    assert.match(v.blocked[0]!.reason, /Baseline tier, priority 200/, name);
    assert.equal(v.blocked[0]!.by?.policy, `ClusterNetworkPolicy/${name}`, name);
    assert.deepEqual(v.blockedByApplied, [], name);
  }
});

test('an applied Deny of another priority decides in one order only: after ours, nothing is cut; before ours, it is the applied policy’s doing (blockedByApplied, a warning)', () => {
  const after = verify([appliedLockdown('a-lockdown', 300)]);
  assert.equal(after.ok, true);
  assert.deepEqual([after.blocked, after.blockedByApplied], [[], []]);
  const before = verify([appliedLockdown('zz-lockdown', 100)]);
  assert.equal(before.ok, true);
  assert.deepEqual(before.blocked, []);
  assert.deepEqual(before.blockedByApplied.map((f) => [f.edge, f.by?.policy]), [[EDGE, 'ClusterNetworkPolicy/zz-lockdown']]);
});

test('an applied policy tying with ours that decides the same way (Accept beside Accept) is no finding: both orders allow', () => {
  const v = verify([appliedLockdown('zz-open', 200, 'Accept')]);
  assert.equal(v.ok, true);
  assert.deepEqual([v.blocked, v.blockedByApplied], [[], []]);
});
