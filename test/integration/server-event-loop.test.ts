/**
 * The service answers /healthz in milliseconds while heavy requests run (issue 18): the work of a
 * large flow upload, inventory import or simulation either runs on a worker thread or returns
 * to the event loop often. In-process service on a real SQLite file; the longest event-loop gap
 * while the request ran is what /healthz would have waited.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, test } from 'node:test';
import { createApp } from '../../server/app.ts';
import { closeExecutor } from '../../server/services/compute.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { blocking } from '../helpers/event-loop.ts';

const { db, path } = tmpDb();
const ctx = testContext(db, path, { maxFlowBodyBytes: 1 << 30, maxBodyBytes: 64 << 20 });
const server: Server = createApp(ctx).app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(async () => {
  await closeExecutor(ctx);
  server.close();
});

const T0 = Date.UTC(2026, 10, 20);

/** `n` NetObserv records from one named pod, each to its own external address on 443: `n` distinct edges. */
function distinctEdges(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        SrcAddr: '10.1.0.5', SrcPort: 40000 + (i % 20000), SrcK8S_Namespace: 'team', SrcK8S_OwnerName: 'web', SrcK8S_OwnerType: 'Deployment', SrcK8S_Type: 'Pod', SrcK8S_Name: 'web-1',
        DstAddr: `${1 + ((i >>> 16) & 127)}.${(i >>> 8) & 255}.${i & 255}.7`, DstPort: 443, Proto: 6, Etype: 2048, Flags: 2, Packets: 2, Bytes: 100,
        TimeFlowStartMs: T0 + i, TimeFlowEndMs: T0 + i + 5,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

test('POST /flows with 40,000 distinct edges commits small windows: the event loop is never held long', async () => {
  const body = distinctEdges(40_000);
  const { blockedMs, tookMs, result } = await blocking(async () => {
    const res = await fetch(`${base}/api/v1/flows?format=netobserv`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    return { status: res.status, summary: (await res.json()) as { accepted: number; edges: number; inputs: { run: number }[] } };
  });
  assert.equal(result.status, 200);
  assert.equal(result.summary.accepted, 40_000);
  assert.equal(result.summary.edges, 40_000);
  assert.ok(blockedMs < 150, `held the event loop ${Math.round(blockedMs)} ms (the request took ${Math.round(tookMs)} ms)`);
  // Every window is its own batch with the run's progress: the run row agrees with what is stored.
  const run = db.prepare('SELECT status, accepted FROM ingest_runs WHERE id = ?').get(result.summary.inputs[0]!.run) as { status: string; accepted: number };
  assert.deepEqual(run, { status: 'done', accepted: 40_000 });
  assert.equal((db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n, 40_000);
});
