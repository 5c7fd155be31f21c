/**
 * What reading the pairs flow metrics saw with no edge between them costs at scale
 * (docs/ingest.md#observed-pairs-from-flow-metrics), CPU time (process.cpuUsage) in paired rounds,
 * median and range, against a baseline measured in the same rounds: one pass over every edge's
 * (client, server), the least any read of the edges costs (the recommendation reads far more).
 * - unmatched: `unmatchedMetricPairs` as a recommendation calls it (the first 1000 pairs no edge
 *   joins, and their count) over P pairs and E edges. Target ≤ 0.25× the pass over the edges.
 * - page: one API page (`unmatched=true`, limit 100). Target ≤ 0.05×.
 * Env: BENCH_METRIC_PAIRS_EDGES (default 200000), BENCH_METRIC_PAIRS_PAIRS (default 20000),
 * BENCH_METRIC_PAIRS_ROUNDS (default 7).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unmatchedMetricPairs } from '../app/metric-pairs.ts';
import { PrometheusStore, type MetricPairDelta } from '../collectors/prometheus/store.ts';
import { openDb, type Db } from '../store/db.ts';
import { metricPairPage } from '../store/metric-pairs.ts';

const EDGES = Number(process.env.BENCH_METRIC_PAIRS_EDGES ?? 200_000);
const PAIRS = Number(process.env.BENCH_METRIC_PAIRS_PAIRS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_METRIC_PAIRS_ROUNDS ?? 7);
const WORKLOADS = 5_000;
const T0 = Date.UTC(2026, 10, 1);

const key = (i: number): string => `workload:ns-${i % 50}/Deployment/app-${i}`;

/** E edges among W workloads on a few ports; up to P pairs (duplicates fold), those of every 10th with a peer no edge reaches. */
function fill(db: Db): void {
  const edge = db.prepare("INSERT OR IGNORE INTO edges (client, server, port, protocol, first_seen, last_seen, flows) VALUES (?, ?, ?, 'TCP', ?, ?, 1)");
  db.transaction(() => {
    for (let n = 0; n < EDGES; n++) {
      const a = n % WORKLOADS;
      const b = (a + 1 + (Math.floor(n / WORKLOADS) % 40)) % WORKLOADS;
      edge.run(key(a), key(b), 8000 + (n % 5), T0, T0 + n);
    }
  })();
  const pairs: MetricPairDelta[] = [];
  for (let n = 0; n < PAIRS; n++) {
    const a = n % WORKLOADS;
    // Matched: a neighbour the edges join; unmatched: one 2,000 workloads away, which no edge reaches.
    const b = n % 10 === 0 ? (a + 2_000) % WORKLOADS : (a + 1 + (Math.floor(n / WORKLOADS) % 40)) % WORKLOADS;
    const [x, y] = [key(a), key(b)].sort();
    pairs.push({ peerA: x as string, peerB: y as string, source: 'prometheus', metric: 'netobserv_workload_flows_total', lacks: 'direction,port,protocol', firstSeen: T0, lastSeen: T0 + n, flows: 4, packets: 0, bytes: 0 });
  }
  const store = new PrometheusStore(db);
  store.transaction(() => store.writePairs(pairs));
}

function cpuMs(fn: () => unknown): number {
  const start = process.cpuUsage();
  fn();
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const range = (xs: number[]): string => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

const dir = mkdtempSync(join(tmpdir(), 'flowmatrix-bench-pairs-'));
try {
  const db = openDb(join(dir, 'bench.db'));
  fill(db);
  const edges = (db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n;
  const pairs = (db.prepare('SELECT count(*) AS n FROM metric_pairs').get() as { n: number }).n;
  const scan = db.prepare('SELECT client, server FROM edges');
  const base: number[] = [];
  const unmatched: number[] = [];
  const page: number[] = [];
  let found = 0;
  for (let r = 0; r < ROUNDS; r++) {
    base.push(cpuMs(() => { for (const _ of scan.iterate()) void _; }));
    unmatched.push(cpuMs(() => (found = unmatchedMetricPairs(db).total)));
    page.push(cpuMs(() => metricPairPage(db, { unmatched: true, limit: 100 })));
  }
  db.close();
  const ratio = (xs: number[]): string => `${(median(xs) / median(base)).toFixed(3)}×`;
  let load = '';
  try {
    load = execSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    load = 'uptime unavailable';
  }
  console.log(`metric-pairs: ${edges} edges, ${pairs} pairs (${found} with no edge), ${ROUNDS} paired rounds, CPU ms median (range); ${load}`);
  console.log(`  baseline: one pass over every edge's (client, server)   ${median(base).toFixed(2)} ms (${range(base)})`);
  console.log(`  unmatched pairs for a recommendation (first 1000 + count) ${median(unmatched).toFixed(2)} ms (${range(unmatched)})  ${ratio(unmatched)} baseline (target ≤ 0.25×)`);
  console.log(`  one API page, unmatched=true, limit 100                  ${median(page).toFixed(2)} ms (${range(page)})  ${ratio(page)} baseline (target ≤ 0.05×)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
