/**
 * What flow resolution needs from the inventory, read once per ingest and indexed in memory
 * (bounded by the inventory's size, never by the number of flows).
 */
import type { ApiserverEndpoint, EndpointSlice, Node, Service, Workload } from './inventory.ts';
import type { IpInterval } from './ip-history.ts';
import type { WorkloadRef } from './peer.ts';

/** Maps an intermediate owner or a pod name to its workload: (ns, ReplicaSet, x-abc) → Deployment x; (ns, Job, j-123) → CronJob j; (ns, Pod, p) → …. */
export interface OwnerAlias {
  namespace: string;
  kind: string;
  name: string;
  workload: WorkloadRef;
}

export interface ResolutionData {
  intervals: IpInterval[];
  workloads: Workload[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  nodes: Node[];
  apiserver: ApiserverEndpoint[];
  /** Workload keys (`ns/Kind/name`) of the cluster DNS (kube-system pods labelled k8s-app=kube-dns). */
  dnsWorkloads: string[];
  ownerAliases: OwnerAlias[];
}
