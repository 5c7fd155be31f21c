/**
 * A documented IPv4 block (`cidrs: [10.0.0.0/24]`) credited with an IPv6 connection to a dual-stack
 * node: the comparison credits the edge to the block by the node (one of its addresses is in it),
 * but the edge keeps no address family, and the flows used the node's IPv6 address. A packet has
 * one address of one family: a Kubernetes networking/v1 IPBlock "describes a particular CIDR … that
 * is allowed" (its `cidr` of one family), a Calico rule holds one family (libcalico-go validateRule:
 * "rule contains both IPv4 and IPv6 CIDRs"; the IPv6 one needs `ipVersion: 6`), and a
 * ClusterNetworkPolicy `networks` peer "selects IP CIDR ranges" (network-policy-api
 * apis/v1alpha2): an IPv4 address never matches the IPv6 packet.
 *
 * Before, the rule named the block and the nodes' addresses inside it (all IPv4), and the
 * verification read the node at its first address (IPv4): verified, exit 0, `confirmed`, while the
 * observed IPv6 connection was cut on kubernetes, calico and clusternetworkpolicy (Cilium renders
 * nodes as the entities host and remote-node, any address).
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
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { namespaceItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const node = (name: string, v4: string, v6: string, podV4: string, podV6: string) => `- apiVersion: v1
  kind: Node
  metadata: {name: ${name}, creationTimestamp: "${T}"}
  spec: {podCIDR: ${podV4}, podCIDRs: [${podV4}, "${podV6}"]}
  status: {addresses: [{type: InternalIP, address: ${v4}}, {type: InternalIP, address: "${v6}"}]}`;
const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('shop')}
${namespaceItem('monitoring')}
${node('n1', '10.0.0.10', 'fd00:10::10', '10.244.0.0/24', 'fd00:244::/64')}
${node('n2', '10.0.0.11', 'fd00:10::11', '10.244.1.0/24', 'fd00:244:1::/64')}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop, uid: d-web}
  spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: c, ports: [{containerPort: 8443}]}]}}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: web-1, namespace: shop, uid: r-web, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-web, controller: true}]}
  spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: c}]}}}
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1-a, namespace: shop, labels: {app: web}, creationTimestamp: "${T}", ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-1, uid: r-web, controller: true}]}
  spec: {nodeName: n1, containers: [{name: c, image: c, ports: [{containerPort: 8443}]}]}
  status: {phase: Running, startTime: "${T}", podIP: 10.244.0.10, podIPs: [{ip: 10.244.0.10}, {ip: "fd00:244::10"}]}
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: node-exporter, namespace: monitoring, uid: ds-ne}
  spec: {selector: {matchLabels: {app: node-exporter}}, template: {metadata: {labels: {app: node-exporter}}, spec: {hostNetwork: true, containers: [{name: c, image: c, ports: [{containerPort: 9100}]}]}}}
- apiVersion: v1
  kind: Pod
  metadata: {name: node-exporter-n2, namespace: monitoring, labels: {app: node-exporter}, creationTimestamp: "${T}", ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: node-exporter, uid: ds-ne, controller: true}]}
  spec: {nodeName: n2, hostNetwork: true, containers: [{name: c, image: c, ports: [{containerPort: 9100}]}]}
  status: {phase: Running, startTime: "${T}", podIP: 10.0.0.11, podIPs: [{ip: 10.0.0.11}, {ip: "fd00:10::11"}]}
`;
const matrix = (direction: 'egress' | 'ingress', port: number) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: nodesubnet, title: the node subnet }
documents: { doc: { title: shop doc, file: shop.txt } }
components:
  web:
    namespace: shop
    selector: { matchLabels: { app: web } }
    ${direction}:
      - { id: subnet, peer: { cidrs: [10.0.0.0/24] }, ports: [{ port: ${port} }], level: must, purpose: the node subnet, source: { document: doc, line: 1 } }
`;
/** A NetObserv record with a SYN: its source is the client. */
const record = (src: string, dst: string, port: number) =>
  JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: 46000, DstPort: port, Proto: 6, Flags: 2, Etype: 34525, Packets: 1, Bytes: 60, TimeFlowStartMs: Date.parse('2026-03-01T10:00:00Z'), TimeFlowEndMs: Date.parse('2026-03-01T10:00:01Z') });

async function stored(m: string | undefined, flows: string) {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows}\n`]) }], { format: 'netobserv', now: () => NOW });
  if (m !== undefined) applyMatrix(db, { text: m, origin: 'm.yaml', appliedAt: NOW });
  return { db, input: readRecommendationInput(db, {}) };
}

type Db = ReturnType<typeof tmpDb>['db'];
const onEdge = (db: Db, engine: (typeof ENGINE_NAMES)[number], policies: string, client: string, server: string, port: number): string =>
  simulateFlows(db, { engine, policies, flows: JSON.stringify([{ client, server, port, protocol: 'TCP' }]), format: 'edges' }).decisions[0]!.verdict;

// web's egress to the node n2 (10250, no workload declares it: the edge is the node's) and to n2's
// host-network node-exporter (9100): the edges keep no family, and web and n2 can use both.
const egressTo = (cidrs: readonly string[]) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress: [{ to: [${cidrs.map((c) => `{ ipBlock: { cidr: '${c}' } }`).join(', ')}] }]
`;

test('simulate on edges: an edge between dual-stack ends, one of them a node or a host-network pod, is judged at each family — allowed only where both are (an edge keeps no family)', async () => {
  const { db } = await stored(undefined, record('fd00:244::10', 'fd00:10::11', 10250));
  for (const engine of ['kubernetes', 'calico', 'clusternetworkpolicy'] as const) {
    for (const server of ['node:n2', 'workload:monitoring/DaemonSet/node-exporter']) {
      const port = server === 'node:n2' ? 10250 : 9100;
      const v = (cidrs: readonly string[]) => onEdge(db, engine, egressTo(cidrs), 'workload:shop/Deployment/web', server, port);
      assert.equal(v(['10.0.0.0/24', '10.0.0.11/32']), 'deny', `${engine} ${server}: IPv4 only`);
      assert.equal(v(['fd00:10::11/128']), 'deny', `${engine} ${server}: IPv6 only`);
      assert.equal(v(['10.0.0.0/24', '10.0.0.11/32', 'fd00:10::11/128']), 'allow', `${engine} ${server}: both families`);
    }
  }
});

for (const [direction, port, flow, edge] of [
  ['egress', 10250, record('fd00:244::10', 'fd00:10::11', 10250), 'workload:shop/Deployment/web|node:n2|10250|TCP'],
  ['ingress', 8443, record('fd00:10::11', 'fd00:244::10', 8443), 'node:n2|workload:shop/Deployment/web|8443|TCP'],
] as const) {
  test(`an IPv4 block credited with an IPv6 ${direction} connection to a dual-stack node: the output allows that connection on every engine, and says verified only then`, async () => {
    const { db, input } = await stored(matrix(direction, port), flow);
    for (const engine of ENGINE_NAMES) {
      const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'shop' }), { tightness: false });
      const recordVerdict = simulateFlows(db, { engine, policies: toMultiDocYaml(emitted.manifests), flows: `${flow}\n`, format: 'netobserv' }).decisions[0]!.verdict;
      // Never verified while the engine denies the observed connection.
      assert.ok(!v.ok || recordVerdict === 'allow', `${engine}: verified, yet the IPv6 record is denied: ${toMultiDocYaml(emitted.manifests)}`);
      assert.deepEqual(v.blocked.map((b) => b.edge), [], `${engine}: ${JSON.stringify(v.blocked)}`);
      assert.equal(recordVerdict, 'allow', engine);
      assert.equal(onEdge(db, engine, toMultiDocYaml(emitted.manifests), edge.split('|')[0]!, edge.split('|')[1]!, port), 'allow', `${engine}: the edge`);
      assert.equal(v.ok, true, engine);
    }
  });
}

// Nothing observed in the block: the rule's must flow to a node of the block is required at the
// node's address in the block (what the document names), not at each family the node has: the
// block's IPv4 node addresses rendered beside it pass on every engine.
test('an IPv4 block of dual-stack nodes, nothing observed in it: its stand-in node is required at its address in the block, and the output passes', async () => {
  for (const [direction, port] of [['egress', 10250], ['ingress', 8443]] as const) {
    const { input } = await stored(matrix(direction, port), record('10.244.0.10', '198.51.100.7', 443));
    for (const engine of ENGINE_NAMES) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'shop' }), { tightness: false });
      assert.deepEqual(v.blocked.map((b) => b.edge), [], `${engine} ${direction}: ${JSON.stringify(v.blocked)}`);
      assert.equal(v.ok, true, `${engine} ${direction}`);
    }
  }
});

// An IPv6-only workload (worker: fd00:244:1::50 alone) and a must rule naming the IPv4 node block
// `cidrs: [10.0.0.0/24]` for "the kubelets", nothing observed. The block is how the document spells
// the nodes n1 and n2 (the comparison credits a node edge to it by the node, at any address); the
// worker can only reach a node over IPv6 (Kubernetes "IPv4/IPv6 dual-stack": a node and a pod carry
// an address of each family they have, and a pod with IPv6 alone connects over IPv6), and an
// engine matches the packet's address (networking/v1 IPBlock; Calico `nets`; ClusterNetworkPolicy
// `networks`). Before, the output named the IPv4 addresses alone and said verified (the stand-in
// node judged over IPv4, which the worker never uses), with a skip reason "the rule names one of
// each family", while the worker's IPv6 connection to its kubelets was denied on kubernetes, calico
// and clusternetworkpolicy.
const WORKER = `${INVENTORY}- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: worker, namespace: shop, uid: d-worker}
  spec: {selector: {matchLabels: {app: worker}}, template: {metadata: {labels: {app: worker}}, spec: {containers: [{name: c, image: c}]}}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: worker-1, namespace: shop, uid: r-worker, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: worker, uid: d-worker, controller: true}]}
  spec: {selector: {matchLabels: {app: worker}}, template: {metadata: {labels: {app: worker}}, spec: {containers: [{name: c, image: c}]}}}
- apiVersion: v1
  kind: Pod
  metadata: {name: worker-1-a, namespace: shop, labels: {app: worker}, creationTimestamp: "${T}", ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: worker-1, uid: r-worker, controller: true}]}
  spec: {nodeName: n2, containers: [{name: c, image: c}]}
  status: {phase: Running, startTime: "${T}", podIP: "fd00:244:1::50", podIPs: [{ip: "fd00:244:1::50"}]}
`;
const workerMatrix = (cidrs: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: workerkubelet, title: worker to kubelets }
documents: { doc: { title: shop doc, file: shop.txt } }
components:
  worker:
    namespace: shop
    selector: { matchLabels: { app: worker } }
    egress:
      - { id: kubelets, peer: { cidrs: [${cidrs}] }, ports: [{ port: 10250 }], level: must, purpose: kubelet API on the node subnet, source: { document: doc, line: 1 } }
`;

async function workerStored(cidrs: string) {
  const { db } = tmpDb();
  importInventory(db, { text: WORKER, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record('fd00:244::10', 'fd00:244:1::50', 8443)}\n`]) }], { format: 'netobserv', now: () => NOW });
  applyMatrix(db, { text: workerMatrix(cidrs), origin: 'm.yaml', appliedAt: NOW });
  return { db, input: readRecommendationInput(db, {}) };
}

test('an IPv6-only workload, a must rule naming the IPv4 node block, nothing observed: the rule names the nodes at their IPv6 addresses too, the IPv6 kubelet connection passes on every engine, and the skip says what is true', async () => {
  const { db, input } = await workerStored('10.0.0.0/24');
  for (const engine of ENGINE_NAMES) {
    const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'shop', workload: 'Deployment/worker' }), { tightness: false });
    const policies = toMultiDocYaml(emitted.manifests);
    for (const kubelet of ['fd00:10::10', 'fd00:10::11']) {
      const verdict = simulateFlows(db, { engine, policies, flows: `${record('fd00:244:1::50', kubelet, 10250)}\n`, format: 'netobserv' }).decisions[0]!.verdict;
      // Never verified while the engine denies the worker's connection to its kubelets.
      assert.ok(!v.ok || verdict === 'allow', `${engine}: verified, yet worker -> ${kubelet}:10250 over IPv6 is denied: ${policies}`);
      assert.equal(verdict, 'allow', `${engine}: worker -> ${kubelet}:10250 over IPv6: ${policies}`);
    }
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v)}`);
    assert.deepEqual(v.unverifiedMustFlows, [], engine);
    // The block's outside part (an IPv4 address) is one the worker never reaches: skipped, in true words.
    assert.deepEqual(Object.keys(v.skipped), ['a representative address of a family the workload cannot use (IPv4, and the workload can use IPv6 only)'], engine);
  }
});

test('an IPv6-only workload, a must rule naming an IPv4 block that holds nothing of the cluster: listed in unverifiedMustFlows with a warning naming the rule, the block, the family and what to do, on every engine', async () => {
  const { input } = await workerStored('192.0.2.0/24');
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'shop', workload: 'Deployment/worker' }), { tightness: false });
    assert.equal(v.unverifiedMustFlows.length, 1, `${engine}: ${JSON.stringify(v)}`);
    const w = v.unverifiedMustFlows[0]!;
    for (const words of ['kubelets (must: kubelet API on the node subnet)', '192.0.2.0/24', 'IPv6', 'the verification cannot tell whether the output cuts it', "add the peer's IPv6 addresses to the document's rule"]) assert.ok(w.includes(words), `${engine}: ${words} in ${w}`);
    assert.ok(v.warnings.includes(w), engine);
  }
});
