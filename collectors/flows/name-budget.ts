/**
 * Bounded by design: how many DNS names a workload may keep (`workload_names`), counting those the
 * store holds. The inventory bounds the workloads names are kept for, not the names: a record
 * stream inventing names for one real workload would grow the table without bound. Past the cap a
 * new name is refused (the pipeline counts it, `namesCapped`); a name the store already holds is no
 * new name and is updated as itself. Which names are kept follows the records' arrival order, as
 * edge folds do. Memory: at most the cap's names per workload the inventory lists (the pipeline asks
 * for no other); a refused name keeps nothing (it costs one lookup, where the workload has names stored).
 */
import type { WorkloadNameStore } from './write.ts';

interface WorkloadNames {
  /** Names the store held when the run first met the workload. */
  stored: number;
  /** Those plus the new names admitted in the run. */
  count: number;
  /** Names admitted in this run (`service\tname`): met again, admitted with no lookup. */
  admitted: Set<string>;
}

export class WorkloadNameBudget {
  private readonly byWorkload = new Map<string, WorkloadNames>();

  constructor(
    private readonly cap: number,
    private readonly store: WorkloadNameStore,
  ) {}

  /** Whether `name` (answered through `service`, '' for the pod's own address) may be kept for `workload`. */
  admit(workload: string, service: string, name: string): boolean {
    const names = this.namesOf(workload);
    const key = `${service}\t${name}`;
    if (names.admitted.has(key)) return true;
    // A name the store holds is no new name, under the cap or past it: counted again, a workload
    // whose stored names recur every run would keep fewer new ones each run.
    if (!this.isStored(names, workload, service, name)) {
      if (names.count >= this.cap) return false;
      names.count++;
    }
    names.admitted.add(key);
    return true;
  }

  /** One lookup on the table's key, only for a workload with names stored. */
  private isStored(names: WorkloadNames, workload: string, service: string, name: string): boolean {
    return names.stored > 0 && this.store.isStoredName?.(workload, service, name) === true;
  }

  /** One query per workload per run: the names the store holds for it. */
  private namesOf(workload: string): WorkloadNames {
    let names = this.byWorkload.get(workload);
    if (names === undefined) {
      const stored = this.store.storedNamesOf?.(workload) ?? 0;
      this.byWorkload.set(workload, (names = { stored, count: stored, admitted: new Set() }));
    }
    return names;
  }
}
