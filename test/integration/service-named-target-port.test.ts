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
