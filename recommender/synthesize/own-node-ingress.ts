/**
 * What reached a workload's pods from their own node — the `kubelet:<node>` edges that no rule
 * credits to a host-network component running there: the kubelet's probes, node-local agents — as
 * its allowlist's OwnNodeIngress (policy/ir.ts). They are never a rule of their own: every plugin
 * lets a pod's own node in, but Cilium under `allow-localhost: policy`, where an engine that cannot
 * name the local host names every node's addresses on these ports (engines/kubernetes.ts): the
 * pods may run on any node, as a host-network peer may (peers.ts irPeers).
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
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
