/** The engine a set of manifests is written for: `simulate` infers it when the caller does not name one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inferEngine } from '../../recommender/simulate/decide.ts';

const m = (apiVersion: string, kind: string) => ({ apiVersion, kind, metadata: { name: 'x' } });

test('NetworkPolicies alone are kubernetes; with another engine\'s kinds that engine; a Calico Tier (what orders Calico policies) is Calico\'s', () => {
  assert.equal(inferEngine([m('networking.k8s.io/v1', 'NetworkPolicy')]), 'kubernetes');
  assert.equal(inferEngine([m('networking.k8s.io/v1', 'NetworkPolicy'), m('cilium.io/v2', 'CiliumNetworkPolicy')]), 'cilium');
  assert.equal(inferEngine([m('projectcalico.org/v3', 'Tier'), m('projectcalico.org/v3', 'GlobalNetworkPolicy')]), 'calico');
  // Calico enforces the network-policy-api's kinds in its kube-admin and kube-baseline tiers.
  assert.equal(inferEngine([m('projectcalico.org/v3', 'GlobalNetworkPolicy'), m('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy')]), 'calico');
  assert.equal(inferEngine([m('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy')]), 'clusternetworkpolicy');
});

test('two engines at once, or nothing to infer from, is an error that says how to name the engine on the CLI and over the API', () => {
  assert.throws(() => inferEngine([m('cilium.io/v2', 'CiliumNetworkPolicy'), m('projectcalico.org/v3', 'NetworkPolicy')]), /several engines \(calico, cilium\): name one \(`--engine` on the command line, `engine` in the API request\)/);
  assert.throws(() => inferEngine([]), /nothing to infer the engine from \(`--engine` on the command line, `engine` in the API request: kubernetes\|cilium\|calico\|clusternetworkpolicy\)/);
  assert.throws(() => inferEngine([m('v1', 'ConfigMap')]), /not a network policy kind any engine enforces: v1 ConfigMap/);
});

test('the network-policy-api\'s kinds are judged by the plugin the inventory shows, as beside a recommendation (decide.ts enforcingEngine): Calico converts them into its tiers; Cilium enforces them only with enable-k8s-cluster-network-policy, so its simulator judges and names them not evaluated', () => {
  const cnp = m('policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy');
  const np = m('networking.k8s.io/v1', 'NetworkPolicy');
  assert.equal(inferEngine([np, cnp]), 'clusternetworkpolicy');
  assert.equal(inferEngine([np, cnp], 'calico'), 'calico');
  assert.equal(inferEngine([np, cnp], 'cilium'), 'cilium');
  // With Cilium's own kinds on a Cilium cluster: Cilium, not two engines.
  assert.equal(inferEngine([cnp, m('cilium.io/v2', 'CiliumNetworkPolicy')], 'cilium'), 'cilium');
});
