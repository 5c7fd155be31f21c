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
 * is denied where any replica's is (docs/api.md#simulate). The recommendation renders such a
 * workload as a peer by its selector and its nodes, and gives its pod-network pods a policy.
 *
 * Also: a flow record sent straight to ONE host-network pod's own address (a DaemonSet on three
 * nodes) is that pod's connection, judged at that pod only (docs/api.md#simulate limits "may be
 * any pod's" to an edge and a record to a Service's ClusterIP); it was judged at another pod of
 * the DaemonSet where the policy's address block held that one only.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { NOW, METRICS, T, namespace, node, nodeExporterCluster, pod, record, stored } from '../helpers/node-exporter-cluster.ts';

/** mon/prom (10.244.2.30 on n2) and the Deployment app/agent (its template on the pod network): agent-a host-network on n1 (10.0.0.1), agent-b (10.244.2.40, n2) and agent-c (10.244.1.40, n1) on the pod network. */
const agentOwner = { kind: 'ReplicaSet', name: 'agent-rs1', uid: 'rs-agent' };
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

// Before the recommendation rendered agent by its pods too (peers.ts irPeers), prom's rule named
// agent's nodes only and these two were blocked; now they verify (test/integration/recommend-mixed-host-network-workload.test.ts).
// At agent's own ingress, outside the run, the applied deny-all isolates agent-b and agent-c: that cut is the
// cluster's, said in blockedByApplied at the far side (verify/far-workload-sides.ts), not prom's side's.
test('recommend -n mon beside a deny-all NetworkPolicy in app: prom → agent is allowed on prom\'s side on every engine (its rule names agent\'s pods, agent-b and agent-c, beside its nodes); the deny-all cuts it at agent\'s ingress, outside the run', async () => {
  const db = await withFlows([...MIXED, DENY_ALL_APP]);
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    const { verification: v, emitted } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'mon' }), { tightness: false });
    const ofTheEdge = [...v.blocked, ...v.blockedByApplied].filter((f) => f.edge === PROM_TO_AGENT && f.direction === 'egress');
    assert.deepEqual(ofTheEdge.filter((f) => f.farSide === undefined), [], engine);
    const far = v.blockedByApplied.filter((f) => f.edge === PROM_TO_AGENT && f.farSide === 'ingress');
    assert.equal(far.length, 1, `${engine}: ${JSON.stringify(v.blockedByApplied)}`);
    assert.match(far[0]!.reason, /^at app\/Deployment\/agent's ingress, outside the run, which writes no policy for it \(the applied NetworkPolicy\/app\/deny-all selects it for ingress\)/, engine);
    assert.match(JSON.stringify(emitted.manifests), /"app":"agent"|app == 'agent'/, `${engine}: prom's egress selects agent's pods`);
  }
});

test('recommend -n app --default-deny (app/web observed → prom): agent\'s pods on the pod network get an allowlist of their own under the namespace layer, so the must flow prom → agent passes on every engine', async () => {
  const db = await withFlows([...MIXED, pod('app', 'web', { app: 'web' }, 'n1', '10.244.1.50')], [record('10.244.1.50', '10.244.2.30', 9000, 9)]);
  const input = readRecommendationInput(db, {});
  for (const engine of ENGINE_NAMES) {
    for (const mode of ['observed', 'union'] as const) {
      const { verification: v, rec } = runRecommendation(input, engine, recommendOptions({ now: NOW, namespace: 'app', mode, defaultDeny: true }), { tightness: false });
      assert.equal(v.ok, true, `${engine} ${mode} ${JSON.stringify(v)}`);
      const agent = rec.workloads.find((w) => w.workload.name === 'agent')!;
      assert.ok(agent.policies.length > 0 && !agent.hostNetwork, `${engine} ${mode}: ${agent.summary}`);
    }
  }
});

/** mon/prom (10.244.0.5 on node0) and the host-network DaemonSet ne on node0..node2 (192.168.0.10–12). */
const NODE_EXPORTER = nodeExporterCluster().items;
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
