/**
 * An ingest lets the event loop turn after every window it commits, so the service stays
 * responsive. A request body
 * the kernel has buffered (an upload sent faster than it is stored) reaches the pipeline through
 * promises that resolve at once: libuv hands up to 32 reads of 64 KiB to one poll phase, and each
 * is read to its end before the loop moves on. Without a turn after each commit, the windows of
 * such a burst went back to back: /healthz waited 0.5-3.6 s during a 300k-edge upload into a
 * store of 200k edges. Readable.from gives the same stream, every chunk ready at once.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { FlowIngest } from '../../collectors/flows/pipeline.ts';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { SqliteBatchWriter } from '../../collectors/flows/write.ts';
import { readResolutionData } from '../../store/inventory.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T0 = Date.UTC(2026, 10, 20);

/** `n` NetObserv lines from one named pod, each to its own external address: `n` distinct edges. */
function lines(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      `${JSON.stringify({
        SrcAddr: '10.1.0.5', SrcPort: 40000 + (i % 20000), SrcK8S_Namespace: 'team', SrcK8S_OwnerName: 'web', SrcK8S_OwnerType: 'Deployment', SrcK8S_Type: 'Pod', SrcK8S_Name: 'web-1',
        DstAddr: `${1 + ((i >>> 16) & 127)}.${(i >>> 8) & 255}.${i & 255}.7`, DstPort: 443, Proto: 6, Etype: 2048, Flags: 2, Packets: 2, Bytes: 100,
        TimeFlowStartMs: T0 + i, TimeFlowEndMs: T0 + i + 5,
      })}\n`,
    );
  }
  return out;
}

for (const kind of ['a stream', 'records one by one'] as const) {
  test(`ingesting ${kind} with every chunk ready lets the event loop turn between windows`, async () => {
    const { db } = tmpDb();
    // 100 lines a chunk, 20 windows of 1,000 edges.
    const all = lines(20_000);
    const chunks: string[] = [];
    for (let i = 0; i < all.length; i += 100) chunks.push(all.slice(i, i + 100).join(''));
    let turns = 0;
    let stop = false;
    const spin = (): void => {
      turns++;
      if (!stop) setImmediate(spin);
    };
    setImmediate(spin);
    await new Promise((r) => setImmediate(r));
    const before = turns;
    const now = () => T0 + 3_600_000;
    const summary =
      kind === 'a stream'
        ? await ingestFlows(db, [{ name: 'burst', open: () => Readable.from(chunks) }], { format: 'netobserv', now, maxBatchEdges: 1_000 })
        : // What the Hubble Relay collector and the file followers feed.
          await new FlowIngest({ format: 'netobserv', index: new ResolutionIndex(readResolutionData(db)), writer: new SqliteBatchWriter(db), maxBatchEdges: 1_000, now }).ingestRecords(Readable.from(all.map((l) => l.trimEnd())), 'burst');
    stop = true;
    assert.equal(summary.accepted, 20_000);
    assert.equal((db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n, 20_000);
    // One turn at least after each of the 20 windows; before, none until the input was read.
    assert.ok(turns - before >= 19, `the event loop turned ${turns - before} times while 20 windows were committed`);
  });
}
