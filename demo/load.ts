/**
 * Loads the bundled demo cluster (demo/data) into a database: both inventory snapshots at the
 * times they were taken, so the IP history matches the flow times, then the NetObserv and Hubble
 * flows through the same ingest pipeline as `flowmatrix ingest`.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FlowIngest } from '../collectors/flows/pipeline.ts';
import { ResolutionIndex } from '../collectors/flows/resolve.ts';
import { SqliteBatchWriter } from '../collectors/flows/write.ts';
import { convertInventoryText } from '../collectors/inventory/index.ts';
import type { Db } from '../store/db.ts';
import { EdgeStore } from '../store/edges.ts';
import { applySnapshot, listWorkloads, readResolutionData } from '../store/inventory.ts';
import { DEMO_DEFAULTS, generateCluster } from './generator/index.ts';

export const DEMO_DIR = fileURLToPath(new URL('./data/', import.meta.url));

export interface DemoLoadSummary {
  loaded: boolean;
  snapshots: { file: string; takenAt: string; workloads: number }[];
  flows: { records: number; accepted: number; rejected: number; edges: number };
  edgesTotal: number;
}

/** Loads the demo files into `db` unless it already holds an inventory. `scale`/`seed`: what the files were generated with. */
export async function loadDemo(db: Db, dir: string = DEMO_DIR, generated: { seed: number; scale: number } = DEMO_DEFAULTS): Promise<DemoLoadSummary> {
  if (listWorkloads(db, { includeAbsent: true }).length > 0) {
    return { loaded: false, snapshots: [], flows: { records: 0, accepted: 0, rejected: 0, edges: 0 }, edgesTotal: new EdgeStore(db).count() };
  }
  // The generator knows when each snapshot of the files it wrote was taken.
  const cluster = generateCluster({ seed: generated.seed, scale: generated.scale });
  const snapshots: DemoLoadSummary['snapshots'] = [];
  for (const [file, takenAt] of [
    ['inventory.json', cluster.baseTime],
    ['inventory-later.json', cluster.laterSnapshotAt],
  ] as const) {
    const converted = convertInventoryText(readFileSync(`${dir}${file}`, 'utf8'), takenAt);
    const r = applySnapshot(db, converted.snapshot, { source: `demo/${file}`, counts: converted.objects });
    snapshots.push({ file, takenAt: new Date(takenAt).toISOString(), workloads: r.workloads.inSnapshot });
  }
  const ingest = new FlowIngest({ format: 'auto', index: new ResolutionIndex(readResolutionData(db)), writer: new SqliteBatchWriter(db) });
  for (const file of ['netobserv.ndjson', 'hubble.jsonl']) await ingest.ingest(createReadStream(`${dir}${file}`, { highWaterMark: 1 << 20 }), `demo/${file}`);
  const s = ingest.summary();
  return { loaded: true, snapshots, flows: { records: s.records, accepted: s.accepted, rejected: s.rejected, edges: s.edges }, edgesTotal: new EdgeStore(db).count() };
}

