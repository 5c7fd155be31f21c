/**
 * A NetworkPolicy's port names as Cilium resolves them. The agent converts a NetworkPolicy port as
 * written (cilium/cilium pkg/k8s/network_policy.go parsePorts: `portStr = port.Port.String()`), so
 * a name is resolved as in its own rules (./ports.ts): on ingress on the enforcing pod's own
 * container ports (pkg/endpoint GetNamedPort: "Ingress only needs the ports of the POD itself") —
 * the destination pod, as Kubernetes reads it —; on egress as the agent's release does
 * (domain/cilium-release.ts EgressNamedPortReading): up to 1.19 over the named ports of every pod on
 * the pod network ("egress needs named ports of all the pods"), the one number they all give it,
 * none where they disagree (pkg/policy/types NamedPortMultiMap.GetNamedPort: ErrDuplicateNamedPorts)
 * — not on the destination pod, as Kubernetes reads it (../kubernetes/named-port.ts) —; from 1.20 on
 * the destination pod, as Kubernetes does.
 */
import type { EgressNamedPortReading } from '../../../domain/cilium-release.ts';
import { isPlainObject } from '../../../domain/plain-object.ts';
import { isNetworkPolicy } from '../../engines/wire/kubernetes.ts';
import type { NamedPortReading } from '../kubernetes/named-port.ts';
import type { PortFlow, SimPod } from '../types.ts';
import { declaresNamedPort, egressNamedPortIs, NamedPorts } from './ports.ts';

export class NetworkPolicyNamedPorts {
  /** Made on the first egress name met: most NetworkPolicies name numbers. */
  private egress?: NamedPorts;

  constructor(
    private readonly pods: readonly SimPod[],
    private readonly egressReading: EgressNamedPortReading,
  ) {}

  readonly reading: NamedPortReading = (name, flow, protocol, direction) => {
    if (flow.icmp !== undefined || protocol !== flow.protocol) return false;
    const lower = name.toLowerCase();
    if (direction === 'ingress') return flow.server.kind === 'pod' && declaresNamedPort(flow.server.pod, lower, flow.port, flow.protocol);
    return egressNamedPortIs(this.egressReading, this.egressPorts(), flow.server, lower, flow.port, flow.protocol);
  };

  /**
   * Why an egress rule that names its port `name` does not match `flow` on Cilium, where it would
   * on the destination pod: the numbers the pods give the name.
   */
  egressWords(name: string, flow: PortFlow): string {
    const numbers = this.egressPorts().egressNumbers(name.toLowerCase(), flow.protocol);
    const given = numbers.length === 0 ? 'no pod on the pod network gives it a number' : `they give it ${numbers.slice(0, -1).join(', ')}${numbers.length > 1 ? ' and ' : ''}${numbers[numbers.length - 1]}`;
    return `names port ${name}, which Cilium resolves over the named ports of every pod: ${given}, so it opens ${numbers.length === 1 ? `${numbers[0]} only` : 'none'}`;
  }

  private egressPorts(): NamedPorts {
    return (this.egress ??= new NamedPorts(this.pods));
  }
}

/** Whether a NetworkPolicy among `policies` names an egress port by name: only then can a denied egress side owe it to a name. */
export function namesEgressPorts(policies: readonly unknown[]): boolean {
  return policies.some((p) => {
    const egress: unknown = isNetworkPolicy(p) && isPlainObject(p.spec) ? p.spec.egress : undefined;
    return Array.isArray(egress) && egress.some((r) => isPlainObject(r) && Array.isArray(r.ports) && r.ports.some((port) => isPlainObject(port) && typeof port.port === 'string'));
  });
}
