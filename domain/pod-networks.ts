/**
 * Host network is each pod's own `spec.hostNetwork`, while the inventory marks a workload
 * host-network when its template or any of its pods is (docs/inventory.md, "Workloads"). A workload
 * so marked may still run pods on the pod network (a DaemonSet patched per node, a rollout that
 * changes hostNetwork): those are pods, which pod selectors match and policies isolate, while its
 * host-network pods are their nodes (kubernetes.io "Network Policies": NetworkPolicy "ignores
 * hostNetwork pods when matching podSelector and namespaceSelector" — those pods only).
 */
import type { PodAddress, Workload } from './inventory.ts';
import { workloadKey } from './peer.ts';

/** The keys of the workloads the inventory shows a pod of on the pod network. */
export function workloadsWithPodNetworkPods(podAddresses: readonly PodAddress[]): Set<string> {
  const out = new Set<string>();
  for (const a of podAddresses) if (!a.hostNetwork) out.add(workloadKey(a.workload));
  return out;
}

/**
 * Pod selectors reach pods of the workload: it is no host-network workload, or some of its pods run
 * on the pod network (`withPodNetworkPods`: workloadsWithPodNetworkPods). Its host-network pods, if
 * any (`w.hostNetwork`), are reached at their nodes' addresses besides.
 */
export function hasSelectablePods(w: Workload, withPodNetworkPods: ReadonlySet<string>): boolean {
  return !w.hostNetwork || withPodNetworkPods.has(workloadKey(w));
}
