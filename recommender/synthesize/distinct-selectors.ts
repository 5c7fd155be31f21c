/**
 * A workload's pod selector as its policies name it: one that selects no other workload's pods.
 *
 * The owner's `spec.selector` says which pods the controller manages, not which pods carry those
 * labels: a NetworkPolicy's podSelector (and Cilium's endpointSelector, Calico's selector, a
 * ClusterNetworkPolicy's pods.podSelector) selects every pod of the namespace whose labels match,
 * whatever owns it (Kubernetes docs, "Network Policies": "podSelector ... selects the grouping of
 * pods to which the policy applies"). A Deployment `app=cache` and a backup Job whose pods also
 * carry `app=cache` share it: the Deployment's policy would isolate the Job's pods too, and cut
 * what they do; a peer naming the Deployment would admit the Job as well.
 *
 * So the selector is narrowed, per workload, by a requirement every pod of it meets and the other
 * workloads' pods do not — only where that is sure: one of the matrix components that select it
 * (the matrix author's own way to tell them apart), then the absence of a Job label the other
 * pods carry (DoesNotExist; `absenceHolds`). Requirements on its own template labels are not sure
 * (pods of an earlier revision may lack them) nor absences of other labels (webhooks add labels
 * to pods). Where nothing sure tells them apart, a warning names both; the verification then
 * simulates the other workload under this one's policy.
 *
 * Per workload, the other workloads of its namespace are looked up through one of its selector's
 * matchLabels entries (the rarest: namespace-labels.ts), so a namespace of workloads with distinct
 * labels costs one map lookup each.
 */
import type { InventorySnapshot, LabelSelector, LabelSelectorRequirement, Labels, Workload } from '../../domain/inventory.ts';
import { workloadKey } from '../../domain/peer.ts';
import { hasSelectablePods } from '../../domain/pod-networks.ts';
import { isJobLabel, isVolatileLabel } from '../../domain/volatile-labels.ts';
import { canonicalSelector, selectorMatches } from '../matrix/selector.ts';
import { NamespaceLabels } from './namespace-labels.ts';
import type { ResolvedMatrix } from '../matrix/resolved.ts';
import { compareStrings, selectorIsEmpty } from '../policy/order.ts';

export interface DistinctSelectors {
  /** The inventory with each workload's selector narrowed where another workload's pods matched it (the same object when none did). */
  inventory: InventorySnapshot;
  /** By workload key: why its selector still selects other workloads' pods (no label tells them apart). */
  warnings: Map<string, string>;
}

type Requirement = { kind: 'label'; key: string; value: string } | { kind: 'expression'; expression: LabelSelectorRequirement };

const JOB_KINDS: ReadonlySet<string> = new Set(['Job', 'CronJob']);

/** `withPodNetworkPods`: the workloads with a pod on the pod network (domain/pod-networks.ts). */
export function distinctSelectors(inventory: InventorySnapshot, matrices: readonly ResolvedMatrix[], withPodNetworkPods: ReadonlySet<string>): DistinctSelectors {
  // No pod policy applies to host-network pods: selecting them changes nothing.
  const index = new NamespaceLabels(inventory.workloads.filter((w) => hasSelectablePods(w, withPodNetworkPods)));
  let narrowed: Map<Workload, Workload> | undefined;
  const warnings = new Map<string, string>();
  let components: Map<string, LabelSelector[]> | undefined;
  for (const w of inventory.workloads) {
    // Without a selector a workload gets no policy (synthesize/workload.ts).
    if (!hasSelectablePods(w, withPodNetworkPods) || selectorIsEmpty(w.selector)) continue;
    const others = index.selected(w);
    if (others.length === 0) continue;
    components ??= componentSelectors(matrices);
    const { selector, left } = narrow(w, others, components.get(workloadKey(w)) ?? [], inventory.podLabels?.[workloadKey(w)] ?? []);
    if (left.length > 0) warnings.set(workloadKey(w), indistinct(w, left));
    if (selector !== w.selector) (narrowed ??= new Map()).set(w, { ...w, selector });
  }
  if (narrowed === undefined) return { inventory, warnings };
  const table = narrowed;
  return { inventory: { ...inventory, workloads: inventory.workloads.map((w) => table.get(w) ?? w) }, warnings };
}

const nameOf = (w: Workload): string => `${w.kind} ${w.namespace}/${w.name}`;

function indistinct(w: Workload, left: readonly Workload[]): string {
  const names = left.map(nameOf).join(', ');
  return `the pods of ${names} carry every label of ${nameOf(w)}'s pods that its selector could name: the policies of ${nameOf(w)} select them too (isolating them, or opening its rules to them); give one of them a label the other lacks`;
}

/** The workload's selector with the fewest requirements that leave out `others`, and those no requirement leaves out. */
function narrow(w: Workload, others: readonly Workload[], componentSelectors: readonly LabelSelector[], podSets: readonly Labels[]): { selector: LabelSelector; left: Workload[] } {
  const candidates = requirements(w, others, componentSelectors, podSets);
  let left = [...others];
  const picked: Requirement[] = [];
  while (left.length > 0) {
    let best: Requirement | undefined;
    let bestOut = 0;
    for (const c of candidates) {
      let out = 0;
      for (const o of left) if (!holds(c, o)) out++;
      if (out > bestOut) {
        best = c;
        bestOut = out;
      }
    }
    if (best === undefined) break;
    picked.push(best);
    const chosen = best;
    left = left.filter((o) => holds(chosen, o));
  }
  if (picked.length === 0) return { selector: w.selector, left };
  return { selector: withRequirements(w.selector, picked), left };
}

/** What may narrow `w`'s selector, in order of preference; each holds for every pod of `w` (`podSets`: their label sets the inventory holds). */
function requirements(w: Workload, others: readonly Workload[], componentSelectors: readonly LabelSelector[], podSets: readonly Labels[]): Requirement[] {
  const out: Requirement[] = [];
  for (const s of componentSelectors) {
    for (const [key, value] of Object.entries(s.matchLabels ?? {}).sort(([a], [b]) => compareStrings(a, b))) out.push({ kind: 'label', key, value });
    for (const expression of s.matchExpressions ?? []) if (!isPerPod(expression.key, w)) out.push({ kind: 'expression', expression });
  }
  // Only an absence that is sure (a Job's labels) narrows past the matrix: a requirement on the
  // workload's own template labels (Exists, NotIn on a value it sets) holds for the pods of its
  // current template only, not for those of an earlier revision still running (a rollout that
  // stalled, OnDelete updates), which its policy and every peer naming it would then leave out.
  const absent = new Set<string>();
  for (const o of others) for (const k of Object.keys(o.labels)) if (w.labels[k] === undefined && absenceHolds(k, w)) absent.add(k);
  for (const key of [...absent].sort(compareStrings)) out.push({ kind: 'expression', expression: { key, operator: 'DoesNotExist' } });
  // A requirement the workload's own template labels do not meet would leave its pods out; so would
  // one its running pods' labels do not (a component's `track: v1` mid-rollout, matrix/component-pods.ts).
  return out.filter((r) => holds(r, w) && podSets.every((l) => holdsOn(r, l)));
}

/**
 * A key `w`'s pods may carry beyond its template: one a controller stamps per pod or revision
 * (pod-template-hash, a StatefulSet pod's name, …), which an absence test on it would cut. The
 * Job labels are only ever stamped on a Job's pods.
 */
function isPerPod(key: string, w: Workload): boolean {
  return isVolatileLabel(key) && !(isJobLabel(key) && !JOB_KINDS.has(w.kind));
}

/**
 * Whether `w`'s pods surely lack `key`, which another workload's labels hold and `w`'s do not. A
 * workload's labels are its template's (a bare pod's its own), and admission webhooks add labels
 * to pods, never to templates (Istio's injector: security.istio.io/tlsMode,
 * service.istio.io/canonical-name): any label may be on `w`'s pods beyond its template, so no
 * absence is sure but that of a Job's labels, which only a Job's pods carry (kubernetes
 * pkg/apis/batch). A matrix component's absence test is its author's word, and comes first.
 */
function absenceHolds(key: string, w: Workload): boolean {
  return isJobLabel(key) && !JOB_KINDS.has(w.kind);
}

const holds = (r: Requirement, w: Workload): boolean => holdsOn(r, w.labels);

function holdsOn(r: Requirement, labels: Labels): boolean {
  return r.kind === 'label' ? labels[r.key] === r.value : selectorMatches({ matchExpressions: [r.expression] }, labels);
}

function withRequirements(selector: LabelSelector, picked: readonly Requirement[]): LabelSelector {
  const matchLabels = { ...selector.matchLabels };
  const expressions = [...(selector.matchExpressions ?? [])];
  for (const r of picked) {
    if (r.kind === 'label') matchLabels[r.key] = r.value;
    else expressions.push(r.expression);
  }
  return canonicalSelector({ ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}), ...(expressions.length > 0 ? { matchExpressions: expressions } : {}) });
}

/** The selectors of the enabled matrix components that select each workload, in their namespace, by workload key. */
function componentSelectors(matrices: readonly ResolvedMatrix[]): Map<string, LabelSelector[]> {
  const out = new Map<string, LabelSelector[]>();
  for (const m of matrices) {
    if (!m.enabled) continue;
    for (const c of m.components) {
      if (!c.enabled || c.namespace === undefined) continue;
      for (const w of c.workloads) {
        if (w.namespace !== c.namespace) continue;
        const k = workloadKey(w);
        const list = out.get(k);
        if (list === undefined) out.set(k, [c.selector]);
        else list.push(c.selector);
      }
    }
  }
  return out;
}
