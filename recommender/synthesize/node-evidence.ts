/**
 * What a host-network component's rule, confirmed by the flows of its nodes' addresses
 * (compare/observe.ts withNodeEvidence, `observedFromNodes`), shows of the flows it requires per
 * peer workload and port (synthesize/workload.ts unobservedMustFlows). Its pods speak from their
 * node's address, so a flow between a node and the peer workload on the rule's port shows the
 * rule for that peer and port — unless it comes from the peer pod's own node (`kubelet:<node>`,
 * docs/design.md §3): the pod's own node is always let in (Kubernetes, "Network Policies":
 * "traffic to and from the node where a Pod is running is always allowed"; Cilium's
 * `--allow-localhost`, cilium/cilium#754; a remote node passes only where a rule names it,
 * `remote-node`), so that flow proves nothing of the component's pods on the other nodes,
 * from which the verification judges the flow (simulate/host-network-nodes.ts).
 */
import type { Direction } from '../../domain/direction.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import { parsePeerKey, peerKey, workloadKey, type Peer } from '../../domain/peer.ts';
import type { RuleAssessment } from '../compare/compare.ts';

/** The rule is confirmed by its nodes' flows alone: no edge of its own workload (compare.ts, status of a rule with no matched edge). */
export function confirmedFromNodesOnly(r: RuleAssessment): boolean {
  return r.status === 'confirmed' && r.edges.length === 0 && (r.rule.observedFromNodes?.length ?? 0) > 0;
}

/** A workload is one peer whether an edge names it a workload or the cluster DNS. */
const farKey = (p: Peer): string => (p.kind === 'workload' || p.kind === 'dns' ? workloadKey(p.workload) : peerKey(p));

/**
 * Whether a flow the rule requires (its host-network owner at the near end) is shown by a node
 * edge of `observedFromNodes` (edge texts `client|server|port|protocol`): one from a node other
 * than the peer pod's, to the same peer workload on the same port (egress), or from the peer
 * workload to a node on that port (ingress).
 */
export function nodeEvidenceShows(observedFromNodes: readonly string[], direction: Direction): (flow: EdgeTraffic) => boolean {
  const shown = new Set<string>();
  for (const text of observedFromNodes) {
    const [client, server, port, protocol] = text.split('|');
    if (client === undefined || server === undefined || port === undefined || protocol === undefined) continue;
    const node = parsePeerKey(direction === 'egress' ? client : server);
    // `kubelet:<node>`: from the peer pod's own node, which shows nothing.
    if (node.kind !== 'node') continue;
    shown.add(`${farKey(parsePeerKey(direction === 'egress' ? server : client))}|${port}|${protocol}`);
  }
  return (flow) => shown.size > 0 && shown.has(`${farKey(direction === 'egress' ? flow.server : flow.client)}|${flow.port}|${flow.protocol}`);
}
