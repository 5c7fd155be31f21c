/**
 * A documented pod or namespace rule credited with a host-network workload's edge: the workload
 * speaks from its node's address, which no pod or namespace selector matches (kubernetes.io
 * "Network Policies", hostNetwork pods: "it ignores hostNetwork pods when matching podSelector
 * and namespaceSelector"; ClusterNetworkPolicy `pods`: "host-networked pods are not included"),
 * so the rule's selector alone cuts the edge it is credited with. Synthesis adds the far side's
 * node peer to the rule, as a host-network far side of an observed edge renders (peers.ts irPeers).
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import { workloadKey } from '../../domain/peer.ts';
import { peerMatches, portMatches } from '../compare/match.ts';
import type { ClusterIndex } from '../compare/context.ts';
import type { ExpectedRule, ResolvedPeer } from '../matrix/resolved.ts';

/**
 * Whether `edge`, matched by `rule`, has a host-network workload on its far side that `rp` names
 * by a selector that cannot match it. A `pods` peer the resolution took as host network already
 * renders its nodes (peers.ts resolvedPeers).
 */
export function hostNetworkFarSide(edge: EdgeTraffic, rule: ExpectedRule, rp: ResolvedPeer, ix: ClusterIndex): boolean {
  if (rp.kind !== 'namespace' && rp.kind !== 'same-namespace' && (rp.kind !== 'pods' || rp.hostNetwork)) return false;
  const egress = rule.direction === 'egress';
  const far = egress ? edge.server : edge.client;
  if (far.kind !== 'workload' && far.kind !== 'dns') return false;
  if (ix.workloads.get(workloadKey(far.workload))?.hostNetwork !== true) return false;
  return peerMatches(far, rp, ix, egress ? edge.port : undefined) && portMatches(edge, rp.ports ?? rule.ports, ix);
}
