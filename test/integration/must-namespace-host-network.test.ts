/**
 * A `must` rule whose peer is a namespace (`{namespace: mon}`) or the owner's own namespace
 * (`same-namespace`) requires every workload there, host-network ones too: a host-network pod
 * speaks from its node's address, which no namespace selector matches on any engine —
 * kubernetes.io "Network Policies": a plugin that cannot tell host-network pods apart "ignores
 * hostNetwork pods when matching podSelector and namespaceSelector"; ClusterNetworkPolicy
 * `namespaces` peers select pods, and "host-networked pods are not included"; Cilium gives the
 * traffic of a host-network pod the `host` / `remote-node` identity, never the namespace's
 * (docs.cilium.io "Entities Based"); Calico makes workload endpoints only for the pods it networks,
 * so a host-network pod's traffic is its node's address (docs.tigera.io "Workload endpoint",
 * "Host endpoints"). The rule rendered the namespace only, and the required flows named the
 * pod-network workloads only (PodNetwork.inNamespace), so client → mon/agent:9100 (host network)
 * and agent → web:9100 were cut on every engine with the verification ok.
 * Input → expected: the rule renders the nodes of the namespace's host-network pods beside the
 * namespace (as a component with a host-network member does), so those flows pass on every engine
 * in mode union; in mode observed, where the rule does not render, the verification blocks them
 * ("… requires it, not observed yet …; mode union keeps it").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { barePodItem, namespaceItem, nodeItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('app')}
${namespaceItem('mon')}
${nodeItem('n1', '10.244.1.0/24', '192.168.0.11')}
${nodeItem('n2', '10.244.2.0/24', '192.168.0.12')}
${barePodItem({ namespace: 'app', name: 'client', ip: '10.244.2.10', ports: [], node: 'n2' })}
${barePodItem({ namespace: 'mon', name: 'web', ip: '10.244.1.20', ports: [9100], node: 'n1' })}
${barePodItem({ namespace: 'mon', name: 'agent', ip: '192.168.0.11', ports: [9100], node: 'n1', hostNetwork: true })}
`;
const SRC = 'source: { document: d, line: 1 }';
/** client must reach every pod of mon on 9100; web must be reached by every pod of its own namespace on 9100. */
const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: m, title: m }
documents: { d: { title: d } }
components:
  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: to-mon, peer: { namespace: mon }, ports: [{ port: 9100 }], level: must, purpose: scrapes all of mon, ${SRC} }
  web:
    namespace: mon
    selector: { matchLabels: { app: web } }
    ports: [{ port: 9100 }]
    ingress:
      - { id: from-mon, peer: same-namespace, ports: [{ port: 9100 }], level: must, purpose: scraped by its namespace, ${SRC} }
`;

function stored() {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: MATRIX, origin: 'm.yaml', appliedAt: NOW });
  return readRecommendationInput(db, {});
}

const TO_AGENT = 'workload:app/Pod/client|workload:mon/Pod/agent|9100|TCP';
const AGENT_TO_WEB = 'workload:mon/Pod/agent|workload:mon/Pod/web|9100|TCP';

test('mode union: a namespace must peer reaches its host-network pod at its node, and same-namespace admits it, on every engine', () => {
  const input = stored();
  const model = clusterModel(input.inventory, input.externalNames);
  const pod = (name: string) => model.cluster.pods.find((p) => p.name === name)!;
  const n2 = model.cluster.nodes.find((n) => n.name === 'n2')!;
  for (const engine of ENGINE_NAMES) {
    const { verification: v, emitted } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    const toAgent = sim.evaluate({ client: { kind: 'pod', pod: pod('client') }, server: { kind: 'pod', pod: pod('agent') }, port: 9100, protocol: 'TCP' });
    assert.equal(toAgent.verdict, 'allow', `${engine}: ${toAgent.egress.reason} | ${toAgent.ingress.reason}`);
    // The agent's pods may run on any node: from n2, web's is another node (Cilium's remote-node).
    const fromNode = sim.evaluate({ client: { kind: 'node', node: n2, ip: '192.168.0.12' }, server: { kind: 'pod', pod: pod('web') }, port: 9100, protocol: 'TCP' });
    assert.equal(fromNode.verdict, 'allow', `${engine}: ${fromNode.egress.reason} | ${fromNode.ingress.reason}`);
  }
});

test('mode observed: the verification requires the host-network pod of a namespace must peer, at both rules, on every engine', () => {
  const input = stored();
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ mode: 'observed' }), { tightness: false });
    const cuts = [['app/Pod/client', 'egress', TO_AGENT, 'm/client/egress/to-mon']] as [string, string, string, string][];
    // A ClusterNetworkPolicy's ingress peers are pods and namespaces (network-policy-api
    // ClusterNetworkPolicyIngressPeer): its isolation never denies a node, so the agent's flow
    // passes there — judged, and allowed (docs/recommend.md: "ingress from the world is never cut there").
    if (engine !== 'clusternetworkpolicy') cuts.push(['mon/Pod/web', 'ingress', AGENT_TO_WEB, 'm/web/ingress/from-mon']);
    else assert.ok(!v.blocked.some((b) => b.edge === AGENT_TO_WEB), JSON.stringify(v.blocked));
    for (const [workload, direction, edge, rule] of cuts) {
      const cut = v.blocked.find((b) => b.workload === workload && b.direction === direction && b.edge === edge);
      assert.ok(cut, `${engine}, ${workload} ${direction}: ${JSON.stringify(v.blocked)}`);
      assert.match(cut.reason, new RegExp(`${rule} \\(must\\) requires it, not observed yet: .*mode union keeps it`));
    }
  }
});
