/**
 * The followed-files collector: each configured path is followed (follower.ts) and its lines
 * go through the flow pipeline, one ingest run per path per `refresh` period, with the read
 * offset committed in the same transaction as the edges (offset-writer.ts). A failing path
 * (unreadable, vanished directory) is counted, logged once per episode and retried at the next
 * poll; it never stops the other paths.
 */
import { sleep } from '../backoff.ts';
import type { Collector, CollectorDeps, CollectorStatus } from '../collector.ts';
import type { FlowIngest, IngestSummary, InputSummary } from '../flows/pipeline.ts';
import { storePipeline } from '../store-pipeline.ts';
import { FileOffsetStore } from '../../store/file-offsets.ts';
import type { FilesSettings, FollowedFile } from './config.ts';
import { FileFollower } from './follower.ts';
import { OffsetBatchWriter } from './offset-writer.ts';

export interface FileRunResult {
  path: string;
  summary: InputSummary;
  ingest: IngestSummary;
  /** The last read error of the pass, if any. */
  error?: string;
}

interface Followed {
  file: FollowedFile;
  follower: FileFollower;
  /** Lines handed to the pipeline. */
  lines: number;
  errors: number;
  failing: boolean;
  lastError?: string;
}

export class FilesCollector implements Collector {
  readonly name = 'files';
  private state: CollectorStatus['state'] = 'stopped';
  private lastSuccess: number | undefined;
  private readonly followed: Followed[];
  private readonly totals = { records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, runs: 0 };
  private abort: AbortController | undefined;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly settings: FilesSettings,
    private readonly deps: CollectorDeps,
  ) {
    const offsets = new FileOffsetStore(deps.db);
    this.followed = settings.files.map((file) => ({
      file,
      follower: new FileFollower(file.path, offsets, { maxLineLength: settings.maxLineLength, startAt: settings.startAt }),
      lines: 0,
      errors: 0,
      failing: false,
    }));
  }

  async start(): Promise<void> {
    if (this.abort) return;
    this.abort = new AbortController();
    this.state = 'running';
    const signal = this.abort.signal;
    this.loops = this.followed.map((f) => this.follow(f, signal));
  }

  async stop(): Promise<void> {
    if (!this.abort) return;
    this.abort.abort();
    await Promise.all(this.loops);
    for (const f of this.followed) await f.follower.close();
    this.abort = undefined;
    this.loops = [];
    this.state = 'stopped';
  }

  status(): CollectorStatus {
    const counters: Record<string, number> = { ...this.totals, lines: 0, readErrors: 0, rotations: 0, truncations: 0, oversized: 0, lostRotations: 0 };
    const failing = this.followed.filter((f) => f.failing);
    for (const f of this.followed) {
      counters.lines = (counters.lines ?? 0) + f.lines;
      counters.readErrors = (counters.readErrors ?? 0) + f.errors;
      for (const [k, v] of Object.entries(f.follower.counters)) counters[k] = (counters[k] ?? 0) + v;
    }
    const s: CollectorStatus = { name: this.name, state: this.state, counters, gauges: { files: this.followed.length, failing_files: failing.length } };
    if (this.lastSuccess !== undefined) s.lastSuccess = this.lastSuccess;
    const err = failing[0]?.lastError;
    if (err !== undefined) s.lastError = err;
    return s;
  }

  /** One pass (`collect files --once`): every path read to its current end (complete lines), committed. */
  async once(): Promise<FileRunResult[]> {
    const results: FileRunResult[] = [];
    const signal = new AbortController().signal;
    for (const f of this.followed) {
      const { pipeline, writer } = this.pipeline(f.file);
      const summary = await pipeline.ingestRecords(this.lines(f, writer, signal, true, 0), `file:${f.file.path}`);
      this.addTotals(summary);
      const r: FileRunResult = { path: f.file.path, summary, ingest: pipeline.summary() };
      if (f.lastError !== undefined && f.failing) r.error = f.lastError;
      else if (f.follower.missing) r.error = `${f.file.path}: no such file`;
      results.push(r);
    }
    for (const f of this.followed) await f.follower.close();
    return results;
  }

  private pipeline(file: FollowedFile): { pipeline: FlowIngest; writer: OffsetBatchWriter } {
    const db = this.deps.db;
    const writer = new OffsetBatchWriter(db, new FileOffsetStore(db));
    const pipeline = storePipeline(db, {
      format: file.format,
      writer,
      batchSize: this.settings.batchSize,
      flushIntervalMs: this.settings.flushIntervalMs,
      maxLineLength: this.settings.maxLineLength,
    });
    return { pipeline, writer };
  }

  private async follow(f: Followed, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const { pipeline, writer } = this.pipeline(f.file);
      const summary = await pipeline.ingestRecords(this.lines(f, writer, signal, false, this.deps.now() + this.settings.refreshMs), `file:${f.file.path}`);
      this.addTotals(summary);
      this.totals.runs++;
    }
  }

  private addTotals(s: InputSummary): void {
    this.totals.records += s.records;
    this.totals.accepted += s.accepted;
    this.totals.rejected += s.rejected;
    this.totals.skipped += s.skipped;
    this.totals.ambiguous += s.ambiguous;
  }

  /** The lines of one run: poll, hand lines on (noting the offset each one ends at), wait, until stop or the run's end. */
  private async *lines(f: Followed, writer: OffsetBatchWriter, signal: AbortSignal, once: boolean, until: number): AsyncGenerator<string> {
    while (!signal.aborted) {
      try {
        for await (const line of f.follower.poll()) {
          writer.position = { path: f.file.path, ...line.file, offset: line.end, updatedAt: this.deps.now() };
          f.lines++;
          yield line.text;
        }
        // A poll that reached the end of what is there, with no error, is a success.
        this.lastSuccess = this.deps.now();
        if (f.failing) {
          f.failing = false;
          this.deps.logger.info({ collector: this.name, path: f.file.path }, 'followed file readable again');
        }
      } catch (e) {
        f.errors++;
        f.lastError = `${f.file.path}: ${(e as Error).message}`;
        await f.follower.close();
        if (!f.failing) {
          f.failing = true;
          this.deps.logger.warn({ collector: this.name, path: f.file.path, err: (e as Error).message }, 'cannot read followed file; retrying at every poll');
        }
      }
      if (once || this.deps.now() >= until) return;
      await sleep(this.settings.pollMs, signal);
    }
  }
}
