/**
 * The address family of a connection nothing records it for (an aggregated edge, a verification
 * probe): the family both ends can use. A pod end can use the families of its addresses; a pod
 * with none (a finished Job, a CronJob between runs, a Deployment scaled to zero) can use those
 * its next pod would get, i.e. its network's in this cluster (the pod CIDRs and pod addresses for
 * the pod network, the nodes' addresses for the host network), so an IPv6-only cluster's edges
 * are IPv6 whether or not their pods still run. Where both ends can use both families (a
 * dual-stack cluster) nothing decides: each simulator keeps its own reading (docs/engines.md).
 */
import { ipFamily, type IpFamily } from '../../domain/ip.ts';
import type { SimCluster, SimPod } from './types.ts';

/** The families an end can use: one, both, or undefined when nothing known says. */
export type Families = IpFamily | 'both' | undefined;

/** The families of addresses (or CIDRs); undefined for none, or for one that is not an address. */
export function familiesOf(addresses: readonly string[]): Families {
  const seen = new Set<IpFamily | undefined>();
  for (const a of addresses) seen.add(ipFamily(a.split('/')[0]!));
  if (seen.size === 0 || seen.has(undefined)) return undefined;
  return seen.size === 2 ? 'both' : ([...seen][0] as IpFamily);
}

/** The families a pod with no address would get, per network, as the cluster's addresses show them. */
export interface ClusterFamilies {
  podNetwork: Families;
  hostNetwork: Families;
}

export function clusterFamilies(cluster: SimCluster): ClusterFamilies {
  const pods = cluster.pods.filter((p) => !p.hostNetwork).flatMap((p) => p.ips);
  const hosts = [...cluster.nodes.flatMap((n) => n.ips), ...cluster.pods.filter((p) => p.hostNetwork).flatMap((p) => p.ips)];
  const podNetwork = [...cluster.podCIDRs, ...pods];
  // A cluster that shows one network's addresses only (no pod CIDRs on its nodes, no pod left) answers for both.
  const all = familiesOf([...podNetwork, ...hosts, ...cluster.apiserver.map((e) => e.ip), ...cluster.services.flatMap((s) => s.clusterIPs)]);
  return { podNetwork: podNetwork.length > 0 ? familiesOf(podNetwork) : all, hostNetwork: hosts.length > 0 ? familiesOf(hosts) : all };
}

/** The families a pod end can use: its addresses', else those its network gives a new pod. */
export function podFamilies(pod: SimPod, cluster: ClusterFamilies): Families {
  if (pod.ips.length > 0) return familiesOf(pod.ips);
  return pod.hostNetwork ? cluster.hostNetwork : cluster.podNetwork;
}

/** The one family both ends can use; undefined when they share both, share none, or nothing is known of either. */
export function connectionFamily(a: Families, b: Families): IpFamily | undefined {
  if (a === undefined || a === 'both') return b === 'both' ? undefined : b;
  if (b === undefined || b === 'both') return a;
  return a === b ? a : undefined;
}
