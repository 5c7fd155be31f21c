/**
 * A documented rule to a component whose pods the inventory shows on the host network reaches them
 * at their node's address: no pod selector matches a host-network pod (ClusterNetworkPolicy
 * `pods` peer: "host-networked pods are not included in this type of peer"; NetworkPolicy selects
 * pods on the pod network). The matrix need not say `hostNetwork: true` for the inventory to count.
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
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const pod = (name: string, labels: string, ip: string, host: boolean) =>
  `  - { apiVersion: v1, kind: Pod, metadata: { name: ${name}, namespace: mon, labels: { ${labels} }, creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { nodeName: w1, hostNetwork: ${host}, containers: [{ name: c, image: i, ports: [{ name: metrics, containerPort: 9100 }] }] }, status: { phase: Running, startTime: "2026-01-01T00:00:00Z", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;
const INVENTORY = `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: mon, labels: { kubernetes.io/metadata.name: mon } } }
  - { apiVersion: v1, kind: Node, metadata: { name: w1, creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 10.0.0.11 }] } }
${pod('prom', 'app: prom', '10.244.1.5', false)}
${pod('nodeexp', 'app: nodeexp', '10.0.0.11', true)}
`;
const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: mon, title: test monitoring }
documents: { doc: { title: test doc, file: doc.txt } }
components:
  prom:
    namespace: mon
    selector: { matchLabels: { app: prom } }
    egress:
      - { id: scrape-nodeexp, peer: { component: nodeexp }, ports: [{ port: 9100 }], level: must, purpose: scrape, source: { document: doc, line: 1 } }
  nodeexp:
    namespace: mon
    selector: { matchLabels: { app: nodeexp } }
    ports: [{ name: metrics, port: 9100 }]
`;

test('mode documented: the rule to a component the inventory shows on the host network allows its node address, on every engine', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: MATRIX, origin: 'mon.yaml', appliedAt: NOW });
  const flow = JSON.stringify({ SrcAddr: '10.244.1.5', DstAddr: '10.0.0.11', SrcPort: 40001, DstPort: 9100, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 80, TimeFlowStartMs: NOW - 60_000, TimeFlowEndMs: NOW - 60_000 });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flow}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const prom = model.cluster.pods.find((p) => p.name === 'prom')!;
  const node = model.cluster.nodes.find((n) => n.name === 'w1')!;
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted, rec } = runRecommendation(input, engine, recommendOptions({ mode: 'documented' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const promRecord = rec.workloads.find((w) => w.workload.name === 'prom')!;
    assert.ok(promRecord.observed.some((e) => e.status === 'confirmed'), `${engine}: the scrape is documented`);
    const v = SIMULATORS[engine](emitted.manifests, model.cluster).evaluate({ client: { kind: 'pod', pod: prom }, server: { kind: 'node', node, ip: '10.0.0.11' }, port: 9100, protocol: 'TCP' });
    assert.equal(v.verdict, 'allow', `${engine}: ${v.egress.reason}`);
  }
});
