/**
 * One simulator per engine, behind the one contract (types.ts). The `kubernetes` engine is
 * simulated as a CNI that matches ipBlocks against node and apiserver addresses but not pod
 * addresses (Calico, Antrea, OVN-Kubernetes; the NetworkPolicy API leaves it open): a rule that
 * needs a pod matched by an ipBlock fails verification on every CNI. On Cilium, where node
 * addresses are not matched either by default, the verification warns instead
 * (verify/engine-warnings.ts).
 */
import type { EngineName } from '../engines/types.ts';
import { calicoSimulator } from './calico.ts';
import { simulateCilium } from './cilium.ts';
import { createClusterNetworkPolicySimulator } from './clusternetworkpolicy.ts';
import { createKubernetesSimulator, type KubernetesSimOptions } from './kubernetes.ts';
import { combine, decideSide, type SideVerdict, type SimulatorFactory } from './types.ts';

/**
 * Cilium enforces Kubernetes NetworkPolicies beside its own policies, as allow rules of the same
 * endpoint: a side is isolated when either kind selects it, allowed when a rule of either kind
 * allows it, and a Cilium deny rule wins over both ("Deny policies take precedence", Cilium
 * policy language, Deny Policies).
 */
const ciliumWithNetworkPolicies: SimulatorFactory = (policies, cluster) => {
  const cilium = simulateCilium(policies, cluster);
  const kubernetes = createKubernetesSimulator(policies, cluster, { ipBlockMatchesPods: false, ipBlockMatchesNodes: false, ipBlockMatchesApiserver: false });
  const side = (c: SideVerdict, k: SideVerdict): SideVerdict => {
    const denyRule = !c.allowed && c.by?.rule !== undefined && /Deny\//.test(c.by.rule);
    if (denyRule || !k.isolated) return c;
    if (!c.isolated) return k;
    return c.allowed ? c : k;
  };
  return {
    engine: 'cilium',
    evaluate(flow) {
      const c = cilium.evaluate(flow);
      const k = kubernetes.evaluate(flow);
      return combine(side(c.egress, k.egress), side(c.ingress, k.ingress));
    },
    side: (flow, direction) => side(decideSide(cilium, flow, direction), decideSide(kubernetes, flow, direction)),
  };
};

export const KUBERNETES_VERIFY_READING: KubernetesSimOptions = { ipBlockMatchesPods: false, ipBlockMatchesNodes: true, ipBlockMatchesApiserver: true };

export const SIMULATORS: Readonly<Record<EngineName, SimulatorFactory>> = {
  kubernetes: (policies, cluster) => createKubernetesSimulator(policies, cluster, KUBERNETES_VERIFY_READING),
  cilium: ciliumWithNetworkPolicies,
  calico: calicoSimulator,
  clusternetworkpolicy: (policies, cluster) => createClusterNetworkPolicySimulator(policies, cluster, KUBERNETES_VERIFY_READING),
};

export type { SimulatorFactory, Simulator, SimCluster, SimFlow, SimVerdict, SideVerdict } from './types.ts';
