/**
 * Ingesting flows: streams of NDJSON flow records → the flow pipeline (decode, resolve against
 * the stored inventory, orient, aggregate) → batched transactions in the store. One call is one
 * ingest: every input becomes its own ingest run, and the summary covers them all. Read errors
 * and bad lines are counted, never thrown; the front end decides what an empty result means.
 */
import type { FlowFormat } from '../collectors/flows/decode.ts';
import type { EdgeCaps } from '../collectors/flows/edge-budget.ts';
import { FlowIngest, type InputSummary, type IngestSummary } from '../collectors/flows/pipeline.ts';
import { ResolutionIndex } from '../collectors/flows/resolve.ts';
import { SqliteBatchWriter } from '../collectors/flows/write.ts';
import { BodyBatchWriter } from '../collectors/flows/body-writer.ts';
import type { BodyProgress } from '../collectors/flows/body-progress.ts';
import type { Db } from '../store/db.ts';
import { EdgeStore } from '../store/edges.ts';
import { readResolutionData } from '../store/inventory.ts';

export { BatchCommitError, DEFAULT_MAX_FUTURE_SKEW_MS, nothingRead, type IngestSummary, type InputSummary } from '../collectors/flows/pipeline.ts';
export { DEFAULT_EDGE_CAPS, type EdgeCaps } from '../collectors/flows/edge-budget.ts';

export interface FlowInput {
  /** How the run is named (a file, `stdin`, `api:req:<uuid>`, `api:key:<key>`). */
  name: string;
  /** Opens the stream; a rejection is recorded as a failed run of that name. */
  open(): NodeJS.ReadableStream | AsyncIterable<Buffer> | Promise<NodeJS.ReadableStream | AsyncIterable<Buffer>>;
  /** The number of the stream's first line (default 1): a resumed upload's lines keep their place in the body. */
  firstLine?: number;
}

export interface IngestFlowsOptions {
  format: FlowFormat;
  batchSize?: number;
  /** Distinct edges a window aggregates before it is committed (the pipeline's default when absent). */
  maxBatchEdges?: number;
  flushIntervalMs?: number;
  /** Records dated more than this after `now()` are rejected (`time-out-of-range`), ms. */
  maxFutureSkewMs?: number;
  /** The clock, ms; default Date.now. */
  now?: () => number;
  /** Caps on distinct edges per workload and per run; past them external addresses fold into blocks. */
  caps?: Partial<EdgeCaps>;
  /**
   * An upload that can be resumed: each commit stores how much of the body it covers, counting
   * `recordsBefore` records earlier runs of it committed (collectors/flows/body-writer.ts).
   */
  body?: { progress: BodyProgress; recordsBefore: number };
}

export interface FlowIngestSummary extends IngestSummary {
  /** Edges in the store after the ingest. */
  edgesTotal: number;
}

/** Streams every input, in order, through one pipeline into the store. */
export async function ingestFlows(db: Db, inputs: Iterable<FlowInput>, options: IngestFlowsOptions): Promise<FlowIngestSummary> {
  const pipeline = new FlowIngest({
    format: options.format,
    index: new ResolutionIndex(readResolutionData(db)),
    writer: options.body ? new BodyBatchWriter(db, options.body.progress, options.body.recordsBefore) : new SqliteBatchWriter(db),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.maxBatchEdges !== undefined ? { maxBatchEdges: options.maxBatchEdges } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    ...(options.maxFutureSkewMs !== undefined ? { maxFutureSkewMs: options.maxFutureSkewMs } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
    ...(options.caps !== undefined ? { caps: options.caps } : {}),
  });
  for (const input of inputs) {
    let stream: NodeJS.ReadableStream | AsyncIterable<Buffer>;
    try {
      stream = await input.open();
    } catch (e) {
      pipeline.failedInput(input.name, (e as Error).message);
      continue;
    }
    const done = await pipeline.ingest(stream, input.name, input.firstLine);
    // The store refused a batch twice: later inputs would meet the same store; the ingest stops here.
    if (done.failedBatch !== undefined) break;
  }
  return { ...pipeline.summary(), edgesTotal: new EdgeStore(db).count() };
}

/** The first input whose run stopped on a batch that could not be committed, if any. */
export function commitFailure(summary: Pick<IngestSummary, 'inputs'>): InputSummary | undefined {
  return summary.inputs.find((i) => i.failedBatch !== undefined);
}

/** The inputs that could be opened and read at all (a failed run that still read records counts). */
export function openedInputs(summary: Pick<IngestSummary, 'inputs'>): InputSummary[] {
  return summary.inputs.filter((s) => s.status !== 'failed' || s.records > 0);
}
