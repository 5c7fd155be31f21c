/**
 * A host-network component's pods speak from their node's address, each from its own: a must rule
 * of the component is required from (or to) each node it runs on that has an address, and an edge
 * of one node shows that node's part only (synthesize/node-evidence.ts), as a `nodes` peer already
 * requires "a flow from each node with an address" (docs/recommend.md, "Verification").
 *
 * Before, any `node:<name>` edge of the rule's peer workload and
 * port counted as showing the rule, so
 * - m3: agent (hostNetwork DaemonSet on n1 and n2) must reach web:8080; seen from n1 only
 *   (192.168.0.11 → web-1 on n2), mode observed rendered n1's address alone at web's ingress and
 *   exited 0 while agent-1 on n2 → web-0 was denied on kubernetes and calico. Cilium's
 *   `remote-node` entity (Documentation/security/policy/language.rst, "Entities Based":
 *   remote-node is "any node in any of the connected clusters other than the local host") and the
 *   ClusterNetworkPolicy's ingress isolation, whose peers exclude host-networked pods
 *   (network-policy-api apis/v1alpha2 clusternetworkpolicy_types.go: "host-networked pods are not
 *   included in this type of peer"), admit every node: right to pass there.
 * - m1: web must reach agent:9400; seen only to agent-1's node n2 (whose Node object lists no
 *   address: its host-network pod's podIP stands in, domain/node-addresses.ts), web's egress held
 *   n2's address alone and exited 0 — in mode observed (kubernetes, calico, clusternetworkpolicy;
 *   Cilium renders a node as the entities host and remote-node, every node), and in mode union with
 *   web's matrix authoritative for egress (all four) — while web → agent-0 (192.168.0.11:9400) was denied.
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
import { namespaceItem, nodeItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const containerPorts = (port: number | undefined) => (port === undefined ? '' : `, ports: [{containerPort: ${port}}]`);
const pod = (ns: string, name: string, app: string, owner: string, node: string, ip: string, host: boolean, port: number | undefined) => `- apiVersion: v1
  kind: Pod
  metadata: {name: ${name}, namespace: ${ns}, labels: {app: ${app}}, creationTimestamp: "${T}", ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: ${owner}, uid: u-${owner}, controller: true}]}
  spec: {nodeName: ${node}, hostNetwork: ${host}, containers: [{name: c, image: c${containerPorts(port)}}]}
  status: {phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;
const daemonSet = (ns: string, name: string, host: boolean, port: number | undefined) => `- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: ${name}, namespace: ${ns}, uid: u-${name}}
  spec: {selector: {matchLabels: {app: ${name}}}, template: {metadata: {labels: {app: ${name}}}, spec: {hostNetwork: ${host}, containers: [{name: c, image: c${containerPorts(port)}}]}}}`;
/**
 * n2 without any address in m1: its host-network pod's podIP is its address. `agentDeclaresPort`:
 * the agent declares container port 9400; not in m1, so that a flow to a node on 9400 stays the node's
 * (a host-network workload is credited with its node's traffic on the ports it declares only).
 */
const inventory = (n2Addressed: boolean, agentDeclaresPort = true) => `apiVersion: v1
kind: List
items:
${namespaceItem('a')}
${namespaceItem('b')}
${nodeItem('n1', '10.244.1.0/24', '192.168.0.11')}
${n2Addressed ? nodeItem('n2', '10.244.2.0/24', '192.168.0.12') : `- {apiVersion: v1, kind: Node, metadata: {name: n2, creationTimestamp: "${T}"}, spec: {podCIDR: 10.244.2.0/24}, status: {addresses: []}}`}
${daemonSet('a', 'web', false, 8080)}
${pod('a', 'web-0', 'web', 'web', 'n1', '10.244.1.10', false, 8080)}
${pod('a', 'web-1', 'web', 'web', 'n2', '10.244.2.10', false, 8080)}
${daemonSet('b', 'agent', true, agentDeclaresPort ? 9400 : undefined)}
${pod('b', 'agent-0', 'agent', 'agent', 'n1', '192.168.0.11', true, agentDeclaresPort ? 9400 : undefined)}
${pod('b', 'agent-1', 'agent', 'agent', 'n2', '192.168.0.12', true, agentDeclaresPort ? 9400 : undefined)}
`;
const matrix = (rule: 'agent-to-web' | 'web-to-agent', webAuthoritative: boolean) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: fz, title: a host-network component on two nodes }
documents: { d: { title: d, file: d.txt } }
components:
  web:
    namespace: a
    selector: { matchLabels: { app: web } }
    ports: [{ port: 8080 }]${webAuthoritative ? '\n    authoritative: { egress: true }' : ''}
  agent:
    namespace: b
    selector: { matchLabels: { app: agent } }
    hostNetwork: true
    ports: [{ port: 9400 }]
${rule === 'agent-to-web'
  ? '    egress:\n      - { id: r1, peer: { component: web }, ports: [{ port: 8080 }], level: must, purpose: push, source: { document: d, line: 1 } }'
  : '    ingress:\n      - { id: r1, peer: { component: web }, ports: [{ port: 9400 }], level: must, purpose: scrape, source: { document: d, line: 1 } }'}
`;
const flow = (i: number, src: string, dst: string, port: number) =>
  JSON.stringify({ time: `2026-03-01T10:3${i}:00Z`, verdict: 'FORWARDED', IP: { source: src, destination: dst }, l4: { TCP: { source_port: 51000 + i, destination_port: port, flags: { SYN: true } } } });

async function stored(inv: string, m: string, flows: readonly string[]) {
  const { db } = tmpDb();
  importInventory(db, { text: inv, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: m, origin: 'fz.yaml', appliedAt: NOW });
  return { db, input: readRecommendationInput(db, {}) };
}

type Db = ReturnType<typeof tmpDb>['db'];
const verdict = (db: Db, engine: (typeof ENGINE_NAMES)[number], manifests: readonly unknown[], client: string, server: string, port: number): string =>
  simulateFlows(db, { engine, policies: toMultiDocYaml(manifests), flows: JSON.stringify([{ client, server, port, protocol: 'TCP' }]), format: 'edges' }).decisions[0]!.verdict;

// agent-0 (n1, 192.168.0.11) → web-1 (n2): the edge node:n1 → web:8080.
const N1_TO_WEB1 = flow(0, '192.168.0.11', '10.244.2.10', 8080);
// agent-1 (n2, 192.168.0.12) → web-0 (n1): the edge node:n2 → web:8080.
const N2_TO_WEB0 = flow(1, '192.168.0.12', '10.244.1.10', 8080);
const FROM_N2 = 'node:n2|workload:a/DaemonSet/web|8080|TCP';

test('m3: a host-network must egress seen from n1 only still requires n2\'s flow: blocked in mode observed where the output denies n2 (kubernetes, calico)', async () => {
  const { db, input } = await stored(inventory(true), matrix('agent-to-web', false), [N1_TO_WEB1]);
  for (const engine of ENGINE_NAMES) {
    const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
    const cut = v.blocked.find((b) => b.workload === 'a/DaemonSet/web' && b.direction === 'ingress' && b.edge === FROM_N2);
    const n2 = verdict(db, engine, emitted.manifests, 'node:n2', 'workload:a/DaemonSet/web', 8080);
    // n1's part is shown by its edge and rendered.
    assert.equal(v.blocked.some((b) => b.edge.startsWith('node:n1|')), false, `${engine}: ${JSON.stringify(v.blocked)}`);
    if (engine === 'cilium' || engine === 'clusternetworkpolicy') {
      assert.equal(n2, 'allow', engine);
      assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
      continue;
    }
    assert.equal(n2, 'deny', engine);
    assert.equal(v.ok, false, engine);
    assert.ok(cut, `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.match(cut.reason, /fz\/agent\/egress\/r1 \(must\) requires it, not observed yet: applying this cuts required traffic; mode union keeps it/, engine);
  }
});

test('m3: seen from each node the agent runs on, mode observed passes on every engine', async () => {
  const { input } = await stored(inventory(true), matrix('agent-to-web', false), [N1_TO_WEB1, N2_TO_WEB0]);
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
  }
});

// web-0 (n1) → agent-1 at 192.168.0.12 (n2, whose Node object lists no address); the agent declares no port: the edge web → node:n2:9400.
const WEB0_TO_N2 = flow(2, '10.244.1.10', '192.168.0.12', 9400);
const TO_N1 = 'workload:a/DaemonSet/web|node:n1|9400|TCP';

for (const [what, mode, authoritative] of [
  ['mode observed', 'observed', false],
  ['mode union, web authoritative for egress (left closed, the matrices disagree)', 'union', true],
] as const) {
  test(`m1, ${what}: web's must flow to the host-network agent seen to n2 only still requires n1's, and is blocked where the output denies it`, async () => {
    const { db, input } = await stored(inventory(false, false), matrix('web-to-agent', authoritative), [WEB0_TO_N2]);
    for (const engine of ENGINE_NAMES) {
      const { emitted, verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode }), { tightness: false });
      const n1 = verdict(db, engine, emitted.manifests, 'workload:a/DaemonSet/web', 'node:n1', 9400);
      if (engine === 'cilium' && mode === 'observed') {
        // The observed node edge is rendered as the entities host and remote-node (engines/cilium.ts),
        // which hold every node: n1's part passes too.
        assert.equal(n1, 'allow', engine);
        assert.equal(v.blocked.some((b) => b.edge === TO_N1), false, `${engine}: ${JSON.stringify(v.blocked)}`);
        continue;
      }
      assert.equal(n1, 'deny', engine);
      assert.equal(v.ok, false, engine);
      const cut = v.blocked.find((b) => b.workload === 'a/DaemonSet/web' && b.direction === 'egress' && b.edge === TO_N1);
      assert.ok(cut, `${engine}: ${JSON.stringify(v.blocked)}`);
      assert.match(cut.reason, new RegExp(`fz/agent/ingress/r1 \\(must\\) requires it, not observed yet: applying this cuts required traffic; ${authoritative ? 'the matrices disagree' : 'mode union keeps it'}`), engine);
    }
  });
}

test('m1: mode union opens web\'s egress to the agent\'s nodes: verified on every engine', async () => {
  const { input } = await stored(inventory(false, false), matrix('web-to-agent', false), [WEB0_TO_N2]);
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
  }
});
