/**
 * The far end of an edge side that is a node's host endpoint: a node (`node:<name>`), or the
 * apiserver at a control-plane node's address (kube-apiserver in that node's host network). It is
 * no workload, so no side of the recommendation is its own; but where the engine polices the
 * node's host endpoint, what that endpoint receives and sends is judged there, so an edge the
 * recommendation includes may be cut at the other end:
 *
 * - Cilium, where the host firewall is on: host policies "apply only to the host namespace,
 *   including host-networking pods" (cilium/cilium Documentation/security/policy/host.rst), and
 *   Documentation/security/host-firewall.rst warns that they must not break "communication with
 *   kube-apiserver"; they are enforced between the host and its own pods too (cilium/cilium#15217:
 *   host policies are enforced for "hostns<->local pods" as for remote peers), so the kubelet's
 *   probes leave through the host endpoint's egress;
 * - Calico, where a node has a HostEndpoint: the GlobalNetworkPolicies selecting it, its failsafe
 *   ports and its profiles decide its traffic with peers off the node (docs.tigera.io
 *   reference/resources/hostendpoint: a wildcard host endpoint is policed by the policies that
 *   select it; simulate/calico/host-endpoints.ts), but never the host's traffic with its own pods
 *   (felix rules/static.go filterOutputChain: "We don't currently police host -> endpoint").
 *
 * The simulator judges that side as `simulate` does (simulate/cilium.ts `nodeOfEnd`,
 * simulate/calico.ts `decideHostSide`); this asks it only where its policies can deny a host
 * endpoint's side: elsewhere every host endpoint allows everything, and nothing is judged (no cost).
 */
import { opposite, type Direction } from '../../domain/direction.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { IpFamily } from '../../domain/ip.ts';
import { ownNodeFlow, type ClusterModel } from '../simulate/cluster.ts';
import { hostPoliciesEnforced } from '../simulate/cilium/host-firewall.ts';
import { asCalico } from '../simulate/calico.ts';
import type { FlowAtPods } from '../simulate/pods-apart.ts';
import { decideSide, sideAllows, type SideVerdict, type SimCluster, type SimEndpoint, type SimFlow, type Simulator } from '../simulate/types.ts';

/** That a simulator judges host endpoints' sides; `localPods`: also the host's own connections to the pods on its node (the kubelet's probes). */
export interface HostEndsJudged {
  localPods: boolean;
}

const CILIUM_HOST_FIREWALL: HostEndsJudged = { localPods: true };
const CALICO_HOST_ENDPOINTS: HostEndsJudged = { localPods: false };

/**
 * How `sim`, built from `manifests`, judges host endpoints' sides; undefined where its policies
 * cannot deny any. The cilium simulator with a host policy it enforces. The calico simulator where
 * a policy among `manifests` applies to a host endpoint; with the applied policies among them
 * (`applied`), also where a host endpoint's profiles do not allow everything: a host endpoint with
 * none denies all but the failsafe ports ("the Calico default is to deny", HostEndpoint
 * reference), a cut the cluster's host endpoints make, never the recommended policies.
 */
export function judgesHostEnds(sim: Simulator | undefined, manifests: readonly unknown[], cluster: SimCluster, applied: boolean): HostEndsJudged | undefined {
  if (sim?.engine === 'cilium') return hostPoliciesEnforced(manifests, cluster) ? CILIUM_HOST_FIREWALL : undefined;
  const calico = sim && asCalico(sim);
  if (calico === undefined) return undefined;
  return (applied ? calico.policesHostEndpoints() : calico.selectsHostEndpoints()) ? CALICO_HOST_ENDPOINTS : undefined;
}

/**
 * A kubelet edge (`kubelet:<node>` to a workload) as the flow from that node's host endpoint to the
 * workload's pod on it, as `simulate` judges it (simulate/decide.ts fromOwnNode); undefined for any
 * other edge, or one that cannot be simulated (ICMP: no probe).
 */
export function kubeletProbe(model: ClusterModel, edge: EdgeTraffic): FlowAtPods<SimFlow>[] | undefined {
  if (edge.client.kind !== 'kubelet') return undefined;
  const conn = ownNodeFlow(model, edge.client.node, edge.server, edge.port, edge.protocol);
  return conn.ok && conn.flow.icmp === undefined ? [{ flow: conn.flow, at: '' }] : undefined;
}

/**
 * The first flow of `each` (a side of `direction`, its far end a host endpoint) at which `sim`
 * denies the far end's own side (the opposite direction), with that verdict and where; undefined
 * when it is allowed at every one, or the far end is no node nor apiserver (a host-network
 * workload's sides are its own, judged as a workload's).
 */
export function hostEndDenied(sim: Simulator, model: ClusterModel, each: Iterable<FlowAtPods<SimFlow>>, direction: Direction): { side: SideVerdict; at: string; node?: string } | undefined {
  const there = opposite(direction);
  for (const f of each) {
    for (const at of atEachHostAddress(model, f.flow, direction)) {
      if (sideAllows(sim, at.flow, there)) continue;
      const node = hostNodeOf(direction === 'egress' ? at.flow.server : at.flow.client);
      return { side: decideSide(sim, at.flow, there), at: `${f.at}${at.at}`, ...(node !== undefined ? { node } : {}) };
    }
  }
  return undefined;
}

/** The node a host endpoint end is: a node, or a host-network pod (the apiserver at a node's address), as its node. */
function hostNodeOf(end: SimEndpoint): string | undefined {
  if (end.kind === 'node') return end.node.name;
  return end.kind === 'pod' && end.pod.hostNetwork ? end.pod.node : undefined;
}

/**
 * The flow at each address its far end may be reached at as a host endpoint: the apiserver as a
 * whole (an edge's) at each of its endpoint addresses, each on its own node (kube-proxy picks one
 * per connection, kubernetes.io "Virtual IPs and Service Proxies"), and a host policy may select
 * some of those nodes only; a node as a whole at each of its addresses of the flow's family, as
 * Calico may police each with its own host endpoint (HostEndpoint `interfaceName` and
 * `expectedIPs`, docs.tigera.io reference/resources/hostendpoint); an end at one address as it is;
 * nothing for any other end.
 */
function* atEachHostAddress(model: ClusterModel, flow: SimFlow, direction: Direction): Iterable<FlowAtPods<SimFlow>> {
  const far = direction === 'egress' ? flow.server : flow.client;
  if (far.kind !== 'node' && far.kind !== 'apiserver') return;
  const ats = far.kind === 'node' ? nodeAddressEnds(model, far) : apiserverEndpointEnds(model, far, flow.family);
  if (ats.length < 2) {
    yield { flow, at: '' };
    return;
  }
  for (const { end, words } of ats) yield { flow: direction === 'egress' ? { ...flow, server: end } : { ...flow, client: end }, at: ` (at ${words})` };
}

/** A node end as a whole at each of its addresses (none for a node at one address: ClusterModel.nodeAddresses). */
function nodeAddressEnds(model: ClusterModel, far: SimEndpoint & { kind: 'node' }): { end: SimEndpoint; words: string }[] {
  return model.nodeAddresses(far).map((ip) => ({ end: model.nodeAt(far.node, ip), words: `node ${far.node.name} at ${ip}` }));
}

/** The apiserver as a whole at each of its endpoint addresses of `family`. */
function apiserverEndpointEnds(model: ClusterModel, far: SimEndpoint, family: IpFamily | undefined): { end: SimEndpoint; words: string }[] {
  return model.apiserverAddresses(far, family).flatMap((ip) => {
    const end = model.apiserverAt(ip);
    return end === undefined ? [] : [{ end, words: `the apiserver endpoint ${ip}` }];
  });
}
