/**
 * The stored workloads as rows and as the domain's Workload (store/inventory.ts reads them whole,
 * store/gone-workloads.ts by key).
 */
import type { Workload } from '../domain/inventory.ts';
import type { WorkloadKind } from '../domain/peer.ts';

export interface WorkloadRow {
  id: number;
  namespace: string;
  kind: WorkloadKind;
  name: string;
  labels: string;
  selector: string;
  /** 1: the selector was made from labels, the owner object not imported; 0: the owner's own (migrations/0028). */
  selector_derived: number;
  host_network: number;
  ports: string;
  services: string;
  exposure: string;
  service_account: string | null;
  cluster_dns: number;
  istio_proxy: number;
  /** JSON: the distinct label sets of its pods (migrations/0024); NULL: not known (migrations/0026). */
  pod_labels: string | null;
  /** JSON: the distinct container-port lists of its pods (migrations/0048); NULL: not known. */
  pod_ports: string | null;
  first_seen: number;
  last_seen: number;
  present: number;
  /** When an import marked it absent (migrations/0046); NULL while present. */
  absent_since: number | null;
}

export function toWorkload(r: WorkloadRow): Workload {
  return {
    namespace: r.namespace,
    kind: r.kind,
    name: r.name,
    labels: JSON.parse(r.labels),
    selector: JSON.parse(r.selector),
    hostNetwork: r.host_network === 1,
    ports: JSON.parse(r.ports),
    services: JSON.parse(r.services),
    exposure: JSON.parse(r.exposure),
    ...(r.service_account ? { serviceAccount: r.service_account } : {}),
    ...(r.cluster_dns ? { clusterDns: true } : {}),
    ...(r.istio_proxy ? { istioProxy: true } : {}),
  };
}

export const WORKLOAD_ORDER = 'ORDER BY namespace, kind, name';
