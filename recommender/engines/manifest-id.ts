/**
 * How a manifest is named in messages: `Kind/namespace/name` (cluster-scoped: `Kind/name`). A Calico
 * NetworkPolicy is `NetworkPolicy.projectcalico.org/…` (kubectl's resource.group): a Kubernetes
 * NetworkPolicy of the same namespace and name is another object, which Calico enforces beside it.
 */
export function manifestId(m: unknown): string {
  const o = (typeof m === 'object' && m !== null ? m : {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } };
  const ns = o.metadata?.namespace;
  const kind = o.kind === 'NetworkPolicy' && o.apiVersion === 'projectcalico.org/v3' ? 'NetworkPolicy.projectcalico.org' : String(o.kind);
  return `${kind}/${typeof ns === 'string' ? `${ns}/` : ''}${String(o.metadata?.name)}`;
}
