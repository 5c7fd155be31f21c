/**
 * The network plugin a cluster runs, as its inventory shows it: what decides how a NetworkPolicy
 * is read (verify/plugin-warnings.ts) and which engine enforces the network-policy-api's kinds
 * (decide.ts enforcingEngine).
 */
import type { AppliedPolicy, InventorySnapshot, Labels } from '../../domain/inventory.ts';

export type NetworkPlugin = 'cilium' | 'calico' | 'unknown';

/** What the signs are read from: a cluster model (ClusterModel), or a stored inventory's (inventoryNetworkPlugin). */
interface PluginSigns {
  cluster: { ciliumClusterName?: string | undefined; pods: readonly { labels: Labels }[] };
}

/**
 * Cilium runs in the cluster: its agent (pods or DaemonSet labelled `k8s-app: cilium`, as the Helm
 * chart's cilium-agent DaemonSet is) or its kube-system/cilium-config ConfigMap (the agent's
 * configuration, which the chart writes and docs/inventory.md asks Cilium users to import; read
 * into `ciliumClusterName`) is in the inventory, or Cilium policies are applied. The ConfigMap
 * counts alone: an import that does not hold kube-system's pods (a namespaced one, RBAC, a pods
 * filter) is still of a Cilium cluster, whose NetworkPolicies Cilium reads its own way.
 */
export function runsCilium(model: PluginSigns, applied: readonly AppliedPolicy[]): boolean {
  return (
    model.cluster.ciliumClusterName !== undefined ||
    model.cluster.pods.some((p) => p.labels['k8s-app'] === 'cilium') ||
    applied.some((p) => p.apiVersion.startsWith('cilium.io/'))
  );
}

/**
 * Calico runs in the cluster: its calico-node DaemonSet is in the inventory (labelled
 * `k8s-app: calico-node` by the manifests, charts/calico/templates/calico-node.yaml, and by the
 * operator, tigera/operator pkg/render/node.go), or Calico policies are applied.
 */
export function runsCalico(model: PluginSigns, applied: readonly AppliedPolicy[]): boolean {
  return model.cluster.pods.some((p) => p.labels['k8s-app'] === 'calico-node') || applied.some((p) => /^(crd\.)?projectcalico\.org\//.test(p.apiVersion));
}

/**
 * What the inventory was searched for, in the words a warning gives when none shows (runsCilium,
 * runsCalico). Flows are not searched: a Hubble flow shows that Cilium ran where it was observed,
 * but the store keeps no record of the format a flow came in, and flows outlive a change of plugin.
 */
export const PLUGIN_SIGNS =
  'no Cilium agent (k8s-app: cilium) or kube-system/cilium-config, no Calico calico-node (k8s-app: calico-node), no cilium.io or projectcalico.org policy applied';

/** Cilium first: its warnings were said whenever it shows, whatever else does. */
export function networkPlugin(model: PluginSigns, applied: readonly AppliedPolicy[]): NetworkPlugin {
  return runsCilium(model, applied) ? 'cilium' : runsCalico(model, applied) ? 'calico' : 'unknown';
}

/** The same for a stored inventory, without its cluster model: the model's pods are its workloads, with their pod labels (cluster.ts simPod). */
export function inventoryNetworkPlugin(inventory: Pick<InventorySnapshot, 'ciliumClusterName' | 'workloads' | 'policies'>): NetworkPlugin {
  return networkPlugin({ cluster: { ciliumClusterName: inventory.ciliumClusterName, pods: inventory.workloads } }, inventory.policies);
}
