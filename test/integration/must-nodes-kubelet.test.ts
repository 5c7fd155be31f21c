/**
 * A `must` ingress rule from the nodes ("every node's agent calls the server on 9090") whose only
 * observed edge is from the server pod's own node: that edge is stored as `kubelet:<node>`, a
 * probe, recorded and never a policy rule (docs/design.md). It confirms the rule, but it says
 * nothing of the other nodes, which the rule requires all the same: traffic from the node a pod
 * runs on is always allowed (Kubernetes, "Network Policies": "traffic to and from the node where a
 * Pod is running is always allowed"; Cilium lets the local host in, `allow-localhost`, while a
 * remote node passes only where a rule names it, `remote-node`; Calico's host endpoint traffic to
 * a local pod likewise), so the probe proves the rule's flow from no other node.
 *
 * Before: the rule was `confirmed`, rendered nothing ("kubelet probes are all it covers"), and the
 * flow node-2 → server:9090 was denied on kubernetes, calico and cilium while `export` exited 0.
 * Expected: the rule still renders every node on 9090 (as it does when nothing is observed), and
 * the verification requires the rule's flow from the nodes, judged from a node other than the
 * pod's own, so a cut fails it. A `may` health check covered by probes only renders nothing, as before.
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
const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('app')}
${nodeItem('node-1', '10.244.1.0/24', '192.168.0.11')}
${nodeItem('node-2', '10.244.2.0/24', '192.168.0.12')}
${barePodItem({ namespace: 'app', name: 'server', ip: '10.244.1.20', ports: [9090], node: 'node-1' })}
`;
const matrix = (level: 'must' | 'may') => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: m, title: m }
documents: { d: { title: d } }
components:
  server:
    namespace: app
    selector: { matchLabels: { app: server } }
    ports: [{ port: 9090 }]
    ingress:
      - { id: from-nodes, peer: nodes, ports: [{ port: 9090 }], level: ${level}, purpose: every node's agent calls the server, source: { document: d, line: 1 } }
`;
// From the pod's own node (192.168.0.11): the edge kubelet:node-1.
const PROBE = JSON.stringify({ time: '2026-03-01T10:30:00Z', verdict: 'FORWARDED', IP: { source: '192.168.0.11', destination: '10.244.1.20' }, l4: { TCP: { source_port: 40000, destination_port: 9090, flags: { SYN: true } } } });
const RULE = 'm/server/ingress/from-nodes';
const SERVER = 'workload:app/Pod/server';

async function stored(level: 'must' | 'may', probe: boolean) {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  if (probe) await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${PROBE}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: matrix(level), origin: 'm.yaml', appliedAt: NOW });
  return { db, input: readRecommendationInput(db, {}) };
}

/** The verdict of node-2 → server:9090 (a remote node: never the pod's own) under the manifests. */
function fromOtherNode(db: ReturnType<typeof tmpDb>['db'], engine: (typeof ENGINE_NAMES)[number], manifests: readonly unknown[]): string {
  const flows = JSON.stringify([{ client: 'node:node-2', server: SERVER, port: 9090, protocol: 'TCP' }]);
  return simulateFlows(db, { engine, policies: toMultiDocYaml(manifests), flows, format: 'edges' }).decisions[0]!.verdict;
}

test('a must rule from the nodes confirmed only by the kubelet edge of the pod\'s own node still allows every node, verified on every engine', async () => {
  const { db, input } = await stored('must', true);
  for (const engine of ENGINE_NAMES) {
    const { rec, emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
    const rule = rec.workloads.flatMap((w) => w.documented).find((d) => d.id === RULE)!;
    assert.equal(rule.status, 'confirmed', engine);
    assert.deepEqual(rule.edges, [`kubelet:node-1|${SERVER}|9090|TCP`], engine);
    assert.equal(fromOtherNode(db, engine, emitted.manifests), 'allow', engine);
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
  }
});

for (const probe of [true, false]) {
  test(`mode observed cuts the must rule's flow from the other nodes (${probe ? 'the kubelet edge only' : 'nothing observed'}): the verification blocks it wherever the output denies it`, async () => {
    const { db, input } = await stored('must', probe);
    for (const engine of ENGINE_NAMES) {
      const { rec, emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
      const denied = fromOtherNode(db, engine, emitted.manifests) === 'deny';
      // A ClusterNetworkPolicy isolating the pod is absent here: nothing restricts its ingress.
      assert.equal(denied, engine !== 'clusternetworkpolicy', engine);
      const cut = v.blocked.filter((b) => b.workload === 'app/Pod/server' && b.direction === 'ingress' && b.edge.startsWith('node:'));
      assert.equal(v.ok, !denied, `${engine}: ${JSON.stringify(v.blocked)}`);
      assert.equal(cut.length > 0, denied, `${engine}: ${JSON.stringify(v.blocked)}`);
      for (const b of cut) assert.match(b.reason, new RegExp(`${RULE} \\(must\\) requires it.*mode union keeps it`), engine);
      // The workload is told too, whether the probe confirmed the rule or nothing did; node-1's flow
      // too: the probe reached the pod on node-1 itself, the rule's flow is judged at a pod elsewhere.
      // Its warnings are the same for every engine, so they say the flow gets no rule and leave
      // "cuts" to the verification: on clusternetworkpolicy, whose output keeps the flow, they said
      // "applying this recommendation blocks" all the same.
      const warnings = rec.workloads.find((w) => w.workload.name === 'server')!.warnings.join('\n');
      const told = probe
        ? `${RULE} (must: every node's agent calls the server) is observed on part of what it requires only, not on ingress from node node-1 on 9090/TCP, from node node-2 on 9090/TCP, and mode observed renders observed edges only: those flows get no rule of their own, and the verification fails on each the output cuts (mode union keeps them)`
        : `${RULE} (must: every node's agent calls the server) is not observed, and mode observed renders observed edges only: that ingress flow gets no rule of its own, and the verification fails where the output cuts it (mode union keeps it)`;
      assert.ok(warnings.includes(told), `${engine}: ${warnings}`);
      assert.ok(!warnings.includes('applying this recommendation blocks'), `${engine}: ${warnings}`);
    }
  });
}

test('a may health check from the nodes that only kubelet probes cover still renders no node rule (docs/recommend.md, "Health checks and kubelet probes")', async () => {
  const { db, input } = await stored('may', true);
  for (const engine of ['kubernetes', 'calico', 'cilium'] as const) {
    const { rec, emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
    assert.equal(rec.workloads.flatMap((w) => w.documented).find((d) => d.id === RULE)!.status, 'confirmed', engine);
    assert.equal(fromOtherNode(db, engine, emitted.manifests), 'deny', engine);
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
  }
});
