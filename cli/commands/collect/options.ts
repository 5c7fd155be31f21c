/**
 * What every `collect <source>` subcommand shares: its options (`--db`, `--config`, `--once`) and
 * the service config it runs with. Apart from cli/commands/collect.ts so that the subcommands it
 * registers do not import it back (an import cycle).
 */
import { Option, type Command } from 'commander';
import type { ResolvedConfig } from '../../../server/config/load.ts';
import { CliError } from '../../io.ts';
import { withDb, type DbOptions } from '../../options.ts';
import type { CommandContext } from '../../command.ts';

/** Registers one `collect <source>` subcommand on the `collect` command. */
export type CollectSubcommand = (collect: Command, ctx: CommandContext) => void;

export interface CollectOptions extends DbOptions {
  config?: string;
  once?: boolean;
}

/** The options every `collect <source>` takes: `--db`, `--config`, `--once`. */
export function collectSubcommand(collect: Command, name: string, description: string): Command {
  return withDb(
    collect
      .command(name)
      .description(description)
      .addOption(new Option('--config <file>', 'service config (YAML; env FLOWMATRIX_CONFIG): its collectors.' + name + ' section'))
      .addOption(new Option('--once', 'run one pass and exit (the only mode outside `serve`)').makeOptionMandatory()),
  );
}

/** The service config as `serve` would load it (flags > env > file > defaults); its loader is imported when a collector runs. */
export async function collectConfig(opts: CollectOptions): Promise<ResolvedConfig> {
  const { ConfigError, loadServiceConfig } = await import('../../../server/config/load.ts');
  try {
    const load: Parameters<typeof loadServiceConfig>[0] = {};
    if (opts.config !== undefined) load.file = opts.config;
    if (opts.db !== undefined) load.dbPath = opts.db;
    return loadServiceConfig(load);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}
