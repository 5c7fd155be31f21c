/**
 * Which manifests a namespace's simulator is built from (recommender/verify/namespace-chunks.ts).
 * Verdicts cited: a namespaced NetworkPolicy / CiliumNetworkPolicy / Calico NetworkPolicy selects
 * pods of its own namespace only (kubernetes/website network-policies.md; cilium
 * Documentation/security/policy/intro.rst; projectcalico/calico networkpolicy.mdx); a
 * ClusterNetworkPolicy selects the pods of its subject (kubernetes-sigs/network-policy-api
 * apis/v1alpha2/clusternetworkpolicy_types.go), and `kubernetes.io/metadata.name` is the
 * namespace's name, set by the API server on every namespace.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manifestsByNamespace, selectedNamespace } from '../../recommender/verify/namespace-chunks.ts';

const np = (ns: string, name: string) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: ns, name }, spec: { podSelector: {} } });
const cnp = (name: string, subject: unknown) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec: { tier: 'Baseline', priority: 10, subject } });
const byName = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });

test('a namespaced manifest selects pods of its namespace only', () => {
  assert.equal(selectedNamespace(np('shop', 'a')), 'shop');
  assert.equal(selectedNamespace({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { namespace: 'db', name: 'x' }, spec: {} }), 'db');
});

test('a ClusterNetworkPolicy whose subject names exactly one namespace by kubernetes.io/metadata.name selects pods there only', () => {
  assert.equal(selectedNamespace(cnp('a', { namespaces: byName('shop') })), 'shop');
  assert.equal(selectedNamespace(cnp('b', { pods: { namespaceSelector: byName('db'), podSelector: { matchLabels: { app: 'db' } } } })), 'db');
});

test('any other cluster-scoped manifest may select pods anywhere', () => {
  // In a set of namespaces, another label, an extra label (still one namespace, but not said by its name alone), no namespace at all.
  assert.equal(selectedNamespace(cnp('c', { namespaces: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop'] }] } })), undefined);
  assert.equal(selectedNamespace(cnp('d', { namespaces: { matchLabels: { team: 'shop' } } })), undefined);
  assert.equal(selectedNamespace(cnp('e', { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop', team: 'x' } } })), undefined);
  assert.equal(selectedNamespace({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'w' }, spec: {} }), undefined);
  assert.equal(selectedNamespace({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'g' }, spec: { namespaceSelector: "projectcalico.org/name == 'shop'" } }), undefined);
});

test("a namespace's simulator gets its own manifests and those that may select anywhere, never another namespace's", () => {
  const shopA = np('shop', 'a');
  const shopB = np('shop', 'b');
  const dbA = np('db', 'a');
  const shopCnp = cnp('s', { namespaces: byName('shop') });
  const everywhere = cnp('all', { namespaces: {} });
  const g = manifestsByNamespace([shopA, dbA, everywhere, shopCnp, shopB]);
  assert.deepEqual(g.of('shop'), [shopA, shopCnp, shopB, everywhere]);
  assert.deepEqual(g.of('db'), [dbA, everywhere]);
  assert.deepEqual(g.of('other'), [everywhere]);
});
