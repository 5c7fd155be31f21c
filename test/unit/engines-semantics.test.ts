// Engine renderings whose meaning is set by the engine's own documentation or code: each case
// is an IR input and the manifest part (or verdict) the engine's source prescribes, cited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../../recommender/engines/index.ts';
import { WEBHOOK_SOURCE_NOTE } from '../../recommender/engines/metadata.ts';
import type { EngineManifests, EngineName, Manifest } from '../../recommender/engines/types.ts';
import {
  apiserverPeer,
  cidrPeer,
  ciliumIngressPeer,
  explanation,
  fqdnPeer,
  nodesPeer,
  podsPeer,
  policySet,
  selectedNamespacesPeer,
  tcp,
  worldPeer,
  type IntentInput,
  type RuleInput,
} from '../../recommender/policy/build.ts';
import type { PolicySet } from '../../recommender/policy/ir.ts';
import { verifyManifests } from '../../recommender/verify/index.ts';
import { calicoRuleProblems, ciliumRuleProblems } from '../helpers/engine-admission.ts';

const why = (id: string) => explanation(id, 'confirmed', 'seen');
const APISERVER = [{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' as const }];

function workload(rules: { ingress?: RuleInput[]; egress?: RuleInput[] }): IntentInput {
  const i: IntentInput = {
    key: 'shop/api',
    namespace: 'shop',
    layer: 'allowlist',
    subject: { kind: 'workload', selector: { matchLabels: { app: 'api' } }, hostNetwork: false },
    explanation: 'test',
  };
  if (rules.ingress) i.ingress = { mode: 'rules', rules: rules.ingress };
  if (rules.egress) i.egress = { mode: 'rules', rules: rules.egress };
  return i;
}

function emit<E extends EngineName>(engine: E, set: PolicySet): EngineManifests[E][] {
  const { manifests } = ENGINES[engine].emit(set);
  assert.deepEqual(verifyManifests(manifests), [], `${engine}: schema`);
  return manifests;
}

/** The one manifest's spec, read as plain JSON whatever its engine. */
const only = (ms: Manifest[]): Record<string, unknown> => {
  assert.equal(ms.length, 1);
  return { ...ms[0]!.spec };
};

// `world` = everything, in and out of the cluster (docs/matrices.md).
const worldBoth = policySet([
  workload({
    ingress: [{ peers: [worldPeer(), podsPeer({ matchLabels: { app: 'web' } })], ports: [tcp(8080)], explanation: why('m#in') }],
    egress: [{ peers: [worldPeer()], explanation: why('m#out') }],
  }),
]);

test('world, kubernetes: a rule without peers (NetworkPolicy API: an empty or missing from/to matches all sources/destinations), never ipBlock 0.0.0.0/0, which does not match pods on every CNI', () => {
  const spec = only(emit('kubernetes', worldBoth));
  assert.deepEqual(spec.ingress, [{ ports: [{ protocol: 'TCP', port: 8080 }] }]);
  assert.deepEqual(spec.egress, [{}]);
});

test('world, cilium: the `all` entity, never `world` ("traffic external to endpoint\'s cluster", cilium pkg/policy/api/entity.go)', () => {
  const spec = only(emit('cilium', worldBoth));
  assert.deepEqual(spec.ingress, [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }]);
  assert.deepEqual(spec.egress, [{ toEntities: ['all'] }]);
  assert.ok(!JSON.stringify(spec).includes('"world"'));
});

test('world, calico: no source / destination selector or nets (a rule without them matches every address: Calico Rule reference)', () => {
  const spec = only(emit('calico', worldBoth));
  const ingress = spec.ingress as Record<string, unknown>[];
  const egress = spec.egress as Record<string, unknown>[];
  assert.equal(ingress.length, 1);
  assert.equal(ingress[0]!.source, undefined);
  assert.deepEqual(ingress[0]!.destination, { ports: [8080] });
  assert.equal(egress.length, 1);
  assert.equal(egress[0]!.destination, undefined);
  assert.equal(egress[0]!.protocol, undefined);
});

test('world, clusternetworkpolicy: egress every pod and networks 0.0.0.0/0, ::/0, as the isolation denies them — Cilium (1.20 on, enable-k8s-cluster-network-policy) turns `networks` into CIDR selectors (cilium/cilium pkg/k8s/cluster_network_policy.go kcnpParseCIDRSelectors), which select no pod, so networks alone would leave the isolation\'s `namespaces: {}` Deny cutting pod-to-pod egress; ingress every pod, and only pods are denied by the isolation', () => {
  const ms = emit('clusternetworkpolicy', worldBoth);
  const accept = ms.find((m) => m.metadata.name === 'shop-api')!.spec;
  assert.deepEqual((accept.egress as { to: unknown }[])[0]!.to, [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }]);
  assert.deepEqual((accept.ingress as { from: unknown }[])[0]!.from, [{ namespaces: {} }]);
  const isolation = ms.find((m) => m.metadata.name === 'shop-api-isolation')!.spec;
  // Ingress isolation denies pods only: what world adds beyond pods (nodes, outside) stays allowed.
  assert.deepEqual((isolation.ingress as { to?: unknown; from: unknown }[])[0]!.from, [{ namespaces: {} }]);
  assert.equal((isolation.priority as number) > (accept.priority as number), true, 'the Accept is evaluated before the Deny');
});

test('clusternetworkpolicy: egress to Cilium\'s Ingress proxy, which no peer of the API selects, is any destination on the rule\'s ports — every pod and networks 0.0.0.0/0, ::/0, as the isolation denies them (networks alone select no pod on Cilium: kcnpParseCIDRSelectors)', () => {
  const set = policySet([workload({ egress: [{ peers: [ciliumIngressPeer()], ports: [tcp(80)], explanation: why('shop/api#to-ingress') }] })]);
  const accept = emit('clusternetworkpolicy', set).find((m) => m.metadata.name === 'shop-api')!.spec;
  assert.deepEqual((accept.egress as { to: unknown; protocols: unknown }[]).map((e) => [e.to, e.protocols]), [[[{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }], [{ tcp: { destinationPort: { number: 80 } } }]]]);
});

test('clusternetworkpolicy: an allow-all-from-anywhere ingress rule is never dropped while the isolation Deny stays (StackLight alertmanager)', () => {
  const set = policySet([workload({ ingress: [{ peers: [worldPeer()], explanation: why('stacklight/prometheus-alertmanager/ingress/allow-all') }] })]);
  const r = ENGINES.clusternetworkpolicy.emit(set);
  const accept = r.manifests.find((m) => m.metadata.name === 'shop-api')!;
  assert.deepEqual(accept.spec.ingress, [{ name: 'confirmed stacklight/prometheus-alertmanager/ingress/allow-all', action: 'Accept', from: [{ namespaces: {} }] }]);
  assert.deepEqual(r.warnings.filter((w) => w.code === 'peer-not-expressible'), []);
});

test('cilium: one rule per peer kind, ports on each ("Combining FromEndpoints and FromEntities is not supported yet", cilium pkg/policy/api/rule_validation.go)', () => {
  const set = policySet([
    workload({
      ingress: [{ peers: [podsPeer({ matchLabels: { app: 'prometheus' } }, 'kyma-system'), nodesPeer(['10.0.0.1']), cidrPeer('192.168.0.0/16')], ports: [tcp(9090)], explanation: why('kyma#9090') }],
    }),
  ]);
  const spec = only(emit('cilium', set));
  const ports = [{ ports: [{ port: '9090', protocol: 'TCP' }] }];
  assert.deepEqual(spec.ingress, [
    { fromEndpoints: [{ matchLabels: { app: 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'kyma-system' } }], toPorts: ports },
    { fromEntities: ['host', 'remote-node'], toPorts: ports },
    { fromCIDRSet: [{ cidr: '192.168.0.0/16' }], toPorts: ports },
  ]);
  assert.deepEqual(ciliumRuleProblems(ENGINES.cilium.emit(set).manifests), []);
});

test('cilium: a webhook (apiserver source) is open to any source on its port, and the rule says why (seed 003; Cilium docs: kube-apiserver entity not for ingress on AKS/EKS/GKE)', () => {
  const set = policySet([workload({ ingress: [{ peers: [apiserverPeer(APISERVER)], ports: [tcp(9443)], explanation: explanation('pd/controller/ingress/webhook', 'confirmed', 'admission webhook') }] })]);
  const m = emit('cilium', set)[0]!;
  assert.deepEqual(m.spec.ingress, [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '9443', protocol: 'TCP' }] }] }]);
  assert.ok(m.metadata.annotations['flowmatrix.io/rules']!.includes(`admission webhook (${WEBHOOK_SOURCE_NOTE})`));
  for (const engine of ['kubernetes', 'calico'] as const) {
    assert.ok(JSON.stringify(emit(engine, set)).includes("open to any source on its port: no policy names the apiserver's source address"), engine);
  }
  // ClusterNetworkPolicy: every pod on the port; the apiserver is no pod, so no Deny reaches it.
  const cnp = emit('clusternetworkpolicy', set).find((x) => x.metadata.name === 'shop-api')!;
  assert.deepEqual((cnp.spec.ingress as { from: unknown }[])[0]!.from, [{ namespaces: {} }]);
});

test('calico: IPv4 and IPv6 nets never share a rule ("rule contains both IPv4 and IPv6 CIDRs", libcalico-go lib/validator/v3/validator.go validateRule)', () => {
  const set = policySet([workload({ egress: [{ peers: [nodesPeer(['10.0.0.1', 'fd00::1']), cidrPeer('203.0.113.0/24')], ports: [tcp(10250)], explanation: why('nodes') }] })]);
  const egress = only(emit('calico', set)).egress as { destination: { nets: string[] } }[];
  assert.deepEqual(
    egress.map((r) => r.destination.nets),
    [['10.0.0.1/32', '203.0.113.0/24'], ['fd00::1/128']],
  );
  assert.deepEqual(calicoRuleProblems(ENGINES.calico.emit(set).manifests), []);
});

test('calico: a selector and nets never share an entity (both would have to match: Calico EntityRule reference)', () => {
  const set = policySet([workload({ ingress: [{ peers: [podsPeer({ matchLabels: { app: 'web' } }), cidrPeer('10.1.0.0/16')], ports: [tcp(80)], explanation: why('mixed') }] })]);
  const ingress = only(emit('calico', set)).ingress as { source: Record<string, unknown> }[];
  assert.deepEqual(
    ingress.map((r) => r.source),
    [{ selector: "app == 'web'" }, { nets: ['10.1.0.0/16'] }],
  );
});

// `namespaceSelector: {}`: every namespace, including one created tomorrow (which must not be blocked).
const anyNamespace = policySet([
  workload({
    ingress: [{ peers: [selectedNamespacesPeer({})], ports: [tcp(4317)], explanation: why('kyma/otlp-clients') }],
    egress: [{ peers: [selectedNamespacesPeer({ matchLabels: { team: 'a' } }, { matchLabels: { app: 'x' } })], ports: [tcp(8080)], explanation: why('team-a') }],
  }),
]);

test('selected namespaces, kubernetes: namespaceSelector {} (NetworkPolicyPeer: "present but empty, it selects all namespaces")', () => {
  const spec = only(emit('kubernetes', anyNamespace));
  assert.deepEqual((spec.ingress as { from: unknown }[])[0]!.from, [{ namespaceSelector: {} }]);
  assert.deepEqual((spec.egress as { to: unknown }[])[0]!.to, [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'x' } } }]);
});

test('selected namespaces, cilium: the namespace label with Exists lifts the own-namespace scoping (cilium pkg/k8s/apis/cilium.io/utils/utils.go); namespace labels as io.cilium.k8s.namespace.labels.*', () => {
  const spec = only(emit('cilium', anyNamespace));
  assert.deepEqual((spec.ingress as { fromEndpoints: unknown }[])[0]!.fromEndpoints, [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }]);
  assert.deepEqual((spec.egress as { toEndpoints: unknown }[])[0]!.toEndpoints, [
    { matchLabels: { app: 'x', 'k8s:io.cilium.k8s.namespace.labels.team': 'a' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] },
  ]);
});

test('selected namespaces, calico: namespaceSelector all() (Calico EntityRule: selects every namespace)', () => {
  const spec = only(emit('calico', anyNamespace));
  assert.deepEqual((spec.ingress as { source: unknown }[])[0]!.source, { namespaceSelector: 'all()', selector: 'all()' });
  assert.deepEqual((spec.egress as { destination: unknown }[])[0]!.destination, { namespaceSelector: "team == 'a'", selector: "app == 'x'", ports: [8080] });
});

test('selected namespaces, clusternetworkpolicy: namespaces {} / pods with the namespace selector', () => {
  const ms = emit('clusternetworkpolicy', anyNamespace);
  const accept = ms.find((m) => m.metadata.name === 'shop-api')!.spec;
  assert.deepEqual((accept.ingress as { from: unknown }[])[0]!.from, [{ namespaces: {} }]);
  assert.deepEqual((accept.egress as { to: unknown }[])[0]!.to, [{ pods: { namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'x' } } } }]);
});

test('the admission helpers catch what they mirror (a test of the test)', () => {
  const cilium: Manifest = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'a', labels: {}, annotations: {} }, spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{}], fromEntities: ['host'] }] } };
  assert.equal(ciliumRuleProblems([cilium]).length, 1);
  const calico: Manifest = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'a', labels: {}, annotations: {} }, spec: { egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0', '::/0'] } }] } };
  assert.equal(calicoRuleProblems([calico]).length, 1);
});

test('clusternetworkpolicy: an egress rule to a name of no known address (a wildcard) allows any destination on its ports — every pod and networks 0.0.0.0/0, ::/0, what the isolation denies (on Cilium networks select no pod: kcnpParseCIDRSelectors) —, and the egress isolation stays: looser than intended, never cutting what the rule allows', () => {
  const api = workload({ egress: [{ peers: [fqdnPeer('*.backend.example')], ports: [tcp(443)], explanation: why('kyma/telemetry-backends') }, { peers: [podsPeer({ matchLabels: { app: 'db' } })], ports: [tcp(5432)], explanation: why('db') }] });
  const r = ENGINES.clusternetworkpolicy.emit(policySet([api]));
  assert.deepEqual(verifyManifests(r.manifests), []);
  const allow = r.manifests.find((m) => m.metadata.name === 'shop-api')!;
  assert.deepEqual((allow.spec.egress as { to: unknown; protocols: unknown }[]).map((e) => [e.to, e.protocols]), [
    [[{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'db' } } } }], [{ tcp: { destinationPort: { number: 5432 } } }]],
    [[{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }], [{ tcp: { destinationPort: { number: 443 } } }]],
  ]);
  const isolation = r.manifests.find((m) => m.metadata.name === 'shop-api-isolation')!;
  assert.equal((isolation.spec.egress as { action: string }[])[0]!.action, 'Deny');
  assert.deepEqual(r.warnings.map((w) => w.code).filter((c) => c === 'fqdn-unresolved' || c === 'direction-not-isolated'), ['fqdn-unresolved']);
});

// What reached a workload's pods from their own node (PolicyIntent.ownNode): no NetworkPolicy rule
// on any plugin but Cilium under allow-localhost: policy (pkg/policy mapstate.go
// determineAllowLocalhostIngress adds the local host's allow only when AlwaysAllowLocalhost()),
// where, with policy-cidr-match-mode: nodes, an ipBlock of the node addresses selects the local
// host (pkg/node/manager.go nodeIdentityLabels gives it their CIDR labels).
test('kubernetes: the own-node ports become a node ipBlock rule only under Cilium allow-localhost: policy with policy-cidr-match-mode: nodes, and only where ingress is restricted', () => {
  const ownNode = { nodes: { kind: 'nodes' as const, ips: ['10.0.0.12', '10.0.0.11'] }, ports: [tcp(8080), tcp(8081)], explanation: explanation('shop/api#own-node', 'implied', 'probed') };
  const base = workload({ ingress: [{ peers: [podsPeer({ matchLabels: { app: 'web' } })], ports: [tcp(8080)], explanation: why('m#in') }] });
  const under = { ciliumLocalHostUnderPolicy: true, ciliumCidrMatchesNodes: true };
  const kube = (i: IntentInput, options = {}) => ENGINES.kubernetes.emit(policySet([i]), options).manifests;
  const withOwn = { ...base, ownNode };
  // Elsewhere the output is the one without it, byte for byte.
  for (const options of [{}, { ciliumLocalHostUnderPolicy: true }, { ciliumCidrMatchesNodes: true }]) assert.deepEqual(kube(withOwn, options), kube(base, options));
  const [m] = kube(withOwn, under);
  assert.deepEqual(verifyManifests([m!]), []);
  assert.deepEqual(m!.spec.ingress, [
    { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    { from: [{ ipBlock: { cidr: '10.0.0.11/32' } }, { ipBlock: { cidr: '10.0.0.12/32' } }], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 8081 }] },
  ]);
  assert.match(m!.metadata.annotations['flowmatrix.io/rules']!, /^ingress implied shop\/api#own-node: probed: from every node's addresses/);
  // A deny-all ingress gets the rule alone (still isolated); an ingress open to all on every port needs none; egress-only, none.
  const denyAll: IntentInput = { ...base, ingress: { mode: 'deny-all', explanation: why('d') }, ownNode };
  assert.deepEqual(kube(denyAll, under)[0]!.spec.ingress, [{ from: [{ ipBlock: { cidr: '10.0.0.11/32' } }, { ipBlock: { cidr: '10.0.0.12/32' } }], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 8081 }] }]);
  const open: IntentInput = { ...base, ingress: { mode: 'allow-all', ports: [], explanation: why('o') }, ownNode };
  const { ownNode: _, ...openWithout } = open;
  assert.deepEqual(kube(open, under), kube(openWithout, under));
  const egressOnly: IntentInput = { ...base, ingress: { mode: 'none' }, egress: { mode: 'deny-all', explanation: why('e') }, ownNode };
  assert.equal(kube(egressOnly, under)[0]!.spec.ingress, undefined);
});
