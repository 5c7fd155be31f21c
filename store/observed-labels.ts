/**
 * The labels flow records carried for workloads the inventory did not know (migration 0010,
 * domain/observed-labels.ts): merged batch by batch as an intersection, capped per workload and
 * in all, read back by the recommendation to select those workloads' pods.
 */
import type { Db } from './db.ts';
import { MAX_OBSERVED_LABELS_PER_WORKLOAD, MAX_OBSERVED_WORKLOADS, type ObservedLabels, type ObservedLabelsDelta } from '../domain/observed-labels.ts';

export interface ObservedLabelCaps {
  perWorkload: number;
  workloads: number;
}

export const DEFAULT_OBSERVED_LABEL_CAPS: ObservedLabelCaps = { perWorkload: MAX_OBSERVED_LABELS_PER_WORKLOAD, workloads: MAX_OBSERVED_WORKLOADS };

export class ObservedLabelStore {
  private readonly countWorkloads;
  private readonly getWorkload;
  private readonly insertWorkload;
  private readonly touchWorkload;
  private readonly labelsOf;
  private readonly insertLabel;
  private readonly deleteLabel;

  constructor(
    db: Db,
    private readonly caps: ObservedLabelCaps = DEFAULT_OBSERVED_LABEL_CAPS,
  ) {
    this.countWorkloads = db.prepare('SELECT count(*) AS n FROM observed_workloads');
    this.getWorkload = db.prepare('SELECT capped FROM observed_workloads WHERE workload = ?');
    this.insertWorkload = db.prepare('INSERT INTO observed_workloads (workload, capped, first_seen, last_seen) VALUES (?, ?, ?, ?)');
    this.touchWorkload = db.prepare('UPDATE observed_workloads SET capped = max(capped, ?), first_seen = min(first_seen, ?), last_seen = max(last_seen, ?) WHERE workload = ?');
    this.labelsOf = db.prepare('SELECT key, value FROM observed_labels WHERE workload = ?');
    this.insertLabel = db.prepare('INSERT INTO observed_labels (workload, key, value) VALUES (?, ?, ?)');
    this.deleteLabel = db.prepare('DELETE FROM observed_labels WHERE workload = ? AND key = ?');
  }

  /**
   * Merges one batch (call inside the batch's transaction): a workload seen before keeps the
   * labels it shares with the batch's; a new one is kept with its first labels by key, up to the
   * caps. Returns how many workloads were not kept because the store is full.
   */
  write(deltas: readonly ObservedLabelsDelta[]): number {
    let stored = (this.countWorkloads.get() as { n: number }).n;
    let full = 0;
    for (const d of deltas) {
      const known = this.getWorkload.get(d.workload) as { capped: number } | undefined;
      if (known === undefined) {
        if (stored >= this.caps.workloads) {
          full++;
          continue;
        }
        const keys = Object.keys(d.labels).sort();
        const capped = d.capped || keys.length > this.caps.perWorkload;
        this.insertWorkload.run(d.workload, capped ? 1 : 0, d.firstSeen, d.lastSeen);
        for (const k of keys.slice(0, this.caps.perWorkload)) this.insertLabel.run(d.workload, k, d.labels[k]);
        stored++;
        continue;
      }
      this.touchWorkload.run(d.capped ? 1 : 0, d.firstSeen, d.lastSeen, d.workload);
      for (const r of this.labelsOf.all(d.workload) as { key: string; value: string }[]) {
        if (d.labels[r.key] !== r.value) this.deleteLabel.run(d.workload, r.key);
      }
    }
    return full;
  }
}

/** Every workload with remembered labels, by workload key. */
export function readObservedLabels(db: Db): ObservedLabels[] {
  const out = new Map<string, ObservedLabels>();
  for (const r of db.prepare('SELECT workload, capped FROM observed_workloads ORDER BY workload').iterate() as Iterable<{ workload: string; capped: number }>) {
    out.set(r.workload, { workload: r.workload, labels: {}, capped: r.capped === 1 });
  }
  for (const r of db.prepare('SELECT workload, key, value FROM observed_labels ORDER BY workload, key').iterate() as Iterable<{ workload: string; key: string; value: string }>) {
    const o = out.get(r.workload);
    if (o) o.labels[r.key] = r.value;
  }
  return [...out.values()];
}

/** Whether flow records left pod labels for the workload of this key (`namespace/Kind/name`). */
export function hasObservedLabels(db: Db, key: string): boolean {
  return db.prepare('SELECT 1 FROM observed_labels WHERE workload = ? LIMIT 1').get(key) !== undefined;
}

/**
 * Whether an edge names a workload whose records left pod labels, in a namespace the inventory has
 * no Namespace object for: the workloads a recommendation without an inventory can select
 * (recommender/synthesize/inferred-workloads.ts). Index seeks per remembered workload (a capped
 * table), never a pass over the edges.
 */
export function labelledFlowWorkloadExists(db: Db): boolean {
  const sql = `SELECT 1 FROM observed_workloads w
    WHERE EXISTS (SELECT 1 FROM observed_labels l WHERE l.workload = w.workload)
      AND NOT EXISTS (SELECT 1 FROM namespaces n WHERE n.name = substr(w.workload, 1, instr(w.workload, '/') - 1))
      AND (EXISTS (SELECT 1 FROM edges WHERE client = 'workload:' || w.workload) OR EXISTS (SELECT 1 FROM edges WHERE client = 'dns:' || w.workload)
        OR EXISTS (SELECT 1 FROM edges WHERE server = 'workload:' || w.workload) OR EXISTS (SELECT 1 FROM edges WHERE server = 'dns:' || w.workload))
    LIMIT 1`;
  return db.prepare(sql).get() !== undefined;
}
