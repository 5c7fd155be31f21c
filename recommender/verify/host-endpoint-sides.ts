/**
 * The far end of an edge side that is a node's host endpoint: a node (`node:<name>`), or the
 * apiserver at a control-plane node's address (kube-apiserver in that node's host network). It is
 * no workload, so no side of the recommendation is its own; but where Cilium's host firewall is on,
 * the host policies selecting that node judge what it receives and sends — host policies "apply
 * only to the host namespace, including host-networking pods" (cilium/cilium
 * Documentation/security/policy/host.rst), and Documentation/security/host-firewall.rst warns that
 * they must not break "communication with kube-apiserver" — so an edge the recommendation includes
 * may be cut there, at the other end. The simulator judges that side as `simulate` does
 * (simulate/cilium.ts `nodeOfEnd`); this asks it, only where the host firewall is on and a host
 * policy is among the simulated manifests: elsewhere every host endpoint allows everything, and
 * nothing is judged (no cost).
 */
import { opposite, type Direction } from '../../domain/direction.ts';
import type { ClusterModel } from '../simulate/cluster.ts';
import { hostPoliciesEnforced } from '../simulate/cilium/host-firewall.ts';
import type { FlowAtPods } from '../simulate/pods-apart.ts';
import { decideSide, sideAllows, type SideVerdict, type SimCluster, type SimFlow, type Simulator } from '../simulate/types.ts';

/** Whether `sim`, built from `manifests`, can deny a host endpoint's side: the cilium simulator with a host policy it enforces. */
export function judgesHostEnds(sim: Simulator | undefined, manifests: readonly unknown[], cluster: SimCluster): boolean {
  return sim?.engine === 'cilium' && hostPoliciesEnforced(manifests, cluster);
}

/**
 * The first flow of `each` (a side of `direction`, its far end a host endpoint) at which `sim`
 * denies the far end's own side (the opposite direction), with that verdict and where; undefined
 * when it is allowed at every one, or the far end is no node nor apiserver (a host-network
 * workload's sides are its own, judged as a workload's).
 */
export function hostEndDenied(sim: Simulator, model: ClusterModel, each: Iterable<FlowAtPods<SimFlow>>, direction: Direction): { side: SideVerdict; at: string } | undefined {
  const there = opposite(direction);
  for (const f of each) {
    for (const at of atEachHostAddress(model, f.flow, direction)) {
      if (!sideAllows(sim, at.flow, there)) return { side: decideSide(sim, at.flow, there), at: `${f.at}${at.at}` };
    }
  }
  return undefined;
}

/**
 * The flow at each address its far end may be reached at as a host endpoint: a node as it is; the
 * apiserver as a whole (an edge's) at each of its endpoint addresses, each on its own node (kube-proxy
 * picks one per connection, kubernetes.io "Virtual IPs and Service Proxies"), and a host policy
 * may select some of those nodes only; nothing for any other end.
 */
function* atEachHostAddress(model: ClusterModel, flow: SimFlow, direction: Direction): Iterable<FlowAtPods<SimFlow>> {
  const far = direction === 'egress' ? flow.server : flow.client;
  if (far.kind === 'node') yield { flow, at: '' };
  if (far.kind !== 'apiserver') return;
  const ips = model.apiserverAddresses(far, flow.family);
  if (ips.length < 2) {
    yield { flow, at: '' };
    return;
  }
  for (const ip of ips) {
    const end = model.apiserverAt(ip);
    if (end === undefined) continue;
    yield { flow: direction === 'egress' ? { ...flow, server: end } : { ...flow, client: end }, at: ` (at the apiserver endpoint ${ip})` };
  }
}
