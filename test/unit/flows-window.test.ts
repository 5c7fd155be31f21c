/**
 * The aggregation window. An edge seen many times in one window is written once; a
 * window is committed when it reaches `batchSize` records or `maxBatchEdges` distinct edges
 * (what bounds its memory), whichever comes first; the stored sums are the same either way. A
 * stream that may wait on its writer is also committed by the clock; a regular file is not.
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { FlowIngest, type IngestOptions } from '../../collectors/flows/pipeline.ts';
import { EMPTY_RESOLUTION, ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { SqliteBatchWriter } from '../../collectors/flows/write.ts';
import type { AggregateBatch } from '../../domain/edge-batch.ts';
import type { IngestRunCounters, IngestRunStatus } from '../../store/ingest-runs.ts';
import { EdgeStore } from '../../store/edges.ts';
import { tmpDb } from '../helpers/tmp.ts';

/** The SQLite writer, noting how many edges each committed window held. */
class CountingWriter extends SqliteBatchWriter {
  readonly windows: number[] = [];
  override commit(batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus): void {
    super.commit(batch, runId, counters, status);
    if (batch.edges.length > 0) this.windows.push(batch.edges.length);
  }
}

/** `count` SYN records from workload c<k> to workload s (port 8080), k cycling over `distinct` clients. */
function records(count: number, distinct: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const c = i % distinct;
    lines.push(
      JSON.stringify({
        SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'shop', SrcK8S_Name: `c${c}-0`, SrcK8S_OwnerType: 'Deployment', SrcK8S_OwnerName: `c${c}`, SrcAddr: `10.1.0.${c + 1}`, SrcPort: 40000 + i,
        DstK8S_Type: 'Pod', DstK8S_Namespace: 'shop', DstK8S_Name: 's-0', DstK8S_OwnerType: 'Deployment', DstK8S_OwnerName: 's', DstAddr: '10.2.0.1', DstPort: 8080,
        Proto: 6, Flags: 2, Packets: 1, Bytes: 60, TimeFlowEndMs: Date.UTC(2026, 10, 20) + i,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function ingest(text: string, options: Pick<IngestOptions, 'batchSize' | 'maxBatchEdges'>) {
  const { db } = tmpDb();
  const writer = new CountingWriter(db);
  const pipeline = new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(EMPTY_RESOLUTION), writer, ...options });
  const summary = await pipeline.ingest(Readable.from([text]), 'test');
  const flows = new EdgeStore(db).list().map((e) => e.flows);
  return { windows: writer.windows, summary, flows };
}

test('one window over the whole input: each of 10 edges seen 30 times is written once, with its 30 flows', async () => {
  const { windows, summary, flows } = await ingest(records(300, 10), { batchSize: 1_000, maxBatchEdges: 1_000 });
  assert.equal(summary.accepted, 300);
  assert.deepEqual(windows, [10]);
  assert.deepEqual(flows, Array(10).fill(30));
});

test('a window is committed when it holds maxBatchEdges distinct edges, before batchSize records: same sums', async () => {
  const { windows, flows } = await ingest(records(300, 10), { batchSize: 1_000, maxBatchEdges: 4 });
  // Records cycle over the 10 clients: every 4th distinct edge closes a window.
  assert.ok(windows.length > 1, `windows ${windows.join(',')}`);
  assert.ok(windows.every((n) => n <= 4), `windows ${windows.join(',')}`);
  assert.deepEqual(flows, Array(10).fill(30));
});

test('a window is committed every batchSize records when few edges repeat', async () => {
  const { windows, flows } = await ingest(records(300, 10), { batchSize: 50, maxBatchEdges: 1_000 });
  assert.deepEqual(windows, Array(6).fill(10));
  assert.deepEqual(flows, Array(10).fill(30));
});

/** The same, read from `input` with a flush timer of 1 ms. */
async function ingestTimed(input: NodeJS.ReadableStream) {
  const { db } = tmpDb();
  const writer = new CountingWriter(db);
  const pipeline = new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(EMPTY_RESOLUTION), writer, batchSize: 1_000, maxBatchEdges: 1_000, flushIntervalMs: 1 });
  const summary = await pipeline.ingest(input, 'test');
  return { windows: writer.windows, summary, flows: new EdgeStore(db).list().map((e) => e.flows) };
}

test('a regular file is never committed by the clock: one window however long the read takes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowmatrix-window-'));
  const file = join(dir, 'flows.ndjson');
  writeFileSync(file, records(300, 10));
  // 256-byte chunks: hundreds of reads, between which the 1 ms timer fires many times.
  const { windows, summary, flows } = await ingestTimed(createReadStream(file, { highWaterMark: 256 }));
  rmSync(dir, { recursive: true, force: true });
  assert.equal(summary.accepted, 300);
  assert.deepEqual(windows, [10]);
  assert.deepEqual(flows, Array(10).fill(30));
});

test('a stream that waits on its writer is still committed by the clock: several windows, same sums', async () => {
  const input = new PassThrough();
  const done = ingestTimed(input);
  const lines = records(300, 10).split('\n').filter(Boolean);
  for (let i = 0; i < lines.length; i += 100) {
    input.write(`${lines.slice(i, i + 100).join('\n')}\n`);
    await new Promise((r) => setTimeout(r, 20));
  }
  input.end();
  const { windows, summary, flows } = await done;
  assert.equal(summary.accepted, 300);
  assert.ok(windows.length >= 3, `a window per pause at least: ${windows.join(',')}`);
  assert.deepEqual(flows, Array(10).fill(30));
});

test('the clock is read once per chunk, not per record; a record later than that reading is judged against a fresh one, as a per-record clock would judge it', async () => {
  // records() dates record i at 2026-11-20 plus i ms. The clock says t0 when the ingest starts, and
  // t0 + 1 s from then on: records dated after the first reading are still in the past when read.
  const t0 = Date.UTC(2026, 10, 20);
  let reads = 0;
  const now = (): number => (reads++ === 0 ? t0 : t0 + 1000);
  const future = JSON.stringify({ ...JSON.parse(records(1, 1)), TimeFlowEndMs: t0 + 1001 });
  const { db } = tmpDb();
  const pipeline = new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(EMPTY_RESOLUTION), writer: new SqliteBatchWriter(db), now, maxFutureSkewMs: 0 });
  await pipeline.ingest(Readable.from([`${records(300, 10)}${future}\n`]), 'test');
  const summary = pipeline.summary();
  // One chunk of 301 records: a reading per record was 302 readings.
  assert.ok(reads < 10, `the clock was read ${reads} times for 301 records in one chunk`);
  assert.equal(summary.accepted, 300);
  // Later than the latest reading allows: refused, naming the limit that reading gives.
  assert.deepEqual(summary.rejects, { 'time-out-of-range': 1 });
  assert.match(summary.examples[0]?.message ?? '', new RegExp(new Date(t0 + 1000).toISOString().replace(/[.]/g, '\\.')));
});
