/**
 * The `clusternetworkpolicy` simulator, case by case: input → expected verdict, from the
 * ClusterNetworkPolicy API reference (kubernetes-sigs/network-policy-api
 * apis/v1alpha2/clusternetworkpolicy_types.go, the field docs of the CRD; cited as [API Tier],
 * [API Action], [API Networks] …) and its user stories / CRD test data (the four manifests in
 * test/fixtures/reference/network-policy-api/examples/).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClusterNetworkPolicySimulator, domainMatches } from '../../recommender/simulate/clusternetworkpolicy.ts';
import type { SimCluster, SimEndpoint, SimPod, SimProtocol } from '../../recommender/simulate/types.ts';
import { loadObjects } from '../helpers/reference-cluster.ts';

const example = (f: string): unknown[] => loadObjects([fileURLToPath(new URL(`../fixtures/reference/network-policy-api/examples/${f}`, import.meta.url))]);

const pod = (namespace: string, labels: Record<string, string>, ip: string, extra: Partial<SimPod> = {}): SimPod => ({ namespace, labels, ips: [ip], hostNetwork: false, ports: [], ...extra });
const secret = pod('sensitive-ns', { app: 'vault' }, '10.1.0.1', { ports: [{ name: 'http', port: 8200, protocol: 'TCP' }, { name: 'monitoring', port: 9100, protocol: 'TCP' }] });
const app = pod('shop', { app: 'web' }, '10.1.0.2');
const other = pod('shop', { app: 'worker' }, '10.1.0.5');
const prom = pod('monitoring-ns', { app: 'prometheus' }, '10.1.0.3');
const dns = pod('kube-system', { app: 'kube-dns' }, '10.1.0.4');
const node1 = { name: 'node-1', labels: { 'node-role.kubernetes.io/control-plane': '' }, ips: ['192.168.0.10'] };
const node2 = { name: 'node-2', labels: {}, ips: ['192.168.0.11'] };
const agent = pod('kube-system', { app: 'agent' }, '192.168.0.11', { hostNetwork: true, node: 'node-2' });

const cluster: SimCluster = {
  namespaces: ['sensitive-ns', 'shop', 'monitoring-ns', 'kube-system'].map((name) => ({ name, labels: {} })),
  nodes: [node1, node2],
  pods: [secret, app, other, prom, dns, agent],
  services: [],
  apiserver: [{ ip: '192.168.0.10', port: 6443, protocol: 'TCP' }],
  podCIDRs: ['10.1.0.0/16'],
};
const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const ext = (ip: string, names?: string[]): SimEndpoint => ({ kind: 'external', ip, ...(names ? { names } : {}) });
const run = (policies: unknown[], client: SimEndpoint, server: SimEndpoint, port: number, protocol: SimProtocol = 'TCP') => {
  const sim = createClusterNetworkPolicySimulator(policies, cluster);
  const flow = { client, server, port, protocol };
  const v = sim.evaluate(flow);
  // allows(), the verification's shortcut, gives every case the same answer as the words.
  for (const d of ['egress', 'ingress'] as const) assert.equal(sim.allows?.(flow, d), v[d].allowed, `allows(${d})`);
  return v;
};
const cnp = (name: string, spec: Record<string, unknown>): unknown => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec });
const np = (name: string, namespace: string, spec: Record<string, unknown>): unknown => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const allowAllIngressNp = (ns: string): unknown => np('allow-all', ns, { podSelector: {}, ingress: [{}] });
const nsSel = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

test('[user story 1] Admin Deny from every namespace to sensitive-ns wins over a NetworkPolicy that allows it; outside addresses are not namespaces', () => {
  const policies = [...example('site-src_user-story-examples_user-story-1.yaml'), allowAllIngressNp('sensitive-ns')];
  const v = run(policies, P(app), P(secret), 8200);
  assert.equal(v.verdict, 'deny');
  assert.deepEqual(v.ingress.by, { policy: 'ClusterNetworkPolicy/cluster-wide-deny-example', rule: '/spec/ingress/0' });
  assert.match(v.ingress.reason, /select-all-deny-all/);
  const outside = run(policies, ext('203.0.113.1'), P(secret), 8200);
  assert.deepEqual(outside.ingress.by, { policy: 'NetworkPolicy/sensitive-ns/allow-all', rule: '/spec/ingress/0' });
  assert.equal(run(policies, P(app), P(other), 80).verdict, 'allow', 'other namespaces are not subjects');
});

test('[user story 2, API Action Accept] Admin Accept overrides a NetworkPolicy deny; an egress Accept still needs the destination ingress', () => {
  const denyAll = np('deny-all', 'shop', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const policies = [...example('site-src_user-story-examples_user-story-2.yaml'), denyAll];
  assert.deepEqual(run(policies, P(prom), P(app), 8080).ingress.by, { policy: 'ClusterNetworkPolicy/cluster-wide-allow-example', rule: '/spec/ingress/0' });
  assert.equal(run(policies, P(prom), P(app), 8080).verdict, 'allow', 'prometheus has no egress policy; app ingress Accepted at Admin');
  const toDns = run(policies, P(app), P(dns), 53, 'UDP');
  assert.deepEqual(toDns.egress.by, { policy: 'ClusterNetworkPolicy/cluster-wide-allow-example', rule: '/spec/egress/0' });
  assert.equal(toDns.verdict, 'allow');
  assert.equal(run(policies, P(app), P(other), 8080).verdict, 'deny', 'not accepted: the NetworkPolicy tier decides');
  const dnsClosed = [...policies, np('deny', 'kube-system', { podSelector: {}, policyTypes: ['Ingress'] })];
  const v = run(dnsClosed, P(app), P(dns), 53, 'UDP');
  assert.equal(v.egress.allowed, true);
  assert.equal(v.verdict, 'deny', '"any ingress rules at the destination do apply"');
});

test('[CRD test data deny-with-ports] protocols: numbers, ranges (inclusive), UDP, named ports on the destination pod', () => {
  const policies = example('pkg_crdtest_testdata_valid_deny-with-ports.yaml');
  const deny = (port: number, protocol: SimProtocol = 'TCP') => run(policies, P(app), P(secret), port, protocol).verdict === 'deny';
  assert.equal(deny(8080), true);
  assert.equal(deny(9090), true, 'range end is inclusive');
  assert.equal(deny(9091), false);
  assert.equal(deny(8080, 'UDP'), true);
  assert.equal(deny(8081, 'UDP'), false);
  assert.equal(deny(9090, 'SCTP'), false);
  assert.equal(deny(8200), true, 'destinationNamedPort http = 8200 on the vault pod');
  assert.equal(deny(9100), true, 'destinationNamedPort monitoring = 9100');
  assert.equal(deny(9200), false);
});

test('[API Tier] the Baseline tier only decides for pods no NetworkPolicy selects; Pass in Baseline goes to the default allow', () => {
  const baselineDeny = cnp('baseline-deny', { tier: 'Baseline', priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
  const npWeb = np('web', 'shop', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: {} }] }] });
  assert.deepEqual(run([baselineDeny, npWeb], P(other), P(app), 80).ingress.by, { policy: 'NetworkPolicy/shop/web', rule: '/spec/ingress/0' });
  assert.deepEqual(run([baselineDeny, npWeb], P(app), P(other), 80).ingress.by, { policy: 'ClusterNetworkPolicy/baseline-deny', rule: '/spec/ingress/0' });
  assert.equal(run([baselineDeny, npWeb], P(prom), P(app), 80).verdict, 'deny', 'the NetworkPolicy isolates web: its implicit deny is final');
  const pass = cnp('baseline-pass', { tier: 'Baseline', priority: 5, subject: { namespaces: {} }, ingress: [{ action: 'Pass', from: [{ namespaces: nsSel('monitoring-ns') }] }] });
  const v = run([baselineDeny, pass], P(prom), P(other), 80);
  assert.equal(v.verdict, 'allow');
  assert.match(v.ingress.reason, /passed by ClusterNetworkPolicy\/baseline-pass/);
  assert.equal(run([baselineDeny, pass], P(app), P(other), 80).verdict, 'deny');
  // An Admin Pass that hands the flow to a Baseline rule that decides is said beside that rule (the verdict is the Baseline's).
  const adminPass = cnp('admin-pass', { tier: 'Admin', priority: 6, subject: { namespaces: {} }, ingress: [{ action: 'Pass', from: [{ namespaces: nsSel('shop') }] }] });
  const passedOn = run([adminPass, baselineDeny], P(app), P(other), 80);
  assert.equal(passedOn.verdict, 'deny');
  assert.match(passedOn.ingress.reason, /^denied by Baseline tier ingress rule of ClusterNetworkPolicy\/baseline-deny \(passed on by ClusterNetworkPolicy\/admin-pass \/spec\/ingress\/0\)$/);
  assert.doesNotMatch(run([baselineDeny], P(app), P(other), 80).ingress.reason, /passed on/, 'the shared verdict of the Baseline rule is not changed');
});

test('[API Priority, rule order] lower priority value first; within a policy the first matching rule; the Admin tier before everything', () => {
  const deny = cnp('deny-at-20', { tier: 'Admin', priority: 20, subject: { namespaces: nsSel('shop') }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
  const accept = cnp('accept-at-10', { tier: 'Admin', priority: 10, subject: { namespaces: nsSel('shop') }, ingress: [{ action: 'Accept', from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } } }] }] });
  assert.equal(run([deny, accept], P(prom), P(app), 80).verdict, 'allow');
  assert.equal(run([deny, accept], P(dns), P(app), 80).verdict, 'deny');
  const ordered = cnp('ordered', { tier: 'Admin', priority: 1, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } }, ingress: [
    { name: 'deny-9090', action: 'Deny', from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 9090 } } }] },
    { name: 'accept-all', action: 'Accept', from: [{ namespaces: {} }] },
  ] });
  assert.deepEqual(run([ordered], P(prom), P(app), 9090).ingress.by, { policy: 'ClusterNetworkPolicy/ordered', rule: '/spec/ingress/0' });
  assert.deepEqual(run([ordered], P(prom), P(app), 9091).ingress.by, { policy: 'ClusterNetworkPolicy/ordered', rule: '/spec/ingress/1' });
  assert.equal(run([ordered], P(prom), P(other), 9090).ingress.isolated, false, 'worker is not a subject');
  // Same priority: the implementation's choice; this simulator takes the name order (documented), whatever the input order.
  const a = cnp('a', { tier: 'Admin', priority: 5, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
  const b = cnp('b', { tier: 'Admin', priority: 5, subject: { namespaces: {} }, ingress: [{ action: 'Accept', from: [{ namespaces: {} }] }] });
  assert.equal(run([b, a], P(prom), P(app), 80).ingress.by?.policy, 'ClusterNetworkPolicy/a');
});

test('[API Networks] networks match every address, pods included ("cluster-internal traffic will be checked against the rule as well")', () => {
  const policy = cnp('no-10', { tier: 'Admin', priority: 1, subject: { namespaces: nsSel('shop') }, egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.0/8'] }] }] });
  assert.equal(run([policy], P(app), P(prom), 9090).verdict, 'deny');
  assert.equal(run([policy], P(app), ext('10.200.0.1'), 443).verdict, 'deny');
  assert.equal(run([policy], P(app), ext('203.0.113.1'), 443).verdict, 'allow');
  assert.equal(run([policy], P(app), ext('2001:db8::1'), 443).verdict, 'allow', 'an IPv4 CIDR does not match IPv6');
});

test('[API Networks] a block of addresses (a folded edge\'s peer, docs/ingest.md "Bounded by design"): an Accept rule takes it only whole, a Deny rule as soon as it holds part of it', () => {
  const accept = cnp('to-partners', { tier: 'Admin', priority: 1, subject: { namespaces: nsSel('shop') }, egress: [{ action: 'Accept', to: [{ networks: ['203.0.113.0/25'] }] }] });
  const denyRest = cnp('deny-rest', { tier: 'Baseline', priority: 1, subject: { namespaces: nsSel('shop') }, egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] }] });
  assert.equal(run([accept, denyRest], P(app), ext('203.0.113.0/25'), 443).verdict, 'allow', 'a block the network holds');
  assert.equal(run([accept, denyRest], P(app), ext('203.0.113.0/24'), 443).verdict, 'deny', 'a block the network holds half of: the rest is denied');
  const denyPart = cnp('no-lab', { tier: 'Admin', priority: 1, subject: { namespaces: nsSel('shop') }, egress: [{ action: 'Deny', to: [{ networks: ['203.0.113.128/25'] }] }] });
  assert.equal(run([denyPart], P(app), ext('203.0.113.0/24'), 443).verdict, 'deny', 'a deny that cuts part of the block');
  assert.equal(run([denyPart], P(app), ext('198.51.100.0/24'), 443).verdict, 'allow');
});

test('[API Networks] a pod whose address is unknown (a workload only flow records name) has one all the same: 0.0.0.0/0 with ::/0 matches it, a narrower network does not', () => {
  const unknown = pod('shop', { app: 'inferred' }, '10.1.0.9', { ips: [] });
  const sim = createClusterNetworkPolicySimulator(
    [
      cnp('to-all', { tier: 'Admin', priority: 1, subject: { pods: { namespaceSelector: nsSel('shop'), podSelector: { matchLabels: { app: 'web' } } } }, egress: [{ action: 'Accept', to: [{ networks: ['0.0.0.0/0', '::/0'] }] }] }),
      cnp('to-ten', { tier: 'Admin', priority: 2, subject: { pods: { namespaceSelector: nsSel('shop'), podSelector: { matchLabels: { app: 'worker' } } } }, egress: [{ action: 'Accept', to: [{ networks: ['10.0.0.0/8'] }] }] }),
      cnp('deny-rest', { tier: 'Baseline', priority: 1, subject: { namespaces: nsSel('shop') }, egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] }] }),
    ],
    { ...cluster, pods: [...cluster.pods, unknown] },
  );
  assert.equal(sim.evaluate({ client: P(app), server: P(unknown), port: 80, protocol: 'TCP' }).egress.by?.policy, 'ClusterNetworkPolicy/to-all');
  assert.equal(sim.evaluate({ client: P(other), server: P(unknown), port: 80, protocol: 'TCP' }).egress.by?.policy, 'ClusterNetworkPolicy/deny-rest', 'the address may be outside 10.0.0.0/8: the Accept does not match; the Baseline Deny of every address does');
});

test('[API Nodes] nodes select node addresses (node.Status.Addresses): nodes, host-network pods, an apiserver on a node', () => {
  const policy = cnp('cp-only', { tier: 'Admin', priority: 1, subject: { namespaces: nsSel('shop') }, egress: [
    { action: 'Accept', to: [{ nodes: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] } }] },
    { action: 'Deny', to: [{ nodes: {} }] },
  ] });
  assert.equal(run([policy], P(app), { kind: 'node', node: node1, ip: '192.168.0.10' }, 10250).verdict, 'allow');
  assert.equal(run([policy], P(app), { kind: 'apiserver', ip: '192.168.0.10' }, 6443).verdict, 'allow');
  assert.equal(run([policy], P(app), { kind: 'node', node: node2, ip: '192.168.0.11' }, 10250).verdict, 'deny');
  assert.equal(run([policy], P(app), P(agent), 9100).verdict, 'deny', 'a host-network pod is its node');
  assert.equal(run([policy], P(app), P(prom), 9090).verdict, 'allow', 'nodes {} does not select pods');
});

test('[API Subject, Namespaces peer] host-network pods are neither subjects nor namespace/pod peers', () => {
  const policy = cnp('deny-all', { tier: 'Admin', priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }], egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] });
  assert.equal(run([policy], P(agent), ext('203.0.113.1'), 443).verdict, 'allow');
  assert.equal(run([policy], P(agent), P(app), 80).verdict, 'allow', 'agent egress not a subject; app ingress: agent is not a pod peer');
  assert.equal(run([policy], P(prom), P(app), 80).verdict, 'deny');
});

test('[API DomainNames] exact names and *. wildcards (one or more labels) through the DNS names seen for the address', () => {
  assert.equal(domainMatches('kubernetes.io', 'kubernetes.io'), true);
  assert.equal(domainMatches('kubernetes.io', 'www.kubernetes.io'), false);
  assert.equal(domainMatches('*.kubernetes.io', 'latest.blog.kubernetes.io'), true);
  assert.equal(domainMatches('*.kubernetes.io', 'kubernetes.io'), false);
  assert.equal(domainMatches('*.kubernetes.io', 'my-kubernetes.io'), false);
  const policy = cnp('fqdn', { tier: 'Admin', priority: 1, subject: { namespaces: nsSel('shop') }, egress: [
    { action: 'Accept', to: [{ domainNames: ['*.example.com'] }] },
    { action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] },
  ] });
  assert.equal(run([policy], P(app), ext('203.0.113.7', ['api.example.com']), 443).verdict, 'allow');
  assert.equal(run([policy], P(app), ext('203.0.113.8', ['example.com']), 443).verdict, 'deny');
  const withDns = createClusterNetworkPolicySimulator([policy], { ...cluster, dnsNames: new Map([['203.0.113.9', ['Www.Example.com.']]]) });
  assert.equal(withDns.evaluate({ client: P(app), server: ext('203.0.113.9'), port: 443, protocol: 'TCP' }).verdict, 'allow', 'names from the cluster model, case and trailing dot ignored');
});

test('[API peer "fail closed"] a peer of no known kind: an Accept rule matches nothing, a Deny rule everything', () => {
  const acc = cnp('acc', { tier: 'Admin', priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Accept', from: [{ futurePeer: {} }] }] });
  const npDeny = np('deny', 'shop', { podSelector: {}, policyTypes: ['Ingress'] });
  assert.equal(run([acc, npDeny], P(prom), P(app), 80).verdict, 'deny');
  const den = cnp('den', { tier: 'Admin', priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ futurePeer: {} }] }] });
  assert.deepEqual(run([den], ext('203.0.113.1'), P(app), 80).ingress.by, { policy: 'ClusterNetworkPolicy/den', rule: '/spec/ingress/0' });
});

test('v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy: Allow = Accept, ports portNumber / portRange / namedPort, networks egress', () => {
  const anp = { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'anp' }, spec: { priority: 3, subject: { pods: { namespaceSelector: nsSel('sensitive-ns'), podSelector: {} } }, ingress: [
    { name: 'allow-http', action: 'Allow', from: [{ namespaces: {} }], ports: [{ namedPort: 'http' }, { portRange: { protocol: 'UDP', start: 1000, end: 2000 } }] },
  ], egress: [{ name: 'deny-world', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }], ports: [{ portNumber: { port: 443 } }] }] } };
  const banp = { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: { subject: { namespaces: {} }, ingress: [{ name: 'deny', action: 'Deny', from: [{ namespaces: {} }] }] } };
  assert.equal(run([anp, banp], P(app), P(secret), 8200).verdict, 'allow');
  assert.equal(run([anp, banp], P(app), P(secret), 1500, 'UDP').verdict, 'allow');
  assert.equal(run([anp, banp], P(app), P(secret), 2001, 'UDP').verdict, 'deny');
  assert.deepEqual(run([anp, banp], P(app), P(secret), 9100).ingress.by, { policy: 'BaselineAdminNetworkPolicy/default', rule: '/spec/ingress/0' });
  assert.equal(run([anp, banp], P(secret), ext('203.0.113.1'), 443).verdict, 'deny', 'portNumber protocol defaults to TCP');
  assert.equal(run([anp, banp], P(secret), ext('203.0.113.1'), 443, 'UDP').verdict, 'allow');
});

test('malformed manifests do not throw: read as the apiserver would decode them, or ignored', () => {
  const junk: unknown[] = [
    null,
    42,
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'no-spec', namespace: 'shop' } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bad-rules', namespace: 'dev' }, spec: { podSelector: {}, ingress: [null, { from: [null], ports: [null] }] } },
    { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'no-tier' }, spec: { priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] } },
    { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'odd' }, spec: { tier: 'Admin', subject: { namespaces: {} }, ingress: [null, { action: 'Deny', from: null, protocols: [null] }] } },
  ];
  const sim = createClusterNetworkPolicySimulator(junk, cluster);
  // shop/no-spec: an empty spec selects every pod of shop for ingress (policyTypes default).
  assert.equal(sim.evaluate({ client: P(prom), server: P(app), port: 80, protocol: 'TCP' }).verdict, 'deny');
  // The CNP without a tier is not a policy; "odd" has no rule that can match.
  assert.equal(sim.evaluate({ client: P(prom), server: P(dns), port: 80, protocol: 'TCP' }).verdict, 'allow');
});

test('[LabelSelectorAsSelector] a selector with a requirement apimachinery refuses (operator "in", In without values) selects nothing: an Accept peer matches no pod, a subject selects no pod', () => {
  // The CRD's `operator` is a bare string, so the API server stores it; apimachinery
  // pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector cannot build the selector
  // (`"in" is not a valid label selector operator`) and an implementation programs nothing for it.
  const acc = cnp('acc', { tier: 'Admin', priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Accept', to: [{ pods: { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'app', operator: 'in', values: ['nothing'] }] } } }] }] });
  const denyAll = cnp('deny-all', { tier: 'Admin', priority: 2, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] });
  const v = run([acc, denyAll], P(app), P(other), 8080);
  assert.equal(v.verdict, 'deny');
  assert.deepEqual(v.egress.by, { policy: 'ClusterNetworkPolicy/deny-all', rule: '/spec/egress/0' });
  const noValues = cnp('deny-web', { tier: 'Admin', priority: 1, subject: { pods: { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn' }] } } }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
  assert.equal(run([noValues], P(prom), P(app), 80).verdict, 'allow', 'NotIn without values: the subject selects no pod');
});

test('[NewRequirement] a selector with a key or value apimachinery refuses selects nothing: an Accept peer whose NotIn / DoesNotExist would hold for every pod as written matches none, a subject selects none', () => {
  // k8s.io/apimachinery pkg/labels/selector.go NewRequirement checks the key (validateLabelKey:
  // IsQualifiedName) and every value (validateLabelValue: IsValidLabelValue), and
  // pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector builds matchLabels pairs with it too; an
  // error means no selector, so an implementation programs nothing for it. The CRD stores the
  // selector: its matchLabels and matchExpressions carry no key or value pattern.
  const acceptTo = (podSelector: unknown): unknown => cnp('acc', { tier: 'Admin', priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Accept', to: [{ pods: { namespaceSelector: {}, podSelector } }] }] });
  const denyAll = cnp('deny-all', { tier: 'Admin', priority: 2, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] });
  const refused: [string, unknown][] = [
    ['key starting with "-"', { matchExpressions: [{ key: '-bad', operator: 'DoesNotExist' }] }],
    ['key with two "/"', { matchExpressions: [{ key: 'a/b/c', operator: 'NotIn', values: ['x'] }] }],
    ['key name part of 64 characters', { matchExpressions: [{ key: 'a'.repeat(64), operator: 'DoesNotExist' }] }],
    ['a value with a space', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['x', 'not a value'] }] }],
    ['an In value refused beside a valid one', { matchExpressions: [{ key: 'app', operator: 'In', values: ['worker', '-bad'] }] }],
  ];
  for (const [name, podSelector] of refused) {
    const v = run([acceptTo(podSelector), denyAll], P(app), P(other), 8080);
    assert.equal(v.verdict, 'deny', name);
    assert.deepEqual(v.egress.by, { policy: 'ClusterNetworkPolicy/deny-all', rule: '/spec/egress/0' }, name);
  }
  assert.equal(run([acceptTo({ matchExpressions: [{ key: 'app', operator: 'In', values: ['worker'] }] }), denyAll], P(app), P(other), 8080).verdict, 'allow', 'the same peer with valid values accepts');
  const denyWeb = cnp('deny-web', { tier: 'Admin', priority: 1, subject: { pods: { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'tier/x/y', operator: 'DoesNotExist' }] } } }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
  assert.equal(run([denyWeb], P(prom), P(app), 80).verdict, 'allow', 'the subject selects no pod');
});
