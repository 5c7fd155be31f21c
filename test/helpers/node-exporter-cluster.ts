/**
 * A small cluster as `kubectl get … -o json` lists it, for the tests of host-network workloads:
 * the object builders (namespace, node, pod, Service), a NetObserv record of a connection's
 * first packet, and the node-exporter cluster those tests share — mon/prom (10.244.0.5 on node0)
 * and the DaemonSet mon/ne on node0..node2 (node addresses 192.168.0.10–12), each ne pod on the
 * host network (at its node's address) or on the pod network (in its node's podCIDR), as asked.
 */
import type { Db } from '../../store/db.ts';
import { importInventory } from '../../app/inventory.ts';
import { tmpDb } from './tmp.ts';

export const T = '2026-01-01T00:00:00Z';
export const FLOW_TIME = Date.UTC(2026, 10, 20);
export const NOW = FLOW_TIME + 3_600_000;

export interface PodExtra {
  owner?: { kind: string; name: string; uid: string };
  hostNetwork?: boolean;
  ports?: unknown[];
}

export const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
export const node = (name: string, podCIDR: string, ip: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, creationTimestamp: T }, spec: { podCIDR, podCIDRs: [podCIDR] }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
export const pod = (ns: string, name: string, labels: Record<string, string>, nodeName: string, ip: string, extra: PodExtra = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels, uid: `u-${name}`, creationTimestamp: T, ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', ...extra.owner, controller: true }] } : {}) },
  spec: { nodeName, ...(extra.hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'c', image: 'x', ports: extra.ports ?? [] }] },
  status: { phase: 'Running', startTime: T, podIP: ip, podIPs: [{ ip }] },
});
export const service = (ns: string, name: string, ip: string, selector: Record<string, string>, port: number, targetPort: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, creationTimestamp: T },
  spec: { clusterIP: ip, clusterIPs: [ip], selector, ports: [{ port, protocol: 'TCP', targetPort }] },
});
export const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

/** A NetObserv record of a TCP SYN from `src` to `dst:dstPort` at FLOW_TIME (`i` varies the client port). */
export const record = (src: string, dst: string, dstPort: number, i = 0) =>
  JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: 50000 + i, DstPort: dstPort, Proto: 6, Etype: 2048, Flags: 2, TimeFlowStartMs: FLOW_TIME, TimeFlowEndMs: FLOW_TIME + 5, Packets: 1, Bytes: 60 });

/** A store holding `items` as one inventory snapshot taken at T. */
export function stored(items: unknown[]): Db {
  const { db } = tmpDb();
  importInventory(db, { text: list(items), takenAt: Date.parse(T), source: 'inventory.json', now: NOW });
  return db;
}

export const METRICS = [{ containerPort: 9100, name: 'metrics' }];
export const PROM_IP = '10.244.0.5';
const NE_NODES = [
  { node: 'node0', podCIDR: '10.244.0.0/24', nodeIp: '192.168.0.10', podIp: '10.244.0.10', pod: 'ne-a' },
  { node: 'node1', podCIDR: '10.244.1.0/24', nodeIp: '192.168.0.11', podIp: '10.244.1.10', pod: 'ne-b' },
  { node: 'node2', podCIDR: '10.244.2.0/24', nodeIp: '192.168.0.12', podIp: '10.244.2.10', pod: 'ne-c' },
] as const;
const neOwner = { kind: 'DaemonSet', name: 'ne', uid: 'ds1' };

/**
 * The node-exporter cluster: mon/prom on node0 and the DaemonSet mon/ne (`app: ne`, port 9100
 * named `metrics`) with one pod per node, on the host network on the nodes `hostNetworkOn` names
 * (every node by default: the template says hostNetwork) and on the pod network elsewhere.
 * `neIps` are ne-a's, ne-b's and ne-c's addresses, in that order.
 */
export function nodeExporterCluster(hostNetworkOn: readonly string[] = NE_NODES.map((n) => n.node)): { items: unknown[]; neIps: string[] } {
  const onHost = (n: string) => hostNetworkOn.includes(n);
  const wholly = NE_NODES.every((n) => onHost(n.node));
  const daemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'ne', namespace: 'mon', uid: 'ds1' },
    spec: { selector: { matchLabels: { app: 'ne' } }, template: { metadata: { labels: { app: 'ne' } }, spec: { ...(wholly ? { hostNetwork: true } : {}), containers: [{ name: 'c', image: 'x', ports: METRICS }] } } },
  };
  const items = [
    namespace('mon'),
    ...NE_NODES.map((n) => node(n.node, n.podCIDR, n.nodeIp)),
    pod('mon', 'prom', { app: 'prom' }, 'node0', PROM_IP),
    daemonSet,
    ...NE_NODES.map((n) => pod('mon', n.pod, { app: 'ne' }, n.node, onHost(n.node) ? n.nodeIp : n.podIp, { owner: neOwner, hostNetwork: onHost(n.node), ports: METRICS })),
  ];
  return { items, neIps: NE_NODES.map((n) => (onHost(n.node) ? n.nodeIp : n.podIp)) };
}
