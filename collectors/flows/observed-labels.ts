/**
 * The labels flow records carry for workloads the inventory does not know, gathered per batch
 * (domain/observed-labels.ts): per workload the labels common to every label set of the batch,
 * volatile ones (pod-template-hash, controller-revision-hash, …) left out, capped per workload
 * and in workloads. The store merges each batch into what it kept (store/observed-labels.ts).
 */
import type { Labels } from '../../domain/inventory.ts';
import { MAX_OBSERVED_LABELS_PER_WORKLOAD, MAX_OBSERVED_WORKLOADS, type ObservedLabelsDelta } from '../../domain/observed-labels.ts';
import { isVolatileLabel } from '../inventory/labels.ts';

interface Seen {
  /** Kept labels as parallel arrays: the per-record check is a plain loop (this runs for every endpoint). */
  keys: string[];
  values: string[];
  capped: boolean;
  firstSeen: number;
  lastSeen: number;
}

export class ObservedLabelsBatch {
  private seen = new Map<string, Seen>();

  constructor(
    private readonly perWorkload = MAX_OBSERVED_LABELS_PER_WORKLOAD,
    private readonly workloads = MAX_OBSERVED_WORKLOADS,
  ) {}

  /**
   * One endpoint of a workload carried `labels` at `time`. `peerKey` is the workload's peer key
   * (`workload:ns/Kind/name`, the string the resolved side already holds: no key is built per record).
   */
  add(peerKey: string, labels: Labels, time: number): void {
    const s = this.seen.get(peerKey);
    if (s === undefined) {
      if (this.seen.size >= this.workloads) return;
      const stable = Object.keys(labels).filter((k) => !isVolatileLabel(k)).sort();
      const keys = stable.slice(0, this.perWorkload);
      this.seen.set(peerKey, { keys, values: keys.map((k) => labels[k] as string), capped: stable.length > this.perWorkload, firstSeen: time, lastSeen: time });
      return;
    }
    if (time < s.firstSeen) s.firstSeen = time;
    if (time > s.lastSeen) s.lastSeen = time;
    // Only the first set is cut to the cap; every later one is intersected exactly.
    for (let i = s.keys.length - 1; i >= 0; i--) {
      if (labels[s.keys[i] as string] !== s.values[i]) {
        s.keys.splice(i, 1);
        s.values.splice(i, 1);
      }
    }
  }

  /** The batch's labels, sorted by workload, and a fresh start. */
  drain(): ObservedLabelsDelta[] {
    const out: ObservedLabelsDelta[] = [];
    for (const [peerKey, s] of [...this.seen.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const workload = peerKey.slice(peerKey.indexOf(':') + 1);
      const labels: Labels = {};
      s.keys.forEach((k, i) => (labels[k] = s.values[i] as string));
      out.push({ workload, labels, capped: s.capped, firstSeen: s.firstSeen, lastSeen: s.lastSeen });
    }
    this.seen = new Map();
    return out;
  }
}
