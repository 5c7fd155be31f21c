/**
 * What a host-network component's rule, confirmed by the flows of its nodes' addresses
 * (compare/observe.ts withNodeEvidence, `observedFromNodes`), shows of the flows it requires
 * (synthesize/workload.ts unobservedMustFlows). Its pods speak from their node's address, each from
 * its own: the rule requires a flow between each node the component runs on (with an address) and
 * each peer workload on each port, as an ingress rule from the nodes requires "a flow from each
 * node with an address" — a rule rendered from one node's edge names that node's address only
 * (an ipBlock, a Calico `nets`), and the component's pods on the other nodes are cut. A flow of
 * one node shows that node's part only. A flow from the peer pod's own node (`kubelet:<node>`,
 * docs/design.md §3) is that node's flow too: `observedFromNodes` holds only the nodes the component
 * runs on (compare/observe.ts withNodeEvidence), and there its pod shares the node's address with
 * the kubelet. It shows that node's part and no other's, as a `node:<name>` flow does.
 */
import type { Direction } from '../../domain/direction.ts';
import { parsePeerKey, peerKey, workloadKey, type Peer, type WorkloadRef } from '../../domain/peer.ts';
import type { ClusterIndex } from '../compare/context.ts';
import type { RuleAssessment } from '../compare/compare.ts';

/** The rule is confirmed by its nodes' flows alone: no edge of its own workload (compare.ts, status of a rule with no matched edge). */
export function confirmedFromNodesOnly(r: RuleAssessment): boolean {
  return r.status === 'confirmed' && r.edges.length === 0 && (r.rule.observedFromNodes?.length ?? 0) > 0;
}

/** A workload is one peer whether an edge names it a workload or the cluster DNS. */
const farKey = (p: Peer): string => (p.kind === 'workload' || p.kind === 'dns' ? workloadKey(p.workload) : peerKey(p));

/**
 * The nodes a host-network workload speaks from, each a flow of its rules: those the inventory
 * shows its pods on, else (no pod known) every node, where its pods may run (peers.ts renders
 * them all) — of these, the nodes with an address: a node without one cannot be named by any
 * rule (verify/unaddressed-host-network.ts says so of its flows).
 */
export function speakingNodes(w: WorkloadRef, ix: ClusterIndex): string[] {
  const addressed = (n: string): boolean => (ix.nodeIps.get(n)?.length ?? 0) > 0;
  const own = ix.hostNetwork.nodesOf(w);
  return (own.length > 0 ? [...own] : [...ix.nodeIps.keys()].sort()).filter(addressed);
}

/**
 * Whether a node edge of `observedFromNodes` (edge texts `client|server|port|protocol`) shows the
 * flow between the owner's pods on `node` and the far peer on a port: an edge from that node to the
 * peer workload (egress), or from the peer workload to that node (ingress). `node` undefined: from
 * any of the owner's nodes (a far end that is no workload, a node of an ingress rule from the nodes).
 */
export function nodeEvidenceShows(observedFromNodes: readonly string[], direction: Direction): (node: string | undefined, far: Peer, port: number, protocol: string) => boolean {
  const shown = new Set<string>();
  for (const text of observedFromNodes) {
    const [client, server, port, protocol] = text.split('|');
    if (client === undefined || server === undefined || port === undefined || protocol === undefined) continue;
    const own = parsePeerKey(direction === 'egress' ? client : server);
    if (own.kind !== 'node' && own.kind !== 'kubelet') continue;
    const far = farKey(parsePeerKey(direction === 'egress' ? server : client));
    shown.add(`${own.node}|${far}|${port}|${protocol}`);
    shown.add(`|${far}|${port}|${protocol}`);
  }
  return (node, far, port, protocol) => shown.has(`${node ?? ''}|${farKey(far)}|${port}|${protocol}`);
}
