/**
 * What flow resolution needs from the inventory, read once per ingest and indexed in memory
 * (bounded by the present inventory's size and the Services deleted within the history's retention,
 * never by the number of flows), but for what grows with
 * every pod ever started: the IP history, which the store answers per address
 * (store/ip-history-lookup.ts), and the workloads gone from the inventory, which it answers per key
 * (store/gone-workloads.ts).
 */
import type { CurrentApiserverEndpoint, EndpointSlice, FormerApiserverEndpoint, FormerClusterIp, LabelSelector, Node, OwnerAlias, Service, ServiceBackendState, Workload } from './inventory.ts';
import type { IpHistoryLookup } from './ip-history.ts';
import type { WorkloadRef } from './peer.ts';

/**
 * The workloads gone from the inventory that `ResolutionData.workloads` leaves out, as flow
 * resolution asks for them: the one a flow's address history or record names, and, for a pod a
 * record knows only by its labels, the selectors of a namespace's gone workloads.
 */
export interface GoneWorkloadLookup {
  /** The workload of that key the inventory kept (undefined: it holds none). */
  workload(ref: WorkloadRef): Workload | undefined;
  /**
   * The selectors of the workloads of `namespace` the inventory holds, sorted by kind and name:
   * the gone ones, and any an import listed again since (the index drops those it holds whole).
   */
  selectorsIn(namespace: string): { ref: WorkloadRef; selector: LabelSelector }[];
}

export interface ResolutionData {
  /** Who held an address when: an `IpHistory` of given intervals, or the store's lookup. */
  ipHistory: IpHistoryLookup;
  /**
   * The present workloads, and the gone ones that resolution needs whole: those of the cluster
   * DNS's namespaces (which workloads are the DNS), those a Service or EndpointSlice of today names
   * (its backends and their ports). Without `gone`, every workload resolution may name.
   */
  workloads: Workload[];
  /** The other gone workloads, read when a flow names one (absent: there are none). */
  gone?: GoneWorkloadLookup;
  services: Service[];
  /** The ClusterIPs of Services gone from the inventory, by address then creation (none when absent): a flow of their time resolves through them. */
  formerClusterIps?: FormerClusterIp[];
  /**
   * The states Services (today's and gone ones) were in before their last, by Service then end
   * (none when absent: a store before migration 0049, or no Service changed): a flow of their time
   * resolves to their backends. Rows per change, pruned with the IP history.
   */
  serviceBackendHistory?: ServiceBackendState[];
  /** The cluster's Service IP ranges (ServiceCIDR objects' CIDRs; none when absent): an address inside them is never an outside one. */
  serviceCidrs?: string[];
  endpointSlices: EndpointSlice[];
  nodes: Node[];
  /** Its endpoints now, each from the import that first listed it: a flow from before is of what held the address then. */
  apiserver: CurrentApiserverEndpoint[];
  /** The apiserver's former endpoints (none when absent): a flow of their time to one is the apiserver's. */
  apiserverHistory?: FormerApiserverEndpoint[];
  /** Workload keys (`ns/Kind/name`) of the cluster DNS (domain/cluster-dns.ts). */
  dnsWorkloads: string[];
  ownerAliases: OwnerAlias[];
  /** This cluster's Cilium cluster name (InventorySnapshot.ciliumClusterName; Cilium's default is `default`). */
  ciliumClusterName?: string;
}
