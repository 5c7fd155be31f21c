/**
 * Which cluster-scoped policies select a pod as their subject, per tier and direction, in the
 * tiers' order (compile.ts sorts the policies by priority, then name). Subjects are pods on the
 * pod network (API: "host-networked pods are not included in subject selection"; the caller
 * passes such pods only). A `namespaces` subject selects every pod of the namespaces it selects;
 * a `pods` subject the pods its podSelector selects in those namespaces.
 */
import { selectorMatches } from '../../matrix/selector.ts';
import type { ClusterView } from '../kubernetes/cluster-view.ts';
import type { SimPod } from '../types.ts';
import type { CompiledSubject, Direction, TierPolicy } from './compile.ts';
import { selectorText } from './pod-peers.ts';

/** The policies selecting a pod that have rules in that direction, per tier; T is what the caller keeps per policy. */
export interface Selecting<T> {
  admin: Record<Direction, T[]>;
  baseline: Record<Direction, T[]>;
}

/** The part of a subject that selects namespaces, as text: equal texts select the same namespaces. */
function namespaceText(s: CompiledSubject): string {
  if ('none' in s) return 'none';
  return selectorText('namespaces' in s ? s.namespaces : s.namespaceSelector);
}

export class SubjectIndex<T extends { policy: TierPolicy }> {
  /**
   * The policies grouped by their subject's namespace part, each group's members by their
   * position in the tier order. Why: a cluster has a policy or two per workload, and they repeat
   * the same few namespace selectors (one per namespace, typically); each distinct one is matched
   * against a namespace once, instead of every policy's.
   */
  private readonly groups: { subject: CompiledSubject; members: number[] }[] = [];
  private readonly byNamespace = new Map<string, number[]>();
  /** A Map, not a WeakMap: asked once per flow side, and a Map lookup is several times cheaper; it lives as long as the simulator. */
  private readonly selecting = new Map<SimPod, Selecting<T>>();

  /** `policies` in the tiers' order. */
  constructor(
    private readonly policies: readonly T[],
    private readonly view: ClusterView,
  ) {
    const byText = new Map<string, { subject: CompiledSubject; members: number[] }>();
    policies.forEach((p, i) => {
      const text = namespaceText(p.policy.subject);
      let g = byText.get(text);
      if (g === undefined) {
        byText.set(text, (g = { subject: p.policy.subject, members: [] }));
        this.groups.push(g);
      }
      g.members.push(i);
    });
  }

  /** The policies selecting the pod (worked out once per pod). */
  of(pod: SimPod): Selecting<T> {
    let s = this.selecting.get(pod);
    if (s === undefined) {
      const mine = this.inNamespace(pod.namespace)
        .map((i) => this.policies[i]!)
        .filter((p) => 'namespaces' in p.policy.subject || ('podSelector' in p.policy.subject && selectorMatches(p.policy.subject.podSelector, pod.labels)));
      const pick = (tier: 'Admin' | 'Baseline', d: Direction): T[] => mine.filter((p) => p.policy.tier === tier && p.policy.rules[d].length > 0);
      s = { admin: { ingress: pick('Admin', 'ingress'), egress: pick('Admin', 'egress') }, baseline: { ingress: pick('Baseline', 'ingress'), egress: pick('Baseline', 'egress') } };
      this.selecting.set(pod, s);
    }
    return s;
  }

  /** The positions of the policies whose subject's namespace part selects the namespace, in order. */
  private inNamespace(namespace: string): number[] {
    let list = this.byNamespace.get(namespace);
    if (list === undefined) {
      list = [];
      for (const g of this.groups) if (this.namespaceSelected(g.subject, namespace)) for (const i of g.members) list.push(i);
      list.sort((a, b) => a - b);
      this.byNamespace.set(namespace, list);
    }
    return list;
  }

  /** Whether the subject's namespace part selects the namespace (a `none` subject selects nothing). */
  private namespaceSelected(s: CompiledSubject, namespace: string): boolean {
    if ('none' in s) return false;
    return selectorMatches('namespaces' in s ? s.namespaces : s.namespaceSelector, this.view.namespaceLabels(namespace));
  }
}
