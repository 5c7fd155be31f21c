/**
 * The `kubernetes` simulator against the truth tables of the upstream NetworkPolicy e2e
 * conformance tests (kubernetes/kubernetes test/e2e/network/netpol/network_policy.go, each case
 * named as its `f.It`): pods `x/a`, `x/b`, … labelled `pod: <name>`, serving TCP 80 and 81 on
 * ports named `serve-80-tcp` / `serve-81-tcp`; reachability starts all-true and the case's
 * `Expect*` calls change it; loopback is ignored, as upstream does (ignoreLoopback).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkPolicySpec } from '../../recommender/engines/wire/kubernetes.ts';
import { createKubernetesSimulator } from '../../recommender/simulate/kubernetes.ts';
import type { SimCluster, SimPod } from '../../recommender/simulate/types.ts';

type PodName = `${'x' | 'y' | 'z'}/${string}`;

function cluster(names: PodName[]): { cluster: SimCluster; pods: Map<string, SimPod> } {
  const pods = new Map<string, SimPod>();
  names.forEach((n, i) => {
    const [namespace, pod] = n.split('/') as [string, string];
    pods.set(n, { namespace, name: pod, labels: { pod }, ips: [`10.0.0.${i + 1}`], hostNetwork: false, ports: [80, 81].map((port) => ({ name: `serve-${port}-tcp`, port, protocol: 'TCP' as const })) });
  });
  return { cluster: { namespaces: ['x', 'y', 'z'].map((name) => ({ name, labels: { ns: name } })), nodes: [], pods: [...pods.values()], services: [], apiserver: [], podCIDRs: [] }, pods };
}

/** upstream Reachability: from → to → expected, all true at first. */
class Reachability {
  readonly expected = new Map<string, boolean>();
  constructor(private readonly names: PodName[]) {
    for (const a of names) for (const b of names) this.expected.set(`${a}>${b}`, true);
  }
  /** ExpectPeer(from, to, v): namespace and/or pod filters, undefined = any. */
  peer(from: { ns?: string; pod?: string }, to: { ns?: string; pod?: string }, v: boolean): this {
    const hit = (n: string, f: { ns?: string; pod?: string }) => (f.ns === undefined || n.startsWith(`${f.ns}/`)) && (f.pod === undefined || n.endsWith(`/${f.pod}`));
    for (const a of this.names) for (const b of this.names) if (hit(a, from) && hit(b, to)) this.expected.set(`${a}>${b}`, v);
    return this;
  }
  allIngress(to: PodName, v: boolean): this {
    for (const a of this.names) this.expected.set(`${a}>${to}`, v);
    return this;
  }
  expect(from: PodName, to: PodName, v: boolean): this {
    this.expected.set(`${from}>${to}`, v);
    return this;
  }
}

const np = (name: string, spec: Partial<NetworkPolicySpec>, namespace = 'x'): unknown => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: { podSelector: {}, ...spec } });
/** GenNetworkPolicyWithNameAndPodMatchLabel(name, {pod: a}, SetSpecIngressRules(rules…)). */
const ingressOnA = (name: string, rules: NetworkPolicySpec['ingress']): unknown => np(name, { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'], ingress: rules });
const notInX = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn' as const, values: ['x'] }] };

function validate(names: PodName[], policies: unknown[], port: number, reach: Reachability): void {
  const { cluster: c, pods } = cluster(names);
  const sim = createKubernetesSimulator(policies, c);
  const wrong: string[] = [];
  for (const a of names) {
    for (const b of names) {
      if (a === b) continue;
      const got = sim.evaluate({ client: { kind: 'pod', pod: pods.get(a)! }, server: { kind: 'pod', pod: pods.get(b)! }, port, protocol: 'TCP' }).verdict === 'allow';
      if (got !== reach.expected.get(`${a}>${b}`)) wrong.push(`${a} → ${b}:${port} got ${got ? 'allow' : 'deny'}`);
    }
  }
  assert.deepEqual(wrong, []);
}

test("should support a 'default-deny-ingress' policy", () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a', 'y/b'];
  validate(names, [np('deny-ingress', { policyTypes: ['Ingress'] })], 80, new Reachability(names).peer({}, { ns: 'x' }, false));
});

test("should support a 'default-deny-all' policy", () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a'];
  validate(names, [np('deny-all', { policyTypes: ['Ingress', 'Egress'] })], 80, new Reachability(names).peer({}, { ns: 'x' }, false).peer({ ns: 'x' }, {}, false));
});

test('should enforce policy to allow traffic from pods within server namespace based on PodSelector', () => {
  const names: PodName[] = ['x/a', 'x/b', 'x/c', 'y/a'];
  validate(names, [ingressOnA('x-a-allows-x-b', [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }])], 80, new Reachability(names).allIngress('x/a', false).expect('x/b', 'x/a', true));
});

test('should enforce policy to allow ingress traffic for a target', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a'];
  const policies = [np('deny-all', { policyTypes: ['Ingress'] }), ingressOnA('allow-all-to-a', [{ from: [{ podSelector: {}, namespaceSelector: {} }] }])];
  validate(names, policies, 80, new Reachability(names).allIngress('x/a', true).allIngress('x/b', false));
});

test('should enforce policy to allow ingress traffic from pods in all namespaces', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a', 'z/a'];
  validate(names, [ingressOnA('allow-from-another-ns', [{ from: [{ namespaceSelector: { matchLabels: {} } }] }])], 80, new Reachability(names));
});

test('should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector (and with MatchExpressions)', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a', 'z/a'];
  const reach = new Reachability(names).peer({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).peer({ ns: 'z' }, { ns: 'x', pod: 'a' }, false);
  validate(names, [ingressOnA('allow-client-a-via-ns-selector', [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }])], 80, reach);
  validate(names, [ingressOnA('allow-ns-y-match-selector', [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['y'] }] } }] }])], 80, reach);
});

test('should enforce policy based on PodSelector with MatchExpressions', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a'];
  validate(names, [ingressOnA('x-a-allows-x-b', [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] }])], 80, new Reachability(names).allIngress('x/a', false).expect('x/b', 'x/a', true));
});

test('should enforce policy based on PodSelector or NamespaceSelector', () => {
  const names: PodName[] = ['x/a', 'x/b', 'x/c', 'y/a'];
  validate(names, [ingressOnA('allow-ns-y-match-selector', [{ from: [{ namespaceSelector: notInX }, { podSelector: { matchLabels: { pod: 'b' } } }] }])], 80, new Reachability(names).expect('x/a', 'x/a', false).expect('x/c', 'x/a', false));
});

test('should enforce policy based on PodSelector and NamespaceSelector', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a', 'y/b', 'z/b'];
  validate(names, [ingressOnA('allow-ns-y-podselector-and-nsselector', [{ from: [{ namespaceSelector: notInX, podSelector: { matchLabels: { pod: 'b' } } }] }])], 80, new Reachability(names).allIngress('x/a', false).expect('y/b', 'x/a', true).expect('z/b', 'x/a', true));
});

test('should enforce policy based on Multiple PodSelectors and NamespaceSelectors', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a', 'y/b', 'y/c'];
  const rule = { from: [{ namespaceSelector: notInX, podSelector: { matchExpressions: [{ key: 'pod', operator: 'In' as const, values: ['b', 'c'] }] } }] };
  validate(names, [ingressOnA('allow-ns-y-z-pod-b-c', [rule])], 80, new Reachability(names).peer({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).expect('y/a', 'x/a', false));
});

test('should enforce policy based on any PodSelectors', () => {
  const names: PodName[] = ['x/a', 'x/b', 'x/c'];
  validate(names, [ingressOnA('allow-ns-x-pod-b-c', [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }, { podSelector: { matchLabels: { pod: 'c' } } }] }])], 80, new Reachability(names).allIngress('x/a', false).expect('x/b', 'x/a', true).expect('x/c', 'x/a', true));
});

test('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a', 'y/b', 'z/a'];
  validate(names, [ingressOnA('allow-ns-y-pod-a-via-namespace-pod-selector', [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } }, podSelector: { matchLabels: { pod: 'a' } } }] }])], 80, new Reachability(names).allIngress('x/a', false).expect('y/a', 'x/a', true));
});

test('should enforce policy based on Ports / multiple, stacked policies with overlapping podSelectors', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a', 'y/b', 'z/a'];
  const allowY = (port: number, name: string) => ingressOnA(name, [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }], ports: [{ port, protocol: 'TCP' }] }]);
  const allow = new Reachability(names).peer({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).peer({ ns: 'y' }, { ns: 'x', pod: 'a' }, true).peer({ ns: 'z' }, { ns: 'x', pod: 'a' }, false);
  validate(names, [allowY(81, 'allow-client-a-via-ns-selector')], 81, allow);
  validate(names, [allowY(81, 'allow-client-a-via-ns-selector')], 80, new Reachability(names).allIngress('x/a', false));
  validate(names, [allowY(81, 'allow-client-a-via-ns-selector'), allowY(80, 'allow-client-a-via-ns-selector-80')], 80, allow);
});

test('should support allow-all policy', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a'];
  for (const port of [80, 81]) validate(names, [np('allow-all', { policyTypes: ['Ingress'], ingress: [{}] })], port, new Reachability(names));
});

test('should allow ingress access on one named port', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a'];
  const policy = np('allow-all', { policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] });
  validate(names, [policy], 81, new Reachability(names));
  validate(names, [policy], 80, new Reachability(names).peer({}, { ns: 'x' }, false));
});

test('should allow ingress access from namespace on one named port', () => {
  const names: PodName[] = ['x/a', 'x/b', 'y/a', 'z/a'];
  const policy = ingressOnA('allow-client-a-via-ns-selector-80', [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }], ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] }]);
  validate(names, [policy], 80, new Reachability(names).peer({ ns: 'x' }, { ns: 'x', pod: 'a' }, false).peer({ ns: 'z' }, { ns: 'x', pod: 'a' }, false));
  validate(names, [policy], 81, new Reachability(names).allIngress('x/a', false));
});

test('should allow egress access on one named port', () => {
  const names: PodName[] = ['x/a', 'y/a'];
  const policy = np('allow-egress', { policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] });
  validate(names, [policy], 80, new Reachability(names));
  validate(names, [policy], 81, new Reachability(names).peer({ ns: 'x' }, {}, false));
});
