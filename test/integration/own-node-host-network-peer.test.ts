/**
 * Traffic from a node's address to a pod on that very node is stored as `kubelet:<node>` (docs/ingest.md,
 * "Orient"): "from the pod's own node". The kubelet is not the only one speaking from there: a
 * host-network pod shares its node's address (the kubelet sets its podIP to it), so the inventory
 * names who may be the client. NetObserv's layout (seed 002 lines 28-48): the eBPF agents are a
 * host-network DaemonSet in netobserv-privileged and send their flows to flowlogs-pipeline on 2055;
 * an agent whose flowlogs-pipeline pod runs on its own node sends from that node's address.
 *
 * Before: the agents' flows to the flowlogs-pipeline pod on their own node were only "kubelet
 * probes": `recommend --mode observed` blocked node:node-a → flowlogs-pipeline:2055 with
 * "netobserv/ebpf-agent/egress/flowlogs-pipeline-service (must) requires it, not observed yet"
 * although every agent node was seen sending, and with flowlogs-pipeline itself on the host network
 * (model Direct) its egress to Loki (node:node-b → loki:3100) stayed `undocumented` at Loki, while
 * docs/matrices.md promises that a host-network component's rules are matched by the flows of its
 * nodes' addresses and "confirmed by them". Expected: a documented rule whose peer is a
 * host-network component is confirmed by the edges from or to the nodes that component runs on, the
 * pod's own node included; such an own-node edge renders as the node's flow (its address); and a
 * flow from a node where the component does not run documents nothing.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { namespaceItem, nodeItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const NODE_IP = { 'node-a': '192.168.0.11', 'node-b': '192.168.0.12', 'node-c': '192.168.0.13' } as const;
const FLP_IP = { 'node-a': '10.244.1.20', 'node-b': '10.244.2.20' } as const;
const LOKI_IP = '10.244.1.30';

const labels = (app: string) => `{app: ${app}${app === 'loki' ? ', app.kubernetes.io/name: loki' : ''}}`;
const ports = (ps: readonly number[]) => `[${ps.map((p) => `{containerPort: ${p}}`).join(', ')}]`;
const daemonSet = (ns: string, app: string, host: boolean, ps: readonly number[]) => `- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: ${app}, namespace: ${ns}, uid: u-${app}}
  spec: {selector: {matchLabels: {app: ${app}}}, template: {metadata: {labels: ${labels(app)}}, spec: {hostNetwork: ${host}, containers: [{name: c, image: c, ports: ${ports(ps)}}]}}}`;
const pod = (ns: string, app: string, node: string, ip: string, host: boolean, ps: readonly number[]) => `- apiVersion: v1
  kind: Pod
  metadata: {name: ${app}-${node}, namespace: ${ns}, labels: ${labels(app)}, creationTimestamp: "${T}", ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: ${app}, uid: u-${app}, controller: true}]}
  spec: {nodeName: ${node}, hostNetwork: ${host}, containers: [{name: c, image: c, ports: ${ports(ps)}}]}
  status: {phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;

/** Agents on node-a and node-b; flowlogs-pipeline there too, on the pod network (model Service) or the host network (Direct); Loki on node-a; node-c runs neither. */
function inventory(flpHost: boolean): string {
  const agent = 'netobserv-ebpf-agent';
  const flp = 'flowlogs-pipeline';
  return `apiVersion: v1
kind: List
items:
${['netobserv', 'netobserv-privileged', 'loki'].map(namespaceItem).join('\n')}
${nodeItem('node-a', '10.244.1.0/24', NODE_IP['node-a'])}
${nodeItem('node-b', '10.244.2.0/24', NODE_IP['node-b'])}
${nodeItem('node-c', '10.244.3.0/24', NODE_IP['node-c'])}
${daemonSet('netobserv-privileged', agent, true, [9400])}
${pod('netobserv-privileged', agent, 'node-a', NODE_IP['node-a'], true, [9400])}
${pod('netobserv-privileged', agent, 'node-b', NODE_IP['node-b'], true, [9400])}
${daemonSet('netobserv', flp, flpHost, [2055, 9401])}
${pod('netobserv', flp, 'node-a', flpHost ? NODE_IP['node-a'] : FLP_IP['node-a'], flpHost, [2055, 9401])}
${pod('netobserv', flp, 'node-b', flpHost ? NODE_IP['node-b'] : FLP_IP['node-b'], flpHost, [2055, 9401])}
${daemonSet('loki', 'loki', false, [3100])}
${pod('loki', 'loki', 'node-a', LOKI_IP, false, [3100])}
`;
}

/** A NetObserv record of a TCP connection's first packet (SYN: the source is the client). */
const syn = (i: number, src: string, dst: string, dport: number) =>
  JSON.stringify({ TimeFlowStartMs: Date.parse('2026-03-01T10:00:00Z') + i * 1000, TimeFlowEndMs: Date.parse('2026-03-01T10:00:00Z') + i * 1000 + 5, SrcAddr: src, DstAddr: dst, SrcPort: 40000 + i, DstPort: dport, Proto: 6, Flags: ['SYN'], Bytes: 100, Packets: 1, FlowDirection: 1 });

async function stored(flpHost: boolean, flows: readonly string[], parameters: Record<string, unknown>) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(flpHost), takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'netobserv', now: () => NOW });
  return readRecommendationInput(db, { systems: { netobserv: { parameters } } } as Parameters<typeof readRecommendationInput>[1]);
}

const FLP = 'workload:netobserv/DaemonSet/flowlogs-pipeline';
const AGENT_RULE = 'netobserv/ebpf-agent/egress/flowlogs-pipeline-service';
const FLP_RULE = 'netobserv/flowlogs-pipeline/ingress/ebpf-agent-service';

test("model Service: the agents' flows to the flowlogs-pipeline pod on their own node confirm both ends' rules, render the node's address and verify on every engine in mode observed", async () => {
  // Each agent to the flowlogs-pipeline pod on its own node: kubelet:node-a and kubelet:node-b.
  const input = await stored(false, [syn(0, NODE_IP['node-a'], FLP_IP['node-a'], 2055), syn(1, NODE_IP['node-b'], FLP_IP['node-b'], 2055)], {});
  for (const engine of ENGINE_NAMES) {
    const { rec, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
    const on2055 = v.blocked.filter((b) => b.edge.includes('|2055|'));
    assert.deepEqual(on2055, [], `${engine}: ${JSON.stringify(on2055)}`);
    const flp = rec.workloads.find((w) => w.workload.name === 'flowlogs-pipeline')!;
    for (const node of ['node-a', 'node-b']) {
      const edge = flp.observed.find((o) => o.key === `kubelet:${node}|${FLP}|2055|TCP`);
      assert.ok(edge, `${engine}: ${JSON.stringify(flp.observed.map((o) => o.key))}`);
      assert.equal(edge.status, 'confirmed', engine);
      assert.deepEqual(edge.rules, [FLP_RULE], engine);
      assert.equal(edge.included, true, `${engine}: ${edge.reason}`);
    }
    assert.equal(flp.documented.find((d) => d.id === FLP_RULE)?.status, 'confirmed', engine);
    // The rule from the own-node edges names the agents there in its evidence.
    const rule = flp.rules.find((r) => r.evidence.edges.some((e) => e.key.startsWith('kubelet:node-a|')))!;
    assert.ok(rule.evidence.notes.some((n) => n.includes("from the pod's own node node-a (kubelet probes, node-local agents: netobserv-privileged/DaemonSet/netobserv-ebpf-agent)")), `${engine}: ${JSON.stringify(rule.evidence.notes)}`);
    const agent = rec.workloads.find((w) => w.workload.name === 'netobserv-ebpf-agent')!;
    assert.equal(agent.documented.find((d) => d.id === AGENT_RULE)?.status, 'confirmed', engine);
  }
});

test("a flow from a node the agents do not run on is no agent's: it confirms nothing, and an own-node flow on a port no host-network rule names stays a probe that names who speaks from the node", async () => {
  const input = await stored(false, [syn(0, NODE_IP['node-c'], FLP_IP['node-a'], 2055), syn(1, NODE_IP['node-a'], FLP_IP['node-a'], 9401)], {});
  const { rec } = runRecommendation(input, 'kubernetes', recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
  const flp = rec.workloads.find((w) => w.workload.name === 'flowlogs-pipeline')!;
  const fromC = flp.observed.find((o) => o.key === `node:node-c|${FLP}|2055|TCP`)!;
  assert.equal(fromC.status, 'undocumented');
  assert.deepEqual(fromC.rules, []);
  assert.equal(flp.documented.find((d) => d.id === FLP_RULE)?.status, 'documented-unobserved');
  const probe = flp.observed.find((o) => o.key === `kubelet:node-a|${FLP}|9401|TCP`)!;
  assert.equal(probe.included, false);
  assert.equal(probe.reason, "traffic with the pod's own node node-a (kubelet probes, node-local agents: netobserv-privileged/DaemonSet/netobserv-ebpf-agent) is never a rule");
});

test('model Direct: host-network flowlogs-pipeline on node-b reaching Loki (node:node-b → loki:3100) confirms its loki rule at Loki; the same flow from node-c does not', async () => {
  const input = await stored(true, [syn(0, NODE_IP['node-b'], LOKI_IP, 3100), syn(1, NODE_IP['node-c'], LOKI_IP, 3100), syn(2, NODE_IP['node-b'], NODE_IP['node-b'], 2055)], { deploymentModel: 'Direct' });
  const { rec } = runRecommendation(input, 'kubernetes', recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
  const loki = rec.workloads.find((w) => w.workload.name === 'loki')!;
  const fromB = loki.observed.find((o) => o.key === 'node:node-b|workload:loki/DaemonSet/loki|3100|TCP')!;
  assert.equal(fromB.status, 'confirmed');
  assert.deepEqual(fromB.rules, ['netobserv/flowlogs-pipeline/egress/loki']);
  assert.equal(loki.warnings.some((w) => w.includes('netobserv/flowlogs-pipeline/egress/loki') && w.includes('not observed')), false, JSON.stringify(loki.warnings));
  const fromC = loki.observed.find((o) => o.key === 'node:node-c|workload:loki/DaemonSet/loki|3100|TCP')!;
  assert.equal(fromC.status, 'undocumented');
  const flp = rec.workloads.find((w) => w.workload.name === 'flowlogs-pipeline')!;
  assert.equal(flp.documented.find((d) => d.id === 'netobserv/flowlogs-pipeline/egress/loki')?.status, 'confirmed');
});
