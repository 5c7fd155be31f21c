/**
 * Bounded by design: a million distinct external addresses POSTed by one workload must
 * neither grow the store without bound nor the ingest's memory. The child ingests
 * FLOWMATRIX_CARDINALITY_RECORDS records, each to its own scattered address, with the
 * per-workload cap FLOWMATRIX_CARDINALITY_CAP. The suite's defaults (40,000 records, cap 5,000)
 * keep it to seconds and still cross both folds; the figures are run by hand with
 * FLOWMATRIX_CARDINALITY_RECORDS=1000000 (and 2000000), with the default cap 5,000 or
 * FLOWMATRIX_CARDINALITY_CAP=50000 (see docs/ingest.md "Bounded by design").
 *
 * The stated limits hold at any number of records: the edges stay under 2 × cap + 1; what the
 * ingest adds to the RSS the process had before it read a record (node, tsx and the modules: what
 * the ingest does not control) and the V8 heap in use are bounded by the run's distinct edges
 * (RSS_GROWTH_BASE_MB, HEAP_BASE_MB and their per-edge allowances). Memory that grew with records rather than
 * edges broke both at a million records (the resolver's address cache: +125 MB, a 181 MB heap
 * for 10,001 edges).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../store/db.ts';
import { tmpDir } from '../helpers/tmp.ts';

const CHILD = fileURLToPath(new URL('../helpers/ingest-child.ts', import.meta.url));
const RECORDS = Number(process.env.FLOWMATRIX_CARDINALITY_RECORDS ?? 40_000);
const CAP = Number(process.env.FLOWMATRIX_CARDINALITY_CAP ?? 5_000);
/**
 * The stated bound, by distinct edges of the run: what the ingest adds to the process's RSS
 * (V8's heap growth and SQLite's page cache included) may be RSS_GROWTH_BASE_MB plus 1.5 kB per
 * edge, and the peak V8 heap in use (the modules included) HEAP_BASE_MB plus 1 kB per edge.
 * Measured with the ingest's modules loaded before the start figure: 10,001 edges +46–55 MB and
 * a 31–37 MB heap at 40,000, 1M and 2M records alike; 100,001 edges +162 MB and 129 MB.
 */
const RSS_GROWTH_BASE_MB = 64;
const HEAP_BASE_MB = 96;
const RSS_PER_EDGE_MB = 1.5 / 1024;
const HEAP_PER_EDGE_MB = 1 / 1024;
/** Peak RSS of the ingest process, all of it. */
const RSS_LIMIT_MB = 400;

test(`${RECORDS} distinct external addresses from one workload: at most 2 × cap + 1 edges, RSS and heap bounded by edges`, { timeout: 300_000 }, async () => {
  const db = join(tmpDir(), 'card.db');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db, '--format', 'netobserv', '--max-edges-per-workload', String(CAP)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const head = '{"SrcK8S_Type":"Pod","SrcK8S_Namespace":"shop","SrcK8S_Name":"scanner-1","SrcK8S_OwnerType":"Deployment","SrcK8S_OwnerName":"scanner","SrcAddr":"10.244.0.9","SrcPort":40000,"DstAddr":"';
  const tail = `","DstPort":443,"Proto":6,"Flags":2,"Packets":1,"Bytes":60,"TimeFlowEndMs":${Date.UTC(2026, 10, 20)}}\n`;
  const CHUNK = 5_000;
  for (let i = 0; i < RECORDS; i += CHUNK) {
    let s = '';
    for (let k = i; k < Math.min(RECORDS, i + CHUNK); k++) {
      // Scattered over the whole IPv4 space (an odd multiplier is a bijection mod 2^32): almost every address its own /24.
      const a = (Math.imul(k + 1, 2654435761) >>> 0) | 0;
      s += `${head}${(a >>> 24) & 255 || 1}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}${tail}`;
    }
    if (!child.stdin.write(s)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  assert.equal(await exited, 0);
  const result = JSON.parse(out) as { code: number; maxRssKb: number; startRssKb: number; peakHeapKb: number; summary: { accepted: number; folded: number; edgesTotal: number } };
  const rssMb = result.maxRssKb / 1024;
  const growthMb = (result.maxRssKb - result.startRssKb) / 1024;
  const heapMb = result.peakHeapKb / 1024;
  const cap = CAP;
  process.stderr.write(
    `# cardinality: ${RECORDS} records, ${result.summary.edgesTotal} edges, ${result.summary.folded} folded, peak RSS ${rssMb.toFixed(0)} MB ` +
      `(${(result.startRssKb / 1024).toFixed(0)} MB before the ingest, +${growthMb.toFixed(0)} MB), peak heap ${heapMb.toFixed(0)} MB\n`,
  );
  assert.equal(result.summary.accepted, RECORDS);
  assert.ok(result.summary.edgesTotal <= 2 * cap + 1, `${result.summary.edgesTotal} edges`);
  if (RECORDS > cap) assert.ok(result.summary.folded >= RECORDS - 2 * cap - 1);
  const rssLimit = RSS_GROWTH_BASE_MB + result.summary.edgesTotal * RSS_PER_EDGE_MB;
  const heapLimit = HEAP_BASE_MB + result.summary.edgesTotal * HEAP_PER_EDGE_MB;
  assert.ok(growthMb <= rssLimit, `the ingest grew RSS by ${growthMb.toFixed(0)} MB, over ${rssLimit.toFixed(0)} MB`);
  assert.ok(heapMb <= heapLimit, `peak heap ${heapMb.toFixed(0)} MB, over ${heapLimit.toFixed(0)} MB`);
  assert.ok(rssMb < RSS_LIMIT_MB, `peak RSS ${rssMb.toFixed(0)} MB`);
  const check = openDb(db);
  assert.equal((check.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n, result.summary.edgesTotal);
  check.close();
});
