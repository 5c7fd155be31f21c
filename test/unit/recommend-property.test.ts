import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Edge } from '../../domain/edge.ts';
import type { InventorySnapshot, Workload } from '../../domain/inventory.ts';
import { peerKey, type Peer } from '../../domain/peer.ts';
import { ENGINE_NAMES, getEngine, toMultiDocYaml } from '../../recommender/engines/index.ts';
import { recommend } from '../../recommender/recommend.ts';
import { createKubernetesSimulator } from '../../recommender/simulate/kubernetes.ts';
import type { SimCluster, SimEndpoint } from '../../recommender/simulate/types.ts';

const NOW = Date.UTC(2026, 10, 20);
const PORTS = [80, 443, 5432, 8080, 9090];
const EXTERNALS = ['203.0.113.1', '203.0.113.2', '198.51.100.7'];
const NAMESPACES = ['alpha', 'beta', 'gamma'];

interface Cluster {
  workloads: Workload[];
  ips: Map<string, string>;
  edges: Edge[];
  inventory: InventorySnapshot;
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
  .map(({ workloads: ws, edges: es }): Cluster => {
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
    const ips = new Map(workloads.map((w, i) => [w.name, `10.1.0.${i + 1}`]));
    // Indices past the workloads name external addresses (only on one side of an edge).
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
    return { workloads, ips, edges, inventory };
  });

function endpoints(c: Cluster): { key: string; ep: SimEndpoint }[] {
  return [
    ...c.workloads.map((w) => ({ key: peerKey({ kind: 'workload', workload: { namespace: w.namespace, kind: 'Deployment', name: w.name } }), ep: { kind: 'pod', pod: { namespace: w.namespace, name: w.name, labels: w.labels, ips: [c.ips.get(w.name)!], hostNetwork: false, ports: w.ports } } as SimEndpoint })),
    ...EXTERNALS.map((ip) => ({ key: peerKey({ kind: 'external', ip }), ep: { kind: 'external', ip } as SimEndpoint })),
  ];
}

/** The generated cluster as the simulators see it. */
function simCluster(c: Cluster, eps: { ep: SimEndpoint }[]): SimCluster {
  return {
    namespaces: c.inventory.namespaces,
    nodes: [],
    pods: eps.flatMap((e) => (e.ep.kind === 'pod' ? [e.ep.pod] : [])),
    services: [],
    apiserver: [],
    podCIDRs: ['10.1.0.0/16'],
  };
}

test('kubernetes output, evaluated by the simulator, allows every included edge and nothing else', () => {
  fc.assert(
    fc.property(clusterArb, (c) => {
      const rec = recommend({ inventory: c.inventory, edges: c.edges, matrices: [] }, { mode: 'observed' });
      const manifests = getEngine('kubernetes').emit(rec.policySet).manifests;
      const allowed = new Set(c.edges.map((e) => `${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}`));
      const eps = endpoints(c);
      const sim = createKubernetesSimulator(manifests, simCluster(c, eps));
      for (const a of eps) {
        for (const b of eps) {
          if (a.ep.kind === 'external' && b.ep.kind === 'external') continue;
          for (const port of [...PORTS, 53]) {
            for (const protocol of ['TCP', 'UDP'] as const) {
              const v = sim.evaluate({ client: a.ep, server: b.ep, port, protocol });
              const want = allowed.has(`${a.key}|${b.key}|${port}|${protocol}`);
              if ((v.verdict === 'allow') !== want) {
                assert.fail(`${a.key} → ${b.key} ${port}/${protocol}: simulator says ${v.verdict}, edges say ${want ? 'allow' : 'deny'}`);
              }
            }
          }
        }
      }
    }),
    { numRuns: 60, seed: 4242 },
  );
});

test('determinism: shuffled inputs give byte-identical output for every engine and the JSON', () => {
  fc.assert(
    fc.property(clusterArb, fc.integer(), (c, seed) => {
      const shuffle = <T>(xs: readonly T[]): T[] => {
        const out = [...xs];
        let s = seed >>> 0;
        for (let i = out.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          const j = s % (i + 1);
          [out[i], out[j]] = [out[j]!, out[i]!];
        }
        return out;
      };
      const a = recommend({ inventory: c.inventory, edges: c.edges, matrices: [] }, { shared: true, defaultDeny: true });
      const b = recommend({ inventory: { ...c.inventory, workloads: shuffle(c.inventory.workloads), namespaces: shuffle(c.inventory.namespaces) }, edges: shuffle(c.edges), matrices: [] }, { shared: true, defaultDeny: true });
      assert.equal(JSON.stringify(b), JSON.stringify(a));
      for (const engine of ENGINE_NAMES) assert.equal(toMultiDocYaml(getEngine(engine).emit(b.policySet).manifests), toMultiDocYaml(getEngine(engine).emit(a.policySet).manifests));
    }),
    { numRuns: 40, seed: 7 },
  );
});
