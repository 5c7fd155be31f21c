/**
 * toPorts matching (cilium/cilium pkg/policy/api/l4.go, pkg/policy/rule.go mergeIngress /
 * mergeEgress, pkg/policy/types NamedPortMultiMap.GetNamedPort):
 * - `port: "0"` is every port; `endPort` above `port` makes a range;
 * - protocol empty or `ANY` is TCP, UDP and SCTP; ICMP/ICMPV6 ports are ICMP types;
 * - a named port resolves on ingress against the enforcing pod's own container ports
 *   (pkg/endpoint GetNamedPort: "Ingress only needs the ports of the POD itself"): each endpoint
 *   opens the number its own pod gives the name, so the pod standing for a workload — carrying
 *   the ports of all its pods (a rollout's ReplicaSets may give `metrics` 9090 and 9091) — matches
 *   every number it declares under the name, as the other simulators do; on egress as the agent's
 *   release does (domain/cilium-release.ts EgressNamedPortReading): up to 1.19 against the named
 *   ports of every pod on the pod network — and only when they all agree on one number
 *   ("ErrDuplicateNamedPorts" otherwise, and the port allows nothing) —, from 1.20 on the
 *   destination pod's own. A host-network pod's container ports never count: the agent stores a
 *   pod's named ports in the ipcache only past `if pod.Spec.HostNetwork { return }`
 *   (pkg/k8s/watchers/pod.go updatePodHostData, before "Store Named ports, if any"), so a name
 *   only such pods declare means no port;
 * - a port rule with no `ports` allows nothing.
 */
import type { EgressNamedPortReading } from '../../../domain/cilium-release.ts';
import type { CiliumPortProtocol } from '../../engines/wire/cilium.ts';
import type { IcmpFlow, SimEndpoint, SimFlow, SimPod, SimProtocol } from '../types.ts';

/** Ports of TCP, UDP, SCTP; for ICMP and ICMPv6 the range holds ICMP types (./icmp.ts). */
export type PortMatcher =
  | { kind: 'range'; protocols: ReadonlySet<SimFlow['protocol']>; from: number; to: number }
  | { kind: 'named'; protocols: ReadonlySet<SimFlow['protocol']>; name: string };

/** `ANY` is TCP, UDP and SCTP, never ICMP (rule.go mergeIngress/mergeEgress: p.Protocol.IsAny()). */
const ALL: ReadonlySet<SimProtocol> = new Set(['TCP', 'UDP', 'SCTP']);

/** l4.go ParseL4Proto; a toPorts port of protocol ICMP/ICMPV6 is an ICMP type, as icmp.go makes of `icmps`. */
function protocols(p: string | undefined): ReadonlySet<SimFlow['protocol']> {
  const up = (p ?? '').toUpperCase();
  if (up === '' || up === 'ANY') return ALL;
  if (up === 'ICMP') return new Set(['ICMP']);
  if (up === 'ICMPV6') return new Set(['ICMPv6']);
  return up === 'TCP' || up === 'UDP' || up === 'SCTP' ? new Set([up]) : new Set();
}

/** IANA service names (pkg/iana IsSvcName): what is not a service name is parsed as a number. */
export function isServiceName(s: string): boolean {
  return s.length >= 1 && s.length <= 15 && /^[a-z0-9]+(-[a-z0-9]+)*$/i.test(s) && /[a-z]/i.test(s);
}

/** strconv.ParseUint(s, 0, 16): a leading 0 means octal. */
export function parsePortNumber(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = s.length > 1 && s.startsWith('0') ? (/^[0-7]+$/.test(s) ? parseInt(s, 8) : NaN) : parseInt(s, 10);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

export function compilePort(p: CiliumPortProtocol): PortMatcher | undefined {
  const port = String(p.port ?? '');
  const protos = protocols(p.protocol);
  if (isServiceName(port)) return { kind: 'named', protocols: protos, name: port.toLowerCase() };
  const n = parsePortNumber(port);
  if (n === undefined) return undefined;
  // Port 0 is every port (every ICMP type too, type 0 itself included: ./icmp.ts).
  if (n === 0) return { kind: 'range', protocols: protos, from: 0, to: 65535 };
  const end = typeof p.endPort === 'number' && p.endPort > n ? p.endPort : n;
  return { kind: 'range', protocols: protos, from: n, to: end };
}

/** Resolves egress named ports the way the agent does: one number for the pod network, or none. */
export class NamedPorts {
  private readonly byName = new Map<string, { port: number; protocol: string }[]>();

  constructor(pods: readonly SimPod[]) {
    for (const pod of pods) {
      if (pod.hostNetwork) continue;
      for (const cp of pod.ports) {
        if (cp.name === undefined) continue;
        const name = cp.name.toLowerCase();
        const list = this.byName.get(name) ?? [];
        list.push({ port: cp.port, protocol: cp.protocol });
        this.byName.set(name, list);
      }
    }
  }

  /** The single port `name` means for `protocol` cluster-wide, if there is exactly one. */
  egressPort(name: string, protocol: SimProtocol): number | undefined {
    let port: number | undefined;
    for (const e of this.byName.get(name) ?? []) {
      if (e.protocol !== protocol || e.port === 0) continue;
      if (port !== undefined && port !== e.port) return undefined;
      port = e.port;
    }
    return port;
  }

  /** The numbers pods give `name` for `protocol`, sorted: what a reason names when there is no single one. */
  egressNumbers(name: string, protocol: SimProtocol): number[] {
    const numbers = new Set<number>();
    for (const e of this.byName.get(name) ?? []) if (e.protocol === protocol && e.port !== 0) numbers.add(e.port);
    return [...numbers].sort((a, b) => a - b);
  }
}

/** `namedPortIs(name, port)`: whether the name means that port on this side (`declaresNamedPort` on ingress). */
export function portMatches(m: PortMatcher, port: number, protocol: SimProtocol, namedPortIs: (name: string, port: number) => boolean): boolean {
  if (!m.protocols.has(protocol)) return false;
  if (m.kind === 'range') return port >= m.from && port <= m.to;
  return namedPortIs(m.name, port);
}

/** Whether the matcher holds the ICMP flow's type (named ports never: containers declare TCP, UDP, SCTP ports). */
export function icmpTypeMatches(m: PortMatcher, flow: IcmpFlow): boolean {
  return m.kind === 'range' && m.protocols.has(flow.protocol) && flow.icmp.type >= m.from && flow.icmp.type <= m.to;
}

/**
 * Whether an egress port name means `port` toward `server` under `reading`: the pod network's one
 * number (`podNetwork`), or the number the destination pod itself declares (no pod, a host-network
 * one, declares none).
 */
export function egressNamedPortIs(reading: EgressNamedPortReading, podNetwork: NamedPorts, server: SimEndpoint, name: string, port: number, protocol: SimProtocol): boolean {
  if (reading === 'pod-network') return podNetwork.egressPort(name, protocol) === port;
  return server.kind === 'pod' && !server.pod.hostNetwork && declaresNamedPort(server.pod, name, port, protocol);
}

/** Whether the enforcing pod declares a container port of that name at that port and protocol (ingress named ports). */
export function declaresNamedPort(pod: SimPod, name: string, port: number, protocol: SimProtocol): boolean {
  return pod.ports.some((cp) => cp.port === port && cp.protocol === protocol && cp.name !== undefined && cp.name.toLowerCase() === name);
}
