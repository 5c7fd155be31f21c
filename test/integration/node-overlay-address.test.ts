/**
 * In an overlay, a node reaches pods on other nodes from an address its CNI gives it, not from its
 * InternalIP: Calico's IPIP/VXLAN tunnel address (projectcalico/calico#721: "the originating IP …
 * appears from the tunl address … include the tunl0 address in your policy decisions"; Calico's
 * automatic host endpoints count it among the node's IPs), Cilium's cilium_host router address.
 * The CNI writes them on the Node (`projectcalico.org/IPv4IPIPTunnelAddr`, `…IPv4VXLANTunnelAddr`,
 * `…IPv4WireguardInterfaceAddr`, `network.cilium.io/ipv4-cilium-host`). Input → expected: a flow
 * from a host-network agent on n2 to a pod on n1, sourced from n2's tunnel address, is n2's (not an
 * address that resolved to nothing), and the collector's ingress rule names n2's tunnel address
 * beside its InternalIP on the engines that match addresses, so that traffic passes.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import { clusterModel, connectionFlow } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();

const node = (name: string, ip: string, cidr: string, annotations: Record<string, string>) =>
  `  - apiVersion: v1
    kind: Node
    metadata: { name: ${name}, creationTimestamp: "2026-01-01T00:00:00Z", annotations: ${JSON.stringify(annotations)} }
    spec: { podCIDR: ${cidr} }
    status: { addresses: [{ type: InternalIP, address: ${ip} }, { type: Hostname, address: ${name} }] }
`;

const INVENTORY = `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: mon } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: default } }
${node('n1', '10.0.0.1', '10.244.1.0/24', { 'projectcalico.org/IPv4Address': '10.0.0.1/24', 'projectcalico.org/IPv4IPIPTunnelAddr': '10.244.1.1' })}${node('n2', '10.0.0.2', '10.244.2.0/24', { 'projectcalico.org/IPv4VXLANTunnelAddr': '10.244.2.1', 'network.cilium.io/ipv4-cilium-host': 'not-an-address' })}  - apiVersion: v1
    kind: Pod
    metadata: { name: agent-n2, namespace: mon, labels: { app: agent }, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { nodeName: n2, hostNetwork: true, containers: [{ name: agent, image: agent }] }
    status: { phase: Running, podIP: 10.0.0.2, startTime: "2026-01-01T00:00:00Z" }
  - apiVersion: v1
    kind: Pod
    metadata: { name: collector, namespace: mon, labels: { app: collector }, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { nodeName: n1, containers: [{ name: collector, image: collector, ports: [{ containerPort: 2055, protocol: TCP }] }] }
    status: { phase: Running, podIP: 10.244.1.5, startTime: "2026-01-01T00:00:00Z" }
`;

const flow = (src: string, i: number) =>
  JSON.stringify({ SrcAddr: src, DstAddr: '10.244.1.5', SrcPort: 40000 + i, DstPort: 2055, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 60, TimeFlowStartMs: NOW - 60_000 + i, TimeFlowEndMs: NOW - 60_000 + i });

test('the CNI\'s own node addresses (tunnel, router) are read from the Node\'s annotations; one that is no address is left out', () => {
  const { snapshot } = convertInventoryText(INVENTORY, NOW);
  const addresses = (name: string) => snapshot.nodes.find((n) => n.name === name)!.addresses;
  assert.deepEqual(addresses('n1').filter((a) => a.type === 'CNIAddress'), [{ type: 'CNIAddress', address: '10.244.1.1' }]);
  assert.deepEqual(addresses('n2').filter((a) => a.type === 'CNIAddress'), [{ type: 'CNIAddress', address: '10.244.2.1' }]);
});

test('a flow from n2\'s tunnel address is n2\'s, and the collector\'s ingress lets it in on every engine', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flow('10.244.2.1', 1)}\n${flow('10.0.0.2', 2)}\n`]) }], { format: 'netobserv' });
  assert.equal(summary.edges, 1, JSON.stringify(summary));
  const input = readRecommendationInput(db, {});
  assert.deepEqual(input.edges.map((e) => [e.client, e.server.kind]), [[{ kind: 'node', node: 'n2' }, 'workload']]);
  const model = clusterModel(input.inventory, input.externalNames);
  for (const engine of ['kubernetes', 'calico', 'cilium', 'clusternetworkpolicy'] as const) {
    const { emitted, verification } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    const conn = connectionFlow(model, { kind: 'node', node: 'n2' }, input.edges[0]!.server, 2055, 'TCP', { clientIp: '10.244.2.1' });
    assert.ok(conn.ok);
    const tunnel = { ...conn.flow, client: { kind: 'node' as const, node: model.nodeOf('n2')!, ip: '10.244.2.1' } };
    assert.equal(sim.evaluate(tunnel).verdict, 'allow', `${engine}: from n2's tunnel address`);
  }
  const calico = JSON.stringify(runRecommendation(input, 'calico', recommendOptions({}), { tightness: false }).emitted.manifests);
  assert.match(calico, /10\.244\.2\.1\/32/, 'the tunnel address is among the node addresses the rule names');
});

test('a flow record\'s node end is simulated at the address the record names, not at the node\'s first address', () => {
  // Felix matches `nets` against the packet's source address (rules.go ProtoRuleToIptablesRules →
  // SourceNet), and an ipBlock holds the packet's address (kubernetes.io network-policies): n1's
  // traffic from its InternalIP is allowed by a rule naming that address only, though the tunnel
  // address is among n1's addresses too. Input → expected: allow on calico and kubernetes.
  const { snapshot } = convertInventoryText(INVENTORY, NOW);
  const model = clusterModel(snapshot);
  assert.deepEqual(model.nodeOf('n1')!.ips.length > 1, true, 'n1 has more than one address');
  const server = { kind: 'workload' as const, workload: { namespace: 'mon', kind: 'Pod' as const, name: 'collector' } };
  const pod = model.podOf('mon/Pod/collector');
  assert.ok(pod, 'the collector stands as a pod');
  const conn = connectionFlow(model, { kind: 'node', node: 'n1' }, server, 2055, 'TCP', { clientIp: '10.0.0.1', serverIp: '10.244.1.5' });
  assert.ok(conn.ok);
  assert.deepEqual(conn.flow.client, { kind: 'node', node: model.nodeOf('n1')!, ip: '10.0.0.1' });
  const calico = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'from-n1', namespace: 'mon' },
    spec: { selector: "app == 'collector'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { nets: ['10.0.0.1/32'] } }] },
  };
  const np = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'from-n1', namespace: 'mon' },
    spec: { podSelector: { matchLabels: { app: 'collector' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/32' } }] }] },
  };
  assert.equal(SIMULATORS.calico([calico], model.cluster).evaluate(conn.flow).verdict, 'allow', 'calico');
  assert.equal(SIMULATORS.kubernetes([np], model.cluster).evaluate(conn.flow).verdict, 'allow', 'kubernetes');
});
