/**
 * Ingest throughput and memory.
 *   1. records/s of the full pipeline (decode → resolve → orient → aggregate → SQLite) against a
 *      bare loop that only splits the same bytes into lines and JSON.parses them, in the same run
 *      (target ≥ 0.6×); also the pipeline with a no-op writer, to show what SQLite costs.
 *   2. peak RSS of `flowmatrix ingest -` in a child process for 10× the records vs 1× (target ≤ 1.25×),
 *      records streamed into its stdin rather than written to disk.
 * Records come from the demo generator (the seed systems plus application namespaces at
 * BENCH_INGEST_SCALE), its inventory imported first so resolution runs through the IP history.
 * Env: BENCH_INGEST_RECORDS (default 1,000,000), BENCH_INGEST_RSS_RECORDS (default 200,000),
 * BENCH_INGEST_SCALE (default 10).
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { FlowIngest } from '../collectors/flows/pipeline.ts';
import { ResolutionIndex } from '../collectors/flows/resolve.ts';
import { NoopBatchWriter, SqliteBatchWriter } from '../collectors/flows/write.ts';
import { convertInventoryText } from '../collectors/inventory/index.ts';
import { generateCluster, inventoryList, netobservRecords } from '../demo/generator/index.ts';
import type { ResolutionData } from '../domain/resolution.ts';
import { openDb } from '../store/db.ts';
import { applySnapshot, readResolutionData } from '../store/inventory.ts';

const RECORDS = Number(process.env.BENCH_INGEST_RECORDS ?? 1_000_000);
const RSS_RECORDS = Number(process.env.BENCH_INGEST_RSS_RECORDS ?? 200_000);
const SCALE = Number(process.env.BENCH_INGEST_SCALE ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'flowmatrix-bench-'));
const cluster = generateCluster({ seed: 20261120, scale: SCALE });

/** A database holding the generated cluster's inventory; its resolution data. */
function inventoryDb(path: string): ResolutionData {
  const db = openDb(path);
  try {
    const { snapshot, objects } = convertInventoryText(JSON.stringify(inventoryList(cluster)), cluster.baseTime);
    applySnapshot(db, snapshot, { source: 'bench', counts: objects });
    return readResolutionData(db);
  } finally {
    db.close();
  }
}

function* netobservLines(count: number, seed: number): Generator<string> {
  for (const record of netobservRecords(cluster, { flows: count, seed })) yield `${JSON.stringify(record)}\n`;
}

async function writeFile(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  let buf = '';
  for (const line of netobservLines(count, 1)) {
    buf += line;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/** The baseline: split on '\n' and JSON.parse, nothing else. */
async function bareLoop(path: string): Promise<number> {
  let n = 0;
  let pending = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024, encoding: 'utf8' })) {
    const text = pending + (chunk as string);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      if (JSON.parse(text.slice(start, nl))) n++;
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    pending = text.slice(start);
  }
  return n;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

async function throughput(): Promise<void> {
  const file = join(dir, 'flows.ndjson');
  const gen = await timed(() => writeFile(file, RECORDS));
  console.log(`generated ${RECORDS.toLocaleString('en')} NetObserv records (${(statSync(file).size / 1e6).toFixed(0)} MB) for ${cluster.workloads.length} workloads in ${gen.seconds.toFixed(1)} s`);
  const resolution = inventoryDb(join(dir, 'bench.db'));

  const bare = await timed(() => bareLoop(file));
  const noop = await timed(async () => {
    const ingest = new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(resolution), writer: new NoopBatchWriter() });
    return ingest.ingest(createReadStream(file, { highWaterMark: 1024 * 1024 }), file);
  });
  const db = openDb(join(dir, 'bench.db'));
  const full = await timed(async () => {
    const ingest = new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(resolution), writer: new SqliteBatchWriter(db) });
    await ingest.ingest(createReadStream(file, { highWaterMark: 1024 * 1024 }), file);
    return ingest.summary();
  });
  db.close();

  const rate = (n: number, s: number) => Math.round(n / s);
  const bareRate = rate(bare.value, bare.seconds);
  const noopRate = rate(noop.value.records, noop.seconds);
  const fullRate = rate(full.value.records, full.seconds);
  console.log(`bare split + JSON.parse     ${bareRate.toLocaleString('en').padStart(10)} records/s`);
  console.log(`pipeline, no-op writer      ${noopRate.toLocaleString('en').padStart(10)} records/s  (${(noopRate / bareRate).toFixed(2)}x)`);
  console.log(`pipeline + SQLite           ${fullRate.toLocaleString('en').padStart(10)} records/s  (${(fullRate / bareRate).toFixed(2)}x, target >= 0.60x)`);
  console.log(`  accepted ${full.value.accepted.toLocaleString('en')}, edges ${full.value.edges}, ambiguous ${full.value.ambiguous}`);
}

async function peakRss(count: number): Promise<{ maxRssKb: number; records: number; edges: number; seconds: number }> {
  const db = join(dir, `rss-${count}.db`);
  inventoryDb(db);
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./lib/ingest-child.ts', import.meta.url)), db], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const t0 = performance.now();
  let buf = '';
  for (const line of netobservLines(count, 7)) {
    buf += line;
    if (buf.length > 1 << 20) {
      if (!child.stdin.write(buf)) await once(child.stdin, 'drain');
      buf = '';
    }
  }
  child.stdin.end(buf);
  await once(child, 'exit');
  return { ...(JSON.parse(out) as { maxRssKb: number; records: number; edges: number }), seconds: (performance.now() - t0) / 1000 };
}

async function memory(): Promise<void> {
  const one = await peakRss(RSS_RECORDS);
  const ten = await peakRss(RSS_RECORDS * 10);
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  console.log(`peak RSS  1x (${one.records.toLocaleString('en')} records, ${one.edges} edges): ${mb(one.maxRssKb)}  [${Math.round(one.records / one.seconds).toLocaleString('en')} records/s via stdin]`);
  console.log(`peak RSS 10x (${ten.records.toLocaleString('en')} records, ${ten.edges} edges): ${mb(ten.maxRssKb)}  [${Math.round(ten.records / ten.seconds).toLocaleString('en')} records/s via stdin]`);
  console.log(`ratio 10x/1x: ${(ten.maxRssKb / one.maxRssKb).toFixed(2)} (target <= 1.25)`);
}

try {
  console.log('# ingest');
  await throughput();
  await memory();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
