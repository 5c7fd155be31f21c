/**
 * Host network is a property of each pod, not of its workload. Kubernetes "Network Policies"
 * (kubernetes.io/docs/concepts/services-networking/network-policies, "Behavior of to and from
 * selectors" and the hostNetwork note): NetworkPolicy "cannot block traffic to or from pods with
 * hostNetwork: true", it "ignores hostNetwork pods when matching podSelector" — only those pods;
 * a pod of the same Deployment on the pod network is selected (a `podSelector: {}` isolates it)
 * and is reached at its own address. The inventory marks a workload host-network when its
 * template or ANY pod is (docs/inventory.md, "Workloads"), so a Deployment app/agent with one
 * host-network replica (agent-a at its node's 10.0.0.1) and two on the pod network (agent-b
 * 10.244.2.40, agent-c 10.244.1.40) was simulated as one host-network pod: a deny-all
 * NetworkPolicy in `app` was said to leave prom → agent:9100 open on every engine ("the server
 * is a host-network pod"), `recommend -n mon` verified a rule that names node addresses only,
 * and `--default-deny` for `app` verified a namespace layer that isolates agent-b and agent-c.
 * Input → expected: the pod-network replicas are judged as pods (selected, isolated), the
 * host-network one as its node; an edge to the workload may be any replica's connection, so it
 * is denied where any replica's is (docs/api.md#simulate).
 *
 * Also: a flow record sent straight to ONE host-network pod's own address (a DaemonSet on three
 * nodes) is that pod's connection, judged at that pod only (docs/api.md#simulate limits "may be
 * any pod's" to an edge and a record to a Service's ClusterIP); it was judged at another pod of
 * the DaemonSet where the policy's address block held that one only.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const FLOW_TIME = Date.UTC(2026, 10, 20);
const NOW = FLOW_TIME + 3_600_000;

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
const node = (name: string, podCIDR: string, ip: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, creationTimestamp: T }, spec: { podCIDR, podCIDRs: [podCIDR] }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
const pod = (ns: string, name: string, labels: Record<string, string>, nodeName: string, ip: string, extra: { owner?: { kind: string; name: string; uid: string }; hostNetwork?: boolean; ports?: unknown[] } = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels, uid: `u-${name}`, creationTimestamp: T, ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', ...extra.owner, controller: true }] } : {}) },
  spec: { nodeName, ...(extra.hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'c', image: 'x', ports: extra.ports ?? [] }] },
  status: { phase: 'Running', startTime: T, podIP: ip, podIPs: [{ ip }] },
});
const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const record = (src: string, dst: string, dstPort: number, i = 0) =>
  JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: 50000 + i, DstPort: dstPort, Proto: 6, Etype: 2048, Flags: 2, TimeFlowStartMs: FLOW_TIME, TimeFlowEndMs: FLOW_TIME + 5, Packets: 1, Bytes: 60 });

/** mon/prom (10.244.2.30 on n2) and the Deployment app/agent (its template on the pod network): agent-a host-network on n1 (10.0.0.1), agent-b (10.244.2.40, n2) and agent-c (10.244.1.40, n1) on the pod network. */
const agentOwner = { kind: 'ReplicaSet', name: 'agent-rs1', uid: 'rs-agent' };
const METRICS = [{ containerPort: 9100, name: 'metrics' }];
const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x', ports: METRICS }] } });
const MIXED = [
  namespace('mon'),
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'agent', namespace: 'app', uid: 'd-agent', creationTimestamp: T }, spec: { replicas: 3, selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) } },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'agent-rs1', namespace: 'app', uid: 'rs-agent', creationTimestamp: T, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'agent', uid: 'd-agent', controller: true }] }, spec: { replicas: 3, selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) } },
  namespace('app'),
  node('n1', '10.244.1.0/24', '10.0.0.1'),
  node('n2', '10.244.2.0/24', '10.0.0.2'),
  pod('mon', 'prom', { app: 'prom' }, 'n2', '10.244.2.30'),
  pod('app', 'agent-a', { app: 'agent' }, 'n1', '10.0.0.1', { owner: agentOwner, hostNetwork: true, ports: METRICS }),
  pod('app', 'agent-b', { app: 'agent' }, 'n2', '10.244.2.40', { owner: agentOwner, ports: METRICS }),
  pod('app', 'agent-c', { app: 'agent' }, 'n1', '10.244.1.40', { owner: agentOwner, ports: METRICS }),
];
const DENY_ALL_APP = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: 'app' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
const PROM_TO_AGENT = 'workload:mon/Pod/prom|workload:app/Deployment/agent|9100|TCP';

const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: m, title: m }
documents: { d: { title: d } }
components:
  agent:
    namespace: app
    selector: { matchLabels: { app: agent } }
    ingress:
      - { id: scrape, peer: { namespace: mon, selector: { matchLabels: { app: prom } } }, ports: [{ port: 9100 }], level: must, purpose: scrape, source: { document: d, line: 1 } }
  prom:
    namespace: mon
    selector: { matchLabels: { app: prom } }
    egress:
      - { id: scrape-agent, peer: { component: agent }, ports: [{ port: 9100 }], level: must, purpose: scrape, source: { document: d, line: 2 } }
`;

function stored(items: unknown[]) {
  const { db } = tmpDb();
  importInventory(db, { text: list(items), takenAt: Date.parse(T), source: 'inventory.json', now: NOW });
  return db;
}

async function withFlows(items: unknown[], more: string[] = []) {
  const db = stored(items);
  const flows = [...['10.0.0.1', '10.244.2.40', '10.244.1.40'].map((ip, i) => record('10.244.2.30', ip, 9100, i)), ...more];
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: MATRIX, origin: 'm.yaml', appliedAt: NOW });
  return db;
}

for (const engine of ENGINE_NAMES) {
  test(`${engine} simulate, a deny-all NetworkPolicy in app: prom → agent-b and agent-c (pod network) denied, → agent-a (host network) allowed, the edge to the workload denied`, () => {
    const db = stored(MIXED);
    const policies = JSON.stringify(DENY_ALL_APP);
    const records = [record('10.244.2.30', '10.0.0.1', 9100), record('10.244.2.30', '10.244.2.40', 9100, 1), record('10.244.2.30', '10.244.1.40', 9100, 2)].join('\n');
    const r = simulateFlows(db, { engine, policies, flows: records });
    assert.deepEqual(r.decisions.map((d) => d.verdict), ['allow', 'deny', 'deny'], JSON.stringify(r.decisions));
    const edge = JSON.stringify([{ client: 'workload:mon/Pod/prom', server: 'workload:app/Deployment/agent', port: 9100, protocol: 'TCP' }]);
    const d = simulateFlows(db, { engine, policies, flows: edge, format: 'edges' }).decisions[0]!;
    assert.equal(d.verdict, 'deny', JSON.stringify(d));
    assert.match(d.ingress!.reason, /agent-b \(10\.244\.2\.40\)/, 'the denial names the pod-network replica it is at');
  });
}

test('recommend -n mon beside a deny-all NetworkPolicy in app: prom → agent is not verified on any engine (agent-b and agent-c are isolated, and are pods, not nodes)', async () => {
  const db = await withFlows([...MIXED, DENY_ALL_APP]);
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'mon' }), { tightness: false });
    assert.equal(v.ok, false, engine);
    const cut = [...v.blocked, ...v.blockedByApplied].filter((f) => f.edge === PROM_TO_AGENT);
    assert.ok(cut.length > 0, `${engine}: ${JSON.stringify(v)}`);
  }
});

test('recommend -n app --default-deny (app/web observed → prom): the namespace layer isolates agent-b and agent-c, so the must flow prom → agent is blocked on every engine', async () => {
  const db = await withFlows([...MIXED, pod('app', 'web', { app: 'web' }, 'n1', '10.244.1.50')], [record('10.244.1.50', '10.244.2.30', 9000, 9)]);
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    // Mode documented gives web no rule, so no layer (nothing restricts app).
    for (const mode of ['observed', 'union'] as const) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'app', mode, defaultDeny: true }), { tightness: false });
      const cut = v.blocked.filter((f) => f.edge === PROM_TO_AGENT && f.direction === 'ingress');
      assert.equal(v.ok, false, `${engine} ${mode} ${JSON.stringify(v)}`);
      assert.ok(cut.length > 0, `${engine} ${mode}: ${JSON.stringify(v.blocked)}`);
    }
  }
});

/** mon/prom (10.244.0.5 on node0) and the host-network DaemonSet ne on node0..node2 (192.168.0.10–12). */
const neOwner = { kind: 'DaemonSet', name: 'ne', uid: 'ds1' };
const NODE_EXPORTER = [
  namespace('mon'),
  node('node0', '10.244.0.0/24', '192.168.0.10'),
  node('node1', '10.244.1.0/24', '192.168.0.11'),
  node('node2', '10.244.2.0/24', '192.168.0.12'),
  pod('mon', 'prom', { app: 'prom' }, 'node0', '10.244.0.5'),
  { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ne', namespace: 'mon', uid: 'ds1' }, spec: { selector: { matchLabels: { app: 'ne' } }, template: { metadata: { labels: { app: 'ne' } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: METRICS }] } } } },
  pod('mon', 'ne-a', { app: 'ne' }, 'node0', '192.168.0.10', { owner: neOwner, hostNetwork: true, ports: METRICS }),
  pod('mon', 'ne-b', { app: 'ne' }, 'node1', '192.168.0.11', { owner: neOwner, hostNetwork: true, ports: METRICS }),
  pod('mon', 'ne-c', { app: 'ne' }, 'node2', '192.168.0.12', { owner: neOwner, hostNetwork: true, ports: METRICS }),
];
const NP_TO_NE_A = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: prom-egress, namespace: mon}
spec:
  podSelector: {matchLabels: {app: prom}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 192.168.0.10/32}}]
    ports: [{protocol: TCP, port: 9100}]
`;
const CALICO_TO_NE_A = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: prom-egress, namespace: mon}
spec:
  selector: app == 'prom'
  types: [Egress]
  egress:
  - action: Allow
    protocol: TCP
    destination: {nets: [192.168.0.10/32], ports: [9100]}
`;

for (const [engine, policies] of [
  ['kubernetes', NP_TO_NE_A],
  ['calico', CALICO_TO_NE_A],
] as const) {
  test(`${engine} simulate, records straight to each host-network pod of ne, egress allowed to ne-a's address only: ne-a allowed, ne-b and ne-c denied (each at its own pod)`, () => {
    const db = stored(NODE_EXPORTER);
    const flows = ['192.168.0.10', '192.168.0.11', '192.168.0.12'].map((ip, i) => record('10.244.0.5', ip, 9100, i)).join('\n');
    const r = simulateFlows(db, { engine, policies, flows });
    assert.deepEqual(r.decisions.map((d) => d.verdict), ['allow', 'deny', 'deny'], JSON.stringify(r.decisions));
    for (const d of r.decisions) assert.doesNotMatch(JSON.stringify(d), /may be any pod's/, 'a record naming a pod is not split');
  });
}
