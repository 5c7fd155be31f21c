import { Command, CommanderError } from 'commander';
import { CliError, processIo, type CliIo } from './io.ts';
import { registerCommands } from './commands/index.ts';

/** What a command reports back besides its output. */
export interface CommandStatus {
  exitCode: number;
}

export function buildProgram(io: CliIo, status: CommandStatus): Command {
  const program = new Command('flowmatrix')
    .description('Observed Kubernetes flows + documented communication matrices → least-privilege network policies')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();
  registerCommands(program, { io, status });
  return program;
}

/** Runs the CLI and resolves to its exit code; never calls process.exit itself. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const status: CommandStatus = { exitCode: 0 };
  const program = buildProgram(io, status);
  try {
    await program.parseAsync(argv);
    return status.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof CliError) {
      io.err(`flowmatrix: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`flowmatrix: ${(e as Error).message}\n`);
    return 1;
  }
}
