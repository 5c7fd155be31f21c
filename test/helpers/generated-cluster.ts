/**
 * Small random clusters for the simulator property tests: a few workloads in three namespaces
 * (some with named container ports), outside addresses, and observed edges between them;
 * plus the same cluster as the simulators see it. `withNodes` adds a node (as client and
 * server) and the kube-apiserver (as server, on its endpoint port 6443) to the peers. Edges were
 * last seen 0 to 40 days before the latest one (EDGE_AGES_DAYS), so `staleDays` decides which
 * are stale.
 */
import fc from 'fast-check';
import type { Edge } from '../../domain/edge.ts';
import type { InventorySnapshot, Workload } from '../../domain/inventory.ts';
import { peerKey, type Peer } from '../../domain/peer.ts';
import { DAY_MS } from '../../recommender/compare/status.ts';
import type { SimCluster, SimEndpoint, Simulator } from '../../recommender/simulate/types.ts';

export const NOW = Date.UTC(2026, 10, 20);
/** How many days before NOW an edge was last seen; 0 is the most likely, so most edges are fresh. */
export const EDGE_AGES_DAYS = [0, 0, 0, 2, 10, 40] as const;
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
  // With nodes, one peer in four is the node or the apiserver, so most clusters have edges with them.
  const peerIndex = withNodes ? fc.oneof({ arbitrary: fc.integer({ min: 0, max: 8 }), weight: 3 }, { arbitrary: fc.constantFrom(NODE_INDEX, APISERVER_INDEX), weight: 1 }) : fc.integer({ min: 0, max: 8 });
  return fc
  .record({
    workloads: fc.array(fc.record({ ns: fc.integer({ min: 0, max: 2 }), ports: fc.subarray(PORTS), named: fc.boolean() }), { minLength: 2, maxLength: 6 }),
    edges: fc.array(fc.record({ client: peerIndex, server: peerIndex, port: fc.constantFrom(...PORTS), protocol: fc.constantFrom('TCP' as const, 'UDP' as const), ageDays: fc.constantFrom(...EDGE_AGES_DAYS) }), { maxLength: 16, size: 'medium' }),
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
      const lastSeen = NOW - e.ageDays * DAY_MS;
      edges.push({ id: edges.length + 1, client, server, port, protocol, firstSeen: lastSeen - 3600_000, lastSeen, flows: 3, packets: 10, bytes: 1000, forwarded: 3, dropped: 0, sources: ['netobserv'] });
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

export type Ep = GeneratedCluster['endpoints'][number];

/** Whether a connection should be allowed: `client → server` on `port`/`protocol`. */
export type Expected = (client: Ep, server: Ep, port: number, protocol: 'TCP' | 'UDP') => boolean;

/**
 * Fails unless the simulator allows exactly what `expected` says (default: the edges of the
 * cluster, every one included), probing every pair with a workload end on every generated port
 * (plus 53 and 6443) over TCP and UDP. Where the simulator answers one side apart (`side`,
 * `allows`), those answers must agree with `evaluate`'s.
 */
export function assertAllowsExactly(c: GeneratedCluster, sim: Simulator, expected: Expected = includedEdges(c.edges)): void {
  for (const a of c.endpoints) {
    for (const b of c.endpoints) {
      if (a.ep.kind !== 'pod' && b.ep.kind !== 'pod') continue;
      for (const port of [...PORTS, 53, APISERVER.port]) {
        for (const protocol of ['TCP', 'UDP'] as const) {
          const flow = { client: a.ep, server: b.ep, port, protocol };
          const v = sim.evaluate(flow);
          const want = expected(a, b, port, protocol);
          if ((v.verdict === 'allow') !== want) throw new Error(`${a.key} → ${b.key} ${port}/${protocol}: simulator says ${v.verdict} (egress: ${v.egress.reason}; ingress: ${v.ingress.reason}), expected ${want ? 'allow' : 'deny'}`);
          for (const d of ['egress', 'ingress'] as const) {
            if (sim.side && sim.side(flow, d).allowed !== v[d].allowed) throw new Error(`${a.key} → ${b.key} ${port}/${protocol}: side(${d}) disagrees with evaluate: ${v[d].reason}`);
            if (sim.allows && sim.allows(flow, d) !== v[d].allowed) throw new Error(`${a.key} → ${b.key} ${port}/${protocol}: allows(${d}) disagrees with evaluate: ${v[d].reason}`);
          }
        }
      }
    }
  }
}

/** The connections `edges` name, exactly. */
export function includedEdges(edges: readonly Edge[]): Expected {
  const included = new Set(edges.map((e) => edgeKey(peerKey(e.client), peerKey(e.server), e.port, e.protocol)));
  return (a, b, port, protocol) => included.has(edgeKey(a.key, b.key, port, protocol));
}
