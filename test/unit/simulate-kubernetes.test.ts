/**
 * The `kubernetes` simulator, case by case: input → expected verdict, each from the Kubernetes
 * "Network Policies" concept page (https://kubernetes.io/docs/concepts/services-networking/network-policies/,
 * cited by section as [NP §…]) or the NetworkPolicy API reference / upstream code named.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkPolicySpec } from '../../recommender/engines/wire/kubernetes.ts';
import { createKubernetesSimulator, type KubernetesSimOptions } from '../../recommender/simulate/kubernetes.ts';
import type { SimCluster, SimEndpoint, SimPod, SimProtocol, SimulatorFactory } from '../../recommender/simulate/types.ts';
import { createClusterNetworkPolicySimulator } from '../../recommender/simulate/clusternetworkpolicy.ts';

const pod = (namespace: string, labels: Record<string, string>, ip: string, extra: Partial<SimPod> = {}): SimPod => ({ namespace, labels, ips: [ip], hostNetwork: false, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ...extra });
const web = pod('shop', { app: 'web', tier: 'front' }, '10.1.0.1');
const api = pod('shop', { app: 'api', tier: 'back' }, '10.1.0.2');
const db = pod('shop', { app: 'db' }, '10.1.0.4', { ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }, { name: 'http', port: 9000, protocol: 'TCP' }] });
const prom = pod('monitoring', { app: 'prometheus' }, '10.1.0.3');
const devPod = pod('dev', { app: 'web' }, '10.1.0.5');
const node1 = { name: 'node-1', labels: {}, ips: ['192.168.0.10'] };
const hostAgent = pod('kube-system', { app: 'agent' }, '192.168.0.10', { hostNetwork: true, node: 'node-1' });

const cluster: SimCluster = {
  namespaces: [
    { name: 'shop', labels: { team: 'shop' } },
    { name: 'monitoring', labels: { team: 'ops' } },
    { name: 'dev', labels: { env: 'dev' } },
    { name: 'kube-system', labels: {} },
  ],
  nodes: [node1],
  pods: [web, api, db, prom, devPod, hostAgent],
  services: [],
  apiserver: [{ ip: '192.168.0.10', port: 6443, protocol: 'TCP' }],
  podCIDRs: ['10.1.0.0/16'],
};

const P = (e: SimPod): SimEndpoint => ({ kind: 'pod', pod: e });
const ext = (ip: string): SimEndpoint => ({ kind: 'external', ip });
const np = (name: string, spec: NetworkPolicySpec, namespace = 'shop'): unknown => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const verdict = (policies: unknown[], client: SimEndpoint, server: SimEndpoint, port: number, protocol: SimProtocol = 'TCP', options?: KubernetesSimOptions) =>
  createKubernetesSimulator(policies, cluster, options).evaluate({ client, server, port, protocol });

test('[NP §The two sorts of pod isolation] no policy: everything allowed; a selecting policy isolates its direction only', () => {
  assert.equal(verdict([], P(web), P(api), 8080).verdict, 'allow');
  const denyIn = np('deny', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] });
  const v = verdict([denyIn], P(web), P(api), 8080);
  assert.equal(v.verdict, 'deny');
  assert.equal(v.ingress.isolated, true);
  assert.equal(v.ingress.by, undefined, 'the default deny is implicit');
  assert.equal(verdict([denyIn], P(api), P(web), 8080).verdict, 'allow', 'egress of api is not isolated');
});

test('[API reference policyTypes] defaults: Ingress always, Egress only when spec.egress has rules (pkg/apis/networking/v1/defaults.go)', () => {
  const noEgress = np('a', { podSelector: {}, ingress: [{}] });
  assert.equal(verdict([noEgress], P(web), ext('203.0.113.1'), 443).verdict, 'allow');
  const emptyEgress = np('b', { podSelector: {}, egress: [] });
  assert.equal(verdict([emptyEgress], P(web), ext('203.0.113.1'), 443).verdict, 'allow', 'egress: [] does not make it an Egress policy');
  assert.equal(verdict([emptyEgress], P(web), P(api), 8080).verdict, 'deny', 'but Ingress is implied: api is isolated');
  const withEgress = np('c', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }] });
  assert.equal(verdict([withEgress], P(web), ext('203.0.113.1'), 443).verdict, 'deny');
  assert.equal(verdict([withEgress], P(web), P(api), 8080).verdict, 'allow');
});

test('[NP §Default policies] default deny all ingress / allow all ingress / default deny all egress', () => {
  const denyAllIn = np('default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
  const allowAllIn = np('allow-all-ingress', { podSelector: {}, ingress: [{}] });
  assert.equal(verdict([denyAllIn], P(prom), P(db), 5432).verdict, 'deny');
  const both = verdict([denyAllIn, allowAllIn], ext('198.51.100.1'), P(db), 5432);
  assert.equal(both.verdict, 'allow', 'policies are additive: the union of allows');
  assert.deepEqual(both.ingress.by, { policy: 'NetworkPolicy/shop/allow-all-ingress', rule: '/spec/ingress/0' });
  const denyAllOut = np('default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
  assert.equal(verdict([denyAllOut], P(web), P(prom), 8080).verdict, 'deny');
  assert.equal(verdict([denyAllOut], P(prom), P(web), 8080).verdict, 'allow');
});

test('[NP §Behavior of to and from selectors] namespaceSelector+podSelector in one peer is AND, in two peers OR', () => {
  const and = np('and', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { app: 'prometheus' } } }] }] });
  const or = np('or', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }, { podSelector: { matchLabels: { app: 'web' } } }] }] });
  const grafana = pod('monitoring', { app: 'grafana' }, '10.1.0.8');
  assert.equal(verdict([and], P(prom), P(api), 8080).verdict, 'allow');
  assert.equal(verdict([and], P(grafana), P(api), 8080).verdict, 'deny');
  assert.equal(verdict([or], P(grafana), P(api), 8080).verdict, 'allow', 'any pod of an ops namespace');
  assert.equal(verdict([or], P(web), P(api), 8080).verdict, 'allow', 'web pods of the policy namespace');
  assert.equal(verdict([or], P(devPod), P(api), 8080).verdict, 'deny', 'podSelector alone is the policy namespace only');
});

test('[NP §Behavior of to and from selectors] kubernetes.io/metadata.name is set on every namespace; empty selectors select all', () => {
  const byName = np('n', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }] }] });
  assert.equal(verdict([byName], P(devPod), P(api), 8080).verdict, 'allow');
  assert.equal(verdict([byName], P(prom), P(api), 8080).verdict, 'deny');
  const allNs = np('all', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] });
  assert.equal(verdict([allNs], P(devPod), P(api), 8080).verdict, 'allow');
  assert.equal(verdict([allNs], ext('203.0.113.1'), P(api), 8080).verdict, 'deny', 'namespaceSelector {} selects pods, not outside addresses');
  const samNs = np('same', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: {} }] }] });
  assert.equal(verdict([samNs], P(web), P(api), 8080).verdict, 'allow');
  assert.equal(verdict([samNs], P(devPod), P(api), 8080).verdict, 'deny');
});

test('[API reference LabelSelector] matchExpressions In / NotIn / Exists / DoesNotExist', () => {
  const cases: [string, object, SimPod, boolean][] = [
    ['In', { key: 'tier', operator: 'In', values: ['front', 'edge'] }, web, true],
    ['In (absent key)', { key: 'tier', operator: 'In', values: ['front'] }, db, false],
    ['NotIn', { key: 'tier', operator: 'NotIn', values: ['front'] }, web, false],
    ['NotIn (absent key matches)', { key: 'tier', operator: 'NotIn', values: ['front'] }, db, true],
    ['Exists', { key: 'tier', operator: 'Exists' }, web, true],
    ['DoesNotExist', { key: 'tier', operator: 'DoesNotExist' }, db, true],
  ];
  for (const [label, expr, client, want] of cases) {
    const p = np('x', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchExpressions: [expr as never] } }] }] });
    assert.equal(verdict([p], P(client), P(api), 8080).verdict, want ? 'allow' : 'deny', label);
  }
});

test('[NP §ipBlock] ipBlock with except; outside addresses always, pod and node IPs only when the plugin says so', () => {
  const out = np('web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['203.0.113.128/25'] } }], ports: [{ protocol: 'TCP', port: 443 }] }] });
  assert.equal(verdict([out], P(web), ext('203.0.113.5'), 443).verdict, 'allow');
  assert.equal(verdict([out], P(web), ext('203.0.113.200'), 443).verdict, 'deny', 'except');
  assert.equal(verdict([out], P(web), ext('2001:db8::1'), 443).verdict, 'deny', 'an IPv4 block does not select IPv6');
  // A block of addresses (a folded edge's peer, docs/ingest.md "Bounded by design") passes only when every address of it would.
  assert.equal(verdict([out], P(web), ext('203.0.113.0/25'), 443).verdict, 'allow', 'a block outside every except');
  assert.equal(verdict([out], P(web), ext('203.0.113.0/24'), 443).verdict, 'deny', 'a block the except cuts into');
  assert.equal(verdict([out], P(web), ext('203.0.113.192/26'), 443).verdict, 'deny', 'a block inside the except');
  // Pod IPs: the spec leaves it to the plugin; strict default (Cilium) says no.
  assert.equal(verdict([out], P(web), P(api), 443).verdict, 'deny');
  assert.equal(verdict([out], P(web), P(api), 443, 'TCP', { ipBlockMatchesPods: true }).verdict, 'allow');
  // Nodes and host-network pods (their node's IP): Cilium policy-cidr-match-mode.
  assert.equal(verdict([out], P(web), { kind: 'node', node: node1, ip: '192.168.0.10' }, 443).verdict, 'deny');
  assert.equal(verdict([out], P(web), P(hostAgent), 443).verdict, 'deny');
  assert.equal(verdict([out], P(web), P(hostAgent), 443, 'TCP', { ipBlockMatchesNodes: true }).verdict, 'allow');
  // The apiserver here runs on node-1: matched with nodes, or when apiserver matching is on.
  assert.equal(verdict([out], P(web), { kind: 'apiserver', ip: '192.168.0.10' }, 443).verdict, 'deny');
  assert.equal(verdict([out], P(web), { kind: 'apiserver', ip: '192.168.0.10' }, 443, 'TCP', { ipBlockMatchesNodes: true }).verdict, 'allow');
  assert.equal(verdict([out], P(web), { kind: 'apiserver', ip: '192.168.0.10' }, 443, 'TCP', { ipBlockMatchesApiserver: true }).verdict, 'allow');
  const v6 = np('v6', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }] }] });
  assert.equal(verdict([v6], P(web), ext('2001:db8::1'), 443).verdict, 'allow');
});

test('[API reference NetworkPolicyPort] protocol defaults to TCP; port omitted = all ports; endPort range; named ports on the destination pod', () => {
  const p = np('api', {
    podSelector: { matchLabels: { app: 'api' } },
    ingress: [
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] },
      { from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }], ports: [{ protocol: 'TCP', port: 9000, endPort: 9100 }] },
      { from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }], ports: [{ protocol: 'UDP' }] },
    ],
  });
  assert.deepEqual(verdict([p], P(web), P(api), 8080).ingress.by, { policy: 'NetworkPolicy/shop/api', rule: '/spec/ingress/0' });
  assert.equal(verdict([p], P(web), P(api), 8081).verdict, 'deny', 'the named port is 8080 on api');
  assert.equal(verdict([p], P(web), P(api), 8080, 'UDP').verdict, 'deny', 'protocol defaults to TCP');
  assert.deepEqual(verdict([p], P(prom), P(api), 9100).ingress.by, { policy: 'NetworkPolicy/shop/api', rule: '/spec/ingress/1' });
  assert.equal(verdict([p], P(prom), P(api), 9101).verdict, 'deny');
  assert.equal(verdict([p], P(devPod), P(api), 12345, 'UDP').verdict, 'allow', 'no port: every UDP port');
  assert.equal(verdict([p], P(devPod), P(api), 12345, 'TCP').verdict, 'deny');
  // Egress: the name resolves on the destination pod (db's "http" is 9000, not 8080).
  const e = np('web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] });
  assert.equal(verdict([e], P(web), P(db), 9000).verdict, 'allow');
  assert.equal(verdict([e], P(web), P(db), 8080).verdict, 'deny');
  assert.equal(verdict([e], P(web), ext('203.0.113.1'), 8080).verdict, 'deny', 'an outside address has no named ports');
  const sctp = np('sctp', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ protocol: 'SCTP', port: 5432 }] }] });
  assert.equal(verdict([sctp], P(web), P(db), 5432, 'SCTP').verdict, 'allow');
  assert.equal(verdict([sctp], P(web), P(db), 5432, 'TCP').verdict, 'deny');
});

test('[NP §What you can\'t do / hostNetwork] host-network pods are never isolated, and pod selectors do not select them as peers', () => {
  const denyAll = np('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'kube-system');
  assert.equal(verdict([denyAll], P(hostAgent), P(web), 8080).verdict, 'allow');
  assert.equal(verdict([denyAll], P(web), P(hostAgent), 8080).verdict, 'allow');
  const fromAll = np('from-kube-system', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] }] });
  assert.equal(verdict([fromAll], P(hostAgent), P(api), 8080).verdict, 'deny');
});

test('a connection needs both ends: egress of the client and ingress of the server, each with its own deciding rule', () => {
  const out = np('web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }] });
  const inn = np('api-in', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] });
  const v = verdict([out, inn], P(web), P(api), 8080);
  assert.equal(v.verdict, 'deny');
  assert.equal(v.egress.allowed, true);
  assert.equal(v.ingress.allowed, false);
  assert.match(v.ingress.reason, /NetworkPolicy\/shop\/api-in/);
  // Policies of other namespaces and other kinds are ignored.
  const other = np('web-out', { podSelector: {}, policyTypes: ['Egress'] }, 'dev');
  assert.equal(verdict([other, { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'shop' }, spec: {} }], P(web), P(api), 8080).verdict, 'allow');
});

test('both factories fit the shared SimulatorFactory contract and name their engine', () => {
  const factories: [SimulatorFactory, string][] = [[createKubernetesSimulator, 'kubernetes'], [createClusterNetworkPolicySimulator, 'clusternetworkpolicy']];
  for (const [make, engine] of factories) assert.equal(make([], cluster).engine, engine);
});

test('determinism: the deciding rule does not depend on the order of the policies', () => {
  const a = np('a', { podSelector: {}, ingress: [{}] });
  const b = np('b', { podSelector: {}, ingress: [{}] });
  assert.deepEqual(verdict([b, a], P(web), P(api), 80).ingress.by, verdict([a, b], P(web), P(api), 80).ingress.by);
  assert.equal(verdict([b, a], P(web), P(api), 80).ingress.by?.policy, 'NetworkPolicy/shop/a');
});

test('a default deny\'s reason names the first three isolating policies and how many more: its size does not grow with the policies selecting the pod', () => {
  const many = ['a', 'b', 'c', 'd', 'e'].map((n) => np(`deny-${n}`, { podSelector: {}, policyTypes: ['Ingress'] }));
  assert.equal(verdict(many.slice(0, 3), P(web), P(api), 8080).ingress.reason, 'isolated for ingress by NetworkPolicy/shop/deny-a, NetworkPolicy/shop/deny-b, NetworkPolicy/shop/deny-c; no rule allows it');
  assert.equal(verdict(many, P(web), P(api), 8080).ingress.reason, 'isolated for ingress by NetworkPolicy/shop/deny-a, NetworkPolicy/shop/deny-b, NetworkPolicy/shop/deny-c and 2 more; no rule allows it');
});
