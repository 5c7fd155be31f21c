/**
 * Recommendation at scale: a generated cluster of 2,000 workloads and 200,000 edges in a real
 * SQLite file (bench/lib/generated-cluster.ts), timed against reading the same edges.
 * Figures from one run, each over BENCH_RECOMMEND_ROUNDS rounds (median and range):
 * - recommend against a bare SELECT (target ≤ 3.5×, defined against "a bare
 *   SELECT"): read the inventory, edges and matrices, compare, synthesize, build the PolicySet and
 *   emit the `kubernetes` manifests (objects; bench/lib/recommend-once.ts), against a bare
 *   `SELECT * FROM edges` iteration; both sides in this process, after a warm-up, each round the
 *   SELECT then the recommendation;
 * - recommend against the columns-needed floor (no target of its own: the export's
 *   includes it): the same recommendation (without the evidence) against iterating the columns it
 *   reads (the traffic query) once, each side in a fresh process (bench/lib/export-child.ts), the
 *   two alternating first, paired per round (bench/lib/paired-rounds.ts): wall and CPU time
 *   ratios, with the load average;
 * - export (target ≤ 6×): `flowmatrix export --engine E` as a user runs it (read,
 *   recommend, emit, verify, the YAML written document by document) against the same floor, in
 *   fresh processes and paired as above;
 * - verification (target ≤ 1.5×, defined as "same run"): recommend + emit + verify
 *   (admission of every manifest, the engine's simulator on every observed edge side; as `export`
 *   runs it, without the tightness probes that only the JSON output shows) against
 *   recommend + emit alone, both in this process, paired in each round, for
 *   BENCH_RECOMMEND_VERIFY_ENGINE (default kubernetes; `all` runs the four).
 * Env: BENCH_RECOMMEND_WORKLOADS (default 2000), BENCH_RECOMMEND_EDGES (default 200000),
 * BENCH_RECOMMEND_ROUNDS (default 5) rounds per figure, the median ratio reported;
 * BENCH_RECOMMEND_DB=PATH keeps the generated database there (reused by the next run of the same
 * size; to run the CLI on it), BENCH_RECOMMEND_DETAILS=1 also builds the full evidence
 * (`recommend --output json`) in the figure against the bare SELECT (the one against the floor
 * stays as export runs it), BENCH_RECOMMEND_EXPORT=0 leaves the export figure out,
 * BENCH_RECOMMEND_EXPORT_ENGINE (default kubernetes) the engine of the export figure,
 * BENCH_RECOMMEND_EXPORT_ONLY=1 prints only that figure.
 * Run it with `node --expose-gc` (`npm run bench` does): every timed side of an in-process ratio
 * then starts after a full collection, so it pays for the garbage it makes, not for the previous side's;
 * without it a major collection lands in one side or the other by chance, and a round's ratio
 * moved by ±0.3×.
 * BENCH_RECOMMEND_RSS=1 runs only the export memory check (target: peak RSS under 1.5 GB on every
 * engine): BENCH_RECOMMEND_RSS_EDGES edges (default 2,000,000; BENCH_RECOMMEND_DB keeps them),
 * one fresh `flowmatrix export` process per engine, its peak RSS (getrusage ru_maxrss);
 * BENCH_RECOMMEND_RSS_ENGINES=calico,cilium runs only those engines.
 * BENCH_RECOMMEND_REPORT_RSS=1 runs only the report memory check: BENCH_RECOMMEND_REPORT_EDGES edges
 * (default 1,000,000, the most a recommendation with evidence reads; BENCH_RECOMMEND_DB keeps
 * them), one fresh `flowmatrix report -o json` process with the heap limit of a service worker
 * (BENCH_RECOMMEND_REPORT_HEAP_MB, default 2048: half of V8's default limit on a machine of 16 GB
 * or more, as server/services/compute.ts gives a worker), whether it completes, its peak RSS.
 * With BENCH_RECOMMEND_LIST_RSS=1 as well, the same for the API's recommendation list, per engine
 * of BENCH_RECOMMEND_RSS_ENGINES: the pages (200 a page) a service worker cuts, walked until a page
 * past the first evidence window was computed (server/services/evidence-window.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getEngine } from '../recommender/engines/index.ts';
import { loadCatalog } from '../app/catalog.ts';
import { mergeMatrices } from '../recommender/matrix/registry.ts';
import { resolveMatrix } from '../recommender/matrix/resolve.ts';
import { recommend } from '../recommender/recommend.ts';
import { runRecommendation } from '../app/recommendation.ts';
import { ENGINE_NAMES, type EngineName } from '../recommender/engines/types.ts';
import { openDb } from '../store/db.ts';
import { EdgeStore } from '../store/edges.ts';
import { readInventory } from '../store/inventory.ts';
import { readEdgeTraffic, readExternalNames } from '../store/recommend-read.ts';
import { generatedDbFile } from './lib/generated-cluster.ts';
import { formatSpread, pairedRounds, spread, type PairedRound } from './lib/paired-rounds.ts';
import { recommendOnce, type RecommendPhases } from './lib/recommend-once.ts';

const WORKLOADS = Number(process.env.BENCH_RECOMMEND_WORKLOADS ?? 2000);
const EDGES = Number(process.env.BENCH_RECOMMEND_EDGES ?? 200_000);
const EXPORT_ENGINE = (process.env.BENCH_RECOMMEND_EXPORT_ENGINE ?? 'kubernetes') as EngineName;
const RSS = process.env.BENCH_RECOMMEND_RSS === '1';
/** BENCH_RECOMMEND_EXPORT_ONLY=1: only the export figure. */
const EXPORT_ONLY = process.env.BENCH_RECOMMEND_EXPORT_ONLY === '1';
const RSS_EDGES = Number(process.env.BENCH_RECOMMEND_RSS_EDGES ?? 2_000_000);
const RSS_LIMIT_KB = 1.5 * 1024 * 1024;
const RSS_ENGINES = (process.env.BENCH_RECOMMEND_RSS_ENGINES?.split(',') ?? ENGINE_NAMES) as readonly EngineName[];
const REPORT_RSS = process.env.BENCH_RECOMMEND_REPORT_RSS === '1';
const REPORT_EDGES = Number(process.env.BENCH_RECOMMEND_REPORT_EDGES ?? 1_000_000);
const REPORT_HEAP_MB = Number(process.env.BENCH_RECOMMEND_REPORT_HEAP_MB ?? 2048);
const LIST_RSS = process.env.BENCH_RECOMMEND_LIST_RSS === '1';
/** Rounds per figure (odd, so that the median is one round). */
const ROUNDS = Number(process.env.BENCH_RECOMMEND_ROUNDS ?? 5);
/** BENCH_RECOMMEND_DETAILS=1: also build the full evidence JSON (`recommend --output json`). */
const DETAILS = process.env.BENCH_RECOMMEND_DETAILS === '1';
const EXPORT = process.env.BENCH_RECOMMEND_EXPORT !== '0';
const VERIFY_ENGINES: readonly EngineName[] = process.env.BENCH_RECOMMEND_VERIFY_ENGINE === 'all' ? ENGINE_NAMES : [(process.env.BENCH_RECOMMEND_VERIFY_ENGINE ?? 'kubernetes') as EngineName];
const CHILD = fileURLToPath(new URL('./lib/export-child.ts', import.meta.url));

interface ChildRun {
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
  bytes?: number;
  rows?: number;
  manifests?: number;
  code?: number;
  pages?: number;
  computations?: number;
}

/** One side of a figure in a fresh process: `floor`, `recommend`, `export`, `report` or `list` (bench/lib/export-child.ts); `node`: flags of that process. */
function child(mode: 'floor' | 'recommend' | 'export' | 'report' | 'list', db: string, engine: EngineName, node: string[] = []): ChildRun {
  const r = spawnSync(process.execPath, [...node, '--import', 'tsx', CHILD, mode, db, engine], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`export-child ${mode} ${engine} exited ${r.status ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout) as ChildRun;
}

const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

/** ROUNDS rounds of fresh processes, the columns-needed floor and `mode`, paired (pairedRounds: the first of a pair alternates). */
function againstFloor(mode: 'recommend' | 'export', db: string, engine: EngineName): { rounds: PairedRound<ChildRun, ChildRun>[]; load: string } {
  const before = load();
  const rounds = pairedRounds(ROUNDS, () => child('floor', db, engine), () => child(mode, db, engine));
  return { rounds, load: `load ${before} → ${load()}` };
}

/** The wall and CPU ratios of paired rounds, then each side's median times. */
function ratios(rounds: PairedRound<ChildRun, ChildRun>[], side: string, target = ''): string {
  const ms = (xs: number[]): string => spread(xs).median.toFixed(0);
  return (
    `wall ${formatSpread(spread(rounds.map((r) => r.wall)))}, CPU ${formatSpread(spread(rounds.map((r) => r.cpu)))} the columns-needed read${target}; ` +
    `${side} ${ms(rounds.map((r) => r.candidate.wallMs))} ms wall / ${ms(rounds.map((r) => r.candidate.cpuMs))} ms CPU, ` +
    `floor ${ms(rounds.map((r) => r.base.wallMs))} ms wall / ${ms(rounds.map((r) => r.base.cpuMs))} ms CPU (medians)`
  );
}

/** Recommend + kubernetes emit against the columns-needed floor, each in a fresh process. */
function recommendFloorFigure(db: string): void {
  const { rounds, load: l } = againstFloor('recommend', db, 'kubernetes');
  console.log(
    `  recommend (read + compare + synthesize + kubernetes emit; fresh processes, ${ROUNDS} paired rounds; ${l}): ` +
      `${ratios(rounds, 'recommend')}; ${rounds[0]!.candidate.manifests} manifests`,
  );
}

/** The export figure: `flowmatrix export` against the columns-needed floor, each in a fresh process. */
function exportFigure(db: string, engine: EngineName): void {
  const { rounds, load: l } = againstFloor('export', db, engine);
  const x = rounds[0]!.candidate;
  console.log(
    `  export --engine ${engine} (fresh processes, ${ROUNDS} paired rounds; ${l}): ${ratios(rounds, 'export', ' (target ≤ 6×)')}; ` +
      `${((x.bytes ?? 0) / 1e6).toFixed(1)} MB of YAML, exit ${x.code}, peak RSS ${(spread(rounds.map((r) => r.candidate.maxRssKb)).max / 1024).toFixed(0)} MB`,
  );
}

/** The export memory check: one fresh `flowmatrix export` per engine on a RSS_EDGES-edge store. */
function rssCheck(): void {
  const path = KEEP ?? join(dir, 'rss.db');
  const t = process.hrtime.bigint();
  const made = generatedDbFile(path, { workloads: WORKLOADS, edges: RSS_EDGES }, (p) => openDb(p));
  console.log(`export memory bench: ${WORKLOADS} workloads, ${made.edges} edges ${made.reused ? `reused from ${path}` : `written in ${ms(t).toFixed(0)} ms`}; load ${load()}`);
  for (const engine of RSS_ENGINES) {
    const r = child('export', path, engine);
    const mb = r.maxRssKb / 1024;
    console.log(
      `  export --engine ${engine}: peak RSS ${mb.toFixed(0)} MB (target < 1536 MB: ${r.maxRssKb < RSS_LIMIT_KB ? 'met' : 'NOT met'}), ` +
        `${(r.wallMs / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU, ${((r.bytes ?? 0) / 1e6).toFixed(1)} MB of YAML, exit ${r.code}; load ${load()}`,
    );
  }
}

/** The report memory check: one fresh `flowmatrix report` on a REPORT_EDGES-edge store, within a worker's heap limit. */
function reportRssCheck(): void {
  const path = KEEP ?? join(dir, 'report.db');
  const t = process.hrtime.bigint();
  const made = generatedDbFile(path, { workloads: WORKLOADS, edges: REPORT_EDGES }, (p) => openDb(p));
  console.log(`report memory bench: ${WORKLOADS} workloads, ${made.edges} edges ${made.reused ? `reused from ${path}` : `written in ${ms(t).toFixed(0)} ms`}; load ${load()}`);
  const run = (what: string, mode: 'report' | 'list', engine: EngineName, said: (r: ChildRun) => string): void => {
    let r: ChildRun;
    try {
      r = child(mode, path, engine, [`--max-old-space-size=${REPORT_HEAP_MB}`]);
    } catch (e) {
      const lines = String(e).split('\n');
      console.log(`  ${what} with a ${REPORT_HEAP_MB} MB heap: FAILED (${lines.find((l) => /heap out of memory/i.test(l)) ?? lines[0]})`);
      return;
    }
    console.log(`  ${what} with a ${REPORT_HEAP_MB} MB heap: completed, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB, ${(r.wallMs / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU, ${said(r)}; load ${load()}`);
  };
  run('report', 'report', 'kubernetes', (r) => `${((r.bytes ?? 0) / 1e6).toFixed(2)} MB of JSON, exit ${r.code}`);
  if (!LIST_RSS) return;
  for (const engine of RSS_ENGINES) {
    run(`recommendation list (${engine})`, 'list', engine, (r) => `${r.pages} pages, ${r.computations} computation(s), ${((r.bytes ?? 0) / 1e6).toFixed(2)} MB of JSON`);
  }
}

/** A full collection, when the process runs with --expose-gc (see above). */
function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const dir = mkdtempSync(join(tmpdir(), 'flowmatrix-bench-recommend-'));
const KEEP = process.env.BENCH_RECOMMEND_DB;
try {
  if (REPORT_RSS) {
    reportRssCheck();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
  if (RSS) {
    rssCheck();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
  const dbPath = KEEP ?? join(dir, 'bench.db');
  const t = process.hrtime.bigint();
  const made = generatedDbFile(dbPath, { workloads: WORKLOADS, edges: EDGES }, (p) => openDb(p));
  const written = made.edges;
  const db = openDb(dbPath);
  const store = new EdgeStore(db);
  console.log(`recommend bench: ${WORKLOADS} workloads, ${store.count()} edges ${made.reused ? `reused from ${dbPath}` : `written in ${ms(t).toFixed(0)} ms`}${'gc' in globalThis ? '' : ' (without --expose-gc: each side may pay for the one before it, see the header)'}`);
  if (EXPORT_ONLY) {
    exportFigure(dbPath, EXPORT_ENGINE);
    db.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }

  /** CPU time (user + system) of this process since `from`, in ms. */
  const cpuSince = (from: NodeJS.CpuUsage): number => {
    const u = process.cpuUsage(from);
    return (u.user + u.system) / 1000;
  };
  /** CPU time of the last bare SELECT, paired with the run after it. */
  let bareCpu = NaN;
  const bare = (): number => {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    let n = 0;
    for (const row of db.prepare('SELECT * FROM edges').iterate()) if (row) n++;
    if (n !== written) throw new Error(`read ${n} edges, wrote ${written}`);
    bareCpu = cpuSince(c0);
    return ms(t0);
  };
  /** ROUNDS rounds of (bare SELECT, run): the round whose ratio is the median, and every ratio, ascending. */
  // Beside each wall-time ratio, the CPU-time ratio of the same round (`cpu(r)`): on a loaded
  // machine the wall time mostly measures how long the process waited for a core.
  function medianRound<R>(run: () => R, time: (r: R) => number, cpu: (r: R) => number): { bare: number; run: R; ratio: number; ratios: number[]; cpuRatios: number[] } {
    const rounds = Array.from({ length: ROUNDS }, () => {
      settle();
      const b = bare();
      const bc = bareCpu;
      settle();
      const result = run();
      return { bare: b, run: result, ratio: time(result) / b, cpuRatio: cpu(result) / bc };
    }).sort((a, b) => a.ratio - b.ratio);
    return { ...rounds[Math.floor(rounds.length / 2)]!, ratios: rounds.map((x) => x.ratio), cpuRatios: rounds.map((x) => x.cpuRatio).sort((a, b) => a - b) };
  }
  const full = (): RecommendPhases & { recommend: number; recommendCpu: number } => {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const phases = recommendOnce(db, DETAILS);
    return { ...phases, recommend: ms(t0), recommendCpu: cpuSince(c0) };
  };
  // Each run is paired with a bare SELECT measured just before it, and the round with the median
  // ratio is reported: on shared CPUs the machine's speed drifts for seconds at a time, which a
  // best-of over separately timed runs turns into noise on one side of the ratio only.
  bare();
  full();
  const r = medianRound(() => full(), (run) => run.recommend, (run) => run.recommendCpu);
  // Ratios as `spread` takes them (the mean of the two middle ones for an even count), as the CPU
  // ratios beside them; the milliseconds are the median round's (the upper middle one).
  console.log(`  bare SELECT iteration over the edges, in this process: ${r.bare.toFixed(0)} ms (in the median round)`);
  console.log(
    `  recommend in this process (read + compare + synthesize + kubernetes emit${DETAILS ? ', with evidence details' : ''}): ${r.run.recommend.toFixed(0)} ms in the median round; ${formatSpread(spread(r.ratios))} bare SELECT over ${r.ratios.length} rounds (target ≤ 3.5×), CPU time ${formatSpread(spread(r.cpuRatios))}; read ${r.run.readMs.toFixed(0)} ms, compare+synthesize ${r.run.synthesizeMs.toFixed(0)} ms, kubernetes emit ${r.run.emitMs.toFixed(0)} ms; ${r.run.manifests} manifests`,
  );
  recommendFloorFigure(dbPath);
  if (EXPORT) exportFigure(dbPath, EXPORT_ENGINE);
  // Verification: the same input, recommend + emit alone against recommend + emit + verify, paired.
  const inv = readInventory(db);
  const input = { inventory: inv, edges: readEdgeTraffic(db), matrices: mergeMatrices(loadCatalog().map((c) => c.matrix), []).entries.map((e) => resolveMatrix(e, inv, {})), externalNames: readExternalNames(db) };
  for (const engine of VERIFY_ENGINES) {
    // CPU time (user + system of this process) beside the wall time: on a loaded machine the
    // wall time of a run mostly measures how long it waited for a core.
    const cpu = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
    const plain = (): { wall: number; cpu: number } => {
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      getEngine(engine).emit(recommend(input, {}, { details: false }).policySet);
      return { wall: ms(t0), cpu: cpu(process.cpuUsage(c0)) };
    };
    const rounds = Array.from({ length: ROUNDS }, () => {
      settle();
      const p = plain();
      settle();
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      // As `flowmatrix export` runs it: no evidence, so no tightness figure (only the JSON shows it).
      const { verification, emitted } = runRecommendation(input, engine, {}, { details: false });
      const v = ms(t0);
      const vc = cpu(process.cpuUsage(c0));
      return { plain: p.wall, verified: v, ratio: v / p.wall, cpuRatio: vc / p.cpu, ok: verification.ok, manifests: emitted.manifests.length, findings: verification.denied.length + verification.stillAllowed.length };
    });
    const byWall = [...rounds].sort((a, b) => a.ratio - b.ratio);
    const m = byWall[Math.floor(byWall.length / 2)]!;
    console.log(
      `  verification (${engine}): recommend + emit ${m.plain.toFixed(0)} ms, with verification ${m.verified.toFixed(0)} ms in the median round; ${formatSpread(spread(rounds.map((x) => x.ratio)))} over ${rounds.length} rounds (target ≤ 1.5×); CPU time ${formatSpread(spread(rounds.map((r) => r.cpuRatio)))}; verified ${m.ok ? 'ok' : 'FAILED'}, ${m.manifests} manifests, ${m.findings} edges left out`,
    );
  }
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
