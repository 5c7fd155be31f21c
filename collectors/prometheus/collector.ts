/**
 * The Prometheus collector as `serve` runs it: a pass every `interval`; a pass with a failed
 * query (unreachable, HTTP 500, timeout, an answer that is not the API's) is retried with capped
 * exponential backoff. A failure is logged once per episode (when it starts, and when it ends),
 * never once per pass; malformed series are counted and logged once per episode the same way.
 * Memory is bounded by one query's answer (maxSeries × the steps in maxWindow, and maxResponseBytes), never by uptime.
 */
import { Backoff, sleep } from '../backoff.ts';
import type { Collector, CollectorDeps, CollectorRejection, CollectorStatus } from '../collector.ts';
import { PrometheusApi } from './client.ts';
import type { PrometheusSettings } from './config.ts';
import { passFailure, runPass, type PassSummary } from './pass.ts';
import { RecentRejections } from '../rejections.ts';

export interface PrometheusCollectorOptions {
  /** Injected in tests so nothing waits for real seconds. */
  backoff?: Backoff;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called after every pass (tests wait on it). */
  onPass?: (summary: PassSummary | Error) => void;
}

export class PrometheusCollector implements Collector {
  readonly name = 'prometheus';
  private state: CollectorStatus['state'] = 'stopped';
  private readonly counters: Record<string, number> = { passes: 0, failed_passes: 0, records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, flows: 0 };
  private readonly gauges: Record<string, number> = { consecutive_failures: 0, last_pass_series: 0 };
  private lastSuccess: number | undefined;
  private lastError: string | undefined;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  /** Bound to the loop's AbortController once started, so that stop() aborts a request in flight. */
  private api: PrometheusApi;
  private readonly backoff: Backoff;
  /** The examples of the last passes (rejected and unresolved series), shown in the status; logged below, once per reason. */
  private readonly rejections: RecentRejections;
  /** Reasons already logged in the current episode of bad series. */
  private loggedReasons = new Set<string>();
  /** Pass warnings already logged: each once for the life of the collector. */
  private readonly loggedWarnings = new Set<string>();
  private failing = false;

  constructor(
    private readonly settings: PrometheusSettings,
    private readonly deps: CollectorDeps,
    private readonly options: PrometheusCollectorOptions = {},
  ) {
    this.api = new PrometheusApi(settings);
    this.rejections = new RecentRejections(deps.logger, deps.now, { collector: this.name }, 'prometheus series rejected');
    this.backoff = options.backoff ?? new Backoff({ initialMs: 1_000, maxMs: Math.max(1_000, Math.min(300_000, settings.intervalMs * 5)) });
  }

  async start(): Promise<void> {
    if (this.loop) return;
    // Running once a pass succeeds; retrying is `starting` (up=0), as docs/operations.md says.
    this.state = 'starting';
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.api = new PrometheusApi(this.settings, signal);
    this.loop = (async () => {
      while (!signal.aborted) {
        const wait = await this.once();
        if (signal.aborted) break;
        await (this.options.sleep ?? sleep)(wait, signal);
      }
    })();
  }

  /** One pass, with its logging and counting; returns how long to wait before the next. */
  async once(): Promise<number> {
    let summary: PassSummary;
    try {
      summary = await runPass({ db: this.deps.db, api: this.api, settings: this.settings, now: this.deps.now(), limits: this.deps.ingest, ...(this.deps.clusterDomain !== undefined ? { clusterDomain: this.deps.clusterDomain } : {}) });
    } catch (e) {
      // Not a source failure (the store, a bug): counted and retried like one.
      this.failed((e as Error).message, 'internal');
      this.options.onPass?.(e as Error);
      return this.backoff.next();
    }
    // Stopped mid-pass: its run says so (failed, `stopped`); no source failure to count or log.
    if (this.abort?.signal.aborted) {
      this.options.onPass?.(summary);
      return 0;
    }
    this.counters.passes = (this.counters.passes ?? 0) + 1;
    for (const k of ['records', 'accepted', 'rejected', 'skipped', 'ambiguous', 'flows'] as const) this.counters[k] = (this.counters[k] ?? 0) + summary[k];
    for (const [reason, n] of Object.entries(summary.reasons)) this.counters[`series_${reason.replace(/-/g, '_')}`] = (this.counters[`series_${reason.replace(/-/g, '_')}`] ?? 0) + n;
    this.gauges.last_pass_series = summary.queries.reduce((n, q) => n + q.series, 0);
    for (const ex of summary.examples) {
      const r: CollectorRejection = { reason: ex.reason, record: [ex.query, ex.series, ex.at === undefined ? undefined : `at ${ex.at}`].filter((p) => p !== undefined).join(' ') };
      if (ex.label !== undefined) r.field = ex.label;
      if (ex.value !== undefined) r.value = ex.value;
      this.rejections.keep(r);
    }
    this.logBadSeries(summary);
    const fresh = summary.warnings.filter((w) => !this.loggedWarnings.has(w));
    for (const w of fresh) this.loggedWarnings.add(w);
    if (fresh.length > 0) this.deps.logger.warn({ collector: this.name, warnings: fresh.slice(0, 3), more: fresh.length - Math.min(3, fresh.length) }, 'prometheus pass: what it could not fully decide or read as configured (logged once each)');
    this.logUnread(summary);
    this.options.onPass?.(summary);
    const failure = passFailure(summary.queries);
    if (failure !== undefined) {
      const failedQueries = summary.queries.filter((q) => q.status === 'failed');
      for (const q of failedQueries) this.counters[`errors_${(q.errorKind ?? 'unknown').replace(/-/g, '_')}`] = (this.counters[`errors_${(q.errorKind ?? 'unknown').replace(/-/g, '_')}`] ?? 0) + 1;
      this.failed(failure, failedQueries[0]?.errorKind ?? 'unknown', failedQueries.length);
      return this.backoff.next();
    }
    if (this.failing) this.deps.logger.info({ collector: this.name, failures: this.backoff.failures }, 'prometheus reachable again');
    this.failing = false;
    this.backoff.reset();
    this.gauges.consecutive_failures = 0;
    this.lastSuccess = this.deps.now();
    this.lastError = undefined;
    if (this.loop) this.state = 'running';
    return this.settings.intervalMs;
  }

  private failed(message: string, kind: string, queries = 1): void {
    this.counters.failed_passes = (this.counters.failed_passes ?? 0) + 1;
    this.gauges.consecutive_failures = (this.gauges.consecutive_failures ?? 0) + 1;
    this.lastError = message;
    if (this.loop) this.state = 'starting';
    if (!this.failing) this.deps.logger.warn({ collector: this.name, kind, queries, err: message }, 'prometheus pass failed; retrying with backoff (logged once until it recovers)');
    this.failing = true;
  }

  /**
   * Parts of a window too large to read even split: skipped for good (the cursor moved past them),
   * so each is logged once, naming the query, the range and the series it selects.
   */
  private logUnread(s: PassSummary): void {
    for (const q of s.queries) {
      for (const part of q.unread ?? []) {
        this.deps.logger.warn({ collector: this.name, query: q.query, from: part.from, to: part.to, selector: part.selector, err: part.error }, 'prometheus window part too large to read even split: skipped, its flows are not counted (raise maxSeries or maxResponseBytes)');
      }
    }
  }

  /** Malformed or unusable series: one log line per reason per episode (an episode ends with a clean pass). */
  private logBadSeries(s: PassSummary): void {
    const fresh = Object.keys(s.reasons).filter((r) => !this.loggedReasons.has(r));
    if (Object.keys(s.reasons).length === 0) {
      this.loggedReasons.clear();
      return;
    }
    if (fresh.length === 0) return;
    for (const r of fresh) this.loggedReasons.add(r);
    this.deps.logger.warn({ collector: this.name, reasons: Object.fromEntries(fresh.map((r) => [r, s.reasons[r]])), examples: s.examples.slice(0, 3) }, 'prometheus series not turned into edges (logged once per reason until a clean pass)');
  }

  async stop(): Promise<void> {
    if (!this.loop) {
      this.state = 'stopped';
      return;
    }
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
    this.state = 'stopped';
  }

  status(): CollectorStatus {
    const s: CollectorStatus = { name: this.name, state: this.state, counters: { ...this.counters }, gauges: { ...this.gauges } };
    if (this.lastSuccess !== undefined) s.lastSuccess = this.lastSuccess;
    if (this.lastError !== undefined) s.lastError = this.lastError;
    const rejections = this.rejections.list();
    if (rejections.length > 0) s.rejections = rejections;
    return s;
  }
}
