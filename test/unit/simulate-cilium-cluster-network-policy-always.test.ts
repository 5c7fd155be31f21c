/**
 * ClusterNetworkPolicies on Cilium 1.20 under `enable-policy: always` (input → expected verdict).
 * Cilium orders an endpoint's policy in tiers — Admin, Normal (its own and the Kubernetes
 * policies), Baseline (pkg/policy/types/policyentry.go `Admin`, `Normal`, `Baseline`) — and keeps
 * its own default rule, the allow-all or deny-all fallback, in a tier of its own after Baseline
 * (cilium/design-cfps CFP-42904 "Rule evaluation order": "one for the explicit default allow or
 * deny", the Default range after Baseline, "The Default tier will only contain a single 'allow all'
 * or 'deny all' fallback rule"; cilium/cilium#44612 review: "we currently need at least one tier for
 * the Cilium internal default policy rules at the end, so baseline can not be 255"). Under `always`
 * that fallback is deny-all (pkg/policy/repository.go computePolicyEnforcementAndRules: AlwaysEnforce
 * enables default deny in both directions), so a pod no Normal-tier rule selects falls through to
 * the Baseline tier ("Pods not selected by any v1.NetworkPolicy fall through to the Baseline
 * tier") before it: a Baseline Accept allows, a Baseline Deny denies, and what no tier decides is
 * denied. A pod a Normal-tier policy isolates is decided there, as without `always`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CiliumPolicySettings } from '../../domain/inventory.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimPod } from '../../recommender/simulate/types.ts';

const pod = (namespace: string, labels: Record<string, string>, ip: string): SimPod => ({ namespace, name: Object.values(labels)[0]!, labels, ips: [ip], node: 'node-a', hostNetwork: false, ports: [] });
const web = pod('shop', { app: 'web' }, '10.1.0.1');
const db = pod('data', { app: 'db' }, '10.1.0.7');
const SETTINGS: CiliumPolicySettings = { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto', enablePolicy: 'always', enableK8sClusterNetworkPolicy: true };
const cluster: SimCluster = {
  namespaces: ['shop', 'data'].map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } })),
  nodes: [{ name: 'node-a', labels: {}, ips: ['10.0.0.1'] }],
  pods: [web, db],
  services: [],
  apiserver: [],
  podCIDRs: ['10.1.0.0/16'],
  ciliumClusterName: 'default',
  ciliumPolicy: SETTINGS,
  ciliumAgentImage: 'quay.io/cilium/cilium:v1.20.1',
};
const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const ns = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const baseline = (name: string, action: 'Accept' | 'Deny', port: number) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name },
  spec: { tier: 'Baseline', priority: 10, subject: { namespaces: ns('shop') }, egress: [{ name, action, to: [{ namespaces: ns('data') }], protocols: [{ tcp: { destinationPort: { number: port } } }] }] },
});

function egress(policies: unknown[], port: number) {
  const sim = SIMULATORS.cilium(policies, cluster);
  const flow: SimFlow = { client: P(web), server: P(db), port, protocol: 'TCP' };
  const v = sim.side!(flow, 'egress');
  assert.equal(sim.allows!(flow, 'egress'), v.allowed, 'allows() agrees with side()');
  return v;
}

test('enable-policy: always: a Baseline Accept allows a pod no Normal-tier rule selects, before the deny-all fallback', () => {
  const v = egress([baseline('db', 'Accept', 5432)], 5432);
  assert.equal(v.allowed, true, v.reason);
  assert.match(v.reason, /accepted by Baseline tier egress rule "db"/);
});

test('enable-policy: always: what no tier decides is denied, a Baseline Deny denies', () => {
  const other = egress([baseline('db', 'Accept', 5432)], 6379);
  assert.equal(other.allowed, false);
  assert.equal(other.enablePolicyAlways, true, 'the deny-all fallback of `always`');
  assert.equal(egress([baseline('db', 'Deny', 5432)], 5432).allowed, false);
});

test('enable-policy: always: a pod a CiliumNetworkPolicy isolates is decided in the Normal tier; the Baseline tier is not read', () => {
  const isolating = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web-out', namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'none' } }] }] } };
  const v = egress([baseline('db', 'Accept', 5432), isolating], 5432);
  assert.equal(v.allowed, false, v.reason);
  assert.match(v.reason, /default deny/);
});
