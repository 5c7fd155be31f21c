/**
 * The flow-ingest pipeline, one stage per module like flowlogs-pipeline:
 *   lines (read) → decode → resolve → orient → aggregate → write (batched transactions).
 * Everything between two flushes is synchronous, so a batch is never half-applied in memory.
 */
import type { FlowObservation } from '../../domain/flow.ts';
import type { IngestRunCounters, IngestRunStatus } from '../../store/ingest-runs.ts';
import { Aggregator } from './aggregate.ts';
import { decoderFor } from './auto.ts';
import type { Decoded, Decoder, FlowFormat, RejectReason, SkipReason } from './decode.ts';
import { readLines } from './lines.ts';
import { resolveFlow } from './connections.ts';
import type { ResolutionIndex } from './resolve.ts';
import type { BatchWriter } from './write.ts';

export const DEFAULT_BATCH_SIZE = 20_000;
export const DEFAULT_FLUSH_INTERVAL_MS = 5_000;
/** Marks a string record that is not JSON (ingestRecords). */
const INVALID_JSON = Symbol('invalid-json');

export interface IngestOptions {
  format: FlowFormat;
  index: ResolutionIndex;
  writer: BatchWriter;
  /** Records per transaction. */
  batchSize?: number;
  /** A slow stream (stdin from a live exporter) still commits at least this often. */
  flushIntervalMs?: number;
  /** How many rejected lines to report with their place and value. */
  maxExamples?: number;
  /** Longest accepted line, in characters. */
  maxLineLength?: number;
}

export interface RejectExample {
  file: string;
  line: number;
  reason: RejectReason;
  field?: string;
  value?: string;
}

export interface InputSummary extends Omit<IngestRunCounters, 'rejects'> {
  file: string;
  run: number;
  status: IngestRunStatus;
  error?: string;
}

export interface IngestSummary {
  records: number;
  accepted: number;
  rejected: number;
  /** Distinct edges this ingest added to or updated. */
  edges: number;
  skipped: number;
  ambiguous: number;
  rejects: Partial<Record<RejectReason, number>>;
  skips: Partial<Record<SkipReason, number>>;
  examples: RejectExample[];
  inputs: InputSummary[];
  durationMs: number;
}

/** Records came in and every one was rejected: the input is not what --format says, or is garbage. */
export function nothingRead(s: Pick<IngestSummary, 'records' | 'rejected'>): boolean {
  return s.records > 0 && s.rejected === s.records;
}

function bump<K extends string>(o: Partial<Record<K, number>>, k: K): void {
  o[k] = (o[k] ?? 0) + 1;
}

function sortKeys<T extends Record<string, number>>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) as T;
}

export class FlowIngest {
  private readonly decoder: Decoder;
  private readonly batchSize: number;
  private readonly aggregator = new Aggregator();
  private readonly edgeKeys = new Set<string>();
  private readonly skips: Partial<Record<SkipReason, number>> = {};
  private readonly rejects: Partial<Record<RejectReason, number>> = {};
  private readonly examples: RejectExample[] = [];
  private readonly inputs: InputSummary[] = [];
  private readonly started = performance.now();

  constructor(private readonly options: IngestOptions) {
    this.decoder = decoderFor(options.format);
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  }

  /** Reads one input to its end as one ingest run. Read errors end the run as `failed`, never throw. */
  async ingest(input: NodeJS.ReadableStream, name: string): Promise<InputSummary> {
    const { writer, index } = this.options;
    const run = writer.startRun(name, this.options.format);
    const c: IngestRunCounters = { records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, rejects: {} };
    let pending = 0;
    const flush = (status: IngestRunStatus): void => {
      writer.commit(this.aggregator.drain(), run, c, status);
      pending = 0;
    };
    const maxExamples = this.options.maxExamples ?? 10;
    const rejectLine = (line: number, reason: RejectReason, field?: string, value?: string): void => {
      c.rejected++;
      bump(c.rejects, reason);
      bump(this.rejects, reason);
      if (this.examples.length < maxExamples) {
        const ex: RejectExample = { file: name, line, reason };
        if (field !== undefined) ex.field = field;
        if (value !== undefined) ex.value = value;
        this.examples.push(ex);
      }
    };
    const afterRecord = (): void => {
      if (++pending >= this.batchSize) flush('running');
    };

    const timer = setInterval(() => {
      if (pending > 0) flush('running');
    }, this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    timer.unref();

    let status: IngestRunStatus = 'done';
    let error: string | undefined;
    try {
      await readLines(
        input,
        {
          line: (text, lineNo, final) => {
            c.records++;
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              rejectLine(lineNo, final ? 'truncated' : 'invalid-json');
              return afterRecord();
            }
            const d = this.decoder.decode(parsed);
            if (d.kind === 'flow') {
              c.accepted++;
              if (!this.add(d.flow, index)) c.ambiguous++;
            } else if (d.kind === 'skip') {
              c.skipped++;
              bump(this.skips, d.reason);
            } else rejectLine(lineNo, d.reason, d.field, d.value);
            afterRecord();
          },
          oversized: (lineNo) => {
            c.records++;
            rejectLine(lineNo, 'line-too-long');
            afterRecord();
          },
        },
        this.options.maxLineLength === undefined ? {} : { maxLineLength: this.options.maxLineLength },
      );
    } catch (e) {
      status = 'failed';
      error = (e as Error).message;
    } finally {
      clearInterval(timer);
    }
    flush(status);
    const summary: InputSummary = { file: name, run, status, records: c.records, accepted: c.accepted, rejected: c.rejected, skipped: c.skipped, ambiguous: c.ambiguous };
    if (error !== undefined) summary.error = error;
    this.inputs.push(summary);
    return summary;
  }

  /**
   * Like `ingest`, for records that arrive already parsed (a gRPC stream) or as single lines of
   * JSON text (a string is parsed here; a follower that splits lines itself): one ingest run
   * until `records` ends. `line` in reject examples is the record's position in the run. An
   * error thrown by the iterator ends the run as `failed` after committing what was read; it is
   * never rethrown.
   */
  async ingestRecords(records: AsyncIterable<unknown> | Iterable<unknown>, name: string): Promise<InputSummary> {
    const { writer, index } = this.options;
    const run = writer.startRun(name, this.options.format);
    const c: IngestRunCounters = { records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, rejects: {} };
    let pending = 0;
    const flush = (status: IngestRunStatus): void => {
      writer.commit(this.aggregator.drain(), run, c, status);
      pending = 0;
    };
    const maxExamples = this.options.maxExamples ?? 10;
    const timer = setInterval(() => {
      if (pending > 0) flush('running');
    }, this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    timer.unref();

    let status: IngestRunStatus = 'done';
    let error: string | undefined;
    try {
      for await (const item of records) {
        c.records++;
        let record = item;
        if (typeof item === 'string') {
          try {
            record = JSON.parse(item);
          } catch {
            record = INVALID_JSON;
          }
        }
        const d: Decoded = record === INVALID_JSON ? { kind: 'reject', reason: 'invalid-json' } : this.decoder.decode(record);
        if (d.kind === 'flow') {
          c.accepted++;
          if (!this.add(d.flow, index)) c.ambiguous++;
        } else if (d.kind === 'skip') {
          c.skipped++;
          bump(this.skips, d.reason);
        } else {
          c.rejected++;
          bump(c.rejects, d.reason);
          bump(this.rejects, d.reason);
          if (this.examples.length < maxExamples) {
            const ex: RejectExample = { file: name, line: c.records, reason: d.reason };
            if (d.field !== undefined) ex.field = d.field;
            if (d.value !== undefined) ex.value = d.value;
            this.examples.push(ex);
          }
        }
        if (++pending >= this.batchSize) flush('running');
      }
    } catch (e) {
      status = 'failed';
      error = (e as Error).message;
    } finally {
      clearInterval(timer);
    }
    flush(status);
    const summary: InputSummary = { file: name, run, status, records: c.records, accepted: c.accepted, rejected: c.rejected, skipped: c.skipped, ambiguous: c.ambiguous };
    if (error !== undefined) summary.error = error;
    this.inputs.push(summary);
    return summary;
  }

  /** Resolves, orients and aggregates one flow; false when it could not be oriented. */
  private add(f: FlowObservation, index: ResolutionIndex): boolean {
    const { srcs, dsts, connections } = resolveFlow(f, index);
    for (const s of srcs) if (s.names && s.peer.kind === 'external') for (const n of s.names) this.aggregator.addName(s.ip, n, f.time);
    let oriented = true;
    for (const c of connections) {
      if (c.kind === 'ambiguous') {
        this.aggregator.addAmbiguous(c.src.key, c.src.port ?? 0, c.dst.key, c.dst.port ?? 0, f.protocol, f);
        oriented = false;
        continue;
      }
      // A record the server sent (a reply) proves the connection reached it.
      const verdict = f.verdict === 'unknown' && c.server === c.src ? 'forwarded' : f.verdict;
      this.edgeKeys.add(this.aggregator.addEdge(c.client.key, c.server.key, c.server.port ?? 0, f.protocol, f, verdict));
    }
    for (const d of dsts) if (d.names && d.peer.kind === 'external') for (const n of d.names) this.aggregator.addName(d.ip, n, f.time);
    return oriented;
  }

  /** Records an input that could not be opened at all. */
  failedInput(name: string, error: string): void {
    const run = this.options.writer.startRun(name, this.options.format);
    this.options.writer.commit({ edges: [], ambiguous: [], names: [] }, run, { records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, rejects: {} }, 'failed');
    this.inputs.push({ file: name, run, status: 'failed', records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, error });
  }

  summary(): IngestSummary {
    const total = { records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0 };
    for (const i of this.inputs) {
      total.records += i.records;
      total.accepted += i.accepted;
      total.rejected += i.rejected;
      total.skipped += i.skipped;
      total.ambiguous += i.ambiguous;
    }
    return {
      records: total.records,
      accepted: total.accepted,
      rejected: total.rejected,
      edges: this.edgeKeys.size,
      skipped: total.skipped,
      ambiguous: total.ambiguous,
      rejects: sortKeys(this.rejects),
      skips: sortKeys(this.skips),
      examples: this.examples,
      inputs: this.inputs,
      durationMs: Math.round(performance.now() - this.started),
    };
  }
}
