/**
 * What the inventory shows of the cilium-config settings a verdict or warning depends on, in the
 * words a reason ends with: the setting as the ConfigMap gives it, or why it is not known.
 */
import type { SimCluster } from '../types.ts';

type Shown = Pick<SimCluster, 'ciliumClusterName' | 'ciliumPolicy'>;

function notKnown(cluster: Shown, key: string): string {
  return cluster.ciliumClusterName !== undefined
    ? `the cilium-config was imported by a release that did not read ${key}: import it again to say which the cluster runs`
    : `the inventory has no kube-system/cilium-config to say which the cluster runs (import it with the inventory)`;
}

/** `the cilium-config sets policy-cidr-match-mode: "pods"`, `… sets no policy-cidr-match-mode`, or why it is not known. */
export function cidrMatchModeShown(cluster: Shown): string {
  const p = cluster.ciliumPolicy;
  if (p === undefined) return notKnown(cluster, 'policy-cidr-match-mode');
  return p.policyCidrMatchMode.length === 0 ? 'the cilium-config sets no policy-cidr-match-mode' : `the cilium-config sets policy-cidr-match-mode: ${JSON.stringify(p.policyCidrMatchMode.join(' '))}`;
}

/** `the cilium-config sets enable-sctp: "true"` (or `"false"`, or none), or why it is not known. */
export function enableSctpShown(cluster: Shown): string {
  const p = cluster.ciliumPolicy;
  if (p === undefined) return notKnown(cluster, 'enable-sctp');
  return `the cilium-config ${p.enableSctp ? 'sets enable-sctp: "true"' : 'does not set enable-sctp: "true"'}`;
}

/**
 * Why the inventory does not say whether the host firewall is on: no cilium-config, or one imported
 * before the key was read (migration 0041). A cilium-config without the key says off.
 */
export function hostFirewallUnknown(cluster: Shown): string {
  return notKnown(cluster, 'enable-host-firewall');
}
