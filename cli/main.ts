import { Command, CommanderError } from 'commander';
import { AppError } from '../app/errors.ts';
import { cliMessage, exitCodeFor } from './errors.ts';
import { CliError, processIo, type CliIo } from './io.ts';
import type { CommandStatus } from './command.ts';
import { registerCommands } from './commands/index.ts';
import { refuseRepeatedOptions } from './single-value.ts';
import { VERSION } from '../app/version.ts';

/** The program with the commands `argv` needs (every command for the top-level help). */
export async function buildProgram(io: CliIo, status: CommandStatus, argv: readonly string[]): Promise<Command> {
  const program = new Command('flowmatrix')
    .description('Observed Kubernetes flows + documented communication matrices → least-privilege network policies')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();
  await registerCommands(program, { io, status }, argv);
  refuseRepeatedOptions(program);
  return program;
}

/** Runs the CLI and resolves to its exit code; never calls process.exit itself. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const status: CommandStatus = { exitCode: 0 };
  try {
    const program = await buildProgram(io, status, argv);
    await program.parseAsync(argv);
    return status.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof CliError) {
      io.err(`flowmatrix: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof AppError) {
      io.err(`flowmatrix: ${cliMessage(e)}\n`);
      return exitCodeFor(e);
    }
    io.err(`flowmatrix: ${(e as Error).message}\n`);
    return 1;
  }
}
