/**
 * `flowmatrix report [-o markdown|html|json]`: build the report now (docs/design.md §5), print it and
 * store it (as POST /api/v1/reports does) so the service lists it. Engine, options and retention
 * come from the service config's `reports:` section unless given as flags.
 */
import { Option, type Command } from 'commander';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { MODES, type Mode } from '../../recommender/synthesize/options.ts';
import { REPORT_FORMATS, type ReportFormat } from '../../reports/render/formats.ts';
import type { BuildOptions } from '../../app/reports.ts';
import type { LoadOptions } from '../../server/config/load.ts';
import { CliError } from '../io.ts';
import { namespaceOption, outputOption, withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandContext, CommandModule } from '../command.ts';
import { timeFlag } from '../time-flag.ts';

interface ReportCliOptions extends DbOptions {
  output: ReportFormat;
  /** The flag's old name, kept hidden so existing scripts keep working. */
  format?: ReportFormat;
  engine?: string;
  mode?: Mode;
  egress?: boolean;
  shared?: boolean;
  defaultDeny?: boolean;
  namespace?: string;
  staleDays?: string;
  now?: string;
  generatedAt?: string;
  config?: string;
  store: boolean;
}

export const reportCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withDb(program.command('report').description('build the report now: what needs attention, per namespace and system, ingest health, drift'))
    .addOption(outputOption(REPORT_FORMATS, 'markdown'))
    .addOption(new Option('--format <format>', 'the old name of --output').choices([...REPORT_FORMATS]).conflicts('output').hideHelp())
    .addOption(new Option('--engine <engine>', `policy engine (default: reports.engine of the config, else kubernetes): ${ENGINE_NAMES.join(', ')}`))
    .addOption(new Option('--mode <mode>', 'where rules come from (default: reports.mode, else union)').choices([...MODES]))
    .option('--no-egress', 'leave egress open (default: reports.egress, else restricted)')
    .option('--shared', 'recommend with the shared layers, as `export --shared` (default: reports.shared): the drift then compares what you apply')
    .option('--no-shared', 'without them, whatever reports.shared says')
    .option('--default-deny', 'recommend with the namespace default-deny layer, as `export --default-deny` (default: reports.defaultDeny)')
    .option('--no-default-deny', 'without it, whatever reports.defaultDeny says')
    .addOption(namespaceOption())
    .option('--stale-days <n>', 'an edge not seen for this many days is stale (default: recommendations.staleDays, else 30)')
    .option('--now <time>', 'reference time (RFC 3339) for staleness; default the latest last-seen in the store')
    .option('--generated-at <time>', 'the time to print as "generated" (RFC 3339; default the clock), for reproducible output')
    .option('--config <file>', 'service config (YAML; env FLOWMATRIX_CONFIG): matrices:, reports:, recommendations:')
    .option('--no-store', 'do not keep the report in the database')
    .action(async (opts: ReportCliOptions, cmd: Command) => {
      const { ConfigError, loadServiceConfig } = await import('../../server/config/load.ts');
      let config;
      try {
        const load: LoadOptions = {};
        if (opts.config !== undefined) load.file = opts.config;
        if (opts.db !== undefined) load.dbPath = opts.db;
        config = loadServiceConfig(load);
      } catch (e) {
        if (e instanceof ConfigError) throw new CliError(e.message);
        throw e;
      }
      const format = cmd.getOptionValueSource('output') === 'cli' || opts.format === undefined ? opts.output : opts.format;
      // Loaded here, not at start-up: the other commands do not need the recommender.
      const { engineNamed } = await import('../../app/recommendation.ts');
      const { ReportService } = await import('../../app/reports.ts');
      const { withConfigOrigin } = await import('../../app/matrices.ts');
      const { renderReport } = await import('../../reports/render/index.ts');
      const { heapGrowthForEdges } = await import('../heap-growth.ts');
      const { countEdges } = await import('../../store/recommend-read.ts');
      const engine = opts.engine === undefined ? undefined : engineNamed(opts.engine);
      let staleDays = config.staleDays;
      if (opts.staleDays !== undefined) {
        if (!/^\d+$/.test(opts.staleDays) || Number(opts.staleDays) < 1) throw new CliError(`--stale-days: expected an integer ≥ 1, got "${opts.staleDays}"`);
        staleDays = Number(opts.staleDays);
      }
      const build: BuildOptions = { trigger: 'manual', generatedAt: opts.generatedAt !== undefined ? timeFlag('--generated-at', opts.generatedAt) : Date.now() };
      if (engine !== undefined) build.engine = engine;
      if (opts.mode !== undefined) build.mode = opts.mode;
      // commander sets egress=true by default for --no-egress: only an explicit flag overrides the config.
      if (cmd.getOptionValueSource('egress') === 'cli') build.egress = opts.egress !== false;
      // Defined both ways, the flags have no default: only a flag given overrides the config.
      if (opts.shared !== undefined) build.shared = opts.shared;
      if (opts.defaultDeny !== undefined) build.defaultDeny = opts.defaultDeny;
      if (opts.namespace !== undefined) build.namespace = opts.namespace;
      if (opts.now !== undefined) build.now = timeFlag('--now', opts.now);

      // config.dbPath: --db > FLOWMATRIX_DB > database.path of the config > ./data/flowmatrix.db, as for serve.
      const { requireWorkloads } = await import('../../app/selection-check.ts');
      const { text, stored } = await withOpenDb({ db: config.dbPath }, (db) => {
        // An empty store or a namespace nothing knows is said, as recommend and export say it, never an empty report.
        requireWorkloads(db, { ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}) });
        // Like an export, a report frees each workload's evidence and each chunk's manifests as it goes.
        heapGrowthForEdges(countEdges(db));
        const service = new ReportService({ db, settings: config.reports, staleDays, matrices: withConfigOrigin(config.matrices, config.origin), clock: Date.now });
        const report = service.build(build);
        return { text: renderReport(report, format), stored: opts.store ? service.save(report) : undefined };
      }, { write: true });
      ctx.io.out(text);
      if (stored) ctx.io.err(`report ${stored.id} stored (keeping the newest ${config.reports.retention} built by hand)\n`);
    });
};
