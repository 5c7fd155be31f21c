/**
 * `flowmatrix demo`: loads the bundled demo cluster (demo/data) into the database — both
 * inventory snapshots at the times they were taken, so the IP history matches the flow times,
 * then the NetObserv and Hubble flows through the same ingest pipeline as `flowmatrix ingest` —
 * and serves it, printing a few curl commands that work against it.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import { FlowIngest } from '../../collectors/flows/pipeline.ts';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { SqliteBatchWriter } from '../../collectors/flows/write.ts';
import { DEMO_DEFAULTS, generateCluster } from '../../demo/generator/index.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { applySnapshot, listWorkloads, readResolutionData } from '../../store/inventory.ts';
import { withOpenDb, withDb } from '../options.ts';
import type { CommandContext, CommandModule } from './index.ts';
import { portOption, serveUntilStopped, type ServeOptions } from './serve.ts';

export const DEMO_DIR = fileURLToPath(new URL('../../demo/data/', import.meta.url));

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

/** curl commands that work against the demo data (a real workload of the loaded inventory). */
export function demoCurls(base: string, db: Db, token?: string): string[] {
  const auth = token ? ` -H "Authorization: Bearer ${token}"` : '';
  const workloads = listWorkloads(db);
  const w = workloads.find((x) => x.kind === 'Deployment' && !x.hostNetwork && x.namespace !== 'kube-system') ?? workloads[0];
  const lines = [
    `curl -s${auth} '${base}/api/v1/workloads?limit=5'`,
    `curl -s${auth} '${base}/api/v1/edges?limit=5${w ? `&namespace=${w.namespace}` : ''}'`,
  ];
  if (w) {
    lines.push(`curl -s${auth} '${base}/api/v1/recommendations/${w.namespace}/${w.kind}/${w.name}?engine=kubernetes'`);
    lines.push(`curl -s${auth} '${base}/api/v1/export?engine=cilium&namespace=${w.namespace}' -OJ`);
  }
  lines.push(`curl -s${auth} '${base}/api/v1/drift?engine=kubernetes'`, `curl -s '${base}/readyz'`, `open ${base}/docs`);
  return lines;
}

interface DemoOptions extends ServeOptions {
  serve: boolean;
}

export const demoCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withDb(
    program
      .command('demo')
      .description('load the bundled demo cluster (inventory snapshots + NetObserv and Hubble flows) and serve it')
      .option('--no-serve', 'only load the data')
      .addOption(portOption())
      .addOption(new Option('--config <file>', 'service config (YAML; env FLOWMATRIX_CONFIG)')),
  ).action(async (opts: DemoOptions) => {
    const summary = await withOpenDb(opts, (db) => loadDemo(db));
    ctx.io.err(
      summary.loaded
        ? `flowmatrix: demo loaded: ${summary.snapshots.map((s) => `${s.file} (${s.workloads} workloads, taken ${s.takenAt})`).join(', ')}; ` +
            `${summary.flows.accepted}/${summary.flows.records} flow records accepted → ${summary.edgesTotal} edges\n`
        : `flowmatrix: the database already holds an inventory: serving it as is (use a fresh --db to reload the demo)\n`,
    );
    if (!opts.serve) {
      ctx.io.out(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const port = opts.port ?? (process.env.PORT ? Number(process.env.PORT) : 8080);
    const token = process.env.FLOWMATRIX_TOKEN_READ || process.env.FLOWMATRIX_TOKEN_WRITE || undefined;
    const host = token ? 'localhost' : '127.0.0.1';
    const curls = await withOpenDb(opts, (db) => demoCurls(`http://${host}:${port}`, db, token ? '$TOKEN' : undefined));
    ctx.io.err(`\ntry:\n${token ? '  export TOKEN=… # the token you configured\n' : ''}${curls.map((c) => `  ${c}`).join('\n')}\n\n`);
    await serveUntilStopped({ ...opts, port }, ctx);
  });
};
