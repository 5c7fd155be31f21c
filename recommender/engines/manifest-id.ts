/**
 * How a manifest's kind is named in messages: its kind, but a Calico NetworkPolicy is
 * `NetworkPolicy.projectcalico.org` (kubectl's resource.group): a Kubernetes NetworkPolicy of the
 * same namespace and name is another object, which Calico enforces beside it.
 */
export function kindName(apiVersion: unknown, kind: unknown): string {
  return kind === 'NetworkPolicy' && apiVersion === 'projectcalico.org/v3' ? 'NetworkPolicy.projectcalico.org' : String(kind);
}

/** How a manifest is named in messages: `Kind/namespace/name` (cluster-scoped: `Kind/name`), the kind as kindName gives it. */
export function manifestId(m: unknown): string {
  const o = (typeof m === 'object' && m !== null ? m : {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } };
  const ns = o.metadata?.namespace;
  return `${kindName(o.apiVersion, o.kind)}/${typeof ns === 'string' ? `${ns}/` : ''}${String(o.metadata?.name)}`;
}
