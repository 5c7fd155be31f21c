/**
 * The workloads gone from the inventory as flow resolution asks for them (domain/resolution.ts
 * GoneWorkloadLookup): one key at a time, through the (namespace, kind, name) index. They are kept
 * until retention deletes them (store/retention.ts), so they grow with every CI Job and bare pod
 * ever run: read whole for each ingest, 40,000 of them took 1.3 s of the service's event loop per
 * upload. The resolution index keeps what it read (collectors/flows/resolve.ts).
 */
import type { LabelSelector, Workload } from '../domain/inventory.ts';
import type { GoneWorkloadLookup } from '../domain/resolution.ts';
import type { WorkloadRef } from '../domain/peer.ts';
import type { Db } from './db.ts';
import { toWorkload, type WorkloadRow } from './workload-rows.ts';

export class StoredGoneWorkloads implements GoneWorkloadLookup {
  private readonly byKey;
  private readonly selectorsOf;

  constructor(db: Db) {
    // Present or not: a workload listed again by an import during the ingest is still the one the flow names.
    this.byKey = db.prepare('SELECT * FROM workloads WHERE namespace = ? AND kind = ? AND name = ?');
    // Present ones too, as the resolution index drops those it holds: one listed again by an import
    // after the index was built was gone when it was, and must match as the index would have matched it.
    this.selectorsOf = db.prepare('SELECT kind, name, selector FROM workloads WHERE namespace = ? ORDER BY kind, name');
  }

  workload(ref: WorkloadRef): Workload | undefined {
    const row = this.byKey.get(ref.namespace, ref.kind, ref.name) as WorkloadRow | undefined;
    return row === undefined ? undefined : toWorkload(row);
  }

  selectorsIn(namespace: string): { ref: WorkloadRef; selector: LabelSelector }[] {
    const rows = this.selectorsOf.all(namespace) as Pick<WorkloadRow, 'kind' | 'name' | 'selector'>[];
    return rows.map((r) => ({ ref: { namespace, kind: r.kind, name: r.name }, selector: JSON.parse(r.selector) as LabelSelector }));
  }
}
