/**
 * The flow pipeline into the store, for collectors that feed it themselves (FlowIngest.ingest
 * for a byte stream, ingestRecords for parsed records or single lines). The resolution index is
 * read from the store when the pipeline is made, so a long-lived collector makes a new one from
 * time to time (each run) to see inventory changes.
 */
import type { Db } from '../store/db.ts';
import { readResolutionData } from '../store/inventory.ts';
import type { FlowFormat } from './flows/decode.ts';
import type { IngestLimits } from './flows/ingest-defaults.ts';
import { FlowIngest, type IngestOptions } from './flows/pipeline.ts';
import { ResolutionIndex } from './flows/resolve.ts';
import { SqliteBatchWriter, type BatchWriter } from './flows/write.ts';

export interface StorePipelineOptions {
  format: FlowFormat;
  /** The service's `ingest:` limits (CollectorDeps.ingest). */
  limits: IngestLimits;
  batchSize?: number;
  flushIntervalMs?: number;
  maxLineLength?: number;
  /** Default: a SqliteBatchWriter on `db`. */
  writer?: BatchWriter;
  onReject?: IngestOptions['onReject'];
}

export function storePipeline(db: Db, options: StorePipelineOptions): FlowIngest {
  return new FlowIngest({
    format: options.format,
    index: new ResolutionIndex(readResolutionData(db)),
    writer: options.writer ?? new SqliteBatchWriter(db),
    caps: options.limits.caps,
    maxFutureSkewMs: options.limits.maxFutureSkewMs,
    ...(options.limits.maxBatchEdges !== undefined ? { maxBatchEdges: options.limits.maxBatchEdges } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    ...(options.maxLineLength !== undefined ? { maxLineLength: options.maxLineLength } : {}),
    ...(options.onReject !== undefined ? { onReject: options.onReject } : {}),
  });
}
