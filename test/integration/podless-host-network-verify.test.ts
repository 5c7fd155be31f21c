/**
 * A host-network workload with no pod in the inventory (a DaemonSet not scheduled yet, a snapshot
 * taken before it ran) still speaks from a node's address once it runs, and a DaemonSet runs on
 * every node. Its rules name every node's addresses (host-network-far-sides.ts); the verification
 * judged it with no address at all, so no ipBlock or Calico `nets` could match it and kubernetes
 * and calico output was refused, with a note saying the node was not known although every Node
 * object listed an address.
 * Input → expected: Deployment a/srv on n2 (8080), host-network DaemonSet b/agent with no pod, a
 * must rule srv → agent:9100 (egress) or agent → srv:8080 (ingress); nodes n1, n2 with InternalIPs
 * (or n2 alone): the output allows it and the verification is ok on every engine. With no node
 * address at all the rule is open on its ports (with a warning), and verified. With a node that
 * lists none (the DaemonSet runs there too, at an address no rule names) kubernetes and calico
 * refuse, and the reason names that node and what to import.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterModel, connectionFlow } from '../../recommender/simulate/cluster.ts';
import { atJudgedNodes } from '../../recommender/simulate/host-network-nodes.ts';
import type { Peer } from '../../domain/peer.ts';
import { hostNetworkAgentItem, namespaceItem, serverDeploymentItems } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const SERVER_IP = '10.244.2.5';

type Direction = 'ingress' | 'egress';
/** Node name → its InternalIP, or undefined: a Node object without status.addresses. */
type Nodes = Record<string, string | undefined>;

const nodeItem = (name: string, ip: string | undefined, i: number) => `- apiVersion: v1
  kind: Node
  metadata: {name: ${name}, creationTimestamp: "${T}"}
  spec: {podCIDR: 10.244.${i + 1}.0/24}${ip === undefined ? '' : `
  status: {addresses: [{type: InternalIP, address: ${ip}}]}`}`;

const inventory = (nodes: Nodes) => `apiVersion: v1
kind: List
items:
${namespaceItem('a')}
${namespaceItem('b')}
${Object.entries(nodes).map(([name, ip], i) => nodeItem(name, ip, i)).join('\n')}
${serverDeploymentItems(SERVER_IP, T)}
${hostNetworkAgentItem()}
`;

const RULES: Record<Direction, string> = {
  egress: `egress:
      - { id: to-b, peer: { component: agent }, ports: [{ port: 9100 }], level: must, purpose: scrapes, source: { document: d, line: 1 } }`,
  ingress: `ingress:
      - { id: from-b, peer: { component: agent }, ports: [{ port: 8080 }], level: must, purpose: calls, source: { document: d, line: 1 } }`,
};

const matrix = (direction: Direction) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: hn, title: podless host-network peer }
documents: { d: { title: d, file: d.txt } }
components:
  srv:
    namespace: a
    selector: { matchLabels: { app: srv } }
    ports: [{ port: 8080 }]
    ${RULES[direction]}
  agent:
    namespace: b
    selector: { matchLabels: { app: agent } }
    hostNetwork: true
`;

function stored(nodes: Nodes, direction: Direction) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(nodes), takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: matrix(direction), origin: 'hn.yaml', appliedAt: NOW });
  return readRecommendationInput(db, {});
}

const TWO_NODES: Nodes = { n1: '10.0.0.11', n2: '10.0.0.12' };
const ONE_NODE: Nodes = { n2: '10.0.0.12' };

for (const direction of ['egress', 'ingress'] as const) {
  for (const [variant, nodes] of [['two addressed nodes', TWO_NODES], ['one addressed node', ONE_NODE]] as const) {
    test(`podless host-network DaemonSet, ${direction} must rule, ${variant}: verified ok on every engine`, () => {
      const input = stored(nodes, direction);
      for (const engine of ENGINE_NAMES) {
        const { verification } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
        assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
      }
    });
  }
}

test('podless host-network DaemonSet, egress must rule: the kubernetes output names every node and is verified', () => {
  const input = stored(TWO_NODES, 'egress');
  const { verification, emitted } = runRecommendation(input, 'kubernetes', recommendOptions({}), { tightness: false });
  const srv = emitted.manifests.find((m) => (m as { metadata: { namespace: string } }).metadata.namespace === 'a') as { spec: { egress: { to: unknown[]; ports: unknown[] }[] } };
  const toAgent = srv.spec.egress.find((r) => r.ports.some((p) => (p as { port: number }).port === 9100));
  assert.deepEqual(toAgent?.to, [{ ipBlock: { cidr: '10.0.0.11/32' } }, { ipBlock: { cidr: '10.0.0.12/32' } }]);
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
});

const OPEN = { egress: 'to any destination', ingress: 'from any source' } as const;

for (const direction of ['egress', 'ingress'] as const) {
  test(`podless host-network DaemonSet, ${direction} must rule, no node lists an address: the rule is open on its ports, with a warning, and verified on every engine`, () => {
    const input = stored({ n1: undefined, n2: undefined }, direction);
    for (const engine of ENGINE_NAMES) {
      const { verification, rec } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
      assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
      const warnings = rec.workloads.find((w) => w.workload.name === 'srv')!.warnings.join('\n');
      assert.match(warnings, new RegExp(`no node address is known; this recommendation allows that ${direction} flow ${OPEN[direction]} on the rule's ports`), `${engine}: ${warnings}`);
    }
  });

  test(`podless host-network DaemonSet, ${direction} must rule, one node lists no address: it runs there too, so kubernetes and calico refuse, naming that node`, () => {
    const input = stored({ n1: undefined, n2: '10.0.0.12' }, direction);
    for (const engine of ['kubernetes', 'calico'] as const) {
      const { verification } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
      assert.equal(verification.ok, false, engine);
      const reason = verification.blocked.map((b) => b.reason).join('\n');
      assert.match(reason, /node n1 lists no address/, `${engine}: ${reason}`);
    }
  });
}

test('the podless host-network end is judged at a node that is not the other end\'s own, or at the only node', () => {
  for (const [nodes, expected] of [[TWO_NODES, 'n1'], [ONE_NODE, 'n2']] as const) {
    for (const direction of ['egress', 'ingress'] as const) {
      const input = stored(nodes, direction);
      const model = clusterModel(input.inventory, input.externalNames);
      const srv: Peer = { kind: 'workload', workload: { namespace: 'a', kind: 'Deployment', name: 'srv' } };
      const agent: Peer = { kind: 'workload', workload: { namespace: 'b', kind: 'DaemonSet', name: 'agent' } };
      const [client, server, port] = direction === 'egress' ? [srv, agent, 9100] : [agent, srv, 8080];
      const conn = connectionFlow(model, client, server, port, 'TCP');
      assert.ok(conn.ok && conn.flow.icmp === undefined);
      const flow = atJudgedNodes(model, conn.flow);
      const end = direction === 'egress' ? flow.server : flow.client;
      assert.equal(end.kind, 'pod');
      if (end.kind !== 'pod') return;
      assert.deepEqual([end.pod.node, end.pod.ips], [expected, [nodes[expected]]], `${direction} ${Object.keys(nodes).join(',')}`);
    }
  }
});
