/**
 * What the cilium-config's `allow-localhost: policy` makes of a simulation that does not read it:
 * the `kubernetes` one of NetworkPolicies on a cluster running Cilium (the `clusternetworkpolicy`
 * one where Cilium enforces ClusterNetworkPolicies), which decides a connection from the pod's own
 * node by the Kubernetes rule, "traffic to and from the node where a Pod is running is always
 * allowed". Under `policy` the agent adds no local-host allow (cilium/cilium pkg/policy mapstate.go
 * determineAllowLocalhostIngress, only when AlwaysAllowLocalhost()), so it lets the local host into
 * a pod whose ingress a policy isolates only by a rule. None under `auto` or `always`.
 */
import { localHostUnderPolicy } from '../../../domain/inventory.ts';
import type { SimCluster } from '../types.ts';

export function localHostNotSimulated(cluster: Pick<SimCluster, 'ciliumPolicy'>, engine: string): string[] {
  if (!localHostUnderPolicy(cluster.ciliumPolicy)) return [];
  return [
    `the cilium-config sets allow-localhost: policy, which the ${engine} simulation does not read: a connection from the pod's own node (kubelet:<node>: its kubelet's probes, host-network pods there) it allows whatever the policies, Cilium lets into a pod whose ingress a policy isolates only by a rule allowing the local host — simulate with engine cilium for the agent's verdicts`,
  ];
}
