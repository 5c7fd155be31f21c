/**
 * The flow-ingest pipeline, one stage per module like flowlogs-pipeline:
 *   lines (read) → decode → resolve → orient → aggregate → write (batched transactions).
 * Everything between two flushes is synchronous, so a batch is never half-applied in memory.
 */
import { fstatSync, ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { FlowObservation, Verdict } from '../../domain/flow.ts';
import type { Labels } from '../../domain/inventory.ts';
import { workloadKey } from '../../domain/peer.ts';
import type { IngestRunCounters, IngestRunStatus } from '../../store/ingest-runs.ts';
import { Aggregator, edgeKey } from './aggregate.ts';
import { decoderFor } from './auto.ts';
import type { Decoded, DecodeLimits, Decoder, FlowFormat, RejectReason, SkipReason } from './decode.ts';
import { runBudgets, type EdgeCaps, type RunBudgets } from './edge-budget.ts';
import { DEFAULT_EDGE_CAPS, DEFAULT_MAX_NAMES_PER_WORKLOAD } from './ingest-defaults.ts';
import { WorkloadNameBudget } from './name-budget.ts';
import { KnownMeta } from './known-meta.ts';
import { CompressedInputError, readLines } from './lines.ts';
import { ObservedLabelsBatch } from './observed-labels.ts';
import { resolveFlow, type FlowConnection } from './connections.ts';
import type { ResolutionIndex, ResolvedSide } from './resolve.ts';
import type { BatchWriter } from './write.ts';

import { DEFAULT_BATCH_SIZE, DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_MAX_BATCH_EDGES, DEFAULT_MAX_FUTURE_SKEW_MS } from './ingest-defaults.ts';
import { compareStrings } from '../../domain/order.ts';

export { DEFAULT_BATCH_SIZE, DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_MAX_BATCH_EDGES, DEFAULT_MAX_FUTURE_SKEW_MS };

export interface IngestOptions {
  format: FlowFormat;
  index: ResolutionIndex;
  writer: BatchWriter;
  /** Records per transaction, at most. */
  batchSize?: number;
  /** Distinct edges, ambiguous pairs and names aggregated before a commit, at most. */
  maxBatchEdges?: number;
  /**
   * A slow stream (stdin from a live exporter) still commits at least this often. A regular file
   * is never committed by the clock: it is read to its end at once, its windows end by size.
   */
  flushIntervalMs?: number;
  /** How many rejected lines to report with their place and value. */
  maxExamples?: number;
  /**
   * Told of every rejected record, past `maxExamples` too, with the record as parsed (undefined for
   * a line that is no JSON): a live collector keeps and logs the recent ones (collectors/rejections.ts).
   */
  onReject?: (example: RejectExample, record: unknown) => void;
  /** Longest accepted line, in characters. */
  maxLineLength?: number;
  /** The clock "now" is read from (ms); default Date.now. */
  now?: () => number;
  /** Records dated later than now plus this are rejected (`time-out-of-range`), ms. */
  maxFutureSkewMs?: number;
  /** Caps on distinct edges, per workload and per run (edge-budget.ts), and on DNS names per workload (name-budget.ts). */
  caps?: Partial<EdgeCaps>;
}

/** A batch could not be committed, even after one retry: the run stops here. */
export class BatchCommitError extends Error {
  override name = 'BatchCommitError';
  constructor(
    readonly input: string,
    readonly batch: number,
    readonly firstLine: number,
    readonly lastLine: number,
    override readonly cause: unknown,
  ) {
    super(
      `batch ${batch} of ${input} (lines ${firstLine}-${lastLine}) could not be committed, even after a retry: ${(cause as Error)?.message ?? String(cause)}; ` +
        `the run stopped at line ${lastLine}: the batches before it are stored, this batch and the rest of the input are not`,
    );
  }
}

export interface RejectExample {
  file: string;
  line: number;
  reason: RejectReason;
  field?: string;
  value?: string;
  /** The rule the value breaks. */
  message?: string;
}

export interface InputSummary extends Omit<IngestRunCounters, 'rejects'> {
  file: string;
  run: number;
  status: IngestRunStatus;
  error?: string;
  /** Refused unread: the input is gzip-compressed (lines.ts CompressedInputError). */
  compressed?: true;
  /** Records read but not stored because their batch could not be committed (the run stopped). */
  uncommitted?: number;
  /** The batch that could not be committed. */
  failedBatch?: { batch: number; firstLine: number; lastLine: number };
}

export interface IngestSummary {
  records: number;
  accepted: number;
  rejected: number;
  /** Distinct edges this ingest added to or updated. */
  edges: number;
  skipped: number;
  ambiguous: number;
  /** Accepted records with a counter larger than the store holds, kept at 2^53 - 1. */
  saturated: number;
  /** Edge additions folded into a covering block past the edge caps (edge-budget.ts). */
  folded: number;
  /** DNS names not kept for a workload past its cap (name-budget.ts); present when some were. */
  namesCapped?: number;
  rejects: Partial<Record<RejectReason, number>>;
  skips: Partial<Record<SkipReason, number>>;
  examples: RejectExample[];
  inputs: InputSummary[];
  /** The clock the time window was checked against when the ingest started, and the skew allowed after it. */
  clock: { now: string; maxFutureSkewSeconds: number };
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
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => compareStrings(a, b))) as T;
}

const zeroCounters = (): IngestRunCounters => ({ records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, saturated: 0, folded: 0, rejects: {} });

/** An input that was not read at all: every count zero, and why. */
function unreadInput(file: string, run: number, error: string): InputSummary {
  const { rejects: _rejects, ...zero } = zeroCounters();
  return { file, run, status: 'failed', ...zero, error };
}

/**
 * A stream reading a regular file (fs.ReadStream, also from a FileHandle, has a numeric `fd` once
 * open). A pipe, a FIFO or a terminal opened by path is not: it may wait on a live writer.
 */
function isRegularFile(input: NodeJS.ReadableStream | AsyncIterable<Buffer>): boolean | undefined {
  if (!(input instanceof ReadStream)) return false;
  const fd = (input as { fd?: unknown }).fd;
  // Not open yet: asked again at the next tick.
  if (typeof fd !== 'number') return undefined;
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/**
 * What a record proves of one connection's fate: a record the server sent (a reply) proves the
 * connection reached it; a forward taken before the receiver's ingress policy proves nothing of a
 * server in the cluster, whose policy may still drop it (`FlowObservation.provesEgressOnly`).
 */
function connectionVerdict(f: FlowObservation, c: Extract<FlowConnection, { kind: 'oriented' }>): Verdict {
  if (c.server === c.src) return f.verdict === 'unknown' ? 'forwarded' : f.verdict;
  if (f.provesEgressOnly === true && c.server.peer.kind !== 'external') return 'unknown';
  return f.verdict;
}

function copyCounters(c: IngestRunCounters): IngestRunCounters {
  return { ...c, rejects: { ...c.rejects } };
}

/** What a source calls per record: a line of JSON text, an already-parsed record, or a line too long to read. */
interface RecordFeed {
  line(text: string, lineNo: number, final: boolean): void;
  record(parsed: unknown, lineNo: number): void;
  oversized(lineNo: number): void;
  /**
   * Once a window was committed since the last call, a promise that lets the event loop turn
   * (setImmediate) before more is read. A stream with data buffered (an upload the kernel holds
   * megabytes of) is read through promises that resolve at once: without it, every window of
   * that data was committed before a timer or another request ran, and the service must stay
   * responsive.
   */
  paced(): Promise<void> | undefined;
}

export class FlowIngest {
  private readonly decoder: Decoder;
  private readonly batchSize: number;
  private readonly maxBatchEdges: number;
  private readonly aggregator = new Aggregator();
  /** Labels of workloads only the records name (no inventory): remembered to select their pods by. */
  private readonly observedLabels = new ObservedLabelsBatch();
  private budgets: RunBudgets;
  private names: WorkloadNameBudget;
  private readonly caps: EdgeCaps;
  /** The counters of the input being read, as of its last commit (undefined between inputs). */
  private committedNow: IngestRunCounters | undefined;
  private readonly now: () => number;
  private readonly skewMs: number;
  private readonly startedAt: number;
  /** Keys of the edges of every batch committed. */
  private readonly edgeKeys = new Set<string>();
  private readonly skips: Partial<Record<SkipReason, number>> = {};
  private readonly examples: RejectExample[] = [];
  private readonly inputs: InputSummary[] = [];
  /** Committed counters per input: what the summary reports. */
  private readonly committed: IngestRunCounters[] = [];
  private readonly started = performance.now();
  /**
   * The decoder's limits, one object rather than one per record. `maxTime` is the clock as last
   * read plus the skew: read once per chunk (`paced`), not per record (a clock read per record was
   * about 2% of the pipeline's CPU), and read again for a record later than it (`decode`).
   */
  private readonly limits: DecodeLimits = { knownMeta: new KnownMeta() };

  constructor(private readonly options: IngestOptions) {
    this.decoder = decoderFor(options.format);
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.maxBatchEdges = Math.max(1, options.maxBatchEdges ?? DEFAULT_MAX_BATCH_EDGES);
    this.now = options.now ?? Date.now;
    this.skewMs = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
    this.startedAt = this.now();
    this.limits.maxTime = this.startedAt + this.skewMs;
    this.caps = { ...DEFAULT_EDGE_CAPS, ...options.caps };
    this.budgets = this.newBudgets();
    this.names = this.newNameBudget();
  }

  /** The name cap starts afresh with every run too, counting what is stored. */
  private newNameBudget(): WorkloadNameBudget {
    return new WorkloadNameBudget(this.caps.maxNamesPerWorkload ?? DEFAULT_MAX_NAMES_PER_WORKLOAD, this.options.writer);
  }

  /** The edge caps start afresh with every run (input); the per-workload cap counts what is stored. */
  private newBudgets(): RunBudgets {
    const index = this.options.index;
    return runBudgets(this.caps, this.options.writer, (k) => index.listedWorkload(k));
  }

  /**
   * Reads one input to its end as one ingest run. Read errors end the run as `failed`; a batch
   * that cannot be committed (after one retry) stops it as `failed`, naming the batch. Never
   * throws, and no error escapes the flush timer: the summary and the run row say exactly what
   * was committed.
   */
  ingest(input: NodeJS.ReadableStream | AsyncIterable<Buffer>, name: string, firstLine = 1): Promise<InputSummary> {
    return this.run(
      name,
      async (feed) => {
        await readLines(input, { line: feed.line, oversized: feed.oversized }, { firstLine, afterChunk: feed.paced, ...(this.options.maxLineLength === undefined ? {} : { maxLineLength: this.options.maxLineLength }) });
      },
      (e) => {
        const s = input as Partial<Readable>;
        if (typeof s.destroy === 'function') s.destroy(e);
      },
      () => isRegularFile(input),
      firstLine,
    );
  }

  /**
   * Like `ingest`, for records that arrive one by one: already parsed (a gRPC stream) or as
   * single lines of JSON text (a follower that splits lines itself). One run until `records`
   * ends; `line` in reject examples is the record's position in the run. An error thrown by the
   * iterator ends the run as `failed` after committing what was read; it is never rethrown. A
   * failed commit stops the run: the next record throws, which ends the iteration. `stop` is told
   * when the flush timer's commit fails, so a source that has no next record soon (a quiet stream)
   * can end the iteration itself.
   */
  ingestRecords(records: AsyncIterable<unknown> | Iterable<unknown>, name: string, stop?: (e: Error) => void): Promise<InputSummary> {
    return this.run(name, async (feed) => {
      let n = 0;
      for await (const item of records) {
        n++;
        if (typeof item === 'string') feed.line(item, n, false);
        else feed.record(item, n);
        const paced = feed.paced();
        if (paced) await paced;
      }
    }, stop);
  }

  /**
   * One ingest run over what `read` feeds; `abort` stops the source when a commit fails.
   * `unclocked` says, when the flush timer fires, whether the source is a regular file: read to
   * its end as fast as the disk allows, nothing in it waits for more input, so its windows end by
   * size only. A clock-driven commit there only splits windows (more, smaller upserts at high edge
   * cardinality), and the slower the machine, the more of them, where ingest must stay cheap.
   */
  private async run(
    name: string,
    read: (feed: RecordFeed) => Promise<void>,
    abort: (e: Error) => void = () => undefined,
    unclocked: () => boolean | undefined = () => false,
    startLine = 1,
  ): Promise<InputSummary> {
    const { writer, index } = this.options;
    let run: number;
    try {
      run = writer.startRun(name, this.options.format);
    } catch (e) {
      // The store cannot even record the run: nothing is read, the input is reported failed.
      const summary = unreadInput(name, 0, `the store refused to start the run: ${(e as Error).message}`);
      summary.failedBatch = { batch: 0, firstLine: 1, lastLine: 0 };
      this.committed.push(zeroCounters());
      this.inputs.push(summary);
      return summary;
    }
    this.budgets = this.newBudgets();
    this.names = this.newNameBudget();
    const c = zeroCounters();
    let committed = zeroCounters();
    const skips: Partial<Record<SkipReason, number>> = {};
    let pending = 0;
    let batchNo = 0;
    let firstLine = startLine;
    let lastLine = startLine - 1;
    let failure: BatchCommitError | undefined;
    let compressed = false;
    let committedSincePace = false;
    const commit = (status: IngestRunStatus): void => {
      const batch = this.aggregator.drain();
      const labels = this.observedLabels.drain();
      if (labels.length > 0) batch.labels = labels;
      batchNo++;
      try {
        writer.commit(batch, run, c, status, lastLine);
      } catch {
        // One retry: a busy or briefly failing store gets a second chance; the batch is intact in memory.
        try {
          writer.commit(batch, run, c, status, lastLine);
        } catch (e) {
          throw new BatchCommitError(name, batchNo, firstLine, lastLine, e);
        }
      }
      committed = copyCounters(c);
      this.committedNow = committed;
      committedSincePace = true;
      // Counted per edge of the window, not per record: a key is built once per window.
      for (const e of batch.edges) this.edgeKeys.add(edgeKey(e.client, e.server, e.port, e.protocol));
      for (const [k, n] of Object.entries(skips)) this.skips[k as SkipReason] = (this.skips[k as SkipReason] ?? 0) + (n as number);
      for (const k of Object.keys(skips)) delete skips[k as SkipReason];
      pending = 0;
      firstLine = lastLine + 1;
    };
    const maxExamples = this.options.maxExamples ?? 10;
    const onReject = this.options.onReject;
    const rejectLine = (line: number, reason: RejectReason, field?: string, value?: string, message?: string, record?: unknown): void => {
      c.rejected++;
      bump(c.rejects, reason);
      if (this.examples.length >= maxExamples && !onReject) return;
      const ex: RejectExample = { file: name, line, reason };
      if (field !== undefined) ex.field = field;
      if (value !== undefined) ex.value = value;
      if (message !== undefined) ex.message = message;
      if (this.examples.length < maxExamples) this.examples.push(ex);
      onReject?.(ex, record);
    };
    const afterRecord = (lineNo: number): void => {
      lastLine = lineNo;
      if (++pending >= this.batchSize || this.aggregator.size >= this.maxBatchEdges) commit('running');
    };
    const stop = (e: BatchCommitError): void => {
      failure ??= e;
      abort(e);
    };

    let regularFile: boolean | undefined;
    const timer = setInterval(() => {
      if (pending === 0 || failure) return;
      regularFile ??= unclocked();
      if (regularFile !== false) return;
      try {
        commit('running');
      } catch (e) {
        stop(e as BatchCommitError);
      }
    }, this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    timer.unref();

    let status: IngestRunStatus = 'done';
    let error: string | undefined;
    const record = (parsed: unknown, lineNo: number): void => {
      if (failure) throw failure;
      c.records++;
      const d = this.decode(parsed);
      if (d.kind === 'flow') {
        const added = this.add(d.flow, index, c);
        if (added === 'over-cap' || added === 'before-history') {
          c.skipped++;
          bump(skips, added === 'over-cap' ? 'edge-cap' : added);
        } else {
          c.accepted++;
          if (d.flow.saturated) c.saturated = (c.saturated ?? 0) + 1;
          if (added === 'ambiguous') c.ambiguous++;
        }
      } else if (d.kind === 'skip') {
        c.skipped++;
        bump(skips, d.reason);
      } else rejectLine(lineNo, d.reason, d.field, d.value, d.message, parsed);
      afterRecord(lineNo);
    };
    const feed: RecordFeed = {
      record,
      line: (text, lineNo, final) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          if (failure) throw failure;
          c.records++;
          rejectLine(lineNo, final ? 'truncated' : 'invalid-json');
          return afterRecord(lineNo);
        }
        record(parsed, lineNo);
      },
      oversized: (lineNo) => {
        if (failure) throw failure;
        c.records++;
        rejectLine(lineNo, 'line-too-long');
        afterRecord(lineNo);
      },
      paced: () => {
        this.readClock();
        if (!committedSincePace) return undefined;
        committedSincePace = false;
        return new Promise((resolve) => setImmediate(resolve));
      },
    };

    try {
      await read(feed);
    } catch (e) {
      status = 'failed';
      if (e instanceof BatchCommitError) failure ??= e;
      else if (!failure) error = (e as Error).message;
      if (e instanceof CompressedInputError) compressed = true;
    } finally {
      clearInterval(timer);
    }
    if (!failure) {
      try {
        commit(status);
        // A read error (or an interruption) ends the run: the row says why.
        if (error !== undefined) writer.fail?.(run, c, error);
      } catch (e) {
        failure = e as BatchCommitError;
        status = 'failed';
      }
    }
    if (failure) {
      status = 'failed';
      error = failure.message;
      // The run row keeps the counters of the last committed batch; only its status and error change.
      try {
        writer.fail?.(run, committed, error);
      } catch {
        // The store refuses even this: the row stays `running` with the committed counters, which is still true.
      }
      this.aggregator.drain();
      this.observedLabels.drain();
    }
    const done = failure ? committed : c;
    this.committed.push(done);
    this.committedNow = undefined;
    const summary: InputSummary = {
      file: name,
      run,
      status,
      records: done.records,
      accepted: done.accepted,
      rejected: done.rejected,
      skipped: done.skipped,
      ambiguous: done.ambiguous,
      saturated: done.saturated ?? 0,
      folded: done.folded ?? 0,
    };
    if ((done.namesCapped ?? 0) > 0) summary.namesCapped = done.namesCapped;
    if (error !== undefined) summary.error = error;
    if (compressed) summary.compressed = true;
    if (failure) {
      summary.uncommitted = c.records - committed.records;
      summary.failedBatch = { batch: failure.batch, firstLine: failure.firstLine, lastLine: failure.lastLine };
    }
    this.inputs.push(summary);
    return summary;
  }

  /**
   * Decodes one parsed line within the time window; a decoder bug is a counted reject, never a crash.
   * A record later than the clock as last read is decoded again against the clock as it is now, so
   * it is judged as a clock read per record would judge it: a later reading only moves the limit
   * later, and what a decoder answers before its time check, or after passing it, does not depend on it.
   */
  private decode(parsed: unknown): Decoded {
    try {
      const d = this.decoder.decode(parsed, this.limits);
      if (d.kind !== 'reject' || d.reason !== 'time-out-of-range') return d;
      const limit = this.limits.maxTime;
      this.readClock();
      return this.limits.maxTime === limit ? d : this.decoder.decode(parsed, this.limits);
    } catch (e) {
      return { kind: 'reject', reason: 'undecodable', message: `the decoder failed on this record: ${(e as Error).message}` };
    }
  }

  private readClock(): void {
    this.limits.maxTime = this.now() + this.skewMs;
  }

  /**
   * Resolves, orients and aggregates one flow: 'ambiguous' when it could not be oriented,
   * 'over-cap' when every edge it makes was refused by the edge budget (nothing of it is kept),
   * 'before-history' when it is from before the IP history the store keeps.
   */
  private add(f: FlowObservation, index: ResolutionIndex, counters: IngestRunCounters): 'added' | 'ambiguous' | 'over-cap' | 'before-history' {
    const { srcs, dsts, connections } = resolveFlow(f, index);
    if (index.beforeHistory(f.time)) return 'before-history';
    const sm = f.src.meta;
    if (sm?.kind === 'pod' && sm.labels !== undefined) this.rememberLabels(srcs, sm.labels, index, f.time);
    const dm = f.dst.meta;
    if (dm?.kind === 'pod' && dm.labels !== undefined) this.rememberLabels(dsts, dm.labels, index, f.time);
    this.rememberNames(srcs, index, f.time, counters);
    let oriented = true;
    let refused = 0;
    for (const c of connections) {
      if (c.kind === 'ambiguous') {
        oriented = false;
        // A pair is unordered: admitted in the aggregator's order, so that both orders are one pair.
        const [a, b] = c.src.key <= c.dst.key ? [c.src, c.dst] : [c.dst, c.src];
        const pair = this.budgets.pairs.admit(a.key, b.key, 0, f.protocol);
        if (pair !== undefined) this.aggregator.addAmbiguous(pair.client, a.port ?? 0, pair.server, b.port ?? 0, f.protocol, f);
        continue;
      }
      const verdict = connectionVerdict(f, c);
      const port = c.server.port ?? 0;
      const edge = this.budgets.edges.admit(c.client.key, c.server.key, port, f.protocol);
      if (edge === undefined) {
        refused++;
        continue;
      }
      if (edge.folded) counters.folded = (counters.folded ?? 0) + 1;
      // A folded edge's server is an address block, never a pod: no name of it is a port.
      this.aggregator.addEdge(edge.client, edge.server, port, f.protocol, f, verdict, edge.key, edge.folded ? '' : (c.server.targetPortName ?? ''), edge.folded ? undefined : c.server.throughService);
    }
    this.rememberNames(dsts, index, f.time, counters);
    if (refused > 0 && refused === connections.length) return 'over-cap';
    return oriented ? 'added' : 'ambiguous';
  }

  /**
   * The DNS names a record carried for its sides: an outside address's by the address, a pod's by
   * its workload (pod IPs are reused; a split-horizon name answered by an in-cluster gateway pod is
   * that workload, which no engine's DNS peer selects: recommender/matrix/service-names.ts), and a
   * Service ClusterIP's by each backend workload with the Service (the rule's port is then the
   * Service port). Only workloads the inventory lists: a stream of made-up owner names cannot grow
   * the store; and at most the name cap per workload, past which a name is counted, not kept.
   */
  private rememberNames(sides: readonly ResolvedSide[], index: ResolutionIndex, time: number, counters: IngestRunCounters): void {
    for (const s of sides) {
      if (!s.names) continue;
      if (s.peer.kind === 'external') for (const n of s.names) this.aggregator.addName(s.ip, n, time);
      else if (s.peer.kind === 'workload' && index.listedWorkload(s.key)) this.rememberWorkloadNames(workloadKey(s.peer.workload), s.namesVia ?? '', s.names, time, counters);
    }
  }

  private rememberWorkloadNames(workload: string, service: string, names: readonly string[], time: number, counters: IngestRunCounters): void {
    for (const n of names) {
      if (this.names.admit(workload, service, n)) this.aggregator.addWorkloadName(workload, service, n, time);
      else counters.namesCapped = (counters.namesCapped ?? 0) + 1;
    }
  }

  /** The pod labels a record carried, kept for the workloads of `sides` that the inventory does not list (docs/recommend.md#without-an-inventory). */
  private rememberLabels(sides: readonly ResolvedSide[], labels: Labels, index: ResolutionIndex, time: number): void {
    for (const s of sides) {
      if (s.peer.kind === 'workload' && !index.listedWorkload(s.key)) this.observedLabels.add(s.key, labels, time);
    }
  }

  /**
   * Records an input that could not be opened at all; returns its run. `streak`: the failed run of
   * the attempts before this one (a collector retrying), which this attempt is added to instead of
   * a run of its own, while the store still holds it.
   */
  failedInput(name: string, error: string, streak?: number): number {
    const { writer } = this.options;
    const run = streak !== undefined && writer.failedAgain?.(streak, error) === true ? streak : this.newFailedRun(name, error);
    this.committed.push(zeroCounters());
    this.inputs.push(unreadInput(name, run, error));
    return run;
  }

  private newFailedRun(name: string, error: string): number {
    const run = this.options.writer.startRun(name, this.options.format);
    try {
      this.options.writer.commit({ edges: [], ambiguous: [], names: [] }, run, zeroCounters(), 'failed');
      this.options.writer.fail?.(run, zeroCounters(), error);
    } catch {
      // Nothing was read; the run row stays as started.
    }
    return run;
  }

  /** What the input being read has stored so far (its last commit): a long-running input's progress, for live counters. */
  inProgress(): Readonly<IngestRunCounters> | undefined {
    return this.committedNow;
  }

  summary(): IngestSummary {
    const total = { records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, saturated: 0, folded: 0, namesCapped: 0 };
    const rejects: Partial<Record<RejectReason, number>> = {};
    for (const i of this.inputs) {
      total.records += i.records;
      total.accepted += i.accepted;
      total.rejected += i.rejected;
      total.skipped += i.skipped;
      total.ambiguous += i.ambiguous;
      total.saturated += i.saturated ?? 0;
      total.folded += i.folded ?? 0;
      total.namesCapped += i.namesCapped ?? 0;
    }
    for (const c of this.committed) for (const [k, n] of Object.entries(c.rejects)) rejects[k as RejectReason] = (rejects[k as RejectReason] ?? 0) + n;
    const summary: IngestSummary = {
      records: total.records,
      accepted: total.accepted,
      rejected: total.rejected,
      edges: this.edgeKeys.size,
      skipped: total.skipped,
      ambiguous: total.ambiguous,
      saturated: total.saturated,
      folded: total.folded,
      rejects: sortKeys(rejects),
      skips: sortKeys(this.skips),
      examples: this.examples,
      inputs: this.inputs,
      clock: { now: new Date(this.startedAt).toISOString(), maxFutureSkewSeconds: Math.round(this.skewMs / 1000) },
      durationMs: Math.round(performance.now() - this.started),
    };
    if (total.namesCapped > 0) summary.namesCapped = total.namesCapped;
    return summary;
  }
}
