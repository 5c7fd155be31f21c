/**
 * Host network is each pod's own `spec.hostNetwork`, while the inventory marks a workload
 * host-network when its template or any of its pods is (docs/inventory.md, "Workloads"). A workload
 * so marked may still run pods on the pod network (a DaemonSet patched per node, a rollout that
 * changes hostNetwork): those are pods, which pod selectors match and policies isolate, while its
 * host-network pods are their nodes (kubernetes.io "Network Policies": NetworkPolicy "ignores
 * hostNetwork pods when matching podSelector and namespaceSelector" — those pods only).
 */
import type { PodAddress, Workload } from './inventory.ts';
import type { WorkloadRef } from './peer.ts';
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

/**
 * Where the inventory shows host-network pods: each workload's nodes, and each node's workloads
 * (a pod's own node speaks for them as much as for its kubelet: their pods share its address).
 */
export interface HostNetworkPlacement {
  /** The nodes the workload's host-network pods run on, sorted; empty when none is known. */
  nodesOf(workload: WorkloadRef): readonly string[];
  /** The workloads with a host-network pod on the node, sorted by key. */
  onNode(node: string): readonly WorkloadRef[];
}

export function hostNetworkPlacement(podAddresses: readonly PodAddress[]): HostNetworkPlacement {
  const nodes = new Map<string, Set<string>>();
  const workloads = new Map<string, Map<string, WorkloadRef>>();
  for (const a of podAddresses) {
    if (!a.hostNetwork || a.node === undefined) continue;
    const k = workloadKey(a.workload);
    nodes.set(k, (nodes.get(k) ?? new Set()).add(a.node));
    const here = workloads.get(a.node) ?? new Map<string, WorkloadRef>();
    workloads.set(a.node, here.set(k, a.workload));
  }
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const nodesOf = new Map([...nodes].map(([k, s]) => [k, [...s].sort(cmp)]));
  const onNode = new Map([...workloads].map(([n, m]) => [n, [...m].sort((a, b) => cmp(a[0], b[0])).map(([, ref]) => ref)]));
  return { nodesOf: (w) => nodesOf.get(workloadKey(w)) ?? [], onNode: (n) => onNode.get(n) ?? [] };
}
