/**
 * What the workloads gone from the inventory cost each ingest: building the flow
 * resolution index (store/inventory.ts readResolutionData, collectors/flows/resolve.ts
 * ResolutionIndex), which every flow upload, CLI ingest and files-collector pass does on the
 * service's event loop, for a store of P present workloads with no gone ones and for the same
 * cluster after G workloads (CI Jobs) came and went. Wall time (the build is synchronous), paired
 * rounds, median and range. Target: the store with gone workloads within 1.10× of the one without.
 * Env: BENCH_GONE_WORKLOADS (default 20000), BENCH_GONE_PRESENT (default 500), BENCH_GONE_ROUNDS (default 5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResolutionIndex } from '../collectors/flows/resolve.ts';
import type { InventorySnapshot, PodAddress, Service, Workload } from '../domain/inventory.ts';
import { openDb, type Db } from '../store/db.ts';
import { applySnapshot, readResolutionData } from '../store/inventory.ts';

const GONE = Number(process.env.BENCH_GONE_WORKLOADS ?? 20_000);
const PRESENT = Number(process.env.BENCH_GONE_PRESENT ?? 500);
const ROUNDS = Number(process.env.BENCH_GONE_ROUNDS ?? 5);
const T0 = Date.UTC(2026, 10, 1);

function deployment(i: number): Workload {
  const labels = { app: `app-${i}`, 'app.kubernetes.io/part-of': `sys-${i % 7}` };
  return { namespace: `ns-${i % 20}`, kind: 'Deployment', name: `app-${i}`, labels, selector: { matchLabels: labels }, hostNetwork: false, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], services: [`ns-${i % 20}/app-${i}`], exposure: [] };
}

function service(i: number): Service {
  return { namespace: `ns-${i % 20}`, name: `app-${i}`, type: 'ClusterIP', clusterIPs: [`10.96.${i >> 8}.${i & 255}`], ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }], selector: { app: `app-${i}` } };
}

/** A CI run: a Job whose pod ran once, the kind of workload that comes and goes by the thousand. */
function job(i: number): Workload {
  const uid = `0000${i}`.slice(-5);
  const labels = { 'batch.kubernetes.io/controller-uid': `uid-${uid}`, 'job-name': `build-${i}`, app: 'ci-runner' };
  return { namespace: 'ci', kind: 'Job', name: `build-${i}`, labels, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': `uid-${uid}` } }, hostNetwork: false, ports: [], services: [], exposure: [] };
}

const address = (w: Workload, i: number, base: number): PodAddress => ({ ip: `10.${base + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, namespace: w.namespace, pod: `${w.name}-0`, workload: { namespace: w.namespace, kind: w.kind, name: w.name }, node: 'n1', hostNetwork: false, since: T0 - 1000 });

function snapshot(takenAt: number, workloads: Workload[], podAddresses: PodAddress[]): InventorySnapshot {
  const services = Array.from({ length: PRESENT }, (_, i) => service(i));
  const nodes = [{ name: 'n1', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], podCIDRs: ['10.0.0.0/8'] }];
  return { takenAt, namespaces: [], nodes, workloads, services, endpointSlices: [], policies: [], podAddresses, apiserver: [] };
}

function store(dir: string, name: string, gone: number): Db {
  const db = openDb(join(dir, name));
  const present = Array.from({ length: PRESENT }, (_, i) => deployment(i));
  const presentPods = present.map((w, i) => address(w, i, 240));
  const jobs = Array.from({ length: gone }, (_, i) => job(i));
  if (gone > 0) applySnapshot(db, snapshot(T0, [...present, ...jobs], [...presentPods, ...jobs.map((w, i) => address(w, i, 1))]), { source: 'bench' });
  applySnapshot(db, snapshot(T0 + 3_600_000, present, presentPods), { source: 'bench' });
  return db;
}

function buildMs(db: Db): number {
  const start = process.hrtime.bigint();
  new ResolutionIndex(readResolutionData(db));
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

const dir = mkdtempSync(join(tmpdir(), 'bench-gone-'));
try {
  const without = store(dir, 'without.db', 0);
  const withGone = store(dir, 'with.db', GONE);
  buildMs(without);
  buildMs(withGone);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    globalThis.gc?.();
    a.push(buildMs(without));
    globalThis.gc?.();
    b.push(buildMs(withGone));
  }
  const ratios = a.map((x, i) => (b[i] as number) / x);
  console.log(`gone workloads: resolution index of ${PRESENT} present workloads, ${ROUNDS} paired rounds`);
  console.log(`  0 gone:         median ${median(a).toFixed(1)} ms (${range(a)})`);
  console.log(`  ${GONE} gone: median ${median(b).toFixed(1)} ms (${range(b)})`);
  console.log(`  ratio:          median ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}), target ≤ 1.10×`);
  without.close();
  withGone.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
