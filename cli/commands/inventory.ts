import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { CliError } from '../io.ts';
import { withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandContext, CommandModule } from '../command.ts';
import { timeFlag } from '../time-flag.ts';

interface ImportOptions extends DbOptions {
  takenAt?: string;
}

async function readInput(file: string, ctx: CommandContext): Promise<string> {
  if (file !== '-') {
    try {
      return await readFile(file, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function parseTakenAt(value: string | undefined): number {
  if (value === undefined) return Date.now();
  return timeFlag('--taken-at', value);
}

async function importInventoryFile(file: string, opts: ImportOptions, ctx: CommandContext): Promise<void> {
  const takenAt = parseTakenAt(opts.takenAt);
  const text = await readInput(file, ctx);
  const source = file === '-' ? 'stdin' : file;
  // Loaded when the command runs: the converters and the progress bar are not needed to start the CLI.
  const { importInventory } = await import('../../app/inventory.ts');
  const { perSecond, progressBar } = await import('../progress.ts');
  // The import is one transaction, run synchronously: the bar says what is under way, then what was done.
  const bar = progressBar(ctx.io, { format: 'inventory import {phase} | {records} objects | {rate} objects/s | {workloads} workloads', fields: { phase: `${(text.length / 1e6).toFixed(1)} MB read, importing…`, records: '…', rate: '…', workloads: '…' } });
  const started = Date.now();
  let summary;
  try {
    summary = await withOpenDb(opts, (db) => importInventory(db, { text, takenAt, source }), { write: true });
    const records = Object.values(summary.objects).reduce((a, b) => a + b, 0);
    bar.update(0, { phase: 'done', records, rate: perSecond(records, started), workloads: summary.workloads.inSnapshot });
  } finally {
    bar.stop();
  }
  ctx.io.out(`${JSON.stringify(summary, null, 2)}\n`);
  for (const w of summary.warnings) ctx.io.err(`warning: ${w}\n`);
}

export const inventoryCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  const inventory = program.command('inventory').description('the cluster inventory: workloads, Services, nodes, IP history, applied policies');
  withDb(
    inventory
      .command('import')
      .description('import a `kubectl get pods,services,endpointslices,nodes,namespaces,networkpolicies,deployments,… -A -o json|yaml` List, or a YAML stream of objects')
      .argument('<file>', 'JSON or YAML file, - for stdin')
      .addOption(new Option('--taken-at <time>', 'when the export was taken (RFC 3339); default: now')),
  ).action(async (file: string, opts: ImportOptions) => importInventoryFile(file, opts, ctx));
};
