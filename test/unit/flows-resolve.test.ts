import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { FlowIngest } from '../../collectors/flows/pipeline.ts';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { PeerResolver } from '../../collectors/prometheus/peers.ts';
import { MetricFlowRecorder } from '../../collectors/prometheus/record.ts';
import type { MetricFlow } from '../../collectors/prometheus/series.ts';
import { runBudgets } from '../../collectors/flows/edge-budget.ts';
import { DEFAULT_EDGE_CAPS } from '../../collectors/flows/ingest-defaults.ts';
import { SqliteBatchWriter } from '../../collectors/flows/write.ts';
import { IpHistory, type IpInterval } from '../../domain/ip-history.ts';
import type { ResolutionData } from '../../domain/resolution.ts';
import type { EndpointMeta } from '../../domain/flow.ts';
import type { Workload } from '../../domain/inventory.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore } from '../../store/edges.ts';
import { tmpDb } from '../helpers/tmp.ts';

function workload(namespace: string, kind: Workload['kind'], name: string, extra: Partial<Workload> = {}): Workload {
  return { namespace, kind, name, labels: { app: name }, selector: { matchLabels: { app: name } }, hostNetwork: false, ports: [], services: [], exposure: [], ...extra };
}

/**
 * The records' times are `t` ms after T0: a flow time before 2014 is no flow time (the decoder
 * rejects it, MIN_FLOW_TIME_MS).
 */
const T0 = Date.UTC(2026, 0, 1);

/** The small cluster's IP history. */
const INTERVALS: IpInterval[] = [
  // Pod IP reuse: web until t=1,000,000, then api.
  { ip: '10.244.0.5', peerKey: 'workload:shop/Deployment/web', node: 'node-a', hostNetwork: false, validFrom: 0, validTo: T0 + 1_000_000 },
  { ip: '10.244.0.5', peerKey: 'workload:shop/Deployment/api', node: 'node-a', hostNetwork: false, validFrom: T0 + 1_000_000 },
  { ip: '10.244.1.20', peerKey: 'workload:shop/CronJob/report', node: 'node-b', hostNetwork: false, validFrom: 0 },
  { ip: '10.244.1.53', peerKey: 'workload:kube-system/Deployment/coredns', node: 'node-b', hostNetwork: false, validFrom: 0 },
  { ip: '10.0.0.1', peerKey: 'workload:monitoring/DaemonSet/node-exporter', node: 'node-a', hostNetwork: true, validFrom: 0 },
];

/** A small cluster: two nodes, a reused pod IP, Services with numeric and named target ports, the apiserver, DNS, a host-network agent. */
export const CLUSTER: ResolutionData = {
  nodes: [
    { name: 'node-a', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'node-a' }], podCIDRs: ['10.244.0.0/24'] },
    { name: 'node-b', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.2' }], podCIDRs: ['10.244.1.0/24'] },
  ],
  workloads: [
    workload('shop', 'Deployment', 'web', { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], services: ['shop/web'] }),
    workload('shop', 'Deployment', 'api', { ports: [{ name: 'grpc', port: 9000, protocol: 'TCP' }], services: ['shop/api'] }),
    workload('shop', 'CronJob', 'report'),
    workload('kube-system', 'Deployment', 'coredns', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }], services: ['kube-system/kube-dns'] }),
    workload('monitoring', 'DaemonSet', 'node-exporter', { hostNetwork: true, ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] }),
  ],
  services: [
    { namespace: 'shop', name: 'web', type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], selector: { app: 'web' } },
    { namespace: 'shop', name: 'api', type: 'ClusterIP', clusterIPs: ['10.96.0.11'], ports: [{ port: 9000, targetPort: 9000, protocol: 'TCP' }], selector: { app: 'api' } },
    { namespace: 'kube-system', name: 'kube-dns', type: 'ClusterIP', clusterIPs: ['10.96.0.53'], ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }], selector: { 'k8s-app': 'kube-dns' } },
    { namespace: 'default', name: 'kubernetes', type: 'ClusterIP', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }] },
  ],
  endpointSlices: [],
  apiserver: [{ ip: '192.168.0.10', port: 6443, protocol: 'TCP' }],
  ipHistory: new IpHistory(INTERVALS),
  dnsWorkloads: ['kube-system/Deployment/coredns'],
  ownerAliases: [{ namespace: 'shop', kind: 'Job', name: 'report-28000', workload: { namespace: 'shop', kind: 'CronJob', name: 'report' } }],
};

interface Rec {
  src: string;
  dst: string;
  t: number;
  proto?: number;
  flags?: number;
  extra?: Record<string, unknown>;
}

function netobserv(r: Rec): string {
  const [sa, sp] = r.src.split(':');
  const [da, dp] = r.dst.split(':');
  return JSON.stringify({
    SrcAddr: sa, SrcPort: Number(sp), DstAddr: da, DstPort: Number(dp), Proto: r.proto ?? 6, Packets: 2, Bytes: 100,
    TimeFlowEndMs: T0 + r.t, FlowDirection: 1, Etype: 2048, ...(r.flags === undefined ? {} : { Flags: r.flags }), ...r.extra,
  });
}

async function ingest(recs: Rec[], cluster: ResolutionData = CLUSTER) {
  const { db } = tmpDb();
  const ingest = new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(cluster), writer: new SqliteBatchWriter(db), batchSize: 3 });
  await ingest.ingest(Readable.from([recs.map(netobserv).join('\n') + '\n']), 'test');
  const store = new EdgeStore(db);
  const edges = store.list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}/${e.protocol} x${e.flows}`);
  return { edges, summary: ingest.summary(), store };
}

const ACK = 0x10;
const SYN = 0x2;

test('a reused pod IP resolves through the interval holding the flow time, never today\'s owner', async () => {
  const { edges } = await ingest([
    { src: '10.244.0.5:40000', dst: '10.96.0.11:9000', t: 500_000, flags: SYN },
    { src: '10.244.0.5:40001', dst: '10.96.0.11:9000', t: 2_000_000, flags: SYN },
  ]);
  assert.deepEqual(edges, [
    'workload:shop/Deployment/api -> workload:shop/Deployment/api:9000/TCP x1',
    'workload:shop/Deployment/web -> workload:shop/Deployment/api:9000/TCP x1',
  ]);
});

test('a Service ClusterIP resolves to its backend with the named target port; default/kubernetes and the endpoint IP are the apiserver on 6443', async () => {
  const { edges } = await ingest([
    { src: '10.244.1.20:50000', dst: '10.96.0.10:80', t: 10, flags: ACK },
    { src: '10.244.1.20:50001', dst: '10.96.0.1:443', t: 20, flags: ACK },
    { src: '10.244.1.20:50002', dst: '192.168.0.10:6443', t: 30, flags: ACK },
    { src: '10.244.1.20:33333', dst: '10.96.0.53:53', t: 40, proto: 17 },
  ]);
  assert.deepEqual(edges, [
    'workload:shop/CronJob/report -> apiserver:6443/TCP x2',
    'workload:shop/CronJob/report -> dns:kube-system/Deployment/coredns:53/UDP x1',
    'workload:shop/CronJob/report -> workload:shop/Deployment/web:8080/TCP x1',
  ]);
});

/**
 * A Service with one port number twice, once per protocol: legal, since Service ports are unique by
 * (protocol, port) — kubernetes pkg/apis/core/validation/validation.go ValidateService, "Check for
 * duplicate Ports, considering (protocol,port) pairs" — and each sends to its own target port.
 */
const SIP: ResolutionData = {
  ...CLUSTER,
  workloads: [
    ...CLUSTER.workloads,
    workload('shop', 'Deployment', 'sip', { ports: [{ name: 'sig-tcp', port: 8000, protocol: 'TCP' }, { name: 'sig-udp', port: 9000, protocol: 'UDP' }], services: ['shop/sip', 'shop/sip-named'] }),
  ],
  services: [
    ...CLUSTER.services,
    { namespace: 'shop', name: 'sip', type: 'ClusterIP', clusterIPs: ['10.96.5.6'], selector: { app: 'sip' }, ports: [{ name: 'sig-tcp', port: 5060, targetPort: 8000, protocol: 'TCP' }, { name: 'sig-udp', port: 5060, targetPort: 9000, protocol: 'UDP' }] },
    { namespace: 'shop', name: 'sip-named', type: 'ClusterIP', clusterIPs: ['10.96.5.7'], selector: { app: 'sip' }, ports: [{ name: 't', port: 5060, targetPort: 'sig-tcp', protocol: 'TCP' }, { name: 'u', port: 5060, targetPort: 'sig-udp', protocol: 'UDP' }] },
    // Selector-less: its slice gives each endpoint's port by the Service port's name.
    { namespace: 'shop', name: 'sip-ext', type: 'ClusterIP', clusterIPs: ['10.96.5.8'], ports: [{ name: 'sig-tcp', port: 5060, targetPort: 5060, protocol: 'TCP' }, { name: 'sig-udp', port: 5060, targetPort: 5060, protocol: 'UDP' }] },
  ],
  endpointSlices: [
    { namespace: 'shop', name: 'sip-ext-1', service: 'sip-ext', addressType: 'IPv4', endpoints: [{ addresses: ['203.0.113.50'] }], ports: [{ name: 'sig-tcp', port: 8000, protocol: 'TCP' }, { name: 'sig-udp', port: 9000, protocol: 'UDP' }] },
  ],
};

test('a Service port is translated by its protocol and number: UDP/5060 and TCP/5060 of one Service reach their own target ports', async () => {
  const { edges } = await ingest(
    [
      { src: '10.244.1.20:40010', dst: '10.96.5.6:5060', t: 10, proto: 17 },
      { src: '10.244.1.20:40011', dst: '10.96.5.6:5060', t: 10, flags: SYN },
      { src: '10.244.1.20:40012', dst: '10.96.5.7:5060', t: 10, proto: 17 },
      { src: '10.244.1.20:40013', dst: '10.96.5.8:5060', t: 10, proto: 17 },
      { src: '10.244.1.20:40014', dst: '10.96.5.8:5060', t: 10, flags: SYN },
    ],
    SIP,
  );
  assert.deepEqual(edges, [
    'workload:shop/CronJob/report -> external:203.0.113.50:8000/TCP x1',
    'workload:shop/CronJob/report -> external:203.0.113.50:9000/UDP x1',
    'workload:shop/CronJob/report -> workload:shop/Deployment/sip:8000/TCP x1',
    'workload:shop/CronJob/report -> workload:shop/Deployment/sip:9000/UDP x2',
  ]);
});

/**
 * A named targetPort is resolved on each backend pod (kubernetes pkg/api/v1/pod/util.go FindPort),
 * and an EndpointSlice's ports are those "exposed by each endpoint in this slice" (discovery.k8s.io/v1):
 * pods that give the name different numbers are in different slices. Here one Service fronts a
 * Deployment mid-rollout (web's ReplicaSets: `http` 8080 and 9090) and a canary pair of Deployments
 * (shop-v1 on 8080, shop-v2 on 9090). Before, one name → port map per Service took the last slice's
 * number for every backend.
 */
const ROLLOUT: ResolutionData = {
  ...CLUSTER,
  workloads: [
    workload('shop', 'Deployment', 'web', { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'http', port: 9090, protocol: 'TCP' }], services: ['shop/web'] }),
    workload('shop', 'Deployment', 'shop-v1', { labels: { app: 'shop' }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], services: ['shop/store'] }),
    workload('shop', 'Deployment', 'shop-v2', { labels: { app: 'shop' }, ports: [{ name: 'http', port: 9090, protocol: 'TCP' }], services: ['shop/store'] }),
    ...CLUSTER.workloads.filter((w) => w.name !== 'web'),
  ],
  services: [...CLUSTER.services, { namespace: 'shop', name: 'store', type: 'ClusterIP', clusterIPs: ['10.96.0.30'], ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], selector: { app: 'shop' } }],
  endpointSlices: [
    { namespace: 'shop', name: 'web-1', service: 'web', addressType: 'IPv4', endpoints: [{ addresses: ['10.244.0.11'], targetRef: { kind: 'Pod', namespace: 'shop', name: 'web-aaa-1' } }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    { namespace: 'shop', name: 'web-2', service: 'web', addressType: 'IPv4', endpoints: [{ addresses: ['10.244.0.12'], targetRef: { kind: 'Pod', namespace: 'shop', name: 'web-bbb-1' } }], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
    { namespace: 'shop', name: 'store-1', service: 'store', addressType: 'IPv4', endpoints: [{ addresses: ['10.244.0.21'], targetRef: { kind: 'Pod', namespace: 'shop', name: 'shop-v1-1' } }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    { namespace: 'shop', name: 'store-2', service: 'store', addressType: 'IPv4', endpoints: [{ addresses: ['10.244.0.22'], targetRef: { kind: 'Pod', namespace: 'shop', name: 'shop-v2-1' } }], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
  ],
  ownerAliases: [
    ...CLUSTER.ownerAliases,
    ...(['web-aaa-1', 'web-bbb-1'] as const).map((name) => ({ namespace: 'shop', kind: 'Pod', name, workload: { namespace: 'shop', kind: 'Deployment' as const, name: 'web' } })),
    ...(['shop-v1', 'shop-v2'] as const).map((w) => ({ namespace: 'shop', kind: 'Pod', name: `${w}-1`, workload: { namespace: 'shop', kind: 'Deployment' as const, name: w } })),
  ],
};

test('a flow to a Service whose named target port its backends give different numbers is a connection to each backend on each of its own numbers', async () => {
  const { edges } = await ingest(
    [
      { src: '10.244.1.20:40020', dst: '10.96.0.10:80', t: 10, flags: SYN },
      { src: '10.244.1.20:40021', dst: '10.96.0.30:80', t: 10, flags: SYN },
    ],
    ROLLOUT,
  );
  assert.deepEqual(edges, [
    'workload:shop/CronJob/report -> workload:shop/Deployment/shop-v1:8080/TCP x1',
    'workload:shop/CronJob/report -> workload:shop/Deployment/shop-v2:9090/TCP x1',
    'workload:shop/CronJob/report -> workload:shop/Deployment/web:8080/TCP x1',
    'workload:shop/CronJob/report -> workload:shop/Deployment/web:9090/TCP x1',
  ]);
});

test('a Service named by metric labels (Prometheus) is translated on the series\' protocol too', () => {
  const peers = new PeerResolver(new ResolutionIndex(SIP), SIP.workloads);
  const at = (protocol: 'TCP' | 'UDP') => {
    const r = peers.resolve({ kind: 'service', namespace: 'shop', name: 'sip' }, T0, 5060, protocol);
    return Array.isArray(r) ? r.map((s) => `${s.key}:${s.port}`) : r;
  };
  assert.deepEqual(at('UDP'), ['workload:shop/Deployment/sip:9000']);
  assert.deepEqual(at('TCP'), ['workload:shop/Deployment/sip:8000']);
});

test('NetObserv Type=Service default/kubernetes reply (SrcPort 443) orients to the pod → apiserver:6443', async () => {
  const { edges } = await ingest([
    { src: '10.96.0.1:443', dst: '10.244.1.20:48974', t: 10, flags: ACK, extra: { SrcK8S_Type: 'Service', SrcK8S_Namespace: 'default', SrcK8S_Name: 'kubernetes' } },
  ]);
  assert.deepEqual(edges, ['workload:shop/CronJob/report -> apiserver:6443/TCP x1']);
});

test('probes from the server pod\'s own node are the kubelet; from another node they are that node; a host-network agent owns its port', async () => {
  const { edges } = await ingest([
    { src: '10.0.0.1:45000', dst: '10.244.0.5:8080', t: 10, flags: SYN },
    { src: '10.0.0.2:45000', dst: '10.244.0.5:8080', t: 10, flags: SYN },
    { src: '10.244.0.5:41000', dst: '10.0.0.1:9100', t: 10, flags: ACK },
  ]);
  assert.deepEqual(edges, [
    'kubelet:node-a -> workload:shop/Deployment/web:8080/TCP x1',
    'node:node-b -> workload:shop/Deployment/web:8080/TCP x1',
    'workload:shop/Deployment/web -> workload:monitoring/DaemonSet/node-exporter:9100/TCP x1',
  ]);
});

test('request and reply records of one connection aggregate into one edge with summed counters and an hourly bucket', async () => {
  const { edges, store } = await ingest([
    { src: '10.244.1.20:41000', dst: '10.244.0.5:9000', t: 2_000_000, flags: ACK },
    { src: '10.244.0.5:9000', dst: '10.244.1.20:41000', t: 2_000_100, flags: ACK },
    { src: '10.244.0.5:9000', dst: '10.244.1.20:41000', t: 2_000_200, flags: SYN | 0x100 | ACK },
  ]);
  assert.deepEqual(edges, ['workload:shop/CronJob/report -> workload:shop/Deployment/api:9000/TCP x3']);
  const [e] = store.list();
  assert.deepEqual([e!.packets, e!.bytes, e!.firstSeen, e!.lastSeen], [6, 300, T0 + 2_000_000, T0 + 2_000_200]);
  assert.deepEqual(store.hours(e!.id), [{ hour: Math.floor(T0 / 3_600_000), flows: 3, packets: 6, bytes: 300 }]);
});

test('flows with no handshake, no declared port and no well-known port are ambiguous: kept apart, never an edge', async () => {
  const { edges, summary, store } = await ingest([
    { src: '10.244.1.20:40000', dst: '10.244.0.5:50000', t: 10, flags: ACK },
    { src: '10.244.0.5:50000', dst: '10.244.1.20:40000', t: 20, flags: ACK },
  ]);
  assert.deepEqual(edges, []);
  assert.equal(summary.ambiguous, 2);
  const [pair] = store.listAmbiguous();
  assert.deepEqual(
    [peerKey(pair!.peerA), peerKey(pair!.peerB), pair!.portA, pair!.portB, pair!.flows],
    ['workload:shop/CronJob/report', 'workload:shop/Deployment/web', 40000, 50000, 2],
  );
});

test('in-cluster IPs without an owner are unknown, others external; record metadata wins and Jobs map to their CronJob', async () => {
  const { edges } = await ingest([
    { src: '10.244.1.20:41000', dst: '10.244.1.99:443', t: 10, flags: ACK },
    { src: '10.244.1.20:41000', dst: '8.8.8.8:443', t: 10, flags: ACK },
    {
      src: '10.244.0.5:41000', dst: '10.244.1.53:53', t: 10, proto: 17,
      extra: { SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'shop', SrcK8S_Name: 'report-28000-x7k2p', SrcK8S_OwnerType: 'Job', SrcK8S_OwnerName: 'report-28000' },
    },
  ]);
  assert.deepEqual(edges, [
    'workload:shop/CronJob/report -> dns:kube-system/Deployment/coredns:53/UDP x1',
    'workload:shop/CronJob/report -> external:8.8.8.8:443/TCP x1',
    'workload:shop/CronJob/report -> unknown:10.244.1.99:443/TCP x1',
  ]);
});

test('a control-plane node IP is the apiserver only on its endpoint port; off it, and for host identities, it is the node', () => {
  const cp = { name: 'cp-1', labels: {}, addresses: [{ type: 'InternalIP', address: '192.168.0.10' }], podCIDRs: ['10.244.9.0/24'] };
  const index = new ResolutionIndex({ ...CLUSTER, nodes: [...CLUSTER.nodes, cp] });
  const keys = (e: Parameters<ResolutionIndex['resolve']>[0]) => index.resolve(e, 5).map((s) => `${s.key}:${s.port}`);
  // NetObserv reports the post-DNAT apiserver as a Node: the endpoint ip:port wins over that metadata.
  assert.deepEqual(keys({ ip: '192.168.0.10', port: 6443, meta: { kind: 'node', name: 'cp-1' } }), ['apiserver:6443']);
  assert.deepEqual(keys({ ip: '192.168.0.10', port: 6443 }), ['apiserver:6443']);
  // The same address as a client (webhook calls, host-network agents) is the node: they cannot be told apart.
  assert.deepEqual(keys({ ip: '192.168.0.10', port: 51000 }), ['node:cp-1:51000']);
  assert.deepEqual(keys({ ip: '192.168.0.10', port: 51000, meta: { kind: 'reserved', identities: ['kube-apiserver', 'remote-node'] } }), ['node:cp-1:51000']);
  // An apiserver outside the cluster's nodes (managed control plane) is the apiserver on any port.
  assert.deepEqual(keys({ ip: '169.254.128.9', port: 60002, meta: { kind: 'reserved', identities: ['kube-apiserver', 'world'] } }), ['apiserver:60002']);
  const managed = new ResolutionIndex(CLUSTER);
  assert.deepEqual(managed.resolve({ ip: '192.168.0.10', port: 51000 }, 5).map((s) => s.key), ['apiserver']);
});

test("a Cilium host identity at the node's cilium_host address (its router IP, taken from the node's podCIDR) is that node", () => {
  // Cilium's router IP is allocated from the node's PodCIDR (docs.cilium.io "Kubernetes Host Scope"
  // IPAM; cilium/cilium#16672 discards a router IP outside it): in tunnel mode a node reaches remote
  // pods from it, and Hubble labels that traffic host / remote-node (with kube-apiserver on a
  // control-plane node, identity 7).
  const cp = { name: 'cp-1', labels: {}, addresses: [{ type: 'InternalIP', address: '192.168.0.10' }], podCIDRs: ['10.244.9.0/24'] };
  const index = new ResolutionIndex({ ...CLUSTER, nodes: [...CLUSTER.nodes, cp] });
  const keys = (e: Parameters<ResolutionIndex['resolve']>[0]) => index.resolve(e, 5).map((s) => `${s.key}:${s.port}`);
  assert.deepEqual(keys({ ip: '10.244.9.1', port: 50002, meta: { kind: 'reserved', identities: ['kube-apiserver', 'remote-node'] } }), ['node:cp-1:50002']);
  assert.deepEqual(keys({ ip: '10.244.1.1', port: 50002, meta: { kind: 'reserved', identities: ['remote-node'] } }), ['node:node-b:50002']);
  assert.deepEqual(keys({ ip: '10.244.0.1', port: 50002, meta: { kind: 'reserved', identities: ['host'] } }), ['node:node-a:50002']);
  // Outside every podCIDR a remote-node address the inventory does not know stays unknown.
  assert.deepEqual(keys({ ip: '172.31.0.9', port: 50002, meta: { kind: 'reserved', identities: ['remote-node'] } }), ['unknown:172.31.0.9:50002']);
  // With Cilium's default cluster-pool IPAM the router address is from CiliumNode's CIDRs, not the
  // Node's podCIDRs (docs.cilium.io IPAM "Cluster Scope"): the node cannot be told, but the record
  // says the apiserver — which is what calls a webhook from there.
  assert.deepEqual(keys({ ip: '10.0.1.23', port: 50002, meta: { kind: 'reserved', identities: ['kube-apiserver', 'remote-node'] } }), ['apiserver:50002']);
});

test('a well-known port wins only against an ephemeral port; against a registered port the flow stays ambiguous', async () => {
  const { edges, summary } = await ingest([
    // 10.244.1.20 (report) ephemeral 45000 → external 443: the external side is the server.
    { src: '10.244.1.20:45000', dst: '203.0.113.9:443', t: 10, flags: ACK },
    // 8080 against 443 with no handshake and nothing declared: either could be the server.
    { src: '10.244.1.20:8081', dst: '203.0.113.9:443', t: 10, flags: ACK },
  ]);
  assert.deepEqual(edges, ['workload:shop/CronJob/report -> external:203.0.113.9:443/TCP x1']);
  assert.equal(summary.ambiguous, 1);
});

test('NetObserv delivery needs evidence: a lone SYN is unknown, an answered handshake or a reply is forwarded, an acl drop is dropped', async () => {
  const { store } = await ingest([
    // report → web:8080, SYN only, never answered (what a policy drop looks like without acl events).
    { src: '10.244.1.20:40001', dst: '10.244.0.5:8080', t: 10, flags: SYN },
    // The same connection later: the client ACKs, so the server answered.
    { src: '10.244.1.20:40002', dst: '10.244.0.5:8080', t: 20, flags: SYN | ACK },
    // UDP DNS: the query alone proves nothing, the answer (server → client) does.
    { src: '10.244.1.20:40003', dst: '10.244.1.53:53', t: 30, proto: 17 },
    { src: '10.244.1.53:53', dst: '10.244.1.20:40003', t: 31, proto: 17 },
    // An OVN acl drop event.
    { src: '10.244.1.20:40004', dst: '10.244.0.5:8080', t: 40, flags: SYN, extra: { NetworkEvents: [{ Feature: 'acl', Type: 'NetworkPolicy', Action: 'drop', Direction: 'Ingress' }] } },
  ]);
  const counts = store.list().map((e) => `${peerKey(e.server)}:${e.port} flows=${e.flows} forwarded=${e.forwarded} dropped=${e.dropped}`);
  assert.deepEqual(counts, [
    'dns:kube-system/Deployment/coredns:53 flows=2 forwarded=1 dropped=0',
    'workload:shop/Deployment/web:8080 flows=3 forwarded=1 dropped=1',
  ]);
});

test('a Service ClusterIP that Hubble labels reserved:world (seen before the translation, cilium/cilium#21251: the VIP is in no ipcache entry) resolves through the Service, the apiserver\'s included; other world addresses stay external', () => {
  const index = new ResolutionIndex(CLUSTER);
  const keys = (e: Parameters<ResolutionIndex['resolve']>[0]) => index.resolve(e, 5).map((s) => `${s.key}:${s.port}`);
  const world: EndpointMeta = { kind: 'reserved', identities: ['world'] };
  assert.deepEqual(keys({ ip: '10.96.0.11', port: 9000, meta: world }), ['workload:shop/Deployment/api:9000']);
  // default/kubernetes: the apiserver on its endpoint port, as without the labels.
  assert.deepEqual(keys({ ip: '10.96.0.1', port: 443, meta: world }), keys({ ip: '10.96.0.1', port: 443 }));
  assert.deepEqual(keys({ ip: '10.96.0.1', port: 443, meta: world }), ['apiserver:6443']);
  assert.deepEqual(keys({ ip: '8.8.8.8', port: 443, meta: world }), ['external:8.8.8.8:443']);
});

test('an address inside a ServiceCIDR that no Service held (a Service flowmatrix never saw) is unknown and addressed as a server, also where Hubble labels it reserved:world; without ServiceCIDRs it stays external', () => {
  // Kubernetes API reference, ServiceCIDR v1: the range "used to allocate ClusterIPs to Service
  // objects". Before: external:10.96.7.7, which every engine's export named in an ipBlock.
  const keys = (index: ResolutionIndex, e: Parameters<ResolutionIndex['resolve']>[0]) => index.resolve(e, 5).map((side) => `${side.key}:${side.port}${side.viaService ? ' via service' : ''}`);
  const withRanges = new ResolutionIndex({ ...CLUSTER, serviceCidrs: ['10.96.0.0/16', 'fd00:96::/112'] });
  assert.deepEqual(keys(withRanges, { ip: '10.96.7.7', port: 80 }), ['unknown:10.96.7.7:80 via service']);
  assert.deepEqual(keys(withRanges, { ip: 'fd00:96::7', port: 80 }), ['unknown:fd00:96::7:80 via service']);
  assert.deepEqual(keys(withRanges, { ip: '10.96.7.7', port: 80, meta: { kind: 'reserved', identities: ['world'] } }), ['unknown:10.96.7.7:80 via service']);
  // A Service of today and outside addresses are as before.
  assert.deepEqual(keys(withRanges, { ip: '10.96.0.11', port: 9000 }), ['workload:shop/Deployment/api:9000 via service']);
  assert.deepEqual(keys(withRanges, { ip: '10.97.0.1', port: 80 }), ['external:10.97.0.1:80']);
  assert.deepEqual(keys(new ResolutionIndex(CLUSTER), { ip: '10.96.7.7', port: 80 }), ['external:10.96.7.7:80']);
});

test('a Service\'s external IP on a Service port is that Service (its backends, the port translated, as its ClusterIP is); on another port, or before the Service existed, the address is what it would be without it', () => {
  // kubernetes.io "Service", External IPs: "Traffic that ingresses into the cluster with the external
  // IP (as destination IP), on the Service port, will be routed to one of the Service endpoints";
  // kube-proxy matches destination and Service port alone, so a node's own address listed there is
  // the Service on that port only (bare-metal clusters list node addresses).
  const services = CLUSTER.services.map((svc) => (svc.name === 'web' ? { ...svc, externalIPs: ['10.0.0.2', '203.0.113.10'], createdAt: 1_000 } : svc));
  const index = new ResolutionIndex({ ...CLUSTER, services });
  const keys = (e: Parameters<ResolutionIndex['resolve']>[0], t = 5_000) => index.resolve(e, t).map((side) => `${side.key}:${side.port}${side.viaService ? ' via service' : ''}`);
  assert.deepEqual(keys({ ip: '203.0.113.10', port: 80 }), ['workload:shop/Deployment/web:8080 via service']);
  assert.deepEqual(keys({ ip: '203.0.113.10', port: 80, meta: { kind: 'reserved', identities: ['world'] } }), ['workload:shop/Deployment/web:8080 via service']);
  assert.deepEqual(keys({ ip: '10.0.0.2', port: 80 }), ['workload:shop/Deployment/web:8080 via service']);
  assert.deepEqual(keys({ ip: '203.0.113.10', port: 22 }), ['external:203.0.113.10:22']);
  assert.deepEqual(keys({ ip: '203.0.113.10', port: 80 }, 999), ['external:203.0.113.10:80']);
  assert.deepEqual(keys({ ip: '10.0.0.2', port: 22 }), ['node:node-b:22']);
});

test('a Service\'s load-balancer IP (status.loadBalancer.ingress) on a Service port is that Service, as its external IPs are: a pod calling it is DNATed by its node to the backends', () => {
  // Service API reference, spec.externalTrafficPolicy: "traffic sent to an External IP or
  // LoadBalancer IP from within the cluster will always get Cluster semantics": the node sends it to
  // one of the Service's endpoints, as it does the ClusterIP (kubernetes pkg/proxy loadBalancerVIPs).
  const services = CLUSTER.services.map((svc) => (svc.name === 'web' ? { ...svc, loadBalancerIPs: ['203.0.113.50'], createdAt: 1_000 } : svc));
  const index = new ResolutionIndex({ ...CLUSTER, services });
  const keys = (e: Parameters<ResolutionIndex['resolve']>[0], t = 5_000) => index.resolve(e, t).map((side) => `${side.key}:${side.port}${side.viaService ? ' via service' : ''}`);
  assert.deepEqual(keys({ ip: '203.0.113.50', port: 80 }), ['workload:shop/Deployment/web:8080 via service']);
  assert.deepEqual(keys({ ip: '203.0.113.50', port: 80, meta: { kind: 'reserved', identities: ['world'] } }), ['workload:shop/Deployment/web:8080 via service']);
  assert.deepEqual(keys({ ip: '203.0.113.50', port: 22 }), ['external:203.0.113.50:22']);
});

test('a node address the IP history holds for its node (as an inventory import records it) still gives a port a host-network workload on that node declares to that workload (docs/ingest.md, "Resolve")', () => {
  const withNodeIntervals: ResolutionData = {
    ...CLUSTER,
    ipHistory: new IpHistory([...INTERVALS, { ip: '10.0.0.1', peerKey: 'node:node-a', node: 'node-a', hostNetwork: false, validFrom: 0 }]),
  };
  const index = new ResolutionIndex(withNodeIntervals);
  const keys = (e: Parameters<ResolutionIndex['resolve']>[0]) => index.resolve(e, 5).map((s) => `${s.key}:${s.port}`);
  assert.deepEqual(keys({ ip: '10.0.0.1', port: 9100 }), ['workload:monitoring/DaemonSet/node-exporter:9100']);
  assert.deepEqual(keys({ ip: '10.0.0.1', port: 22 }), ['node:node-a:22']);
  // The node's declared ports (the kubelet's, the host-network workloads') orient its flows as without the interval.
  assert.ok(index.resolve({ ip: '10.0.0.1', port: 10250 }, 5)[0]!.declaredPorts.has(10250));
});

test('a ClusterIP resolves to its Service only from the Service\'s creation on: before, the address was a deleted Service\'s (a ClusterIP is immutable), never today\'s holder\'s backends', async () => {
  // Kubernetes API: Service spec.clusterIP "cannot be changed through updates"; a freed address may be allocated to a new Service.
  const recreated = CLUSTER.services.map((s) => (s.name === 'api' ? { ...s, createdAt: 1_000 } : s));
  const index = new ResolutionIndex({ ...CLUSTER, services: recreated });
  const keys = (t: number) => index.resolve({ ip: '10.96.0.11', port: 9000 }, t).map((s) => `${s.key}:${s.port}${s.viaService ? ' via service' : ''}`);
  assert.deepEqual(keys(999), ['unknown:10.96.0.11:9000 via service']);
  assert.deepEqual(keys(1_000), ['workload:shop/Deployment/api:9000 via service']);
  // Hubble's reserved:world on the VIP (before translation) is decided the same way.
  const world = (t: number) => index.resolve({ ip: '10.96.0.11', port: 9000, meta: { kind: 'reserved', identities: ['world'] } }, t).map((s) => s.key);
  assert.deepEqual(world(999), ['unknown:10.96.0.11']);
  assert.deepEqual(world(1_000), ['workload:shop/Deployment/api']);
});

test('a record naming a Service (NetObserv DstK8S_Type=Service) resolves through the instance of that name that existed at the flow\'s time: before today\'s was created, the one the address was then, else a Service nobody knows', () => {
  // shop/api created again at 1,000 on its address; until 1,200 (the import that saw it) 10.96.0.99 was the old api's, selecting web.
  const recreated = CLUSTER.services.map((s) => (s.name === 'api' ? { ...s, createdAt: 1_000 } : s));
  const formerClusterIps = [{ ip: '10.96.0.99', namespace: 'shop', name: 'api', ports: [{ port: 9000, targetPort: 8080, protocol: 'TCP' as const }], backends: [{ namespace: 'shop', kind: 'Deployment' as const, name: 'web' }], validTo: 1_200 }];
  const index = new ResolutionIndex({ ...CLUSTER, services: recreated, formerClusterIps });
  const named = (ip: string, t: number) => index.resolve({ ip, port: 9000, meta: { kind: 'service', namespace: 'shop', name: 'api' } }, t).map((s) => `${s.key}:${s.port}${s.viaService ? ' via service' : ''}`);
  assert.deepEqual(named('10.96.0.99', 500), ['workload:shop/Deployment/web:8080 via service']);
  assert.deepEqual(named('10.96.0.11', 500), ['unknown:10.96.0.11:9000 via service']);
  assert.deepEqual(named('10.96.0.11', 1_000), ['workload:shop/Deployment/api:9000 via service']);
});

test('Hubble node identities resolve through the IP history at the flow\'s time, and kube-apiserver on the endpoint port is the apiserver even after the endpoints changed', () => {
  // A control-plane node cp-1 (10.0.0.10, an apiserver endpoint until t=2,000) replaced by worker w-2 on the same address.
  const cp = { name: 'w-2', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.10' }], podCIDRs: ['10.244.8.0/24'] };
  const index = new ResolutionIndex({
    ...CLUSTER,
    nodes: [...CLUSTER.nodes, cp],
    apiserver: [{ ip: '10.0.0.11', port: 6443, protocol: 'TCP' }],
    ipHistory: new IpHistory([
      ...INTERVALS,
      { ip: '10.0.0.10', peerKey: 'node:cp-1', node: 'cp-1', hostNetwork: false, validFrom: 0, validTo: 2_000 },
      { ip: '10.0.0.10', peerKey: 'node:w-2', node: 'w-2', hostNetwork: false, validFrom: 2_500 },
    ]),
  });
  const keys = (t: number, identities: string[], port: number) => index.resolve({ ip: '10.0.0.10', port, meta: { kind: 'reserved', identities } }, t).map((s) => `${s.key}:${s.port}`);
  assert.deepEqual(keys(1_000, ['remote-node'], 40_000), ['node:cp-1:40000']);
  assert.deepEqual(keys(3_000, ['remote-node'], 40_000), ['node:w-2:40000']);
  // Cilium labels the apiserver's addresses kube-apiserver (Cilium docs, "Entities": kube-apiserver); on the endpoint port that is the apiserver.
  assert.deepEqual(keys(1_000, ['kube-apiserver', 'remote-node'], 6443), ['apiserver:6443']);
  // Off it, the node's host network (its agents share the address).
  assert.deepEqual(keys(1_000, ['kube-apiserver', 'remote-node'], 10250), ['node:cp-1:10250']);
});

test('Hubble\'s kube-apiserver identity on a managed apiserver\'s address (no node\'s) off the endpoint port: the apiserver as a client, an external address as a server, as for an address without labels', () => {
  // Cilium labels every port of the address kube-apiserver; the apiserver serves only its endpoint port.
  const index = new ResolutionIndex(CLUSTER);
  const [side] = index.resolve({ ip: '192.168.0.10', port: 8443, meta: { kind: 'reserved', identities: ['kube-apiserver'] } }, 5);
  assert.equal(side?.key, 'apiserver');
  assert.equal(side?.whenServer?.key, 'external:192.168.0.10');
  const [onPort] = index.resolve({ ip: '192.168.0.10', port: 6443, meta: { kind: 'reserved', identities: ['kube-apiserver'] } }, 5);
  assert.equal(onPort?.whenServer, undefined);
  // Without known endpoints the label is all there is: the port it is on is the apiserver's (TKE: 169.254.128.9:60002).
  const [unknownEndpoints] = new ResolutionIndex({ ...CLUSTER, apiserver: [] }).resolve({ ip: '169.254.128.9', port: 60002, meta: { kind: 'reserved', identities: ['kube-apiserver', 'world'] } }, 5);
  assert.equal(unknownEndpoints?.key, 'apiserver');
  assert.equal(unknownEndpoints?.whenServer, undefined);
});

test('a managed apiserver\'s address (no node\'s) is the apiserver as a client from any port, but as a server only on its endpoint port: elsewhere an external address', async () => {
  const { db } = tmpDb();
  const ingestion = new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(CLUSTER), writer: new SqliteBatchWriter(db), batchSize: 3 });
  const recs: Rec[] = [
    { src: '10.244.1.20:40000', dst: '192.168.0.10:6443', t: 10, flags: SYN },
    { src: '10.244.1.20:40001', dst: '192.168.0.10:22', t: 10, flags: SYN },
    { src: '192.168.0.10:51000', dst: '10.244.0.5:8080', t: 10, flags: SYN },
  ];
  await ingestion.ingest(Readable.from([recs.map(netobserv).join('\n') + '\n']), 'test');
  assert.deepEqual(new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}`), [
    'apiserver -> workload:shop/Deployment/web:8080',
    'workload:shop/CronJob/report -> apiserver:6443',
    'workload:shop/CronJob/report -> external:192.168.0.10:22',
  ]);
});

test('an ambiguous pair seen on two port pairs at the same time keeps the lowest, whatever the record order, in one batch or across runs (the same input gives the same report)', async () => {
  const r5000: Rec = { src: '10.244.1.20:5000', dst: '198.51.100.40:55079', t: 10, flags: ACK };
  const r5001: Rec = { src: '10.244.1.20:5001', dst: '198.51.100.40:55080', t: 10, flags: ACK };
  const ports = (store: EdgeStore) => store.listAmbiguous().map((p) => `${p.portA}/${p.portB}`);
  for (const order of [[r5000, r5001], [r5001, r5000]]) {
    assert.deepEqual(ports((await ingest(order)).store), ['55079/5000'], 'one batch');
    const { db } = tmpDb();
    for (const rec of order) {
      const run = new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(CLUSTER), writer: new SqliteBatchWriter(db), batchSize: 3 });
      await run.ingest(Readable.from([netobserv(rec) + '\n']), 'test');
    }
    assert.deepEqual(ports(new EdgeStore(db)), ['55079/5000'], 'two runs');
  }
});

test('a handshake contradicted by the ports (the server side on an undeclared ephemeral port, the client on a port it declares) is ambiguous, never a rule to an ephemeral port', async () => {
  // An agent without NetObserv's SYN_ACK flag reports the server's SYN+ACK as Flags 18 (SYN|ACK): read as "Src opened".
  const { edges, summary } = await ingest([
    { src: '10.244.0.5:8080', dst: '10.244.1.20:40020', t: 10, flags: SYN | ACK },
    // The same from a server that declares nothing, on a well-known port (an HTTPS site answering).
    { src: '203.0.113.9:443', dst: '10.244.1.20:45556', t: 10, flags: SYN | ACK },
    // The same flags the right way round: report → web:8080 is an edge.
    { src: '10.244.1.20:40021', dst: '10.244.0.5:8080', t: 20, flags: SYN | ACK },
  ]);
  assert.deepEqual(edges, ['workload:shop/CronJob/report -> workload:shop/Deployment/web:8080/TCP x1']);
  assert.equal(summary.ambiguous, 2);
});

test('NetObserv SYN|ACK without SYN_ACK (flags OR\'d over the record\'s window: the client\'s SYN then ACKs, or a server\'s SYN+ACK from an agent without SYN_ACK) naming a server on an undeclared ephemeral port against a client on a port outside the ephemeral range is ambiguous; a lone SYN is not', async () => {
  // web's 8443 is declared by nobody: the server's own record of web:8443 answering report:40030.
  const { edges, summary } = await ingest([
    { src: '10.244.0.5:8443', dst: '10.244.1.20:40030', t: 10, flags: SYN | ACK },
    // A lone SYN is the opener's alone (FLP conntrack): report:20000 opened a connection to web:40040.
    { src: '10.244.1.20:20000', dst: '10.244.0.5:40040', t: 20, flags: SYN },
    // SYN|ACK from a client on an ephemeral port to a registered one: the client's record.
    { src: '10.244.1.20:40031', dst: '10.244.0.5:8443', t: 30, flags: SYN | ACK },
  ]);
  assert.deepEqual(edges, ['workload:shop/CronJob/report -> workload:shop/Deployment/web:8443/TCP x1', 'workload:shop/CronJob/report -> workload:shop/Deployment/web:40040/TCP x1']);
  assert.equal(summary.ambiguous, 1);
});

test('a Service without a selector whose EndpointSlice lists addresses, not pods (an external database: Kubernetes "Service", "Services without selectors"), resolves to those addresses on the endpoint port: outside the cluster an external address, a pod\'s address its workload', () => {
  const index = new ResolutionIndex({
    ...CLUSTER,
    // targetPort as the API server defaults it (the port): nothing reads it for a Service without a selector; the slices give the port.
    services: [...CLUSTER.services, { namespace: 'shop', name: 'extdb', type: 'ClusterIP', clusterIPs: ['10.96.0.20'], ports: [{ name: 'pg', port: 5432, targetPort: 5432, protocol: 'TCP' }, { name: 'admin', port: 80, targetPort: 80, protocol: 'TCP' }] }],
    endpointSlices: [
      {
        namespace: 'shop',
        name: 'extdb-1',
        service: 'extdb',
        addressType: 'IPv4',
        // One address outside the cluster, one a pod's (set by hand, no targetRef), one that is a Service's own address (never followed).
        endpoints: [{ addresses: ['192.0.2.5'] }, { addresses: ['10.244.1.20'] }, { addresses: ['10.96.0.11'] }],
        ports: [{ name: 'pg', port: 15432, protocol: 'TCP' }, { name: 'admin', port: 8080, protocol: 'TCP' }],
      },
      // A second slice of the Service, its endpoint on other ports of the same names.
      { namespace: 'shop', name: 'extdb-2', service: 'extdb', addressType: 'IPv4', endpoints: [{ addresses: ['192.0.2.6'] }], ports: [{ name: 'pg', port: 25432, protocol: 'TCP' }] },
    ],
  });
  const sides = index.resolve({ ip: '10.96.0.20', port: 5432 }, 5).map((s) => `${s.key}:${s.port}${s.viaService ? ' via service' : ''}`);
  assert.deepEqual(sides, ['external:192.0.2.5:15432 via service', 'workload:shop/CronJob/report:15432 via service', 'unknown:10.96.0.11:15432 via service', 'external:192.0.2.6:25432 via service']);
  assert.deepEqual(index.resolve({ ip: '10.96.0.20', port: 80 }, 5).map((s) => `${s.key}:${s.port}`).slice(0, 1), ['external:192.0.2.5:8080'], 'each Service port by its name');
  // A record naming the Service and one of its endpoints (Hubble destination_service) went to that endpoint only.
  const named = index.resolve({ ip: '192.0.2.6', port: 25432, meta: { kind: 'service', namespace: 'shop', name: 'extdb' } }, 5).map((s) => `${s.key}:${s.port}`);
  assert.deepEqual(named, ['external:192.0.2.6:25432']);
});

/**
 * A Hubble record taken after the Service's translation (Cilium's kube-proxy replacement) names the
 * backend pod and the Service (`destination_service`): the pod keeps the target port name its number
 * came through, as a flow to the ClusterIP does — only where one named targetPort of that Service
 * reaches the number on this backend. By number, through no port of the Service, through two ports
 * (a name and a number), or through a Service that does not select the pod: no name.
 */
test('a pod the record reached through a Service (destination_service) keeps the target port name that gives its port; a Service mapping the port by number, not at all, or also by number keeps none', () => {
  const index = new ResolutionIndex({
    ...CLUSTER,
    services: [
      ...CLUSTER.services,
      // web's 8080 both through `http` and by number: which way the flow came is not known.
      { namespace: 'shop', name: 'web-both', type: 'ClusterIP', clusterIPs: ['10.96.0.12'], ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'alt', port: 8080, targetPort: 8080, protocol: 'TCP' }], selector: { app: 'web' } },
    ],
    workloads: CLUSTER.workloads.map((w) => (w.name === 'web' ? { ...w, services: [...w.services, 'shop/web-both'] } : w)),
  });
  const nameAt = (ip: string, port: number, service: string, protocol: 'TCP' | 'UDP' = 'TCP', time = 5) =>
    index.resolve({ ip, port, meta: { kind: 'pod', namespace: 'shop', service } }, time, { protocol }).map((s) => `${s.key}:${s.port} ${s.targetPortName ?? '-'}`);
  assert.deepEqual(nameAt('10.244.0.5', 8080, 'shop/web'), ['workload:shop/Deployment/web:8080 http']);
  assert.deepEqual(nameAt('10.244.0.5', 8080, 'shop/web', 'UDP'), ['workload:shop/Deployment/web:8080 -'], 'http is a TCP port of the Service');
  assert.deepEqual(nameAt('10.244.0.5', 8081, 'shop/web'), ['workload:shop/Deployment/web:8081 -'], 'no port of the Service reaches 8081');
  assert.deepEqual(nameAt('10.244.0.5', 8080, 'shop/web-both'), ['workload:shop/Deployment/web:8080 -'], 'by name and by number');
  // 10.244.0.5 is api's from t=1,000,000: api's Service maps 9000 by number.
  assert.deepEqual(nameAt('10.244.0.5', 9000, 'shop/api', 'TCP', T0 + 2_000_000), ['workload:shop/Deployment/api:9000 -']);
  assert.deepEqual(nameAt('10.244.0.5', 9000, 'shop/web', 'TCP', T0 + 2_000_000), ['workload:shop/Deployment/api:9000 -'], 'web does not select api');
  assert.deepEqual(nameAt('10.244.0.5', 8080, 'shop/nowhere'), ['workload:shop/Deployment/web:8080 -'], 'a Service the inventory does not hold');
});

test('ClusterMesh: a pod or reporting node of another Cilium cluster is none of this cluster\'s (no selector here selects it without its cluster\'s label, docs.cilium.io "ClusterMesh policy"); of this cluster it resolves as before', () => {
  const index = new ResolutionIndex({ ...CLUSTER, ciliumClusterName: 'east' });
  const keys = (e: Parameters<ResolutionIndex['resolve']>[0], observedOn?: string, observedInCluster?: string) => index.resolve(e, 5, { observedOn, observedInCluster }).map((s) => s.key);
  const pod = (cluster: string) => ({ ip: '10.2.1.10', port: 40000, meta: { kind: 'pod' as const, namespace: 'shop', podName: 'web-55d6f8d9c7-qwert', ownerKind: 'Deployment', ownerName: 'web', cluster } });
  assert.deepEqual(keys(pod('west')), ['unknown:10.2.1.10']);
  assert.deepEqual(keys(pod('east')), ['workload:shop/Deployment/web']);
  // reserved:host reported by west's node-1 is not east's node-1 (which would make it a kubelet probe).
  const host = { ip: '192.168.2.11', port: 50001, meta: { kind: 'reserved' as const, identities: ['host'] } };
  assert.deepEqual(keys(host, 'node-a', 'west'), ['unknown:192.168.2.11']);
  assert.deepEqual(keys(host, 'node-a', 'east'), ['node:node-a']);
  // Without an imported cilium-config the cluster's name is not known: nothing is judged by it.
  assert.deepEqual(new ResolutionIndex(CLUSTER).resolve(pod('kind-kind'), 5).map((s) => s.key), ['workload:shop/Deployment/web']);
});

/**
 * A series that names a headless Service but carries no port (Istio's destination_service_*): what
 * reached the pods reached the port they listen on, the Service's target port — a headless Service's
 * name answers with the pods' addresses and, through its SRV records, the endpoints' port (kubernetes
 * dns specification 2.4.1), and nothing translates the Service port on the way (kubernetes.io
 * "Service", Headless Services) — not the Service port, on which the pods need not listen.
 */
test('a Prometheus series naming a headless Service without a port: the edge is on its target port', () => {
  const data: ResolutionData = {
    ...SIP,
    services: [...SIP.services, { namespace: 'shop', name: 'sip-hl', type: 'ClusterIP', clusterIPs: [], selector: { app: 'sip' }, ports: [{ name: 'sig-tcp', port: 5060, targetPort: 8000, protocol: 'TCP' }] }],
  };
  // sip declares two TCP ports: no one declared port stands in for the Service's.
  data.workloads = data.workloads.map((w) => (w.name === 'sip' ? { ...w, ports: [...w.ports, { name: 'admin', port: 8001, protocol: 'TCP' }], services: [...w.services, 'shop/sip-hl'] } : w));
  const recorder = new MetricFlowRecorder(new PeerResolver(new ResolutionIndex(data), data.workloads), data.services, runBudgets(DEFAULT_EDGE_CAPS, {}, () => true));
  const flow: MetricFlow = { src: { kind: 'workload', namespace: 'shop', name: 'report', workloadKind: 'CronJob' }, dst: { kind: 'workload', namespace: 'shop', name: 'sip', workloadKind: 'Deployment' }, protocol: 'TCP', direction: 'src-is-client', verdict: 'forwarded', service: { namespace: 'shop', name: 'sip-hl' }, meshReported: true };
  assert.equal(recorder.record(flow, 'istio_requests_total', { time: T0 + 10, flows: 1, packets: 0, bytes: 0, verdict: 'forwarded', source: 'prometheus' }), 'edge');
  assert.deepEqual(recorder.aggregator.drain().edges.map((e) => `${e.client} -> ${e.server}:${e.port}`), ['workload:shop/CronJob/report -> workload:shop/Deployment/sip:8000']);
});

/**
 * An address a managed control plane took from the pods' subnets: web was last seen on 10.244.0.77
 * at 100,000 and gone by the import at 200,000, which lists it as an apiserver endpoint on 443
 * (docs/inventory.md "IP history"; the apiserver took it at a moment no import saw).
 */
const GAP: ResolutionData = {
  ...CLUSTER,
  apiserver: [...CLUSTER.apiserver, { ip: '10.244.0.77', port: 443, protocol: 'TCP', since: T0 + 200_000 }],
  ipHistory: new IpHistory([...INTERVALS, { ip: '10.244.0.77', peerKey: 'workload:shop/Deployment/web', node: 'node-a', hostNetwork: false, validFrom: 0, validTo: T0 + 200_000, releasedAfter: T0 + 100_000 }]),
};

test('a Prometheus series to an address in the apiserver\'s gap: on the endpoint port the pod\'s and the apiserver\'s; on another port the pod\'s alone (the apiserver is never a server off its endpoint port)', () => {
  const recorder = new MetricFlowRecorder(new PeerResolver(new ResolutionIndex(GAP), GAP.workloads), GAP.services, runBudgets(DEFAULT_EDGE_CAPS, {}, () => true));
  const count = (t: number) => ({ time: T0 + t, flows: 1, packets: 0, bytes: 0, verdict: 'forwarded' as const, source: 'prometheus' as const });
  const to = (port: number): MetricFlow => ({ src: { kind: 'ip', ip: '10.244.1.20' }, dst: { kind: 'ip', ip: '10.244.0.77' }, port, protocol: 'TCP', direction: 'src-is-client', verdict: 'forwarded' });
  assert.equal(recorder.record(to(443), 'm', count(150_000)), 'edge');
  assert.equal(recorder.record(to(8080), 'm', count(150_000)), 'edge');
  assert.equal(recorder.record(to(443), 'm', count(50_000)), 'edge');
  assert.deepEqual(recorder.aggregator.drain().edges.map((e) => `${e.client} -> ${e.server}:${e.port} x${e.flows}`).sort(), [
    'workload:shop/CronJob/report -> apiserver:443 x1',
    'workload:shop/CronJob/report -> workload:shop/Deployment/web:443 x2',
    'workload:shop/CronJob/report -> workload:shop/Deployment/web:8080 x1',
  ]);
});
