/**
 * A BatchWriter that stores the Hubble resume cursor (collector_state) in the same transaction
 * as each batch of edges: the cursor then names exactly the newest flow stored, so a restarted
 * flowmatrix asks the relay for what came after and counts nothing twice. Everything else (the
 * failed run's reason, the stored edges the caps count) is the plain writer's.
 */
import type { AggregateBatch } from '../../domain/edge-batch.ts';
import type { Db } from '../../store/db.ts';
import { CollectorStateStore } from '../../store/collector-state.ts';
import type { IngestRunCounters, IngestRunStatus } from '../../store/ingest-runs.ts';
import { SqliteBatchWriter } from '../flows/write.ts';
import type { CursorState, ResumeCursor } from './cursor.ts';

export class CursorBatchWriter extends SqliteBatchWriter {
  private readonly state: CollectorStateStore;
  /** The cursor this writer's transaction saves, until the store takes it. */
  private saving: CursorState | undefined;
  /**
   * The cursor as of the last commit the store took (before any: as it stood when the writer was
   * made): where the flows of a refused batch, and those received after it, are asked for again.
   */
  committed: CursorState | undefined;
  /** Told after each commit the store took (the end of an episode of refused commits). */
  onCommitted: (() => void) | undefined;

  constructor(
    db: Db,
    private readonly key: string,
    private readonly cursor: ResumeCursor,
    private readonly now: () => number,
  ) {
    super(db);
    this.state = new CollectorStateStore(db);
    this.committed = cursor.toJSON();
  }

  protected override alongside(): void {
    this.saving = this.cursor.toJSON();
    if (this.saving) this.state.save(this.key, this.saving, this.now());
  }

  override commit(batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus): void {
    this.saving = undefined;
    super.commit(batch, runId, counters, status);
    this.committed = this.saving;
    this.onCommitted?.();
  }
}
