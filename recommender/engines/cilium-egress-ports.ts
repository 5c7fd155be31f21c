/**
 * Egress ports as Cilium's agent can resolve them: a named port renders as the numbers it has on
 * the rule's destinations, when synthesis knew them (PortSpec `numbers`). Cilium resolves an
 * egress port name only where every selected destination agrees on one number (cilium/cilium
 * pkg/policy/types `GetNamedPort`: ErrDuplicateNamedPorts, and the port then allows nothing; older
 * agents look across every pod of the cluster), while the other plugins resolve it on each
 * destination pod. The cilium engine writes its rules so, and the kubernetes engine its
 * NetworkPolicies on a cluster that runs Cilium, which converts their port names unchanged
 * (pkg/k8s/network_policy.go parsePorts; EmitOptions.networkPoliciesOnCilium).
 */
import type { PortSpec } from '../policy/ir.ts';
import { portKey, uniqueSortedBy } from '../policy/order.ts';

export class CiliumEgressPorts {
  /** Per IR port list (shared between rules): the same list back when it names no port with numbers, so renderings keyed by the list stay shared. */
  private readonly resolved = new Map<readonly PortSpec[], readonly PortSpec[]>();

  of(ports: readonly PortSpec[]): readonly PortSpec[] {
    let r = this.resolved.get(ports);
    if (r === undefined) {
      r = ports.some((p) => p.kind === 'named' && p.numbers !== undefined)
        ? uniqueSortedBy(
            ports.flatMap((p): PortSpec[] => (p.kind === 'named' && p.numbers !== undefined ? p.numbers.map((port) => ({ kind: 'number', protocol: p.protocol, port })) : [p])),
            portKey,
          )
        : ports;
      this.resolved.set(ports, r);
    }
    return r;
  }
}
