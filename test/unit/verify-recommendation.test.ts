/**
 * The verification of a recommendation, on a small cluster through the real `kubernetes`
 * simulator: input (manifests, observed edges, what the recommendation included) → expected
 * findings. Verdicts follow the Kubernetes "Network Policies" page: a pod selected for ingress
 * accepts only what a rule allows; policies are additive (union of allows).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { AppliedPolicy, InventorySnapshot, Workload } from '../../domain/inventory.ts';
import type { EmitResult, Manifest } from '../../recommender/engines/types.ts';
import type { NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicySpec } from '../../recommender/engines/wire/kubernetes.ts';
import type { VerifiedSides } from '../../recommender/verified-sides.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import { extraProbes } from '../../recommender/verify/probes.ts';
import { shopInventory, shopWorkload, workloadPeer } from '../helpers/shop-cluster.ts';

const NOW = Date.UTC(2026, 10, 20);

const workload = shopWorkload;
const web = workload('web');
const api = workload('api', [8080, 9090]);
const db = workload('db', [5432]);
const inventory = shopInventory(NOW, [web, api, db]);
const peer = workloadPeer;
const edge = (client: Workload, server: Workload, port: number): EdgeTraffic => ({ client: peer(client), server: peer(server), port, protocol: 'TCP', lastSeen: NOW, flows: 1, forwarded: 1, dropped: 0 });

const webToApi = edge(web, api, 8080);
const webToApiMetrics = edge(web, api, 9090);

/** api's ingress allowed from web on 8080 only. */
const apiPolicy: Manifest = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api', namespace: 'shop', labels: {}, annotations: {} },
  spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }] },
};
const emitted = (manifests: Manifest[]): EmitResult => ({ engine: 'kubernetes', manifests, warnings: [] });
/** A NetworkPolicy of namespace shop as the inventory keeps an applied one. */
const appliedNetworkPolicy = (name: string, spec: NetworkPolicySpec): AppliedPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  namespace: 'shop',
  name,
  manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec },
});
const apiSides = (excluded: [EdgeTraffic, string][] = []): VerifiedSides => ({
  workload: 'shop/Deployment/api',
  edges: { ingress: [webToApi, webToApiMetrics], egress: [] },
  excluded: { ingress: new Map(excluded), egress: new Map() },
  restricted: { ingress: true, egress: false },
});

function verify(manifests: Manifest[], sides: VerifiedSides, applied: AppliedPolicy[] = []) {
  return verifyRecommendation({ engine: 'kubernetes', emitted: emitted(manifests), model: clusterModel(inventory), applied, sides: [sides], simulator: SIMULATORS.kubernetes });
}

test('an included edge the policies deny fails the verification, named with its side and why', () => {
  const v = verify([apiPolicy], apiSides());
  assert.equal(v.ok, false);
  assert.deepEqual(
    v.blocked.map((b) => [b.workload, b.direction, b.edge]),
    [['shop/Deployment/api', 'ingress', 'workload:shop/Deployment/web|workload:shop/Deployment/api|9090|TCP']],
  );
  assert.match(v.blocked[0]!.reason, /isolated for ingress by NetworkPolicy\/shop\/api/);
});

test('an edge left out and denied is listed with the recommendation’s reason; one a broader rule allows is listed as still allowed', () => {
  const denied = verify([apiPolicy], apiSides([[webToApiMetrics, 'undocumented: a violation to review']]));
  assert.equal(denied.ok, true);
  assert.deepEqual(denied.denied.map((d) => [d.edge, d.reason]), [['workload:shop/Deployment/web|workload:shop/Deployment/api|9090|TCP', 'undocumented: a violation to review']]);
  const broad: Manifest = { ...apiPolicy, spec: { ...apiPolicy.spec, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] } };
  const still = verify([broad], apiSides([[webToApiMetrics, 'stale']]));
  assert.equal(still.ok, true);
  assert.equal(still.stillAllowed.length, 1);
  assert.deepEqual(still.stillAllowed[0]!.by, { policy: 'NetworkPolicy/shop/api', rule: '/spec/ingress/0' });
});

test('tightness: allowed (peer, port) pairs among the observed ones and the probes, over the observed ones', () => {
  // Only web → api 8080 observed and included: the policy allows exactly it (1.0); opening all
  // ports to web allows the probe on 9090 (the port api declares) too (2.0).
  const only8080: VerifiedSides = { ...apiSides(), edges: { ingress: [webToApi], egress: [] } };
  assert.deepEqual(verify([apiPolicy], only8080).tightness, [{ workload: 'shop/Deployment/api', direction: 'ingress', observed: 1, allowed: 1, ratio: 1 }]);
  const anyPort: Manifest = { ...apiPolicy, spec: { ...apiPolicy.spec, ingress: [{}] } };
  const loose = verify([anyPort], only8080).tightness[0]!;
  assert.equal(loose.observed, 1);
  assert.ok(loose.allowed > 2, `an ingress rule without peers or ports opens every probe: ${loose.allowed}`);
});

test('tightness of an egress side: probes go to the peers of each class, not again to the observed peer (docs/recommend.md, "Tightness")', () => {
  // web → api 8080 observed. Probes: db (a pod of web's namespace not observed) and 198.51.100.1 on 8080.
  const webSides: VerifiedSides = { workload: 'shop/Deployment/web', edges: { ingress: [], egress: [webToApi] }, excluded: { ingress: new Map(), egress: new Map() }, restricted: { ingress: false, egress: true } };
  const webEgress = (egress: NetworkPolicyEgressRule[]): Manifest => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web', namespace: 'shop', labels: {}, annotations: {} },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress },
  });
  const tight = verify([webEgress([{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }])], webSides).tightness;
  assert.deepEqual(tight, [{ workload: 'shop/Deployment/web', direction: 'egress', observed: 1, allowed: 1, ratio: 1 }], 'egress to api 8080 only allows nothing beyond it');
  const open = verify([webEgress([{}])], webSides).tightness;
  assert.deepEqual(open, [{ workload: 'shop/Deployment/web', direction: 'egress', observed: 1, allowed: 3, ratio: 3 }], 'allow-all egress also allows db and the world on 8080');
});

test('tightness on an IPv6-only cluster: the world probe is an IPv6 address (2001:db8::1, RFC 3849), so an egress rule open to ::/0 counts it', () => {
  const v6: InventorySnapshot = { ...inventory, podAddresses: inventory.podAddresses.map((a, i) => ({ ...a, ip: `fd10::${i + 1}` })) };
  const webSides: VerifiedSides = { workload: 'shop/Deployment/web', edges: { ingress: [], egress: [webToApi] }, excluded: { ingress: new Map(), egress: new Map() }, restricted: { ingress: false, egress: true } };
  const manifest: Manifest = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web', namespace: 'shop', labels: {}, annotations: {} },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }, { to: [{ ipBlock: { cidr: '::/0' } }], ports: [{ port: 8080, protocol: 'TCP' }] }] },
  };
  const v = verifyRecommendation({ engine: 'kubernetes', emitted: emitted([manifest]), model: clusterModel(v6), applied: [], sides: [webSides], simulator: SIMULATORS.kubernetes });
  assert.equal(v.ok, true);
  // api observed, the world probe allowed by ::/0; db not (ipBlocks are read as not matching pods).
  assert.deepEqual(v.tightness, [{ workload: 'shop/Deployment/web', direction: 'egress', observed: 1, allowed: 2, ratio: 2 }]);
});

test('probes of a subject that can only use IPv6 go to a dual-stack node at its IPv6 address and to the IPv6 world; a dual-stack subject keeps the first node address and the IPv4 world', () => {
  const node = { name: 'n1', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.11' }, { type: 'InternalIP', address: 'fd00::11' }], podCIDRs: [] };
  const peersOf = (ips: (i: number) => string[]) => {
    const inv: InventorySnapshot = { ...inventory, nodes: [node], podAddresses: inventory.podAddresses.flatMap((a, i) => ips(i + 1).map((ip) => ({ ...a, ip }))) };
    const model = clusterModel(inv);
    const observed = [{ peer: { kind: 'pod' as const, pod: model.podOf('shop/Deployment/api')! }, port: 8080, protocol: 'TCP' as const }];
    return extraProbes(model, { kind: 'pod', pod: model.podOf('shop/Deployment/web')! }, 'egress', observed).flatMap((p) => (p.peer.kind === 'node' || p.peer.kind === 'external' ? [p.peer.ip] : []));
  };
  assert.deepEqual(peersOf((i) => [`fd10::${i}`]), ['fd00::11', '2001:db8::1']);
  assert.deepEqual(peersOf((i) => [`10.1.0.${i}`, `fd10::${i}`]), ['10.0.0.11', '198.51.100.1']);
});

test('flows a documented must rule requires that nothing observed are verified like included edges: allowed, or blocked naming the rule', () => {
  const sides: VerifiedSides = {
    workload: 'shop/Deployment/api',
    edges: { ingress: [], egress: [] },
    excluded: { ingress: new Map(), egress: new Map() },
    restricted: { ingress: true, egress: false },
    documented: { ingress: [{ edge: webToApi, rule: 'm/api/ingress/web-8080' }, { edge: webToApiMetrics, rule: 'm/api/ingress/web-9090' }], egress: [] },
  };
  const v = verify([apiPolicy], sides);
  assert.equal(v.ok, false);
  assert.deepEqual(v.blocked.map((b) => b.edge), ['workload:shop/Deployment/web|workload:shop/Deployment/api|9090|TCP']);
  assert.match(v.blocked[0]!.reason, /m\/api\/ingress\/web-9090 \(must\) requires it, not observed yet: applying this cuts required traffic$/);
  // Nothing observed, web on 8080 allowed: a figure all the same (docs/recommend.md, "Tightness"), unbounded.
  assert.deepEqual(v.tightness, [{ workload: 'shop/Deployment/api', direction: 'ingress', observed: 0, allowed: 1, ratio: null, unbounded: true }]);
});

test('a denial that only an applied policy beside the recommendation causes is reported apart, and a manifest the recommendation replaces does not count', () => {
  const denyAll = appliedNetworkPolicy('api', { podSelector: {}, policyTypes: ['Ingress'] });
  // Same kind/namespace/name as the recommended one: replaced, so it does not stay beside it.
  assert.deepEqual(verify([apiPolicy], apiSides([[webToApiMetrics, 'x']]), [denyAll]).blockedByApplied, []);
  // Under another name it stays. NetworkPolicies are additive: it cannot deny what ours allows.
  const other = { ...denyAll, name: 'deny-all', manifest: { ...(denyAll.manifest as object), metadata: { name: 'deny-all', namespace: 'shop' } } };
  assert.deepEqual(verify([apiPolicy], apiSides([[webToApiMetrics, 'x']]), [other]).blockedByApplied, []);
});

test('an edge left out that an applied policy beside the recommendation still allows is listed with that policy: delete or tighten it, or the traffic stays open', () => {
  const applied = (name: string, from: NetworkPolicyPeer[]): AppliedPolicy => appliedNetworkPolicy(name, { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from }] });
  // NetworkPolicies add up ("Network Policies", isolation): the applied one allows web on every port.
  const legacy = verify([apiPolicy], apiSides([[webToApiMetrics, 'a violation']]), [applied('legacy', [{ podSelector: { matchLabels: { app: 'web' } } }])]);
  assert.deepEqual(legacy.denied, []);
  assert.deepEqual(legacy.stillAllowed.map((f) => [f.edge.endsWith('|9090|TCP'), f.by?.policy]), [[true, 'NetworkPolicy/shop/legacy']]);
  assert.match(legacy.stillAllowed[0]!.reason, /^left out \(a violation\) but an applied policy beside the recommendation allows it: /);
  // An ipBlock 0.0.0.0/0 selects pod addresses on some network plugins only (the spec leaves it to them): said so.
  const open = verify([apiPolicy], apiSides([[webToApiMetrics, 'a violation']]), [applied('open', [{ ipBlock: { cidr: '0.0.0.0/0' } }])]);
  assert.deepEqual(open.stillAllowed.map((f) => f.by?.policy), ['NetworkPolicy/shop/open']);
  assert.match(open.stillAllowed[0]!.reason, /where the network plugin matches ipBlocks against pod addresses/);
});

test('admission errors fail the verification: the engine would refuse the manifest', () => {
  const broken: Manifest = { ...apiPolicy, spec: { ...apiPolicy.spec, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.300/32' } }] }] } };
  const v = verify([broken], apiSides([[webToApi, 'x'], [webToApiMetrics, 'x']]));
  assert.equal(v.ok, false);
  assert.ok(v.admission.some((e) => e.manifest === 'NetworkPolicy/shop/api' && /ipBlock\/cidr$/.test(e.path)), JSON.stringify(v.admission));
});

test('a side the recommendation does not restrict is not simulated, and counted as such', () => {
  const v = verify([apiPolicy], { ...apiSides(), edges: { ingress: [webToApi], egress: [edge(api, db, 5432)] } });
  assert.deepEqual(Object.values(v.skipped), [1]);
});

/** An applied Calico Tier `platform` (order 100) and, in it, a GlobalNetworkPolicy denying all ingress to api. */
const platformDeny: { tier: AppliedPolicy; deny: AppliedPolicy } = {
  tier: { apiVersion: 'projectcalico.org/v3', kind: 'Tier', name: 'platform', manifest: { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'platform' }, spec: { order: 100 } } },
  deny: {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    name: 'platform.deny-api',
    manifest: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'platform.deny-api' }, spec: { tier: 'platform', order: 10, selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Deny' }] } },
  },
};

test('calico: an applied policy in an earlier tier that denies an included edge makes it blockedByApplied, once its Tier is in the inventory (Calico "Tier": tiers are evaluated by order, a Deny ends the evaluation)', () => {
  const { tier, deny } = platformDeny;
  const calico = (applied: AppliedPolicy[]) =>
    verifyRecommendation({ engine: 'calico', emitted: { engine: 'calico', manifests: [apiPolicy], warnings: [] } as unknown as EmitResult, model: clusterModel(inventory), applied, sides: [apiSides([[webToApiMetrics, 'x']])], simulator: SIMULATORS.calico });
  const withTier = calico([tier, deny]);
  assert.deepEqual(withTier.blockedByApplied.map((f) => `${f.edge} ${f.by?.policy}`), ['workload:shop/Deployment/web|workload:shop/Deployment/api|8080|TCP GlobalNetworkPolicy/platform.deny-api']);
  // Without its Tier Calico would not have created the policy: the simulator leaves it out (engineWarnings names it).
  const withoutTier = calico([deny]);
  assert.deepEqual(withoutTier.blockedByApplied, []);
  // A kubernetes recommendation on that cluster: Calico enforces the NetworkPolicy in its default
  // tier, after the platform tier (CONV: order 1000 in the default tier), so the Deny cuts it too.
  const kubernetes = (besideSimulator?: typeof SIMULATORS.calico) =>
    verifyRecommendation({ engine: 'kubernetes', emitted: emitted([apiPolicy]), model: clusterModel(inventory), applied: [tier, deny], sides: [apiSides([[webToApiMetrics, 'x']])], simulator: SIMULATORS.kubernetes, ...(besideSimulator ? { besideSimulator } : {}) });
  assert.deepEqual(kubernetes(SIMULATORS.calico).blockedByApplied.map((f) => `${f.edge} ${f.by?.policy}`), ['workload:shop/Deployment/web|workload:shop/Deployment/api|8080|TCP GlobalNetworkPolicy/platform.deny-api']);
  assert.equal(kubernetes(SIMULATORS.calico).ok, true);
  // The kubernetes simulator alone does not read Calico policies.
  assert.deepEqual(kubernetes().blockedByApplied, []);
});

test('calico: an applied tier whose end-of-tier Deny cuts an included edge (its policy applies, no rule matches) is named as deciding in blockedByApplied, by its defaultAction (Calico "Tier": "If the Tier applies to the endpoint, but takes no action on the packet the packet is dropped"; spec.defaultAction)', () => {
  const tier: AppliedPolicy = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', name: 'platform', manifest: { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'platform' }, spec: { order: 200, defaultAction: 'Deny' } } };
  const fromDb: AppliedPolicy = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    name: 'platform.api-from-db',
    manifest: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'platform.api-from-db' }, spec: { tier: 'platform', order: 10, selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "app == 'db'" } }] } },
  };
  const v = verifyRecommendation({ engine: 'calico', emitted: { engine: 'calico', manifests: [apiPolicy], warnings: [] } as unknown as EmitResult, model: clusterModel(inventory), applied: [tier, fromDb], sides: [apiSides([[webToApiMetrics, 'x']])], simulator: SIMULATORS.calico });
  assert.deepEqual(v.blockedByApplied.map((f) => [f.edge, f.by]), [['workload:shop/Deployment/web|workload:shop/Deployment/api|8080|TCP', { policy: 'Tier/platform', rule: '/spec/defaultAction' }]]);
  assert.match(v.blockedByApplied[0]!.reason, /^end of tier platform: 1 policy applies/);
});

test('calico: an applied GlobalNetworkPolicy selecting by the namespace profile\'s label (pcns.projectcalico.org/name) that denies an included edge makes it blockedByApplied (libcalico-go conversion NamespaceToProfile: the endpoint inherits pcns.<key>)', () => {
  const deny: AppliedPolicy = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    name: 'deny-shop-api',
    manifest: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-shop-api' }, spec: { order: 10, selector: "pcns.projectcalico.org/name == 'shop' && app == 'api'", types: ['Ingress'], ingress: [{ action: 'Deny' }] } },
  };
  const v = verifyRecommendation({ engine: 'kubernetes', emitted: emitted([apiPolicy]), model: clusterModel(inventory), applied: [deny], sides: [apiSides([[webToApiMetrics, 'x']])], simulator: SIMULATORS.kubernetes, besideSimulator: SIMULATORS.calico });
  assert.deepEqual(v.blockedByApplied.map((f) => `${f.edge} ${f.by?.policy}`), ['workload:shop/Deployment/web|workload:shop/Deployment/api|8080|TCP GlobalNetworkPolicy/deny-shop-api']);
});

test('calico: a flow a documented must rule requires, not observed yet, that an applied Deny in an earlier tier cuts is blockedByApplied too, naming the rule (Calico "Tier": a Deny ends the evaluation)', () => {
  const { tier, deny } = platformDeny;
  // Nothing observed; api's matrix says web must reach it on 8080, which the recommended policy allows.
  const sides: VerifiedSides = {
    workload: 'shop/Deployment/api',
    edges: { ingress: [], egress: [] },
    excluded: { ingress: new Map(), egress: new Map() },
    restricted: { ingress: true, egress: false },
    documented: { ingress: [{ edge: webToApi, rule: 'm/api/ingress/web-8080' }], egress: [] },
  };
  const v = verifyRecommendation({ engine: 'calico', emitted: { engine: 'calico', manifests: [apiPolicy], warnings: [] } as unknown as EmitResult, model: clusterModel(inventory), applied: [tier, deny], sides: [sides], simulator: SIMULATORS.calico });
  assert.deepEqual(v.blocked, []);
  assert.deepEqual(v.blockedByApplied.map((f) => `${f.edge} ${f.by?.policy}`), ['workload:shop/Deployment/web|workload:shop/Deployment/api|8080|TCP GlobalNetworkPolicy/platform.deny-api']);
  assert.match(v.blockedByApplied[0]!.reason, /m\/api\/ingress\/web-8080 \(must\) requires it, not observed yet$/);
});

/**
 * web's egress includes web → api 9090 because its matrix says it must (a rule naming api's pods);
 * api's ingress leaves it out (say, mode documented and api undocumented).
 */
const webRequiresApiMetrics: VerifiedSides = {
  workload: 'shop/Deployment/web',
  edges: { ingress: [], egress: [webToApiMetrics] },
  excluded: { ingress: new Map(), egress: new Map() },
  required: { ingress: new Map(), egress: new Map([[webToApiMetrics, { rule: 'shop/web/egress/api-metrics', otherEnd: true }]]) },
  restricted: { ingress: false, egress: false },
};

test('a side left out and denied whose edge a documented must rule requires on the other side is blocked: the traffic is cut whichever side cuts it', () => {
  const run = (sides: VerifiedSides[]) => verifyRecommendation({ engine: 'kubernetes', emitted: emitted([apiPolicy]), model: clusterModel(inventory), applied: [], sides, simulator: SIMULATORS.kubernetes });
  const v = run([apiSides([[webToApiMetrics, 'mode documented: no matrix documents this workload']]), webRequiresApiMetrics]);
  assert.equal(v.ok, false);
  assert.deepEqual(v.denied, []);
  assert.deepEqual(v.blocked.map((f) => [f.workload, f.direction, f.edge, f.reason]), [
    ['shop/Deployment/api', 'ingress', 'workload:shop/Deployment/web|workload:shop/Deployment/api|9090|TCP', "mode documented: no matrix documents this workload, but shop/web/egress/api-metrics requires it (shop/Deployment/web's egress): applying this cuts required traffic"],
  ]);
  // Without the requirement it stays a denial the recommendation means.
  const plain = run([apiSides([[webToApiMetrics, 'mode documented: no matrix documents this workload']])]);
  assert.equal(plain.ok, true);
  assert.equal(plain.denied.length, 1);
});

test('a side the recommendation leaves out and denies, that a documented must rule requires, is blocked even where an applied policy beside it still allows it: the recommendation alone cuts it, and deleting that policy (as said of the others) would too', () => {
  // An applied NetworkPolicy of another name that opens api to web on every port (NetworkPolicies add up).
  const legacy = appliedNetworkPolicy('legacy', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] });
  const v = verifyRecommendation({ engine: 'kubernetes', emitted: emitted([apiPolicy]), model: clusterModel(inventory), applied: [legacy], sides: [apiSides([[webToApiMetrics, 'mode documented: no matrix documents this workload']]), webRequiresApiMetrics], simulator: SIMULATORS.kubernetes });
  assert.equal(v.ok, false);
  assert.deepEqual(v.stillAllowed, []);
  assert.deepEqual(v.blocked.map((f) => f.edge), ['workload:shop/Deployment/web|workload:shop/Deployment/api|9090|TCP']);
  assert.match(v.blocked[0]!.reason, /^the recommended policies deny it and only an applied policy beside them allows it \(NetworkPolicy\/shop\/legacy\), but shop\/web\/egress\/api-metrics requires it/);
});

test("a side left out and denied that stands for an Ingress's clients (its controller's observed edge, synthesize/exposure-flows.ts) is blocked, naming the Ingress", () => {
  // web standing in for the controller's proxy: the edge is on api's required ingress, as exposed by an Ingress.
  const sides: VerifiedSides = { ...apiSides([[webToApiMetrics, 'mode documented: no matrix documents this workload']]), required: { ingress: new Map([[webToApiMetrics, { rule: 'exposed by Ingress shop/api', otherEnd: false, exposed: true as const }]]), egress: new Map() } };
  const v = verify([apiPolicy], sides);
  assert.equal(v.ok, false);
  assert.deepEqual(v.blocked.map((f) => [f.edge, f.reason]), [
    ['workload:shop/Deployment/web|workload:shop/Deployment/api|9090|TCP', "mode documented: no matrix documents this workload, but the Ingress controller's pods reach it (exposed by Ingress shop/api): applying this cuts required traffic"],
  ]);
});
