/**
 * A BatchWriter that stores the Hubble resume cursor (collector_state) in the same transaction
 * as each batch of edges: the cursor then names exactly the newest flow stored, so a restarted
 * flowmatrix asks the relay for what came after and counts nothing twice.
 */
import type { AggregateBatch } from '../../domain/edge-batch.ts';
import type { Db } from '../../store/db.ts';
import { CollectorStateStore } from '../../store/collector-state.ts';
import type { IngestRunCounters, IngestRunStatus } from '../../store/ingest-runs.ts';
import { SqliteBatchWriter, type BatchWriter } from '../flows/write.ts';
import type { ResumeCursor } from './cursor.ts';

export class CursorBatchWriter implements BatchWriter {
  private readonly inner: SqliteBatchWriter;
  private readonly tx;

  constructor(db: Db, key: string, cursor: ResumeCursor, now: () => number) {
    this.inner = new SqliteBatchWriter(db);
    const state = new CollectorStateStore(db);
    // The inner commit is a transaction of its own: nested, it becomes a savepoint of this one.
    this.tx = db.transaction((batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus) => {
      this.inner.commit(batch, runId, counters, status);
      const s = cursor.toJSON();
      if (s) state.save(key, s, now());
    });
  }

  startRun(source: string, format: string): number {
    return this.inner.startRun(source, format);
  }

  commit(batch: AggregateBatch, runId: number, counters: IngestRunCounters, status: IngestRunStatus): void {
    this.tx(batch, runId, counters, status);
  }
}
