/**
 * Loads the bundled demo cluster (demo/data) into a database: both inventory snapshots at the
 * times they were taken, so the IP history matches the flow times, then the NetObserv and Hubble
 * flows through the same ingest pipeline as `flowmatrix ingest`.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ingestFlows } from '../app/ingest.ts';
import { importInventory } from '../app/inventory.ts';
import type { Db } from '../store/db.ts';
import { EdgeStore } from '../store/edges.ts';
import { listWorkloads } from '../store/inventory.ts';
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
    const summary = importInventory(db, { text: readFileSync(`${dir}${file}`, 'utf8'), takenAt, source: `demo/${file}` });
    snapshots.push({ file, takenAt: summary.takenAt, workloads: summary.workloads.inSnapshot });
  }
  const s = await ingestFlows(
    db,
    ['netobserv.ndjson', 'hubble.jsonl'].map((file) => ({ name: `demo/${file}`, open: () => createReadStream(`${dir}${file}`, { highWaterMark: 1 << 20 }) })),
    { format: 'auto' },
  );
  return { loaded: true, snapshots, flows: { records: s.records, accepted: s.accepted, rejected: s.rejected, edges: s.edges }, edgesTotal: s.edgesTotal };
}

