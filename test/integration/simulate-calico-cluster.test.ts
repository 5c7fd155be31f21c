/**
 * `simulate` without an engine on a cluster whose inventory shows Calico (calico-node pods,
 * `k8s-app: calico-node`, simulate/network-plugin.ts runsCalico): Calico enforces the
 * network-policy-api's kinds there, as it converts them (libcalico-go
 * conversion/clusternetworkpolicy.go: a rule with a `nodes` peer fails, "none of supported fields
 * in 'To' is set.", and k8sClusterNetPolHandleFailedRules puts `apiv3.Rule{Action: apiv3.Deny}`
 * in place of a failed Deny rule). The engine inferred from a ClusterNetworkPolicy alone is
 * calico there, clusternetworkpolicy where the inventory shows no plugin.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { simulateFlows } from '../../app/simulate.ts';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import { openDb } from '../../store/db.ts';
import { applySnapshot } from '../../store/inventory.ts';
import { tmpDir } from '../helpers/tmp.ts';

const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.10' }] } };
const workload = (namespace: string, name: string, labels: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace, uid: name },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
});
const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `${name}-a`, namespace, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name, controller: true, uid: name }] },
  spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'x' }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '10.0.1.10' },
});
const APP = [workload('app', 'web', { app: 'web' }), pod('app', 'web', { app: 'web' }, '10.244.0.10')];
const CALICO_NODE = [workload('kube-system', 'calico-node', { 'k8s-app': 'calico-node' }), pod('kube-system', 'calico-node', { 'k8s-app': 'calico-node' }, '10.0.1.10')];

function dbWith(items: unknown[]) {
  const namespaces = ['app', 'kube-system'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  const db = openDb(join(tmpDir('flowmatrix-calico-cluster-'), 'a.db'));
  const { snapshot, objects } = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...namespaces, node, ...items] }), Date.UTC(2026, 10, 19));
  applySnapshot(db, snapshot, { source: 'test', counts: objects });
  return db;
}

const CNP = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: no-kubelet }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: app } } }
  egress: [{ name: kubelet, action: Deny, to: [{ nodes: { matchLabels: {} } }], protocols: [{ tcp: { destinationPort: { number: 10250 } } }] }]
`;
// web → 203.0.113.1:443, neither a node nor port 10250.
const FLOWS = JSON.stringify({ SrcAddr: '10.244.0.10', DstAddr: '203.0.113.1', SrcPort: 40000, DstPort: 443, Proto: 6, Flags: 2, Bytes: 1, Packets: 1, TimeFlowStartMs: Date.UTC(2026, 10, 20), TimeFlowEndMs: Date.UTC(2026, 10, 20) });

test('simulate infers calico for a ClusterNetworkPolicy on a cluster running Calico: the nodes-peer Deny rule denies all egress as Calico converts it, and the warning says so', () => {
  const r = simulateFlows(dbWith([...APP, ...CALICO_NODE]), { policies: CNP, flows: FLOWS });
  assert.equal(r.engine, 'calico');
  assert.equal(r.decisions[0]!.verdict, 'deny');
  assert.ok(r.warnings.some((w) => /^ClusterNetworkPolicy\/no-kubelet: egress rule \/spec\/egress\/0: Calico does not convert a nodes peer/.test(w)), r.warnings.join('\n'));
});

test('simulate infers clusternetworkpolicy for it where the inventory shows no plugin: the nodes peer matches node addresses only', () => {
  const r = simulateFlows(dbWith(APP), { policies: CNP, flows: FLOWS });
  assert.equal(r.engine, 'clusternetworkpolicy');
  assert.equal(r.decisions[0]!.verdict, 'allow');
});
