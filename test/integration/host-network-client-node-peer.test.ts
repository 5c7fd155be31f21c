/**
 * A documented namespace or pod rule credited with a host-network client's observed edge must
 * allow that client's node addresses: a host-network pod speaks from its node's address, which no
 * podSelector or namespaceSelector matches (kubernetes.io "Network Policies", NetworkPolicy and
 * hostNetwork pods: "it ignores hostNetwork pods when matching podSelector and namespaceSelector.
 * Traffic to/from hostNetwork pods is treated the same as all other traffic to/from the node IP";
 * ClusterNetworkPolicy `pods`: "host-networked pods are not included"). Cilium lets a node reach
 * its own pods whatever the policy (`allow-localhost`, pkg/policy mapstate.go
 * determineAllowLocalhostIngress), so with client and server on one node a `podSelector: {}`
 * rule passed the cilium simulator while the same client on another node (the server
 * rescheduled, or the client a DaemonSet) was cut: the verification judges a host-network end
 * from a node other than its pod peer's, and synthesis adds the client's nodes to the rule.
 * Input → expected: two nodes, the host-network client on n1, the server on n1 then n2, the edge
 * confirmed by `peer: {namespace: app}` or by a component selecting the client among pod-network
 * workloads: every engine's output allows the client from either node, and the verification is ok.
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
import type { SimPod } from '../../recommender/simulate/types.ts';
import type { EmitResult } from '../../recommender/engines/types.ts';
import type { VerifiedSides } from '../../recommender/verified-sides.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import { barePodItem, namespaceItem, nodeItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const NODES = { n1: '10.0.0.11', n2: '10.0.0.12' } as const;
type NodeName = keyof typeof NODES;
const SERVER_IP = { n1: '10.244.1.5', n2: '10.244.2.5' } as const;
const CILIUM_AGENT = `- apiVersion: v1
  kind: Pod
  metadata: {name: cilium-abc, namespace: kube-system, labels: {k8s-app: cilium}, creationTimestamp: "${T}"}
  spec: {nodeName: n1, hostNetwork: true, containers: [{name: c, image: c}]}
  status: {phase: Running, startTime: "${T}", podIP: ${NODES.n1}, podIPs: [{ip: ${NODES.n1}}]}`;
const ciliumConfig = (mode: string) => `- {apiVersion: v1, kind: ConfigMap, metadata: {name: cilium-config, namespace: kube-system}, data: {policy-cidr-match-mode: "${mode}"}}`;

const inventory = (serverNode: NodeName, extra: readonly string[] = []) => `apiVersion: v1
kind: List
items:
${namespaceItem('app')}
${namespaceItem('kube-system')}
${nodeItem('n1', '10.244.1.0/24', NODES.n1)}
${nodeItem('n2', '10.244.2.0/24', NODES.n2)}
${barePodItem({ namespace: 'app', name: 'agent', ip: NODES.n1, ports: [9100], node: 'n1', hostNetwork: true })}
${barePodItem({ namespace: 'app', name: 'web', ip: '10.244.1.7', ports: [80] })}
${barePodItem({ namespace: 'app', name: 'api', ip: SERVER_IP[serverNode], ports: [8080], node: serverNode })}
${extra.join('\n')}
`;
const matrix = (peer: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: hn, title: host-network client }
documents: { d: { title: d, file: d.txt } }
components:
  api:
    namespace: app
    selector: { matchLabels: { app: api } }
    ports: [{ port: 8080 }]
    ingress:
      - { id: clients, peer: ${peer}, ports: [{ port: 8080 }], level: must, purpose: calls, source: { document: d, line: 1 } }
  callers:
    namespace: app
    selector: { matchExpressions: [{ key: app, operator: In, values: [agent, web] }] }
`;
const PEERS = { namespace: '{ namespace: app }', component: '{ component: callers }' } as const;

/** agent → api:8080, named by NetObserv's pod metadata (the node's address alone would be the node). */
const record = (serverNode: NodeName) =>
  JSON.stringify({
    SrcAddr: NODES.n1, DstAddr: SERVER_IP[serverNode], SrcPort: 41000, DstPort: 8080, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 80,
    TimeFlowStartMs: NOW - 60_000, TimeFlowEndMs: NOW - 60_000,
    SrcK8S_Namespace: 'app', SrcK8S_Name: 'agent', SrcK8S_OwnerName: 'agent', SrcK8S_OwnerType: 'Pod', SrcK8S_Type: 'Pod',
  });

async function stored(peer: string, serverNode: NodeName, extra: readonly string[] = []) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(serverNode, extra), takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: matrix(peer), origin: 'hn.yaml', appliedAt: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record(serverNode)}\n`]) }], { format: 'netobserv', now: () => NOW });
  return readRecommendationInput(db, {});
}

const EDGE = 'workload:app/Pod/agent|workload:app/Pod/api|8080|TCP';

/** The host-network client as the pod it is on `node`: its node's address. */
const agentOn = (agent: SimPod, node: NodeName): SimPod => ({ ...agent, node, ips: [NODES[node]] });

for (const [kind, peer] of Object.entries(PEERS)) {
  for (const serverNode of ['n1', 'n2'] as const) {
    test(`a ${kind} rule confirming a host-network client's edge allows its nodes (server on ${serverNode}), on every engine from either node`, async () => {
      const input = await stored(peer, serverNode);
      const model = clusterModel(input.inventory, input.externalNames);
      const agent = model.cluster.pods.find((p) => p.name === 'agent')!;
      const api = model.cluster.pods.find((p) => p.name === 'api')!;
      for (const engine of ENGINE_NAMES) {
        const { verification, emitted, rec } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
        const apiRecord = rec.workloads.find((w) => w.workload.name === 'api')!;
        assert.deepEqual(apiRecord.observed.map((e) => [e.key, e.status]), [[EDGE, 'confirmed']], engine);
        assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
        const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
        for (const node of ['n1', 'n2'] as const) {
          const v = sim.evaluate({ client: { kind: 'pod', pod: agentOn(agent, node) }, server: { kind: 'pod', pod: api }, port: 8080, protocol: 'TCP' });
          assert.equal(v.ingress.allowed, true, `${engine}, client on ${node}: ${v.ingress.reason}`);
        }
      }
    });
  }
}

test('kubernetes engine on Cilium: the node ipBlock admits a remote node only with policy-cidr-match-mode nodes, and the verification says so', async () => {
  // The fuzz case: without the node peer the same-node edge passed on allow-localhost alone.
  for (const [config, ok] of [[[], false], [[ciliumConfig('nodes')], true]] as const) {
    const input = await stored(PEERS.namespace, 'n1', [CILIUM_AGENT, ...config]);
    const { verification } = runRecommendation(input, 'kubernetes', recommendOptions({}), { tightness: false });
    assert.equal(verification.ok, ok, JSON.stringify(verification.blocked));
    if (!ok) assert.deepEqual(verification.blocked.map((b) => [b.edge, b.direction]), [[EDGE, 'ingress']]);
  }
});

test('the verification fails where the node peer is missing, though client and server share a node (judged from the other node)', async () => {
  const input = await stored(PEERS.namespace, 'n1', [CILIUM_AGENT]);
  const model = clusterModel(input.inventory, input.externalNames);
  const edge = (() => {
    for (const e of input.edges) if (e.client.kind === 'workload' && e.client.workload.name === 'agent') return e;
    throw new Error('no agent edge');
  })();
  const sides: VerifiedSides = { workload: 'app/Pod/api', edges: { ingress: [edge], egress: [] }, excluded: { ingress: new Map(), egress: new Map() }, restricted: { ingress: true, egress: false } };
  const metadata = { name: 'api', namespace: 'app', labels: {}, annotations: {} };
  // What synthesis rendered before the node peer: the namespace rule alone.
  const withoutNodes = {
    kubernetes: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 8080, protocol: 'TCP' }] }] } },
    cilium: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata, spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] } },
  } as const;
  // A NetworkPolicy on a cluster running Cilium is judged by the cilium simulator (simulate/decide.ts verifyingEngine).
  for (const [engine, simulator] of [['kubernetes', 'cilium'], ['kubernetes', 'kubernetes'], ['cilium', 'cilium']] as const) {
    const emitted = { engine, manifests: [withoutNodes[engine]], warnings: [] } as unknown as EmitResult;
    const v = verifyRecommendation({ engine, emitted, model, applied: [], sides: [sides], simulator: SIMULATORS[simulator] });
    assert.equal(v.ok, false, `${engine} judged by ${simulator}`);
    assert.deepEqual(v.blocked.map((b) => b.edge), [EDGE], `${engine} judged by ${simulator}`);
  }
});

test('egress: a namespace rule credited with an edge to a host-network server allows its nodes, on every engine', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: inventory('n2'), takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  applyMatrix(db, {
    text: `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: hn, title: host-network server }
documents: { d: { title: d, file: d.txt } }
components:
  api:
    namespace: app
    selector: { matchLabels: { app: api } }
    egress:
      - { id: scrape, peer: { namespace: app }, ports: [{ port: 9100 }], level: must, purpose: scrape, source: { document: d, line: 1 } }
`,
    origin: 'hn.yaml',
    appliedAt: NOW,
  });
  const scrape = JSON.stringify({
    SrcAddr: SERVER_IP.n2, DstAddr: NODES.n1, SrcPort: 41000, DstPort: 9100, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 80,
    TimeFlowStartMs: NOW - 60_000, TimeFlowEndMs: NOW - 60_000,
    DstK8S_Namespace: 'app', DstK8S_Name: 'agent', DstK8S_OwnerName: 'agent', DstK8S_OwnerType: 'Pod', DstK8S_Type: 'Pod',
  });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${scrape}\n`]) }], { format: 'netobserv', now: () => NOW });
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const agent = model.cluster.pods.find((p) => p.name === 'agent')!;
  const api = model.cluster.pods.find((p) => p.name === 'api')!;
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted, rec } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    const apiRecord = rec.workloads.find((w) => w.workload.name === 'api')!;
    assert.deepEqual(apiRecord.observed.map((e) => [e.key, e.status]), [['workload:app/Pod/api|workload:app/Pod/agent|9100|TCP', 'confirmed']], engine);
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const node of ['n1', 'n2'] as const) {
      const v = sim.evaluate({ client: { kind: 'pod', pod: api }, server: { kind: 'pod', pod: agentOn(agent, node) }, port: 9100, protocol: 'TCP' });
      assert.equal(v.egress.allowed, true, `${engine}, server on ${node}: ${v.egress.reason}`);
    }
  }
});
