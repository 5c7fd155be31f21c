/**
 * What a host-network workload's advice reads of Cilium's host firewall: a host-network pod is its
 * node to Cilium, which host policies police where the cilium-config sets `enable-host-firewall:
 * "true"` — CiliumClusterwideNetworkPolicies with a `nodeSelector` (Cilium docs, "Host Policies":
 * they "apply only to the host namespace, including host-networking pods").
 */
import type { InventorySnapshot } from '../../domain/inventory.ts';
import { CCNP_KIND } from '../engines/wire/cilium.ts';

/** The applied host policies (`CiliumClusterwideNetworkPolicy/<name>`, sorted) where the host firewall is on; undefined where it is off or not said. */
export function appliedHostPolicies(inventory: Pick<InventorySnapshot, 'ciliumPolicy' | 'policies'>): string[] | undefined {
  if (inventory.ciliumPolicy?.enableHostFirewall !== true) return undefined;
  return inventory.policies
    .filter((p) => p.kind === CCNP_KIND && hasNodeSelector(p.manifest))
    .map((p) => `${p.kind}/${p.name}`)
    .sort();
}

/** A CCNP's `spec` or any of its `specs` has a `nodeSelector`. */
function hasNodeSelector(manifest: unknown): boolean {
  const m = manifest as { spec?: { nodeSelector?: unknown }; specs?: { nodeSelector?: unknown }[] } | null;
  return m?.spec?.nodeSelector !== undefined || (m?.specs ?? []).some((s) => s?.nodeSelector !== undefined);
}

/** How a host-network workload is restricted instead of by a pod policy: on its node, in the host policies where the host firewall is on. */
export function hostNetworkAdvice(hostPolicies: readonly string[] | undefined): string {
  if (hostPolicies === undefined) return 'restrict it on the node (host firewall) instead';
  if (hostPolicies.length === 0) return "its node's host firewall is on (cilium-config enable-host-firewall) but no host policy is applied: restrict it there, with a CiliumClusterwideNetworkPolicy with a nodeSelector";
  return `its node's host firewall is on (cilium-config enable-host-firewall) and decides it: restrict it in the host policies applied (${hostPolicies.join(', ')})`;
}
