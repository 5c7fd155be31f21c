/**
 * A matrix names ports by name (`otlp-grpc`, `syslog`) and the pods that serve them give the
 * name different numbers (4317 and 4318; 514 and 1514). Each engine resolves a named port on its
 * own terms:
 * - NetworkPolicy, Calico and ClusterNetworkPolicy resolve a named port on each destination pod
 *   (Kubernetes "Network Policies": "port ... a named port on a pod"; Calico "Rule": named ports
 *   match per endpoint; network-policy-api `namedPort`/`destinationNamedPort`);
 * - Cilium resolves an egress named port only where every selected destination agrees on one
 *   number (cilium/cilium pkg/policy/types `GetNamedPort` → ErrDuplicateNamedPorts, and the port
 *   then allows nothing).
 * So every required flow must pass on every engine: the Cilium egress names the numbers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { applyMatrix } from '../../app/matrices.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const fixture = (name: string) => readFileSync(new URL(`../fixtures/named-ports/${name}`, import.meta.url), 'utf8');
const { db } = tmpDb();
importInventory(db, { text: fixture('inventory.json'), takenAt: T0, source: 'inventory.json', now: T0 });
applyMatrix(db, { text: fixture('matrix.yaml'), origin: 'matrix.yaml', appliedAt: T0 });
const input = readRecommendationInput(db, {
  bindings: {
    roles: {
      tenants: { namespace: 'apps', selector: { matchLabels: { app: 'shipper' } } },
      'syslog-sink': { selector: { matchLabels: { app: 'syslog' } } },
    },
  },
});

/** Required flows (pods by workload name): the shipper to each collector on its otlp-grpc number, each collector to each syslog sink on its syslog number. */
const REQUIRED: [string, string, number, 'TCP' | 'UDP'][] = [
  ['apps/shipper', 'obs/collector', 4317, 'TCP'],
  ['apps/shipper', 'obs/collector-b', 4318, 'TCP'],
  ['obs/collector', 'logging/syslog', 514, 'UDP'],
  ['obs/collector', 'logging2/syslog', 1514, 'UDP'],
  ['obs/collector-b', 'logging/syslog', 514, 'UDP'],
  ['obs/collector-b', 'logging2/syslog', 1514, 'UDP'],
];

test('every required flow to a port name of several numbers passes at both ends on every engine, and the verification says ok', () => {
  const model = clusterModel(input.inventory, input.externalNames);
  const pod = (ref: string) => {
    const [ns, name] = ref.split('/') as [string, string];
    // The model names a pod by its workload (the inventory's pod addresses).
    const found = model.cluster.pods.find((p) => p.namespace === ns && p.name === name);
    assert.ok(found, ref);
    return found;
  };
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.deepEqual(verification.blocked, [], engine);
    assert.equal(verification.ok, true, engine);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const [client, server, port, protocol] of REQUIRED) {
      const v = sim.evaluate({ client: { kind: 'pod', pod: pod(client) }, server: { kind: 'pod', pod: pod(server) }, port, protocol });
      assert.equal(v.verdict, 'allow', `${engine} ${client} → ${server} ${port}/${protocol}: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
    }
  }
});

test('cilium: the egress to destinations that disagree on a port name names their numbers; other engines keep the name (resolved on each destination pod)', () => {
  const egressPorts = (engine: 'cilium' | 'kubernetes', name: string): string[] => {
    const { emitted } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    const m = emitted.manifests.find((x) => x.metadata.name.includes(name) && x.metadata.namespace === (name === 'shipper' ? 'apps' : 'obs'));
    assert.ok(m, `${engine} ${name}: ${emitted.manifests.map((x) => x.metadata.name).join(', ')}`);
    return JSON.stringify(m.spec).match(/"port":"?[a-z0-9-]+"?/g) ?? [];
  };
  const cilium = egressPorts('cilium', 'shipper');
  assert.ok(cilium.includes('"port":"4317"') && cilium.includes('"port":"4318"'), cilium.join(' '));
  assert.ok(!cilium.includes('"port":"otlp-grpc"'), cilium.join(' '));
  assert.ok(egressPorts('kubernetes', 'shipper').includes('"port":"otlp-grpc"'));
});

const SAME_NAMESPACE = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: collectors-mesh, title: Collectors talk to each other }
documents: { doc: { title: test matrix, file: mesh.txt } }
components:
  collector:
    namespace: obs
    selector: { matchLabels: { tier: collector } }
    egress:
      - { id: peers-otlp, peer: same-namespace, ports: [{ port: otlp-grpc }], level: must, purpose: collectors forward to each other, source: { document: doc, line: 1 } }
`;

test('a must rule to its own namespace, between two workloads of one component, on a port name of two numbers: both flows pass at both ends on every engine (the egress names the numbers on Cilium; each destination\'s ingress opens it)', () => {
  const { db: mesh } = tmpDb();
  importInventory(mesh, { text: fixture('inventory.json'), takenAt: T0, source: 'inventory.json', now: T0 });
  applyMatrix(mesh, { text: SAME_NAMESPACE, origin: 'mesh.yaml', appliedAt: T0 });
  const meshInput = readRecommendationInput(mesh, {});
  const model = clusterModel(meshInput.inventory, meshInput.externalNames);
  const pod = (name: string) => model.cluster.pods.find((p) => p.namespace === 'obs' && p.name === name)!;
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(meshInput, engine, recommendOptions({ mode: 'documented' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const [client, server, port] of [['collector', 'collector-b', 4318], ['collector-b', 'collector', 4317]] as const) {
      const v = sim.evaluate({ client: { kind: 'pod', pod: pod(client) }, server: { kind: 'pod', pod: pod(server) }, port, protocol: 'TCP' });
      assert.equal(v.verdict, 'allow', `${engine} ${client} → ${server} ${port}: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
    }
  }
});
