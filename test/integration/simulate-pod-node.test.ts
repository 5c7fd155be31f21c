/**
 * `simulate` on flow records: a pod is simulated on the node its address is on. Cilium's `host`
 * entity is the local host only and every other node is `remote-node` (Documentation/security/
 * policy/language.rst, "Entities Based"): a policy allowing egress `toEntities: [host]` lets a
 * DaemonSet pod reach its own node and not another one. The simulator used one pod per workload,
 * on the node of its first address, and gave every pod that pod's verdict.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { simulateFlows } from '../../app/simulate.ts';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import { openDb } from '../../store/db.ts';
import { applySnapshot } from '../../store/inventory.ts';
import { tmpDir } from '../helpers/tmp.ts';

const node = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
const pod = (name: string, nodeName: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'mon', labels: { app: 'agent' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', controller: true, uid: 'ds' }] },
  spec: { nodeName, containers: [{ name: 'c', image: 'x' }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: nodeName === 'node-a' ? '10.0.1.10' : '10.0.1.11' },
});
const INVENTORY = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mon' } },
    node('node-a', '10.0.1.10'),
    node('node-b', '10.0.1.11'),
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'mon', uid: 'ds' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } },
    pod('agent-a', 'node-a', '10.244.0.10'),
    pod('agent-b', 'node-b', '10.244.1.10'),
  ],
};
const dir = tmpDir('flowmatrix-pod-node-');
const db = openDb(join(dir, 'a.db'));
const { snapshot, objects } = convertInventoryText(JSON.stringify(INVENTORY), Date.UTC(2026, 10, 19));
applySnapshot(db, snapshot, { source: 'test', counts: objects });

const flow = (src: string, dst: string) => JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: 40000, DstPort: 10250, Proto: 6, Flags: 2, Bytes: 1, Packets: 1, TimeFlowStartMs: Date.UTC(2026, 10, 20), TimeFlowEndMs: Date.UTC(2026, 10, 20) });

test('cilium: toEntities host lets each DaemonSet pod reach its own node, not the other one', () => {
  const policies = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: agent, namespace: mon }
spec:
  endpointSelector: { matchLabels: { app: agent } }
  egress:
    - toEntities: [host]
`;
  const flows = [flow('10.244.0.10', '10.0.1.10'), flow('10.244.0.10', '10.0.1.11'), flow('10.244.1.10', '10.0.1.11'), flow('10.244.1.10', '10.0.1.10')].join('\n');
  const r = simulateFlows(db, { engine: 'cilium', policies, flows });
  assert.deepEqual(r.decisions.map((d) => d.verdict), ['allow', 'deny', 'allow', 'deny'], '[a→own, a→other, b→own, b→other]');
});

/** A NetworkPolicy letting the agent's pods out to agent-b's address only (10.244.1.10/32). */
const EGRESS_TO_AGENT_B = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: agent, namespace: mon }
spec:
  podSelector: { matchLabels: { app: agent } }
  policyTypes: [Egress]
  egress:
    - to: [{ ipBlock: { cidr: 10.244.1.10/32 } }]
`;

test('kubernetes: an ipBlock holding a pod address — whether it matches is the network plugin\'s choice (NetworkPolicy API reference: ipBlock is meant for cluster-external IPs; the upstream e2e test "should allow egress access to server in CIDR block" expects it to): the verdict says what it is where it does', () => {
  const policies = EGRESS_TO_AGENT_B;
  const r = simulateFlows(db, { engine: 'kubernetes', policies, flows: [flow('10.244.0.10', '10.244.1.10'), flow('10.244.0.10', '10.0.1.11')].join('\n') });
  assert.deepEqual(
    r.decisions.map((d) => [d.verdict, d.whereIpBlocksMatchPods]),
    [
      ['deny', 'allow'],
      ['deny', undefined], // a node address no ipBlock of the policy holds: denied on every reading
    ],
  );
});

test('calico: an ipBlock (nets) holds the address the record names, not every address of the workload\'s pods (Felix matches the packet\'s address): the sibling pod outside the block is denied', () => {
  const policies = EGRESS_TO_AGENT_B;
  // a → b (10.244.1.10, inside the block), b → a (10.244.0.10, outside it): one workload, two pods.
  const r = simulateFlows(db, { engine: 'calico', policies, flows: [flow('10.244.0.10', '10.244.1.10'), flow('10.244.1.10', '10.244.0.10')].join('\n') });
  assert.deepEqual(r.decisions.map((d) => d.verdict), ['allow', 'deny']);
});
