/**
 * `simulate` on an edge whose end is a host-network workload with no pod in the inventory (a
 * DaemonSet not scheduled yet). Once it runs it speaks from a node's address, and the verification
 * judges it there (simulate/host-network-nodes.ts); simulate left it with no address, so kubernetes
 * and calico denied the edge although the policy named every node's address (and the flows to
 * each node were allowed), and clusternetworkpolicy allowed it ("no rule of any tier matches")
 * although its "deny all other egress" denied the flows to each node.
 * Input → expected: StatefulSet app/client on node-1, host-network DaemonSet agents/collector with
 * no pod, nodes node-1 and node-2 with InternalIPs, a must rule client → collector:5514/UDP. On
 * every engine the edge's verdict is the verdict of the flows to each node's address and the
 * verification's: allow where the policies allow the node addresses (mode union's output, verified
 * ok), deny where they do not (mode observed's output, which fails the verification).
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { namespaceItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-11-24T00:00:00Z';
const NOW = Date.parse(T);
const CLIENT_IP = '10.244.1.10';
const NODE_IPS = ['192.168.0.11', '192.168.0.12'];

const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('app')}
${namespaceItem('agents')}
- {apiVersion: v1, kind: Node, metadata: {name: node-1}, spec: {podCIDR: 10.244.1.0/24}, status: {addresses: [{type: InternalIP, address: ${NODE_IPS[0]}}]}}
- {apiVersion: v1, kind: Node, metadata: {name: node-2}, spec: {podCIDR: 10.244.2.0/24}, status: {addresses: [{type: InternalIP, address: ${NODE_IPS[1]}}]}}
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: client, namespace: app}
  spec: {selector: {matchLabels: {app: client}}, template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c, image: i}]}}}
- apiVersion: v1
  kind: Pod
  metadata: {name: client-0, namespace: app, labels: {app: client}, ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: client, uid: u1, controller: true}]}
  spec: {nodeName: node-1, containers: [{name: c, image: i}]}
  status: {phase: Running, podIP: ${CLIENT_IP}, podIPs: [{ip: ${CLIENT_IP}}]}
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: collector, namespace: agents}
  spec: {selector: {matchLabels: {app: collector}}, template: {metadata: {labels: {app: collector}}, spec: {hostNetwork: true, containers: [{name: s, image: i, ports: [{name: syslog, containerPort: 5514, protocol: UDP}]}]}}}
`;

const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: {name: m, title: m}
documents: {d: {title: d}}
components:
  client:
    namespace: app
    selector: {matchLabels: {app: client}}
  collector:
    namespace: agents
    selector: {matchLabels: {app: collector}}
    hostNetwork: true
    ports: [{name: syslog, port: 5514, protocol: UDP}]
    ingress:
      - {peer: {component: client}, ports: [{port: 5514, protocol: UDP}], level: must, purpose: logs, source: {document: d, line: 1}}
`;

const record = (dst: string, port: number, proto: number) =>
  JSON.stringify({ SrcAddr: CLIENT_IP, DstAddr: dst, SrcPort: 40000, DstPort: port, Proto: proto, Etype: 2048, Packets: 1, Bytes: 100, Flags: ['SYN', 'ACK'], FlowDirection: 1, TimeFlowStartMs: NOW - 60_000, TimeFlowEndMs: NOW - 60_000 });

async function stored() {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: NOW, source: 'inv.yaml', now: NOW });
  applyMatrix(db, { text: MATRIX, origin: 'matrix.yaml', appliedAt: NOW });
  // An observed egress of the client's, so mode observed isolates it too.
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record('203.0.113.5', 443, 6)}\n`]) }], { format: 'netobserv', now: () => NOW });
  return { db, input: readRecommendationInput(db, {}) };
}

const EDGE = JSON.stringify([{ client: 'workload:app/StatefulSet/client', server: 'workload:agents/DaemonSet/collector', port: 5514, protocol: 'UDP' }]);
/** Hubble records (which side is the client: its traffic direction) of the client's UDP to each node's address. */
const NODE_FLOWS = NODE_IPS.map((ip) =>
  JSON.stringify({ flow: {
    time: T, verdict: 'FORWARDED', IP: { source: CLIENT_IP, destination: ip, ipVersion: 'IPv4' }, l4: { UDP: { source_port: 40001, destination_port: 5514 } },
    source: { namespace: 'app', pod_name: 'client-0', labels: ['k8s:app=client', 'k8s:io.kubernetes.pod.namespace=app'] }, destination: { labels: ['reserved:remote-node'] },
    Type: 'L3_L4', traffic_direction: 'EGRESS', is_reply: false, node_name: 'node-1',
  } })).join('\n');

for (const [mode, expected, verified] of [['union', 'allow', true], ['observed', 'deny', false]] as const) {
  test(`podless host-network server, mode ${mode}: simulate's edge verdict is its verdict on the flows to each node and the verification's (${expected}), on every engine`, async () => {
    const { db, input } = await stored();
    for (const engine of ENGINE_NAMES) {
      const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ mode }), { tightness: false });
      assert.equal(verification.ok, verified, `${engine}: ${JSON.stringify(verification.blocked)}`);
      const policies = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: emitted.manifests });
      const edge = simulateFlows(db, { engine, policies, flows: EDGE }).decisions;
      const nodes = simulateFlows(db, { engine, policies, flows: NODE_FLOWS }).decisions;
      assert.deepEqual(nodes.map((d) => [d.server, d.verdict]), [['node:node-1', expected], ['node:node-2', expected]], `${engine}: the flows to the nodes: ${JSON.stringify(nodes)}`);
      assert.equal(edge[0]?.verdict, expected, `${engine}: the edge: ${JSON.stringify(edge[0])}`);
    }
  });
}
