/**
 * Bounded by design (docs/ingest.md): the DNS names kept per workload (`workload_names`, names Hubble
 * saw answered by a pod's own address or a Service's ClusterIP) have a cap of their own. The
 * inventory bounds the workloads, not the names: a record stream inventing names for one real
 * workload grew the table without bound. Past the cap a new name is not kept, and the run counts it
 * (`ingest_runs.names_capped`), which the ingest summary and the report's ingest health say.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import { buildReport } from '../../reports/build.ts';
import { renderMarkdown } from '../../reports/render/markdown.ts';
import { IngestRunStore } from '../../store/ingest-runs.ts';
import { clientHubbleRecord, clientServerInventory, HUBBLE_SERVER_POD } from '../helpers/client-server-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const CAP = 5;

/** A Hubble record of client → server:8080 that says the server's address answered `name`. */
function record(name: string, i: number): string {
  return clientHubbleRecord({ time: new Date(T0 + 3_600_000 + i * 1000).toISOString(), dst: '10.244.1.5', port: 8080, sourcePort: 41000, destination: HUBBLE_SERVER_POD, names: [name] });
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `host-${String(i).padStart(2, '0')}.example.com`);

async function ingest(db: Parameters<typeof ingestFlows>[0], lines: readonly string[]) {
  return ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${lines.join('\n')}\n`]) }], { format: 'hubble', now: () => T0 + 7_200_000, caps: { maxNamesPerWorkload: CAP } });
}

test('a stream of cap + 10 distinct names for one workload keeps cap names, counts 10 not kept in the run, its summary and the report', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: JSON.stringify(clientServerInventory({ namespaces: ['app'], clientPorts: [8080] })), takenAt: T0, source: 'inventory.json', now: T0 });
  const summary = await ingest(db, names(CAP + 10).map(record));
  const stored = db.prepare("SELECT name FROM workload_names WHERE workload = 'app/Deployment/server' ORDER BY name").pluck().all();
  assert.deepEqual(stored, names(CAP), 'the first names under the cap are kept, in arrival order');
  assert.equal(summary.namesCapped, 10);
  assert.equal(summary.inputs[0]!.namesCapped, 10);
  assert.equal(summary.accepted, CAP + 10, 'the records themselves are kept: only their names are not');
  assert.equal(new IngestRunStore(db).list(1)[0]!.namesCapped, 10);

  // A later run counts what is stored: a name the store holds is updated, a new one is not kept.
  const again = await ingest(db, [record('host-00.example.com', 100), record('host-99.example.com', 101)]);
  assert.equal(again.namesCapped, 1);
  assert.equal(db.prepare("SELECT count(*) FROM workload_names WHERE workload = 'app/Deployment/server'").pluck().get(), CAP);

  const report = buildReport(gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'manual', generatedAt: T0 + 7_200_000 }));
  assert.equal(report.ingest.totals.namesCapped, 11);
  assert.equal(report.ingest.recent[0]!.namesCapped, 1);
  assert.match(renderMarkdown(report), /11 DNS names not kept past the cap of names per workload/);
});
