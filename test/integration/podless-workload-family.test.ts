/**
 * A workload with no running pod left (a finished Job, a CronJob between runs, a Deployment
 * scaled to zero) keeps its observed edges, but the cluster model gives it no address. An edge
 * keeps no address family, so the connection's family comes from its ends: an end without an
 * address imposes none, and where neither end decides it is the family the cluster has (an
 * IPv6-only cluster's connections are IPv6). Calico renders a rule per IP version and `nets`
 * match "packets with IP in any of the listed CIDRs" (projectcalico.org/v3 Rule reference):
 * read as IPv4, the IPv6 `nets` the recommendation wrote never matched, and the verification
 * refused a correct policy (found by a random-cluster fuzzer).
 * Input → expected: the Job's pod talks to a host-network DaemonSet on 5432, then the Job's pod
 * is gone; on IPv6-only, IPv4-only and dual-stack clusters every engine's recommendation passes
 * its verification, and `simulate` on the `edges -o json` edge allows what it allows on the
 * flow record.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterModel, connectionFlow } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { Db } from '../../store/db.ts';
import { edgeKeyOf } from '../../recommender/synthesize/evidence.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T1 = Date.parse('2026-11-25T00:00:00Z');
const T2 = Date.parse('2026-11-25T12:00:00Z');
const FLOW_AT = Date.parse('2026-11-25T09:46:40Z');

interface Stack {
  nodeIps: string[];
  podCIDRs: string[];
  jobIps: string[];
  apiserver: string;
  etype: number;
}
const STACKS: Record<'ipv6' | 'ipv4' | 'dual', Stack> = {
  ipv6: { nodeIps: ['fd00::11'], podCIDRs: ['fd10:0:0:1::/64'], jobIps: ['fd10:0:0:1::a'], apiserver: 'fd00::100', etype: 34525 },
  ipv4: { nodeIps: ['10.0.0.11'], podCIDRs: ['10.244.1.0/24'], jobIps: ['10.244.1.10'], apiserver: '10.0.0.100', etype: 2048 },
  dual: { nodeIps: ['10.0.0.11', 'fd00::11'], podCIDRs: ['10.244.1.0/24', 'fd10:0:0:1::/64'], jobIps: ['10.244.1.10', 'fd10:0:0:1::a'], apiserver: '10.0.0.100', etype: 2048 },
};

const ips = (xs: readonly string[]) => JSON.stringify(xs.map((ip) => ({ ip })));

function inventory(s: Stack, jobPod: boolean): string {
  const items = [
    `- {apiVersion: v1, kind: Namespace, metadata: {name: a, labels: {kubernetes.io/metadata.name: a}}}`,
    `- {apiVersion: v1, kind: Namespace, metadata: {name: default, labels: {kubernetes.io/metadata.name: default}}}`,
    `- {apiVersion: v1, kind: Node, metadata: {name: node-1}, spec: {podCIDRs: ${JSON.stringify(s.podCIDRs)}}, status: {addresses: ${JSON.stringify(s.nodeIps.map((address) => ({ type: 'InternalIP', address })))}}}`,
    `- apiVersion: batch/v1
  kind: Job
  metadata: {name: batch, namespace: a, uid: u-batch}
  spec:
    selector: {matchLabels: {batch.kubernetes.io/controller-uid: u-batch}}
    template:
      metadata: {labels: {app: batch, batch.kubernetes.io/controller-uid: u-batch, batch.kubernetes.io/job-name: batch}}
      spec: {containers: [{name: c, image: i}]}`,
    `- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: agent, namespace: a, uid: u-agent}
  spec:
    selector: {matchLabels: {app: agent}}
    template:
      metadata: {labels: {app: agent}}
      spec: {hostNetwork: true, containers: [{name: c, image: i, ports: [{containerPort: 5432, protocol: TCP}]}]}`,
    `- apiVersion: v1
  kind: Pod
  metadata: {name: agent-x, namespace: a, labels: {app: agent}, ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: u-agent, controller: true}]}
  spec: {nodeName: node-1, hostNetwork: true, containers: [{name: c, image: i, ports: [{containerPort: 5432, protocol: TCP}]}]}
  status: {phase: Running, podIP: "${s.nodeIps[0]}", podIPs: ${ips(s.nodeIps)}}`,
    `- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata: {name: kubernetes, namespace: default, labels: {kubernetes.io/service-name: kubernetes}}
  addressType: ${s.apiserver.includes(':') ? 'IPv6' : 'IPv4'}
  endpoints: [{addresses: ["${s.apiserver}"], conditions: {ready: true}}]
  ports: [{name: https, port: 6443, protocol: TCP}]`,
  ];
  if (jobPod) {
    items.push(`- apiVersion: v1
  kind: Pod
  metadata: {name: batch-q1, namespace: a, labels: {app: batch, batch.kubernetes.io/controller-uid: u-batch, batch.kubernetes.io/job-name: batch}, ownerReferences: [{apiVersion: batch/v1, kind: Job, name: batch, uid: u-batch, controller: true}]}
  spec: {nodeName: node-1, containers: [{name: c, image: i}]}
  status: {phase: Running, podIP: "${s.jobIps[0]}", podIPs: ${ips(s.jobIps)}}`);
  }
  return `apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`;
}

const record = (s: Stack) =>
  JSON.stringify({ Etype: s.etype, SrcAddr: s.jobIps[0], DstAddr: s.nodeIps[0], SrcPort: 40001, DstPort: 5432, Proto: 6, Packets: 5, Bytes: 500, Flags: ['SYN', 'ACK'], FlowDirection: 1, TimeFlowStartMs: FLOW_AT, TimeFlowEndMs: FLOW_AT + 1000 });

const EDGE = 'workload:a/Job/batch|workload:a/DaemonSet/agent|5432|TCP';

async function stored(s: Stack): Promise<Db> {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(s, true), takenAt: T1, source: 'inv1.yaml', now: T1 });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record(s)}\n`]) }], { format: 'netobserv', now: () => T2 });
  importInventory(db, { text: inventory(s, false), takenAt: T2, source: 'inv2.yaml', now: T2 });
  return db;
}

for (const [name, s] of Object.entries(STACKS)) {
  test(`${name}: a podless Job's edge to a host-network DaemonSet passes every engine's verification, and simulate on the edge agrees with the flow record`, async () => {
    const db = await stored(s);
    const input = readRecommendationInput(db, {});
    assert.deepEqual(input.edges.map(edgeKeyOf), [EDGE]);
    const model = clusterModel(input.inventory, input.externalNames);
    assert.deepEqual(model.podOf('a/Job/batch')?.ips, [], 'the Job has no pod left');
    for (const engine of ENGINE_NAMES) {
      const { verification, emitted } = runRecommendation(input, engine, recommendOptions({}), { tightness: true });
      assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
      const policies = emitted.manifests.map((m) => JSON.stringify(m)).join('\n---\n');
      const edges = JSON.stringify([{ client: 'workload:a/Job/batch', server: 'workload:a/DaemonSet/agent', port: 5432, protocol: 'TCP' }]);
      const onEdge = simulateFlows(db, { engine, policies, flows: edges }).decisions.map((d) => [d.verdict, d.reason]);
      assert.deepEqual(onEdge, [['allow', undefined]], `${engine} on the edge`);
      // The record names the Job's address of its time (the IP history); the Job is podless now either way.
      const onRecord = simulateFlows(db, { engine, policies, flows: `${record(s)}\n` }).decisions.map((d) => d.verdict);
      assert.deepEqual(onRecord, ['allow'], `${engine} on the flow record`);
    }
  });
}

test('the family of a podless end: the other end’s when it has one, else the cluster’s; undecided on a dual-stack cluster whose peer has both', async () => {
  const families: Record<string, number | undefined> = {};
  for (const [name, s] of Object.entries(STACKS)) {
    const input = readRecommendationInput(await stored(s), {});
    const model = clusterModel(input.inventory, input.externalNames);
    const conn = connectionFlow(model, input.edges[0]!.client, input.edges[0]!.server, 5432, 'TCP');
    assert.ok(conn.ok);
    families[name] = conn.flow.family;
  }
  // Dual-stack: the Job's next pod may use either family and so may the DaemonSet: nothing decides,
  // and each simulator keeps its reading of an undecided edge (docs/engines.md).
  assert.deepEqual(families, { ipv6: 6, ipv4: 4, dual: undefined });
});

test('dual-stack: the rule written for a podless Job allows the host-network peer at both its addresses, on every engine', async () => {
  const input = readRecommendationInput(await stored(STACKS.dual), {});
  const model = clusterModel(input.inventory, input.externalNames);
  const conn = connectionFlow(model, input.edges[0]!.client, input.edges[0]!.server, 5432, 'TCP');
  assert.ok(conn.ok);
  for (const engine of ENGINE_NAMES) {
    const { emitted } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const family of [4, 6] as const) {
      const v = sim.evaluate({ ...conn.flow, family });
      assert.equal(v.egress.allowed, true, `${engine} IPv${family}: ${v.egress.reason}`);
    }
  }
});
