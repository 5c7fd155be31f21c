/**
 * Small random clusters for the simulator property tests: a few workloads in three namespaces
 * (some with named container ports), outside addresses, and observed edges between them;
 * plus the same cluster as the simulators see it.
 */
import fc from 'fast-check';
import type { Edge } from '../../domain/edge.ts';
import type { InventorySnapshot, Workload } from '../../domain/inventory.ts';
import { peerKey, type Peer } from '../../domain/peer.ts';
import type { SimCluster, SimEndpoint } from '../../recommender/simulate/types.ts';

const NOW = Date.UTC(2026, 10, 20);
export const PORTS = [80, 443, 5432, 8080, 9090];
export const EXTERNALS = ['203.0.113.1', '203.0.113.2', '198.51.100.7'];
const NAMESPACES = ['alpha', 'beta', 'gamma'];
const PORT_NAMES: Record<number, string> = { 80: 'http', 443: 'https', 5432: 'pg', 8080: 'http-alt', 9090: 'metrics' };

export interface GeneratedCluster {
  workloads: Workload[];
  edges: Edge[];
  inventory: InventorySnapshot;
  /** Every endpoint with its edge key (peerKey), pods first. */
  endpoints: { key: string; ep: SimEndpoint }[];
  sim: SimCluster;
}

export const generatedClusterArb = fc
  .record({
    workloads: fc.array(fc.record({ ns: fc.integer({ min: 0, max: 2 }), ports: fc.subarray(PORTS), named: fc.boolean() }), { minLength: 2, maxLength: 6 }),
    edges: fc.array(fc.record({ client: fc.integer({ min: 0, max: 8 }), server: fc.integer({ min: 0, max: 8 }), port: fc.constantFrom(...PORTS), protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }), { maxLength: 16 }),
  })
  .map(({ workloads: ws, edges: es }): GeneratedCluster => {
    const workloads: Workload[] = ws.map((w, i) => ({
      namespace: NAMESPACES[w.ns]!,
      kind: 'Deployment',
      name: `w${i}`,
      labels: { app: `w${i}`, tier: i % 2 === 0 ? 'even' : 'odd' },
      selector: { matchLabels: { app: `w${i}` } },
      hostNetwork: false,
      ports: w.ports.map((port) => ({ ...(w.named ? { name: PORT_NAMES[port]! } : {}), port, protocol: 'TCP' as const })),
      services: [],
      exposure: [],
    }));
    const peerAt = (i: number): Peer => (i < workloads.length ? { kind: 'workload', workload: { namespace: workloads[i]!.namespace, kind: 'Deployment', name: workloads[i]!.name } } : { kind: 'external', ip: EXTERNALS[i % EXTERNALS.length]! });
    const seen = new Set<string>();
    const edges: Edge[] = [];
    for (const e of es) {
      const client = peerAt(e.client);
      const server = peerAt(e.server);
      if (client.kind === 'external' && server.kind === 'external') continue;
      const k = `${peerKey(client)}|${peerKey(server)}|${e.port}|${e.protocol}`;
      if (seen.has(k)) continue;
      seen.add(k);
      edges.push({ id: edges.length + 1, client, server, port: e.port, protocol: e.protocol, firstSeen: NOW - 3600_000, lastSeen: NOW, flows: 3, packets: 10, bytes: 1000, forwarded: 3, dropped: 0, sources: ['netobserv'] });
    }
    const inventory: InventorySnapshot = { takenAt: NOW, namespaces: NAMESPACES.map((name) => ({ name, labels: {} })), nodes: [], workloads, services: [], endpointSlices: [], policies: [], podAddresses: [], apiserver: [] };
    const endpoints = [
      ...workloads.map((w, i) => ({ key: peerKey({ kind: 'workload', workload: { namespace: w.namespace, kind: 'Deployment', name: w.name } }), ep: { kind: 'pod', pod: { namespace: w.namespace, name: w.name, labels: w.labels, ips: [`10.1.0.${i + 1}`], hostNetwork: false, ports: w.ports } } as SimEndpoint })),
      ...EXTERNALS.map((ip) => ({ key: peerKey({ kind: 'external', ip }), ep: { kind: 'external', ip } as SimEndpoint })),
    ];
    const sim: SimCluster = { namespaces: inventory.namespaces, nodes: [], pods: endpoints.flatMap((e) => (e.ep.kind === 'pod' ? [e.ep.pod] : [])), services: [], apiserver: [], podCIDRs: ['10.1.0.0/16'] };
    return { workloads, edges, inventory, endpoints, sim };
  });

export const edgeKey = (client: string, server: string, port: number, protocol: string): string => `${client}|${server}|${port}|${protocol}`;
