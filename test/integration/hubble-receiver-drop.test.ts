/**
 * A datagram the RECEIVER's ingress policy dropped is no allowed traffic. Cilium reports a packet
 * between two nodes twice: a trace on the sender's node as it leaves (FORWARDED, traffic_direction
 * EGRESS, trace_observation_point TO_OVERLAY: "transmitted towards the tunnel device",
 * cilium/cilium api/v1/flow/flow.proto TraceObservationPoint), and on the receiver's node either a
 * drop (DROPPED, INGRESS, POLICY_DENIED) or its delivery (TO_ENDPOINT: "transmitted towards
 * endpoints"). Every trace is FORWARDED (pkg/hubble/parser/threefour/parser.go `decodeVerdict`), so
 * the sender's trace says only that the sender's egress let it out; and a drop carries no `is_reply`
 * ("For other events, such as drops, we simply do not know if they were replies", `decodeIsReply`).
 * A finder's four records: TCP 6000 was left out as only dropped, but UDP 5000 became an edge
 * `forwarded 1, dropped 0` (the drop went to ambiguous) and an allow rule on both sides — opening
 * what the applied policy closes (docs/recommend.md, "Traffic only ever dropped").
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, runCliJson } from '../helpers/cli.ts';
import { barePodItem, namespaceItem, nodeItem } from '../helpers/inventory-yaml.ts';
import { tmpDir } from '../helpers/tmp.ts';

const CLIENT = '10.244.1.10';
const WEB = '10.244.2.20';
const WORLD = '203.0.113.7';

/** Two workers, the Cilium agent on each, client on w-1 and web on w-2 (web declaring `webPorts`). */
function inventory(webPorts: readonly number[]): string {
  const agent = (node: string, ip: string) => barePodItem({ namespace: 'kube-system', name: `cilium-${node}`, ip, ports: [], node, hostNetwork: true });
  return `apiVersion: v1
kind: List
items:
${[
  namespaceItem('shop'),
  namespaceItem('kube-system'),
  nodeItem('w-1', '10.244.1.0/24', '172.18.0.3'),
  nodeItem('w-2', '10.244.2.0/24', '172.18.0.4'),
  agent('w-1', '172.18.0.3'),
  agent('w-2', '172.18.0.4'),
  barePodItem({ namespace: 'shop', name: 'client', ip: CLIENT, ports: [], node: 'w-1' }),
  barePodItem({ namespace: 'shop', name: 'web', ip: WEB, ports: webPorts, node: 'w-2' }),
].join('\n')}
`;
}

// The UDP ports the inventory declares are TCP by default; web's UDP 5000 is written as such.
const declaringUdp = (yaml: string) => yaml.replace('{containerPort: 5000}', '{containerPort: 5000, protocol: UDP}');

const pod = (name: string) => ({ namespace: 'shop', pod_name: name, labels: [`k8s:app=${name}`, 'k8s:io.kubernetes.pod.namespace=shop'] });
type L4 = Record<string, Record<string, unknown>>;

/** One Hubble exporter line from client to `dst`. */
function record(time: string, l4: L4, node: string, fields: Record<string, unknown>, dst = WEB): string {
  const destination = dst === WEB ? pod('web') : { identity: 2, labels: ['reserved:world'] };
  const flow = { time, IP: { source: CLIENT, destination: dst, ipVersion: 'IPv4' }, l4, source: pod('client'), destination, Type: 'L3_L4', node_name: node, ...fields };
  return JSON.stringify({ flow, node_name: node, time });
}
/** The sender's trace, leaving w-1 for the tunnel. */
const leavesSender = (time: string, l4: L4, dst = WEB) =>
  record(time, l4, 'w-1', { verdict: 'FORWARDED', event_type: { type: 4, sub_type: 4 }, traffic_direction: 'EGRESS', trace_observation_point: dst === WEB ? 'TO_OVERLAY' : 'TO_STACK', trace_reason: 'NEW', is_reply: false }, dst);
/** The receiver's ingress policy denies it on w-2 (a drop notification: no is_reply). */
const droppedAtReceiver = (time: string, l4: L4) =>
  record(time, l4, 'w-2', { verdict: 'DROPPED', drop_reason: 133, drop_reason_desc: 'POLICY_DENIED', event_type: { type: 1, sub_type: 133 }, traffic_direction: 'INGRESS' });
/** The receiver's trace of its delivery to web on w-2. */
const deliveredAtReceiver = (time: string, l4: L4) =>
  record(time, l4, 'w-2', { verdict: 'FORWARDED', event_type: { type: 4 }, traffic_direction: 'INGRESS', trace_observation_point: 'TO_ENDPOINT', trace_reason: 'NEW', is_reply: false });

const TCP_6000: L4 = { TCP: { source_port: 40000, destination_port: 6000, flags: { SYN: true } } };
const UDP_5000: L4 = { UDP: { source_port: 40001, destination_port: 5000 } };
const SCTP_5000: L4 = { SCTP: { source_port: 40002, destination_port: 5000 } };

interface EdgeJson {
  client: string;
  server: string;
  port: number;
  protocol: string;
  flows: number;
  forwarded: number;
  dropped: number;
}
interface Observed {
  key: string;
  direction: string;
  included: boolean;
  reason?: string;
}

async function run(inv: string, lines: readonly string[]) {
  const dir = tmpDir();
  const db = join(dir, 'flowmatrix.db');
  writeFileSync(join(dir, 'inventory.yaml'), inv);
  writeFileSync(join(dir, 'flows.jsonl'), `${lines.join('\n')}\n`);
  const imported = await runCli(['inventory', 'import', join(dir, 'inventory.yaml'), '--db', db]);
  assert.equal(imported.code, 0, imported.err);
  const ingest = await runCliJson<{ accepted: number; ambiguous: number }>(['ingest', '--format', 'hubble', join(dir, 'flows.jsonl'), '--db', db]);
  const edges = (await runCliJson<EdgeJson[]>(['edges', '--db', db, '-o', 'json'])).map((e) => `${e.client} → ${e.server} ${e.port}/${e.protocol}: flows ${e.flows}, forwarded ${e.forwarded}, dropped ${e.dropped}`);
  const exported = await runCli(['export', '--engine', 'cilium', '-n', 'shop', '--db', db]);
  assert.equal(exported.code, 0, exported.err);
  const rec = await runCliJson<{ workloads: { observed: Observed[] }[] }>(['recommend', '--engine', 'cilium', '-n', 'shop', '--db', db, '-o', 'json']);
  return { ingest, edges, manifests: exported.out, observed: rec.workloads.flatMap((w) => w.observed) };
}

const C = 'workload:shop/Pod/client';
const W = 'workload:shop/Pod/web';

test('the finder\'s records: UDP (and SCTP) the receiver\'s ingress policy dropped is only dropped, like TCP, and no rule on either side', async () => {
  const r = await run(inventory([]), [
    leavesSender('2026-03-01T10:00:00Z', TCP_6000),
    droppedAtReceiver('2026-03-01T10:00:00Z', TCP_6000),
    leavesSender('2026-03-01T10:00:01Z', UDP_5000),
    droppedAtReceiver('2026-03-01T10:00:01Z', UDP_5000),
    leavesSender('2026-03-01T10:00:02Z', SCTP_5000),
    droppedAtReceiver('2026-03-01T10:00:02Z', SCTP_5000),
  ]);
  // A policy drop is never a reply (the datapath skips policy for CT_REPLY), so the drop is
  // oriented from its source even on a port nobody declares: nothing is ambiguous.
  assert.equal(r.ingest.ambiguous, 0);
  assert.deepEqual(r.edges, [
    `${C} → ${W} 5000/SCTP: flows 2, forwarded 0, dropped 1`,
    `${C} → ${W} 5000/UDP: flows 2, forwarded 0, dropped 1`,
    `${C} → ${W} 6000/TCP: flows 2, forwarded 0, dropped 1`,
  ]);
  for (const o of r.observed) {
    assert.equal(o.included, false, o.key);
    assert.match(o.reason ?? '', /only ever dropped/, o.key);
  }
  assert.equal(r.observed.length, 6, 'each edge on both sides');
  assert.doesNotMatch(r.manifests, /"?5000"?|"?6000"?/);
});

test('on a port web declares the drop is oriented by it as before, and the edge is only dropped all the same', async () => {
  const r = await run(declaringUdp(inventory([5000])), [leavesSender('2026-03-01T10:00:01Z', UDP_5000), droppedAtReceiver('2026-03-01T10:00:01Z', UDP_5000)]);
  assert.equal(r.ingest.ambiguous, 0);
  assert.deepEqual(r.edges, [`${C} → ${W} 5000/UDP: flows 2, forwarded 0, dropped 1`]);
  assert.doesNotMatch(r.manifests, /5000/);
});

test('delivery seen at the receiver (TO_ENDPOINT) proves the datagram passed its ingress policy: forwarded, and a rule on both sides', async () => {
  const r = await run(inventory([]), [leavesSender('2026-03-01T10:00:01Z', UDP_5000), deliveredAtReceiver('2026-03-01T10:00:01Z', UDP_5000)]);
  assert.deepEqual(r.edges, [`${C} → ${W} 5000/UDP: flows 2, forwarded 1, dropped 0`]);
  assert.deepEqual(r.observed.map((o) => [o.direction, o.included]).sort(), [['egress', true], ['ingress', true]]);
  assert.equal((r.manifests.match(/port: "5000"/g) ?? []).length, 2);
});

test('to outside the cluster the sender\'s side is all there is: its trace keeps proving the datagram left', async () => {
  const r = await run(inventory([]), [leavesSender('2026-03-01T10:00:01Z', { UDP: { source_port: 40001, destination_port: 123 } }, WORLD)]);
  assert.deepEqual(r.edges, [`${C} → external:${WORLD} 123/UDP: flows 1, forwarded 1, dropped 0`]);
});
