/**
 * ClusterNetworkPolicies of one tier and priority tie only where they can match one connection:
 * "If two (or more) policies in the same tier with the same priority could match a connection,
 * then the implementation can apply any of the matching policies" and "CNPs with no ingress rules
 * do not affect ingress traffic" (network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go,
 * Priority, Ingress); "host-networked pods are not included in subject selection" (Subject).
 * "Any of the matching policies" can change a verdict only where they decide differently: policies
 * whose rules of that direction are the same (in order; action, peers, ports) are no tie.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { priorityTies } from '../../recommender/simulate/clusternetworkpolicy/priority-ties.ts';
import type { SimCluster, SimPod } from '../../recommender/simulate/types.ts';

const pod = (namespace: string, app: string, hostNetwork = false): SimPod => ({ namespace, labels: { app }, ips: [], hostNetwork, ports: [] });
const cluster = (pods: SimPod[]): SimCluster => ({ namespaces: [{ name: 'shop', labels: {} }, { name: 'ops', labels: {} }], nodes: [], pods, services: [], apiserver: [], podCIDRs: [] });
const CLUSTER = cluster([pod('shop', 'web'), pod('shop', 'api'), pod('ops', 'agent', true)]);

const ns = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
// Each policy's rules differ from every other's (peers named after the policy) and take two
// actions (an Accept and a Deny): which of them an implementation applies can change a verdict.
const named = (key: string, name: string) => [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { [key]: name } } } }];
const rules = (name: string) => [
  { name: 'r', action: 'Accept', from: named('from', name) },
  { name: 'd', action: 'Deny', from: named('deny', name) },
];
const egressRules = (name: string) => [
  { name: 'r', action: 'Accept', to: named('to', name) },
  { name: 'd', action: 'Deny', to: named('deny', name) },
];
function cnp(name: string, subject: unknown, directions: { ingress?: boolean; egress?: boolean } = { ingress: true }, priority = 200) {
  return withRules(name, subject, directions.ingress ? rules(name) : undefined, directions.egress ? egressRules(name) : undefined, priority);
}
function withRules(name: string, subject: unknown, ingress: unknown[] | undefined, egress: unknown[] | undefined, priority = 200) {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec: { tier: 'Baseline', priority, subject, ...(ingress ? { ingress } : {}), ...(egress ? { egress } : {}) },
  };
}
const onApp = (namespace: string, app: string) => ({ pods: { namespaceSelector: ns(namespace), podSelector: { matchLabels: { app } } } });

test('per-workload policies of one rank whose subjects select disjoint pods do not tie', () => {
  assert.deepEqual(priorityTies([cnp('shop-web', onApp('shop', 'web')), cnp('shop-api', onApp('shop', 'api'))], CLUSTER), []);
});

test('subjects selecting a common pod tie (a namespaces subject through kubernetes.io/metadata.name), in input order', () => {
  const ties = priorityTies([cnp('shop-web', onApp('shop', 'web')), cnp('shop-api', onApp('shop', 'api')), cnp('all-shop', { namespaces: ns('shop') })], CLUSTER);
  assert.deepEqual(ties, [{ tier: 'Baseline', priority: 200, policies: ['ClusterNetworkPolicy/shop-web', 'ClusterNetworkPolicy/shop-api', 'ClusterNetworkPolicy/all-shop'] }]);
});

test('only policies that overlap are named; a rank with two apart groups gives two ties', () => {
  const ties = priorityTies(
    [cnp('a', onApp('shop', 'web')), cnp('b', onApp('shop', 'api')), cnp('c', onApp('shop', 'web')), cnp('d', onApp('shop', 'api')), cnp('e', onApp('ops', 'none'))],
    CLUSTER,
  );
  assert.deepEqual(
    ties.map((t) => t.policies),
    [
      ['ClusterNetworkPolicy/a', 'ClusterNetworkPolicy/c'],
      ['ClusterNetworkPolicy/b', 'ClusterNetworkPolicy/d'],
    ],
  );
});

test('a common pod in different directions, at different priorities, or host-network only is no tie', () => {
  assert.deepEqual(priorityTies([cnp('in', onApp('shop', 'web'), { ingress: true }), cnp('out', onApp('shop', 'web'), { egress: true })], CLUSTER), []);
  assert.deepEqual(priorityTies([cnp('p1', onApp('shop', 'web'), { ingress: true }, 100), cnp('p2', onApp('shop', 'web'), { ingress: true }, 200)], CLUSTER), []);
  assert.deepEqual(priorityTies([cnp('h1', onApp('ops', 'agent')), cnp('h2', { namespaces: ns('ops') })], CLUSTER), []);
});

test('without a pod-network pod in the inventory, every policy of a rank is taken as tying', () => {
  const ties = priorityTies([cnp('shop-web', onApp('shop', 'web')), cnp('shop-api', onApp('shop', 'api'))], cluster([pod('ops', 'agent', true)]));
  assert.deepEqual(ties, [{ tier: 'Baseline', priority: 200, policies: ['ClusterNetworkPolicy/shop-web', 'ClusterNetworkPolicy/shop-api'] }]);
});

// The isolations flowmatrix emits with --shared (a namespace's own and a cluster-wide layer's,
// each workload's): one Deny of everyone per direction, the same in each policy of the rank.
const denyIngress = { name: 'deny all other ingress', action: 'Deny', from: [{ namespaces: {} }] };
const denyEgress = { name: 'deny all other egress', action: 'Deny', to: [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }] };

test('policies of one rank whose rules of the tied direction are the same decide alike: no tie, whatever the order of peers, ports and selector keys', () => {
  const egressReordered = { name: 'other name', action: 'Deny', to: [{ networks: ['::/0', '0.0.0.0/0'] }, { namespaces: {} }] };
  const ports = (order: number[]) => order.map((n) => ({ tcp: { destinationPort: { number: n } } }));
  const sel = (labels: Record<string, string>) => ({ pods: { namespaceSelector: {}, podSelector: { matchLabels: labels } } });
  assert.deepEqual(
    priorityTies(
      [
        withRules('cluster-shared', { namespaces: ns('shop') }, undefined, [denyEgress]),
        withRules('web-isolation', onApp('shop', 'web'), [denyIngress], [egressReordered]),
        withRules('shop-shared', { namespaces: ns('shop') }, [denyIngress], undefined),
      ],
      CLUSTER,
    ),
    [],
  );
  const accept = (labels: Record<string, string>, order: number[]) => ({ name: 'a', action: 'Accept', from: [sel(labels)], protocols: ports(order) });
  assert.deepEqual(priorityTies([withRules('a', onApp('shop', 'web'), [accept({ x: '1', y: '2' }, [80, 443])], undefined), withRules('b', { namespaces: ns('shop') }, [accept({ y: '2', x: '1' }, [443, 80])], undefined)], CLUSTER), []);
  // Without a pod-network pod every policy of a rank is taken as tying: still none where all decide alike.
  assert.deepEqual(priorityTies([withRules('a', onApp('shop', 'web'), [denyIngress], [denyEgress]), withRules('b', onApp('shop', 'api'), [denyIngress], [denyEgress])], cluster([pod('ops', 'agent', true)])), []);
});

test('a tie whose rules differ in action, peers, ports or order is still warned of, naming every policy of it', () => {
  const accept = { name: 'a', action: 'Accept', from: [{ namespaces: {} }] };
  const tie = (x: unknown[], y: unknown[]) => priorityTies([withRules('x', onApp('shop', 'web'), x, undefined), withRules('y', { namespaces: ns('shop') }, y, undefined), withRules('z', { namespaces: ns('shop') }, x, undefined)], CLUSTER).map((t) => t.policies);
  const all = [['ClusterNetworkPolicy/x', 'ClusterNetworkPolicy/y', 'ClusterNetworkPolicy/z']];
  assert.deepEqual(tie([denyIngress], [accept]), all, 'action');
  assert.deepEqual(tie([accept, denyIngress], [accept, { ...denyIngress, from: [{ namespaces: ns('ops') }] }]), all, 'peers');
  assert.deepEqual(tie([accept, denyIngress], [{ ...accept, protocols: [{ tcp: { destinationPort: { number: 80 } } }] }, denyIngress]), all, 'ports');
  assert.deepEqual(tie([accept, denyIngress], [denyIngress, accept]), all, 'order');
  assert.deepEqual(tie([accept], [accept, denyIngress]), all, 'one more rule');
});

test('policies of one rank whose rules all take one action decide alike in any order: no tie (the first rule that matches gives that action, none matching goes on)', () => {
  const acceptFrom = (app: string) => ({ name: 'a', action: 'Accept', from: [onApp('ops', app)] });
  // --shared Accept-only layers over one namespace: different peers, one action.
  assert.deepEqual(priorityTies([withRules('x', onApp('shop', 'web'), [acceptFrom('a')], undefined), withRules('y', { namespaces: ns('shop') }, [acceptFrom('b'), acceptFrom('c')], undefined)], CLUSTER), []);
  assert.deepEqual(priorityTies([withRules('x', onApp('shop', 'web'), [denyIngress], undefined), withRules('y', { namespaces: ns('shop') }, [{ ...denyIngress, from: [onApp('ops', 'b')] }], undefined)], CLUSTER), []);
  // One Accept beside a Deny of another peer is a tie: a connection both match is accepted or denied by which is applied.
  assert.deepEqual(
    priorityTies([withRules('x', onApp('shop', 'web'), [acceptFrom('a')], undefined), withRules('y', { namespaces: ns('shop') }, [denyIngress], undefined)], CLUSTER).map((t) => t.policies),
    [['ClusterNetworkPolicy/x', 'ClusterNetworkPolicy/y']],
  );
});
