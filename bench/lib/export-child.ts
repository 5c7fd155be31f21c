/**
 * One side of a bench/recommend.ts figure, in a fresh process (bench/recommend.ts spawns it):
 *   export-child.ts floor DB          iterates the columns `export` reads (the traffic query) once:
 *                                     the columns-needed floor
 *   export-child.ts recommend DB      reads, recommends and emits the `kubernetes` manifests as
 *                                     objects, as `export` does before the YAML
 *                                     (bench/lib/recommend-once.ts, without the evidence)
 *   export-child.ts export DB ENGINE  runs `flowmatrix export --engine ENGINE` on DB, output counted
 *   export-child.ts report DB         runs `flowmatrix report -o json --no-store` on DB, output counted
 *   export-child.ts list DB ENGINE    walks GET /recommendations's pages (200 a page) as a service
 *                                     worker computes them, until a page past the first evidence
 *                                     window was computed (or the list ends), output counted
 * and prints one JSON line: wall and CPU time of the work (module loading excluded: the CLI's
 * lazily imported use case is imported first), bytes, rows or manifests, peak RSS of the process.
 */
import { createHash } from 'node:crypto';
import { main } from '../../cli/main.ts';
import { openDb } from '../../store/db.ts';
import { TRAFFIC_QUERY } from '../../store/recommend-read.ts';
// What `export` imports when it runs (cli/commands/recommend.ts loads it lazily): loaded before the clock starts.
import '../../app/recommendation.ts';
import '../../app/matrices.ts';
import '../../app/reports.ts';
import { configFor } from '../../server/config/load.ts';
import { RecommendationComputer } from '../../server/services/recommendation-computer.ts';
import { PAGE_MAX } from '../../server/services/recommendation-pages.ts';
import type { EngineName } from '../../recommender/engines/types.ts';
import { recommendOnce } from './recommend-once.ts';

const MODES = ['floor', 'recommend', 'export', 'report', 'list'];
const [mode, db, engine] = process.argv.slice(2);
if (!db || !MODES.includes(mode ?? '') || ((mode === 'export' || mode === 'list') && !engine)) {
  throw new Error('usage: export-child.ts floor DB | recommend DB | export DB ENGINE | report DB | list DB ENGINE');
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
let result: Record<string, unknown>;
if (mode === 'floor') {
  const conn = openDb(db, { migrate: false });
  let rows = 0;
  for (const r of conn.prepare(TRAFFIC_QUERY).raw(true).iterate()) if (r) rows++;
  result = { rows };
  conn.close();
} else if (mode === 'recommend') {
  const conn = openDb(db, { migrate: false });
  result = { manifests: recommendOnce(conn, false).manifests };
  conn.close();
} else if (mode === 'list') {
  const conn = openDb(db, { migrate: false });
  const computer = new RecommendationComputer(conn, {}, { settings: configFor().reports, staleDays: 30 });
  let bytes = 0;
  let pages = 0;
  let after: string | undefined;
  do {
    const r = await computer.respond({ kind: 'list', engine: engine as EngineName, options: {}, page: { limit: PAGE_MAX, tag: 'bench', ...(after !== undefined ? { after } : {}) } });
    const body = JSON.parse(Buffer.concat(r.body).toString('utf8')) as { items: { workload: { namespace: string; kind: string; name: string } }[]; next?: string };
    bytes += r.bytes;
    pages++;
    const last = body.items.at(-1)?.workload;
    after = body.next !== undefined && last ? `${last.namespace}/${last.kind}/${last.name}` : undefined;
  } while (after !== undefined && computer.computations < 2);
  result = { bytes, pages, computations: computer.computations };
  conn.close();
} else {
  let bytes = 0;
  const hash = createHash('sha256');
  let err = '';
  const args = mode === 'export' ? ['export', '--engine', engine!, '--db', db, '--allow-unverified', '--max-edges', '100000000'] : ['report', '--db', db, '-o', 'json', '--no-store', '--generated-at', '2026-12-01T00:00:00Z'];
  const code = await main(['node', 'flowmatrix', ...args], {
    out: (t) => {
      bytes += Buffer.byteLength(t);
      hash.update(t);
    },
    err: (t) => void (err += t),
    stdin: process.stdin,
  });
  if (code !== 0 && code !== 2) throw new Error(`${mode} exited ${code}: ${err.slice(0, 2000)}`);
  result = { code, bytes, sha256: hash.digest('hex').slice(0, 16) };
}
const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(`${JSON.stringify({ mode, engine, wallMs, cpuMs: cpuMs(process.cpuUsage(c0)), maxRssKb: process.resourceUsage().maxRSS, ...result })}\n`);
