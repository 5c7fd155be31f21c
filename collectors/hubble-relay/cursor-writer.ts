/**
 * A BatchWriter that stores the Hubble resume cursor (collector_state) in the same transaction
 * as each batch of edges: the cursor then names exactly the newest flow stored, so a restarted
 * flowmatrix asks the relay for what came after and counts nothing twice. Everything else (the
 * failed run's reason, the stored edges the caps count) is the plain writer's.
 */
import type { Db } from '../../store/db.ts';
import { CollectorStateStore } from '../../store/collector-state.ts';
import { SqliteBatchWriter } from '../flows/write.ts';
import type { ResumeCursor } from './cursor.ts';

export class CursorBatchWriter extends SqliteBatchWriter {
  private readonly state: CollectorStateStore;

  constructor(
    db: Db,
    private readonly key: string,
    private readonly cursor: ResumeCursor,
    private readonly now: () => number,
  ) {
    super(db);
    this.state = new CollectorStateStore(db);
  }

  protected override alongside(): void {
    const s = this.cursor.toJSON();
    if (s) this.state.save(this.key, s, this.now());
  }
}
