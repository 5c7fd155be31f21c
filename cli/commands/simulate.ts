/**
 * `flowmatrix simulate --engine E --policies FILE --flows FILE`: one engine's verdict on each
 * flow under the given policies (app/simulate.ts), as a JSON array in input order. Pods,
 * namespaces, nodes and the apiserver come from the stored inventory. `-` reads stdin.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { SIMULATE_FLOW_FORMATS, type SimulateFlowFormat } from '../../app/simulate-formats.ts';
import { ENGINE_NAMES, type EngineName } from '../../recommender/engines/types.ts';
import { CliError, writePieces } from '../io.ts';
import { withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandContext, CommandModule } from '../command.ts';

interface SimulateOptions extends DbOptions {
  engine?: EngineName;
  policies: string;
  flows: string;
  format: SimulateFlowFormat;
}

async function readText(file: string, ctx: CommandContext): Promise<string> {
  if (file !== '-') {
    try {
      return await readFile(file, 'utf8');
    } catch (e) {
      throw new CliError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const c of ctx.io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export const simulateCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withDb(
    program
      .command('simulate')
      .description("decide each flow as an engine would under the given policies; prints a JSON array, one decision per flow, with the deciding policy and rule")
      .addOption(new Option('--engine <engine>', 'policy engine (default: inferred from the manifests’ kinds)').choices([...ENGINE_NAMES]))
      .requiredOption('--policies <file>', "manifests: a List, multi-document YAML or JSON ('-' = stdin)")
      .requiredOption('--flows <file>', "flow records (NDJSON, any ingest format) or `flowmatrix edges -o json` output ('-' = stdin)")
      .addOption(new Option('--format <format>', 'flow format').choices([...SIMULATE_FLOW_FORMATS]).default('auto')),
  ).action(async (opts: SimulateOptions) => {
    if (opts.policies === '-' && opts.flows === '-') throw new CliError("stdin ('-') can be given only once");
    const policies = await readText(opts.policies, ctx);
    const flows = await readText(opts.flows, ctx);
    const { simulateFlows } = await import('../../app/simulate.ts');
    const result = await withOpenDb(opts, (db) => simulateFlows(db, { policies, flows, format: opts.format, ...(opts.engine !== undefined ? { engine: opts.engine } : {}) }));
    // One decision per flow: written in pieces (as recommend's JSON), never as one string.
    const { jsonPieces } = await import('../../recommender/json-stream.ts');
    await writePieces(ctx.io, jsonPieces(result.decisions));
    ctx.io.out('\n');
    const counts = { allow: 0, deny: 0, unknown: 0 };
    for (const d of result.decisions) counts[d.verdict]++;
    ctx.io.err(`simulate: engine ${result.engine}, ${result.policies} polic${result.policies === 1 ? 'y' : 'ies'}, ${result.decisions.length} flow(s): ${counts.allow} allow, ${counts.deny} deny, ${counts.unknown} unknown\n`);
  });
};
