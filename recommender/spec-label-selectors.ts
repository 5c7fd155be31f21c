/**
 * Label selectors without their empty parts, for drift (drift.ts): a LabelSelector's requirements
 * are its `matchLabels` and `matchExpressions` ANDed, so an empty one of either adds none and
 * `{ matchLabels: {} }` selects what `{}` does (k8s.io/apimachinery meta/v1 LabelSelectorAsSelector;
 * Cilium's EndpointSelector is built from the same LabelSelector). The API server re-encodes a
 * NetworkPolicy through its Go types, where both are `omitempty` (meta/v1 types.go LabelSelector),
 * so it lists them back without; a custom resource keeps them as written (KEP-2332).
 * Applies to every object holding either key in a NetworkPolicy, Cilium or ClusterNetworkPolicy
 * spec: those are all label selectors. An empty selector itself (`podSelector: {}`) is kept: it is
 * not an absent one (a peer's absent namespaceSelector is the policy's namespace).
 */
import { isPlainObject } from '../domain/plain-object.ts';

const LABEL_SELECTOR_KINDS = new Set([
  'networking.k8s.io/v1|NetworkPolicy',
  'cilium.io/v2|CiliumNetworkPolicy',
  'cilium.io/v2|CiliumClusterwideNetworkPolicy',
  'policy.networking.k8s.io/v1alpha2|ClusterNetworkPolicy',
]);

/** The spec with every empty `matchLabels` / `matchExpressions` left out; the spec itself for other kinds. */
export function withoutEmptySelectorParts(apiVersion: string, kind: string, spec: unknown): unknown {
  return LABEL_SELECTOR_KINDS.has(`${apiVersion}|${kind}`) ? pruned(spec) : spec;
}

function pruned(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(pruned);
  if (!isPlainObject(x)) return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if (k === 'matchLabels' && isPlainObject(v) && Object.keys(v).length === 0) continue;
    if (k === 'matchExpressions' && Array.isArray(v) && v.length === 0) continue;
    out[k] = pruned(v);
  }
  return out;
}
