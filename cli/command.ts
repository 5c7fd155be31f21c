/** What every command module receives and registers: the contract between cli/main.ts, the registry and the commands. */
import type { Command } from 'commander';
import type { CliIo } from './io.ts';

/** What a command reports back besides its output. */
export interface CommandStatus {
  exitCode: number;
}

/** Where a command prints and where it reports its exit code. */
export interface CommandContext {
  io: CliIo;
  status: CommandStatus;
}

export type CommandModule = (program: Command, ctx: CommandContext) => void;
