/**
 * `flowmatrix collect <source> --once [--config FILE]`: one pass of one collector, with the
 * collector's section of the service config (flags such as `--url` override it). Each source
 * is a subcommand module in cli/commands/collect/ (docs/operations.md, "Collectors").
 */
import type { Command } from 'commander';
import type { CommandContext, CommandModule } from '../command.ts';
import { filesCollect } from './collect/files.ts';
import { hubbleCollect } from './collect/hubble.ts';
import { kubernetesSubcommand } from './collect/kubernetes.ts';
import type { CollectSubcommand } from './collect/options.ts';
import { prometheusCollect } from './collect/prometheus.ts';

export { collectConfig, collectSubcommand, type CollectOptions, type CollectSubcommand } from './collect/options.ts';

/** Every `collect <source>` subcommand, one module each in cli/commands/collect/. */
const SOURCES: CollectSubcommand[] = [kubernetesSubcommand, prometheusCollect, hubbleCollect, filesCollect];

export const collectCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  const collect = program.command('collect').description('run one pass of a collector (the same collectors `serve` runs), then exit');
  for (const register of SOURCES) register(collect, ctx);
};
