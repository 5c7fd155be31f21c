/**
 * Recommendation at scale: a generated cluster of 2,000 workloads and 200,000 edges in a real
 * SQLite file. Prints the time of what `flowmatrix export --engine kubernetes` does over the
 * whole cluster (read edges + inventory, resolve the matrices, compare, synthesize, build the
 * PolicySet, render `kubernetes`, serialise the multi-document YAML) and its ratio to a bare
 * SELECT iteration over the same edges in the same run (target ≤ 3×).
 * Env: BENCH_RECOMMEND_WORKLOADS (default 2000), BENCH_RECOMMEND_EDGES (default 200000),
 * BENCH_RECOMMEND_DB=PATH keeps the generated database there (to run the CLI on it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AggregateBatch, EdgeDelta } from '../collectors/flows/aggregate.ts';
import type { InventorySnapshot, Workload } from '../domain/inventory.ts';
import { peerKey, type Peer } from '../domain/peer.ts';
import { FLOW_SOURCE_BITS } from '../domain/flow.ts';
import { getEngine, toMultiDocYaml } from '../recommender/engines/index.ts';
import { loadCatalog } from '../recommender/matrix/catalog.ts';
import { mergeMatrices } from '../recommender/matrix/registry.ts';
import { resolveMatrix } from '../recommender/matrix/resolve.ts';
import { recommend } from '../recommender/recommend.ts';
import { openDb } from '../store/db.ts';
import { EdgeStore } from '../store/edges.ts';
import { applySnapshot, readInventory } from '../store/inventory.ts';
import { readAllEdges, readExternalNames } from '../store/recommend-read.ts';

const WORKLOADS = Number(process.env.BENCH_RECOMMEND_WORKLOADS ?? 2000);
const EDGES = Number(process.env.BENCH_RECOMMEND_EDGES ?? 200_000);
const PER_NS = 20;
/** BENCH_RECOMMEND_DETAILS=1: also build the full evidence JSON (`recommend --output json`). */
const DETAILS = process.env.BENCH_RECOMMEND_DETAILS === '1';
const NOW = Date.UTC(2026, 10, 20);
const PORTS = [80, 443, 3000, 5432, 6379, 8080, 8443, 9090, 9093, 9200, 9300, 11211, 15000, 27017];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    s = (s ^ (s >>> 13)) >>> 0;
    return s / 2 ** 32;
  };
}

function cluster(): { inventory: InventorySnapshot; edges: EdgeDelta[] } {
  const rnd = prng(20261120);
  const namespaces = Array.from({ length: Math.ceil(WORKLOADS / PER_NS) }, (_, i) => `team-${String(i).padStart(3, '0')}`);
  const workloads: Workload[] = Array.from({ length: WORKLOADS }, (_, i) => {
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
  const peer = (w: Workload): Peer => ({ kind: 'workload', workload: { namespace: w.namespace, kind: w.kind, name: w.name } });
  const seen = new Set<string>();
  const edges: EdgeDelta[] = [];
  while (edges.length < EDGES) {
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
    edges.push({ client: peerKey(peer(c)), server: peerKey(server), port, protocol: 'TCP', firstSeen: first, lastSeen: Math.max(first, NOW - Math.floor(rnd() * 5) * 3_600_000), flows: 1 + Math.floor(rnd() * 100), packets: 10, bytes: 1000, forwarded: 1, dropped: 0, sources: FLOW_SOURCE_BITS.netobserv, hours: new Map() });
  }
  return { inventory, edges };
}

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const dir = mkdtempSync(join(tmpdir(), 'flowmatrix-bench-recommend-'));
const KEEP = process.env.BENCH_RECOMMEND_DB;
try {
  if (KEEP) for (const f of [KEEP, `${KEEP}-wal`, `${KEEP}-shm`]) rmSync(f, { force: true });
  const db = openDb(KEEP ?? join(dir, 'bench.db'));
  let t = process.hrtime.bigint();
  const { inventory, edges } = cluster();
  applySnapshot(db, inventory, { source: 'bench' });
  const store = new EdgeStore(db);
  const batch: AggregateBatch = { edges, ambiguous: [], names: [] };
  db.transaction(() => store.write(batch))();
  console.log(`recommend bench: ${WORKLOADS} workloads, ${store.count()} edges written in ${ms(t).toFixed(0)} ms`);

  const bare = (): number => {
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (const row of db.prepare('SELECT * FROM edges').iterate()) if (row) n++;
    if (n !== edges.length) throw new Error(`read ${n} edges, wrote ${edges.length}`);
    return ms(t0);
  };
  const full = (): { total: number; read: number; recommend: number; emit: number; yaml: number; bytes: number; manifests: number } => {
    const t0 = process.hrtime.bigint();
    const inv = readInventory(db);
    const list = readAllEdges(db);
    const names = readExternalNames(db);
    const matrices = mergeMatrices(loadCatalog().map((c) => c.matrix), []).map((e) => resolveMatrix(e, inv, {}));
    const read = ms(t0);
    const t1 = process.hrtime.bigint();
    const rec = recommend({ inventory: inv, edges: list, matrices, externalNames: names }, {}, { details: DETAILS });
    const recMs = ms(t1);
    const t2 = process.hrtime.bigint();
    const { manifests } = getEngine('kubernetes').emit(rec.policySet);
    const emitMs = ms(t2);
    const t3 = process.hrtime.bigint();
    const text = toMultiDocYaml(manifests);
    // The byte length flattens the string the way writing it to stdout or a file does.
    const bytes = Buffer.byteLength(text);
    return { total: ms(t0), read, recommend: recMs, emit: emitMs, yaml: ms(t3), bytes, manifests: manifests.length };
  };
  // Warm up both once, then take the best of three (the same way for both sides).
  bare();
  full();
  const b = Math.min(bare(), bare(), bare());
  const runs = [full(), full(), full()].sort((x, y) => x.total - y.total);
  const f = runs[0]!;
  console.log(`  bare SELECT iteration over the edges: ${b.toFixed(0)} ms`);
  console.log(`  recommend all workloads: ${f.total.toFixed(0)} ms (read ${f.read.toFixed(0)} ms, compare+synthesize ${f.recommend.toFixed(0)} ms, kubernetes emit ${f.emit.toFixed(0)} ms, YAML ${f.yaml.toFixed(0)} ms; ${f.manifests} manifests, ${(f.bytes / 1e6).toFixed(1)} MB)`);
  console.log(`  ratio recommend / bare SELECT: ${(f.total / b).toFixed(2)}× (target ≤ 3×)`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
