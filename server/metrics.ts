/**
 * Prometheus metrics on a registry of their own (one per app, so several apps can live in one
 * process, as in tests). Names follow the Prometheus conventions: base units, `_total` counters.
 * The process and Node metrics keep their standard names (`process_start_time_seconds`,
 * `nodejs_heap_size_used_bytes`, …, no prefix) so stock dashboards and alerts work.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestTotals } from '../store/ingest-runs.ts';

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
  readonly collectorErrors: Counter<'collector'>;
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
    this.collectorErrors = new Counter({ name: 'flowmatrix_collector_errors_total', help: 'Collector errors by collector', labelNames: ['collector'], registers });
    this.lastReport = new Gauge({ name: 'flowmatrix_last_report_timestamp_seconds', help: 'When the last report was built (Unix time; 0 = never)', registers });
    this.reportRuns = new Counter({ name: 'flowmatrix_report_runs_total', help: 'Report builds by trigger (manual, schedule) and outcome (ok, failed, skipped)', labelNames: ['trigger', 'outcome'], registers });
  }

  observeRequest = (route: string, method: string, status: number, seconds: number): void => {
    this.httpDuration.observe({ route, method, status: String(status) }, seconds);
  };

  /** Times `fn` into the recommendation histogram. */
  time<T>(engine: string, kind: string, fn: () => T): T {
    const end = this.recommendationDuration.startTimer({ engine, kind });
    try {
      return fn();
    } finally {
      end();
    }
  }
}
