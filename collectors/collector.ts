/**
 * One small interface for every collector (flow files, Prometheus, Hubble Relay, the Kubernetes
 * inventory), after the OpenTelemetry Collector's component lifecycle: `serve` creates the
 * enabled ones from the config and starts them, `collect <name> --once` runs one pass.
 * `stop()` must be safe to call twice; `status()` is cheap (read at every /readyz and scrape).
 */
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import type { IngestLimits } from './flows/ingest-defaults.ts';

export interface CollectorStatus {
  name: string;
  state: 'starting' | 'running' | 'stopped' | 'failed';
  /** Epoch ms of the last successful pass or batch, when there was one. */
  lastSuccess?: number;
  lastError?: string;
  /**
   * Monotonic counters of this collector (events, records, rejected, relists, errors, …):
   * exported as `flowmatrix_collector_events_total{collector, counter}`. Never reset.
   */
  counters: Record<string, number>;
  /** Point-in-time readings (lag seconds, queue length, objects held), exported as gauges. */
  gauges?: Record<string, number>;
  /** The most recent records the collector rejected, oldest first (at most 20; collectors/rejections.ts). */
  rejections?: CollectorRejection[];
}

/** One rejected record: why, where in it, and which record it was. Values are cut short and printable. */
export interface CollectorRejection {
  reason: string;
  /** The record's field or the series' label (`flow.IP.source`, `source`). */
  field?: string;
  value?: string;
  /** The rule the value breaks. */
  message?: string;
  /** Which record: `hubble-relay:ADDRESS #12: flow UUID at TIME on NODE`, a query and its series. */
  record: string;
}

export interface Collector {
  readonly name: string;
  /** Resolves once the collector runs; its first pass goes on in the background (never delays `serve`). */
  start(): Promise<void>;
  /** Idempotent: stopping a stopped (or never started) collector is a no-op. */
  stop(): Promise<void>;
  status(): CollectorStatus;
}

/** What a collector may use: the store, a logger, the clock (injectable for tests). */
export interface CollectorDeps {
  db: Db;
  logger: Logger;
  now: () => number;
  /** The service's `ingest:` limits (edge caps, future skew), which a collector applies as `ingest` does. */
  ingest: IngestLimits;
  /** The cluster's DNS domain (`matrices.clusterDomain`; absent: cluster.local), which reads a Service's DNS name. */
  clusterDomain?: string;
}

/**
 * How `serve` finds a collector: its config section's name and a factory that returns the
 * collector, or undefined when the section leaves it disabled. `env` lets a collector enable
 * itself by default (the Kubernetes one does when it finds in-cluster credentials).
 */
export interface CollectorDefinition<Config = unknown> {
  readonly name: string;
  create(config: Config | undefined, deps: CollectorDeps, env: NodeJS.ProcessEnv): Collector | undefined;
}
