/**
 * A `must` rule to a component that selects a host-network workload beside pod-network ones
 * requires each of them (docs/recommend.md, "Verification": "one per peer workload and numbered
 * port"). A host-network pod speaks from its node's address, which no pod selector matches
 * (kubernetes.io "Network Policies": "it ignores hostNetwork pods when matching podSelector";
 * ClusterNetworkPolicy `pods` peer: "host-networked pods are not included in this type of peer";
 * a host-network pod is Cilium's `host`/`remote-node` entity; Calico's host endpoint, not a
 * workload endpoint). The rule rendered a `podSelector: {app: db}` only, and the verification
 * named the pod-network workloads only, so client → db-b (host network, at 192.168.0.11) was cut
 * on every engine with the verification ok, exit 0. Input → expected: the rule names the nodes
 * beside the pods (as a component all on the host network does, peers.ts resolvedPeers), so
 * the simulated flow client → db-b:5432 is allowed on every engine, observed to db-a or not; and
 * the verification judges db-b: in mode observed, where the rule is cut, it is blocked.
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

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const pod = (name: string, labels: string, ip: string, node: string, host: boolean, ports: number[]) =>
  `- { apiVersion: v1, kind: Pod, metadata: { name: ${name}, namespace: app, labels: { ${labels} }, creationTimestamp: "${T}" }, spec: { nodeName: ${node}, hostNetwork: ${host}, containers: [{ name: c, image: i, ports: [${ports.map((p) => `{ containerPort: ${p} }`).join(', ')}] }] }, status: { phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;
const node = (name: string, cidr: string, ip: string) =>
  `- { apiVersion: v1, kind: Node, metadata: { name: ${name}, creationTimestamp: "${T}" }, spec: { podCIDR: ${cidr} }, status: { addresses: [{ type: InternalIP, address: ${ip} }] } }`;
const INVENTORY = `apiVersion: v1
kind: List
items:
- { apiVersion: v1, kind: Namespace, metadata: { name: app, labels: { kubernetes.io/metadata.name: app } } }
${node('n1', '10.244.1.0/24', '192.168.0.11')}
${node('n2', '10.244.2.0/24', '192.168.0.12')}
${pod('client', 'app: client', '10.244.2.10', 'n2', false, [])}
${pod('db-a', 'app: db, shard: a', '10.244.1.20', 'n1', false, [5432])}
${pod('db-b', 'app: db, shard: b', '192.168.0.11', 'n1', true, [5432])}
`;
const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: m, title: m }
documents: { d: { title: d } }
components:
  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: to-db, peer: { component: db }, ports: [{ port: 5432 }], level: must, purpose: every shard, source: { document: d, line: 1 } }
  db:
    namespace: app
    selector: { matchLabels: { app: db } }
    ports: [{ name: pg, port: 5432 }]
`;
const FLOW = JSON.stringify({ time: '2026-03-01T10:30:00Z', verdict: 'FORWARDED', IP: { source: '10.244.2.10', destination: '10.244.1.20' }, l4: { TCP: { source_port: 51000, destination_port: 5432, flags: { SYN: true } } } });

async function stored(observed: boolean) {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  if (observed) await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOW}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: MATRIX, origin: 'm.yaml', appliedAt: NOW });
  return readRecommendationInput(db, {});
}

const TO_DB_B = 'workload:app/Pod/client|workload:app/Pod/db-b|5432|TCP';

for (const observed of [false, true]) {
  test(`mode union, ${observed ? 'client → db-a observed' : 'nothing observed'}: the rule reaches the host-network db-b at its node on every engine, and the verification holds`, async () => {
    const input = await stored(observed);
    const model = clusterModel(input.inventory, input.externalNames);
    const client = model.cluster.pods.find((p) => p.name === 'client')!;
    const dbB = model.cluster.pods.find((p) => p.name === 'db-b')!;
    const dbA = model.cluster.pods.find((p) => p.name === 'db-a')!;
    for (const engine of ENGINE_NAMES) {
      const { verification: v, emitted } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
      assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
      const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
      const toB = sim.evaluate({ client: { kind: 'pod', pod: client }, server: { kind: 'pod', pod: dbB }, port: 5432, protocol: 'TCP' });
      assert.equal(toB.verdict, 'allow', `${engine}: ${toB.egress.reason} | ${toB.ingress.reason}`);
      const toA = sim.evaluate({ client: { kind: 'pod', pod: client }, server: { kind: 'pod', pod: dbA }, port: 5432, protocol: 'TCP' });
      assert.equal(toA.verdict, 'allow', `${engine}: ${toA.egress.reason} | ${toA.ingress.reason}`);
    }
  });
}

test('mode observed, client → db-a observed: the verification judges the host-network db-b too, and blocks the cut on every engine', async () => {
  const input = await stored(true);
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ mode: 'observed' }), { tightness: false });
    const cut = v.blocked.find((b) => b.workload === 'app/Pod/client' && b.direction === 'egress' && b.edge === TO_DB_B);
    assert.ok(cut, `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.match(cut.reason, /m\/client\/egress\/to-db \(must\) requires it, not observed yet: .*mode union keeps it/);
  }
});
