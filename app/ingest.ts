/**
 * Ingesting flows: streams of NDJSON flow records → the flow pipeline (decode, resolve against
 * the stored inventory, orient, aggregate) → batched transactions in the store. One call is one
 * ingest: every input becomes its own ingest run, and the summary covers them all. Read errors
 * and bad lines are counted, never thrown; the front end decides what an empty result means.
 */
import type { FlowFormat } from '../collectors/flows/decode.ts';
import { FlowIngest, type InputSummary, type IngestSummary } from '../collectors/flows/pipeline.ts';
import { ResolutionIndex } from '../collectors/flows/resolve.ts';
import { SqliteBatchWriter } from '../collectors/flows/write.ts';
import type { Db } from '../store/db.ts';
import { EdgeStore } from '../store/edges.ts';
import { readResolutionData } from '../store/inventory.ts';

export { nothingRead, type IngestSummary, type InputSummary } from '../collectors/flows/pipeline.ts';

export interface FlowInput {
  /** How the run is named (a file, `stdin`, `api:<request id>`). */
  name: string;
  /** Opens the stream; a rejection is recorded as a failed run of that name. */
  open(): NodeJS.ReadableStream | Promise<NodeJS.ReadableStream>;
}

export interface IngestFlowsOptions {
  format: FlowFormat;
  batchSize?: number;
  flushIntervalMs?: number;
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
    writer: new SqliteBatchWriter(db),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
  });
  for (const input of inputs) {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await input.open();
    } catch (e) {
      pipeline.failedInput(input.name, (e as Error).message);
      continue;
    }
    await pipeline.ingest(stream, input.name);
  }
  return { ...pipeline.summary(), edgesTotal: new EdgeStore(db).count() };
}

/** The inputs that could be opened and read at all (a failed run that still read records counts). */
export function openedInputs(summary: Pick<IngestSummary, 'inputs'>): InputSummary[] {
  return summary.inputs.filter((s) => s.status !== 'failed' || s.records > 0);
}
