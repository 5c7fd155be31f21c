/**
 * A host-network component's `must` rule to a pod is confirmed by the flows its nodes' addresses
 * carry (observe.ts withNodeEvidence: its pods speak from their node's address). A flow from the
 * server pod's OWN node is stored as `kubelet:<node>` (docs/design.md §3) — the kubelet, or the
 * component's pod on that node: where the component runs there it shows that node's part of the
 * rule (own-node-host-network-peer.test.ts) and no other's — and the pod's own node is always let in: Kubernetes, "Network
 * Policies" ("traffic to and from the node where a Pod is running is always allowed"); Cilium lets
 * the local host into its pods whatever the policy (`allow-localhost`, cilium/cilium
 * Documentation/security/policy/language.rst, "Entities Based": `host` … "the local host"), a
 * remote node only where a rule names it (`remote-node`). So that flow proves nothing of the
 * component's pods on the other nodes (docs/recommend.md, "Verification": "a host-network client
 * of a pod is judged from a node other than the pod's").
 *
 * Before: the kubelet edge alone made the rule look observed for its peer workload, no flow was
 * required, and `export --mode observed` exited 0 on kubernetes, calico and cilium while the
 * output denied node-2 → web:8080 (and so in mode union with web's matrix authoritative for
 * ingress: left closed, yet verified). Expected: the flow agent → web:8080 stays required from each
 * node the agent runs on (node-2's judged at web, node-1's at web on another node), and is
 * `blocked`. A flow from a remote node (`node:node-2`) shows that node's part of the rule.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { barePodItem, namespaceItem, nodeItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const agentPod = (name: string, node: string, ip: string) => `- apiVersion: v1
  kind: Pod
  metadata: {name: ${name}, namespace: a, labels: {app: agent}, creationTimestamp: "${T}", ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: u-agent, controller: true}]}
  spec: {nodeName: ${node}, hostNetwork: true, containers: [{name: c, image: c}]}
  status: {phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;
const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('a')}
${namespaceItem('b')}
${nodeItem('node-1', '10.244.1.0/24', '192.168.0.11')}
${nodeItem('node-2', '10.244.2.0/24', '192.168.0.12')}
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: agent, namespace: a, uid: u-agent}
  spec: {selector: {matchLabels: {app: agent}}, template: {metadata: {labels: {app: agent}}, spec: {hostNetwork: true, containers: [{name: c, image: c}]}}}
${agentPod('agent-n1', 'node-1', '192.168.0.11')}
${agentPod('agent-n2', 'node-2', '192.168.0.12')}
${barePodItem({ namespace: 'b', name: 'web', ip: '10.244.1.10', ports: [8080, 9100], node: 'node-1' })}
${barePodItem({ namespace: 'b', name: 'client', ip: '10.244.2.10', ports: [], node: 'node-2' })}
`;
const matrix = (authoritative: boolean) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: fz, title: host network from the pod's own node }
documents: { d: { title: d, file: d.txt } }
components:
  agent:
    namespace: a
    selector: { matchLabels: { app: agent } }
    hostNetwork: true
    egress:
      - { id: toweb, peer: { component: web }, ports: [{ port: 8080 }], level: must, purpose: push, source: { document: d, line: 1 } }
  web:
    namespace: b
    selector: { matchLabels: { app: web } }
    ports: [{ name: http, port: 8080 }, { name: metrics, port: 9100 }]${authoritative ? '\n    authoritative: true' : ''}
`;
const flow = (i: number, src: string, dst: string, port: number) =>
  JSON.stringify({ time: `2026-03-01T10:3${i}:00Z`, verdict: 'FORWARDED', IP: { source: src, destination: dst }, l4: { TCP: { source_port: 51000 + i, destination_port: port, flags: { SYN: true } } } });
const CLIENT_TO_WEB = flow(0, '10.244.2.10', '10.244.1.10', 8080);
// From web's own node: the edge kubelet:node-1 → web:8080.
const FROM_OWN_NODE = flow(1, '192.168.0.11', '10.244.1.10', 8080);
// From the other node: the edge node:node-2 → web:8080.
const FROM_OTHER_NODE = flow(2, '192.168.0.12', '10.244.1.10', 8080);

async function stored(flows: readonly string[], authoritative = false) {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: matrix(authoritative), origin: 'fz.yaml', appliedAt: NOW });
  return { db, input: readRecommendationInput(db, {}) };
}

const RULE = 'fz/agent/egress/toweb';
// The agent's pods on node-2 (a flow per node it runs on: node-evidence.ts).
const REQUIRED = 'node:node-2|workload:b/Pod/web|8080|TCP';
const FROM_NODE_1 = 'node:node-1|workload:b/Pod/web|8080|TCP';

/** The verdict of node-2 → web:8080 (agent-n2, a remote node) under the manifests. */
function fromNode2(db: ReturnType<typeof tmpDb>['db'], engine: (typeof ENGINE_NAMES)[number], manifests: readonly unknown[]): string {
  const flows = JSON.stringify([{ client: 'node:node-2', server: 'workload:b/Pod/web', port: 8080, protocol: 'TCP' }]);
  return simulateFlows(db, { engine, policies: toMultiDocYaml(manifests), flows, format: 'edges' }).decisions[0]!.verdict;
}

for (const [what, authoritative, mode] of [
  ['mode observed', false, 'observed'],
  ['web authoritative for ingress (left closed, the matrices disagree)', true, 'union'],
] as const) {
  test(`${what}: a kubelet edge from web's own node does not show the agent's must flow from node-2; it is blocked where the output denies it from node-2`, async () => {
    const { db, input } = await stored([CLIENT_TO_WEB, FROM_OWN_NODE], authoritative);
    for (const engine of ENGINE_NAMES) {
      const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode }), { tightness: false });
      const cut = v.blocked.find((b) => b.workload === 'b/Pod/web' && b.direction === 'ingress' && b.edge === REQUIRED);
      // Mode observed renders node-1's own-node flow as node-1's: on Cilium a node is the entities
      // host and remote-node, every node (node-2 too).
      if (engine === 'clusternetworkpolicy' || (engine === 'cilium' && mode === 'observed')) {
        // web's isolation denies `from: namespaces: {}`, which excludes host-network pods
        // (kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go: "Note that
        // host-networked pods are not included in this type of peer"): node-2 is not cut there.
        assert.equal(fromNode2(db, engine, emitted.manifests), 'allow', engine);
        assert.equal(cut, undefined, engine);
        continue;
      }
      assert.equal(fromNode2(db, engine, emitted.manifests), 'deny', engine);
      assert.equal(v.ok, false, engine);
      assert.ok(cut, `${engine}: ${JSON.stringify(v.blocked)}`);
      assert.match(cut.reason, new RegExp(`${RULE} \\(must\\) requires it, not observed yet: applying this cuts required traffic; ${authoritative ? 'the matrices disagree' : 'mode union keeps it'}`), engine);
    }
  });
}

test('mode union opens web to the agent\'s nodes: the required flow from node-2 is verified on every engine', async () => {
  const { db, input } = await stored([CLIENT_TO_WEB, FROM_OWN_NODE]);
  for (const engine of ENGINE_NAMES) {
    const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
    assert.equal(fromNode2(db, engine, emitted.manifests), 'allow', engine);
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
  }
});

test('mode observed: a flow from a remote node (node:node-2) shows node-2\'s part of the rule for web, and the one from web\'s own node node-1\'s, where agent-n1 runs: the output keeps both', async () => {
  const { db, input } = await stored([CLIENT_TO_WEB, FROM_OWN_NODE, FROM_OTHER_NODE]);
  for (const engine of ENGINE_NAMES) {
    const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
    assert.equal(v.blocked.some((b) => b.edge === REQUIRED), false, `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.equal(fromNode2(db, engine, emitted.manifests), 'allow', engine);
    // node-1 → web judged at web on node-2 (simulate/host-network-nodes.ts): the own-node flow from
    // node-1, where agent-n1 runs, renders node-1's address (the agent's pod shares it), so it is
    // kept on every engine. (Before, kubernetes and calico named node-2's address only, and cut it.)
    assert.equal(v.blocked.some((b) => b.edge === FROM_NODE_1), false, `${engine}: ${JSON.stringify(v.blocked)}`);
  }
});
