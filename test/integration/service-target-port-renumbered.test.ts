/**
 * A rollout renumbers the pods behind a Service's named target port. Night A: Deployment shop/web
 * declares `http` = 8080 (ReplicaSet web-aaa), Service web maps 80 → `targetPort: http`, and client
 * cli calls 10.96.5.5:80 — an edge cli → web:8080 kept with the target port name `http`. Night B:
 * the rollout is done, the only pod is ReplicaSet web-bbb's, whose `http` is 9090; no flow yet.
 *
 * ServicePort.targetPort: "If this is a string, it will be looked up as a named port in the target
 * Pod's container ports" — so that Pods can "change the port numbers [they] expose in the next
 * version of your backend software, without breaking clients" (kubernetes.io "Service", "Port
 * definitions"); NetworkPolicyPort.port matches the pod's port after the Service's translation. The
 * client's next call reaches web-bbb-1:9090: a policy kept at 8080 cuts the Service's traffic.
 *
 * Before: every engine's export opened 8080 only, on web's ingress and cli's egress, and the
 * verification said ok (it judged the observed 8080 alone), for --stale-days (30 days).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { emitOptions, readRecommendationInput, recommendOptions, recommendWithWarnings, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES, getEngine } from '../../recommender/engines/index.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NIGHT_A = Date.parse('2025-03-02T12:00:00Z');
const FLOW_TIME = Date.parse('2025-03-03T11:06:40Z');
const NIGHT_B = Date.parse('2025-03-04T12:00:00Z');
const AFTER = Date.parse('2025-03-04T13:00:00Z');
const NOW = AFTER;
const CLI = 'workload:client/Deployment/cli';
const WEB = 'workload:shop/Deployment/web';

type Item = { kind: string; metadata: { name: string }; spec: { type?: string; ports?: { nodePort?: number }[]; template?: { spec: { containers: { ports: { name: string; containerPort: number }[] }[] } } } };

/**
 * The rollout fixture (test/fixtures/named-ports/service-rollout-inventory.json) as a ClusterIP
 * Service in front of one ReplicaSet only: `aaa` (night A, `http` 8080) or `bbb` (night B, 9090),
 * the Deployment's template giving the same number.
 */
function inventoryText(replicaSet: 'aaa' | 'bbb'): string {
  const list = JSON.parse(readFileSync(new URL('../fixtures/named-ports/service-rollout-inventory.json', import.meta.url), 'utf8')) as { items: Item[] };
  const gone = replicaSet === 'aaa' ? ['web-bbb', 'web-bbb-1', 'web-x2'] : ['web-aaa', 'web-aaa-1', 'web-x1'];
  list.items = list.items.filter((i) => !gone.includes(i.metadata.name));
  for (const i of list.items) {
    if (i.kind === 'Service' && i.metadata.name === 'web') {
      i.spec.type = 'ClusterIP';
      for (const p of i.spec.ports ?? []) delete p.nodePort;
    }
    if (i.kind === 'Deployment' && i.metadata.name === 'web') i.spec.template!.spec.containers[0]!.ports[0]!.containerPort = replicaSet === 'aaa' ? 8080 : 9090;
  }
  return JSON.stringify(list);
}

/** A NetObserv record of a connection's first packet (SYN) from src to dst at `time`. */
const syn = (src: string, srcPort: number, dst: string, dstPort: number, time = FLOW_TIME): string =>
  JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: srcPort, DstPort: dstPort, Proto: 6, Flags: 2, Bytes: 100, Packets: 1, TimeFlowStartMs: time - 100, TimeFlowEndMs: time, TimeReceived: Math.floor(time / 1000) });

/**
 * A Hubble record of cli's SYN to web's pod `pod` at `dst`, recorded after the Service's translation
 * (Cilium's kube-proxy replacement translates the ClusterIP at the socket, so the record shows the
 * backend), naming the Service it went through: `destination_service` (cilium/cilium
 * api/v1/flow/flow.proto: "destination_service contains the service name of the destination").
 */
const hubbleSyn = (srcPort: number, pod: string, dst: string, dstPort: number, time = FLOW_TIME): string =>
  JSON.stringify({
    flow: {
      time: new Date(time).toISOString(),
      verdict: 'FORWARDED',
      IP: { source: '10.244.0.21', destination: dst, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: srcPort, destination_port: dstPort, flags: { SYN: true } } },
      source: { namespace: 'client', labels: ['k8s:app=cli'], pod_name: 'cli-ccc-1', workloads: [{ name: 'cli', kind: 'Deployment' }] },
      destination: { namespace: 'shop', labels: ['k8s:app=web'], pod_name: pod, workloads: [{ name: 'web', kind: 'Deployment' }] },
      Type: 'L3_L4',
      traffic_direction: 'EGRESS',
      is_reply: false,
      destination_service: { name: 'web', namespace: 'shop' },
    },
  });

/** Night A (inventory, then cli's call through the Service, `record`), then night B's inventory: the inputs of each night. */
async function nights(record = syn('10.244.0.21', 40010, '10.96.5.5', 80), records = 1) {
  const { db } = tmpDb();
  importInventory(db, { text: inventoryText('aaa'), takenAt: NIGHT_A, source: 'night-a.json', now: NIGHT_A });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record}\n`]) }], { format: 'auto', now: () => FLOW_TIME });
  assert.equal(summary.accepted, records);
  const nightA = readRecommendationInput(db, {});
  importInventory(db, { text: inventoryText('bbb'), takenAt: NIGHT_B, source: 'night-b.json', now: NIGHT_B });
  return { db, nightA, nightB: readRecommendationInput(db, {}) };
}

/** The ports of the rules of `direction` of the manifests whose name holds `workload`, as each engine writes them (numbers and names alike, sorted). */
function portsOf(manifests: readonly unknown[], workload: string, direction: 'ingress' | 'egress'): string[] {
  const ports = new Set<string>();
  const visit = (v: unknown, inside: boolean): void => {
    if (Array.isArray(v)) for (const x of v) visit(x, inside);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const here = inside || k === direction;
        // NetworkPolicy and Cilium `port`, ClusterNetworkPolicy `destinationNamedPort` and `destinationPort.number`, Calico `destination.ports`.
        if (here && (k === 'port' || k === 'destinationNamedPort' || k === 'number') && (typeof x === 'number' || typeof x === 'string')) ports.add(String(x));
        if (here && k === 'ports' && Array.isArray(x) && x.every((p) => typeof p === 'number' || typeof p === 'string')) for (const p of x) ports.add(String(p));
        visit(x, here);
      }
    }
  };
  for (const m of manifests) if ((m as { metadata?: { name?: string } }).metadata?.name?.includes(workload)) visit(m, false);
  return [...ports].filter((p) => p !== '53').sort();
}

/**
 * On every engine, night B's recommendation is verified, opens 9090 beside 8080 on web's ingress
 * and cli's egress, and `flowmatrix simulate` of its export allows the client's next call (`after`).
 */
function followsRenumbering(db: ReturnType<typeof tmpDb>['db'], nightB: Awaited<ReturnType<typeof nights>>['nightB'], after: string, format: 'netobserv' | 'hubble'): void {
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(nightB, engine, recommendOptions({ now: NOW }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    assert.deepEqual(portsOf(emitted.manifests, 'web', 'ingress'), ['8080', '9090'], `${engine} web ingress`);
    assert.deepEqual(portsOf(emitted.manifests, 'cli', 'egress'), ['8080', '9090'], `${engine} cli egress`);
    const next = simulateFlows(db, { engine, policies: toMultiDocYaml(emitted.manifests), flows: after, format });
    assert.deepEqual(next.decisions.map((d) => `${d.verdict} ${(d.connections ?? [d]).map((c) => `${c.port}`).join(',')}`), ['allow 9090'], engine);
  }
}

test("night B after a rollout renumbering `http` 8080 → 9090: every engine opens 9090 as well on web's ingress and cli's egress, verified, and the Service's next flow is allowed", async () => {
  const { db, nightB } = await nights();
  assert.deepEqual(
    nightB.edges.filter((e) => e.port !== 53).map((e) => `${e.client.kind === 'workload' ? `workload:${e.client.workload.namespace}/${e.client.workload.kind}/${e.client.workload.name}` : e.client.kind} ${e.port} ${e.targetPortName}`),
    [`${CLI} 8080 http`],
  );
  followsRenumbering(db, nightB, `${syn('10.244.0.21', 40020, '10.96.5.5', 80, AFTER)}\n`, 'netobserv');
});

test("Hubble after the Service's translation (destination_service, the backend web-aaa-1:8080): after the rollout every engine opens 9090 as well on both sides, verified, and the Service's next flow is allowed", async () => {
  const { db, nightB } = await nights(hubbleSyn(40010, 'web-aaa-1', '10.244.0.11', 8080));
  assert.deepEqual(nightB.edges.filter((e) => e.port !== 53).map((e) => `${e.port} ${e.targetPortName}`), ['8080 http']);
  followsRenumbering(db, nightB, `${hubbleSyn(40020, 'web-bbb-1', '10.244.0.12', 9090, AFTER)}\n`, 'hubble');
});

/**
 * One connection recorded twice by NetObserv, whose agent runs on every node: on the client's node
 * to the ClusterIP (through the name), on the server's node after kube-proxy's DNAT to the pod's
 * address and number (kubernetes.io "Virtual IPs and Service Proxies"). The second record carries
 * no Service; had it cleared the name, the rules would stay at 8080 after the rollout, verified.
 */
test("one connection recorded to the ClusterIP and again after the translation (the server's node): the name stays, and after the rollout every engine opens 9090 on both sides, verified", async () => {
  const { db, nightB } = await nights(`${syn('10.244.0.21', 40010, '10.96.5.5', 80)}\n${syn('10.244.0.21', 40010, '10.244.0.11', 8080)}`, 2);
  assert.deepEqual(nightB.edges.filter((e) => e.port !== 53).map((e) => `${e.port} ${e.targetPortName} ${e.reachedByNumberToo === true}`), ['8080 http true']);
  followsRenumbering(db, nightB, `${syn('10.244.0.21', 40020, '10.96.5.5', 80, AFTER)}\n`, 'netobserv');
});

test("the explanations of web's ingress rule and cli's egress rule say the port no flow used is `http`'s number now", async () => {
  const { nightB } = await nights();
  const { rec } = runRecommendation(nightB, 'kubernetes', recommendOptions({ now: NOW }), { tightness: false });
  const explanations = (direction: 'ingress' | 'egress') =>
    rec.policySet.intents.flatMap((i) => (i[direction].mode === 'rules' ? i[direction].rules : [])).filter((r) => r.ports.some((p) => p.kind === 'number' && p.port === 9090)).map((r) => r.explanation.text);
  for (const direction of ['ingress', 'egress'] as const) {
    const texts = explanations(direction);
    assert.equal(texts.length, 1, `${direction}: ${JSON.stringify(texts)}`);
    assert.match(texts[0]!, /http is now 9090 on shop\/Deployment\/web's pods/, direction);
  }
});

test("night A's manifests (8080 only) verified against night B's cluster are blocked at 9090 on both sides: the verification judges the edge at the number `http` has now", async () => {
  const { nightA, nightB } = await nights();
  for (const engine of ENGINE_NAMES) {
    const old = getEngine(engine).emit(recommendWithWarnings(nightA, recommendOptions({ now: FLOW_TIME }), { details: false }).policySet, emitOptions(nightA));
    assert.deepEqual(portsOf(old.manifests, 'web', 'ingress'), ['8080'], engine);
    const rec = recommendWithWarnings(nightB, recommendOptions({ now: NOW }), { details: false });
    const v = verifyRecommendation({ engine, emitted: old, model: clusterModel(nightB.inventory, nightB.externalNames), applied: [], sides: rec.sides, simulator: SIMULATORS[engine], tightness: false });
    assert.equal(v.ok, false, engine);
    assert.deepEqual(v.blocked.map((b) => `${b.workload} ${b.direction} ${b.edge}`).sort(), [
      `client/Deployment/cli egress ${CLI}|${WEB}|9090|TCP`,
      `shop/Deployment/web ingress ${CLI}|${WEB}|9090|TCP`,
    ], engine);
    assert.match(v.blocked[0]!.reason, /http is now 9090 on shop\/Deployment\/web's pods/, engine);
  }
});

/**
 * edges.target_port_name (migration 0045; domain/edge.ts TargetPortWays): NULL is "not known" (an
 * edge stored before the migration), which the next flow sets; a name once seen stays, marked `+`
 * once a flow came by number too (docs/operations.md, Upgrading).
 */
test('an edge stored before migration 0045 gets the name from its next flow through it, and keeps it, marked, once a flow comes by number', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: inventoryText('aaa'), takenAt: NIGHT_A, source: 'night-a.json', now: NIGHT_A });
  const ingest = async (record: string) => ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record}\n`]) }], { format: 'auto', now: () => FLOW_TIME });
  const stored = () => (db.prepare("SELECT target_port_name AS name FROM edges WHERE port = 8080").all() as { name: string | null }[]).map((r) => r.name);
  await ingest(syn('10.244.0.21', 40010, '10.96.5.5', 80));
  assert.deepEqual(stored(), ['http']);
  db.exec('UPDATE edges SET target_port_name = NULL');
  await ingest(syn('10.244.0.21', 40011, '10.96.5.5', 80));
  assert.deepEqual(stored(), ['http'], 'not known: the named flow sets it');
  // The client reaches web-aaa-1:8080 directly, not through the Service.
  await ingest(syn('10.244.0.21', 40012, '10.244.0.11', 8080));
  assert.deepEqual(stored(), ['+http']);
  await ingest(syn('10.244.0.21', 40013, '10.96.5.5', 80));
  assert.deepEqual(stored(), ['+http'], 'through the name and by number stays so');
  assert.deepEqual(readRecommendationInput(db, {}).edges.filter((e) => e.port === 8080).map((e) => [e.targetPortName, e.reachedByNumberToo]), [['http', true]]);
});
