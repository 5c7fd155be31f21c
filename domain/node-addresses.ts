/**
 * The addresses a node's host network speaks from, where the Node object does not say. A
 * host-network pod's podIP is its node's address: the kubelet sets it so (kubernetes/kubernetes
 * pkg/kubelet/kubelet_pods.go generateAPIPodStatus: "HostNetwork Pods inherit the node IPs as
 * PodIPs"). So a node whose Node object lists no address (an export without `status`), or that
 * no Node object names (nodes left out of the import), still has the addresses its host-network
 * pods show; without them a rule for that node's host-network pods names no address of it.
 */
import type { InventorySnapshot, Node } from './inventory.ts';

/**
 * Node name → its addresses: `own(node)` where that lists any, else the podIPs of the
 * host-network pods on it, sorted. Every Node object is a key (an empty list: nothing is known);
 * a node no Node object names is one when a host-network pod on it shows an address.
 */
export function nodeAddresses(inv: Pick<InventorySnapshot, 'nodes' | 'podAddresses'>, own: (node: Node) => readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of inv.nodes) out.set(n.name, [...new Set(own(n))]);
  const fromPods = new Map<string, Set<string>>();
  for (const a of inv.podAddresses) {
    if (!a.hostNetwork || a.node === undefined || (out.get(a.node)?.length ?? 0) > 0) continue;
    let ips = fromPods.get(a.node);
    if (ips === undefined) fromPods.set(a.node, (ips = new Set()));
    ips.add(a.ip);
  }
  for (const [node, ips] of fromPods) out.set(node, [...ips].sort());
  return out;
}
