/**
 * `flowmatrix collect <source> --once [--config FILE]`: one pass of one collector, with the
 * collector's section of the service config (flags such as `--url` override it). Each source
 * is a subcommand module in cli/commands/collect/ (docs/operations.md, "Collectors").
 */
import { Option, type Command } from 'commander';
import { ConfigError, loadServiceConfig, type ResolvedConfig } from '../../server/config/load.ts';
import { CliError } from '../io.ts';
import { withDb, type DbOptions } from '../options.ts';
import type { CommandContext, CommandModule } from '../command.ts';
import { filesCollect } from './collect/files.ts';
import { hubbleCollect } from './collect/hubble.ts';

/** Registers one `collect <source>` subcommand on the `collect` command. */
export type CollectSubcommand = (collect: Command, ctx: CommandContext) => void;

const SOURCES: CollectSubcommand[] = [hubbleCollect, filesCollect];

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

/** The service config as `serve` would load it (flags > env > file > defaults). */
export function collectConfig(opts: CollectOptions): ResolvedConfig {
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

export const collectCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  const collect = program.command('collect').description('run one pass of a collector (the same collectors `serve` runs), then exit');
  for (const register of SOURCES) register(collect, ctx);
};
