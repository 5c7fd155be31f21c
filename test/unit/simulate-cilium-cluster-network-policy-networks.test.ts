/**
 * A ClusterNetworkPolicy `networks` peer as Cilium enforces it (1.20 on, `enable-k8s-cluster-network-policy:
 * "true"`): cilium/cilium pkg/k8s/cluster_network_policy.go ParseClusterNetworkPolicy turns it into
 * CIDR selectors (`case rule.Networks != nil: egress.L3 = kcnpParseCIDRSelectors(rule.Networks)`,
 * each `types.ToSelector(api.CIDR(cidr))`), and a Cilium CIDR selector selects only identities
 * with CIDR labels: never a pod ("CIDR rules do not apply to traffic where both sides of the
 * connection are either managed by Cilium or use an IP belonging to a node in the cluster",
 * docs.cilium.io policy language, Layer 3 "CIDR-based"), a node only with `policy-cidr-match-mode:
 * nodes` (pkg/ipcache metadata.go resolveIdentity: "It is not allowed for nodes to have CIDR labels,
 * unless policy-cidr-match-mode includes nodes"). The API text says `networks` match pod-to-pod
 * traffic too ([API Networks]): the clusternetworkpolicy simulator keeps that reading; the cilium
 * one reads them as Cilium does. Input → expected verdict.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CiliumPolicySettings } from '../../domain/inventory.ts';
import { createClusterNetworkPolicySimulator } from '../../recommender/simulate/clusternetworkpolicy.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimCluster, SimEndpoint, SimPod } from '../../recommender/simulate/types.ts';

const pod = (namespace: string, labels: Record<string, string>, ip: string): SimPod => ({ namespace, labels, ips: [ip], hostNetwork: false, ports: [] });
const web = pod('shop', { app: 'web' }, '10.1.0.2');
const db = pod('data', { app: 'db' }, '10.1.0.7');
const node = { name: 'node-2', labels: {}, ips: ['192.168.0.11'] };
const SETTINGS: CiliumPolicySettings = { policyCidrMatchMode: [], enableSctp: false, allowLocalhost: 'auto', enablePolicy: 'default', enableK8sClusterNetworkPolicy: true };
const cluster = (settings: Partial<CiliumPolicySettings> = {}, image: string | undefined = 'quay.io/cilium/cilium:v1.20.1'): SimCluster => ({
  namespaces: ['shop', 'data'].map((name) => ({ name, labels: {} })),
  nodes: [node],
  pods: [web, db],
  services: [],
  apiserver: [],
  podCIDRs: ['10.1.0.0/16'],
  ciliumClusterName: 'default',
  ciliumPolicy: { ...SETTINGS, ...settings },
  ...(image !== undefined ? { ciliumAgentImage: image } : {}),
});
const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const nsSel = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const EVERYWHERE = ['0.0.0.0/0', '::/0'];
const subject = { pods: { namespaceSelector: nsSel('shop'), podSelector: { matchLabels: { app: 'web' } } } };
const cnp = (name: string, priority: number, egress: unknown[]): unknown => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec: { tier: 'Baseline', priority, subject, egress } });
/** web's allowlist (`networks` alone) and its isolation, as flowmatrix wrote a `world` egress rule before. */
const networksOnly = [
  cnp('web', 200, [{ name: 'anywhere', action: 'Accept', to: [{ networks: EVERYWHERE }] }]),
  cnp('web-isolation', 500, [{ name: 'deny all other egress', action: 'Deny', to: [{ namespaces: {} }, { networks: EVERYWHERE }] }]),
];
/** The same allowlist with every pod beside the networks, as the engine now writes it (everyone('egress')). */
const podsAndNetworks = [cnp('web', 200, [{ name: 'anywhere', action: 'Accept', to: [{ namespaces: {} }, { networks: EVERYWHERE }] }]), networksOnly[1]];

const egressOf = (sim: ReturnType<typeof createClusterNetworkPolicySimulator>, server: SimEndpoint, port: number) => {
  const flow = { client: P(web), server, port, protocol: 'TCP' as const };
  const v = sim.evaluate(flow);
  assert.equal(sim.allows?.(flow, 'egress'), v.egress.allowed, 'allows() agrees with the words');
  return v.egress;
};

test('Cilium 1.20 (tiered): an Accept of networks 0.0.0.0/0, ::/0 selects no pod (kcnpParseCIDRSelectors → CIDR selectors), so the isolation\'s `namespaces: {}` Deny cuts pod-to-pod egress; the outside address is accepted', () => {
  const sim = SIMULATORS.cilium(networksOnly, cluster());
  const toDb = egressOf(sim, P(db), 5432);
  assert.equal(toDb.allowed, false, toDb.reason);
  assert.match(toDb.reason, /denied by Baseline tier egress rule "deny all other egress" of ClusterNetworkPolicy\/web-isolation/);
  assert.equal(egressOf(sim, { kind: 'external', ip: '203.0.113.9' }, 443).allowed, true);
  // Every pod beside the networks: accepted on Cilium too.
  assert.equal(egressOf(SIMULATORS.cilium(podsAndNetworks, cluster()), P(db), 5432).allowed, true);
});

test('the API\'s own reading ([API Networks]: "if you Accept or Deny traffic to 0.0.0.0/0, that will allow or deny all IPv4 pod-to-pod traffic as well"): the clusternetworkpolicy simulator accepts the same pod-to-pod egress', () => {
  const toDb = egressOf(createClusterNetworkPolicySimulator(networksOnly, cluster()), P(db), 5432);
  assert.equal(toDb.allowed, true, toDb.reason);
});

test('Cilium build not known (no agent image: tiered and untiered readings): networks select no pod in either, so the pod-to-pod egress is denied', () => {
  const toDb = egressOf(SIMULATORS.cilium(networksOnly, cluster({}, undefined)), P(db), 5432);
  assert.equal(toDb.allowed, false, toDb.reason);
});

test('Cilium: a node address is selected by networks only with policy-cidr-match-mode: nodes (pkg/ipcache metadata.go resolveIdentity), as a CIDR selector is', () => {
  const denyNodes = [cnp('deny-nodes', 10, [{ name: 'deny nodes', action: 'Deny', to: [{ networks: ['192.168.0.0/16'] }] }])];
  const toNode: SimEndpoint = { kind: 'node', node, ip: '192.168.0.11' };
  assert.equal(egressOf(SIMULATORS.cilium(denyNodes, cluster()), toNode, 10250).allowed, true, 'no CIDR labels on a node by default');
  assert.equal(egressOf(SIMULATORS.cilium(denyNodes, cluster({ policyCidrMatchMode: ['nodes'] })), toNode, 10250).allowed, false, 'policy-cidr-match-mode: nodes');
  assert.equal(egressOf(createClusterNetworkPolicySimulator(denyNodes, cluster()), toNode, 10250).allowed, false, 'the API reading: networks match any address');
});
