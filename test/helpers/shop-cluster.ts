/**
 * A one-namespace cluster of pod-network Deployments (`shop`), each with one pod, for the
 * verification's unit tests: the workloads, the inventory holding them, and their peers.
 */
import type { InventorySnapshot, Workload } from '../../domain/inventory.ts';
import type { Peer } from '../../domain/peer.ts';

/** Deployment shop/`name` (label app=`name`) serving `ports` over TCP. */
export function shopWorkload(name: string, ports: readonly number[] = [8080]): Workload {
  return { namespace: 'shop', kind: 'Deployment', name, labels: { app: name }, selector: { matchLabels: { app: name } }, hostNetwork: false, ports: ports.map((port) => ({ port, protocol: 'TCP' as const })), services: [], exposure: [] };
}

/** The inventory of `workloads`, taken at `takenAt`: one pod each, at 10.1.0.1, 10.1.0.2, … in their order. */
export function shopInventory(takenAt: number, workloads: readonly Workload[]): InventorySnapshot {
  return {
    takenAt,
    namespaces: [{ name: 'shop', labels: {} }],
    nodes: [],
    workloads: [...workloads],
    services: [],
    endpointSlices: [],
    policies: [],
    podAddresses: workloads.map((w, i) => ({ ip: `10.1.0.${i + 1}`, namespace: 'shop', pod: `${w.name}-0`, workload: { namespace: 'shop', kind: 'Deployment', name: w.name }, hostNetwork: false })),
    apiserver: [],
  };
}

export const workloadPeer = (w: Workload): Peer => ({ kind: 'workload', workload: { namespace: w.namespace, kind: w.kind, name: w.name } });
