/**
 * Where the verification's cost goes (issue 12, target ≤ 1.5× recommend + emit): on the bench's
 * generated cluster (bench/lib/generated-cluster.ts), per round the CPU time of recommend + emit
 * alone, then of the three parts of `verifyRecommendation` as `flowmatrix export` runs it (no
 * tightness probes), each on freshly emitted manifests:
 * - admission: schema (ajv) + the engine's admission checks of every manifest (`manifestErrors`);
 * - build: the engine's simulator built from the manifests (the admission answers it asks for
 *   already worked out, as in the verification);
 * - sides: the rest of the verification, i.e. every observed edge side simulated.
 * One untimed verification first pays the one-off costs (schema compile, process-wide parse
 * caches), as the rounds of bench/recommend.ts after its first do. CPU time: on a shared machine the wall time
 * mostly measures waiting for a core.
 * Env: BENCH_VERIFY_ENGINE (default cilium), BENCH_VERIFY_EDGES (default 200000),
 * BENCH_VERIFY_WORKLOADS (default 2000), BENCH_VERIFY_ROUNDS (default 4), BENCH_VERIFY_DB=PATH
 * keeps the generated database (shared with BENCH_RECOMMEND_DB of the same size).
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

const ENGINE = (process.env.BENCH_VERIFY_ENGINE ?? 'cilium') as EngineName;
const EDGES = Number(process.env.BENCH_VERIFY_EDGES ?? 200_000);
const WORKLOADS = Number(process.env.BENCH_VERIFY_WORKLOADS ?? 2000);
const ROUNDS = Number(process.env.BENCH_VERIFY_ROUNDS ?? 4);

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
  generatedDbFile(path, { workloads: WORKLOADS, edges: EDGES }, (p) => openDb(p));
  const db = openDb(path);
  const inventory = readInventory(db);
  const input = {
    inventory,
    edges: readEdgeTraffic(db),
    matrices: mergeMatrices(loadCatalog().map((c) => c.matrix), []).entries.map((e) => resolveMatrix(e, inventory, {})),
    externalNames: readExternalNames(db),
  };
  db.close();
  console.log(`verification phases (${ENGINE}): ${WORKLOADS} workloads, ${input.edges.length} edges; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const warm = recommend(input, {}, { details: false });
  verifyRecommendation({ engine: ENGINE, emitted: getEngine(ENGINE).emit(warm.policySet), model: clusterModel(inventory, input.externalNames), applied: [], sides: warm.sides, simulator: SIMULATORS[ENGINE], warnings: [], tightness: false });
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
    const share = (x: number): string => `${x.toFixed(0)} ms (${((x / plain) * 100).toFixed(0)}%)`;
    console.log(
      `  round ${round}: recommend + emit ${plain.toFixed(0)} ms CPU; verification ${all.toFixed(0)} ms = ${(1 + all / plain).toFixed(2)}× with it: admission ${share(admission)}, build ${share(build)}, sides ${share(sides)} of recommend + emit`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
