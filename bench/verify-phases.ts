/**
 * Where the verification's cost goes (target ≤ 1.5× recommend + emit): on the bench's
 * generated cluster (bench/lib/generated-cluster.ts), per round the CPU time of recommend + emit
 * alone, then of the three parts of `verifyRecommendation` as `flowmatrix export` runs it (no
 * tightness probes), each on freshly emitted manifests:
 * - admission: schema (ajv) + the engine's admission checks of every manifest (`manifestErrors`);
 * - build: the engine's simulator built from the manifests (the admission answers it asks for
 *   already worked out, as in the verification);
 * - sides: the rest of the verification, i.e. every observed edge side simulated.
 * Then the median and range over the rounds of the verification's ratio and of each part's share.
 * Fresh processes: none. Every round runs in this one process (the verification's target is defined as
 * "same run"), after one untimed recommendation and verification that pay the one-off costs
 * (schema compile, process-wide parse caches, JIT): the figures are of a warm process. A fresh
 * `flowmatrix export` also pays those costs; bench/recommend.ts's export figure, each side in a
 * fresh process, includes them.
 * The phases of a round are not paired in alternating order: each part's share is of the
 * recommend + emit of its own round. CPU time only: on a shared machine the wall time mostly
 * measures waiting for a core.
 * Env: BENCH_VERIFY_ENGINE (default cilium), BENCH_VERIFY_EDGES (default 200000),
 * BENCH_VERIFY_WORKLOADS (default 2000), BENCH_VERIFY_ROUNDS (default 5), BENCH_VERIFY_DB=PATH
 * keeps the generated database (shared with BENCH_RECOMMEND_DB of the same size),
 * BENCH_VERIFY_PODS=N lists N pods of each workload with their own labels and ports (none by
 * default; bench/lib/generated-cluster.ts withPods: a database of its own).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../app/catalog.ts';
import { getEngine } from '../recommender/engines/index.ts';
import type { EngineName } from '../recommender/engines/types.ts';
import { mergeMatrices } from '../recommender/matrix/registry.ts';
import { resolveMatrix } from '../recommender/matrix/resolve.ts';
import { recommend } from '../recommender/recommend.ts';
import { clusterModel } from '../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../recommender/simulate/index.ts';
import { manifestErrors } from '../recommender/verify/index.ts';
import { verifyRecommendation } from '../recommender/verify/recommendation.ts';
import { openDb } from '../store/db.ts';
import { readInventory } from '../store/inventory.ts';
import { readEdgeTraffic, readExternalNames } from '../store/recommend-read.ts';
import { generatedDbFile } from './lib/generated-cluster.ts';
import { formatSpread, spread } from './lib/paired-rounds.ts';

const ENGINE = (process.env.BENCH_VERIFY_ENGINE ?? 'cilium') as EngineName;
const EDGES = Number(process.env.BENCH_VERIFY_EDGES ?? 200_000);
const WORKLOADS = Number(process.env.BENCH_VERIFY_WORKLOADS ?? 2000);
const ROUNDS = Number(process.env.BENCH_VERIFY_ROUNDS ?? 5);
const PODS = process.env.BENCH_VERIFY_PODS === undefined ? undefined : Number(process.env.BENCH_VERIFY_PODS);

/** CPU time (user + system) of `f`, in ms. */
function cpu(f: () => unknown): number {
  const c = process.cpuUsage();
  f();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'flowmatrix-bench-verify-'));
try {
  const path = process.env.BENCH_VERIFY_DB ?? join(dir, 'bench.db');
  generatedDbFile(path, { workloads: WORKLOADS, edges: EDGES, ...(PODS !== undefined ? { pods: PODS } : {}) }, (p) => openDb(p));
  const db = openDb(path);
  const inventory = readInventory(db);
  const input = {
    inventory,
    edges: readEdgeTraffic(db),
    matrices: mergeMatrices(loadCatalog().map((c) => c.matrix), []).entries.map((e) => resolveMatrix(e, inventory, {})),
    externalNames: readExternalNames(db),
  };
  db.close();
  console.log(`verification phases (${ENGINE}): ${WORKLOADS} workloads${PODS !== undefined ? ` of ${PODS} pods` : ''}, ${input.edges.length} edges; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const warm = recommend(input, {}, { details: false });
  verifyRecommendation({ engine: ENGINE, emitted: getEngine(ENGINE).emit(warm.policySet), model: clusterModel(inventory, input.externalNames), applied: [], sides: warm.sides, simulator: SIMULATORS[ENGINE], warnings: [], tightness: false });
  const ratios: number[] = [];
  const shares = { admission: [] as number[], build: [] as number[], sides: [] as number[] };
  for (let round = 1; round <= ROUNDS; round++) {
    let rec = recommend(input, {}, { details: false });
    const plain = cpu(() => {
      rec = recommend(input, {}, { details: false });
      getEngine(ENGINE).emit(rec.policySet);
    });
    const model = clusterModel(inventory, input.externalNames);
    // Each part on manifests emitted afresh: the admission answers are remembered per manifest object.
    const forAdmission = getEngine(ENGINE).emit(rec.policySet).manifests;
    const admission = cpu(() => manifestErrors(forAdmission));
    const forBuild = getEngine(ENGINE).emit(rec.policySet).manifests;
    manifestErrors(forBuild); // as in the verification, the simulator then finds the admission answers worked out
    const build = cpu(() => SIMULATORS[ENGINE](forBuild, model.cluster));
    const emitted = getEngine(ENGINE).emit(rec.policySet);
    const all = cpu(() => verifyRecommendation({ engine: ENGINE, emitted, model, applied: [], sides: rec.sides, simulator: SIMULATORS[ENGINE], warnings: [], tightness: false }));
    const sides = all - admission - build;
    ratios.push(1 + all / plain);
    shares.admission.push((admission / plain) * 100);
    shares.build.push((build / plain) * 100);
    shares.sides.push((sides / plain) * 100);
    const share = (x: number): string => `${x.toFixed(0)} ms (${((x / plain) * 100).toFixed(0)}%)`;
    console.log(
      `  round ${round}: recommend + emit ${plain.toFixed(0)} ms CPU; verification ${all.toFixed(0)} ms = ${(1 + all / plain).toFixed(2)}× with it: admission ${share(admission)}, build ${share(build)}, sides ${share(sides)} of recommend + emit`,
    );
  }
  const pct = (xs: number[]): string => formatSpread(spread(xs), '%', 0);
  console.log(
    `  over ${ROUNDS} rounds: with verification ${formatSpread(spread(ratios))} recommend + emit (target ≤ 1.5×); ` +
      `admission ${pct(shares.admission)}, build ${pct(shares.build)}, sides ${pct(shares.sides)} of recommend + emit`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
