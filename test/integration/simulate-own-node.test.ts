/**
 * `simulate` of a connection from the pod's own node (`kubelet:<node>`, docs/ingest.md: the kubelet, or
 * a host-network pod there). It was answered `unknown` ("kubelet probes from the pod's own node are
 * never policy rules"), though each engine says what it does with that traffic:
 * - kubernetes: Kubernetes, "Network Policies": "traffic to and from the node where a Pod is running
 *   is always allowed, regardless of the IP address of the Pod or the node";
 * - cilium: the local host reaches its pods whatever the policy (`allow-localhost`, `auto` being
 *   `always` under Kubernetes: cilium/cilium#754, pkg/policy mapstate.go determineAllowLocalhostIngress);
 * - calico: felix does not police it (projectcalico/calico felix/rules/static.go filterOutputChain:
 *   "We don't currently police host -> endpoint according to the endpoint's ingress policy");
 * - clusternetworkpolicy: its ingress peers select pods and namespaces, host-networked pods
 *   excluded (network-policy-api apis/v1alpha2 clusternetworkpolicy_types.go), so none selects the
 *   node, and NetworkPolicies always allow it.
 * Input: a policy per engine that denies web's ingress from everything; expected: the own node is
 * `allow` on every engine, a remote node (`node:node-b`) `deny` where a rule can name it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES, type EngineName } from '../../recommender/engines/index.ts';
import { barePodItem, namespaceItem, nodeItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('b')}
${nodeItem('node-a', '10.244.1.0/24', '192.168.0.11')}
${nodeItem('node-b', '10.244.2.0/24', '192.168.0.12')}
${barePodItem({ namespace: 'b', name: 'web', ip: '10.244.1.10', ports: [8080], node: 'node-a' })}
`;

/** Web's ingress closed to every peer. */
const DENY_ALL: Record<EngineName, string> = {
  kubernetes: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: b }
spec: { podSelector: { matchLabels: { app: web } }, policyTypes: [Ingress] }
`,
  cilium: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: b }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress: [{ fromEndpoints: [{ matchLabels: { app: nobody } }] }]
`,
  calico: `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: b }
spec: { selector: app == 'web', types: [Ingress] }
`,
  clusternetworkpolicy: `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: web }
spec: { tier: Admin, priority: 10, subject: { namespaces: {} }, ingress: [{ name: r, action: Deny, from: [{ namespaces: {} }] }] }
`,
};

const edge = (client: string) => ({ client, server: 'workload:b/Pod/web', port: 8080, protocol: 'TCP' });

for (const engine of ENGINE_NAMES) {
  test(`${engine}: a connection from the pod's own node is allowed whatever the policy, with the engine's reason`, () => {
    const { db } = tmpDb();
    importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: Date.parse(T) });
    const flows = JSON.stringify([edge('kubelet:node-a'), edge('node:node-b')]);
    const [own, remote] = simulateFlows(db, { engine, policies: DENY_ALL[engine], flows, format: 'edges' }).decisions;
    assert.equal(own!.verdict, 'allow', JSON.stringify(own));
    assert.match(own!.ingress?.reason ?? '', engine === 'cilium' ? /local host always reaches its own pods/ : /own node/, JSON.stringify(own));
    assert.equal(remote!.verdict, engine === 'clusternetworkpolicy' ? 'allow' : 'deny', JSON.stringify(remote));
  });
}
