/**
 * Named ports written as the numbers synthesis knew them to have (PortSpec `numbers`), where an
 * engine cannot rely on the name:
 * - Cilium resolves an egress port name by its release (domain/cilium-release.ts
 *   EgressNamedPortReading): up to 1.19 over every pod of the pod network, one number or none
 *   (cilium/cilium pkg/policy/types `GetNamedPort`: ErrDuplicateNamedPorts, and the port then
 *   allows nothing), from 1.20 on each destination, as the other plugins do. A number reads the
 *   same on every release, and the release is not always known. The cilium engine writes its egress rules so, and
 *   the kubernetes engine its NetworkPolicies on a cluster that runs Cilium, which converts their
 *   port names unchanged (pkg/k8s/network_policy.go parsePorts; EmitOptions.networkPoliciesOnCilium).
 * - The network-policy-api's standard-channel CRD has no `destinationNamedPort`
 *   (kubernetes-sigs/network-policy-api#392), so the clusternetworkpolicy engine writes ports
 *   toward pods so.
 * A name of no known number stays a name.
 */
import type { PortSpec } from '../policy/ir.ts';
import { portKey, uniqueSortedBy } from '../policy/order.ts';

export class NamedPortsAsNumbers {
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
