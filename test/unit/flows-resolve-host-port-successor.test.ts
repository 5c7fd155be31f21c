/**
 * A host-network workload replaced on its node by another declaring the same port: the old one's
 * interval on the node's address stays open until the import that no longer lists it, so for a
 * while both hold the address. Two host-network pods cannot hold one port on a node at once — a
 * host-network pod's container ports are its host ports (core/v1 ContainerPort.hostPort: "If
 * HostNetwork is specified, this must match ContainerPort"; kubernetes pkg/apis/core/v1/defaults.go
 * defaultHostNetworkPorts) and the scheduler's NodePorts filter places no pod on a node whose pods
 * hold a host port it asks for — so the port is the successor's from its start, where the predecessor is gone from a later import.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { IpHistory } from '../../domain/ip-history.ts';
import type { Workload } from '../../domain/inventory.ts';
import type { ResolutionData } from '../../domain/resolution.ts';

const at = (hhmm: string) => Date.parse(`2025-03-02T${hhmm}:00Z`);
const NODE_IP = '10.0.0.20';

function exporter(name: string): Workload {
  return { namespace: 'monitoring', kind: 'DaemonSet', name, labels: { app: name }, selector: { matchLabels: { app: name } }, hostNetwork: true, ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }], services: [], exposure: [] };
}

/** Import 1 at 00:00 listed old-exporter on w-1; import 2 at 12:00 lists node-exporter there instead, started 06:00. */
function cluster(intervals: ConstructorParameters<typeof IpHistory>[0]): ResolutionData {
  return {
    nodes: [{ name: 'w-1', labels: {}, addresses: [{ type: 'InternalIP', address: NODE_IP }], podCIDRs: ['10.244.0.0/24'] }],
    workloads: [exporter('old-exporter'), exporter('node-exporter'), { ...exporter('agent'), ports: [{ name: 'agent', port: 9400, protocol: 'TCP' }] }],
    services: [],
    endpointSlices: [],
    apiserver: [],
    ipHistory: new IpHistory(intervals),
    dnsWorkloads: [],
    ownerAliases: [],
  };
}

const REPLACED = [
  { ip: NODE_IP, peerKey: 'node:w-1', node: 'w-1', hostNetwork: false, validFrom: at('00:00') },
  { ip: NODE_IP, peerKey: 'workload:monitoring/DaemonSet/old-exporter', node: 'w-1', hostNetwork: true, validFrom: at('00:00'), validTo: at('12:00') },
  { ip: NODE_IP, peerKey: 'workload:monitoring/DaemonSet/node-exporter', node: 'w-1', hostNetwork: true, validFrom: at('06:00') },
  { ip: NODE_IP, peerKey: 'workload:monitoring/DaemonSet/agent', node: 'w-1', hostNetwork: true, validFrom: at('07:00') },
];

test('a host-network workload that took over a port on its node holds it from its start: its predecessor, still listed until the next import, only before (ContainerPort.hostPort, NodePorts filter)', () => {
  const index = new ResolutionIndex(cluster(REPLACED));
  const server = (t: string) => index.resolve({ ip: NODE_IP, port: 9100 }, at(t)).map((s) => s.key);
  assert.deepEqual(server('03:00'), ['workload:monitoring/DaemonSet/old-exporter']);
  assert.deepEqual(server('08:00'), ['workload:monitoring/DaemonSet/node-exporter']);
  assert.deepEqual(server('09:00'), ['workload:monitoring/DaemonSet/node-exporter']);
  // A later start declaring another port takes nothing of 9100; the node keeps ports nobody declares.
  assert.deepEqual(index.resolve({ ip: NODE_IP, port: 9400 }, at('08:00')).map((s) => s.key), ['workload:monitoring/DaemonSet/agent']);
  assert.deepEqual(index.resolve({ ip: NODE_IP, port: 22 }, at('08:00')).map((s) => s.key), ['node:w-1']);
});

test('the same, the successor found by the flow\'s address where the Node object lists none (its host-network pods\' podIPs)', () => {
  const data = cluster(REPLACED.filter((iv) => iv.hostNetwork));
  const index = new ResolutionIndex({ ...data, nodes: [{ name: 'w-1', labels: {}, addresses: [], podCIDRs: ['10.244.0.0/24'] }] });
  assert.deepEqual(index.resolve({ ip: NODE_IP, port: 9100 }, at('08:00')).map((s) => s.key), ['workload:monitoring/DaemonSet/node-exporter']);
  assert.deepEqual(index.resolve({ ip: NODE_IP, port: 9100 }, at('05:00')).map((s) => s.key), ['workload:monitoring/DaemonSet/old-exporter']);
});

test('two holders of one host port the inventory still lists both (it contradicts itself: the demo\'s two ebpf-agent DaemonSets on 9400): the first started holds it, as before; neither is a gone predecessor', () => {
  const both = REPLACED.map((iv) => (iv.peerKey.endsWith('/old-exporter') ? { ...iv, validTo: undefined } : iv));
  const index = new ResolutionIndex(cluster(both));
  assert.deepEqual(index.resolve({ ip: NODE_IP, port: 9100 }, at('08:00')).map((s) => s.key), ['workload:monitoring/DaemonSet/old-exporter']);
});
