/**
 * Connections that arrive already resolved, oriented and counted: a metric series says "N flows
 * from A to B:port in this step", not one record per flow (collectors/prometheus). They go
 * through the pipeline's own Aggregator with `flows` set, so edges, hourly buckets and sources
 * land exactly as ingest's do.
 */
import type { FlowCounters } from './aggregate.ts';

export interface CountedFlows extends FlowCounters {
  /** How many flows (records) the count stands for; a positive integer. */
  flows: number;
}
