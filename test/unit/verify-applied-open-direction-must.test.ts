/**
 * A direction the recommendation leaves open (`--no-egress`, a host-network workload's side) is
 * the applied policies' to decide: an observed edge there that they deny is in `blockedByApplied`
 * ("the recommendation leaves this direction open, the applied policies decide it"). A flow a
 * documented `must` rule requires that nothing observed yet is required traffic all the same
 * (docs/recommend.md, "Verification": `blockedByApplied` holds "an included edge, or a flow a
 * documented `must` rule requires that nothing observed yet, that only an applied policy denies"),
 * so it is judged the same way there — a named peer's flow and a representative world flow alike.
 * Before, those flows were skipped on an open direction: an applied NetworkPolicy isolating web's
 * egress (Kubernetes "Network Policies": a pod selected by a policy with `Egress` in its
 * policyTypes allows only what its egress rules list) cut them with no warning.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { AppliedPolicy } from '../../domain/inventory.ts';
import type { EmitResult, Manifest } from '../../recommender/engines/types.ts';
import type { Peer } from '../../domain/peer.ts';
import type { VerifiedSides } from '../../recommender/verified-sides.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import { shopInventory, shopWorkload, workloadPeer } from '../helpers/shop-cluster.ts';

const NOW = Date.UTC(2026, 10, 20);
const web = shopWorkload('web');
const api = shopWorkload('api');
const db = shopWorkload('db', [5432]);
const inventory = shopInventory(NOW, [web, api, db]);
const peer = workloadPeer;
const edge = (client: Peer, server: Peer, port: number, lastSeen = NOW): EdgeTraffic => ({ client, server, port, protocol: 'TCP', lastSeen, flows: lastSeen === 0 ? 0 : 1, forwarded: lastSeen === 0 ? 0 : 1, dropped: 0 });

const webToApi = edge(peer(web), peer(api), 8080);
const webToDb = edge(peer(web), peer(db), 5432, 0);
const webToWorld = edge(peer(web), { kind: 'external', ip: '198.51.100.1' }, 443, 0);

/** web's egress left open by the recommendation (`--no-egress`): its observed edge, and two must flows nothing observed. */
const webSides: VerifiedSides = {
  workload: 'shop/Deployment/web',
  edges: { ingress: [], egress: [webToApi] },
  excluded: { ingress: new Map(), egress: new Map() },
  restricted: { ingress: false, egress: false },
  documented: {
    ingress: [],
    egress: [
      { edge: webToDb, rule: 'm/web/egress/db', keptBy: 'mode union keeps it (--mode union, mode=union)' },
      { edge: webToWorld, rule: 'm/web/egress/out', stands: 'egress to the world' },
    ],
  },
};

/** An applied NetworkPolicy isolating web's egress, allowing api only. */
const lockdown: AppliedPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  namespace: 'shop',
  name: 'web-egress-lockdown',
  manifest: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web-egress-lockdown', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }] },
  },
};

const verify = (applied: AppliedPolicy[]) =>
  verifyRecommendation({ engine: 'kubernetes', emitted: { engine: 'kubernetes', manifests: [], warnings: [] }, model: clusterModel(inventory), applied, sides: [webSides], simulator: SIMULATORS.kubernetes, tightness: false });

test('must flows nothing observed on a direction the recommendation leaves open: what an applied policy denies is blockedByApplied, naming the rule (a warning: the verification passes)', () => {
  const v = verify([lockdown]);
  assert.equal(v.ok, true);
  assert.deepEqual(v.blocked, []);
  assert.deepEqual(
    v.blockedByApplied.map((b) => [b.workload, b.direction, b.edge]),
    [
      ['shop/Deployment/web', 'egress', 'workload:shop/Deployment/web|external:198.51.100.1|443|TCP'],
      ['shop/Deployment/web', 'egress', 'workload:shop/Deployment/web|workload:shop/Deployment/db|5432|TCP'],
    ],
  );
  const [world, toDb] = v.blockedByApplied;
  for (const b of v.blockedByApplied) assert.match(b.reason, /^isolated for egress by NetworkPolicy\/shop\/web-egress-lockdown; no rule allows it;/);
  assert.match(toDb!.reason, /; m\/web\/egress\/db \(must\) requires it, not observed yet; the recommendation leaves this direction open, the applied policies decide it$/);
  assert.match(world!.reason, /; m\/web\/egress\/out \(must\) requires egress to the world, not observed yet \(198\.51\.100\.1 on 443\/TCP stands for it\); the recommendation leaves this direction open, the applied policies decide it$/);
});

test('with no applied policy an open direction\'s must flows are not judged (nothing restricts them), and nothing is counted for them', () => {
  const v = verify([]);
  assert.deepEqual(v.blockedByApplied, []);
  assert.deepEqual(v.skipped, { 'the recommendation does not restrict this direction of the workload': 1 });
});

test('on a restricted direction too: a representative world flow the recommended Baseline ClusterNetworkPolicy allows and an applied NetworkPolicy denies is blockedByApplied, naming what it stands for', () => {
  // A NetworkPolicy isolating a pod decides that direction before any Baseline rule ("v1.NetworkPolicy always makes a
  // final decision for selected pods", kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go).
  const baseline: Manifest = {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'shop-deployment-web', labels: {}, annotations: {} },
    spec: {
      tier: 'Baseline',
      priority: 10,
      subject: { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'web' } } } },
      egress: [{ action: 'Accept', to: [{ networks: ['0.0.0.0/0', '::/0'] }], protocols: [{ tcp: { destinationPort: { number: 443 } } }] }],
    },
  };
  const sides: VerifiedSides = { ...webSides, edges: { ingress: [], egress: [] }, restricted: { ingress: false, egress: true }, documented: { ingress: [], egress: [webSides.documented!.egress[1]!] } };
  const v = verifyRecommendation({ engine: 'clusternetworkpolicy', emitted: { engine: 'clusternetworkpolicy', manifests: [baseline], warnings: [] } as unknown as EmitResult, model: clusterModel(inventory), applied: [lockdown], sides: [sides], simulator: SIMULATORS.clusternetworkpolicy, tightness: false });
  assert.deepEqual(v.blocked, []);
  assert.deepEqual(v.blockedByApplied.map((b) => b.edge), ['workload:shop/Deployment/web|external:198.51.100.1|443|TCP']);
  assert.match(v.blockedByApplied[0]!.reason, /; m\/web\/egress\/out \(must\) requires egress to the world, not observed yet \(198\.51\.100\.1 on 443\/TCP stands for it\)$/);
});
