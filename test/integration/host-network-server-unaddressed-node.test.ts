/**
 * A flow to a host-network pod's address on a port its workload declares is that workload's, not
 * its node's (collectors/flows/resolve.ts nodeSide) — also where the Node object lists no address
 * and the pod's podIP is the only address known of the node (the kubelet gives a host-network pod
 * its node's IPs as podIPs: pkg/kubelet/kubelet_pods.go generateAPIPodStatus). Before, the node's
 * listed addresses alone were searched for host-network holders; with none listed the flow
 * web → 192.168.0.11:9400 was stored as web → node:n1, so the agent's must rule, left closed by
 * web's authoritative matrix, never met it: every engine cut it with exit 0, where the same
 * cluster with n1's InternalIP listed failed verification ("the matrices disagree").
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { readEdgeTraffic } from '../../store/recommend-read.ts';
import { peerKey } from '../../domain/peer.ts';
import { namespaceItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const inventory = (n1Addresses: string) => `apiVersion: v1
kind: List
items:
${namespaceItem('a')}
${namespaceItem('b')}
- {apiVersion: v1, kind: Node, metadata: {name: n1, creationTimestamp: "${T}"}, spec: {podCIDR: 10.244.1.0/24}, status: {addresses: [${n1Addresses}]}}
- {apiVersion: v1, kind: Pod, metadata: {name: web-0, namespace: a, labels: {app: web}, creationTimestamp: "${T}"}, spec: {nodeName: n1, containers: [{name: m, image: i, ports: [{containerPort: 8080}]}]}, status: {phase: Running, startTime: "${T}", podIP: 10.244.1.10, podIPs: [{ip: 10.244.1.10}]}}
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: agent, namespace: b, uid: d2}
  spec: {selector: {matchLabels: {app: agent}}, template: {metadata: {labels: {app: agent}}, spec: {hostNetwork: true, containers: [{name: m, image: i, ports: [{containerPort: 9400}]}]}}}
- {apiVersion: v1, kind: Pod, metadata: {name: agent-0, namespace: b, labels: {app: agent}, creationTimestamp: "${T}", ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: d2, controller: true}]}, spec: {nodeName: n1, hostNetwork: true, containers: [{name: m, image: i, ports: [{containerPort: 9400}]}]}, status: {phase: Running, startTime: "${T}", podIP: 192.168.0.11, podIPs: [{ip: 192.168.0.11}]}}
`;
const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: {name: fz, title: fz}
documents: {d: {title: d}}
components:
  web: {namespace: a, selector: {matchLabels: {app: web}}, ports: [{port: 8080}], authoritative: {egress: true}}
  agent:
    namespace: b
    selector: {matchLabels: {app: agent}}
    ports: [{port: 9400}]
    ingress:
    - {id: r1, peer: {component: web}, ports: [{port: 9400}], level: must, purpose: metrics push, source: {document: d, line: 1}}
`;
const FLOW = JSON.stringify({ time: '2026-03-01T10:30:00Z', verdict: 'FORWARDED', IP: { source: '10.244.1.10', destination: '192.168.0.11' }, l4: { TCP: { source_port: 51000, destination_port: 9400, flags: { SYN: true } } } });

async function stored(n1Addresses: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(n1Addresses), takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOW}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: MATRIX, origin: 'fz.yaml', appliedAt: NOW });
  return db;
}

for (const [what, addresses] of [['lists its InternalIP', '{type: InternalIP, address: 192.168.0.11}'], ['lists no address', '']] as const) {
  test(`a flow to a host-network pod on a port it declares is its workload's where the node ${what}; the left-closed must rule then fails verification on every engine`, async () => {
    const db = await stored(addresses);
    assert.deepEqual(readEdgeTraffic(db).map((e) => `${peerKey(e.client)}|${peerKey(e.server)}|${e.port}`), ['workload:a/Pod/web-0|workload:b/DaemonSet/agent|9400']);
    const input = readRecommendationInput(db, {});
    for (const engine of ENGINE_NAMES) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
      assert.equal(v.ok, false, engine);
      assert.ok(v.blocked.some((b) => b.workload === 'a/Pod/web-0' && b.edge === 'workload:a/Pod/web-0|workload:b/DaemonSet/agent|9400|TCP' && /the matrices disagree/.test(b.reason)), `${engine}: ${JSON.stringify(v.blocked)}`);
    }
  });
}
