/**
 * Selectors naming a label a pod gets from its own identity (a StatefulSet pod's name and
 * ordinal, domain/pod-identity-labels.ts). The simulators know such a label only for a pod a flow
 * record names by its address; an edge's side is a workload as a whole, whose pods differ in it,
 * so what such a selector decides for it is not known and is said instead of guessed.
 * Cilium keeps these labels out of identities (cilium/label-filter.ts): there such a selector
 * selects no pod, the same for every pod, and nothing is in doubt.
 */
import { POD_IDENTITY_LABEL_KEYS } from '../../domain/pod-identity-labels.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
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
export function podIdentitySelectors(engine: EngineName, policies: readonly unknown[]): PodIdentitySelector[] {
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
