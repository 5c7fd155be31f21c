/**
 * A must rule whose peer selects its owner's own pods (`same-namespace`, here) says the owner's
 * replicas talk to each other (clustering, gossip, replication: OpenSearch's 9300, Patroni's
 * 5432). A policy isolating the owner admits its own replicas only where a rule names them:
 * Kubernetes "Network Policies" — once a pod is isolated for ingress, "the only allowed
 * connections into the pod are those from the pod's node and those allowed by the ingress list of
 * some NetworkPolicy" (no exception for pods the policy itself selects); likewise on egress.
 *
 * Before, the owner itself was skipped as a required peer, so mode
 * observed rendered no rule for web-0 → web-1:8080 and exited 0 on every engine. Now the flow is
 * required of a workload with two pods or more on the pod network (one pod has no replica to
 * reach), at both of its ends, and mode union opens web's egress to its own pods too.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { namespaceItem, nodeItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const webPod = (name: string, node: string, ip: string) => `- apiVersion: v1
  kind: Pod
  metadata: {name: ${name}, namespace: a, labels: {app: web}, creationTimestamp: "${T}", ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-rs, uid: r1, controller: true}]}
  spec: {nodeName: ${node}, containers: [{name: c, image: c, ports: [{containerPort: 8080}]}]}
  status: {phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;
const inventory = (replicas: number) => `apiVersion: v1
kind: List
items:
${namespaceItem('a')}
${nodeItem('n1', '10.244.1.0/24', '192.168.0.11')}
${nodeItem('n2', '10.244.2.0/24', '192.168.0.12')}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: a, uid: d1}
  spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: c, ports: [{containerPort: 8080}]}]}}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: web-rs, namespace: a, uid: r1, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}]}
  spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: c}]}}}
${webPod('web-0', 'n1', '10.244.1.10')}
${replicas > 1 ? webPod('web-1', 'n2', '10.244.2.10') : ''}
`;
const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: fz, title: replicas }
documents: { d: { title: d, file: d.txt } }
components:
  web:
    namespace: a
    selector: { matchLabels: { app: web } }
    ports: [{ port: 8080 }]
    ingress:
      - { id: r2, peer: same-namespace, ports: [{ port: 8080 }], level: must, purpose: gossip, source: { document: d, line: 1 } }
`;
// Something else observed of web, so that its egress is restricted.
const OTHER = JSON.stringify({ time: '2026-03-01T10:30:00Z', verdict: 'FORWARDED', IP: { source: '10.244.1.10', destination: '192.168.0.12' }, l4: { TCP: { source_port: 51000, destination_port: 10250, flags: { SYN: true } } } });

async function stored(replicas: number, matrix = MATRIX) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(replicas), takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${OTHER}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: matrix, origin: 'fz.yaml', appliedAt: NOW });
  return { db, input: readRecommendationInput(db, {}) };
}

const REPLICA = 'workload:a/Deployment/web|workload:a/Deployment/web|8080|TCP';
type Db = ReturnType<typeof tmpDb>['db'];
const replicaVerdict = (db: Db, engine: (typeof ENGINE_NAMES)[number], manifests: readonly unknown[], port = 8080): string =>
  simulateFlows(db, { engine, policies: toMultiDocYaml(manifests), flows: JSON.stringify([{ client: 'workload:a/Deployment/web', server: 'workload:a/Deployment/web', port, protocol: 'TCP' }]), format: 'edges' }).decisions[0]!.verdict;

test('mode observed: the unobserved replica flow web → web:8080 that a same-namespace must rule requires is blocked on every engine', async () => {
  const { db, input } = await stored(2);
  for (const engine of ENGINE_NAMES) {
    const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
    assert.equal(replicaVerdict(db, engine, emitted.manifests), 'deny', engine);
    assert.equal(v.ok, false, engine);
    const cut = v.blocked.find((b) => b.workload === 'a/Deployment/web' && b.direction === 'ingress' && b.edge === REPLICA);
    assert.ok(cut, `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.match(cut.reason, /fz\/web\/ingress\/r2 \(must\) requires it, not observed yet: applying this cuts required traffic; mode union keeps it/, engine);
  }
});

test('mode union opens web\'s ingress and egress to its own replicas on 8080: verified on every engine', async () => {
  const { db, input } = await stored(2);
  for (const engine of ENGINE_NAMES) {
    const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
    assert.equal(replicaVerdict(db, engine, emitted.manifests), 'allow', engine);
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
  }
});

test('one pod has no replica to reach: nothing of web to itself is required', async () => {
  const { input } = await stored(1);
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
    assert.equal(v.blocked.some((b) => b.edge === REPLICA), false, `${engine}: ${JSON.stringify(v.blocked)}`);
  }
});

/**
 * An egress must rule to the same namespace on a port the owner does not listen on (a database's
 * 5432 beside web's 8080) names the namespace's other workloads, not web's replicas: web → web:5432
 * reaches nothing. It is neither required (mode observed would fail on a flow no pod serves) nor
 * opened at web's ingress (mode union would open a port web does not serve).
 */
test('an egress must rule to the same namespace on a port the owner does not declare requires no replica flow on it, and opens none', async () => {
  const egress = MATRIX.replace(
    '    ingress:\n      - { id: r2, peer: same-namespace, ports: [{ port: 8080 }], level: must, purpose: gossip, source: { document: d, line: 1 } }',
    '    egress:\n      - { id: e1, peer: same-namespace, ports: [{ port: 5432 }], level: must, purpose: the database, source: { document: d, line: 1 } }',
  );
  assert.notEqual(egress, MATRIX);
  const { db, input } = await stored(2, egress);
  for (const engine of ENGINE_NAMES) {
    const observed = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false }).verification;
    assert.equal(observed.blocked.some((b) => b.edge === REPLICA.replace('8080', '5432')), false, `${engine}: ${JSON.stringify(observed.blocked)}`);
    const { emitted, verification: union } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
    assert.equal(union.ok, true, `${engine}: ${JSON.stringify(union.blocked)}`);
    assert.equal(replicaVerdict(db, engine, emitted.manifests, 5432), 'deny', `${engine}: web's ingress is not opened on 5432`);
  }
});
