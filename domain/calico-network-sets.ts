/**
 * Calico's network sets: GlobalNetworkSet (cluster-scoped) and NetworkSet (namespaced), labelled
 * lists of CIDRs that Calico policy rule selectors match like endpoints (docs.tigera.io
 * reference/resources/globalnetworkset, networkset). They are read from the projectcalico.org/v3
 * API and from Calico's own CRD storage, `crd.projectcalico.org/v1` (what a cluster without the
 * Calico API server holds), whose objects carry the same names, labels and spec (libcalico-go
 * lib/apis/crd.projectcalico.org/v1: `Spec v3.GlobalNetworkSetSpec`, `Spec v3.NetworkSetSpec`).
 */

export type NetworkSetKind = 'GlobalNetworkSet' | 'NetworkSet';

const API_VERSIONS: ReadonlySet<string> = new Set(['projectcalico.org/v3', 'crd.projectcalico.org/v1']);

/** The network set kind of an object of this apiVersion and kind, or undefined for any other. */
export function networkSetKind(apiVersion: unknown, kind: unknown): NetworkSetKind | undefined {
  if (typeof apiVersion !== 'string' || !API_VERSIONS.has(apiVersion)) return undefined;
  return kind === 'GlobalNetworkSet' || kind === 'NetworkSet' ? kind : undefined;
}

/** `GlobalNetworkSet.projectcalico.org`, …: the kind keys (domain/inventory.ts kindKey) the import files them under, with their scope. */
export const NETWORK_SET_KEYS: Readonly<Record<string, 'namespaced' | 'cluster'>> = {
  'GlobalNetworkSet.projectcalico.org': 'cluster',
  'NetworkSet.projectcalico.org': 'namespaced',
  'GlobalNetworkSet.crd.projectcalico.org': 'cluster',
  'NetworkSet.crd.projectcalico.org': 'namespaced',
};

export function isNetworkSetKey(key: string): boolean {
  return Object.hasOwn(NETWORK_SET_KEYS, key);
}
