/**
 * Prometheus metrics on a registry of their own (one per app, so several apps can live in one
 * process, as in tests). Names follow the Prometheus conventions: base units, `_total` counters.
 * The process and Node metrics keep their standard names (`process_start_time_seconds`,
 * `nodejs_heap_size_used_bytes`, …, no prefix) so stock dashboards and alerts work.
 */
import type { CollectorStatus } from '../collectors/collector.ts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestTotals } from '../store/ingest-runs.ts';
import type { AbandonedWork } from './services/recommendation-pool.ts';

export interface MetricsOptions {
  defaultMetrics?: boolean;
  /**
   * The ingest counters, read from the store at each scrape: they count every ingest into it —
   * the API's, the CLI's (another process), the demo's and the collectors' — and survive restarts.
   */
  ingestTotals?: () => IngestTotals[];
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly ingestRecords: Counter<'source' | 'outcome'>;
  readonly ingestRejects: Counter<'source' | 'reason'>;
  readonly edges: Gauge;
  readonly recommendationDuration: Histogram<'engine' | 'kind'>;
  readonly recommendationAbandoned: Counter<'outcome'>;
  /** What the recommendation workers dropped; read at scrape time (the executor counts it). */
  private abandonedWork: () => AbandonedWork | undefined = () => undefined;
  readonly collectorEvents: Counter<'collector' | 'counter'>;
  readonly collectorGauges: Gauge<'collector' | 'gauge'>;
  readonly collectorUp: Gauge<'collector'>;
  readonly collectorLastSuccess: Gauge<'collector'>;
  /** The collectors `serve` runs; read at scrape time (their counters live in the collectors). */
  private collectorStatuses: () => CollectorStatus[] = () => [];
  readonly lastReport: Gauge;
  readonly reportRuns: Counter<'trigger' | 'outcome'>;

  constructor(edgeCount: () => number, options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const totals = options.ingestTotals;
    this.httpDuration = new Histogram({
      name: 'flowmatrix_http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.ingestRecords = new Counter({
      name: 'flowmatrix_ingest_records_total',
      help: 'Flow records ingested into the store by any front end, by source (netobserv, hubble, auto) and outcome (accepted, rejected, skipped)',
      labelNames: ['source', 'outcome'],
      registers,
      collect() {
        if (!totals) return;
        this.reset();
        for (const t of totals()) for (const outcome of ['accepted', 'rejected', 'skipped'] as const) this.inc({ source: t.format, outcome }, t[outcome]);
      },
    });
    this.ingestRejects = new Counter({
      name: 'flowmatrix_ingest_rejected_records_total',
      help: 'Rejected flow records by source and reason, ingested into the store by any front end',
      labelNames: ['source', 'reason'],
      registers,
      collect() {
        if (!totals) return;
        this.reset();
        for (const t of totals()) for (const [reason, n] of Object.entries(t.rejects)) this.inc({ source: t.format, reason }, n);
      },
    });
    this.edges = new Gauge({
      name: 'flowmatrix_edges',
      help: 'Aggregated edges in the store',
      registers,
      collect() {
        this.set(edgeCount());
      },
    });
    this.recommendationDuration = new Histogram({
      name: 'flowmatrix_recommendation_duration_seconds',
      help: 'Time to compute recommendations or an export, by engine and kind (list, workload, export, drift)',
      labelNames: ['engine', 'kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const abandoned = (): AbandonedWork => this.abandonedWork() ?? { withdrawn: 0, cancelled: 0 };
    this.recommendationAbandoned = new Counter({
      name: 'flowmatrix_recommendation_abandoned_total',
      help: 'Work of the recommendation workers (recommendations, exports, drift, matrices, simulations) nobody waited for any more: withdrawn from the queue, or cancelled while running',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        const a = abandoned();
        this.inc({ outcome: 'withdrawn' }, a.withdrawn);
        this.inc({ outcome: 'cancelled' }, a.cancelled);
      },
    });
    const statuses = (): CollectorStatus[] => this.collectorStatuses();
    this.collectorEvents = new Counter({
      name: 'flowmatrix_collector_events_total',
      help: 'Collector counters (events, records, rejected, relists, errors, …) by collector and counter',
      labelNames: ['collector', 'counter'],
      registers,
      collect() {
        // The collectors own their monotonic counters; the scrape copies them.
        this.reset();
        for (const s of statuses()) for (const [counter, n] of Object.entries(s.counters)) this.inc({ collector: s.name, counter }, n);
      },
    });
    this.collectorGauges = new Gauge({
      name: 'flowmatrix_collector_state',
      help: 'Collector readings (lag seconds, queue length, objects held) by collector and gauge',
      labelNames: ['collector', 'gauge'],
      registers,
      collect() {
        this.reset();
        for (const s of statuses()) for (const [gauge, v] of Object.entries(s.gauges ?? {})) this.set({ collector: s.name, gauge }, v);
      },
    });
    this.collectorUp = new Gauge({
      name: 'flowmatrix_collector_up',
      help: '1 when the collector is running, 0 when it is starting, stopped or failed',
      labelNames: ['collector'],
      registers,
      collect() {
        this.reset();
        for (const s of statuses()) this.set({ collector: s.name }, s.state === 'running' ? 1 : 0);
      },
    });
    this.collectorLastSuccess = new Gauge({
      name: 'flowmatrix_collector_last_success_timestamp_seconds',
      help: 'When the collector last succeeded (Unix time; absent = never)',
      labelNames: ['collector'],
      registers,
      collect() {
        this.reset();
        for (const s of statuses()) if (s.lastSuccess !== undefined) this.set({ collector: s.name }, s.lastSuccess / 1000);
      },
    });
    this.lastReport = new Gauge({ name: 'flowmatrix_last_report_timestamp_seconds', help: 'When the last report was built (Unix time; 0 = never)', registers });
    this.reportRuns = new Counter({ name: 'flowmatrix_report_runs_total', help: 'Report builds by trigger (manual, schedule) and outcome (ok, failed, skipped)', labelNames: ['trigger', 'outcome'], registers });
  }

  /** Exports the counters and state of the collectors `serve` runs. */
  watchCollectors(statuses: () => CollectorStatus[]): void {
    this.collectorStatuses = statuses;
  }

  /** Exports what the recommendation executor abandoned (withdrawn, cancelled). */
  watchAbandonedWork(read: () => AbandonedWork | undefined): void {
    this.abandonedWork = read;
  }

  observeRequest = (route: string, method: string, status: number, seconds: number): void => {
    this.httpDuration.observe({ route, method, status: String(status) }, seconds);
  };

  /**
   * Times the work `fn` starts, until it answers, into the recommendation histogram. Work that
   * fails is not timed: refused (a full queue), withdrawn or cancelled (nobody waited for it any
   * more: flowmatrix_recommendation_abandoned_total counts it) or ended in an error, its time is
   * no computation's.
   */
  async time<T>(engine: string, kind: string, fn: () => Promise<T>): Promise<T> {
    const end = this.recommendationDuration.startTimer({ engine, kind });
    const answer = await fn();
    end();
    return answer;
  }
}
