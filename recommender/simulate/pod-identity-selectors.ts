/**
 * Selectors naming a label a pod gets from its own identity (a StatefulSet pod's name and
 * ordinal, domain/pod-identity-labels.ts). A pod a flow record names by its address carries it; an
 * edge's side is judged at each of its workload's own label sets a policy tells apart
 * (own-set-groups.ts), which carry it where the inventory lists the pods with their own labels
 * (InventorySnapshot.podLabels). A StatefulSet none of whose pods it lists so (no pod imported, or
 * imported by a release that did not keep them) is judged at its template labels, which never hold
 * it: what such a selector decides for its pods is not known there, and is said instead of guessed.
 * Cilium keeps these labels out of identities (cilium/label-filter.ts): there such a selector
 * selects no pod, the same for every pod, and nothing is in doubt.
 */
import { parseWorkloadKey } from '../../domain/peer.ts';
import { POD_IDENTITY_LABEL_KEYS } from '../../domain/pod-identity-labels.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import { compareStrings } from '../../domain/order.ts';
import type { ClusterModel } from './cluster.ts';
import { manifestId } from '../engines/manifest-id.ts';
import type { EngineName } from '../engines/types.ts';
import { calicoSelectorKeys, labelSelectorKeys } from './selector-keys.ts';
import { evaluatesKind } from './decide.ts';
import { walkFields } from './manifest-fields.ts';

export interface PodIdentitySelector {
  /** The manifest, as messages name it (manifestId). */
  policy: string;
  /** JSON pointer of the selector in the manifest. */
  path: string;
  /** The per-pod label keys it names, sorted. */
  labels: string[];
}

/**
 * The pod selectors of the policies `engine`'s simulation evaluates that name a per-pod label:
 * every `podSelector` (NetworkPolicy, the network-policy-api kinds), and Calico's `selector` and
 * `notSelector` (not a ServiceAccount's `serviceAccounts.selector`). In input order.
 */
function podIdentitySelectors(engine: EngineName, policies: readonly unknown[]): PodIdentitySelector[] {
  if (engine === 'cilium') return [];
  const out: PodIdentitySelector[] = [];
  for (const p of policies) {
    if (!isPlainObject(p) || !evaluatesKind(engine, String(p.apiVersion), String(p.kind))) continue;
    const calico = p.apiVersion === 'projectcalico.org/v3';
    const policy = manifestId(p);
    walkFields(
      p.spec,
      '/spec',
      (k, x, at, parent) => {
        const keys =
          k === 'podSelector' && isPlainObject(x) ? labelSelectorKeys(x) : calico && (k === 'selector' || k === 'notSelector') && parent !== 'serviceAccounts' && typeof x === 'string' ? calicoSelectorKeys(x) : [];
        const labels = [...new Set(keys.filter((key) => POD_IDENTITY_LABEL_KEYS.has(key)))].sort();
        if (labels.length === 0) return true;
        out.push({ policy, path: at, labels });
        return false;
      },
      'spec',
    );
  }
  return out;
}

/**
 * The selectors of `podIdentitySelectors` an edge's side may be judged at without the label, and
 * the StatefulSets where it is (`statefulSetsWithoutOwnLabels`): none when the inventory lists some
 * pod of every StatefulSet with its own labels.
 */
export function identitySelectorsTakenAsLacking(engine: EngineName, policies: readonly unknown[], model: Pick<ClusterModel, 'cluster' | 'ownSets'>): { selectors: PodIdentitySelector[]; statefulSets: string[] } {
  const selectors = podIdentitySelectors(engine, policies);
  const statefulSets = selectors.length === 0 ? [] : statefulSetsWithoutOwnLabels(model);
  return statefulSets.length === 0 ? { selectors: [], statefulSets } : { selectors, statefulSets };
}

/**
 * The StatefulSets (workload keys, sorted) no pod of which the inventory lists with its own labels:
 * no own label set of theirs (ClusterModel.ownSets) holds a label the pod gets from its identity, so
 * an edge's side there is judged at labels lacking it. Host-network ones are left out: a pod
 * selector never selects a host-network pod.
 */
function statefulSetsWithoutOwnLabels(model: Pick<ClusterModel, 'cluster' | 'ownSets'>): string[] {
  const carries = (labels: Readonly<Record<string, string>>) => Object.keys(labels).some((k) => POD_IDENTITY_LABEL_KEYS.has(k));
  return model.cluster.pods
    .filter((p) => !p.hostNetwork && p.workload !== undefined && parseWorkloadKey(p.workload.key).kind === 'StatefulSet' && !model.ownSets(p).some((s) => carries(s.labels)))
    .map((p) => p.workload!.key)
    .sort(compareStrings);
}
