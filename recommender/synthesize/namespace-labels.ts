/**
 * Which workloads of a namespace a workload's pod selector selects, and which select it: a pod
 * selector selects every pod of its namespace whose labels match, whoever owns it (Kubernetes
 * docs, "Network Policies": "podSelector ... selects the grouping of pods to which the policy
 * applies"). Made once from the workloads' label sets; each lookup goes through one
 * `key=value` entry (the rarest of the selector's matchLabels, or each of the labels), so a
 * namespace of workloads with distinct labels costs a few map lookups per workload.
 */
import type { LabelSelector, Labels } from '../../domain/inventory.ts';
import { selectorMatches } from '../matrix/selector.ts';
import { compareStrings } from '../policy/order.ts';

/** What the index needs of a workload (a Workload, or a simulated pod standing for one). */
export interface Selecting {
  namespace: string;
  labels: Labels;
  selector: LabelSelector;
}

const labelKey = (ns: string, k: string, v: string): string => `${ns}\u0000${k}\u0000${v}`;

export class NamespaceLabels<T extends Selecting> {
  /** By `key=value` of their labels. */
  private readonly byLabel = new Map<string, T[]>();
  private readonly byNamespace = new Map<string, T[]>();
  /** By the first (sorted) matchLabels entry of their selector; by namespace alone when it has none. */
  private readonly bySelector = new Map<string, T[]>();

  /** `items`: the workloads whose pods a pod selector can select (none on the host network only). */
  constructor(items: Iterable<T>) {
    for (const w of items) {
      push(this.byNamespace, w.namespace, w);
      for (const [k, v] of Object.entries(w.labels)) push(this.byLabel, labelKey(w.namespace, k, v), w);
      const first = Object.keys(w.selector.matchLabels ?? {}).sort(compareStrings)[0];
      push(this.bySelector, first === undefined ? w.namespace : labelKey(w.namespace, first, w.selector.matchLabels![first]!), w);
    }
  }

  /** The other workloads of `w`'s namespace whose pods `w`'s selector selects. */
  selected(w: Selecting): T[] {
    let pool: readonly T[] | undefined;
    for (const [k, v] of Object.entries(w.selector.matchLabels ?? {})) {
      const bucket = this.byLabel.get(labelKey(w.namespace, k, v)) ?? [];
      if (pool === undefined || bucket.length < pool.length) pool = bucket;
    }
    pool ??= this.byNamespace.get(w.namespace) ?? [];
    if (pool.length === 1 && pool[0] === w) return [];
    return pool.filter((o) => o !== w && selectorMatches(w.selector, o.labels));
  }

  /** The other workloads of `w`'s namespace whose selector selects `w`'s pods. */
  selecting(w: Selecting): T[] {
    const out: T[] = [];
    const look = (k: string): void => {
      for (const o of this.bySelector.get(k) ?? []) if (o !== w && selectorMatches(o.selector, w.labels)) out.push(o);
    };
    look(w.namespace);
    for (const [k, v] of Object.entries(w.labels)) look(labelKey(w.namespace, k, v));
    return out;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}
