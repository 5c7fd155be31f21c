import { compareStrings } from './order.ts';

/**
 * Calico objects exported from their CRDs (`apiVersion: crd.projectcalico.org/v1`): Calico's own
 * storage in Kubernetes-datastore mode (libcalico-go lib/backend/k8s), which calico-node enforces,
 * while the import reads the projectcalico.org/v3 API only. Said by the import that skips them and
 * by every verification while the store holds an import that skipped them.
 */

/** The group Calico stores its resources in, in Kubernetes-datastore mode. */
export const CALICO_CRD_GROUP = 'crd.projectcalico.org';

/** The kind key (domain/inventory.ts kindKey) of a Calico kind under its CRD group, and under the v3 API. */
export const calicoCrdKey = (kind: string): string => `${kind}.${CALICO_CRD_GROUP}`;
export const calicoV3Key = (kind: string): string => `${kind}.projectcalico.org`;

/** `GlobalNetworkPolicy ×2, Tier ×1`: the kinds not imported and how many of each, sorted by kind. */
function kindsAndCounts(objects: Readonly<Record<string, number>>): string {
  return Object.entries(objects)
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([kind, n]) => `${kind} ×${n}`)
    .join(', ');
}

const EXPORT_THROUGH_V3 = 'export them through the projectcalico.org/v3 API (the Calico API server: kubectl get globalnetworkpolicies.projectcalico.org, …) instead';

/** The warning of the import that skipped them; none when it skipped none. */
export function calicoCrdImportWarnings(objects: Readonly<Record<string, number>>): string[] {
  if (Object.keys(objects).length === 0) return [];
  return [
    `Calico objects of apiVersion ${CALICO_CRD_GROUP}/v1 (${kindsAndCounts(objects)}) were not imported: that is Calico's own storage of them; the verification beside applied policies does not evaluate them, and what they deny is missing from it — ${EXPORT_THROUGH_V3}`,
  ];
}

/** The warning of a verification while the stored inventory lacks them (InventorySnapshot.calicoCrdObjects); none when it lacks none. */
export function calicoCrdVerificationWarnings(objects: Readonly<Record<string, number>>): string[] {
  if (Object.keys(objects).length === 0) return [];
  return [
    `Calico objects of apiVersion ${CALICO_CRD_GROUP}/v1 (${kindsAndCounts(objects)}) were not imported by the last import that carried their kinds: the verification beside applied policies does not evaluate them, and what they deny is missing from it — ${EXPORT_THROUGH_V3}, and import again`,
  ];
}
