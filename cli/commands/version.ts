/** `flowmatrix version` (kubectl's habit; `-V, --version` prints the same number). */
import type { Command } from 'commander';
import { VERSION } from '../../app/version.ts';
import type { CommandContext, CommandModule } from '../command.ts';

export const versionCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  program
    .command('version')
    .description('print the flowmatrix version')
    .action(() => ctx.io.out(`flowmatrix ${VERSION}\n`));
};
