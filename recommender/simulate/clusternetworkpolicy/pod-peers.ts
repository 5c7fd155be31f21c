/**
 * The pod-selecting peers of a set of ClusterNetworkPolicies (`namespaces` and `pods` peers),
 * interned by their selectors' text into small integer ids, and each pod's answer to each of
 * them worked out at most once, in an array per pod.
 *
 * Why: a verification asks "does this peer select that pod" for every peer of every rule it
 * scans, on every observed edge side (hundreds of thousands). Memoized by selector object, each
 * question cost two lookups in Maps of as many keys as the policies have peers (one object each).
 * Interned, the peers of emitted policies come down to about one per workload (a workload is
 * named by the same selectors in every rule that allows it), and a question is one read of the
 * pod's array. Equal texts are equal selectors, so interning changes no answer; unequal texts
 * of equal meaning merely get two ids.
 */
import type { LabelSelector } from '../../../domain/inventory.ts';
import { selectorMatches } from '../../matrix/selector.ts';
import type { ClusterView } from '../kubernetes/cluster-view.ts';
import type { SimPod } from '../types.ts';

/** A row's cell: not worked out yet, selects the pod, does not. */
const UNKNOWN = 0;
const YES = 1;
const NO = 2;

/**
 * The text of a selector, such that equal texts select the same labels. The selectors of emitted
 * policies are `matchLabels` only: those get a length-prefixed list of their pairs (several times
 * cheaper than JSON.stringify, which is paid per peer when the policies are compiled); anything
 * else its JSON.
 */
export function selectorText(s: LabelSelector): string {
  const labels = s.matchLabels;
  if (s.matchExpressions === undefined && typeof labels === 'object' && labels !== null && Object.keys(s).length === 1) {
    let out = 'L';
    for (const k in labels) {
      const v = labels[k];
      if (typeof v !== 'string') return `J${JSON.stringify(s)}`;
      out += `${k.length}:${k}${v.length}:${v}`;
    }
    return out;
  }
  return `J${JSON.stringify(s)}`;
}

export class PodPeers {
  private readonly ids = new Map<string, number>();
  /** Per peer id: its namespace selector's id (in `namespaceSelectors`) and its pod selector (none for a `namespaces` peer). */
  private readonly namespaceOf: number[] = [];
  private readonly podSelectorOf: (LabelSelector | undefined)[] = [];
  private readonly namespaceIds = new Map<string, number>();
  private readonly namespaceSelectors: LabelSelector[] = [];
  /** Per pod, its answer to each peer id; per namespace, to each namespace selector id. */
  private readonly podRows = new Map<SimPod, Uint8Array>();
  private readonly namespaceRows = new Map<string, Uint8Array>();

  constructor(private readonly view: ClusterView) {}

  /** The id of a peer selecting the pods that `podSelector` selects (every pod when undefined) in the namespaces `namespaceSelector` selects. */
  intern(namespaceSelector: LabelSelector, podSelector?: LabelSelector): number {
    if (this.podRows.size > 0) throw new Error('PodPeers: every peer must be interned before the first question');
    const nsText = selectorText(namespaceSelector);
    const text = podSelector === undefined ? nsText : `${nsText}|${selectorText(podSelector)}`;
    let id = this.ids.get(text);
    if (id === undefined) {
      let ns = this.namespaceIds.get(nsText);
      if (ns === undefined) {
        this.namespaceIds.set(nsText, (ns = this.namespaceSelectors.length));
        this.namespaceSelectors.push(namespaceSelector);
      }
      this.ids.set(text, (id = this.namespaceOf.length));
      this.namespaceOf.push(ns);
      this.podSelectorOf.push(podSelector);
    }
    return id;
  }

  /** The pod's answers (filled as they are asked): fetch once per edge side, then ask `selects`. */
  row(pod: SimPod): Uint8Array {
    let r = this.podRows.get(pod);
    if (r === undefined) this.podRows.set(pod, (r = new Uint8Array(this.namespaceOf.length)));
    return r;
  }

  /** Whether peer `id` selects `pod`, whose row is `row`. */
  selects(id: number, pod: SimPod, row: Uint8Array): boolean {
    const known = row[id];
    if (known !== UNKNOWN) return known === YES;
    const podSelector = this.podSelectorOf[id];
    const yes = this.namespaceSelects(this.namespaceOf[id]!, pod.namespace) && (podSelector === undefined || selectorMatches(podSelector, pod.labels));
    row[id] = yes ? YES : NO;
    return yes;
  }

  private namespaceSelects(ns: number, namespace: string): boolean {
    let r = this.namespaceRows.get(namespace);
    if (r === undefined) this.namespaceRows.set(namespace, (r = new Uint8Array(this.namespaceSelectors.length)));
    const known = r[ns];
    if (known !== UNKNOWN) return known === YES;
    const yes = selectorMatches(this.namespaceSelectors[ns]!, this.view.namespaceLabels(namespace));
    r[ns] = yes ? YES : NO;
    return yes;
  }
}
