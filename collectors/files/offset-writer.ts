/**
 * A BatchWriter that stores, in the same transaction as each batch of edges, how far the
 * followed file was read for that batch: after a crash the offset and the edges agree, so a
 * restart neither loses nor re-counts a line.
 */
import type { AggregateBatch } from '../../domain/edge-batch.ts';
import type { Db } from '../../store/db.ts';
import { FileOffsetStore, type FileOffset } from '../../store/file-offsets.ts';
import type { IngestRunCounters, IngestRunStatus } from '../../store/ingest-runs.ts';
import { SqliteBatchWriter, type BatchWriter } from '../flows/write.ts';

export class OffsetBatchWriter implements BatchWriter {
  /** The position after the last line handed to the pipeline; saved with the next commit. */
  position: FileOffset | undefined;
  /** Offsets of other paths to save with the next commit: the rotated files this one finished (by path). */
  readonly extra = new Map<string, FileOffset>();
  private readonly inner: SqliteBatchWriter;
  private readonly tx;

  constructor(db: Db, offsets: FileOffsetStore) {
    this.inner = new SqliteBatchWriter(db);
    // The inner commit is a transaction of its own: nested, it becomes a savepoint of this one.
    this.tx = db.transaction((batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus) => {
      this.inner.commit(batch, runId, counters, status);
      if (this.position) offsets.save(this.position);
      for (const o of this.extra.values()) offsets.save(o);
    });
  }

  startRun(source: string, format: string): number {
    return this.inner.startRun(source, format);
  }

  commit(batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus): void {
    this.tx(batch, runId, counters, status);
    this.extra.clear();
  }
}
