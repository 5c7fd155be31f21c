/**
 * A BatchWriter that stores, in the same transaction as each batch of edges, how much of an
 * upload's body the run has committed (records, lines, bytes from the body's start) and the
 * SHA-256 of those bytes: after a kill the run row says exactly where a resumed upload starts
 * (server/routes/flows.ts). Like the files collector's offsets (collectors/files/offset-writer.ts).
 */
import type { AggregateBatch } from '../../domain/edge-batch.ts';
import type { Db } from '../../store/db.ts';
import type { BodyPosition, IngestRunCounters, IngestRunStatus } from '../../store/ingest-runs.ts';
import type { BodyProgress } from './body-progress.ts';
import { SqliteBatchWriter } from './write.ts';

export class BodyBatchWriter extends SqliteBatchWriter {
  private pending: { run: number; body: BodyPosition } | undefined;

  /** `recordsBefore`: the body's records earlier runs of the upload committed (skipped by this one). */
  constructor(
    db: Db,
    private readonly progress: BodyProgress,
    private readonly recordsBefore = 0,
  ) {
    super(db);
  }

  override commit(batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus, throughLine = 0): void {
    this.pending = { run: runId, body: { records: this.recordsBefore + counters.records, ...this.progress.through(throughLine) } };
    super.commit(batch, runId, counters, status, throughLine);
  }

  protected override alongside(): void {
    if (this.pending) this.runs.saveBody(this.pending.run, this.pending.body);
  }
}
