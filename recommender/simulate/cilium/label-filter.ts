/**
 * Which pod labels become part of a Cilium security identity: the agent's default label filter
 * (cilium/cilium pkg/labelsfilter/filter.go defaultLabelPrefixCfg). A selector on a filtered-out
 * label (`pod-template-hash`, `kubernetes.io/…`, `controller-revision-hash`) selects nothing.
 * Since Cilium 1.15 that includes the labels a StatefulSet or Indexed Job pod gets from its own
 * identity, `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index` (cilium#28003)
 * and `batch.kubernetes.io/job-completion-index` (cilium#28897): selecting one pod by them
 * selects none, for a NetworkPolicy Cilium enforces too.
 * A label is kept unless an ignore prefix matches it and no longer include prefix does
 * (filterLabels: "included > ignored"). Prefixes are regular expressions matched at the start.
 */
import type { Labels } from '../../../domain/inventory.ts';

const INCLUDE = [/^io\.kubernetes\.pod\.namespace/, /^io\.cilium\.k8s\.namespace\.labels/, /^app\.kubernetes\.io/];
const IGNORE = [
  /^io\.kubernetes/,
  /^kubernetes\.io/,
  /^statefulset\.kubernetes\.io\/pod-name/,
  /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/,
  /^.*beta\.kubernetes\.io/,
  /^k8s\.io/,
  /^pod-template-generation/,
  /^pod-template-hash/,
  /^controller-revision-hash/,
  /^annotation.*/,
  /^etcd_node/,
];

function longest(patterns: readonly RegExp[], key: string, pick: (a: number, b: number) => number): number {
  let best = 0;
  for (const p of patterns) {
    const m = p.exec(key);
    if (m) best = best === 0 ? m[0].length : pick(best, m[0].length);
  }
  return best;
}

/** Whether a `k8s`-source label key is kept in the identity. */
export function identityRelevant(key: string): boolean {
  const ignored = longest(IGNORE, key, Math.min);
  if (ignored === 0) return true;
  return longest(INCLUDE, key, Math.max) > ignored;
}

/** A pod's labels as its identity holds them; the same object when the filter keeps them all. */
export function identityLabels(labels: Labels): Labels {
  const keys = Object.keys(labels);
  if (keys.every(identityRelevant)) return labels;
  const out: Labels = {};
  for (const k of keys) if (identityRelevant(k)) out[k] = labels[k] as string;
  return out;
}
