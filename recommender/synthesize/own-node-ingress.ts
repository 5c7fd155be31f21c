/**
 * What reached a workload's pods from their own node — the `kubelet:<node>` edges that no rule
 * credits to a host-network component running there: the kubelet's probes, node-local agents — as
 * its allowlist's OwnNodeIngress (policy/ir.ts). They are never a rule of their own: every plugin
 * lets a pod's own node in, but Cilium under `allow-localhost: policy`, where an engine that cannot
 * name the local host names every node's addresses on these ports (engines/kubernetes.ts): the
 * pods may run on any node, as a host-network peer may (peers.ts irPeers).
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import { cidrMatchesNodes, localHostUnderPolicy, type CiliumPolicySettings } from '../../domain/inventory.ts';
import { explanation } from '../policy/build.ts';
import type { OwnNodeIngress, PortSpec } from '../policy/ir.ts';
import { firstFew } from './first-few.ts';

/** Undefined where no probe has a port (ICMP) or no node address is known (nothing to name). */
export function ownNodeIngress(key: string, probes: readonly EdgeTraffic[], nodeIps: readonly string[], portList: (edge: EdgeTraffic) => readonly PortSpec[] | undefined): OwnNodeIngress | undefined {
  const ports = probes.flatMap((e) => portList(e) ?? []);
  if (ports.length === 0 || nodeIps.length === 0) return undefined;
  const nodes = [...new Set(probes.flatMap((e) => (e.client.kind === 'kubelet' ? [e.client.node] : [])))].sort();
  return {
    nodes: { kind: 'nodes', ips: [...nodeIps] },
    ports,
    explanation: explanation(`${key}#own-node`, 'implied', `the pod's own node reached it on these ports (kubelet probes, node-local agents; observed from ${firstFew(nodes)}), and the pods may run on any node`),
  };
}

/**
 * The rules the engines write for a pod's own node, by the inventory's cilium-config: under
 * `allow-localhost: policy` the cilium engine lets the `host` entity into every isolated ingress
 * (engines/cilium.ts withLocalHost), and the kubernetes engine, where `policy-cidr-match-mode:
 * nodes` lets an ipBlock name the local host, every node's addresses on the ports the own node
 * reached the pods on (engines/kubernetes.ts ownNodeRule); undefined where no engine writes one.
 */
export interface OwnNodeRules {
  nodeAddresses: boolean;
}

export function ownNodeRules(cilium: CiliumPolicySettings | undefined): OwnNodeRules | undefined {
  return localHostUnderPolicy(cilium) ? { nodeAddresses: cidrMatchesNodes(cilium) } : undefined;
}

/**
 * Why an edge from the pod's own node (`clients`: who speaks from it, peers.ts ownNodeClients) is
 * left out where the engines write rules for it (`ownNodeRules`): no rule of its own, and which
 * rules let it in (`key`: the workload's intent key, whose `#own-node` rule the kubernetes engine writes).
 */
export function ownNodeExclusion(node: string, clients: string, key: string, rules: OwnNodeRules): string {
  const kubernetes = rules.nodeAddresses
    ? `and the kubernetes engine every node's addresses on the ports it reached the pods on (${key}#own-node), as Cilium matches an ipBlock against the local host under policy-cidr-match-mode: nodes`
    : 'and a NetworkPolicy cannot name the local host without policy-cidr-match-mode: nodes';
  return `traffic with the pod's own node ${node} (${clients}) is no rule of its own: as the cilium-config sets allow-localhost: policy, the cilium engine lets the host entity in, ${kubernetes}`;
}
