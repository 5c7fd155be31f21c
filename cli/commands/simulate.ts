/**
 * `flowmatrix simulate --engine E --policies FILE --flows FILE`: one engine's verdict on each
 * flow under the given policies (app/simulate.ts), as a JSON array in input order. Pods,
 * namespaces, nodes and the apiserver come from the stored inventory. `-` reads stdin.
 *
 * Flow records (NDJSON) are streamed: each line is decided as it is read and its decision
 * written at the pace of the output's reader, so a flow log of any size goes through in the
 * memory of one chunk. Edges JSON (`edges -o json`, one array) is read whole: its size is the
 * store's edges.
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import { SIMULATE_FLOW_FORMATS, type SimulateFlowFormat } from '../../app/simulate-formats.ts';
import type { FlowDecision, Simulation } from '../../app/simulate.ts';
import { ENGINE_NAMES, type EngineName } from '../../recommender/engines/types.ts';
import { CliError, writePaced, writePieces } from '../io.ts';
import { withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandContext, CommandModule } from '../command.ts';

interface SimulateOptions extends DbOptions {
  engine?: EngineName;
  policies: string;
  flows: string;
  format: SimulateFlowFormat;
}

const cannotRead = (file: string, e: unknown): CliError => new CliError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);

const asBuffer = (chunk: unknown): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));

async function readText(file: string, ctx: CommandContext): Promise<string> {
  if (file !== '-') {
    try {
      return await readFile(file, 'utf8');
    } catch (e) {
      throw cannotRead(file, e);
    }
  }
  const chunks: Buffer[] = [];
  for await (const c of ctx.io.stdin) chunks.push(asBuffer(c));
  return Buffer.concat(chunks).toString('utf8');
}

const BLANK = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The input's first non-blank character ('' for a blank input) and the input again from its
 * start: what was read to find that character is handed out first.
 */
async function peekFirst(input: NodeJS.ReadableStream): Promise<{ first: string; input: NodeJS.ReadableStream }> {
  const chunks = input[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let first = '';
  while (first === '') {
    const r = await chunks.next();
    if (r.done) break;
    const b = asBuffer(r.value);
    seen.push(b);
    const at = b.findIndex((byte) => !BLANK.has(byte));
    if (at >= 0) first = String.fromCharCode(b[at]!);
  }
  const again = async function* (): AsyncGenerator<Buffer> {
    yield* seen;
    for (let r = await chunks.next(); !r.done; r = await chunks.next()) yield asBuffer(r.value);
  };
  return { first, input: Readable.from(again()) };
}

type Counts = Record<'allow' | 'deny' | 'unknown', number>;

/** NDJSON flow records decided line by line; the output written as it is made, the reading paced by it. */
async function streamLines(sim: Simulation, input: NodeJS.ReadableStream, ctx: CommandContext, counts: Counts): Promise<number> {
  const { readLines, DEFAULT_MAX_LINE_LENGTH } = await import('../../collectors/flows/lines.ts');
  const { JsonArrayText } = await import('../../recommender/json-stream.ts');
  const array = new JsonArrayText();
  let decided = 0;
  let pending = '';
  const add = (d: FlowDecision): void => {
    counts[d.verdict]++;
    decided++;
    pending += array.item(d);
  };
  const flush = async (): Promise<void> => {
    if (pending === '') return;
    const text = pending;
    pending = '';
    await writePaced(ctx.io, text);
  };
  await readLines(
    input,
    {
      line: (text, line) => add(sim.decideLine(text, line, decided)),
      oversized: (line, length) => add({ index: decided, line, verdict: 'unknown', reason: `line of ${length} characters, over the ${DEFAULT_MAX_LINE_LENGTH} a flow record may have` }),
    },
    { afterChunk: flush },
  );
  pending += `${array.end()}\n`;
  await flush();
  return decided;
}

export const simulateCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withDb(
    program
      .command('simulate')
      .description("decide each flow as an engine would under the given policies; prints a JSON array, one decision per flow, with the deciding policy and rule")
      .addOption(new Option('--engine <engine>', 'policy engine (default: inferred from the manifests’ kinds)').choices([...ENGINE_NAMES]))
      .requiredOption('--policies <file>', "manifests: a List, multi-document YAML or JSON ('-' = stdin)")
      .requiredOption('--flows <file>', "flow records (NDJSON, any ingest format; streamed) or `flowmatrix edges -o json` output ('-' = stdin)")
      .addOption(new Option('--format <format>', 'flow format').choices([...SIMULATE_FLOW_FORMATS]).default('auto')),
  ).action(async (opts: SimulateOptions) => {
    if (opts.policies === '-' && opts.flows === '-') throw new CliError("stdin ('-') can be given only once");
    const policies = await readText(opts.policies, ctx);
    const { prepareSimulation, isEdgesInput } = await import('../../app/simulate.ts');
    const { openInput } = await import('../../collectors/flows/lines.ts');
    const counts: Counts = { allow: 0, deny: 0, unknown: 0 };
    const { engine, policyCount, decided } = await withOpenDb(opts, async (db) => {
      const sim = prepareSimulation(db, { policies, format: opts.format, ...(opts.engine !== undefined ? { engine: opts.engine } : {}) });
      for (const w of sim.warnings) ctx.io.err(`warning: ${w}\n`);
      const opened = await openInput(opts.flows, ctx.io.stdin).catch((e: unknown) => {
        throw cannotRead(opts.flows, e);
      });
      try {
        const { first, input } = await peekFirst(opened);
        let decided: number;
        if (isEdgesInput(opts.format, first)) {
          for (const w of sim.edgeWarnings) ctx.io.err(`warning: ${w}\n`);
          const chunks: Buffer[] = [];
          for await (const c of input) chunks.push(c as Buffer);
          const decisions = sim.decideEdges(Buffer.concat(chunks).toString('utf8'));
          for (const d of decisions) counts[d.verdict]++;
          const { jsonArrayPieces } = await import('../../recommender/json-stream.ts');
          await writePieces(ctx.io, jsonArrayPieces(decisions));
          ctx.io.out('\n');
          decided = decisions.length;
        } else decided = await streamLines(sim, input, ctx, counts);
        return { engine: sim.engine, policyCount: sim.policies, decided };
      } finally {
        // A file left half-read (a failure on the way) is closed now, not when collected.
        if (opts.flows !== '-') (opened as Readable).destroy();
      }
    });
    ctx.io.err(`simulate: engine ${engine}, ${policyCount} polic${policyCount === 1 ? 'y' : 'ies'}, ${decided} flow(s): ${counts.allow} allow, ${counts.deny} deny, ${counts.unknown} unknown\n`);
  });
};
