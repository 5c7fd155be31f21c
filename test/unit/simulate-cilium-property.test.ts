/**
 * Property: on generated clusters, the `cilium` engine's output for the recommendation, run
 * through the Cilium simulator, allows exactly the included edges (modelled on
 * recommend-property.test.ts, which checks the same for the `kubernetes` engine).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Edge } from '../../domain/edge.ts';
import type { InventorySnapshot, Workload } from '../../domain/inventory.ts';
import { peerKey, type Peer } from '../../domain/peer.ts';
import { getEngine } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { ciliumSimulator } from '../../recommender/simulate/cilium.ts';
import type { SimCluster, SimEndpoint, SimPod } from '../../recommender/simulate/types.ts';
import { admissionErrorsCilium } from '../../recommender/verify/admission/cilium.ts';

const NOW = Date.UTC(2026, 10, 20);
const PORTS = [80, 443, 5432, 8080, 9090];
const EXTERNALS = ['203.0.113.1', '203.0.113.2', '198.51.100.7'];
const NAMESPACES = ['alpha', 'beta', 'gamma'];

interface Generated {
  inventory: InventorySnapshot;
  edges: Edge[];
  cluster: SimCluster;
  endpoints: { key: string; ep: SimEndpoint }[];
}

const clusterArb = fc
  .record({
    workloads: fc.array(fc.record({ ns: fc.integer({ min: 0, max: 2 }), ports: fc.subarray(PORTS) }), { minLength: 2, maxLength: 6 }),
    edges: fc.array(
      fc.record({
        client: fc.integer({ min: 0, max: 8 }),
        server: fc.integer({ min: 0, max: 8 }),
        port: fc.constantFrom(...PORTS),
        protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
      }),
      { maxLength: 16 },
    ),
  })
  .map(({ workloads: ws, edges: es }): Generated => {
    const workloads: Workload[] = ws.map((w, i) => ({
      namespace: NAMESPACES[w.ns]!,
      kind: 'Deployment',
      name: `w${i}`,
      labels: { app: `w${i}`, tier: i % 2 === 0 ? 'even' : 'odd' },
      selector: { matchLabels: { app: `w${i}` } },
      hostNetwork: false,
      ports: w.ports.map((port) => ({ port, protocol: 'TCP' as const })),
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
    const inventory: InventorySnapshot = {
      takenAt: NOW,
      namespaces: NAMESPACES.map((name) => ({ name, labels: {} })),
      nodes: [],
      workloads,
      services: [],
      endpointSlices: [],
      policies: [],
      podAddresses: [],
      apiserver: [],
    };
    const pods: SimPod[] = workloads.map((w, i) => ({ namespace: w.namespace, name: w.name, labels: w.labels, ips: [`10.1.0.${i + 1}`], hostNetwork: false, ports: w.ports }));
    const cluster: SimCluster = { namespaces: inventory.namespaces, nodes: [], pods, services: [], apiserver: [], podCIDRs: ['10.1.0.0/16'] };
    const endpoints = [
      ...workloads.map((w, i) => ({ key: peerKey({ kind: 'workload', workload: { namespace: w.namespace, kind: 'Deployment', name: w.name } }), ep: { kind: 'pod', pod: pods[i]! } as SimEndpoint })),
      ...EXTERNALS.map((ip) => ({ key: peerKey({ kind: 'external', ip }), ep: { kind: 'external', ip } as SimEndpoint })),
    ];
    return { inventory, edges, cluster, endpoints };
  });

/** Asserts the simulated verdicts equal the edges for every endpoint pair, port and protocol. */
function assertExactlyEdges(g: Generated, manifests: readonly unknown[], enforceAdmission: boolean): void {
  const sim = ciliumSimulator(manifests, g.cluster, { enforceAdmission });
  const allowed = new Set(g.edges.map((e) => `${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}`));
  for (const a of g.endpoints) {
    for (const b of g.endpoints) {
      if (a.ep.kind === 'external' && b.ep.kind === 'external') continue;
      for (const port of [...PORTS, 53]) {
        for (const protocol of ['TCP', 'UDP'] as const) {
          const v = sim.evaluate({ client: a.ep, server: b.ep, port, protocol });
          const want = allowed.has(`${a.key}|${b.key}|${port}|${protocol}`);
          if ((v.verdict === 'allow') !== want) {
            assert.fail(`${a.key} → ${b.key} ${port}/${protocol}: simulator says ${v.verdict} (egress: ${v.egress.reason}; ingress: ${v.ingress.reason}), edges say ${want ? 'allow' : 'deny'}`);
          }
        }
      }
    }
  }
}

const emit = (g: Generated) => getEngine('cilium').emit(recommend({ inventory: g.inventory, edges: g.edges, matrices: [] }, { mode: 'observed' }).policySet).manifests;

test('the recommendation for cilium, simulated as if the agent accepted every rule, allows exactly the included edges', () => {
  fc.assert(
    fc.property(clusterArb, (g) => assertExactlyEdges(g, emit(g), false)),
    { numRuns: 60, seed: 4242 },
  );
});

test('the agent accepts every cilium manifest of the recommendation (admission checks)', () => {
  fc.assert(
    fc.property(clusterArb, (g) => {
      for (const m of emit(g)) assert.deepEqual(admissionErrorsCilium(m), [], m.metadata.name);
    }),
    { numRuns: 60, seed: 4242 },
  );
});

test('the recommendation for cilium, simulated as the agent enforces it (refused policies left out), allows exactly the included edges', () => {
  fc.assert(
    fc.property(clusterArb, (g) => assertExactlyEdges(g, emit(g), true)),
    { numRuns: 60, seed: 4242 },
  );
});
