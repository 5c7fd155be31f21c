/**
 * A host-network client speaks from its node's address, and a rule credited with it allows that
 * node (host-network-client-node-peer.test.ts). Where the inventory lists the node without
 * addresses (a Node object with no status.addresses, or no Node object of that name), the node
 * peer had no address of the client's node: kubernetes and calico output was refused (exit 2,
 * "no rule allows it") without saying why. A host-network pod's podIP is its node's address (the
 * kubelet, pkg/kubelet/kubelet_pods.go generateAPIPodStatus: "HostNetwork Pods inherit the node
 * IPs as PodIPs"), so it stands in for the node's address where the Node object gives none.
 * Input → expected: server srv in namespace a on node n2 (10.0.0.12), host-network DaemonSet
 * agent in namespace b on node n1 (podIP 10.0.0.11), n1 listed without addresses or absent, the
 * edge agent → srv:8080 confirmed by a namespace or pod rule, or observed alone: every engine's
 * output allows it and the verification is ok. With no podIP either, kubernetes and calico still
 * refuse, and the reason says the node's address is unknown and what to import.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { hostNetworkAgentItem, namespaceItem, serverDeploymentItems } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const AGENT_IP = '10.0.0.11';
const SERVER_IP = '10.244.2.5';

type N1 = 'no addresses' | 'absent';
const n1Item = (n1: N1) =>
  n1 === 'absent'
    ? ''
    : `- apiVersion: v1
  kind: Node
  metadata: {name: n1, creationTimestamp: "${T}"}
  spec: {podCIDR: 10.244.1.0/24}`;
const inventory = (n1: N1, agentPodIp: boolean) => `apiVersion: v1
kind: List
items:
${namespaceItem('a')}
${namespaceItem('b')}
${n1Item(n1)}
- apiVersion: v1
  kind: Node
  metadata: {name: n2, creationTimestamp: "${T}"}
  spec: {podCIDR: 10.244.2.0/24}
  status: {addresses: [{type: InternalIP, address: 10.0.0.12}]}
${serverDeploymentItems(SERVER_IP, T)}
${hostNetworkAgentItem()}
- apiVersion: v1
  kind: Pod
  metadata: {name: agent-x, namespace: b, labels: {app: agent}, creationTimestamp: "${T}", ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: ds1, controller: true}]}
  spec: {nodeName: n1, hostNetwork: true, containers: [{name: c, image: c}]}
  status: {phase: Running, startTime: "${T}"${agentPodIp ? `, podIP: ${AGENT_IP}, podIPs: [{ip: ${AGENT_IP}}]` : ''}}
`;
const matrix = (peer: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: hn, title: host-network client }
documents: { d: { title: d, file: d.txt } }
components:
  srv:
    namespace: a
    selector: { matchLabels: { app: srv } }
    ports: [{ port: 8080 }]
    ingress:
      - { id: from-b, peer: ${peer}, ports: [{ port: 8080 }], level: must, purpose: calls, source: { document: d, line: 1 } }
  agent:
    namespace: b
    selector: { matchLabels: { app: agent } }
`;
/** How the edge is documented: by a namespace rule, by a pod rule (a component), or not at all. */
const DOCUMENTED = { namespace: '{ namespace: b }', pods: '{ component: agent }', undocumented: undefined } as const;

/** agent → srv:8080, named by NetObserv's pod metadata. */
const RECORD = JSON.stringify({
  SrcAddr: AGENT_IP, DstAddr: SERVER_IP, SrcPort: 41000, DstPort: 8080, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 80,
  TimeFlowStartMs: NOW - 60_000, TimeFlowEndMs: NOW - 60_000,
  SrcK8S_Namespace: 'b', SrcK8S_Name: 'agent-x', SrcK8S_OwnerName: 'agent', SrcK8S_OwnerType: 'DaemonSet', SrcK8S_Type: 'Pod',
});
const EDGE = 'workload:b/DaemonSet/agent|workload:a/Deployment/srv|8080|TCP';

async function stored(n1: N1, peer: string | undefined, agentPodIp = true) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(n1, agentPodIp), takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  if (peer !== undefined) applyMatrix(db, { text: matrix(peer), origin: 'hn.yaml', appliedAt: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${RECORD}\n`]) }], { format: 'netobserv', now: () => NOW });
  return readRecommendationInput(db, {});
}

for (const n1 of ['no addresses', 'absent'] as const) {
  for (const [documented, peer] of Object.entries(DOCUMENTED)) {
    test(`node n1 ${n1}: the host-network client's podIP is its node's address, so the ${documented} edge is allowed on every engine`, async () => {
      const input = await stored(n1, peer);
      const model = clusterModel(input.inventory, input.externalNames);
      const agent = model.cluster.pods.find((p) => p.name === 'agent')!;
      const srv = model.cluster.pods.find((p) => p.name === 'srv')!;
      assert.deepEqual([agent.node, agent.ips], ['n1', [AGENT_IP]]);
      for (const engine of ENGINE_NAMES) {
        const { verification, emitted, rec } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
        const srvRecord = rec.workloads.find((w) => w.workload.name === 'srv')!;
        assert.deepEqual(srvRecord.observed.map((e) => e.key), [EDGE], engine);
        assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
        const v = SIMULATORS[engine](emitted.manifests, model.cluster).evaluate({ client: { kind: 'pod', pod: agent }, server: { kind: 'pod', pod: srv }, port: 8080, protocol: 'TCP' });
        assert.equal(v.ingress.allowed, true, `${engine}: ${v.ingress.reason}`);
      }
    });
  }
}

test('a Node object without addresses takes its host-network pods\' podIPs in the simulated cluster', async () => {
  const input = await stored('no addresses', DOCUMENTED.namespace);
  const model = clusterModel(input.inventory, input.externalNames);
  assert.deepEqual(model.nodeOf('n1')?.ips, [AGENT_IP]);
  assert.deepEqual(model.nodeOf('n2')?.ips, ['10.0.0.12']);
});

test('no podIP and no node address: kubernetes and calico refuse, saying the node\'s address is unknown and what to import', async () => {
  const input = await stored('no addresses', DOCUMENTED.namespace, false);
  for (const engine of ['kubernetes', 'calico'] as const) {
    const { verification } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.equal(verification.ok, false, engine);
    assert.deepEqual(verification.blocked.map((b) => [b.edge, b.direction]), [[EDGE, 'ingress']], engine);
    const reason = verification.blocked[0]!.reason;
    assert.match(reason, /b\/DaemonSet\/agent runs in the host network/, `${engine}: ${reason}`);
    assert.match(reason, /node n1 lists no address/, `${engine}: ${reason}`);
    assert.match(reason, /import the Node objects/, `${engine}: ${reason}`);
  }
});

test('no podIP and no Node object of its node: the refusal says no node of it is known', async () => {
  const input = await stored('absent', DOCUMENTED.namespace, false);
  const { verification } = runRecommendation(input, 'kubernetes', recommendOptions({}), { tightness: false });
  assert.equal(verification.ok, false);
  const reason = verification.blocked[0]!.reason;
  assert.match(reason, /b\/DaemonSet\/agent runs in the host network/, reason);
  assert.match(reason, /the node it runs on is not known/, reason);
  assert.match(reason, /import the Node objects/, reason);
});
