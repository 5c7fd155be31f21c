/**
 * A BatchWriter that stores, in the same transaction as each batch of edges, how far the
 * followed file was read for that batch: after a crash the offset and the edges agree, so a
 * restart neither loses nor re-counts a line. Everything else (the failed run's reason, the
 * stored edges the caps count) is the plain writer's.
 */
import type { AggregateBatch } from '../../domain/edge-batch.ts';
import type { Db } from '../../store/db.ts';
import { FileOffsetStore, type FileOffset } from '../../store/file-offsets.ts';
import type { IngestRunCounters, IngestRunStatus } from '../../store/ingest-runs.ts';
import { SqliteBatchWriter } from '../flows/write.ts';

export class OffsetBatchWriter extends SqliteBatchWriter {
  /** The position after the last line handed to the pipeline; saved with the next commit. */
  position: FileOffset | undefined;
  /** Offsets of other paths to save with the next commit: the rotated files this one finished (by path). */
  readonly extra = new Map<string, FileOffset>();
  /** Told after each commit the store took (the end of an episode of refused commits). */
  onCommitted: (() => void) | undefined;

  constructor(
    db: Db,
    private readonly offsets: FileOffsetStore,
  ) {
    super(db);
  }

  protected override alongside(): void {
    if (this.position) this.offsets.save(this.position);
    for (const o of this.extra.values()) this.offsets.save(o);
  }

  /** The store refused the last commit (a commit by the flush timer included): the run cannot go on. */
  refused: Error | undefined;

  override commit(batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus): void {
    try {
      super.commit(batch, runId, counters, status);
    } catch (e) {
      this.refused = e as Error;
      throw e;
    }
    this.refused = undefined;
    this.extra.clear();
    this.onCommitted?.();
  }
}
