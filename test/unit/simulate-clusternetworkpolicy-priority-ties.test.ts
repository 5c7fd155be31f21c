/**
 * ClusterNetworkPolicies of one tier and priority tie only where they can match one connection:
 * "If two (or more) policies in the same tier with the same priority could match a connection,
 * then the implementation can apply any of the matching policies" and "CNPs with no ingress rules
 * do not affect ingress traffic" (network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go,
 * Priority, Ingress); "host-networked pods are not included in subject selection" (Subject).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { priorityTies } from '../../recommender/simulate/clusternetworkpolicy/priority-ties.ts';
import type { SimCluster, SimPod } from '../../recommender/simulate/types.ts';

const pod = (namespace: string, app: string, hostNetwork = false): SimPod => ({ namespace, labels: { app }, ips: [], hostNetwork, ports: [] });
const cluster = (pods: SimPod[]): SimCluster => ({ namespaces: [{ name: 'shop', labels: {} }, { name: 'ops', labels: {} }], nodes: [], pods, services: [], apiserver: [], podCIDRs: [] });
const CLUSTER = cluster([pod('shop', 'web'), pod('shop', 'api'), pod('ops', 'agent', true)]);

const ns = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const rule = { name: 'r', action: 'Accept', from: [{ namespaces: {} }] };
const egressRule = { name: 'r', action: 'Accept', to: [{ namespaces: {} }] };
function cnp(name: string, subject: unknown, directions: { ingress?: boolean; egress?: boolean } = { ingress: true }, priority = 200) {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec: { tier: 'Baseline', priority, subject, ...(directions.ingress ? { ingress: [rule] } : {}), ...(directions.egress ? { egress: [egressRule] } : {}) },
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
