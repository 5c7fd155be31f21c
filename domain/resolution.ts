/**
 * What flow resolution needs from the inventory, read once per ingest and indexed in memory
 * (bounded by the inventory's size, never by the number of flows), but for the IP history, which
 * grows with every pod ever started: the store answers it per address (store/ip-history-lookup.ts).
 */
import type { CurrentApiserverEndpoint, EndpointSlice, FormerApiserverEndpoint, Node, OwnerAlias, Service, Workload } from './inventory.ts';
import type { IpHistoryLookup } from './ip-history.ts';

export interface ResolutionData {
  /** Who held an address when: an `IpHistory` of given intervals, or the store's lookup. */
  ipHistory: IpHistoryLookup;
  workloads: Workload[];
  services: Service[];
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
