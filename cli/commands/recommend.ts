/**
 * `flowmatrix recommend`: least-privilege policies per workload with their evidence (docs/design.md §5).
 * `--output yaml` prints the manifests (short explanation per policy in annotations);
 * `--output json` the full recommendation: statuses, evidence, manifests and warnings.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { VerifiedExport } from '../../app/export.ts';
import type { RecommendationRequest, RecommendationResult } from '../../app/recommendation.ts';
import { parseIncludeList } from '../../app/include-list.ts';
import { COMPARISON_STATUSES } from '../../recommender/compare/status.ts';
import { ENGINE_NAMES, type EngineName } from '../../recommender/engines/types.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { RecommendOptions } from '../../recommender/recommend.ts';
import type { EdgeFinding, Tightness } from '../../recommender/verify/recommendation.ts';
import type { Db } from '../../store/db.ts';
import { MODES, type Mode } from '../../recommender/synthesize/options.ts';
import { CliError, writePieces } from '../io.ts';
import { positiveIntFlag } from '../integer-flag.ts';
import { namespaceOption, outputOption, withDb, withOpenDb, type DbOptions } from '../options.ts';
import { nothingFor } from '../../app/selection.ts';
import { workloadArg } from '../selection.ts';
import type { CommandContext, CommandModule } from '../command.ts';
import { timeFlag } from '../time-flag.ts';

export interface RecommendCliOptions extends DbOptions {
  engine?: string;
  namespace?: string;
  workload?: string;
  mode?: string;
  egress?: boolean;
  defaultDeny?: boolean;
  shared?: boolean;
  staleDays?: string;
  include?: string;
  includeMay?: boolean;
  now?: string;
  config?: string;
}

/** The options `recommend` and `export` share (the REST API takes the same as query parameters). */
export function withRecommendOptions(cmd: Command): Command {
  return withDb(cmd)
    .addOption(new Option('--engine <engine>', `policy engine: ${ENGINE_NAMES.join(', ')}`))
    .addOption(namespaceOption())
    .option('--workload <name>', 'only this workload: name, or kind/name as kubectl writes it (deployment/web, sts/db)')
    .addOption(new Option('--mode <mode>', 'where rules come from').choices([...MODES]).default('union'))
    .option('--no-egress', 'leave egress open (egress is restricted by default)')
    .option('--default-deny', 'add a namespace default-deny layer below the allowlists')
    .option('--shared', 'one shared policy per namespace for the rules all its workloads have')
    .option('--stale-days <n>', 'an edge not seen for this many days is stale', '30')
    .option('--include <statuses>', `statuses that become rules (comma-separated: ${COMPARISON_STATUSES.join(', ')})`)
    .option('--include-may', 'also include documented "may" rules that were not observed')
    .option('--now <time>', 'reference time (RFC 3339) for staleness; default the latest last-seen in the store')
    .option('--config <file>', 'cluster config (YAML) with a matrices: section');
}

/**
 * The use cases, loaded when a command runs rather than when the CLI starts: the recommender and
 * the matrix schemas are most of the start-up time, and `--help` or `edges` need neither.
 */
const recommendation = () => import('../../app/recommendation.ts');
const matrices = () => import('../../app/matrices.ts');

async function engineOf(opts: RecommendCliOptions): Promise<EngineName> {
  if (opts.engine === undefined) throw new CliError(`--engine is required: one of ${ENGINE_NAMES.join(', ')}`);
  return (await recommendation()).engineNamed(opts.engine);
}

/** The flags, parsed and checked, as the request the use case takes. */
export function recommendationRequest(opts: RecommendCliOptions): RecommendationRequest {
  const req: RecommendationRequest = { mode: (opts.mode ?? 'union') as Mode, egress: opts.egress !== false, defaultDeny: opts.defaultDeny === true, shared: opts.shared === true, includeMay: opts.includeMay === true };
  const days = opts.staleDays ?? '30';
  if (!/^\d+$/.test(days) || Number(days) < 1) throw new CliError(`--stale-days: expected an integer ≥ 1, got "${days}"`);
  req.staleDays = Number(days);
  if (opts.include !== undefined) {
    const parsed = parseIncludeList(opts.include);
    if ('problem' in parsed) throw new CliError(`--include "${opts.include}": ${parsed.problem}`);
    req.include = parsed.statuses;
  }
  if (opts.now !== undefined) {
    req.now = timeFlag('--now', opts.now);
  }
  if (opts.namespace !== undefined) req.namespace = opts.namespace;
  if (opts.workload !== undefined) req.workload = workloadArg(opts.workload);
  return req;
}

async function readConfig(file: string | undefined): Promise<MatricesConfigT> {
  if (file === undefined) return {};
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return (await matrices()).matricesConfigFromText(text, file);
}

/** Reads the flags and the config, opens the store, checks the selection names something, and runs `use` on them. */
async function withRecommendRun<T>(opts: RecommendCliOptions, use: (db: Db, engine: EngineName, config: MatricesConfigT, options: Partial<RecommendOptions>) => T): Promise<T> {
  const engine = await engineOf(opts);
  const request = recommendationRequest(opts);
  const config = await readConfig(opts.config);
  const { recommendOptions } = await recommendation();
  const { requireWorkloads } = await import('../../app/selection-check.ts');
  return withOpenDb(opts, (db) => {
    requireWorkloads(db, { namespace: request.namespace, workload: request.workload });
    return use(db, engine, config, recommendOptions(request));
  });
}

/** Reads the store and computes the recommendation with its evidence and the engine's manifests. */
/** `--max-edges`, as `recommend` and `export` take it. */
export function maxEdgesOption(): Option {
  return new Option('--max-edges <n>', 'refuse a store with more edges than this before reading it, rather than risk running out of memory (default 1000000)').argParser(positiveIntFlag('--max-edges'));
}

export async function runRecommend(opts: RecommendCliOptions, maxEdges?: number): Promise<RecommendationResult> {
  const { recommendFromStore } = await recommendation();
  return withRecommendRun(opts, (db, engine, config, options) => recommendFromStore(db, config, engine, options, maxEdges !== undefined ? { maxEdges } : {}));
}

/** Reads the store and exports the engine's manifests (app/export.ts): verified in chunks, rendered again when written; with `tightness`, measured too. */
export async function runExport(opts: RecommendCliOptions, maxEdges?: number, tightness = false): Promise<VerifiedExport> {
  const { exportFromStore } = await import('../../app/export.ts');
  // Chunk after chunk becomes garbage: in a large export, collected at half again what is kept, not at up to 4×.
  const { heapGrowthForEdges } = await import('../heap-growth.ts');
  return withRecommendRun(opts, (db, engine, config, options) => exportFromStore(db, config, engine, options, { storeSize: heapGrowthForEdges, ...(maxEdges !== undefined ? { maxEdges } : {}), ...(tightness ? { tightness } : {}) }));
}

/**
 * Each workload side's tightness as a table, in the verification's order (workload, side): allowed
 * ÷ observed (peer, port) pairs to 2 decimals, `unbounded` where nothing was observed and something
 * is allowed (docs/recommend.md "Verification", 3). Nothing when no side is restricted.
 */
export async function tightnessText(figures: readonly Tightness[]): Promise<string> {
  if (figures.length === 0) return '';
  const { table } = await import('../table.ts');
  const { tightnessText: ratio } = await import('../../reports/render/view.ts');
  const rows = figures.map((f) => [f.workload, f.direction, String(f.observed), String(f.allowed), ratio(f)]);
  return `tightness: allowed ÷ observed (peer, port) pairs per workload side (the notes: -o json)\n${table(['WORKLOAD', 'SIDE', 'OBSERVED', 'ALLOWED', 'TIGHTNESS'], rows)}`;
}

/** What the warnings and the verification verdict of a run are read from: a recommendation or an export. */
type VerifiedRun = Pick<RecommendationResult, 'rec' | 'verification'> & { emitted: Pick<RecommendationResult['emitted'], 'engine' | 'warnings'> };

export function warningLines({ emitted, rec, verification }: VerifiedRun, opts: { namespace?: string; workload?: string } = {}): string[] {
  return [
    ...(rec.workloads.length === 0 ? [nothingFor({ namespace: opts.namespace, workload: opts.workload }, 'workloads')] : []),
    ...rec.warnings,
    ...rec.workloads.flatMap((w) => w.warnings.map((m) => `${w.workload.namespace}/${w.workload.kind}/${w.workload.name}: ${m}`)),
    ...emitted.warnings.map((w) => `${w.intent}: ${w.code}: ${w.message}`),
    ...verificationWarningsNotSaid(rec, verification),
    ...verification.blockedByApplied.map((b) => `${b.workload} ${b.direction} ${b.edge}: allowed by the recommendation but denied ${deniedWhere(b)} (${b.reason})`),
    ...verification.stillAllowed.filter((s) => s.byApplied).map((s) => `${s.workload} ${s.direction} ${s.edge}: ${s.reason}`),
  ];
}

/** Where and by what a blockedByApplied finding was denied: at the run's side, at a node's host endpoint, at a workload outside the run. */
function deniedWhere(b: EdgeFinding): string {
  const by = `by the applied ${b.by?.policy ?? 'policies'}`;
  if (b.hostEndpoint !== undefined) return `at the other end (a node's host endpoint, its ${b.hostEndpoint}) ${by}`;
  if (b.farSide !== undefined) return `at the other end (a workload outside the run, its ${b.farSide})${b.by !== undefined ? ` ${by}` : ''}`;
  return by;
}

/**
 * The verification's warnings, less the must flows it cannot judge that a workload's warnings
 * already say word for word (synthesize/workload.ts gives both the same text): said once, beside
 * the workload it is of. The JSON keeps them in both places (docs/recommend.md "Verification").
 */
function verificationWarningsNotSaid(rec: VerifiedRun['rec'], verification: VerifiedRun['verification']): string[] {
  const unverified = new Set(verification.unverifiedMustFlows);
  const ofWorkloads = new Set(rec.workloads.flatMap((w) => w.warnings));
  return verification.warnings.filter((m) => !(unverified.has(m) && ofWorkloads.has(m)));
}

/**
 * Manifests that fail verification are not printed as if they were fine: the failures go to
 * stderr and the exit code is 2, unless --allow-unverified asks for the manifests anyway.
 * True when the manifests may be written.
 */
export async function verifiedOrReported(result: VerifiedRun, allowUnverified: boolean | undefined, ctx: CommandContext): Promise<boolean> {
  if (result.verification.ok) return true;
  for (const line of (await recommendation()).verificationFailures(result.verification)) ctx.io.err(`verification failed: ${line}\n`);
  ctx.status.exitCode = 2;
  if (allowUnverified) {
    ctx.io.err('flowmatrix: --allow-unverified: the manifests below FAIL verification\n');
    return true;
  }
  ctx.io.err(`flowmatrix: the ${result.emitted.engine} manifests fail verification (above) and are not printed; --allow-unverified prints them anyway\n`);
  return false;
}

export const recommendCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withRecommendOptions(program.command('recommend').description('least-privilege policies per workload, every rule explained by its evidence'))
    .addOption(outputOption(['yaml', 'json'], 'yaml', 'yaml: manifests; json: statuses, evidence, manifests, warnings, verification'))
    .option('--allow-unverified', 'print manifests even when they fail verification (exit code 2 all the same)')
    .addOption(maxEdgesOption())
    .action(async (opts: RecommendCliOptions & { output: string; allowUnverified?: boolean; maxEdges?: number }) => {
      if (opts.output === 'yaml') {
        // The manifests alone, as `export` writes them (app/export.ts): any cluster size.
        const result = await runExport(opts, opts.maxEdges, true);
        if (await verifiedOrReported(result, opts.allowUnverified, ctx)) {
          const { multiDocYamlPieces } = await import('../../recommender/engines/yaml.ts');
          await writePieces(ctx.io, multiDocYamlPieces(result.manifests()));
        }
        for (const line of warningLines(result, opts)) ctx.io.err(`warning: ${line}\n`);
        ctx.io.err(await tightnessText(result.verification.tightness));
        return;
      }
      const result = await runRecommend(opts, opts.maxEdges);
      // Streamed: a whole cluster's evidence can outgrow the longest string Node can build.
      // The verification is in the JSON; a failed one also sets the exit code.
      const { jsonPieces } = await import('../../recommender/json-stream.ts');
      await writePieces(ctx.io, jsonPieces((await recommendation()).recommendationJson(result)));
      ctx.io.out('\n');
      if (!result.verification.ok) ctx.status.exitCode = 2;
      if (result.rec.workloads.length === 0) ctx.io.err(`warning: ${nothingFor(opts, 'workloads')}\n`);
    });
};
