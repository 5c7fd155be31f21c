import type { Direction } from '../../../domain/direction.ts';
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

/**
 * Whether a NetworkPolicy port `name` of `protocol` matches the flow on the side of `direction`:
 * how the network plugin resolves the name. Kubernetes resolves it on the destination pod
 * (ON_DESTINATION_POD); Cilium resolves an egress name its own way (simulate/cilium/network-policy-ports.ts).
 */
export type NamedPortReading = (name: string, flow: SimFlow, protocol: string, direction: Direction) => boolean;

/** The NetworkPolicy API's reading: "a named port on a pod", the destination's, in either direction. */
export const ON_DESTINATION_POD: NamedPortReading = (name, flow, protocol) => namedPortMatches(name, flow, protocol);
