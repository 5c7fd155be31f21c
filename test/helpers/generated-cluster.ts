/**
 * Small random clusters for the simulator property tests: a few workloads in three namespaces
 * (some with named container ports), outside addresses, and observed edges between them;
 * plus the same cluster as the simulators see it. `withNodes` adds a node (as client and
 * server) and the kube-apiserver (as server, on its endpoint port 6443) to the peers.
 */
import fc from 'fast-check';
import type { Edge } from '../../domain/edge.ts';
import type { InventorySnapshot, Workload } from '../../domain/inventory.ts';
import { peerKey, type Peer } from '../../domain/peer.ts';
import type { SimCluster, SimEndpoint, Simulator } from '../../recommender/simulate/types.ts';

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

export const NODE = { name: 'node-1', ip: '192.168.0.10' };
export const APISERVER = { ip: '192.168.0.100', port: 6443 };
const NODE_INDEX = 9;
const APISERVER_INDEX = 10;

export const generatedClusterArb = clusterArb(false);
export const generatedClusterWithNodesArb = clusterArb(true);

function clusterArb(withNodes: boolean): fc.Arbitrary<GeneratedCluster> {
  const maxPeer = withNodes ? APISERVER_INDEX : 8;
  return fc
  .record({
    workloads: fc.array(fc.record({ ns: fc.integer({ min: 0, max: 2 }), ports: fc.subarray(PORTS), named: fc.boolean() }), { minLength: 2, maxLength: 6 }),
    edges: fc.array(fc.record({ client: fc.integer({ min: 0, max: maxPeer }), server: fc.integer({ min: 0, max: maxPeer }), port: fc.constantFrom(...PORTS), protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }), { maxLength: 16 }),
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
    const peerAt = (i: number): Peer => {
      if (i < workloads.length) return { kind: 'workload', workload: { namespace: workloads[i]!.namespace, kind: 'Deployment', name: workloads[i]!.name } };
      if (withNodes && i === NODE_INDEX) return { kind: 'node', node: NODE.name };
      if (withNodes && i === APISERVER_INDEX) return { kind: 'apiserver' };
      return { kind: 'external', ip: EXTERNALS[i % EXTERNALS.length]! };
    };
    const inCluster = (p: Peer): boolean => p.kind === 'workload';
    const seen = new Set<string>();
    const edges: Edge[] = [];
    for (const e of es) {
      const client = peerAt(e.client);
      const server = peerAt(e.server);
      // Every edge has a workload end; the apiserver is a server only, on its endpoint port.
      if (!inCluster(client) && !inCluster(server)) continue;
      if (client.kind === 'apiserver') continue;
      const [port, protocol] = server.kind === 'apiserver' ? [APISERVER.port, 'TCP' as const] : [e.port, e.protocol];
      const k = `${peerKey(client)}|${peerKey(server)}|${port}|${protocol}`;
      if (seen.has(k)) continue;
      seen.add(k);
      edges.push({ id: edges.length + 1, client, server, port, protocol, firstSeen: NOW - 3600_000, lastSeen: NOW, flows: 3, packets: 10, bytes: 1000, forwarded: 3, dropped: 0, sources: ['netobserv'] });
    }
    const nodes = withNodes ? [{ name: NODE.name, labels: {}, addresses: [{ type: 'InternalIP' as const, address: NODE.ip }], podCIDRs: ['10.1.0.0/24'] }] : [];
    const apiserver = withNodes ? [{ ip: APISERVER.ip, port: APISERVER.port, protocol: 'TCP' as const }] : [];
    const inventory: InventorySnapshot = { takenAt: NOW, namespaces: NAMESPACES.map((name) => ({ name, labels: {} })), nodes, workloads, services: [], endpointSlices: [], policies: [], podAddresses: [], apiserver };
    const endpoints = [
      ...workloads.map((w, i) => ({ key: peerKey({ kind: 'workload', workload: { namespace: w.namespace, kind: 'Deployment', name: w.name } }), ep: { kind: 'pod', pod: { namespace: w.namespace, name: w.name, labels: w.labels, ips: [`10.1.0.${i + 1}`], hostNetwork: false, ports: w.ports } } as SimEndpoint })),
      ...EXTERNALS.map((ip) => ({ key: peerKey({ kind: 'external', ip }), ep: { kind: 'external', ip } as SimEndpoint })),
    ];
    const simNodes = withNodes ? [{ name: NODE.name, labels: {}, ips: [NODE.ip] }] : [];
    if (withNodes) {
      endpoints.push({ key: peerKey({ kind: 'node', node: NODE.name }), ep: { kind: 'node', node: simNodes[0]!, ip: NODE.ip } });
      endpoints.push({ key: peerKey({ kind: 'apiserver' }), ep: { kind: 'apiserver', ip: APISERVER.ip } });
    }
    const sim: SimCluster = { namespaces: inventory.namespaces, nodes: simNodes, pods: endpoints.flatMap((e) => (e.ep.kind === 'pod' ? [e.ep.pod] : [])), services: [], apiserver, podCIDRs: ['10.1.0.0/16'] };
    return { workloads, edges, inventory, endpoints, sim };
  });
}

export const edgeKey = (client: string, server: string, port: number, protocol: string): string => `${client}|${server}|${port}|${protocol}`;

type Ep = GeneratedCluster['endpoints'][number];

/**
 * Fails unless the simulator allows exactly the included edges, probing every pair with a
 * workload end on every generated port (plus 53 and 6443) over TCP and UDP. `alwaysAllowed`
 * names pairs the engine cannot restrict at all (they must be allowed whatever the edges).
 */
export function assertAllowsExactlyTheEdges(c: GeneratedCluster, sim: Simulator, alwaysAllowed: (client: Ep, server: Ep) => boolean = () => false): void {
  const included = new Set(c.edges.map((e) => edgeKey(peerKey(e.client), peerKey(e.server), e.port, e.protocol)));
  for (const a of c.endpoints) {
    for (const b of c.endpoints) {
      if (a.ep.kind !== 'pod' && b.ep.kind !== 'pod') continue;
      for (const port of [...PORTS, 53, APISERVER.port]) {
        for (const protocol of ['TCP', 'UDP'] as const) {
          const v = sim.evaluate({ client: a.ep, server: b.ep, port, protocol });
          const want = alwaysAllowed(a, b) || included.has(edgeKey(a.key, b.key, port, protocol));
          if ((v.verdict === 'allow') !== want) throw new Error(`${a.key} → ${b.key} ${port}/${protocol}: simulator says ${v.verdict} (egress: ${v.egress.reason}; ingress: ${v.ingress.reason}), edges say ${want ? 'allow' : 'deny'}`);
        }
      }
    }
  }
}
