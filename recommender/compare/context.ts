/**
 * What matching and synthesis look up, indexed once per recommendation run: workloads by key,
 * node addresses, apiserver endpoints and the DNS names seen for external IPs.
 */
import { addressesByName, type AddressesOfName } from './addresses-by-name.ts';
import { nodeHostIps, type ApiserverEndpoint, type InventorySnapshot, type Workload } from '../../domain/inventory.ts';
import { clusterOwnBlocks, minimalCidrs, type ClusterOwnBlocks } from '../../domain/cluster-own-blocks.ts';
import { workloadKey, type WorkloadRef } from '../../domain/peer.ts';
import { hostCidr, isIpAddress, storedAddress } from '../../domain/ip.ts';
import { MeshView } from '../../domain/istio.ts';
import { nodeAddresses } from '../../domain/node-addresses.ts';
import { hasSelectablePods, hostNetworkPlacement, workloadsWithPodNetworkPods, type HostNetworkPlacement } from '../../domain/pod-networks.ts';

export interface ClusterIndex {
  workloads: Map<string, Workload>;
  /**
   * Node name → its IP addresses (InternalIP/ExternalIP), sorted; where the Node object lists
   * none, or there is none, its host-network pods' podIPs (domain/node-addresses.ts).
   */
  nodeIps: Map<string, string[]>;
  /** IP → node name. */
  nodeByIp: Map<string, string>;
  /** Every node's addresses (`nodeIps`), sorted, each once: where a host-network pod may speak from, its node varying. */
  allNodeIps: readonly string[];
  apiserver: ApiserverEndpoint[];
  apiserverIps: Set<string>;
  /** Nodes gone from the inventory that ran the apiserver (InventorySnapshot.formerControlPlaneNodes). */
  formerControlPlaneNodes: ReadonlySet<string>;
  /** Workloads the edges name that an import marked absent, by key: when (InventorySnapshot.deletedWorkloads). */
  deletedWorkloads: ReadonlyMap<string, number>;
  /** External IP → DNS names seen for it, sorted. */
  externalNames: Map<string, string[]>;
  /** The stored external addresses a DNS name or a `*.domain` pattern names (addresses-by-name.ts). */
  addressesOfName: AddressesOfName;
  /** The cluster's own addresses, held out of a folded external block (domain/cluster-own-blocks.ts). */
  ownBlocks: ClusterOwnBlocks;
  /**
   * The Services' ClusterIPs, as /32 and /128 blocks: the datapaths translate them to backends
   * before policy (docs/recommend.md, "Folded blocks"), so no flow is judged at one.
   */
  serviceIps: string[];
  /** Istio's data planes and istiod (domain/istio.ts). */
  mesh: MeshView;
  /** The namespaces holding a workload the inventory shows on the host network. */
  hostNetworkNamespaces: ReadonlySet<string>;
  /**
   * The workloads with a pod on the pod network, by key: of those the inventory marks host-network
   * (`hostNetwork`: the template's or any pod's), the ones reached by pod selectors too
   * (domain/pod-networks.ts hasSelectablePods).
   */
  podNetworkPods: ReadonlySet<string>;
  /** The nodes each workload's host-network pods run on, and the host-network workloads of each node. */
  hostNetwork: HostNetworkPlacement;
}

/** `podNetworkPods`: the inventory's workloadsWithPodNetworkPods, for a caller that has it already. */
export function indexCluster(
  inv: InventorySnapshot,
  externalNames: ReadonlyMap<string, readonly string[]> = new Map(),
  podNetworkPods: ReadonlySet<string> = workloadsWithPodNetworkPods(inv.podAddresses),
): ClusterIndex {
  const workloads = new Map<string, Workload>();
  for (const w of inv.workloads) workloads.set(workloadKey(w), w);
  const nodeIps = nodeAddresses(inv, (n) => n.addresses.map((a) => a.address).filter(isIpAddress));
  const nodeByIp = new Map<string, string>();
  for (const [name, ips] of nodeIps) {
    ips.sort();
    for (const ip of ips) nodeByIp.set(ip, name);
  }
  // As the simulated cluster holds them (simulate/cluster.ts, folded-blocks.ts): of the Node objects.
  const hostIps = nodeAddresses(inv, nodeHostIps);
  const names = new Map<string, string[]>();
  for (const [ip, ns] of externalNames) names.set(ip, [...new Set(ns)].sort());
  return {
    workloads,
    nodeIps,
    nodeByIp,
    allNodeIps: [...new Set([...nodeIps.values()].flat())].sort(),
    apiserver: [...inv.apiserver],
    apiserverIps: new Set(inv.apiserver.map((e) => e.ip)),
    formerControlPlaneNodes: new Set(inv.formerControlPlaneNodes ?? []),
    deletedWorkloads: new Map(Object.entries(inv.deletedWorkloads ?? {})),
    externalNames: names,
    addressesOfName: addressesByName(names),
    ownBlocks: clusterOwnBlocks(
      [...inv.nodes.flatMap((n) => hostIps.get(n.name) ?? []), ...inv.apiserver.map((e) => e.ip)],
      // Hand-made snapshots (tests, older stored forms) may leave a node without podCIDRs.
      inv.nodes.flatMap((n) => n.podCIDRs ?? []),
    ),
    serviceIps: minimalCidrs(inv.services.flatMap((s) => s.clusterIPs.filter(isIpAddress).map((ip) => hostCidr(storedAddress(ip))))),
    mesh: new MeshView(inv.workloads, inv.namespaces),
    hostNetworkNamespaces: new Set(inv.workloads.filter((w) => w.hostNetwork).map((w) => w.namespace)),
    podNetworkPods,
    hostNetwork: hostNetworkPlacement(inv.podAddresses),
  };
}

export function refOf(w: WorkloadRef): WorkloadRef {
  return { namespace: w.namespace, kind: w.kind, name: w.name };
}

/** Pod selectors reach pods of the workload (domain/pod-networks.ts): it is no host-network workload, or some of its pods run on the pod network. */
export function reachedAsPods(w: Workload, ix: ClusterIndex): boolean {
  return hasSelectablePods(w, ix.podNetworkPods);
}
