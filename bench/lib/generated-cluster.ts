/**
 * The generated cluster the recommendation and service benches share: WORKLOADS deployments (20
 * per namespace, 14 ports each) and EDGES distinct edges (60% inside a namespace, 30% across, 7%
 * to external IPs, 3% to the apiserver), the same bytes for the same sizes. Edges are generated
 * and written in batches, so a 2M-edge store is written without holding 2M edge objects. No pod
 * is listed unless `pods` asks for them (withPods).
 */
import type { AggregateBatch, EdgeDelta } from '../../domain/edge-batch.ts';
import type { ContainerPort, InventorySnapshot, Labels, PodAddress, Workload } from '../../domain/inventory.ts';
import { peerKey, workloadKey, type Peer } from '../../domain/peer.ts';
import { FLOW_SOURCE_BITS } from '../../domain/flow.ts';
import { compareStrings } from '../../domain/order.ts';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { applySnapshot } from '../../store/inventory.ts';

export interface ClusterSize {
  workloads: number;
  edges: number;
  /** Pods listed per workload (withPods); absent: none. */
  pods?: number;
}

export const PER_NS = 20;
export const NOW = Date.UTC(2026, 10, 20);
const PORTS = [80, 443, 3000, 5432, 6379, 8080, 8443, 9090, 9093, 9200, 9300, 11211, 15000, 27017];
const BATCH = 100_000;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    s = (s ^ (s >>> 13)) >>> 0;
    return s / 2 ** 32;
  };
}

export function generatedInventory(size: ClusterSize): InventorySnapshot {
  const namespaces = Array.from({ length: Math.ceil(size.workloads / PER_NS) }, (_, i) => `team-${String(i).padStart(3, '0')}`);
  const workloads: Workload[] = Array.from({ length: size.workloads }, (_, i) => {
    const ns = namespaces[Math.floor(i / PER_NS)]!;
    const name = `svc-${String(i).padStart(4, '0')}`;
    return {
      namespace: ns, kind: 'Deployment', name, labels: { app: name }, selector: { matchLabels: { app: name } }, hostNetwork: false,
      ports: PORTS.map((port) => ({ port, protocol: 'TCP' as const })), services: [], exposure: [],
    };
  });
  const inventory: InventorySnapshot = {
    takenAt: NOW, namespaces: namespaces.map((name) => ({ name, labels: {} })), nodes: [], workloads, services: [], endpointSlices: [], policies: [], podAddresses: [],
    apiserver: [{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }],
  };
  return size.pods === undefined ? inventory : withPods(inventory, size.pods);
}

const NODES = 40;

/**
 * The inventory with `perWorkload` pods of each workload (at most 10,000 pods in all) on 40 nodes,
 * as an import since migration 0048 lists them: each pod's own labels (the template's and a
 * pod-template-hash; every 10th workload mid-rollout, its pods of two revisions) and own container
 * ports (every 25th workload's second revision declaring one port fewer). What the verification
 * tells a workload's pods apart by (recommender/simulate/pods-apart.ts), which a cluster without
 * pods never exercises.
 */
function withPods(inventory: InventorySnapshot, perWorkload: number): InventorySnapshot {
  const nodes = Array.from({ length: NODES }, (_, i) => ({ name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}` }, addresses: [{ type: 'InternalIP', address: `10.0.1.${i + 1}` }], podCIDRs: [`10.244.${i}.0/24`] }));
  const podAddresses: PodAddress[] = [];
  const podLabels: Record<string, Labels[]> = {};
  const podPorts: Record<string, ContainerPort[][]> = {};
  inventory.workloads.forEach((w, wi) => {
    const key = workloadKey(w);
    const hashes = wi % 10 === 0 ? ['aaa111', 'bbb222'] : ['ccc333'];
    const labels = hashes.map((hash) => ({ ...w.labels, 'pod-template-hash': hash }));
    const ports = wi % 25 === 0 ? [w.ports, w.ports.slice(1)] : [w.ports];
    podLabels[key] = labels;
    podPorts[key] = [...ports].sort((a, b) => compareStrings(JSON.stringify(a), JSON.stringify(b)));
    for (let p = 0; p < perWorkload; p++) {
      const k = wi * perWorkload + p;
      const own = labels[p % labels.length]!;
      podAddresses.push({
        namespace: w.namespace, pod: `${w.name}-${own['pod-template-hash']}-${p}`, uid: `${key}-${p}`, since: NOW - 86_400_000, ip: `10.244.${k % NODES}.${1 + (Math.floor(k / NODES) % 250)}`,
        workload: { namespace: w.namespace, kind: w.kind, name: w.name }, node: `node-${k % NODES}`, hostNetwork: false, labels: own, ports: ports[p % ports.length]!,
      });
    }
  });
  return { ...inventory, nodes, podAddresses, podLabels, podPorts };
}

/** The distinct edges, in batches of at most BATCH. */
export function* generatedEdges(size: ClusterSize, workloads: readonly Workload[]): Generator<EdgeDelta[]> {
  const rnd = prng(20261120);
  const peer = (w: Workload): Peer => ({ kind: 'workload', workload: { namespace: w.namespace, kind: w.kind, name: w.name } });
  const seen = new Set<string>();
  let batch: EdgeDelta[] = [];
  while (seen.size < size.edges) {
    const ci = Math.floor(rnd() * workloads.length);
    const c = workloads[ci]!;
    const r = rnd();
    // Mostly traffic inside the namespace, some across namespaces, some to the world and the apiserver.
    let server: Peer;
    if (r < 0.6) server = peer(workloads[Math.min(workloads.length - 1, Math.floor(ci / PER_NS) * PER_NS + Math.floor(rnd() * PER_NS))]!);
    else if (r < 0.9) server = peer(workloads[Math.floor(rnd() * workloads.length)]!);
    else if (r < 0.97) server = { kind: 'external', ip: `203.0.${Math.floor(rnd() * 64)}.${1 + Math.floor(rnd() * 250)}` };
    else server = { kind: 'apiserver' };
    const port = server.kind === 'apiserver' ? 6443 : PORTS[Math.floor(rnd() * PORTS.length)]!;
    const k = `${peerKey(peer(c))}|${peerKey(server)}|${port}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const first = NOW - Math.floor(rnd() * 40) * 86_400_000;
    batch.push({ client: peerKey(peer(c)), server: peerKey(server), port, protocol: 'TCP', firstSeen: first, lastSeen: Math.max(first, NOW - Math.floor(rnd() * 5) * 3_600_000), flows: 1 + Math.floor(rnd() * 100), packets: 10, bytes: 1000, forwarded: 1, dropped: 0, sources: FLOW_SOURCE_BITS.netobserv, hours: new Map() });
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Writes the inventory and the edges into `db`; returns the number of edges written. */
export function writeGeneratedCluster(db: Db, size: ClusterSize): number {
  const inventory = generatedInventory(size);
  applySnapshot(db, inventory, { source: 'bench' });
  const store = new EdgeStore(db);
  let written = 0;
  for (const edges of generatedEdges(size, inventory.workloads)) {
    const batch: AggregateBatch = { edges, ambiguous: [], names: [] };
    db.transaction(() => store.write(batch))();
    written += edges.length;
  }
  return written;
}

/**
 * A database file at `path` holding the generated cluster of `size`: reused when a previous run
 * wrote the same size there (`PATH.size.json` says so), written otherwise. Returns the edge count.
 */
export function generatedDbFile(path: string, size: ClusterSize, open: (path: string) => Db): { edges: number; reused: boolean } {
  const marker = `${path}.size.json`;
  const want = JSON.stringify(size);
  if (existsSync(path) && existsSync(marker) && readFileSync(marker, 'utf8') === want) return { edges: size.edges, reused: true };
  for (const f of [path, `${path}-wal`, `${path}-shm`, marker]) rmSync(f, { force: true });
  const db = open(path);
  try {
    const edges = writeGeneratedCluster(db, size);
    db.pragma('wal_checkpoint(TRUNCATE)');
    writeFileSync(marker, want);
    return { edges, reused: false };
  } finally {
    db.close();
  }
}
