/**
 * A Cilium policy's rules as drift (drift.ts) compares them. A CiliumNetworkPolicy or
 * CiliumClusterwideNetworkPolicy holds one rule in `spec` and/or several in `specs` (cilium/cilium
 * pkg/k8s/apis/cilium.io/v2 cnp_types.go `Spec`, `Specs`; its Parse takes `Spec`, then each of
 * `Specs`, as rules of one policy), so `specs: [A]` is `spec: A`, and a rule's place decides
 * nothing (rules add up: spec-list-order.ts). flowmatrix writes one rule, in `spec`
 * (engines/types.ts); an applied policy may hold several.
 */
import { isCiliumPolicy } from './engines/wire/cilium.ts';

/** The rules of a Cilium policy, `spec` then each of `specs`; undefined for another kind. */
export function ciliumRuleList(manifest: unknown): unknown[] | undefined {
  if (!isCiliumPolicy(manifest)) return undefined;
  const { spec, specs } = manifest as { spec?: unknown; specs?: unknown };
  // A `specs` that is no list (the CRD schema refuses it) is kept as one item, so it differs.
  const listed = specs === undefined || specs === null ? [] : Array.isArray(specs) ? specs : [specs];
  return [...(spec === undefined || spec === null ? [] : [spec]), ...listed];
}

/**
 * Where two policies' rules are compared: one rule each (or none) as `spec`, the path a
 * difference is listed under as before; several on either side as the list `specs`.
 */
export function comparedRules(applied: unknown[], recommended: unknown[]): { path: 'spec' | 'specs'; applied: unknown; recommended: unknown } {
  if (applied.length <= 1 && recommended.length <= 1) return { path: 'spec', applied: applied[0], recommended: recommended[0] };
  return { path: 'specs', applied, recommended };
}
