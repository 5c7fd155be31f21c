/**
 * The followed-files collector: each followed path is followed (follower.ts) and its lines go
 * through the flow pipeline, one ingest run per path per `refresh` period, with the read offset
 * committed in the same transaction as the edges (offset-writer.ts). A failing path (unreadable,
 * vanished directory) is counted, logged once per episode and retried at the next poll; it never
 * stops the other paths. A store that refuses a path's lines (disk full, a file size limit,
 * read-only) ends its run: the path is read again from its stored offset after a backoff delay,
 * and the episode is logged when it starts and when a commit succeeds again.
 *
 * Globs (glob.ts) are expanded every `rescanInterval` (file-set.ts decides what a match may be
 * followed as): new matches are followed, matches gone for two scans in a row are forgotten (their
 * loop ends, their offset row is deleted), and at most `maxFiles` are followed at once: the rest
 * are counted (`files_over_cap`) and logged once per episode.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Backoff, sleep } from '../backoff.ts';
import type { Collector, CollectorDeps, CollectorStatus } from '../collector.ts';
import type { FlowIngest, IngestSummary, InputSummary } from '../flows/pipeline.ts';
import { storePipeline } from '../store-pipeline.ts';
import { FileOffsetStore, type FileIdentity } from '../../store/file-offsets.ts';
import { CollectorStateStore } from '../../store/collector-state.ts';
import type { FilesSettings, FileSpec, FollowedFile } from './config.ts';
import { admission } from './file-set.ts';
import { identityOf, sameFile } from './file-identity.ts';
import { FileFollower } from './follower.ts';
import { CompressedInputError } from '../flows/lines.ts';
import { expandGlob, globRegExp } from './glob.ts';
import { OffsetBatchWriter } from './offset-writer.ts';
import { basename, dirname } from 'node:path';

/** The `collector_state` key that says the files collector has started before. */
const STARTED_KEY = 'files:started';

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
  /** Found by a glob: forgotten when its file is gone. An exact path is followed even while missing. */
  fromGlob: boolean;
  /** Consecutive scans that did not find it. */
  missingScans: number;
  /** The file a glob match was admitted as (file-set.ts), until its follower holds one. */
  admitted?: FileIdentity;
  /** The writer of the current run (its not yet committed offsets of rotated files). */
  writer?: OffsetBatchWriter;
  /** The pipeline of the current run: its committed counters count before the run ends. */
  ingest?: FlowIngest;
  abort?: AbortController;
  loop?: Promise<void>;
  /** Detaches the follower's abort from the collector's (when it is forgotten before the collector stops). */
  detach?: () => void;
  /** Lines handed to the pipeline. */
  lines: number;
  errors: number;
  failing: boolean;
  lastError?: string;
  /** Runs the store refused (its start or a commit); while `storeFailing`, retried with backoff. */
  storeErrors: number;
  storeFailing: boolean;
  storeError?: string;
}

export class FilesCollector implements Collector {
  readonly name = 'files';
  private state: CollectorStatus['state'] = 'stopped';
  private lastSuccess: number | undefined;
  private readonly followed = new Map<string, Followed>();
  private readonly offsets: FileOffsetStore;
  private readonly totals = { records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, runs: 0, forgotten: 0, scanErrors: 0, capExceeded: 0 };
  /** Counters of followers already forgotten (kept so that the totals never go down). */
  private readonly past: Record<string, number> = { lines: 0, readErrors: 0, storeErrors: 0, rotations: 0, truncations: 0, oversized: 0, lostRotations: 0, compressed: 0 };
  private overCap = 0;
  private scanFailing = false;
  private scans = 0;
  private abort: AbortController | undefined;
  private scanLoop: Promise<void> | undefined;
  private readonly globs: { spec: FileSpec; name: RegExp }[];

  /**
   * Where a path without a stored offset starts: `settings.startAt` on the collector's first start
   * only. At a later one (a restart, the next `collect --once`) such a path appeared since the last
   * pass, or was missing then: its lines are new, read from the first (as `tail -F` reads a file
   * that appears). The first start is remembered in `collector_state`.
   */
  private readonly startAt: 'beginning' | 'end';
  private readonly collectorState: CollectorStateStore;

  constructor(
    private readonly settings: FilesSettings,
    private readonly deps: CollectorDeps,
  ) {
    this.offsets = new FileOffsetStore(deps.db);
    this.collectorState = new CollectorStateStore(deps.db);
    this.startAt = this.collectorState.get(STARTED_KEY) === undefined ? settings.startAt : 'beginning';
    this.globs = settings.files.filter((f) => f.glob).map((spec) => ({ spec, name: globRegExp(basename(spec.path)) }));
    const exact = settings.files.filter((f) => !f.glob);
    refuseTwoNames(exact.map((f) => f.path));
    for (const f of exact) this.add(f, false, this.startAt);
  }

  /** Notes that the collector has started once: from now on a path without an offset is read from its start. */
  private markStarted(): void {
    if (this.collectorState.get(STARTED_KEY) === undefined) this.collectorState.save(STARTED_KEY, { at: this.deps.now() }, this.deps.now());
  }

  async start(): Promise<void> {
    if (this.abort) return;
    this.abort = new AbortController();
    this.state = 'running';
    this.markStarted();
    const signal = this.abort.signal;
    for (const f of this.followed.values()) this.startLoop(f, signal);
    if (this.globs.length > 0) {
      this.scanLoop = (async () => {
        while (!signal.aborted) {
          await this.scan();
          await sleep(this.settings.rescanMs, signal);
        }
      })();
    }
  }

  async stop(): Promise<void> {
    if (!this.abort) return;
    this.abort.abort();
    await this.scanLoop;
    await Promise.all([...this.followed.values()].map((f) => f.loop));
    for (const f of this.followed.values()) await f.follower.close();
    this.abort = undefined;
    this.scanLoop = undefined;
    this.state = 'stopped';
  }

  status(): CollectorStatus {
    const { forgotten, scanErrors, capExceeded, ...totals } = this.totals;
    const counters: Record<string, number> = { ...totals, ...this.past, forgotten_files: forgotten, scan_errors: scanErrors, cap_exceeded: capExceeded };
    // A run lasts `refresh` (an hour): what its committed batches stored counts already.
    for (const f of this.followed.values()) {
      const now = f.ingest?.inProgress();
      if (now) for (const k of ['records', 'accepted', 'rejected', 'skipped', 'ambiguous'] as const) counters[k] = (counters[k] ?? 0) + now[k];
    }
    const all = [...this.followed.values()];
    const failing = all.filter((f) => f.failing);
    for (const f of all) {
      counters.lines = (counters.lines ?? 0) + f.lines;
      counters.readErrors = (counters.readErrors ?? 0) + f.errors;
      counters.storeErrors = (counters.storeErrors ?? 0) + f.storeErrors;
      for (const [k, v] of Object.entries(f.follower.counters)) counters[k] = (counters[k] ?? 0) + v;
    }
    const refused = all.find((f) => f.storeFailing);
    // Retrying, as every collector whose source fails: `starting`, so that /readyz stays 200.
    const state = refused && this.state === 'running' ? 'starting' : this.state;
    const s: CollectorStatus = { name: this.name, state, counters, gauges: { files: all.length, failing_files: failing.length, files_over_cap: this.overCap } };
    if (this.lastSuccess !== undefined) s.lastSuccess = this.lastSuccess;
    const err = refused?.storeError ?? failing[0]?.lastError;
    if (err !== undefined) s.lastError = err;
    return s;
  }

  /** One pass (`collect files --once`): globs expanded once, every path read to its current end (complete lines), committed. */
  async once(): Promise<FileRunResult[]> {
    await this.scan();
    this.markStarted();
    const results: FileRunResult[] = [];
    const signal = new AbortController().signal;
    for (const f of [...this.followed.values()].sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0))) {
      const { pipeline, writer } = this.pipeline(f);
      const summary = await pipeline.ingestRecords(this.lines(f, writer, signal, true, 0), `file:${f.file.path}`);
      this.addTotals(summary);
      const r: FileRunResult = { path: f.file.path, summary, ingest: pipeline.summary() };
      if (f.lastError !== undefined && f.failing) r.error = f.lastError;
      else if (f.follower.missing && !f.fromGlob) r.error = `${f.file.path}: no such file`;
      results.push(r);
    }
    for (const f of this.followed.values()) await f.follower.close();
    return results;
  }

  /** Paths followed now (for tests and status). */
  paths(): string[] {
    return [...this.followed.keys()].sort();
  }

  private add(file: FollowedFile, fromGlob: boolean, startAt: 'beginning' | 'end'): Followed {
    const f: Followed = {
      file,
      follower: new FileFollower(file.path, this.offsets, { maxLineLength: this.settings.maxLineLength, startAt }),
      fromGlob,
      missingScans: 0,
      lines: 0,
      errors: 0,
      failing: false,
      storeErrors: 0,
      storeFailing: false,
    };
    this.followed.set(file.path, f);
    return f;
  }

  private startLoop(f: Followed, parent: AbortSignal): void {
    const abort = new AbortController();
    const onAbort = (): void => abort.abort();
    parent.addEventListener('abort', onAbort, { once: true });
    f.detach = () => parent.removeEventListener('abort', onAbort);
    f.abort = abort;
    f.loop = this.follow(f, abort.signal);
  }

  /** Expands the globs: follows new matches (up to maxFiles), forgets matches gone for two scans. */
  private async scan(): Promise<void> {
    if (this.globs.length === 0) return;
    const first = this.scans++ === 0;
    const matches = new Map<string, FileSpec>();
    try {
      for (const { spec } of this.globs) for (const p of await expandGlob(spec.path)) if (!matches.has(p)) matches.set(p, spec);
      if (this.scanFailing) this.deps.logger.info({ collector: this.name }, 'followed-file globs readable again');
      this.scanFailing = false;
    } catch (e) {
      this.totals.scanErrors++;
      if (!this.scanFailing) this.deps.logger.warn({ collector: this.name, err: (e as Error).message }, 'cannot expand a followed-file glob; retrying at every rescan');
      this.scanFailing = true;
      return;
    }
    for (const f of [...this.followed.values()]) {
      if (!f.fromGlob) continue;
      if (matches.has(f.file.path)) f.missingScans = 0;
      else if (++f.missingScans >= 2) await this.forget(f, matches);
    }
    let over = 0;
    const matchedPaths = new Set(matches.keys());
    for (const [path, spec] of matches) {
      if (this.followed.has(path)) continue;
      if (this.followed.size >= this.settings.maxFiles) {
        over++;
        continue;
      }
      const states = [...this.followed.values()].map((f) => ({
        path: f.file.path,
        holding: f.follower.holding ?? f.admitted,
        // Rotated files finished but not yet committed under their new names.
        pending: [...(f.writer?.extra.values() ?? []), ...f.follower.retiredPending],
      }));
      const admitted = await admission(path, states, matchedPaths, this.offsets);
      if (!admitted) continue;
      const f = this.add({ path, format: spec.format }, true, first ? this.startAt : 'beginning');
      f.admitted = admitted;
      if (this.abort) this.startLoop(f, this.abort.signal);
    }
    if (over > 0 && this.overCap === 0) {
      this.totals.capExceeded++;
      this.deps.logger.warn({ collector: this.name, maxFiles: this.settings.maxFiles, left_out: over }, 'more followed-file matches than maxFiles; the rest are not read until some are gone (logged once until it is back under)');
    } else if (over === 0 && this.overCap > 0) this.deps.logger.info({ collector: this.name }, 'followed-file matches back under maxFiles');
    this.overCap = over;
  }

  /**
   * Stops following a glob match whose path is gone. Its loop ends first (its last lines
   * committed). If its file lives on under another matching name (renamed, not yet re-created),
   * the offset moves to that name in the same transaction that deletes the old row.
   */
  private async forget(f: Followed, matches: Map<string, FileSpec>): Promise<void> {
    f.abort?.abort();
    await f.loop;
    f.detach?.();
    const pos = f.follower.position;
    await f.follower.close();
    let renamed: string | undefined;
    if (pos.file) {
      for (const p of matches.keys()) {
        if (this.followed.has(p) || dirname(p) !== dirname(f.file.path)) continue;
        const id = await stat(p, { bigint: true }).then(identityOf, () => undefined);
        if (sameFile(id, pos.file)) {
          renamed = p;
          break;
        }
      }
    }
    try {
      this.deps.db.transaction(() => {
        if (renamed && pos.file) this.offsets.save({ path: renamed, ...(pos.file as FileIdentity), offset: pos.offset, updatedAt: this.deps.now() });
        this.offsets.delete(f.file.path);
      })();
    } catch (e) {
      // The file is gone all the same: its stored offset row stays. A file that appears at its
      // path again, or on its inode under another name, is another file (other first bytes) and
      // is read from its start; a renamed one (the same first bytes) takes the row over when
      // admitted (file-set.ts).
      f.storeErrors++;
      this.deps.logger.warn({ collector: this.name, path: f.file.path, db: this.deps.db.name, err: (e as Error).message }, 'could not forget a followed file that is gone: the store refused to update its offset; forgotten all the same');
    }
    this.past.lines = (this.past.lines ?? 0) + f.lines;
    this.past.readErrors = (this.past.readErrors ?? 0) + f.errors;
    this.past.storeErrors = (this.past.storeErrors ?? 0) + f.storeErrors;
    for (const [k, v] of Object.entries(f.follower.counters)) this.past[k] = (this.past[k] ?? 0) + v;
    this.followed.delete(f.file.path);
    this.totals.forgotten++;
    this.deps.logger.info({ collector: this.name, path: f.file.path, ...(renamed ? { renamedTo: renamed } : {}) }, 'followed file gone; forgotten');
  }

  private pipeline(f: Followed): { pipeline: FlowIngest; writer: OffsetBatchWriter } {
    const db = this.deps.db;
    const writer = new OffsetBatchWriter(db, new FileOffsetStore(db));
    f.writer = writer;
    const pipeline = storePipeline(db, {
      format: f.file.format,
      limits: this.deps.ingest,
      writer,
      batchSize: this.settings.batchSize,
      flushIntervalMs: this.settings.flushIntervalMs,
      maxLineLength: this.settings.maxLineLength,
    });
    return { pipeline, writer };
  }

  /**
   * Runs after runs until stopped. A run the store refused is followed by a backoff delay: a
   * refused start returns at once without any I/O, so going straight on would hold the event loop
   * (no probe, no SIGTERM) and hammer the disk.
   */
  private async follow(f: Followed, signal: AbortSignal): Promise<void> {
    const retry = new Backoff(this.settings.backoff);
    while (!signal.aborted) {
      const refused = await this.run(f, signal, retry);
      if (refused === undefined) continue;
      await this.storeRefused(f, refused);
      await sleep(retry.next(), signal);
    }
  }

  /** One ingest run of a followed file; what the store said if it refused the run's start or a commit. */
  private async run(f: Followed, signal: AbortSignal, retry: Backoff): Promise<string | undefined> {
    let summary: InputSummary;
    try {
      const { pipeline, writer } = this.pipeline(f);
      writer.onCommitted = () => this.storeAccepts(f, retry);
      f.ingest = pipeline;
      summary = await pipeline.ingestRecords(this.lines(f, writer, signal, false, this.deps.now() + this.settings.refreshMs), `file:${f.file.path}`);
    } catch (e) {
      // The store could not even be read for the run's resolution index.
      return (e as Error).message;
    } finally {
      f.ingest = undefined;
    }
    this.addTotals(summary);
    this.totals.runs++;
    return summary.failedBatch ? (summary.error ?? 'the store refused a commit') : undefined;
  }

  /** Counts a refused run, logs the episode's start once, and rewinds the follower to the stored offset. */
  private async storeRefused(f: Followed, error: string): Promise<void> {
    f.storeErrors++;
    f.storeError = `${this.deps.db.name}: the store refused the lines of ${f.file.path}: ${error}; check the filesystem the store is on (free space, the process's file size limit, permissions); retrying with backoff, from the last stored offset`;
    if (!f.storeFailing) this.deps.logger.warn({ collector: this.name, path: f.file.path, db: this.deps.db.name, err: error }, "the store refused a followed file's lines; retrying with backoff from the last stored offset (logged once until a commit succeeds)");
    f.storeFailing = true;
    await f.follower.rewind();
  }

  private storeAccepts(f: Followed, retry: Backoff): void {
    retry.reset();
    if (!f.storeFailing) return;
    f.storeFailing = false;
    f.storeError = undefined;
    this.deps.logger.info({ collector: this.name, path: f.file.path, db: this.deps.db.name }, "the store takes a followed file's lines again");
  }

  private addTotals(s: InputSummary): void {
    this.totals.records += s.records;
    this.totals.accepted += s.accepted;
    this.totals.rejected += s.rejected;
    this.totals.skipped += s.skipped;
    this.totals.ambiguous += s.ambiguous;
  }

  /**
   * A rotated file the follower finished, under a name a glob matches: its offset is saved with
   * the next commit (before or with the first line of the new file), so the glob never reads it again.
   */
  private keepRetired(f: Followed, writer: OffsetBatchWriter): void {
    for (const r of f.follower.takeRetired()) {
      if (!this.globs.some((g) => dirname(g.spec.path) === dirname(r.path) && g.name.test(basename(r.path)))) continue;
      writer.extra.set(r.path, { ...r, updatedAt: this.deps.now() });
    }
  }

  /**
   * Where the poll stopped reading, saved with the next commit: past the lines it skipped after the
   * last line it handed on (over-long, blank), which would otherwise be read and counted again by
   * every later pass.
   */
  private notePosition(f: Followed, writer: OffsetBatchWriter): void {
    const { file, offset } = f.follower.position;
    if (file) writer.position = { path: f.file.path, ...file, offset, updatedAt: this.deps.now() };
  }

  /** The lines of one run: poll, hand lines on (noting the offset each one ends at), wait, until stop or the run's end. */
  private async *lines(f: Followed, writer: OffsetBatchWriter, signal: AbortSignal, once: boolean, until: number): AsyncGenerator<string> {
    // A commit by the flush timer the store refused ends the run now, not at the next line.
    while (!signal.aborted && !writer.refused) {
      try {
        for await (const line of f.follower.poll()) {
          this.keepRetired(f, writer);
          writer.position = { path: f.file.path, ...line.file, offset: line.end, updatedAt: this.deps.now() };
          f.lines++;
          yield line.text;
        }
        this.keepRetired(f, writer);
        this.notePosition(f, writer);
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
          const what = e instanceof CompressedInputError ? 'followed file is gzip-compressed: not read; looked at again at every poll' : 'cannot read followed file; retrying at every poll';
          this.deps.logger.warn({ collector: this.name, path: f.file.path, err: (e as Error).message }, what);
        }
      }
      if (once || this.deps.now() >= until) return;
      await sleep(this.settings.pollMs, signal);
    }
  }
}

/** Exact paths naming one file (a symlink, a hard link) would read it twice: a config error. Paths missing now are not checked. */
function refuseTwoNames(paths: readonly string[]): void {
  const seen: { path: string; id: FileIdentity }[] = [];
  for (const path of paths) {
    let id: FileIdentity | undefined;
    try {
      id = identityOf(statSync(path, { bigint: true }));
    } catch {
      continue;
    }
    const twin = seen.find((s) => sameFile(s.id, id));
    if (twin) throw new Error(`${path} and ${twin.path} are the same file: list it once`);
    if (id) seen.push({ path, id });
  }
}
