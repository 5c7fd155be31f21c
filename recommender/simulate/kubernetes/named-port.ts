import type { SimEndpoint, SimFlow } from '../types.ts';

/**
 * A named port resolves on the destination pod's own container ports: the flow matches when
 * that pod declares a port of this name at the flow's port (and, when given, protocol). An
 * endpoint that is not a pod has no named ports, and neither has a host-network pod: as a peer it
 * is its node (simulate/kubernetes.ts), and the datapaths that resolve names know none for it —
 * Calico makes no WorkloadEndpoint for it (libcalico-go conversion.go
 * IsValidCalicoWorkloadEndpoint: "Pod is host networked"), Cilium no endpoint.
 */
export function namedPortMatches(name: string, flow: SimFlow, protocol?: string): boolean {
  const server: SimEndpoint = flow.server;
  if (server.kind !== 'pod' || server.pod.hostNetwork) return false;
  return server.pod.ports.some((cp) => cp.name === name && cp.port === flow.port && (cp.protocol ?? 'TCP') === flow.protocol && (protocol === undefined || protocol === flow.protocol));
}
