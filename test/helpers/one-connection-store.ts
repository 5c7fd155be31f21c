/**
 * A store the export tests share, made through the CLI: the fixture cluster
 * (test/fixtures/inventory/cluster.json) and one observed connection, shop web (10.244.0.10) →
 * db (10.244.1.15) on 5432, its SYN and its ACK.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.ts';

const CLUSTER = new URL('../fixtures/inventory/cluster.json', import.meta.url).pathname;

export async function storeOneConnection(db: string, work: string): Promise<void> {
  assert.equal((await runCli(['inventory', 'import', CLUSTER, '--db', db])).code, 0);
  const t = Date.parse('2025-11-01T10:00:00Z');
  const rec = (flags: number, at: number) => JSON.stringify({ SrcAddr: '10.244.0.10', SrcPort: 41000, DstAddr: '10.244.1.15', DstPort: 5432, Proto: 6, Flags: flags, Packets: 1, Bytes: 60, TimeFlowStartMs: at, TimeFlowEndMs: at, TimeReceived: at / 1000 });
  writeFileSync(join(work, 'flows.ndjson'), `${rec(2, t)}\n${rec(16, t + 1000)}\n`);
  assert.equal((await runCli(['ingest', join(work, 'flows.ndjson'), '--db', db])).code, 0);
}
