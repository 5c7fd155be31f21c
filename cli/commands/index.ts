/**
 * The command registry. A command module is imported only when the command line names it (all of
 * them for `flowmatrix --help`, an unknown command or none), so starting one command never pays
 * for another's definitions; each module in turn loads what its action runs when it runs
 * (test/integration/cli-startup.test.ts holds `--help` to that).
 */
import type { Command } from 'commander';
import type { CommandContext, CommandModule } from '../command.ts';

/** In the order `flowmatrix --help` lists them. */
const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<CommandModule>]> = [
  ['inventory', async () => (await import('./inventory.ts')).inventoryCommand],
  ['ingest', async () => (await import('./ingest.ts')).ingestCommand],
  ['edges', async () => (await import('./edges.ts')).edgesCommand],
  ['matrix', async () => (await import('./matrix.ts')).matrixCommand],
  ['recommend', async () => (await import('./recommend.ts')).recommendCommand],
  ['export', async () => (await import('./export.ts')).exportCommand],
  ['simulate', async () => (await import('./simulate.ts')).simulateCommand],
  ['collect', async () => (await import('./collect.ts')).collectCommand],
  ['serve', async () => (await import('./serve.ts')).serveCommand],
  ['demo', async () => (await import('./demo.ts')).demoCommand],
  ['report', async () => (await import('./report.ts')).reportCommand],
  ['version', async () => (await import('./version.ts')).versionCommand],
];

export const COMMAND_NAMES: readonly string[] = COMMANDS.map(([name]) => name);

/**
 * The command `argv` (process.argv: node, script, args…) runs, or undefined when it runs none or
 * one this registry does not know. The program's own options (-h, -V) take no value, so the
 * first argument that is not an option names the command; `help NAME` is NAME's help.
 */
export function commandNamed(argv: readonly string[]): string | undefined {
  const args = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = args[0] === 'help' ? args[1] : args[0];
  return name !== undefined && COMMAND_NAMES.includes(name) ? name : undefined;
}

/** Registers the command `argv` names, or every command when it names none. */
export async function registerCommands(program: Command, ctx: CommandContext, argv: readonly string[]): Promise<void> {
  const named = commandNamed(argv);
  const chosen = COMMANDS.filter(([name]) => named === undefined || name === named);
  for (const register of await Promise.all(chosen.map(([, load]) => load()))) register(program, ctx);
}
