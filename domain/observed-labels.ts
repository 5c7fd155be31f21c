/**
 * Pod labels that flow records carried for workloads the inventory did not know when the flows
 * were ingested (Hubble endpoint `k8s:` labels; NetObserv records carry none). Without an
 * inventory they are the only way to select a workload's pods (docs/recommend.md#without-an-inventory).
 *
 * What is kept per workload is the *intersection* of every label set seen for it: a label stays
 * only while every observed endpoint of the workload carried it with the same value, so a
 * selector made of them matches every pod that was seen. Records are attacker-controlled, so
 * both the labels per workload and the workloads are capped.
 */
import type { Labels } from './inventory.ts';

/** Labels kept per workload: far above what a pod template carries, far below what a forged record may. */
export const MAX_OBSERVED_LABELS_PER_WORKLOAD = 32;
/** Workloads the store remembers labels for; past it, a new workload's labels are not kept. */
export const MAX_OBSERVED_WORKLOADS = 10_000;

export interface ObservedLabels {
  /** `namespace/Kind/name` (domain/peer.ts workloadKey). */
  workload: string;
  /** The labels common to every label set seen, volatile ones never kept; `{}` when nothing is common. */
  labels: Labels;
  /**
   * A label set had more labels than the cap and only the first ones by key were kept: the
   * labels are still common to every endpoint seen, but fewer than might be.
   */
  capped: boolean;
}

/** Labels common to `a` and `b` (same key, same value), keys in order. */
export function commonLabels(a: Labels, b: Labels): Labels {
  const out: Labels = {};
  for (const k of Object.keys(a).sort()) if (b[k] === a[k]) out[k] = a[k] as string;
  return out;
}

/** What one ingest batch saw of a workload's labels (the intersection of the batch's label sets). */
export interface ObservedLabelsDelta extends ObservedLabels {
  firstSeen: number;
  lastSeen: number;
}
