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
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { applyMatrix } from '../../app/matrices.ts';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const fixture = (name: string) => readFileSync(new URL(`../fixtures/named-ports/${name}`, import.meta.url), 'utf8');
const { db } = tmpDb();
importInventory(db, { text: fixture('inventory.json'), takenAt: T0, source: 'inventory.json', now: T0 });
applyMatrix(db, { text: fixture('matrix.yaml'), origin: 'matrix.yaml', appliedAt: T0 });
const BINDINGS = {
  roles: {
    tenants: { namespace: 'apps', selector: { matchLabels: { app: 'shipper' } } },
    'syslog-sink': { selector: { matchLabels: { app: 'syslog' } } },
  },
};
const input = readRecommendationInput(db, { bindings: BINDINGS });

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

/**
 * The same cluster with Cilium's kube-system/cilium-config in its inventory: Cilium enforces its
 * NetworkPolicies (simulate/network-plugin.ts runsCilium), converting a port name unchanged
 * (cilium/cilium pkg/k8s/network_policy.go parsePorts) and resolving an egress one as it resolves
 * its own (pkg/policy/types GetNamedPort → ErrDuplicateNamedPorts where the pods disagree).
 */
test('kubernetes on a cluster that runs Cilium: the egress to destinations that disagree on a port name names their numbers, as the cilium engine writes them, and the verification says ok', () => {
  const { db: onCilium } = tmpDb();
  const inventory = JSON.parse(fixture('inventory.json')) as { items: unknown[] };
  inventory.items.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'cluster-name': 'default' } });
  importInventory(onCilium, { text: JSON.stringify(inventory), takenAt: T0, source: 'inventory.json', now: T0 });
  applyMatrix(onCilium, { text: fixture('matrix.yaml'), origin: 'matrix.yaml', appliedAt: T0 });
  const ciliumInput = readRecommendationInput(onCilium, { bindings: BINDINGS });
  const { verification, emitted } = runRecommendation(ciliumInput, 'kubernetes', recommendOptions({}), { tightness: false });
  assert.deepEqual(verification.blocked, []);
  assert.equal(verification.ok, true);
  const shipper = emitted.manifests.find((x) => x.metadata.name.includes('shipper') && x.metadata.namespace === 'apps');
  assert.ok(shipper, emitted.manifests.map((x) => x.metadata.name).join(', '));
  const ports: string[] = JSON.stringify(shipper.spec).match(/"port":"?[a-z0-9-]+"?/g) ?? [];
  assert.ok(ports.includes('"port":4317') && ports.includes('"port":4318'), ports.join(' '));
  assert.ok(!ports.includes('"port":"otlp-grpc"'), ports.join(' '));
  const model = clusterModel(ciliumInput.inventory, ciliumInput.externalNames);
  const sim = SIMULATORS.cilium(emitted.manifests, model.cluster);
  for (const [client, server, port, protocol] of REQUIRED) {
    const pod = (ref: string) => model.cluster.pods.find((p) => `${p.namespace}/${p.name}` === ref)!;
    const v = sim.evaluate({ client: { kind: 'pod', pod: pod(client) }, server: { kind: 'pod', pod: pod(server) }, port, protocol });
    assert.equal(v.verdict, 'allow', `${client} → ${server} ${port}/${protocol}: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
  }
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

/**
 * A Deployment mid-rollout: the old ReplicaSet's pod declares `metrics` as 9090, the new one's as
 * 9091 (test/fixtures/named-ports/rollout-inventory.json). A NetworkPolicy port "can either be a
 * numerical or named port on a pod" (kubernetes/api networking/v1 NetworkPolicyPort.port): the
 * name means 9090 on one pod and 9091 on the other, so a must rule on `{port: metrics}` requires
 * both numbers. Before: the name was resolved to the workload's first number (9090) only — the
 * policy cut prom → svc:9091 on every engine, the edge was called undocumented, and the
 * verification said ok.
 */
const ROLLOUT_MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: rollout, title: A scrape on a named port }
documents: { doc: { title: test matrix, file: rollout.txt } }
components:
  svc:
    namespace: app
    selector: { matchLabels: { app: svc } }
    ingress:
      - { id: scrape, peer: { namespace: mon, selector: { matchLabels: { app: prom } } }, ports: [{ port: metrics }], level: must, purpose: scrape, source: { document: doc, line: 1 } }
`;
const FLOW_TIME = '2026-12-06T10:00:00Z';
const hubbleScrape = (podName: string, ip: string, port: number): string =>
  JSON.stringify({
    flow: {
      time: FLOW_TIME, verdict: 'FORWARDED', Type: 'L3_L4', node_name: 'n1', traffic_direction: 'EGRESS', is_reply: false,
      IP: { source: '10.244.1.30', destination: ip, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40000 + port - 9090, destination_port: port, flags: { SYN: true } } },
      source: { identity: 1000, namespace: 'mon', pod_name: 'prom-a', labels: ['k8s:app=prom', 'k8s:io.kubernetes.pod.namespace=mon'], workloads: [{ name: 'prom', kind: 'Deployment' }] },
      destination: { identity: 1001, namespace: 'app', pod_name: podName, labels: ['k8s:app=svc', 'k8s:io.kubernetes.pod.namespace=app'], workloads: [{ name: 'svc', kind: 'Deployment' }] },
    },
    node_name: 'n1',
    time: FLOW_TIME,
  });
const ROLLOUT_NOW = Date.parse(FLOW_TIME) + 3_600_000;
const SCRAPE = 'rollout/svc/ingress/scrape';

function rolloutDb(flows: readonly string[]) {
  const { db: rollout } = tmpDb();
  importInventory(rollout, { text: fixture('rollout-inventory.json'), takenAt: T0, source: 'rollout-inventory.json', now: T0 });
  applyMatrix(rollout, { text: ROLLOUT_MATRIX, origin: 'rollout.yaml', appliedAt: T0 });
  return { rollout, ingested: ingestFlows(rollout, [{ name: 'flows', open: () => Readable.from(flows.map((f) => `${f}\n`)) }], { format: 'auto', now: () => ROLLOUT_NOW }) };
}

/** prom → svc on each number, judged by `engine`'s simulator on the manifests. */
function scrapeVerdicts(input: ReturnType<typeof readRecommendationInput>, engine: (typeof ENGINE_NAMES)[number], manifests: Parameters<(typeof SIMULATORS)['kubernetes']>[0]): string[] {
  const model = clusterModel(input.inventory, input.externalNames);
  const sim = SIMULATORS[engine](manifests, model.cluster);
  const prom = model.podOf('mon/Deployment/prom')!;
  const svc = model.podOf('app/Deployment/svc')!;
  return [9090, 9091].map((port) => {
    const v = sim.evaluate({ client: { kind: 'pod', pod: prom }, server: { kind: 'pod', pod: svc }, port, protocol: 'TCP' });
    return `${port} ${v.verdict}${v.verdict === 'allow' ? '' : `: ${v.ingress.reason}`}`;
  });
}

test('a must rule on a port name two ReplicaSets of a rollout give different numbers: both observed edges are the rule\'s, and every engine\'s policy lets both in', async () => {
  const { rollout, ingested } = rolloutDb([hubbleScrape('svc-a', '10.244.1.20', 9090), hubbleScrape('svc-b', '10.244.2.20', 9091)]);
  assert.equal((await ingested).accepted, 2);
  const input = readRecommendationInput(rollout, {});
  for (const engine of ENGINE_NAMES) {
    const { rec, verification, emitted } = runRecommendation(input, engine, recommendOptions({ mode: 'documented', namespace: 'app', now: ROLLOUT_NOW }), { tightness: false });
    assert.deepEqual(verification.denied, [], `${engine}: an edge on either number is documented by ${SCRAPE}`);
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const rule = rec.workloads.flatMap((w) => w.rules).find((r) => r.id === SCRAPE);
    assert.deepEqual(rule?.evidence.matrixRules[0]?.edges, ['workload:mon/Deployment/prom|workload:app/Deployment/svc|9090|TCP', 'workload:mon/Deployment/prom|workload:app/Deployment/svc|9091|TCP'], engine);
    assert.deepEqual(scrapeVerdicts(input, engine, emitted.manifests), ['9090 allow', '9091 allow'], engine);
  }
});

test('unobserved, the same rule is verified on a flow to each number the name has on the workload\'s pods, and every engine\'s policy lets both in', async () => {
  const { rollout, ingested } = rolloutDb([]);
  await ingested;
  const input = readRecommendationInput(rollout, {});
  const options = recommendOptions({ mode: 'documented', namespace: 'app', now: ROLLOUT_NOW });
  const svc = recommend(input, options).sides.find((s) => s.workload === 'app/Deployment/svc');
  const required = (svc?.documented?.ingress ?? []).filter((f) => f.rule === SCRAPE).map((f) => `${f.edge.port}/${f.edge.protocol}`);
  assert.deepEqual(required.sort(), ['9090/TCP', '9091/TCP']);
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, options, { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    assert.deepEqual(scrapeVerdicts(input, engine, emitted.manifests), ['9090 allow', '9091 allow'], engine);
  }
});

/**
 * A hand-written CiliumNetworkPolicy on the same rollout: ingress from prom on toPorts port
 * `metrics`. The agent resolves an ingress port name on each endpoint against its own pod's
 * container ports (cilium/cilium pkg/endpoint GetNamedPort: "Ingress only needs the ports of the
 * POD itself"), so svc-a's endpoint opens 9090 and svc-b's opens 9091: prom → svc on either
 * number is allowed at the pod that serves it. Before: the simulator took the first number the
 * workload gives the name (9090) and `simulate --engine cilium` denied prom → svc:9091.
 */
const ROLLOUT_CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: svc-metrics, namespace: app }
spec:
  endpointSelector: { matchLabels: { app: svc } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: prom, k8s:io.kubernetes.pod.namespace: mon } }]
      toPorts: [{ ports: [{ port: metrics, protocol: TCP }] }]
`;
const SCRAPE_EDGES = JSON.stringify([9090, 9091].map((port) => ({ client: 'workload:mon/Deployment/prom', server: 'workload:app/Deployment/svc', port, protocol: 'TCP' })));

test('simulate --engine cilium: an ingress toPorts port name the rollout\'s pods give 9090 and 9091 allows prom → svc on both numbers', async () => {
  const { rollout, ingested } = rolloutDb([]);
  await ingested;
  const { decisions } = simulateFlows(rollout, { engine: 'cilium', policies: ROLLOUT_CNP, flows: SCRAPE_EDGES, format: 'edges' });
  assert.deepEqual(decisions.map((d) => `${d.port} ${d.verdict}`), ['9090 allow', '9091 allow'], JSON.stringify(decisions.map((d) => d.ingress?.reason)));
});

test('simulate --engine cilium: the same beside a fromCIDR block holding svc-a\'s address (10.244.1.20) only: both numbers are still allowed, a third denied', async () => {
  const { rollout, ingested } = rolloutDb([]);
  await ingested;
  const policies = `${ROLLOUT_CNP}    - fromCIDR: [10.244.1.0/24]\n      toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]\n`;
  const flows = JSON.stringify([...JSON.parse(SCRAPE_EDGES), { client: 'workload:mon/Deployment/prom', server: 'workload:app/Deployment/svc', port: 9092, protocol: 'TCP' }]);
  const { decisions } = simulateFlows(rollout, { engine: 'cilium', policies, flows, format: 'edges' });
  assert.deepEqual(decisions.map((d) => `${d.port} ${d.verdict}`), ['9090 allow', '9091 allow', '9092 deny'], JSON.stringify(decisions));
  // A block in the subject's own ingress rules matches peers, not the subject's pods: svc is judged whole
  // (recommender/simulate/pods-apart.ts splits a subject only where a rule can tell its pods apart).
  assert.doesNotMatch(decisions[2]!.ingress!.reason, /at pod/);
});

test('cilium egress on the rollout\'s port name stays closed: the pods of one identity give `metrics` two numbers, and the agent resolves such a name to none (pkg/policy/types namedPortMultiMap.GetNamedPort → ErrDuplicateNamedPorts)', async () => {
  const { rollout, ingested } = rolloutDb([]);
  await ingested;
  const egress = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: prom-scrape, namespace: mon }
spec:
  endpointSelector: { matchLabels: { app: prom } }
  egress:
    - toEndpoints: [{ matchLabels: { app: svc, k8s:io.kubernetes.pod.namespace: app } }]
      toPorts: [{ ports: [{ port: metrics, protocol: TCP }] }]
`;
  const { decisions } = simulateFlows(rollout, { engine: 'cilium', policies: egress, flows: SCRAPE_EDGES, format: 'edges' });
  assert.deepEqual(decisions.map((d) => `${d.port} ${d.verdict}`), ['9090 deny', '9091 deny'], JSON.stringify(decisions.map((d) => d.egress?.reason)));
});
