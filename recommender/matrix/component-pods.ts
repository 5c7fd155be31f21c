/**
 * A component's selector against the pods of the workloads it binds.
 *
 * A component binds a workload by the workload's template labels (bindings.ts selectWorkloads), but
 * a rule's selector "selects Pods" by their own labels (kubernetes networking/v1 types.go,
 * NetworkPolicyPeer.podSelector; Cilium's endpoint selectors, Calico's selectors and a
 * ClusterNetworkPolicy's `pods` alike). Mid-rollout — or after a `kubectl rollout undo` — a
 * Deployment's pods of the other revision carry the other template's labels: a component selecting
 * `track: v1` binds the Deployment whose template says v1, and a rule naming the component by that
 * selector cuts the traffic of its pods labelled `track: v2`. Such a workload is named by its own
 * selector instead (its controller's `spec.selector`, which selects all its pods), and warned.
 */
import type { InventorySnapshot, LabelSelector, Labels, Workload } from '../../domain/inventory.ts';
import { workloadKey } from '../../domain/peer.ts';
import { selectorMatches, selectorString } from './selector.ts';
import type { PodsLeftOut, ResolvedComponent, ResolvedPeer } from './resolved.ts';

/** Of `workloads` (those `selector` binds), each whose pods carry label sets `selector` does not select, with those sets (the inventory's, sorted). */
export function podsLeftOut(selector: LabelSelector, workloads: readonly Workload[], podLabels: InventorySnapshot['podLabels']): PodsLeftOut[] {
  const out: PodsLeftOut[] = [];
  for (const w of workloads) {
    const labels = (podLabels?.[workloadKey(w)] ?? []).filter((l) => !selectorMatches(selector, l));
    // A workload without a selector of its own has nothing wider to be named by (it gets no policy either).
    if (labels.length === 0 || selectsEverything(w.selector)) continue;
    out.push({ workload: { namespace: w.namespace, kind: w.kind, name: w.name }, selector: w.selector, labels });
  }
  return out;
}

const selectsEverything = (s: LabelSelector): boolean => Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;

/**
 * The component as the peer of a rule: its pods by its selector, and each workload whose pods it
 * leaves out (`leavesOut`) by that workload's own selector — alone where it leaves out pods of every
 * workload it binds. Empty when its namespace has no value.
 */
export function componentPeers(c: ResolvedComponent): ResolvedPeer[] {
  if (c.namespace === undefined) return [];
  const ns = c.namespace;
  const peer = (selector: LabelSelector, workloads: ResolvedComponent['workloads']): ResolvedPeer => ({ kind: 'pods', component: c.name, namespace: ns, selector, namespaces: [ns], workloads, hostNetwork: c.hostNetwork });
  const left = c.leavesOut ?? [];
  if (left.length === 0) return [peer(c.selector, c.workloads)];
  const widened = new Set(left.map((l) => workloadKey(l.workload)));
  const whole = c.workloads.filter((w) => !widened.has(workloadKey(w)));
  return [...(whole.length > 0 ? [peer(c.selector, whole)] : []), ...left.map((l) => peer(l.selector, [l.workload]))];
}

/** `matrix shop: component api's selector app=api,track=v1 leaves out pods of shop/Deployment/api labelled …: rules naming it use the workload's selector app=api`. */
export function leftOutWarning(matrix: string, c: Pick<ResolvedComponent, 'name' | 'selector'>, left: PodsLeftOut): string {
  const sets = left.labels.map(labelsText).join(' and ');
  return `matrix ${matrix}: component ${c.name}'s selector ${selectorString(c.selector)} leaves out pods of ${workloadKey(left.workload)} labelled ${sets} (a rollout's other revision, say): rules naming the component use the workload's selector ${selectorString(left.selector)}, which selects all its pods`;
}

const labelsText = (l: Labels): string =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
