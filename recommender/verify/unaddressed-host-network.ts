/**
 * Why a host-network end of a cut side may be cut: it speaks from its node's address
 * (domain/node-addresses.ts), and the inventory knows none — no pod of it shows a podIP, and its
 * node's Node object lists no address or is not there. No ipBlock, Calico `nets` or node rule can
 * name that address, so "no rule allows it" alone would leave the reader guessing. A workload with
 * no pod in the inventory is judged at a node whose address is known when every node has one
 * (simulate/host-network-nodes.ts): it is still unaddressed here only where a node lists none.
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import { workloadKey } from '../../domain/peer.ts';
import type { Direction } from '../policy/ir.ts';
import type { ClusterModel } from '../simulate/cluster.ts';
import type { SimFlow } from '../simulate/types.ts';

/** `; <why>` for the far end of `flow` on `direction`'s side, or '' when that end's address is known or it is no host-network pod. */
export function unaddressedHostNetworkNote(model: ClusterModel, edge: EdgeTraffic, flow: SimFlow, direction: Direction): string {
  const [far, peer] = direction === 'ingress' ? [flow.client, edge.client] : [flow.server, edge.server];
  if (far.kind !== 'pod' || !far.pod.hostNetwork || far.pod.ips.length > 0) return '';
  const name = peer.kind === 'workload' || peer.kind === 'dns' ? workloadKey(peer.workload) : `${far.pod.namespace}/${far.pod.name}`;
  const unaddressed = far.pod.node !== undefined ? [far.pod.node] : model.cluster.nodes.filter((n) => n.ips.length === 0).map((n) => n.name);
  const where =
    unaddressed.length === 0
      ? 'the node it runs on is not known (every Node object in the inventory lists an address)'
      : `${unaddressed.length === 1 ? 'node' : 'nodes'} ${unaddressed.join(', ')} ${unaddressed.length === 1 ? 'lists' : 'list'} no address`;
  return `; ${name} runs in the host network, so it speaks from its node's address, which the inventory does not know: no pod of it shows a podIP, and ${where}; no rule can name that address — import the Node objects (kubectl get nodes -o json) and its running pods with the inventory`;
}
