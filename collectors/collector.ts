/**
 * One small interface for every collector (flow files, Prometheus, the Kubernetes inventory).
 * `serve` starts them, `collect … --once` runs one pass; `stop()` must be safe to call twice.
 */
export interface CollectorStatus {
  name: string;
  state: 'idle' | 'running' | 'stopped' | 'failed';
  /** Epoch ms of the last successful pass or batch, when there was one. */
  lastSuccess?: number;
  lastError?: string;
  /** Collector-specific counters (records, rejected, edges, …). */
  counters: Record<string, number>;
}

export interface Collector {
  readonly name: string;
  start(): Promise<void>;
  /** Idempotent: stopping a stopped (or never started) collector is a no-op. */
  stop(): Promise<void>;
  status(): CollectorStatus;
}
