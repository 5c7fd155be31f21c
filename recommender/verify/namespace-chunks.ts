/**
 * The verification simulates one namespace's workload sides at a time, each under a simulator
 * built from the manifests that can select pods of that namespace (issue 18: a whole cluster's
 * compiled policies and the simulator's per-endpoint caches are never held at once; at 2M edges
 * they outweighed the manifests).
 *
 * A side's verdict depends only on the policies that select its own endpoint, on every engine:
 * - Kubernetes NetworkPolicy: "NetworkPolicy is namespaced … podSelector selects pods in the
 *   policy's namespace" (kubernetes/website content/en/docs/concepts/services-networking/network-policies.md);
 * - CiliumNetworkPolicy: the endpointSelector of a namespaced policy only selects endpoints of
 *   its namespace (cilium/cilium Documentation/security/policy/intro.rst, "CiliumNetworkPolicy …
 *   scoped to a namespace");
 * - Calico NetworkPolicy: namespaced, applies to endpoints of its namespace (projectcalico/calico
 *   calico/reference/resources/networkpolicy.mdx);
 * - ClusterNetworkPolicy: applies to the pods its `subject` selects (kubernetes-sigs/network-policy-api
 *   apis/v1alpha2/clusternetworkpolicy_types.go); a subject whose namespace selector is exactly
 *   `kubernetes.io/metadata.name: X` selects pods of namespace X only (the label the API server
 *   sets to every namespace's name).
 * Any other cluster-scoped manifest (CiliumClusterwideNetworkPolicy, GlobalNetworkPolicy, a
 * subject selecting by other labels) is kept in every namespace's simulator.
 */

/** The one namespace whose pods a manifest can select, or undefined: possibly any. */
export function selectedNamespace(manifest: unknown): string | undefined {
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const m = manifest as { metadata?: { namespace?: unknown }; spec?: { subject?: unknown } };
  if (typeof m.metadata?.namespace === 'string' && m.metadata.namespace !== '') return m.metadata.namespace;
  return subjectNamespace(m.spec?.subject);
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function subjectNamespace(subject: unknown): string | undefined {
  if (typeof subject !== 'object' || subject === null) return undefined;
  const s = subject as { namespaces?: unknown; pods?: { namespaceSelector?: unknown } };
  return nameSelector(s.namespaces ?? s.pods?.namespaceSelector);
}

/** X when the selector is exactly `matchLabels: {kubernetes.io/metadata.name: X}`. */
function nameSelector(sel: unknown): string | undefined {
  if (typeof sel !== 'object' || sel === null) return undefined;
  const keys = Object.keys(sel);
  if (keys.length !== 1 || keys[0] !== 'matchLabels') return undefined;
  const labels = (sel as { matchLabels: unknown }).matchLabels;
  if (typeof labels !== 'object' || labels === null) return undefined;
  const l = Object.keys(labels);
  const value = (labels as Record<string, unknown>)[NAMESPACE_NAME_LABEL];
  return l.length === 1 && typeof value === 'string' ? value : undefined;
}

/** Manifests grouped by the namespace they can select pods in; `anywhere`: those that may select any pod. */
export interface ManifestsByNamespace {
  of(namespace: string): unknown[];
}

export function manifestsByNamespace(manifests: readonly unknown[]): ManifestsByNamespace {
  const anywhere: unknown[] = [];
  const byNs = new Map<string, unknown[]>();
  for (const m of manifests) {
    const ns = selectedNamespace(m);
    if (ns === undefined) anywhere.push(m);
    else {
      const l = byNs.get(ns);
      if (l) l.push(m);
      else byNs.set(ns, [m]);
    }
  }
  // Each namespace's in their original order, then the cluster-wide ones: the simulators order
  // policies themselves (by tier, order, priority, name), never by their position in the list.
  return { of: (ns) => [...(byNs.get(ns) ?? []), ...anywhere] };
}
