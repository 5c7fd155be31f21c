/**
 * A Service whose `targetPort` is a name, in front of a Deployment mid-rollout: ReplicaSet web-aaa's
 * pod declares `http` as 8080, web-bbb's as 9090, and the EndpointSlices say 8080 for web-aaa-1 and
 * 9090 for web-bbb-1 (test/fixtures/named-ports/service-rollout-inventory.json).
 *
 * Kubernetes resolves a named targetPort on each backend pod, by name and protocol (kubernetes
 * pkg/api/v1/pod/util.go FindPort), so that one can "change the port numbers that Pods expose in the
 * next version of your backend software, without breaking clients" (Kubernetes "Service", "Port
 * definitions"); an EndpointSlice's `ports` are those "exposed by each endpoint in this slice"
 * (discovery.k8s.io/v1 EndpointSlice), so pods that give the name different numbers are in different
 * slices. The Service sends to web-aaa-1:8080 and to web-bbb-1:9090: a policy must allow both.
 *
 * Before: the exposure of the LoadBalancer took the first container port of the name (8080 only:
 * clients balanced to web-bbb-1 were cut), and a flow to the ClusterIP was translated with one
 * name → port map per Service (the last slice's 9090 only: connections sent to web-aaa-1:8080 were
 * cut); both said verified.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { peerKey } from '../../domain/peer.ts';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimEndpoint } from '../../recommender/simulate/types.ts';
import { tmpDb } from '../helpers/tmp.ts';

const TAKEN_AT = Date.parse('2025-03-02T12:00:00Z');
const FLOW_TIME = Date.parse('2025-03-03T11:06:40Z');
const NOW = FLOW_TIME + 3_600_000;
const WEB = 'workload:shop/Deployment/web';
const CLI = 'workload:client/Deployment/cli';

/** The inventory as a LoadBalancer Service, or with the Service turned into a plain ClusterIP one. */
function inventoryText(type: 'LoadBalancer' | 'ClusterIP'): string {
  const list = JSON.parse(readFileSync(new URL('../fixtures/named-ports/service-rollout-inventory.json', import.meta.url), 'utf8')) as { items: { kind: string; metadata: { name: string }; spec: { type: string; ports: { nodePort?: number }[] } }[] };
  const web = list.items.find((i) => i.kind === 'Service' && i.metadata.name === 'web')!;
  web.spec.type = type;
  if (type === 'ClusterIP') for (const p of web.spec.ports) delete p.nodePort;
  return JSON.stringify(list);
}

/** A NetObserv record of a connection's first packet (SYN) from src to dst. */
const syn = (src: string, srcPort: number, dst: string, dstPort: number): string =>
  JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: srcPort, DstPort: dstPort, Proto: 6, Flags: 2, Bytes: 100, Packets: 1, TimeFlowStartMs: FLOW_TIME - 100, TimeFlowEndMs: FLOW_TIME, TimeReceived: Math.floor(FLOW_TIME / 1000) });

async function stored(type: 'LoadBalancer' | 'ClusterIP', flows: readonly string[]) {
  const { db } = tmpDb();
  importInventory(db, { text: inventoryText(type), takenAt: TAKEN_AT, source: 'service-rollout-inventory.json', now: TAKEN_AT });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from(flows.map((f) => `${f}\n`)) }], { format: 'auto', now: () => NOW });
  assert.equal(summary.accepted, flows.length);
  return readRecommendationInput(db, {});
}

/** `client` → each web pod on the number its ReplicaSet gives `http`, as `engine`'s simulator decides under the recommendation (whose verification must say ok). */
function verdictsToEachPod(input: Awaited<ReturnType<typeof stored>>, engine: (typeof ENGINE_NAMES)[number], client: (model: ReturnType<typeof clusterModel>) => SimEndpoint): string[] {
  const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
  assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
  const model = clusterModel(input.inventory, input.externalNames);
  const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
  // The model has one pod per workload (its pods share the policies' labels): each number is what differs.
  const pod = model.podOf('shop/Deployment/web');
  assert.ok(pod);
  return ([['web-aaa-1', 8080], ['web-bbb-1', 9090]] as const).map(([name, port]) => {
    const v = sim.evaluate({ client: client(model), server: { kind: 'pod', pod }, port, protocol: 'TCP' });
    return `${name}:${port} ${v.verdict}${v.verdict === 'allow' ? '' : `: ${v.ingress.reason}`}`;
  });
}

const BOTH_ALLOWED = ['web-aaa-1:8080 allow', 'web-bbb-1:9090 allow'];

test('a LoadBalancer Service on a port name two ReplicaSets give 8080 and 9090 exposes both numbers: every engine lets any outside client reach each pod on its own number', async () => {
  const input = await stored('LoadBalancer', [syn('10.244.0.21', 40000, '10.244.0.12', 9090), syn('10.244.0.21', 40001, '10.244.0.11', 8080), syn('203.0.113.7', 40002, '10.244.0.12', 9090)]);
  const web = input.inventory.workloads.find((w) => w.namespace === 'shop' && w.name === 'web');
  assert.deepEqual(web?.exposure.map((e) => `${e.via} ${e.object} ${e.port}/${e.protocol}`), ['LoadBalancer shop/web 8080/TCP', 'LoadBalancer shop/web 9090/TCP']);
  for (const engine of ENGINE_NAMES) {
    // An address no flow showed: the load balancer's clients are anyone.
    assert.deepEqual(verdictsToEachPod(input, engine, () => ({ kind: 'external', ip: '198.51.100.9' })), BOTH_ALLOWED, engine);
  }
});

test('a flow to the ClusterIP of a Service on a port name two ReplicaSets give 8080 and 9090 is an edge on each number, and every engine lets the client reach each pod on its own', async () => {
  const input = await stored('ClusterIP', [syn('10.244.0.21', 40010, '10.96.5.5', 80)]);
  // The verification judges every observed edge: both numbers are required.
  assert.deepEqual(input.edges.map((e) => `${peerKey(e.client)} → ${peerKey(e.server)} ${e.port}/${e.protocol}`), [`${CLI} → ${WEB} 8080/TCP`, `${CLI} → ${WEB} 9090/TCP`]);
  for (const engine of ENGINE_NAMES) {
    assert.deepEqual(verdictsToEachPod(input, engine, (model) => ({ kind: 'pod', pod: model.podOf('client/Deployment/cli')! })), BOTH_ALLOWED, engine);
  }
});

/**
 * The same rollout, but web-aaa's pod also names 9090 `metrics`, which the Service never sends to.
 * A port of a NetworkPolicy "can either be a numerical or named port on a pod" (kubernetes
 * staging/src/k8s.io/api/networking/v1/types.go, NetworkPolicyPort.port), resolved on each pod: the
 * name `http` opens web-aaa-1:8080 and web-bbb-1:9090 — what the Service reaches — and not
 * web-aaa-1:9090, which the numbers 8080 and 9090 both open on every pod. Cilium (pkg/policy/api
 * l4.go PortProtocol.Port: "Port can be an L4 port number, or a name in the form of \"http\" or
 * \"http-8080\"") and Calico (numorstring.Port, PortName) resolve it on the destination pod the
 * same way. ClusterNetworkPolicy's `destinationNamedPort` would too, but the standard channel's CRD
 * has no such field since kubernetes-sigs/network-policy-api#392 ("Make NamedPort experimental
 * again"): its output names the numbers, which the standard channel admits, and opens web-aaa-1:9090
 * with them (warned, `named-port-as-numbers`).
 */
function withMetricsOnAaa(): string {
  const list = JSON.parse(inventoryText('ClusterIP')) as { items: { kind: string; metadata: { name: string }; spec: { containers?: { ports?: object[] }[]; template?: { spec: { containers: { ports?: object[] }[] } } } }[] };
  for (const i of list.items) {
    const metrics = { name: 'metrics', containerPort: 9090 };
    if (i.kind === 'Pod' && i.metadata.name === 'web-aaa-1') i.spec.containers![0]!.ports!.push(metrics);
    if (i.kind === 'ReplicaSet' && i.metadata.name === 'web-aaa') i.spec.template!.spec.containers[0]!.ports!.push(metrics);
  }
  return JSON.stringify(list);
}

async function storedWithMetrics(flows: readonly string[]) {
  const { db } = tmpDb();
  importInventory(db, { text: withMetricsOnAaa(), takenAt: TAKEN_AT, source: 'service-rollout-inventory.json', now: TAKEN_AT });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from(flows.map((f) => `${f}\n`)) }], { format: 'auto', now: () => NOW });
  assert.equal(summary.accepted, flows.length);
  return readRecommendationInput(db, {});
}

/** The ports of web's ingress rules as each engine writes them (numbers and names alike, sorted). */
function ingressPortsOfWeb(manifests: readonly unknown[]): string[] {
  const ports = new Set<string>();
  const visit = (v: unknown, inIngress: boolean): void => {
    if (Array.isArray(v)) for (const x of v) visit(x, inIngress);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const ingress = inIngress || k === 'ingress';
        // NetworkPolicy `port`, Cilium `port`, ClusterNetworkPolicy `destinationNamedPort` and `destinationPort.number`.
        if (ingress && (k === 'port' || k === 'destinationNamedPort' || k === 'number') && (typeof x === 'number' || typeof x === 'string')) ports.add(String(x));
        if (ingress && k === 'ports' && Array.isArray(x) && x.every((p) => typeof p === 'number' || typeof p === 'string')) for (const p of x) ports.add(String(p));
        visit(x, ingress);
      }
    }
  };
  for (const m of manifests) {
    const meta = (m as { metadata?: { name?: string } }).metadata;
    if (meta?.name?.includes('web')) visit(m, false);
  }
  return [...ports].sort();
}

/** cli → each web pod as its own pod (its own container ports: what the CNI resolves a name on), under `engine`'s recommendation. */
function verdictsPerOwnPod(input: Awaited<ReturnType<typeof storedWithMetrics>>, engine: (typeof ENGINE_NAMES)[number]) {
  const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
  assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
  const model = clusterModel(input.inventory, input.externalNames);
  const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
  const web = model.podOf('shop/Deployment/web')!;
  const own = {
    'web-aaa-1': { ...web, name: 'web-aaa-1', ips: ['10.244.0.11'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' as const }, { name: 'metrics', port: 9090, protocol: 'TCP' as const }] },
    'web-bbb-1': { ...web, name: 'web-bbb-1', ips: ['10.244.0.12'], ports: [{ name: 'http', port: 9090, protocol: 'TCP' as const }] },
  };
  const client: SimEndpoint = { kind: 'pod', pod: model.podOf('client/Deployment/cli')! };
  const verdicts = ([['web-aaa-1', 8080], ['web-aaa-1', 9090], ['web-bbb-1', 9090]] as const).map(([name, port]) => `${name}:${port} ${sim.evaluate({ client, server: { kind: 'pod', pod: own[name] }, port, protocol: 'TCP' }).verdict}`);
  return { verdicts, ports: ingressPortsOfWeb(emitted.manifests) };
}

test("a flow to the ClusterIP through a port name two ReplicaSets give 8080 and 9090 is allowed by that name on every engine that can name it: web-aaa-1's own 9090 (`metrics`) stays closed; ClusterNetworkPolicy names the numbers (its standard channel has no destinationNamedPort), verified, and opens it", async () => {
  const input = await storedWithMetrics([syn('10.244.0.21', 40010, '10.96.5.5', 80)]);
  for (const engine of ENGINE_NAMES) {
    const { verdicts, ports } = verdictsPerOwnPod(input, engine);
    const byNumber = engine === 'clusternetworkpolicy';
    assert.deepEqual(ports, byNumber ? ['8080', '9090'] : ['http'], engine);
    assert.deepEqual(verdicts, ['web-aaa-1:8080 allow', `web-aaa-1:9090 ${byNumber ? 'allow' : 'deny'}`, 'web-bbb-1:9090 allow'], engine);
  }
});

test('the same client also reaching web-aaa-1:9090 directly keeps the number 9090: a connection not sent through the name is never cut', async () => {
  const input = await storedWithMetrics([syn('10.244.0.21', 40010, '10.96.5.5', 80), syn('10.244.0.21', 40011, '10.244.0.11', 9090)]);
  for (const engine of ENGINE_NAMES) {
    const { verdicts, ports } = verdictsPerOwnPod(input, engine);
    assert.deepEqual(ports, engine === 'clusternetworkpolicy' ? ['8080', '9090'] : ['9090', 'http'], engine);
    assert.deepEqual(verdicts, ['web-aaa-1:8080 allow', 'web-aaa-1:9090 allow', 'web-bbb-1:9090 allow'], engine);
  }
});
