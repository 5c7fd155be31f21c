/**
 * Cilium host policies (a CiliumClusterwideNetworkPolicy rule with a `nodeSelector`) apply only
 * where the agent runs the host firewall (cilium-config `enable-host-firewall`, Helm
 * `hostFirewall.enabled`; Documentation/security/policy/host.rst). The cilium simulator judges them
 * when the inventory says it is on (../cilium.ts `hostFirewall`); where it does not say, they are
 * left out, and this says so.
 */
import type { SimCluster } from '../types.ts';
import { CCNP_KIND, isCiliumPolicy, policyRules } from '../../engines/wire/cilium.ts';
import { policyId } from './rules.ts';
import { hostFirewallUnknown } from './config-shown.ts';

/** Whether a manifest holds a host policy rule (a CiliumClusterwideNetworkPolicy rule with a nodeSelector). */
const isHostPolicy = (m: unknown): boolean => isCiliumPolicy(m) && m.kind === CCNP_KIND && policyRules(m).some(({ rule }) => rule.nodeSelector !== undefined && rule.nodeSelector !== null);

/** The ids of the manifests that hold a host policy rule (`CiliumClusterwideNetworkPolicy/name`). */
export function hostPolicyIds(manifests: readonly unknown[]): string[] {
  return manifests.filter(isHostPolicy).map((m) => policyId(m as Parameters<typeof policyId>[0]));
}

/**
 * Whether the cilium simulator enforces host policies of `manifests` on this cluster: the inventory
 * says the host firewall is on (what the simulator reads when not told otherwise) and one of them
 * is a host policy. Otherwise every host endpoint allows everything: nothing of it to judge.
 */
export function hostPoliciesEnforced(manifests: readonly unknown[], cluster: Pick<SimCluster, 'ciliumPolicy'>): boolean {
  return cluster.ciliumPolicy?.enableHostFirewall === true && manifests.some(isHostPolicy);
}

/**
 * The warning for host policies (`names`, as the caller lists them) when the inventory does not say
 * whether the host firewall is on; undefined when it says (on: judged; off: they do nothing).
 */
export function hostPoliciesNotJudged(names: string, cluster: Pick<SimCluster, 'ciliumClusterName' | 'ciliumPolicy'>): string | undefined {
  if (cluster.ciliumPolicy?.enableHostFirewall !== undefined) return undefined;
  return `${names}: host policies (a nodeSelector) apply to the nodes they select, their host-network pods included, only where Cilium's host firewall is on (enable-host-firewall, Helm hostFirewall.enabled), and ${hostFirewallUnknown(cluster)}: they were not evaluated, so what they decide for nodes and host-network pods is not verified`;
}
