/**
 * The far side of an edge: one rule decides when it is the apiserver (egress to a node or an
 * external address on an endpoint ip:port of default/kubernetes), and RunPeers hands out one
 * checked answer per peer, direction and namespace relation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import type { Peer } from '../../domain/peer.ts';
import { indexCluster } from '../../recommender/compare/context.ts';
import { dnsPeer, dnsPorts } from '../../recommender/policy/build.ts';
import { RunPeers } from '../../recommender/synthesize/far-peers.ts';
import { APISERVER, farSide } from '../../recommender/synthesize/peers.ts';

const inventory: InventorySnapshot = {
  takenAt: 0,
  namespaces: [{ name: 'shop', labels: {} }, { name: 'pay', labels: {} }],
  nodes: [{ name: 'cp-1', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.10' }] }],
  workloads: ['shop', 'pay'].map((ns) => ({ namespace: ns, kind: 'Deployment' as const, name: 'api', labels: { app: 'api' }, selector: { matchLabels: { app: 'api' } }, hostNetwork: false, ports: [], services: [], exposure: [] })),
  services: [],
  endpointSlices: [],
  policies: [],
  podAddresses: [],
  apiserver: [{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }],
} as unknown as InventorySnapshot;
const ix = indexCluster(inventory);
/** No pod address known: a subject's family is its pod network's (none in these snapshots). */
const NO_POD_IPS = { podIps: () => [] };
const node: Peer = { kind: 'node', node: 'cp-1' };
const external: Peer = { kind: 'external', ip: '10.0.0.10' };

test('egress to a node or an external address on an apiserver endpoint ip:port is the apiserver; anything else stays itself', () => {
  // The apiserver is its endpoint ip:port (README "the kube-apiserver"; docs/recommend.md).
  assert.equal(farSide(node, 6443, 'egress', ix), APISERVER);
  assert.equal(farSide(external, 6443, 'egress', ix), APISERVER);
  assert.equal(farSide(node, 10250, 'egress', ix), node, 'the same node off the endpoint port is the node');
  assert.equal(farSide(node, 6443, 'ingress', ix), node, 'ingress from the node is the node');
  const other: Peer = { kind: 'external', ip: '203.0.113.9' };
  assert.equal(farSide(other, 6443, 'egress', ix), other);
});

test('egress to a node on the endpoint port is the apiserver only where every address of it the subject may reach (of its one family, else all) is an endpoint', () => {
  // An edge keeps no family: an IPv6-only subject reaches cp-1 at fd00:10::10, which a single-stack
  // kubernetes Service does not list; the apiserver peer names its endpoints alone (docs/recommend.md).
  const dual = { ...inventory, nodes: [{ name: 'cp-1', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.10' }, { type: 'InternalIP', address: 'fd00:10::10' }] }] };
  const v4Only = indexCluster(dual as unknown as InventorySnapshot);
  assert.equal(farSide(node, 6443, 'egress', v4Only, 6), node, 'IPv6-only subject: its connection goes to the IPv6 address, no endpoint');
  assert.equal(farSide(node, 6443, 'egress', v4Only), node, 'a subject of both families (or unknown) may use either');
  assert.equal(farSide(node, 6443, 'egress', v4Only, 4), APISERVER, 'IPv4-only subject: the IPv4 address is the endpoint');
  const both = indexCluster({ ...dual, apiserver: [{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }, { ip: 'fd00:10::10', port: 6443, protocol: 'TCP' }] } as unknown as InventorySnapshot);
  for (const family of [4, 6, undefined] as const) assert.equal(farSide(node, 6443, 'egress', both, family), APISERVER, `a dual-stack kubernetes Service, family ${family}`);
  assert.equal(farSide(node, 6443, 'egress', ix, 6), APISERVER, 'a node with no address of the subject\'s family: judged at the addresses it has');
  const external = indexCluster({ ...inventory, nodes: [{ name: 'cp-1', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.10' }, { type: 'ExternalIP', address: '203.0.113.10' }] }] } as unknown as InventorySnapshot);
  assert.equal(farSide(node, 6443, 'egress', external, 4), node, 'an ExternalIP beside the endpoint: the connection may go to either');
});

test('RunPeers: one answer per peer object, direction and namespace relation; the pod selector names a foreign namespace only', () => {
  const peers = new RunPeers(ix, { namespace: 'kube-system', selector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ports: dnsPorts(), network: 'pod' }, NO_POD_IPS);
  const api: Peer = { kind: 'workload', workload: { namespace: 'shop', kind: 'Deployment', name: 'api' } };
  const edge = (client: Peer, server: Peer, port: number): EdgeTraffic => ({ client, server, port, protocol: 'TCP', lastSeen: 0, flows: 1, forwarded: 1, dropped: 0 });
  const own = peers.of(edge(api, api, 80), 'egress', 'shop');
  const foreign = peers.of(edge(api, api, 80), 'egress', 'pay');
  assert.ok(own.ok && foreign.ok);
  assert.deepEqual(own.peers, [{ kind: 'pods', selector: { matchLabels: { app: 'api' } } }]);
  assert.deepEqual(foreign.peers, [{ kind: 'pods', namespace: 'shop', selector: { matchLabels: { app: 'api' } } }]);
  assert.equal(peers.of(edge(api, api, 443), 'egress', 'shop'), own, 'the same answer object for the same question');
  const toApi = peers.of(edge(api, node, 6443), 'egress', 'shop');
  assert.ok(toApi.ok);
  assert.equal(toApi.peers[0]!.kind, 'apiserver');
  const toNode = peers.of(edge(api, node, 10250), 'egress', 'shop');
  assert.ok(toNode.ok);
  assert.deepEqual(toNode.peers, [{ kind: 'nodes', ips: ['10.0.0.10'] }]);
  const probe = peers.of(edge({ kind: 'kubelet', node: 'cp-1' }, api, 8080), 'ingress', 'shop');
  assert.equal(probe.ok, false);
  assert.equal(peers.portList(edge(api, api, 80)), peers.portList(edge(api, node, 80)), 'one list per protocol and port');
  assert.equal(peers.portList({ ...edge(api, api, 0), protocol: 'ICMP' }), undefined);
});

test('RunPeers: equal checked peers are one object for the run, whichever edge peer, direction or rule they come from', () => {
  const peers = new RunPeers(ix, { namespace: 'kube-system', selector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ports: dnsPorts(), network: 'pod' }, NO_POD_IPS);
  const shop: Peer = { kind: 'workload', workload: { namespace: 'shop', kind: 'Deployment', name: 'api' } };
  const pay: Peer = { kind: 'workload', workload: { namespace: 'pay', kind: 'Deployment', name: 'api' } };
  const edge = (client: Peer, server: Peer): EdgeTraffic => ({ client, server, port: 80, protocol: 'TCP', lastSeen: 0, flows: 1, forwarded: 1, dropped: 0 });
  // shop/api seen by pay/api as a client (ingress) and as a server (egress): one answer each, one peer.
  const asClient = peers.of(edge(shop, pay), 'ingress', 'pay');
  const asServer = peers.of(edge(pay, shop), 'egress', 'pay');
  assert.ok(asClient.ok && asServer.ok);
  assert.notEqual(asClient, asServer);
  assert.equal(asClient.peers[0], asServer.peers[0]);
  const dns = () => peers.peer(dnsPeer('kube-system', { matchLabels: { 'k8s-app': 'kube-dns' } }));
  assert.equal(dns().value, dns().value, 'the DNS peer each workload adds is one object');
  assert.equal(dns().key, dns().key);
});

test('ingress from a control-plane node (an apiserver endpoint address) allows every control-plane node: the caller is whichever apiserver replica serves the request; egress to a node stays that node', () => {
  // Seed 003 / docs/engines.md: a webhook cut off with failurePolicy: Fail blocks API writes; in an HA control plane any replica calls it.
  const ha = indexCluster({
    ...inventory,
    nodes: [
      { name: 'cp-1', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.10' }] },
      { name: 'cp-2', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.11' }] },
      { name: 'w-1', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.20' }] },
    ],
    apiserver: [{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }, { ip: '10.0.0.11', port: 6443, protocol: 'TCP' }],
  } as unknown as InventorySnapshot);
  const peers = new RunPeers(ha, { namespace: 'kube-system', selector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ports: dnsPorts(), network: 'pod' }, NO_POD_IPS);
  const api: Peer = { kind: 'workload', workload: { namespace: 'shop', kind: 'Deployment', name: 'api' } };
  const edge = (client: Peer, server: Peer, port: number): EdgeTraffic => ({ client, server, port, protocol: 'TCP', lastSeen: 0, flows: 1, forwarded: 1, dropped: 0 });
  const ips = (answer: ReturnType<RunPeers['of']>) => (answer.ok ? answer.peers.map((p) => (p.kind === 'nodes' ? p.ips : p.kind)) : answer);
  assert.deepEqual(ips(peers.of(edge({ kind: 'node', node: 'cp-2' }, api, 9443), 'ingress', 'shop')), [['10.0.0.10', '10.0.0.11']]);
  assert.deepEqual(ips(peers.of(edge({ kind: 'node', node: 'w-1' }, api, 9443), 'ingress', 'shop')), [['10.0.0.20']]);
  assert.deepEqual(ips(peers.of(edge(api, { kind: 'node', node: 'cp-2' }, 10250), 'egress', 'shop')), [['10.0.0.11']]);
});
