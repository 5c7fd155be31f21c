import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../../recommender/engines/index.ts';
import type { Manifest } from '../../recommender/engines/types.ts';
import { unresolvedFqdnMessage } from '../../recommender/engines/kubernetes.ts';
import {
  apiserverPeer,
  cidrPeer,
  dnsPeer,
  dnsPorts,
  explanation,
  fqdnPeer,
  namedPort,
  podsPeer,
  policySet,
  tcp,
  udp,
  worldPeer,
  type IntentInput,
  type RuleInput,
} from '../../recommender/policy/build.ts';
import { manifestErrors, verifyManifests } from '../../recommender/verify/index.ts';

const why = (id: string) => explanation(id, 'confirmed', 'seen');
const APISERVER = [
  { ip: '172.18.0.3', port: 6443, protocol: 'TCP' as const },
  { ip: '172.18.0.2', port: 6443, protocol: 'TCP' as const },
];

function workload(key: string, rules: RuleInput[], direction: 'ingress' | 'egress' = 'egress'): IntentInput {
  return {
    key,
    namespace: 'shop',
    layer: 'allowlist',
    subject: { kind: 'workload', selector: { matchLabels: { app: 'api' } }, hostNetwork: false },
    [direction]: { mode: 'rules', rules },
    explanation: 'test',
  };
}

const apiserverOnly = policySet([workload('shop/api', [{ peers: [apiserverPeer(APISERVER)], explanation: why('m#api') }])]);
/** The manifest's spec, read as plain JSON whatever its engine. */
const spec = (m: Manifest | undefined): Record<string, unknown> => {
  assert.ok(m, 'manifest emitted');
  return { ...m.spec };
};

test('apiserver, kubernetes: /32 of each endpoint IP on the endpoint port 6443, never a pod selector', () => {
  const r = ENGINES.kubernetes.emit(apiserverOnly);
  assert.deepEqual(spec(r.manifests[0]).egress, [
    { to: [{ ipBlock: { cidr: '172.18.0.2/32' } }, { ipBlock: { cidr: '172.18.0.3/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] },
  ]);
  assert.deepEqual(r.warnings, []);
});

test('apiserver, cilium: the kube-apiserver entity on the endpoint port, as a string', () => {
  const r = ENGINES.cilium.emit(apiserverOnly);
  assert.deepEqual(spec(r.manifests[0]).egress, [{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]);
});

test('apiserver, calico: destination.services default/kubernetes without ports', () => {
  const r = ENGINES.calico.emit(apiserverOnly);
  const egress = spec(r.manifests[0]).egress as Record<string, unknown>[];
  assert.equal(egress.length, 1);
  assert.equal(egress[0]!.action, 'Allow');
  assert.deepEqual(egress[0]!.destination, { services: { name: 'kubernetes', namespace: 'default' } });
  assert.equal(egress[0]!.protocol, undefined);
});

test('apiserver, clusternetworkpolicy: networks /32 on tcp 6443, and an isolation Deny at a lower precedence', () => {
  const r = ENGINES.clusternetworkpolicy.emit(apiserverOnly);
  assert.deepEqual(r.manifests.map((m) => [m.metadata.name, m.spec.tier, m.spec.priority]), [
    ['shop-api', 'Baseline', 200],
    ['shop-api-isolation', 'Baseline', 500],
  ]);
  const egress = spec(r.manifests[0]).egress as Record<string, unknown>[];
  assert.deepEqual(egress, [
    { name: 'confirmed m#api', action: 'Accept', to: [{ networks: ['172.18.0.2/32', '172.18.0.3/32'] }], protocols: [{ tcp: { destinationPort: { number: 6443 } } }] },
  ]);
});

test('apiserver without known endpoints: a warning and no rule where an address is needed (kubernetes: the direction stays isolated)', () => {
  const set = policySet([workload('shop/api', [{ peers: [apiserverPeer([])], explanation: why('m#api') }])]);
  assert.deepEqual(ENGINES.kubernetes.emit(set).warnings.map((w) => [w.code, w.intent, w.direction, w.rule]), [['apiserver-no-endpoints', 'shop/api', 'egress', 'm#api']]);
  // ClusterNetworkPolicy: the direction is passed on rather than denied (engines-semantics.test.ts).
  assert.deepEqual(
    ENGINES.clusternetworkpolicy.emit(set).warnings.map((w) => [w.code, w.intent, w.direction, w.rule]),
    [
      ['direction-not-isolated', 'shop/api', 'egress', undefined],
      ['apiserver-no-endpoints', 'shop/api', 'egress', 'm#api'],
    ],
  );
  const k = ENGINES.kubernetes.emit(set).manifests[0]!;
  assert.deepEqual(k.spec.policyTypes, ['Egress']);
  assert.equal(k.spec.egress, undefined, 'no rule rather than an empty peer list that would allow everything');
  assert.deepEqual(ENGINES.cilium.emit(set).warnings, []);
  assert.deepEqual(ENGINES.calico.emit(set).warnings, []);
});

test('clusternetworkpolicy: 60 rules split into 3 Accept policies of ≤ 25 rules with stable names, plus the isolation', () => {
  const rules: RuleInput[] = Array.from({ length: 60 }, (_, i) => ({
    peers: [podsPeer({ matchLabels: { app: `client-${String(i).padStart(2, '0')}` } })],
    ports: [tcp(8080)],
    explanation: why(`edge:${String(i).padStart(2, '0')}`),
  }));
  const set = policySet([workload('shop/api', rules, 'ingress')]);
  const r = ENGINES.clusternetworkpolicy.emit(set);
  assert.deepEqual(
    r.manifests.map((m) => [m.metadata.name, (m.spec.ingress as unknown[]).length, m.spec.priority]),
    [
      ['shop-api--1', 25, 200],
      ['shop-api--2', 25, 200],
      ['shop-api--3', 10, 200],
      ['shop-api-isolation', 1, 500],
    ],
  );
  const first = (r.manifests[0]!.spec.ingress as { name: string }[])[0]!.name;
  assert.equal(first, 'confirmed edge:00');
  assert.equal((r.manifests[2]!.spec.ingress as { name: string }[])[9]!.name, 'confirmed edge:59');
  assert.deepEqual(verifyManifests(r.manifests), []);
  // Same input, reversed: same names, same content.
  const again = ENGINES.clusternetworkpolicy.emit(policySet([workload('shop/api', [...rules].reverse(), 'ingress')]));
  assert.deepEqual(again.manifests, r.manifests);
});

test('clusternetworkpolicy: the pieces of a split allowlist never take another workload\'s name (web split in two beside workload web-1)', () => {
  // ClusterNetworkPolicy is cluster-scoped, one object per name: `web`'s second piece named
  // `a-deployment-web-1` would be `web-1`'s own allowlist, and applying one replaces the other
  // (a finder's reproduction: b/client → web:8080 denied once both were applied).
  const rules: RuleInput[] = Array.from({ length: 26 }, (_, i) => ({
    peers: [podsPeer({ matchLabels: { app: `client-${String(i).padStart(2, '0')}` } })],
    ports: [tcp(9000 + i)],
    explanation: why(`web#r${String(i).padStart(2, '0')}`),
  }));
  const web = { ...workload('a/deployment/web', rules, 'ingress'), namespace: 'a' };
  const web1 = { ...workload('a/deployment/web-1', [{ peers: [podsPeer({ matchLabels: { app: 'x' } })], ports: [tcp(80)], explanation: why('web-1#r0') }], 'ingress'), namespace: 'a' };
  const both = ENGINES.clusternetworkpolicy.emit(policySet([web, web1])).manifests.map((m) => m.metadata.name);
  assert.equal(new Set(both).size, both.length, `distinct names: ${both.join(', ')}`);
  // Each exported alone (`--workload`): the same names, still distinct from the other's.
  const alone = [web, web1].flatMap((i) => ENGINES.clusternetworkpolicy.emit(policySet([i])).manifests.map((m) => m.metadata.name));
  assert.deepEqual([...alone].sort(), [...both].sort());
  assert.ok(both.includes('a-deployment-web-1'), "web-1's allowlist keeps its plain name");
});

test('clusternetworkpolicy: a namespace holding a kind word keeps its default-deny apart from another namespace\'s workload (x-pod-y/default-deny and x/pod/y-default-deny)', () => {
  // Both clean to `x-pod-y-default-deny`, and a ClusterNetworkPolicy name is cluster-wide.
  const deny = { mode: 'deny-all' as const, explanation: why('x-pod-y/default-deny#ingress') };
  const defaultDeny: IntentInput = { key: 'x-pod-y/default-deny', namespace: 'x-pod-y', layer: 'default-deny', subject: { kind: 'namespace' }, ingress: deny, explanation: 'test' };
  const workloadY = { ...workload('x/pod/y-default-deny', [{ peers: [podsPeer({ matchLabels: { app: 'c' } })], ports: [tcp(80)], explanation: why('y#r0') }], 'ingress'), namespace: 'x' };
  const names = ENGINES.clusternetworkpolicy.emit(policySet([defaultDeny, workloadY])).manifests.map((m) => m.metadata.name);
  assert.equal(new Set(names).size, names.length, `distinct names: ${names.join(', ')}`);
});

test('clusternetworkpolicy: a rule with 30 peers becomes two rules of ≤ 25 peers; 30 networks become two peers', () => {
  const peers = Array.from({ length: 30 }, (_, i) => podsPeer({ matchLabels: { app: `c${i}` } }));
  const ips = Array.from({ length: 30 }, (_, i) => `203.0.113.${i + 1}`);
  const set = policySet([
    workload('shop/api', [
      { peers, ports: [tcp(80)], explanation: why('m#many') },
      { peers: [fqdnPeer('cdn.example.com', ips)], ports: [tcp(443)], explanation: why('m#cdn') },
    ]),
  ]);
  const r = ENGINES.clusternetworkpolicy.emit(set);
  const egress = r.manifests[0]!.spec.egress as { name: string; to: { networks?: string[] }[] }[];
  assert.deepEqual(egress.map((e) => [e.name, e.to.length]), [
    ['confirmed m#many (1/2)', 25],
    ['confirmed m#many (2/2)', 5],
    ['confirmed m#cdn', 2],
  ]);
  assert.deepEqual(egress[2]!.to.map((p) => p.networks!.length), [25, 5]);
  assert.deepEqual(verifyManifests(r.manifests), []);
});

test('clusternetworkpolicy: an allow-all direction on more than 25 ports is split over rules of ≤ 25 protocols (the CRD: protocols MaxItems=25, clusternetworkpolicy_types.go), as any rule is — else the whole policy is refused (a LoadBalancer Service with 30 ports)', () => {
  const ports = Array.from({ length: 30 }, (_, i) => tcp(7000 + i));
  const allowAll = (direction: 'ingress' | 'egress', p: typeof ports): IntentInput => ({
    key: 'shop/api',
    namespace: 'shop',
    layer: 'allowlist',
    subject: { kind: 'workload', selector: { matchLabels: { app: 'api' } }, hostNetwork: false },
    [direction]: { mode: 'allow-all', ports: p, explanation: why('m#exposed') },
    explanation: 'test',
  });
  const ingress = ENGINES.clusternetworkpolicy.emit(policySet([allowAll('ingress', ports)]));
  assert.deepEqual(manifestErrors(ingress.manifests), [], 'admissible');
  const rules = spec(ingress.manifests[0]).ingress as { name: string; from: unknown; protocols: unknown[] }[];
  assert.deepEqual(rules.map((x) => [x.name, x.from, x.protocols.length]), [
    ['confirmed m#exposed (1/2)', [{ namespaces: {} }], 25],
    ['confirmed m#exposed (2/2)', [{ namespaces: {} }], 5],
  ]);
  // Egress with a named port: the name (as its number) to every pod, the 30 numbers to everyone, in pieces.
  const egress = ENGINES.clusternetworkpolicy.emit(policySet([allowAll('egress', [namedPort('TCP', 'https', [8443]), ...ports])]));
  assert.deepEqual(manifestErrors(egress.manifests), [], 'admissible');
  assert.deepEqual((spec(egress.manifests[0]).egress as { name: string; to: unknown[]; protocols: unknown[] }[]).map((x) => [x.name, x.to.length, x.protocols.length]), [
    ['confirmed m#exposed (1/3)', 1, 1],
    ['confirmed m#exposed (2/3)', 2, 25],
    ['confirmed m#exposed (3/3)', 2, 5],
  ]);
});

test('clusternetworkpolicy: priorities outside 0..1000 or out of order are refused', () => {
  assert.throws(() => ENGINES.clusternetworkpolicy.emit(apiserverOnly, { cnpPriority: { defaultDeny: 2000 } }), /defaultDeny=2000 is not an integer in 0\.\.1000/);
  assert.throws(() => ENGINES.clusternetworkpolicy.emit(apiserverOnly, { cnpPriority: { isolation: 100 } }), /shared ≤ allowlist < isolation < defaultDeny/);
});

test('cilium: ports are strings; toFQDNs alone in its rule; the DNS rule gets DNS visibility, and so does every other rule on the DNS ports (a pod\'s lookups may go to a resolver of its own: language.rst, "Obtaining DNS Data for use by toFQDNs")', () => {
  const set = policySet([
    workload('shop/api', [
      { peers: [fqdnPeer('*.example.com'), fqdnPeer('api.example.com')], ports: [tcp(443)], explanation: why('m#ext') },
      { peers: [dnsPeer(), podsPeer({ matchLabels: { app: 'db' } })], ports: dnsPorts(), explanation: why('m#dns') },
    ]),
  ]);
  const r = ENGINES.cilium.emit(set);
  assert.deepEqual(r.manifests[0]!.spec.egress, [
    { toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
    {
      toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
    },
    // The IR's `*.example.com` is any depth (docs/matrices.md); Cilium's `*.` is one label, `**.` one or more (cilium/cilium#43420).
    { toFQDNs: [{ matchName: 'api.example.com' }, { matchPattern: '**.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
  ]);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(verifyManifests(r.manifests), []);
});

test('cilium: toFQDNs without a DNS rule adds the DNS-visibility rule and says so', () => {
  const set = policySet([workload('shop/api', [{ peers: [fqdnPeer('api.example.com')], ports: [tcp(443)], explanation: why('m#ext') }])]);
  const r = ENGINES.cilium.emit(set);
  const egress = r.manifests[0]!.spec.egress as Record<string, unknown>[];
  assert.equal(egress.length, 2);
  assert.deepEqual(egress[1], {
    toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
    toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }],
  });
  assert.deepEqual(r.warnings.map((w) => w.code), ['dns-visibility-added']);
});

test('FQDN on kubernetes and calico: resolved IPs as /32 with a warning; with no address known, any destination on the rule\'s ports with a warning, never a cut (no rule would deny what the rule allows)', () => {
  const set = policySet([
    workload('shop/api', [
      { peers: [fqdnPeer('api.example.com', ['198.51.100.7'])], ports: [tcp(443)], explanation: why('m#known') },
      { peers: [fqdnPeer('other.example.com')], ports: [tcp(8443)], explanation: why('m#unknown') },
    ]),
  ]);
  const k = ENGINES.kubernetes.emit(set);
  assert.deepEqual(k.manifests[0]!.spec.egress, [{ to: [{ ipBlock: { cidr: '198.51.100.7/32' } }], ports: [{ protocol: 'TCP', port: 443 }] }, { ports: [{ protocol: 'TCP', port: 8443 }] }]);
  assert.deepEqual(k.warnings.map((w) => [w.code, w.rule]), [
    ['fqdn-as-ips', 'm#known'],
    ['fqdn-unresolved', 'm#unknown'],
  ]);
  assert.match(k.warnings[1]!.message, /no address is known for other\.example\.com: the rule allows any destination on its ports instead/);
  const c = ENGINES.calico.emit(set);
  assert.deepEqual((c.manifests[0]!.spec.egress as { destination: unknown }[]).map((r) => r.destination), [{ nets: ['198.51.100.7/32'], ports: [443] }, { ports: [8443] }]);
  assert.deepEqual(c.warnings.map((w) => w.code), ['fqdn-as-ips', 'fqdn-unresolved']);
});

test('host-network subjects: no policy on any engine, a warning instead', () => {
  const set = policySet([
    {
      key: 'monitoring/node-exporter',
      namespace: 'monitoring',
      layer: 'allowlist',
      subject: { kind: 'workload', selector: { matchLabels: { app: 'node-exporter' } }, hostNetwork: true },
      ingress: { mode: 'allow-all', explanation: why('stacklight#node-exporter') },
      explanation: 'host network',
    },
  ]);
  for (const e of Object.values(ENGINES)) {
    const r = e.emit(set);
    assert.deepEqual(r.manifests, [], e.name);
    assert.deepEqual(r.warnings.map((w) => w.code), ['host-network-subject'], e.name);
  }
});

test('calico: the default-deny layer has order 2000, below the allowlists at 1000, and no rules', () => {
  const set = policySet([
    workload('shop/api', [{ peers: [podsPeer({ matchLabels: { app: 'db' } }, 'data')], ports: [tcp(5432)], explanation: why('m#db') }]),
    {
      key: 'shop/default-deny',
      namespace: 'shop',
      layer: 'default-deny',
      subject: { kind: 'namespace' },
      ingress: { mode: 'deny-all', explanation: explanation('option:default-deny', 'implied', 'zero trust') },
      egress: { mode: 'deny-all', explanation: explanation('option:default-deny', 'implied', 'zero trust') },
      explanation: 'default deny',
    },
  ]);
  const r = ENGINES.calico.emit(set);
  assert.deepEqual(
    r.manifests.map((m) => [m.metadata.name, m.spec.order, m.spec.selector, m.spec.types, m.spec.egress === undefined]),
    [
      ['shop-api', 1000, "app == 'api'", ['Egress'], false],
      ['shop-default-deny', 2000, 'all()', ['Ingress', 'Egress'], true],
    ],
  );
  assert.deepEqual((r.manifests[0]!.spec.egress as { destination: unknown }[])[0]!.destination, {
    namespaceSelector: "projectcalico.org/name == 'data'",
    selector: "app == 'db'",
    ports: [5432],
  });
});

test('clusternetworkpolicy, named ports: never on a networks peer (the CRD refuses it: "networks/nodes/domainNames peer cannot be set with namedPorts", HEAD-experimental CRD x-kubernetes-validations; destinationNamedPort "can\'t be used in a rule that targets resources without named ports (e.g. Nodes or Networks)"); a port name exists on pods only, so pods keep it and addresses are left out, with a warning', () => {
  const pods = podsPeer({ matchLabels: { app: 'db' } });
  const set = policySet([
    workload('shop/api', [
      { peers: [cidrPeer('192.0.2.0/25'), pods], ports: [namedPort('TCP', 'pg')], explanation: why('m#pg') },
      { peers: [cidrPeer('198.51.100.0/24')], ports: [namedPort('TCP', 'pg'), tcp(5432)], explanation: why('m#mixed') },
      { peers: [worldPeer()], ports: [namedPort('TCP', 'https')], explanation: why('m#world') },
    ]),
  ]);
  const r = ENGINES.clusternetworkpolicy.emit(set);
  // No number is known for these names: kept, which only the experimental channel admits (network-policy-api#392).
  assert.deepEqual(manifestErrors(r.manifests).map((e) => [e.path.replace(/^\/spec\/egress\/\d+/, ''), e.crdChannel]), Array(2).fill(['/protocols/0/destinationNamedPort', 'standard']), 'admissible but for the names kept (m#pg, m#world)');
  const egress = spec(r.manifests[0]).egress as { name: string; to: Record<string, unknown>[]; protocols?: unknown[] }[];
  for (const rule of egress) {
    const named = (rule.protocols ?? []).some((p) => 'destinationNamedPort' in (p as object));
    if (named) assert.ok(rule.to.every((p) => !('networks' in p) && !('nodes' in p)), JSON.stringify(rule));
  }
  const byName = (n: string) => egress.filter((x) => x.name.includes(n));
  assert.deepEqual(byName('m#pg').map((x) => x.to), [[{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'db' } } } }]]);
  assert.deepEqual(byName('m#mixed').map((x) => [x.to, x.protocols]), [[[{ networks: ['198.51.100.0/24'] }], [{ tcp: { destinationPort: { number: 5432 } } }]]]);
  assert.deepEqual(byName('m#world').map((x) => [x.to, x.protocols]), [[[{ namespaces: {} }], [{ destinationNamedPort: 'https' }]]]);
  assert.deepEqual(r.warnings.filter((w) => w.code === 'peer-not-expressible').map((w) => w.rule).sort(), ['m#mixed', 'm#pg', 'm#world']);
});

test('clusternetworkpolicy, an allow-all egress on a named port: the named port to every pod, the numbered ones to everyone (admissible but for the name, of no known number: experimental channel only)', () => {
  const set = policySet([{ key: 'shop/api', namespace: 'shop', layer: 'allowlist', subject: { kind: 'workload', selector: { matchLabels: { app: 'api' } }, hostNetwork: false }, egress: { mode: 'allow-all', ports: [namedPort('TCP', 'https'), tcp(53)], explanation: why('m#open') }, explanation: 'test' }]);
  const r = ENGINES.clusternetworkpolicy.emit(set);
  assert.deepEqual(manifestErrors(r.manifests).map((e) => [e.path, e.crdChannel]), [['/spec/egress/0/protocols/0/destinationNamedPort', 'standard']], 'admissible but for the name, of no known number');
  const egress = spec(r.manifests[0]).egress as { to: unknown[]; protocols?: unknown[] }[];
  assert.deepEqual(egress.map((x) => [x.to, x.protocols]), [
    [[{ namespaces: {} }], [{ destinationNamedPort: 'https' }]],
    [[{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }], [{ tcp: { destinationPort: { number: 53 } } }]],
  ]);
});

test('clusternetworkpolicy, named ports on the standard channel, whose CRD has no destinationNamedPort since network-policy-api#392 ("Make NamedPort experimental again"): a name with the numbers synthesis resolved for it becomes those numbers, to pods only (an address has no port name); several numbers are warned as wider than the name; a name of no known number stays destinationNamedPort, warned', () => {
  const db = podsPeer({ matchLabels: { app: 'db' } });
  const client = podsPeer({ matchLabels: { app: 'client' } });
  const set = policySet([
    workload('shop/api', [
      { peers: [db], ports: [namedPort('TCP', 'pg', [5432])], explanation: why('m#one') },
      { peers: [db, cidrPeer('198.51.100.0/24')], ports: [namedPort('TCP', 'pg', [5432]), tcp(80)], explanation: why('m#mixed') },
      { peers: [podsPeer({ matchLabels: { app: 'prom' } })], ports: [namedPort('TCP', 'metrics')], explanation: why('m#unknown') },
    ]),
    { ...workload('shop/web', [{ peers: [client], ports: [namedPort('TCP', 'http', [8080, 9090])], explanation: why('m#rollout') }], 'ingress'), subject: { kind: 'workload', selector: { matchLabels: { app: 'web' } }, hostNetwork: false } },
  ]);
  const r = ENGINES.clusternetworkpolicy.emit(set);
  const rules = (name: string, d: 'ingress' | 'egress') => spec(r.manifests.find((m) => m.metadata.name === name))[d] as { name: string; to?: unknown[]; protocols?: unknown[] }[];
  const tcpNumber = (n: number) => ({ tcp: { destinationPort: { number: n } } });
  const inShop = (app: string) => ({ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app } } } });
  assert.deepEqual(rules('shop-api', 'egress').map((x) => [x.name, x.to, x.protocols]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))), [
    ['confirmed m#mixed (1/2)', [inShop('db')], [tcpNumber(5432), tcpNumber(80)]],
    ['confirmed m#mixed (2/2)', [{ networks: ['198.51.100.0/24'] }], [tcpNumber(80)]],
    ['confirmed m#one', [inShop('db')], [tcpNumber(5432)]],
    ['confirmed m#unknown', [inShop('prom')], [{ destinationNamedPort: 'metrics' }]],
  ]);
  assert.deepEqual(rules('shop-web', 'ingress').map((x) => x.protocols), [[tcpNumber(8080), tcpNumber(9090)]]);
  const named = r.warnings.filter((w) => w.code === 'named-port-as-numbers' || w.code === 'named-port-experimental').map((w) => [w.code, w.intent, w.rule]);
  assert.deepEqual(named, [
    ['named-port-experimental', 'shop/api', 'm#unknown'],
    ['named-port-as-numbers', 'shop/web', 'm#rollout'],
  ]);
  assert.match(r.warnings.find((w) => w.code === 'named-port-as-numbers')!.message, /http.*8080, 9090/);
  assert.match(r.warnings.find((w) => w.code === 'named-port-experimental')!.message, /metrics.*experimental/);
  // What the standard channel refuses is the one name kept; the numbers are its own.
  assert.deepEqual(manifestErrors(r.manifests).map((e) => [e.manifest, e.crdChannel]), [['ClusterNetworkPolicy/shop-api', 'standard']]);
});

/** The Cilium egress rules to DNS endpoints of `set`'s first manifest: ports under an L7 DNS rule (sorted) and plain L4 ones. */
function ciliumDnsPorts(set: ReturnType<typeof policySet>) {
  const { manifests } = ENGINES.cilium.emit(set);
  const egress = spec(manifests[0]).egress as { toEndpoints?: unknown[]; toPorts?: { ports: { port: string; protocol: string }[]; rules?: unknown }[] }[];
  const ports = (l7: boolean) =>
    egress.filter((e) => e.toEndpoints !== undefined).flatMap((e) => (e.toPorts ?? []).filter((p) => (p.rules !== undefined) === l7).flatMap((p) => p.ports.map((x) => `${x.port}/${x.protocol}`)));
  return { withL7: ports(true).sort(), l4: ports(false), manifests };
}

test('cilium, DNS visibility: the L7 DNS rule sits on the DNS ports only; the DNS pods\' other ports (CoreDNS metrics 9153) get an L4 rule of their own — Cilium sends every port a rules.dns section names to its DNS proxy (cilium/cilium#11767: "the rules section is required for that traffic to be intercepted … DNS traffic can be carried on ports other than 53")', () => {
  const set = policySet([
    workload('shop/web', [
      { peers: [dnsPeer('kube-system', { matchLabels: { 'k8s-app': 'kube-dns' } })], ports: [...dnsPorts(), tcp(9153)], explanation: why('m#dns') },
      { peers: [fqdnPeer('api.example.com', ['192.0.2.10'])], ports: [tcp(443)], explanation: why('m#api') },
    ]),
  ]);
  const { withL7, l4, manifests } = ciliumDnsPorts(set);
  assert.deepEqual(withL7, ['53/TCP', '53/UDP']);
  assert.deepEqual(l4, ['9153/TCP']);
  assert.deepEqual(manifestErrors(manifests), []);
});

test('cilium, DNS visibility where the cluster DNS answers on 5353 (OpenShift, behind the Service port 53): the L7 DNS rule sits on the pods\' DNS ports, the metrics port 9154 stays L4 — a policy sees the port after the Service\'s DNAT', () => {
  const dns = dnsPeer('openshift-dns', { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } }, [udp(5353), tcp(5353)]);
  const set = policySet([
    workload('shop/web', [
      { peers: [dns], ports: [udp(5353), tcp(5353), tcp(9154)], explanation: why('m#dns') },
      { peers: [fqdnPeer('api.example.com', ['192.0.2.10'])], ports: [tcp(443)], explanation: why('m#api') },
    ]),
  ]);
  const { withL7, l4, manifests } = ciliumDnsPorts(set);
  assert.deepEqual(withL7, ['5353/TCP', '5353/UDP']);
  assert.deepEqual(l4, ['9154/TCP']);
  assert.deepEqual(manifestErrors(manifests), []);
});

const PROXIED_53 = { ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } };

test('cilium, DNS visibility: a pod with toFQDNs whose DNS egress goes to the world on 53 (the cluster DNS absorbed into that rule) gets rules.dns on the `all` rule — toEntities may carry a DNS L7 rule (rule_validation.go EgressRule.sanitize: ToEntities in l3DependentL4Support, DNS in l7EgressSupport) and `all` is the wildcard selector (entity.go), so every lookup on 53 passes the DNS proxy (l4.go createL4Filter) and toFQDNs learns its names (language.rst "Obtaining DNS Data for use by toFQDNs")', () => {
  const set = policySet([
    workload('shop/web', [
      { peers: [dnsPeer(), worldPeer()], ports: dnsPorts(), explanation: why('m#any-resolver') },
      { peers: [fqdnPeer('api.example.com')], ports: [tcp(8443)], explanation: why('m#api') },
    ]),
  ]);
  const r = ENGINES.cilium.emit(set);
  assert.deepEqual(spec(r.manifests[0]).egress, [
    { toEntities: ['all'], toPorts: [PROXIED_53] },
    { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '8443', protocol: 'TCP' }] }] },
  ]);
  // The `all` rule proxies the cluster DNS's lookups too: no resolver rule of its own.
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(manifestErrors(r.manifests), []);
});

test('cilium, DNS visibility: a world rule of a pod with toFQDNs on 53 and other ports keeps the others at L4 and proxies 53 on a rule of its own — Cilium sends every port a rules.dns section names to its DNS proxy (cilium/cilium#11767)', () => {
  const set = policySet([
    workload('shop/web', [
      { peers: [worldPeer()], ports: [...dnsPorts(), tcp(443)], explanation: why('m#world') },
      { peers: [fqdnPeer('api.example.com')], ports: [tcp(8443)], explanation: why('m#api') },
    ]),
  ]);
  const r = ENGINES.cilium.emit(set);
  assert.deepEqual(spec(r.manifests[0]).egress, [
    { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '8443', protocol: 'TCP' }] }] },
    { toEntities: ['all'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    { toEntities: ['all'], toPorts: [PROXIED_53] },
  ]);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(manifestErrors(r.manifests), []);
});

test('cilium, DNS visibility: a world rule that absorbed a cluster DNS answering on 5353 (OpenShift) proxies 5353 as the DNS peer\'s own rule would — the `all` entity selects the DNS pods, and no resolver rule is added beside it', () => {
  const dns = dnsPeer('openshift-dns', { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } }, [udp(5353), tcp(5353)]);
  const set = policySet([
    workload('shop/web', [
      { peers: [dns, worldPeer()], ports: [udp(5353), tcp(5353)], explanation: why('m#dns') },
      { peers: [fqdnPeer('api.example.com')], ports: [tcp(8443)], explanation: why('m#api') },
    ]),
  ]);
  const r = ENGINES.cilium.emit(set);
  assert.deepEqual(spec(r.manifests[0]).egress, [
    { toEntities: ['all'], toPorts: [{ ports: [{ port: '5353', protocol: 'TCP' }, { port: '5353', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
    { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '8443', protocol: 'TCP' }] }] },
  ]);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(manifestErrors(r.manifests), []);
});

test('cilium: a world rule on 53 of a pod without toFQDNs stays L4 (no DNS proxy where nothing learns from it)', () => {
  const set = policySet([workload('shop/web', [{ peers: [dnsPeer(), worldPeer()], ports: dnsPorts(), explanation: why('m#any-resolver') }])]);
  const r = ENGINES.cilium.emit(set);
  assert.deepEqual(spec(r.manifests[0]).egress, [{ toEntities: ['all'], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }] }] }]);
  assert.deepEqual(r.warnings, []);
});

test('calico: more than 50 ports of one protocol are split over rules of at most 50 (the projectcalico.org/v3 CRD: EntityRule.ports maxItems 50)', () => {
  const ports = Array.from({ length: 120 }, (_, i) => tcp(10_000 + i));
  const set = policySet([workload('shop/api', [{ peers: [podsPeer({ matchLabels: { app: 'db' } })], ports, explanation: why('m#many') }])]);
  const r = ENGINES.calico.emit(set);
  assert.deepEqual(manifestErrors(r.manifests), []);
  const egress = spec(r.manifests[0]).egress as { destination?: { ports?: unknown[] } }[];
  assert.deepEqual(egress.map((e) => e.destination?.ports?.length), [50, 50, 20]);
});

test('fqdn-unresolved says why a wildcard name gets no addresses: it stands for names not seen yet (never the addresses seen for some of them)', () => {
  assert.match(unresolvedFqdnMessage('NetworkPolicy', ['*.db.example.com']), /^NetworkPolicy has no FQDN rule and a wildcard name \(\*\.db\.example\.com\) stands for names not seen yet, so it is never rendered as the addresses seen: the rule allows any destination on its ports instead/);
  assert.match(unresolvedFqdnMessage('NetworkPolicy', ['plugins.example.org']), /^NetworkPolicy has no FQDN rule and no address is known for plugins\.example\.org: /);
  // Several wildcards are names, plural; "the others" are named, and only when there are some.
  assert.match(
    unresolvedFqdnMessage('NetworkPolicy', ['*.a.example.com', '*.b.example.com']),
    /^NetworkPolicy has no FQDN rule and wildcard names \(\*\.a\.example\.com, \*\.b\.example\.com\) stand for names not seen yet, so they are never rendered as the addresses seen: the rule allows/,
  );
  assert.match(
    unresolvedFqdnMessage('NetworkPolicy', ['*.a.example.com', 'plugins.example.org', 'x.example.org']),
    /^NetworkPolicy has no FQDN rule and a wildcard name \(\*\.a\.example\.com\) stands for names not seen yet, so it is never rendered as the addresses seen, and no address is known for plugins\.example\.org, x\.example\.org: the rule allows/,
  );
});

test('clusternetworkpolicy, an ingress address block: not expressible (ClusterNetworkPolicyIngressPeer is namespaces or pods only), and the warning does not claim such traffic stays open: the ingress isolation denies `namespaces: {}`, every pod, so a pod the block holds is denied (only addresses that are no pod are left to other policies)', () => {
  const set = policySet([workload('shop/api', [{ peers: [cidrPeer('10.244.0.0/16')], ports: [tcp(9090)], explanation: why('m#scrape') }], 'ingress')]);
  const r = ENGINES.clusternetworkpolicy.emit(set);
  const isolation = r.manifests.find((m) => m.metadata.name.endsWith('-isolation'));
  assert.deepEqual(spec(isolation).ingress, [{ name: 'deny all other ingress', action: 'Deny', from: [{ namespaces: {} }] }]);
  const [w] = r.warnings.filter((x) => x.code === 'peer-not-expressible');
  assert.ok(w);
  assert.doesNotMatch(w.message, /such traffic is not denied/);
  assert.match(w.message, /address block 10\.244\.0\.0\/16/);
  assert.match(w.message, /pods whose addresses it holds pass only by a pods or namespace peer: the rule names beside it the pods the inventory shows in the block/);
});
