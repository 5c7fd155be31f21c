/**
 * One simulator per engine, behind the one contract (types.ts). The `kubernetes` engine is
 * simulated as a CNI that matches ipBlocks against node and apiserver addresses but not pod
 * addresses (the NetworkPolicy API leaves it to the plugin): a rule that needs a pod matched by
 * an ipBlock fails verification, and the findings that depend on that reading say so (the other
 * reading beside it, SimulatorFactory.ipBlocksMatchingPods). On Cilium, where node addresses are
 * not matched either by default, the verification warns instead (verify/engine-warnings.ts).
 */
import type { EngineName } from '../engines/types.ts';
import { calicoSimulator } from './calico.ts';
import { ciliumSimulator } from './cilium.ts';
import { createClusterNetworkPolicySimulator } from './clusternetworkpolicy.ts';
import { createKubernetesSimulator, NetworkPolicyIndex, type KubernetesSimOptions } from './kubernetes.ts';
import { ClusterView } from './kubernetes/cluster-view.ts';
import { combine, type SideVerdict, type SimCluster, type SimFlow, type Simulator, type SimulatorFactory } from './types.ts';
import type { Direction } from '../../domain/direction.ts';

/**
 * Cilium enforces Kubernetes NetworkPolicies beside its own policies, as allow rules of the same
 * endpoint: a side is isolated when either kind selects it, allowed when a rule of either kind
 * allows it, and a Cilium deny rule wins over both ("Deny policies take precedence", Cilium
 * policy language, Deny Policies).
 */
const ciliumWithNetworkPolicies: SimulatorFactory = (policies, cluster) => {
  const cilium = ciliumSimulator(policies, cluster);
  const kubernetes = new NetworkPolicyIndex(policies, new ClusterView(cluster), { ipBlockMatchesPods: false, ipBlockMatchesNodes: false, ipBlockMatchesApiserver: false });
  const both = (c: SideVerdict, k: SideVerdict): SideVerdict => {
    const denyRule = !c.allowed && c.by?.rule !== undefined && /Deny\//.test(c.by.rule);
    if (denyRule || !k.isolated) return c;
    if (!c.isolated) return k;
    return c.allowed ? c : k;
  };
  const side = (flow: SimFlow, direction: Direction): SideVerdict => both(cilium.side(flow, direction), kubernetes.side(flow, direction));
  return {
    engine: 'cilium',
    evaluate: (flow) => combine(side(flow, 'egress'), side(flow, 'ingress')),
    side,
    // Where no NetworkPolicy isolates the side (the usual case), Cilium's verdict is the side's.
    allows: (flow, direction) => (kubernetes.isolates(direction === 'ingress' ? flow.server : flow.client, direction) ? side(flow, direction).allowed : cilium.allows(flow, direction)),
  };
};

export const KUBERNETES_VERIFY_READING: KubernetesSimOptions = { ipBlockMatchesPods: false, ipBlockMatchesNodes: true, ipBlockMatchesApiserver: true };

/** A factory reading ipBlocks as not matching pods, with the other reading beside it (SimulatorFactory.ipBlocksMatchingPods). */
function bothReadings(create: (policies: readonly unknown[], cluster: SimCluster, options: KubernetesSimOptions) => Simulator): SimulatorFactory {
  const factory: SimulatorFactory = (policies, cluster) => create(policies, cluster, KUBERNETES_VERIFY_READING);
  factory.ipBlocksMatchingPods = (policies, cluster) => create(policies, cluster, { ...KUBERNETES_VERIFY_READING, ipBlockMatchesPods: true });
  return factory;
}

/** Cilium's reading is not in doubt: its CIDR rules match world identities only, never pods. */
export const SIMULATORS: Readonly<Record<EngineName, SimulatorFactory>> = {
  kubernetes: bothReadings(createKubernetesSimulator),
  cilium: ciliumWithNetworkPolicies,
  calico: calicoSimulator,
  clusternetworkpolicy: bothReadings(createClusterNetworkPolicySimulator),
};

export type { SimulatorFactory, Simulator, SimCluster, SimFlow, SimVerdict, SideVerdict } from './types.ts';
