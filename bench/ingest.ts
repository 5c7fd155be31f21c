/**
 * Ingest throughput and memory, measured honestly. Every side of every ratio runs in a
 * fresh process (bench/lib/ingest-child.ts) on a fresh copy of the same database, the sides of
 * one round back to back in alternating order (paired), and each ratio is printed as the median
 * and range of the rounds' ratios, from wall time and from CPU time (process.cpuUsage, which a
 * loaded machine disturbs less), with the load average.
 *
 *   1. low cardinality: NetObserv records from the demo generator (the seed systems plus
 *      application namespaces at BENCH_INGEST_SCALE, about 1,000 edges, inventory imported first
 *      so resolution runs through the IP history): the pipeline against a bare split-and-parse
 *      loop (target ≥ 0.6×);
 *   2. high cardinality: records spread evenly over BENCH_INGEST_DISTINCT distinct edges between
 *      workloads named by the records: the pipeline against a bare parse + aggregate + upsert loop
 *      (ingest-child.ts `upsert`: the whole input aggregated, then each edge upserted once; target ≥ 0.5×);
 *   3. peak RSS of `flowmatrix ingest -` for 10× the records against 1× (records streamed into its
 *      stdin; target ≤ 1.25×), unless BENCH_INGEST_RSS=0.
 *
 * Env: BENCH_INGEST_RECORDS (default 1,000,000), BENCH_INGEST_DISTINCT (100,000),
 * BENCH_INGEST_ROUNDS (5), BENCH_INGEST_ONLY (low|high: one ratio), BENCH_INGEST_RSS_RECORDS
 * (200,000), BENCH_INGEST_SCALE (10), BENCH_INGEST_CPU_PROF (a directory: every `pipeline` child
 * writes a V8 CPU profile there, `node --cpu-prof`; open it in Chrome DevTools or VS Code).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { convertInventoryText } from '../collectors/inventory/index.ts';
import { generateCluster, inventoryList, netobservRecords } from '../demo/generator/index.ts';
import { openDb } from '../store/db.ts';
import { applySnapshot } from '../store/inventory.ts';

const RECORDS = Number(process.env.BENCH_INGEST_RECORDS ?? 1_000_000);
const DISTINCT = Number(process.env.BENCH_INGEST_DISTINCT ?? 100_000);
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 5);
const ONLY = process.env.BENCH_INGEST_ONLY;
const RSS_RECORDS = Number(process.env.BENCH_INGEST_RSS_RECORDS ?? 200_000);
const SCALE = Number(process.env.BENCH_INGEST_SCALE ?? 10);
const CPU_PROF = process.env.BENCH_INGEST_CPU_PROF;
const CHILD = fileURLToPath(new URL('./lib/ingest-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'flowmatrix-bench-'));
const cluster = generateCluster({ seed: 20261120, scale: SCALE });

/** A closed database file holding the generated cluster's inventory (or nothing but the schema). */
function templateDb(path: string, withInventory: boolean): string {
  const db = openDb(path);
  if (withInventory) {
    const { snapshot, objects } = convertInventoryText(JSON.stringify(inventoryList(cluster)), cluster.baseTime);
    applySnapshot(db, snapshot, { source: 'bench', counts: objects });
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return path;
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  let buf = '';
  for (const line of lines) {
    buf += line;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

function* demoLines(count: number, seed: number): Generator<string> {
  for (const record of netobservRecords(cluster, { flows: count, seed })) yield `${JSON.stringify(record)}\n`;
}

/**
 * `count` NetObserv records (TCP SYN, so the source is the client) spread evenly at random over
 * `distinct` edges between workloads the records name themselves, over two hours.
 */
function* distinctEdgeLines(count: number, distinct: number): Generator<string> {
  const clients = Math.max(1, Math.round(Math.sqrt(distinct * 2.5)));
  const servers = Math.max(1, Math.ceil(distinct / clients));
  const t0 = Date.UTC(2026, 10, 20);
  let x = 12345;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const e = x % distinct;
    const c = e % clients;
    const s = Math.floor(e / clients) % servers;
    const time = t0 + Math.floor((i / count) * 2 * 3_600_000);
    yield `{"SrcK8S_Type":"Pod","SrcK8S_Namespace":"bench","SrcK8S_Name":"c${c}-0","SrcK8S_OwnerType":"Deployment","SrcK8S_OwnerName":"c${c}","SrcAddr":"10.1.${c >> 8}.${c & 255}","SrcPort":${40000 + (i % 20000)},` +
      `"DstK8S_Type":"Pod","DstK8S_Namespace":"bench","DstK8S_Name":"s${s}-0","DstK8S_OwnerType":"Deployment","DstK8S_OwnerName":"s${s}","DstAddr":"10.2.${s >> 8}.${s & 255}","DstPort":8080,` +
      `"Proto":6,"Flags":2,"Packets":${1 + (i % 7)},"Bytes":${60 + (i % 1400)},"TimeFlowEndMs":${time}}\n`;
  }
}

interface ChildResult {
  side: string;
  records: number;
  edges: number;
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
}

/** Runs one side in a fresh process on a fresh copy of `template`; `stdin` feeds the `stdin` side. */
async function child(side: string, file: string, template: string, stdin?: (p: ChildProcess) => Promise<void>): Promise<ChildResult> {
  const db = join(dir, `run-${side}.db`);
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  copyFileSync(template, db);
  const prof = CPU_PROF && side === 'pipeline' ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const p = spawn(process.execPath, [...prof, '--import', 'tsx', CHILD, side, file, db], { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(p, 'exit');
  if (stdin) await stdin(p);
  const [code] = (await exited) as [number | null];
  if (code !== 0) throw new Error(`ingest-child ${side} exited ${code}`);
  return JSON.parse(out) as ChildResult;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const fmt = (xs: number[]): string => `${median(xs).toFixed(2)}x (range ${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

/**
 * `rounds` paired rounds of `base` and `candidate`, in alternating order; prints per-round
 * records/s and the ratio candidate/base (throughput) from wall and CPU time.
 */
async function ratio(title: string, file: string, template: string, base: string, candidate: string, target: number): Promise<void> {
  console.log(`\n## ${title}: ${candidate} vs ${base}, ${ROUNDS} paired rounds, each side a fresh process (load ${load()})`);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [base, candidate] : [candidate, base];
    const res: Record<string, ChildResult> = {};
    for (const side of order) res[side] = await child(side, file, template);
    const b = res[base] as ChildResult;
    const c = res[candidate] as ChildResult;
    wall.push(b.wallMs / c.wallMs);
    cpu.push(b.cpuMs / c.cpuMs);
    const rate = (x: ChildResult) => Math.round((x.records / x.wallMs) * 1000).toLocaleString('en');
    console.log(
      `round ${r + 1}: ${base} ${rate(b)} records/s (${b.wallMs} ms, cpu ${b.cpuMs} ms), ${candidate} ${rate(c)} records/s (${c.wallMs} ms, cpu ${c.cpuMs} ms, ${c.edges.toLocaleString('en')} edges): ` +
        `${(b.wallMs / c.wallMs).toFixed(2)}x wall, ${(b.cpuMs / c.cpuMs).toFixed(2)}x cpu  (load ${load()})`,
    );
  }
  console.log(`${title}: ${candidate}/${base} ${fmt(wall)} wall, ${fmt(cpu)} cpu; target >= ${target.toFixed(2)}x`);
}

async function peakRss(count: number, template: string): Promise<ChildResult> {
  return child('stdin', '-', template, async (p) => {
    const stdin = p.stdin as NodeJS.WritableStream;
    let buf = '';
    for (const line of demoLines(count, 7)) {
      buf += line;
      if (buf.length > 1 << 20) {
        if (!stdin.write(buf)) await once(stdin, 'drain');
        buf = '';
      }
    }
    stdin.end(buf);
  });
}

try {
  console.log('# ingest');
  const inventory = templateDb(join(dir, 'inventory.db'), true);
  if (ONLY !== 'high') {
    const file = join(dir, 'low.ndjson');
    await writeLines(file, demoLines(RECORDS, 1));
    console.log(`generated ${RECORDS.toLocaleString('en')} demo NetObserv records (${(statSync(file).size / 1e6).toFixed(0)} MB) for ${cluster.workloads.length} workloads`);
    await ratio('low cardinality (demo cluster)', file, inventory, 'parse', 'pipeline', 0.6);
    rmSync(file);
  }
  if (ONLY !== 'low') {
    const file = join(dir, 'high.ndjson');
    await writeLines(file, distinctEdgeLines(RECORDS, DISTINCT));
    console.log(`\ngenerated ${RECORDS.toLocaleString('en')} NetObserv records over ${DISTINCT.toLocaleString('en')} distinct edges (${(statSync(file).size / 1e6).toFixed(0)} MB)`);
    await ratio(`high cardinality (${DISTINCT.toLocaleString('en')} distinct edges)`, file, templateDb(join(dir, 'empty.db'), false), 'upsert', 'pipeline', 0.5);
    rmSync(file);
  }
  if (process.env.BENCH_INGEST_RSS !== '0' && !ONLY) {
    const one = await peakRss(RSS_RECORDS, inventory);
    const ten = await peakRss(RSS_RECORDS * 10, inventory);
    const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
    console.log(`\npeak RSS  1x (${one.records.toLocaleString('en')} records, ${one.edges} edges): ${mb(one.maxRssKb)}`);
    console.log(`peak RSS 10x (${ten.records.toLocaleString('en')} records, ${ten.edges} edges): ${mb(ten.maxRssKb)}`);
    console.log(`ratio 10x/1x: ${(ten.maxRssKb / one.maxRssKb).toFixed(2)} (target <= 1.25)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
