import type { AppliedPolicy } from '../../domain/inventory.ts';
import { readObject } from './metadata.ts';
import type { RawObject } from './parse.ts';
import { asStoredPolicy, isPlainObject } from '../../domain/plain-object.ts';
import { networkPolicyNonStandardCidrs, nonStandardReading } from '../../domain/legacy-cidr.ts';
import { checkFailsafePorts, checkHostEndpoint } from './host-endpoints.ts';
import { CALICO_CRD_GROUP, calicoV3Key } from '../../domain/calico-crd.ts';

/** Policy kinds kept raw, by kind key, with their scope. */
export const POLICY_KINDS: Record<string, 'namespaced' | 'cluster'> = {
  'NetworkPolicy.networking.k8s.io': 'namespaced',
  'CiliumNetworkPolicy.cilium.io': 'namespaced',
  'CiliumClusterwideNetworkPolicy.cilium.io': 'cluster',
  'NetworkPolicy.projectcalico.org': 'namespaced',
  'GlobalNetworkPolicy.projectcalico.org': 'cluster',
  // Not a policy, but what orders them: a policy of a tier Calico does not know is not enforced,
  // and one of a tier before the default one decides first (Calico "Tier" reference).
  'Tier.projectcalico.org': 'cluster',
  // Not policies either: what Calico polices a node's own traffic as (a GlobalNetworkPolicy selecting
  // the host endpoint's labels), and the failsafe ports felix keeps open on it (host-endpoints.ts).
  'HostEndpoint.projectcalico.org': 'cluster',
  'FelixConfiguration.projectcalico.org': 'cluster',
  'ClusterNetworkPolicy.policy.networking.k8s.io': 'cluster',
  'AdminNetworkPolicy.policy.networking.k8s.io': 'cluster',
  'BaselineAdminNetworkPolicy.policy.networking.k8s.io': 'cluster',
};

/**
 * Calico's policy kinds (those read from projectcalico.org/v3) exported from their CRDs instead,
 * by kind: `crd.projectcalico.org/v1` is Calico's own storage, which calico-node reads and enforces
 * in Kubernetes-datastore mode; the spec is the v3 one (libcalico-go
 * lib/apis/crd.projectcalico.org/v1/globalnetworkpolicy_types.go: `Spec v3.GlobalNetworkPolicySpec`),
 * but the names and metadata are the backend's. They are not imported, so the verification beside
 * applied policies would miss what they deny without a word (domain/calico-crd.ts says it).
 * Other kinds of the group (IPAM blocks, …) are Calico's bookkeeping and stay merely `ignored`.
 */
export function calicoCrdObjects(ignored: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of ignored) {
    if (!key.endsWith(`.${CALICO_CRD_GROUP}`)) continue;
    const kind = key.slice(0, -CALICO_CRD_GROUP.length - 1);
    if (isPolicyKey(calicoV3Key(kind))) out[kind] = n;
  }
  return out;
}

export function isPolicyKey(key: string): boolean {
  return Object.hasOwn(POLICY_KINDS, key);
}

export function toPolicy(raw: RawObject): AppliedPolicy {
  const scope = POLICY_KINDS[raw.key] ?? 'namespaced';
  const { meta, r } = readObject(raw, scope);
  if (raw.key === 'HostEndpoint.projectcalico.org') checkHostEndpoint(r);
  if (raw.key === 'FelixConfiguration.projectcalico.org') checkFailsafePorts(r);
  return storedObject(raw, meta);
}

/** An applied object as stored, its metadata read already (readObject). */
export function storedObject(raw: RawObject, meta: { namespace?: string | undefined; name: string }): AppliedPolicy {
  // managedFields is server bookkeeping, often larger than the policy itself.
  const metadata = isPlainObject(raw.obj.metadata) ? { ...raw.obj.metadata } : {};
  delete metadata.managedFields;
  return {
    apiVersion: raw.apiVersion,
    kind: raw.kind,
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
    name: meta.name,
    // As the API server holds it: a field written as null is absent (a hand-written inventory's bare
    // `ingress:`), a NetworkPolicy's null list item decoded (`ingress: [null]` is the empty rule).
    manifest: asStoredPolicy({ ...raw.obj, metadata }),
  };
}

/** `['spec', 'egress', 0, 'to']` → `spec.egress[0].to`, as the import's messages name fields. */
function fieldPath(path: readonly (string | number)[]): string {
  return path.map((t, i) => (typeof t === 'number' ? `[${t}]` : i === 0 ? t : `.${t}`)).join('');
}

/**
 * A NetworkPolicy's ipBlocks the API server stored with a warning (leading zeros, IPv4-mapped):
 * kept and read as the API server reads them (domain/legacy-cidr.ts), each named.
 */
export function policyWarnings(p: AppliedPolicy): string[] {
  if (p.apiVersion !== 'networking.k8s.io/v1' || p.kind !== 'NetworkPolicy') return [];
  return networkPolicyNonStandardCidrs(isPlainObject(p.manifest) ? p.manifest.spec : undefined).map(
    (n) => `NetworkPolicy ${p.namespace}/${p.name}: ${fieldPath(n.path)}: non-standard CIDR ${JSON.stringify(n.value)} ${nonStandardReading(n)}`,
  );
}
