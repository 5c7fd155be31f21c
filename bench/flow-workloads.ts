/**
 * What recommending without an inventory costs (docs/recommend.md#without-an-inventory), CPU time
 * (process.cpuUsage) in paired rounds, median and range:
 * - ingest: Hubble records of W workloads into a real SQLite file with no inventory, the labels of
 *   every endpoint gathered, intersected and written, against the same ingest with the gathering
 *   switched off on the pipeline instance (what ingest cost before). Target ≤ 1.10×.
 * - recommend read: the pass that finds workloads only flow records name
 *   (`withWorkloadsFromFlows`) over E stored edges whose workloads the inventory all knows,
 *   against reading those edges (`readEdgeTraffic`). Target ≤ 0.05× (5 % added to the read).
 * Env: BENCH_FLOW_WORKLOADS_RECORDS (default 100000), BENCH_FLOW_WORKLOADS_EDGES (default 200000),
 * BENCH_FLOW_WORKLOADS_ROUNDS (default 5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execSync } from 'node:child_process';
import { FlowIngest } from '../collectors/flows/pipeline.ts';
import { EMPTY_RESOLUTION, ResolutionIndex } from '../collectors/flows/resolve.ts';
import { SqliteBatchWriter } from '../collectors/flows/write.ts';
import type { InventorySnapshot, Workload } from '../domain/inventory.ts';
import type { ResolutionData } from '../domain/resolution.ts';
import { withWorkloadsFromFlows } from '../app/recommendation.ts';
import { openDb } from '../store/db.ts';
import { readEdgeTraffic } from '../store/recommend-read.ts';
import type { AggregateBatch, EdgeDelta } from '../domain/edge-batch.ts';
import { EdgeStore } from '../store/edges.ts';

const RECORDS = Number(process.env.BENCH_FLOW_WORKLOADS_RECORDS ?? 100_000);
const EDGES = Number(process.env.BENCH_FLOW_WORKLOADS_EDGES ?? 200_000);
const ROUNDS = Number(process.env.BENCH_FLOW_WORKLOADS_ROUNDS ?? 5);
const WORKLOADS = 400;
const T0 = Date.UTC(2026, 10, 1);

const ref = (i: number) => ({ namespace: `ns-${i % 20}`, name: `app-${i}` });

function workload(i: number): Workload {
  const r = ref(i);
  const labels = { app: r.name, tier: i % 2 ? 'back' : 'front', 'app.kubernetes.io/part-of': `sys-${i % 7}` };
  return { namespace: r.namespace, kind: 'Deployment', name: r.name, labels, selector: { matchLabels: labels }, hostNetwork: false, ports: [{ port: 8080, protocol: 'TCP' }], services: [], exposure: [] };
}

function endpoint(i: number, pod: number) {
  const w = workload(i);
  return {
    ID: i,
    identity: 20000 + i,
    namespace: w.namespace,
    labels: [...Object.entries(w.labels).map(([k, v]) => `k8s:${k}=${v}`), `k8s:pod-template-hash=h${pod % 3}`, `k8s:io.kubernetes.pod.namespace=${w.namespace}`],
    pod_name: `${w.name}-5d8f7c6b9d-p${pod % 3}xz${pod % 5}`,
    workloads: [{ name: w.name, kind: 'Deployment' }],
  };
}

function records(): string {
  const lines: string[] = [];
  for (let n = 0; n < RECORDS; n++) {
    const a = n % WORKLOADS;
    const b = (n * 7 + 3) % WORKLOADS;
    lines.push(
      JSON.stringify({
        time: new Date(T0 + n * 10).toISOString(),
        verdict: 'FORWARDED',
        IP: { source: `10.1.${a >> 8}.${a & 255}`, destination: `10.2.${b >> 8}.${b & 255}`, ipVersion: 'IPv4' },
        l4: { TCP: { source_port: 40000 + (n % 20000), destination_port: 8080, flags: { SYN: true } } },
        source: endpoint(a, n),
        destination: endpoint(b, n + 1),
        is_reply: false,
        Type: 'L3_L4',
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

function cpuMs<T>(fn: () => T): { ms: number; value: T } {
  const start = process.cpuUsage();
  const value = fn();
  const d = process.cpuUsage(start);
  return { ms: (d.user + d.system) / 1000, value };
}

async function cpuMsAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

async function ingestOnce(dir: string, text: string, data: ResolutionData, name: string, remember: boolean): Promise<number> {
  const path = join(dir, `${name}.db`);
  rmSync(path, { force: true });
  const db = openDb(path);
  try {
    return await cpuMsAsync(async () => {
      const ingest = new FlowIngest({ format: 'hubble', index: new ResolutionIndex(data), writer: new SqliteBatchWriter(db) });
      // The baseline: the same pipeline with the label gathering switched off on this instance.
      if (!remember) (ingest as unknown as { rememberLabels: () => void }).rememberLabels = () => undefined;
      await ingest.ingest(Readable.from([text]), name);
    });
  } finally {
    db.close();
  }
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]!.toFixed(3)}× (range ${s[0]!.toFixed(3)}–${s[s.length - 1]!.toFixed(3)}, ${s.length} rounds)`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowmatrix-bench-fw-'));
  try {
    console.log(`load: ${execSync('uptime').toString().trim()}`);
    const text = records();
    const inventoryData: ResolutionData = { ...EMPTY_RESOLUTION, workloads: Array.from({ length: WORKLOADS }, (_, i) => workload(i)) };
    const ingestRatios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first, so that neither always meets a warmer JIT or a busier machine.
      const order = r % 2 === 0 ? ['remember', 'off'] : ['off', 'remember'];
      const ms: Record<string, number> = {};
      for (const o of order) ms[o] = await ingestOnce(dir, text, EMPTY_RESOLUTION, o, o === 'remember');
      ingestRatios.push(ms.remember! / ms.off!);
      console.log(`ingest round ${r + 1}: labels remembered ${ms.remember!.toFixed(0)} ms CPU, gathering off ${ms.off!.toFixed(0)} ms CPU`);
    }
    console.log(`ingest ${RECORDS} Hubble records without an inventory, labels remembered / gathering off: ${stats(ingestRatios)} (target ≤ 1.10×)`);

    // Recommend read: E edges between inventory workloads.
    const db = openDb(join(dir, 'edges.db'));
    const edges: EdgeDelta[] = [];
    for (let n = 0; n < EDGES; n++) {
      const a = workload(n % 2000 < WORKLOADS ? n % WORKLOADS : (n * 13) % WORKLOADS);
      const b = workload((n * 7 + 1) % WORKLOADS);
      edges.push({ client: `workload:${a.namespace}/Deployment/${a.name}`, server: `workload:${b.namespace}/Deployment/${b.name}`, port: 1024 + (n % 60000), protocol: 'TCP', firstSeen: T0, lastSeen: T0, flows: 1, packets: 1, bytes: 1, forwarded: 1, dropped: 0, sources: 2, hours: new Map() });
    }
    const batch: AggregateBatch = { edges, ambiguous: [], names: [] };
    db.transaction(() => new EdgeStore(db).write(batch))();
    const inventory: InventorySnapshot = { takenAt: T0, namespaces: [], nodes: [], workloads: inventoryData.workloads, services: [], endpointSlices: [], policies: [], podAddresses: [], apiserver: [] };
    const readRatios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const read = cpuMs(() => readEdgeTraffic(db));
      const pass = cpuMs(() => withWorkloadsFromFlows(inventory, read.value, []));
      if (pass.value.inventory !== inventory) throw new Error('the inventory knows every namespace: nothing may be derived');
      readRatios.push(pass.ms / read.ms);
      console.log(`recommend read round ${r + 1}: read ${read.value.length} edges ${read.ms.toFixed(0)} ms CPU, flow-workload pass ${pass.ms.toFixed(1)} ms CPU`);
    }
    db.close();
    console.log(`recommend read with an inventory, flow-workload pass / edge read: ${stats(readRatios)} (target ≤ 0.05×)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
