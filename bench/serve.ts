/**
 * REST API throughput and responsiveness on a 2,000-workload cluster, on 127.0.0.1:
 * autocannon, 5 s per route, against
 *   - GET one workload's recommendation,
 *   - GET one namespace's export (YAML),
 * and a trivial route of the same app (/healthz) in the same run; prints req/s, p99 and the
 * ratio to the trivial route (target ≥ 0.3×). Also prints the cold (first, uncached) latencies.
 * Then /healthz latency while two cold whole-cluster exports run (target: p99 < 50 ms on
 * a 200k-edge cluster), over BENCH_SERVE_HEALTH_ROUNDS rounds (default 5), each on a fresh service
 * process: per round the probes' p50/p99/max idle (BENCH_SERVE_IDLE_SECONDS, default 10: the
 * machine's floor) and during the exports, then the median and range of the rounds' p99 during
 * the exports against the target.
 * The cluster: BENCH_SERVE_DATA=generated (default) is the recommendation bench's generated
 * cluster (bench/lib/generated-cluster.ts: BENCH_SERVE_WORKLOADS workloads, default 2,000,
 * BENCH_SERVE_EDGES edges, default 200,000; BENCH_SERVE_DB=PATH keeps it and reuses it at the same size); BENCH_SERVE_DATA=demo is
 * the demo generator at BENCH_SERVE_SCALE (default 100) with BENCH_SERVE_FLOWS flows (default 200000).
 * Env: BENCH_SERVE_SECONDS (default 5); BENCH_SERVE_HEALTH_ONLY=1 runs only the /healthz figure;
 * BENCH_SERVE_PORT (default 0: chosen by the system) the port each service listens on.
 * The service runs in a child process (bench/lib/serve-child.ts), the clients here: the
 * throughput figures share one service process, each /healthz round starts its own.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadDemo } from '../demo/load.ts';
import { DEMO_DEFAULTS, writeDemoFiles } from '../demo/generator/index.ts';
import { openDb } from '../store/db.ts';
import { listWorkloads } from '../store/inventory.ts';
import { generatedDbFile } from './lib/generated-cluster.ts';
import { formatSpread, quantile, spread } from './lib/paired-rounds.ts';
import { compareStrings } from '../domain/order.ts';

const DATA = process.env.BENCH_SERVE_DATA ?? 'generated';
const WORKLOADS = Number(process.env.BENCH_SERVE_WORKLOADS ?? 2000);
const EDGES = Number(process.env.BENCH_SERVE_EDGES ?? 200_000);
const SCALE = Number(process.env.BENCH_SERVE_SCALE ?? 100);
/** BENCH_SERVE_HEALTH_ONLY=1: only /healthz during the two whole-cluster exports (the responsiveness figure). */
const HEALTH_ONLY = process.env.BENCH_SERVE_HEALTH_ONLY === '1';
/** Seconds of /healthz probes before the exports start, in each round: the machine's own latency floor. */
const IDLE_SECONDS = Number(process.env.BENCH_SERVE_IDLE_SECONDS ?? 10);
/** Rounds of the /healthz figure, each on a fresh service process. */
const HEALTH_ROUNDS = Number(process.env.BENCH_SERVE_HEALTH_ROUNDS ?? 5);
const TARGET_P99_MS = 50;
const SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 5);
const FLOWS = Number(process.env.BENCH_SERVE_FLOWS ?? 200_000);
const SERVICE = fileURLToPath(new URL('./lib/serve-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'flowmatrix-bench-serve-'));

async function load(url: string): Promise<{ rps: number; p99: number; non2xx: number }> {
  const r = await autocannon({ url, connections: 10, duration: SECONDS, pipelining: 1 });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx + r.errors };
}

/** One GET, timed to its last byte; node:http rather than fetch, whose 300 s header timeout a loaded machine's whole-cluster export outlasts. */
function timed(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ ms: Math.round(performance.now() - t), bytes, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The service in a fresh process (bench/lib/serve-child.ts): its URL, and a way to stop it. */
async function startService(dbPath: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const service = fork(SERVICE, [dbPath], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const base = await new Promise<string>((resolve, reject) => {
    service.once('message', (m: { url: string }) => resolve(m.url));
    service.once('exit', (code) => reject(new Error(`the service exited (${code}) before it listened`)));
  });
  const stop = async (): Promise<void> => {
    const exited = new Promise((r) => service.once('exit', r));
    service.disconnect();
    await exited;
  };
  return { base, stop };
}

const latencies = (probes: number[]): string =>
  `${probes.length} probes, p50 ${quantile(probes, 0.5).toFixed(1)} ms, p99 ${quantile(probes, 0.99).toFixed(1)} ms, max ${quantile(probes, 1).toFixed(1)} ms`;

/**
 * One round of the /healthz figure: probes with nothing else running (on a shared machine the
 * floor a probe cannot go below, whatever the service does), then while two cold whole-cluster
 * exports (two engines: nothing shared or cached) run on the service's recommendation workers;
 * one probe at a time, as a kubelet sends them. Prints the round; returns both p99s.
 */
async function healthRound(base: string, round: number): Promise<{ idle: number; loaded: number }> {
  const probe = async (): Promise<number> => {
    const t = performance.now();
    await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
    return performance.now() - t;
  };
  const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 10));
  const idle: number[] = [];
  const loadIdle = loadavg()[0]!.toFixed(1);
  for (const until = performance.now() + IDLE_SECONDS * 1000; performance.now() < until; await pause()) idle.push(await probe());
  const exports = ['calico', 'clusternetworkpolicy'].map((engine) => timed(`${base}/api/v1/export?engine=${engine}&allowUnverified=true`));
  let running = true;
  const all = Promise.all(exports).finally(() => (running = false));
  const probes: number[] = [];
  while (running) {
    probes.push(await probe());
    await pause();
  }
  const done = await all;
  console.log(`  round ${round}: idle (${IDLE_SECONDS} s, load ${loadIdle}) ${latencies(idle)}`);
  console.log(
    `  round ${round}: during the exports (${done.map((d) => `${d.ms} ms, ${(d.bytes / 1e6).toFixed(1)} MB, ${d.status}`).join('; ')}; load ${loadavg()[0]!.toFixed(1)}) ${latencies(probes)}`,
  );
  return { idle: quantile(idle, 0.99), loaded: quantile(probes, 0.99) };
}

/** HEALTH_ROUNDS rounds, each on a fresh service process; the median and range of their p99 under load. */
async function healthUnderLoad(dbPath: string): Promise<void> {
  console.log(`/healthz during two whole-cluster exports, ${HEALTH_ROUNDS} rounds, each a fresh service process (probes idle first: the machine's floor):`);
  const p99s: { idle: number; loaded: number }[] = [];
  for (let round = 1; round <= HEALTH_ROUNDS; round++) {
    const service = await startService(dbPath);
    try {
      p99s.push(await healthRound(service.base, round));
    } finally {
      await service.stop();
    }
  }
  const loaded = p99s.map((p) => p.loaded);
  const met = loaded.filter((p) => p < TARGET_P99_MS).length;
  console.log(
    `/healthz p99 during the exports: ${formatSpread(spread(loaded), ' ms', 1)} over ${HEALTH_ROUNDS} rounds (target < ${TARGET_P99_MS} ms; met in ${met} of ${HEALTH_ROUNDS}); ` +
      `idle p99 ${formatSpread(spread(p99s.map((p) => p.idle)), ' ms', 1)}`,
  );
}

/** Throughput of one workload's recommendation and one namespace's export against /healthz, on one service process. */
async function throughput(dbPath: string, w: { namespace: string; kind: string; name: string }, ns: string, nsSize: number): Promise<void> {
  const { base, stop } = await startService(dbPath);
  const routes = {
    trivial: `${base}/healthz`,
    recommendation: `${base}/api/v1/recommendations/${w.namespace}/${w.kind}/${w.name}?engine=kubernetes`,
    export: `${base}/api/v1/export?engine=cilium&namespace=${ns}`,
  };
  try {
    const coldRec = await timed(routes.recommendation);
    const coldExport = await timed(routes.export);
    if (coldRec.status !== 200 || coldExport.status !== 200) throw new Error(`setup requests failed: ${coldRec.status} ${coldExport.status}`);
    console.log(`cold (first request: store read + recommend + emit): recommendation ${coldRec.ms} ms (${coldRec.bytes} B), export of ${ns} (${nsSize} workloads) ${coldExport.ms} ms (${coldExport.bytes} B)`);
    const trivial = await load(routes.trivial);
    for (const [name, url] of [['recommendation', routes.recommendation], ['export', routes.export]] as const) {
      const r = await load(url);
      console.log(
        `${name.padEnd(15)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${String(r.p99).padStart(4)} ms  ratio to /healthz ${(r.rps / trivial.rps).toFixed(2)}× (target ≥ 0.3×)${r.non2xx ? `  ${r.non2xx} non-2xx/errors` : ''}`,
      );
    }
    console.log(`${'trivial'.padEnd(15)} ${trivial.rps.toFixed(0).padStart(7)} req/s  p99 ${String(trivial.p99).padStart(4)} ms`);
  } finally {
    await stop();
  }
}

try {
  const dbPath = process.env.BENCH_SERVE_DB ?? join(dir, 'bench.db');
  let t = performance.now();
  let made: string;
  if (DATA === 'demo') {
    const files = await writeDemoFiles(join(dir, 'data'), { seed: DEMO_DEFAULTS.seed, scale: SCALE, netobservFlows: FLOWS, hubbleFlows: Math.round(FLOWS / 2) });
    const generateMs = performance.now() - t;
    const db = openDb(dbPath);
    t = performance.now();
    await loadDemo(db, `${join(dir, 'data')}/`, { seed: DEMO_DEFAULTS.seed, scale: SCALE });
    db.close();
    made = `demo scale ${SCALE} (generated in ${(generateMs / 1000).toFixed(1)} s, loaded in ${((performance.now() - t) / 1000).toFixed(1)} s; files ${Object.keys(files).length})`;
  } else {
    const g = generatedDbFile(dbPath, { workloads: WORKLOADS, edges: EDGES }, (p) => openDb(p));
    made = `generated cluster (${g.reused ? `reused from ${dbPath}` : `written in ${((performance.now() - t) / 1000).toFixed(1)} s`})`;
  }
  const db = openDb(dbPath);
  const edgeCount = (db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n;
  const workloads = listWorkloads(db);
  const nsCounts = new Map<string, number>();
  for (const w of workloads) nsCounts.set(w.namespace, (nsCounts.get(w.namespace) ?? 0) + 1);
  const [ns, nsSize] = [...nsCounts.entries()].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))[0]!;
  const w = workloads.find((x) => x.namespace === ns && !x.hostNetwork) ?? workloads[0]!;
  console.log(`serve bench: ${workloads.length} workloads, ${edgeCount} edges, ${made}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  db.close();
  if (!HEALTH_ONLY) await throughput(dbPath, w, ns, nsSize);
  await healthUnderLoad(dbPath);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
