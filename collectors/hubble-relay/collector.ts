/**
 * The Hubble Relay collector: follows `observer.Observer/GetFlows` (`follow: true`, the stream
 * `hubble observe --follow` reads) and feeds every flow through the flow pipeline, one ingest
 * run per stream (failed attempts in a row, refused or failed before a record, are one run). After a disconnect it reconnects with backoff and asks for the flows
 * `since` the newest one it handed on (skipping those it already has); that cursor is stored with
 * each batch (cursor-writer.ts), so a restarted flowmatrix resumes too. A bounded queue sits
 * between the stream and the writer: when it is full the stream is paused, and gRPC's flow
 * control holds the relay back.
 */
import type * as grpc from '@grpc/grpc-js';
import type { FlowIngest, IngestSummary, InputSummary, RejectExample } from '../flows/pipeline.ts';
import { MAX_COUNT, showValue, toCount } from '../flows/decode.ts';
import { RecentRejections } from '../rejections.ts';
import { Backoff, sleep } from '../backoff.ts';
import { durationText } from '../config-values.ts';
import type { Collector, CollectorDeps, CollectorRejection, CollectorStatus } from '../collector.ts';
import { ConnectStopped, observerClient, waitForReady, type GetFlowsRequest, type ObserverClient } from './client.ts';
import type { HubbleRelaySettings } from './config.ts';
import { ResumeCursor, type CursorState } from './cursor.ts';
import { JudgedFlows } from './judged.ts';
import { nanosToTimestamp, responseToJson, timestampInRange, type WireTimestamp } from './protojson.ts';
import { BoundedQueue } from './queue.ts';
import { storePipeline } from '../store-pipeline.ts';
import { CollectorStateStore } from '../../store/collector-state.ts';
import { CursorBatchWriter } from './cursor-writer.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import { MIN_FLOW_TIME_MS } from '../../domain/flow.ts';

export interface HubbleRelayOptions {
  /** Backoff jitter source (tests pass a fixed one). */
  random?: () => number;
  /** How long a connection attempt may take (default 10 s). */
  connectTimeoutMs?: number;
}

/** Monotonic counters, exported as flowmatrix_collector_events_total{collector="hubble",counter}. */
export interface HubbleRelayCounters {
  /** Connections that reached the relay. */
  connects: number;
  /** Connection attempts that failed (unreachable, TLS refused, timeout). */
  connectFailures: number;
  /** Streams that ended with an error after connecting (broken mid-message, relay restarted). */
  streamErrors: number;
  /** Flow messages received. */
  flows: number;
  /** Flows received again after a resume and not counted twice (those rejected for their time included: judged once). */
  duplicates: number;
  /** Records handed to the pipeline (live), and what it made of them (added when each run ends). */
  records: number;
  accepted: number;
  rejected: number;
  skipped: number;
  ambiguous: number;
  /** Events the relay or an agent reported lost (LostEvent.num_events_lost). */
  lostEvents: number;
  nodeStatus: number;
  /** Times the stream was paused because the queue was full. */
  pauses: number;
  /** Flows dated after the clock that the resume cursor could not remember (cursor.ts): a resume may count them twice. */
  aheadUnremembered: number;
  /** Rejected flows past the log budget (collectors/rejections.ts): counted, in `rejections` while recent, not logged. */
  rejectionsNotLogged: number;
  /** Followed streams ended and resumed after `idleTimeout.follow` without a message. */
  idleReconnects: number;
  /** Sessions that threw instead of returning their error (the client could not be built, the store could not even be read): retried as a lost stream. */
  sessionErrors: number;
  /** Sessions whose batch (or run) the store refused: their flows are asked for again from the last one stored. */
  storeErrors: number;
}

/** A kind of failure a failure episode logs once (HubbleRelayCollector.reported): refused connections, streams failing after connecting, sessions that throw. */
type FailureKind = 'unreachable' | 'streams-fail' | 'session-throws';

/** What the follow loop needs of a session: whether it got anywhere, and its error (`threw`: not returned but thrown). */
type SessionOutcome = Pick<SessionResult, 'newFlows' | 'connected' | 'error' | 'storeRefused'> & { threw?: true };

export interface SessionResult {
  /** This session's ingest run. */
  summary: InputSummary;
  /** The pipeline's summary (edges touched, reject and skip reasons, examples). */
  ingest: IngestSummary;
  /** Messages received in this session. */
  received: number;
  /** Flows received that moved the resume cursor (not the ones at `since` sent again): the session's progress. */
  newFlows: number;
  /** Connected at all. */
  connected: boolean;
  error?: Error;
  /** The store refused a commit (or the run's start): `error` says why. */
  storeRefused?: true;
}

const OK = 0;
const CANCELLED = 1;
/** How long a session that ended waits for its call's status (grpc-js reports it apart from the end). */
const STATUS_WAIT_MS = 2_000;

/** A record in the queue, with what the stored cursor needs once the pipeline takes it. */
interface Queued {
  record: unknown;
  timeNs?: bigint;
  identity?: string;
  /** The collector's clock when the flow came (the cursor never resumes past it). */
  receivedNs?: bigint;
}

export class HubbleRelayCollector implements Collector {
  readonly name = 'hubble';
  private state: CollectorStatus['state'] = 'stopped';
  private lastSuccess: number | undefined;
  private lastError: string | undefined;
  private readonly counters: HubbleRelayCounters = {
    connects: 0, connectFailures: 0, streamErrors: 0, flows: 0, duplicates: 0, records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, lostEvents: 0, nodeStatus: 0, pauses: 0, aheadUnremembered: 0, rejectionsNotLogged: 0, idleReconnects: 0, sessionErrors: 0, storeErrors: 0,
  };
  /** The flows `serve` rejected lately, each logged within a budget. */
  private readonly rejections: RecentRejections;
  private queue: BoundedQueue<Queued> | undefined;
  /** The ingest of the session streaming now: what its committed batches stored counts already (a session lasts `refresh`). */
  private current: FlowIngest | undefined;
  /** The newest flow time received (epoch ms): `lag_seconds` is now minus it, read when asked, so a frozen stream shows a growing lag. */
  private newestFlowMs: number | undefined;
  /** What was received (dedup on receipt, `since` of the next connection). */
  private cursor: ResumeCursor;
  /** What the pipeline has taken: stored with each batch (collector_state), read back at start. */
  private stored: ResumeCursor;
  /** Flows whose time the cursor cannot hold, handed on once: the relay sends them again at every resume. */
  private readonly judged = new JudgedFlows();
  private readonly stateKey: string;
  private readonly backoff: Backoff;
  private client: ObserverClient | undefined;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  /**
   * The kinds of failure the log has said of the current failure episode (none: reachable). Each
   * kind is logged once per episode, never at every retry nor at each alternation (a relay refusing
   * connections, then accepting them and failing every stream, then refusing again). The episode
   * ends only with a stream that delivers a flow or ends cleanly: a connection alone is no recovery.
   */
  private readonly reported = new Set<FailureKind>();
  /**
   * The failed run of the current failure streak — refused connections, and streams that failed
   * before delivering a record (a relay answering UNAVAILABLE right after connecting): each retry
   * is added to it (attempts, last error) instead of a run of its own — an outage of a day would
   * otherwise be thousands of rows. Cleared when a stream delivers a record or ends without error:
   * the next failure starts a new run.
   */
  private failedStreakRun: number | undefined;
  /** Why the store refused the last commit, until it takes one again: the collector retries meanwhile (`starting`). */
  private storeError: string | undefined;

  constructor(
    private readonly settings: HubbleRelaySettings,
    private readonly deps: CollectorDeps,
    private readonly options: HubbleRelayOptions = {},
  ) {
    this.backoff = new Backoff({ initialMs: settings.backoff.initialMs, maxMs: settings.backoff.maxMs, ...(options.random ? { random: options.random } : {}) });
    this.stateKey = `hubble:${settings.address}`;
    this.rejections = new RecentRejections(deps.logger, deps.now, { collector: this.name, address: settings.address }, 'hubble flow rejected');
    this.cursor = new ResumeCursor();
    this.stored = new ResumeCursor();
  }

  /** Resumes where the last run of this collector (same address) stored its last flow, if it did. */
  private restoreCursor(): boolean {
    const state = new CollectorStateStore(this.deps.db).get(this.stateKey);
    const a = ResumeCursor.restore(state);
    const b = ResumeCursor.restore(state);
    if (!a || !b) return false;
    this.cursor = a;
    this.stored = b;
    return true;
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.state = 'starting';
    this.abort = new AbortController();
    if (!this.restoreCursor() && this.settings.sinceMs !== undefined) this.cursor.startAt(BigInt(this.deps.now() - this.settings.sinceMs) * 1_000_000n);
    this.loop = this.follow(this.abort.signal);
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
    this.client?.close();
    this.client = undefined;
    this.state = 'stopped';
  }

  status(): CollectorStatus {
    const s: CollectorStatus = {
      name: this.name,
      state: this.state,
      counters: { ...this.counters, ...this.liveRunCounters(), aheadUnremembered: this.cursor.unremembered, rejectionsNotLogged: this.rejections.notLogged },
      gauges: { queue_length: this.queue?.length ?? 0, queue_capacity: this.settings.queueSize, paused: this.queue?.isPaused ? 1 : 0, lag_seconds: this.newestFlowMs === undefined ? 0 : Math.max(0, (this.deps.now() - this.newestFlowMs) / 1000) },
    };
    if (this.lastSuccess !== undefined) s.lastSuccess = this.lastSuccess;
    const lastError = this.storeError ?? this.lastError;
    if (lastError !== undefined) s.lastError = lastError;
    if (this.storeError !== undefined && s.state === 'running') s.state = 'starting';
    const rejections = this.rejections.list();
    if (rejections.length > 0) s.rejections = rejections;
    return s;
  }

  /**
   * One pass for `collect hubble --once`: the flows still in the relay's buffer from `sinceMs`
   * (epoch ms; default now − onceSince) on, then the stream ends.
   */
  async once(sinceMs = this.deps.now() - this.settings.onceSinceMs): Promise<SessionResult> {
    this.cursor.startAt(BigInt(sinceMs) * 1_000_000n);
    const r = await this.session(false, new AbortController().signal);
    this.client?.close();
    this.client = undefined;
    return r;
  }

  private async follow(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const r: SessionOutcome = await this.session(true, signal).catch((e: unknown) => this.unexpected(e));
      if (signal.aborted) break;
      // A relay that accepts the connection and fails the stream at once (UNAVAILABLE, no peers) is
      // a failure like any other: the delay grows until something comes through. The flows at
      // `since` that every resume gets again (Hubble's `since` is inclusive) are not progress, else
      // a relay resending them and failing would be retried at the first delay forever.
      // Flows received are no progress when the store refused them: they are asked for again.
      if (!r.storeRefused && (r.newFlows > 0 || (r.connected && !r.error))) this.backoff.reset();
      if (r.error) {
        // Retrying is not `failed` (which /readyz turns into 503 for the whole service): the
        // relay being away must not take the API out of its Service. up=0 and lastError say it.
        this.state = 'starting';
        this.lastError = r.error.message;
        if (!r.storeRefused) this.reportFailing(r.threw ? 'session-throws' : r.connected ? 'streams-fail' : 'unreachable', r.error);
      } else if (r.connected) this.reportReachable();
      await sleep(this.backoff.next(), signal);
    }
  }

  /** Logs a kind of failure the first time the current episode meets it. */
  private reportFailing(kind: FailureKind, error: Error): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    const fields = { collector: this.name, address: this.settings.address, err: error.message };
    if (kind === 'session-throws') this.deps.logger.error(fields, 'hubble-relay session failed');
    else this.deps.logger.warn(fields, 'hubble-relay stream failed; retrying with backoff');
  }

  /** Logs the end of a failure episode, once. */
  private reportReachable(): void {
    if (this.reported.size === 0) return;
    this.reported.clear();
    this.deps.logger.info({ collector: this.name, address: this.settings.address }, 'hubble-relay reachable again');
  }

  /**
   * A session that threw instead of returning its error (the client could not be built, the store
   * refused the run): retried with backoff like a lost stream, since a collector never takes the
   * service down with it (docs/operations.md); counted each time, logged once per episode (follow).
   */
  private unexpected(e: unknown): SessionOutcome {
    const error = e instanceof Error ? e : new Error(String(e));
    this.counters.sessionErrors++;
    this.client?.close();
    this.client = undefined;
    return { newFlows: 0, connected: false, error, threw: true };
  }

  /** One connection: connect, stream into one ingest run, return when the stream ends. */
  async session(follow: boolean, signal: AbortSignal): Promise<SessionResult> {
    // `once` passes do not move the stored cursor: they read a window, not the stream's continuation.
    const writer = follow ? new CursorBatchWriter(this.deps.db, this.stateKey, this.stored, this.deps.now) : undefined;
    if (writer) writer.onCommitted = () => this.storeAccepts();
    // `collect hubble --once` prints its examples in its summary; `serve` keeps and logs them here.
    const onReject = follow ? (ex: RejectExample, record: unknown) => this.rejections.add({ ...rejectionOf(ex), record: flowText(ex, record) }) : undefined;
    const pipeline = storePipeline(this.deps.db, { format: 'hubble', limits: this.deps.ingest, batchSize: this.settings.batchSize, flushIntervalMs: this.settings.flushIntervalMs, ...(writer ? { writer } : {}), ...(onReject ? { onReject } : {}) });
    const runName = `hubble-relay:${this.settings.address}`;
    this.client ??= observerClient(this.settings.address, this.settings.tls);
    const client = this.client;
    try {
      await waitForReady(client, this.options.connectTimeoutMs ?? 10_000, signal);
    } catch (e) {
      // Stopped while connecting: no failure, and the stop does not wait for the connect timeout.
      if (e instanceof ConnectStopped) return { summary: await pipeline.ingestRecords([], runName), ingest: pipeline.summary(), received: 0, newFlows: 0, connected: false };
      this.counters.connectFailures++;
      const error = new Error(`cannot connect to hubble-relay at ${this.settings.address}: ${(e as Error).message}`);
      return { summary: this.failedAttempt(pipeline, runName, error, follow), ingest: pipeline.summary(), received: 0, newFlows: 0, connected: false, error };
    }
    if (signal.aborted) return { summary: await pipeline.ingestRecords([], runName), ingest: pipeline.summary(), received: 0, newFlows: 0, connected: true };
    this.counters.connects++;
    this.state = 'running';
    // A connection ends no failure episode: a stream that delivers does (below), or one that ends cleanly (follow).
    this.lastError = undefined;

    const request: GetFlowsRequest = { follow };
    const since = this.cursor.since;
    if (since !== undefined) request.since = nanosToTimestamp(since);
    const call = client.GetFlows(request);
    let received = 0;
    let newFlows = 0;
    let ourCancel = false;
    let streamError: Error | undefined;
    const idleMs = follow ? this.settings.idleTimeoutMs.follow : this.settings.idleTimeoutMs.once;
    // Keepalive pings do not notice a relay that answers them but sends nothing: a one-shot pass
    // would wait forever, a followed stream until `refresh`.
    const idle = new IdleWatch(idleMs, () => {
      if (follow) this.counters.idleReconnects++;
      else fail(`hubble-relay stream from ${this.settings.address} stalled: no message for ${durationText(idleMs)}`);
      cancel();
    });
    const queue = new BoundedQueue<Queued>(this.settings.queueSize, {
      pause: () => {
        this.counters.pauses++;
        idle.stop(); // we hold the stream back: its quiet is ours
        call.pause();
      },
      resume: () => {
        idle.restart();
        call.resume();
      },
    });
    this.queue = queue;
    call.on('data', (r: Record<string, unknown>) => {
      received++;
      this.lastSuccess = this.deps.now();
      if (this.onResponse(r, queue)) {
        newFlows++;
        this.reportReachable(); // a stream that delivers ends any failure episode
      }
      if (queue.isPaused) idle.stop();
      else idle.restart();
    });
    const fail = (message: string): void => {
      if (streamError) return;
      streamError = new Error(message);
      this.counters.streamErrors++;
      queue.close(streamError);
    };
    const broke = (details: string): void => fail(`hubble-relay stream from ${this.settings.address} broke: ${details}`);
    call.on('error', (e: grpc.ServiceError) => {
      if (ourCancel && e.code === CANCELLED) return queue.close();
      broke(e.details || e.message);
    });
    call.on('end', () => queue.close());
    // grpc-js ends the stream and reports its status apart: a stream that failed at once (a relay
    // answering UNAVAILABLE) may end before its error arrives, and must not pass for a success.
    const status = new Promise<grpc.StatusObject | undefined>((resolve) => {
      call.on('status', resolve);
      call.on('error', () => resolve(undefined));
    });
    const cancel = (): void => {
      ourCancel = true;
      call.cancel();
    };
    signal.addEventListener('abort', cancel, { once: true });
    // Reconnect from time to time (resuming), so each run resolves against a fresh inventory.
    const refresh = follow ? setTimeout(cancel, this.settings.refreshMs) : undefined;
    refresh?.unref();
    idle.restart();

    // The run starts with the first record: a stream that fails before delivering one is a failed
    // attempt of the streak (below), not a run of its own.
    await queue.firstItemOrEnd();
    const delivered = queue.length > 0;
    let summary: InputSummary | undefined;
    if (delivered) {
      this.current = pipeline;
      // A commit the flush timer could not make ends the stream at once, even a quiet one.
      summary = await pipeline.ingestRecords(this.counting(queue), runName, cancel).finally(() => (this.current = undefined));
    }
    // The store refused a batch (or the run): the stream goes no further, and what was received
    // since the last commit it took — the refused batch, and what queued behind it — is asked for
    // again from there, as the files collector rereads from its stored offset.
    const refused = summary?.failedBatch !== undefined ? (summary.error ?? 'the store refused a commit') : undefined;
    if (refused !== undefined) cancel();
    idle.stop();
    let wait: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      wait = setTimeout(() => resolve(undefined), STATUS_WAIT_MS);
    });
    const final = await Promise.race([status, timeout]);
    clearTimeout(wait);
    if (final !== undefined && final.code !== OK && !(ourCancel && final.code === CANCELLED)) broke(final.details || `status ${final.code}`);
    clearTimeout(refresh);
    signal.removeEventListener('abort', cancel);
    summary ??= streamError ? this.failedAttempt(pipeline, runName, streamError, follow) : await pipeline.ingestRecords([], runName);
    if (delivered || !streamError) this.failedStreakRun = undefined;
    this.counters.accepted += summary.accepted;
    this.counters.rejected += summary.rejected;
    this.counters.skipped += summary.skipped;
    this.counters.ambiguous += summary.ambiguous;
    // A record received was a success when it came (above); a session we cancelled, or whose status
    // never came, proves nothing: a relay failing every call may be cancelled (stop, refresh) first.
    if (!streamError && final?.code === OK) this.lastSuccess = this.deps.now();
    const result: SessionResult = { summary, ingest: pipeline.summary(), received, newFlows, connected: true };
    // `once` passes end with their run's summary, which says the store refused it.
    if (refused !== undefined && writer) {
      this.rewind(writer.committed);
      result.error = this.storeRefused(refused);
      result.storeRefused = true;
    } else if (streamError) result.error = streamError;
    return result;
  }

  /** Counts a refused session and logs the episode's start once; the error the status shows until a commit is taken. */
  private storeRefused(error: string): Error {
    this.counters.storeErrors++;
    const message = `${this.deps.db.name}: the store refused the flows from hubble-relay at ${this.settings.address}: ${error}; check the filesystem the store is on (free space, the process's file size limit, permissions); retrying with backoff, from the last flow stored`;
    if (this.storeError === undefined) this.deps.logger.warn({ collector: this.name, address: this.settings.address, db: this.deps.db.name, err: error }, 'the store refused the flows from hubble-relay; retrying with backoff from the last flow stored (logged once until a commit succeeds)');
    this.storeError = message;
    return new Error(message);
  }

  private storeAccepts(): void {
    if (this.storeError === undefined) return;
    this.storeError = undefined;
    this.deps.logger.info({ collector: this.name, address: this.settings.address, db: this.deps.db.name }, 'the store takes the flows from hubble-relay again');
  }

  /** Both cursors back to what the store holds: the flows received after it are asked for again (and not taken for duplicates then). */
  private rewind(state: CursorState | undefined): void {
    const unremembered = this.cursor.unremembered;
    this.cursor = ResumeCursor.restore(state) ?? new ResumeCursor();
    this.stored = ResumeCursor.restore(state) ?? new ResumeCursor();
    this.cursor.unremembered = unremembered;
  }

  /** A session that failed before delivering a record: one more attempt of the failure streak's run (`once` passes stand alone: each is its own run). */
  private failedAttempt(pipeline: FlowIngest, runName: string, error: Error, follow: boolean): InputSummary {
    const run = pipeline.failedInput(runName, error.message, follow ? this.failedStreakRun : undefined);
    if (follow) this.failedStreakRun = run;
    return pipeline.summary().inputs[0] as InputSummary;
  }

  /** The run counters of past sessions plus what the current one has committed so far. */
  private liveRunCounters(): Pick<HubbleRelayCounters, 'accepted' | 'rejected' | 'skipped' | 'ambiguous'> {
    const now = this.current?.inProgress();
    const c = this.counters;
    return now ? { accepted: c.accepted + now.accepted, rejected: c.rejected + now.rejected, skipped: c.skipped + now.skipped, ambiguous: c.ambiguous + now.ambiguous } : { accepted: c.accepted, rejected: c.rejected, skipped: c.skipped, ambiguous: c.ambiguous };
  }

  /** Counts what the pipeline takes from the queue as it takes it (status() reads these live). */
  private async *counting(queue: BoundedQueue<Queued>): AsyncGenerator<unknown> {
    for await (const q of queue) {
      this.counters.records++;
      if (q.timeNs !== undefined && q.identity !== undefined) this.stored.accept(q.timeNs, q.identity, q.receivedNs);
      yield q.record;
    }
  }

  /**
   * A flow's time as the resume cursor takes it; undefined for a time the pipeline will reject
   * (outside a Timestamp's range, before MIN_FLOW_TIME_MS, or past the clock and the allowed skew):
   * the cursor never moves past now on one bad record, which would make every reconnect ask for
   * flows from the future, and a time never set is no flow's.
   */
  private resumableNanos(t: WireTimestamp): bigint | undefined {
    const ns = timestampInRange(t);
    if (ns === undefined || ns < BigInt(MIN_FLOW_TIME_MS) * 1_000_000n) return undefined;
    return ns > BigInt(this.deps.now() + this.deps.ingest.maxFutureSkewMs) * 1_000_000n ? undefined : ns;
  }

  /** Queues a message; true when it is a flow that moved the resume cursor. */
  private onResponse(r: Record<string, unknown>, queue: BoundedQueue<Queued>): boolean {
    const json = responseToJson(r);
    const item: Queued = { record: json };
    let newFlow = false;
    if (isPlainObject(r.flow)) {
      this.counters.flows++;
      const f = r.flow;
      const t = (isPlainObject(f.time) ? f.time : r.time) as WireTimestamp | undefined;
      const ns = t ? this.resumableNanos(t) : undefined;
      const identity = (): string => (typeof f.uuid === 'string' && f.uuid ? f.uuid : JSON.stringify(json));
      // A time the cursor cannot hold (the pipeline rejects it) comes again at every resume: judged once (judged.ts).
      if (t !== undefined && ns === undefined && !this.judged.add(identity())) {
        this.counters.duplicates++;
        return false;
      }
      if (ns !== undefined) {
        const id = identity();
        const receivedNs = BigInt(this.deps.now()) * 1_000_000n;
        if (!this.cursor.accept(ns, id, receivedNs)) {
          this.counters.duplicates++;
          return false;
        }
        newFlow = true;
        item.timeNs = ns;
        item.identity = id;
        item.receivedNs = receivedNs;
        // A flow dated ahead (a node whose clock runs fast) counts as now: it would hide a frozen stream while it is ahead.
        const ms = Math.min(Number(ns / 1_000_000n), this.deps.now());
        if (this.newestFlowMs === undefined || ms > this.newestFlowMs) this.newestFlowMs = ms;
      }
    } else if (isPlainObject(r.lost_events)) {
      // uint64, a string from the loader (longs: String): kept at 2^53 - 1 as flow counts are (docs/ingest.md).
      const n = toCount(r.lost_events.num_events_lost ?? 0);
      if (n !== undefined) this.counters.lostEvents = Math.min(this.counters.lostEvents + n, MAX_COUNT);
    } else if (isPlainObject(r.node_status)) this.counters.nodeStatus++;
    queue.push(item);
    return newFlow;
  }
}

/** Calls `onIdle` once `ms` pass without a restart (each message restarts it; stopped while the stream is paused). */
class IdleWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {}

  restart(): void {
    this.stop();
    this.timer = setTimeout(this.onIdle, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A pipeline reject example as a collector rejection (its value already cut short, decode.ts showValue). */
function rejectionOf(ex: RejectExample): Omit<CollectorRejection, 'record'> {
  const r: Omit<CollectorRejection, 'record'> = { reason: ex.reason };
  if (ex.field !== undefined) r.field = ex.field;
  if (ex.value !== undefined) r.value = ex.value;
  if (ex.message !== undefined) r.message = ex.message;
  return r;
}

/** Which flow: the run and its place in it, then the flow's uuid, time and node when it has them (each cut short). */
function flowText(ex: RejectExample, record: unknown): string {
  const at = `${ex.file} #${ex.line}`;
  if (!isPlainObject(record) || !isPlainObject(record.flow)) return at;
  const f = record.flow;
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? showValue(v) : undefined);
  const parts = [`flow ${text(f.uuid) ?? '(no uuid)'}`];
  const time = text(f.time) ?? text(record.time);
  if (time !== undefined) parts.push(`at ${time}`);
  const node = text(f.node_name) ?? text(record.node_name);
  if (node !== undefined) parts.push(`on ${node}`);
  return `${at}: ${parts.join(' ')}`;
}
