/**
 * `flowmatrix recommend`: least-privilege policies per workload with their evidence (docs/design.md §5).
 * `--output yaml` prints the manifests (short explanation per policy in annotations);
 * `--output json` the full recommendation: statuses, evidence, manifests and warnings.
 */
import { writeJson } from '../../recommender/json-stream.ts';
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { ENGINE_NAMES, getEngine, isEngineName, toMultiDocYaml, type EmitResult } from '../../recommender/engines/index.ts';
import { parseMatricesConfig } from '../../recommender/matrix/config.ts';
import { MatrixError } from '../../recommender/matrix/load.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import { PolicyError } from '../../recommender/policy/build.ts';
import { recommend, RecommendError, type Recommendation } from '../../recommender/recommend.ts';
import { COMPARISON_STATUSES, type ComparisonStatus } from '../../recommender/compare/status.ts';
import { MODES, type Mode, type RecommendOptions } from '../../recommender/synthesize/options.ts';
import { readRecommendData } from '../../store/recommend-read.ts';
import { CliError } from '../io.ts';
import { withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandContext, CommandModule } from './index.ts';
import { resolveAll } from './matrix.ts';

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
    .option('--namespace <ns>', 'only workloads of this namespace')
    .addOption(new Option('--mode <mode>', 'where rules come from').choices([...MODES]).default('union'))
    .option('--no-egress', 'leave egress open (egress is restricted by default)')
    .option('--default-deny', 'add a namespace default-deny layer below the allowlists')
    .option('--shared', 'one shared policy per namespace for the rules all its workloads have')
    .option('--stale-days <n>', 'an edge not seen for this many days is stale', '30')
    .option('--include <statuses>', `statuses that become rules (comma-separated: ${COMPARISON_STATUSES.join(', ')})`)
    .option('--include-may', 'also include documented "may" rules that were not observed')
    .option('--now <time>', 'reference time (ISO 8601) for staleness; default the latest last-seen in the store')
    .option('--config <file>', 'cluster config (YAML) with a matrices: section');
}

function engineOf(opts: RecommendCliOptions): string {
  if (opts.engine === undefined) throw new CliError(`--engine is required: one of ${ENGINE_NAMES.join(', ')}`);
  if (!isEngineName(opts.engine)) throw new CliError(`unknown engine "${opts.engine}": expected one of ${ENGINE_NAMES.join(', ')}`);
  return opts.engine;
}

export function toRecommendOptions(opts: RecommendCliOptions): Partial<RecommendOptions> {
  const out: Partial<RecommendOptions> = { mode: (opts.mode ?? 'union') as Mode, egress: opts.egress !== false, defaultDeny: opts.defaultDeny === true, shared: opts.shared === true, includeMay: opts.includeMay === true };
  const days = opts.staleDays ?? '30';
  if (!/^\d+$/.test(days) || Number(days) < 1) throw new CliError(`--stale-days: expected an integer ≥ 1, got "${days}"`);
  out.staleDays = Number(days);
  if (opts.include !== undefined) {
    const list = opts.include.split(',').map((s) => s.trim()).filter(Boolean);
    for (const s of list) if (!(COMPARISON_STATUSES as readonly string[]).includes(s)) throw new CliError(`--include: "${s}" is not one of ${COMPARISON_STATUSES.join(', ')}`);
    out.include = list as ComparisonStatus[];
  }
  if (opts.now !== undefined) {
    const t = Date.parse(opts.now);
    if (!Number.isFinite(t)) throw new CliError(`--now: "${opts.now}" is not an ISO 8601 time`);
    out.now = t;
  }
  if (opts.namespace !== undefined) out.namespace = opts.namespace;
  if (opts.workload !== undefined) out.workload = opts.workload;
  return out;
}

async function readConfig(file: string | undefined): Promise<MatricesConfigT> {
  if (file === undefined) return {};
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseMatricesConfig(text, file);
  } catch (e) {
    if (e instanceof MatrixError) throw new CliError(e.message);
    throw e;
  }
}

/** Reads the store and computes the recommendation and the engine's manifests. */
export async function runRecommend(opts: RecommendCliOptions, details = true): Promise<{ rec: Recommendation; emitted: EmitResult }> {
  const engine = engineOf(opts);
  const options = toRecommendOptions(opts);
  const config = await readConfig(opts.config);
  return withOpenDb(opts, (db) => {
    try {
      const rec = recommend({ ...readRecommendData(db, { details }), matrices: resolveAll(db, config) }, options, { details });
      return { rec, emitted: getEngine(engine).emit(rec.policySet) };
    } catch (e) {
      if (e instanceof RecommendError || e instanceof PolicyError) throw new CliError(e.message);
      throw e;
    }
  });
}

export function warningLines(emitted: EmitResult, rec: Recommendation): string[] {
  return [
    ...rec.warnings,
    ...rec.workloads.flatMap((w) => w.warnings.map((m) => `${w.workload.namespace}/${w.workload.kind}/${w.workload.name}: ${m}`)),
    ...emitted.warnings.map((w) => `${w.intent}: ${w.code}: ${w.message}`),
  ];
}

export const recommendCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withRecommendOptions(program.command('recommend').description('least-privilege policies per workload, every rule explained by its evidence'))
    .option('--workload <name>', 'only this workload (name or Kind/name)')
    .addOption(new Option('--output <format>', 'yaml: manifests; json: statuses, evidence, manifests, warnings').choices(['yaml', 'json']).default('yaml'))
    .action(async (opts: RecommendCliOptions & { output: string }) => {
      const { rec, emitted } = await runRecommend(opts, opts.output === 'json');
      if (opts.output === 'json') {
        // Streamed: a whole cluster's evidence can outgrow the longest string Node can build.
        writeJson({ engine: emitted.engine, ...rec, manifests: emitted.manifests, engineWarnings: emitted.warnings }, ctx.io.out);
        ctx.io.out('\n');
        return;
      }
      ctx.io.out(toMultiDocYaml(emitted.manifests));
      for (const line of warningLines(emitted, rec)) ctx.io.err(`warning: ${line}\n`);
    });
};
