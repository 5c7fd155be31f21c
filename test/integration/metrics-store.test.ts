/**
 * /metrics: the process and Node metrics keep Prometheus' standard names, and the ingest
 * counters count every ingest into the store — here one by the CLI, which the service never saw.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ServiceMetrics } from '../../server/metrics.ts';
import { openDb } from '../../store/db.ts';
import { ingestTotals } from '../../store/ingest-runs.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

test('default metrics: process_start_time_seconds and nodejs_* as Prometheus names them, no prefix', async () => {
  const text = await new ServiceMetrics(() => 0).registry.metrics();
  for (const name of ['process_start_time_seconds', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
  assert.doesNotMatch(text, /flowmatrix_process_|flowmatrix_nodejs_/);
});

test('ingest counters: what the CLI ingested into the store, by format, outcome and reject reason', async () => {
  const dir = tmpDir();
  const dbPath = join(dir, 'f.db');
  const good = JSON.stringify({ SrcAddr: '10.0.0.1', SrcPort: 40000, DstAddr: '10.0.0.2', DstPort: 443, Proto: 6, Flags: 2, TimeFlowEndMs: 1_700_000_000_000 });
  const file = join(dir, 'flows.ndjson');
  writeFileSync(file, `${good}\n${good}\nnot json\n`);
  assert.equal((await runCli(['ingest', '--format', 'netobserv', file, '--db', dbPath])).code, 0);
  assert.equal((await runCli(['ingest', '--format', 'netobserv', file, '--db', dbPath])).code, 0);

  const db = openDb(dbPath);
  try {
    const [t] = ingestTotals(db);
    assert.deepEqual(t, { format: 'netobserv', accepted: 4, rejected: 2, skipped: 0, rejects: { 'invalid-json': 2 } });
    const text = await new ServiceMetrics(() => 0, { defaultMetrics: false, ingestTotals: () => ingestTotals(db) }).registry.metrics();
    assert.match(text, /^flowmatrix_ingest_records_total\{source="netobserv",outcome="accepted"\} 4$/m);
    assert.match(text, /^flowmatrix_ingest_records_total\{source="netobserv",outcome="rejected"\} 2$/m);
    assert.match(text, /^flowmatrix_ingest_rejected_records_total\{source="netobserv",reason="invalid-json"\} 2$/m);
  } finally {
    db.close();
  }
});
