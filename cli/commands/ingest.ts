import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { Transform, type Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_EDGE_CAPS,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_FUTURE_SKEW_MS,
  FORMATS,
  type FlowFormat,
} from '../../collectors/flows/ingest-defaults.ts';
import { CliError } from '../io.ts';
import { nonNegativeIntFlag, positiveIntFlag } from '../integer-flag.ts';
import { withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { Progress } from '../progress.ts';
import type { Db } from '../../store/db.ts';
import type { CommandModule } from '../command.ts';

interface IngestOptions extends DbOptions {
  format: FlowFormat;
  batchSize: number;
  flushInterval: number;
  maxFutureSkew: number;
  maxEdgesPerWorkload: number;
  maxEdgesPerRun: number;
}

/** Bytes of the files to read, when all are files (stdin has no size). */
function totalBytes(files: string[]): number | undefined {
  let total = 0;
  for (const f of files) {
    if (f === '-') return undefined;
    try {
      total += statSync(f).size;
    } catch {
      // unreadable: the ingest reports it
    }
  }
  return total;
}

/** Counts what passes on the way into the pipeline: bytes, and records (lines). */
class Meter {
  bytes = 0;
  records = 0;
  readonly started = Date.now();
  tap(stream: NodeJS.ReadableStream): NodeJS.ReadableStream {
    const meter = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.records++;
        cb(null, chunk);
      },
    });
    stream.on('error', (e) => meter.destroy(e));
    return stream.pipe(meter);
  }
}

/**
 * SIGINT or SIGTERM during the ingest (Ctrl-C, a pod stopped): every input opened is ended with an
 * error, so that the pipeline commits what was read and marks the run failed with the reason;
 * no input is opened after. A second signal is the default one: it kills.
 */
class Interruption {
  signal: NodeJS.Signals | undefined;
  private readonly opened = new Set<NodeJS.ReadableStream>();
  private readonly stop = (signal: NodeJS.Signals): void => {
    this.dispose();
    this.signal = signal;
    for (const s of this.opened) (s as Readable).destroy(this.error());
  };

  constructor() {
    process.once('SIGINT', this.stop);
    process.once('SIGTERM', this.stop);
  }

  /** `stream`, ended when a signal comes; refused when one came already. */
  track(stream: NodeJS.ReadableStream): NodeJS.ReadableStream {
    if (this.signal) throw this.error();
    this.opened.add(stream);
    return stream;
  }

  dispose(): void {
    process.off('SIGINT', this.stop);
    process.off('SIGTERM', this.stop);
  }

  private error(): Error {
    return new Error(`interrupted by ${this.signal}`);
  }
}

/** Runs `work`, redrawing the bar twice a second meanwhile: records, records/s and the edges in the store. */
async function withIngestProgress<T>(db: Db, bar: Progress, meter: Meter, work: () => Promise<T>): Promise<T> {
  const { EdgeStore } = await import('../../store/edges.ts');
  const { perSecond } = await import('../progress.ts');
  const edges = new EdgeStore(db);
  const draw = () => bar.update(meter.bytes, { records: meter.records, rate: perSecond(meter.records, meter.started), edges: edges.count() });
  const timer = bar.active ? setInterval(draw, 500) : undefined;
  try {
    return await work();
  } finally {
    clearInterval(timer);
    bar.stop();
  }
}

/** `flowmatrix ingest --format netobserv|hubble|auto FILE…`: streams flow records into the edge store. */
export const ingestCommand: CommandModule = (program: Command, ctx) => {
  withDb(
    program
      .command('ingest')
      .description('stream flow records (NDJSON) into aggregated edges; prints a JSON summary')
      .argument('<files...>', "flow files, or '-' for stdin")
      .addOption(new Option('--format <format>', 'record format').choices(FORMATS).default('auto'))
      .addOption(new Option('--batch-size <n>', 'records per transaction').argParser(positiveIntFlag('--batch-size')).default(DEFAULT_BATCH_SIZE))
      .addOption(
        new Option('--flush-interval <seconds>', 'commit at least this often on slow streams')
          .argParser(positiveIntFlag('--flush-interval'))
          .default(DEFAULT_FLUSH_INTERVAL_MS / 1000),
      )
      .addOption(
        new Option('--max-future-skew <seconds>', 'reject records dated more than this after the clock (time-out-of-range)')
          .argParser(nonNegativeIntFlag('--max-future-skew'))
          .default(DEFAULT_MAX_FUTURE_SKEW_MS / 1000),
      )
      .addOption(
        new Option('--max-edges-per-workload <n>', 'distinct edges per workload before external addresses fold into blocks')
          .argParser(positiveIntFlag('--max-edges-per-workload'))
          .default(DEFAULT_EDGE_CAPS.maxEdgesPerWorkload),
      )
      .addOption(
        new Option('--max-edges-per-run <n>', 'distinct edges per input before external addresses fold into blocks')
          .argParser(positiveIntFlag('--max-edges-per-run'))
          .default(DEFAULT_EDGE_CAPS.maxEdgesPerRun),
      ),
  ).action(async (files: string[], opts: IngestOptions) => {
    if (files.filter((f) => f === '-').length > 1) throw new CliError("stdin ('-') can be given only once");
    // Loaded when the command runs: the pipeline is not needed to start the CLI.
    const { commitFailure, ingestFlows, nothingRead, openedInputs } = await import('../../app/ingest.ts');
    const { openInput } = await import('../../collectors/flows/lines.ts');
    const { progressBar } = await import('../progress.ts');
    const total = totalBytes(files);
    const counts = '{records} records | {rate} records/s | {edges} edges';
    const bar = progressBar(ctx.io, { format: total !== undefined ? `ingest {bar} {percentage}% | ${counts}` : `ingest ${counts}`, total: total ?? 0, fields: { records: 0, rate: 0, edges: 0 } });
    const meter = new Meter();
    const interruption = new Interruption();
    const summary = await withOpenDb(opts, (db) =>
      withIngestProgress(
        db,
        bar,
        meter,
        () => ingestFlows(
          db,
          files.map((file) => ({ name: file, open: async () => interruption.track(bar.active ? meter.tap(await openInput(file, ctx.io.stdin)) : await openInput(file, ctx.io.stdin)) })),
          {
            format: opts.format,
            batchSize: opts.batchSize,
            flushIntervalMs: opts.flushInterval * 1000,
            maxFutureSkewMs: opts.maxFutureSkew * 1000,
            caps: { maxEdgesPerWorkload: opts.maxEdgesPerWorkload, maxEdgesPerRun: opts.maxEdgesPerRun },
          },
        ),
      ),
      { write: true },
    ).finally(() => interruption.dispose());
    ctx.io.out(`${JSON.stringify(summary, null, 2)}\n`);
    const stopped = commitFailure(summary);
    if (interruption.signal) {
      ctx.io.err(`flowmatrix: interrupted by ${interruption.signal}: ${summary.records} records committed, the run marked failed\n`);
      ctx.status.exitCode = 128 + constants.signals[interruption.signal];
    } else if (stopped) {
      ctx.io.err(`flowmatrix: ${stopped.file}: ${stopped.error}\n`);
      ctx.status.exitCode = 1;
    } else if (openedInputs(summary).length === 0) {
      for (const i of summary.inputs) if (i.error) ctx.io.err(`flowmatrix: ${i.file}: ${i.error}\n`);
      ctx.status.exitCode = 1;
    } else if (nothingRead(summary)) {
      ctx.io.err(`flowmatrix: none of the ${summary.records} records could be read (${Object.entries(summary.rejects).map(([r, n]) => `${r}: ${n}`).join(', ')}); is --format right?\n`);
      ctx.status.exitCode = 1;
    } else {
      // The others were read (exit 0, docs/ingest.md), but an input that could not be is said, not only in the JSON.
      for (const i of summary.inputs) if (i.status === 'failed' && i.error) ctx.io.err(`warning: ${i.file}: ${i.error}; the other inputs were ingested\n`);
    }
    const summaries = summary.skips['conversation-summary'] ?? 0;
    if (summary.accepted === 0 && summaries > 0) {
      ctx.io.err(`warning: the ${summaries} NetObserv records were conversation summaries (_RecordType newConnection, heartbeat, endConnection), which repeat the flow logs' counts and are not ingested: export the flow logs too (FlowCollector spec.processor.logTypes: Flows or All)\n`);
    }
    const beforeHistory = summary.skips['before-history'] ?? 0;
    if (beforeHistory > 0) {
      ctx.io.err(`warning: ${beforeHistory} flows are from before the IP history this store keeps (retention.historyDays deleted it), so who held their addresses then is unknown: they were skipped (before-history)\n`);
    }
  });
};
