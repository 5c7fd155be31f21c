/**
 * The network plugin a cluster runs, as its inventory shows it: what decides how a NetworkPolicy
 * is read (verify/plugin-warnings.ts) and which engine enforces the network-policy-api's kinds
 * (decide.ts enforcingEngine).
 */
import type { AppliedPolicy } from '../../domain/inventory.ts';
import type { ClusterModel } from './cluster.ts';

export type NetworkPlugin = 'cilium' | 'calico' | 'unknown';

/** Cilium runs in the cluster: its agent DaemonSet is in the inventory, or Cilium policies are applied. */
export function runsCilium(model: ClusterModel, applied: readonly AppliedPolicy[]): boolean {
  return model.cluster.pods.some((p) => p.labels['k8s-app'] === 'cilium') || applied.some((p) => p.apiVersion.startsWith('cilium.io/'));
}

/**
 * Calico runs in the cluster: its calico-node DaemonSet is in the inventory (labelled
 * `k8s-app: calico-node` by the manifests, charts/calico/templates/calico-node.yaml, and by the
 * operator, tigera/operator pkg/render/node.go), or Calico policies are applied.
 */
export function runsCalico(model: ClusterModel, applied: readonly AppliedPolicy[]): boolean {
  return model.cluster.pods.some((p) => p.labels['k8s-app'] === 'calico-node') || applied.some((p) => /^(crd\.)?projectcalico\.org\//.test(p.apiVersion));
}

/** Cilium first: its warnings were said whenever it shows, whatever else does. */
export function networkPlugin(model: ClusterModel, applied: readonly AppliedPolicy[]): NetworkPlugin {
  return runsCilium(model, applied) ? 'cilium' : runsCalico(model, applied) ? 'calico' : 'unknown';
}
