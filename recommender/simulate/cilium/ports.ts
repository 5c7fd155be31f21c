/**
 * toPorts matching (cilium/cilium pkg/policy/api/l4.go, pkg/policy/rule.go mergeIngress /
 * mergeEgress, pkg/policy/types NamedPortMultiMap.GetNamedPort):
 * - `port: "0"` is every port; `endPort` above `port` makes a range;
 * - protocol empty or `ANY` is TCP, UDP and SCTP;
 * - a named port resolves on ingress against the enforcing pod's own container ports, on egress
 *   against the named ports of every pod in the cluster — and only when they all agree on one
 *   number ("ErrDuplicateNamedPorts" otherwise, and the port allows nothing);
 * - a port rule with no `ports` allows nothing.
 */
import type { CiliumPortProtocol } from '../../engines/wire/cilium.ts';
import type { SimPod, SimProtocol } from '../types.ts';

export type PortMatcher =
  | { kind: 'range'; protocols: ReadonlySet<SimProtocol>; from: number; to: number }
  | { kind: 'named'; protocols: ReadonlySet<SimProtocol>; name: string };

const ALL: ReadonlySet<SimProtocol> = new Set(['TCP', 'UDP', 'SCTP']);

function protocols(p: string | undefined): ReadonlySet<SimProtocol> {
  const up = (p ?? '').toUpperCase();
  if (up === '' || up === 'ANY') return ALL;
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
  if (n === 0) return { kind: 'range', protocols: protos, from: 1, to: 65535 };
  const end = typeof p.endPort === 'number' && p.endPort > n ? p.endPort : n;
  return { kind: 'range', protocols: protos, from: n, to: end };
}

/** Resolves egress named ports the way the agent does: one number for the whole cluster, or none. */
export class NamedPorts {
  private readonly byName = new Map<string, { port: number; protocol: string }[]>();

  constructor(pods: readonly SimPod[]) {
    for (const pod of pods) {
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
}

export function portMatches(m: PortMatcher, port: number, protocol: SimProtocol, namedPort: (name: string) => number | undefined): boolean {
  if (!m.protocols.has(protocol)) return false;
  if (m.kind === 'range') return port >= m.from && port <= m.to;
  return namedPort(m.name) === port;
}

/** The enforcing pod's own container port of that name and protocol (ingress named ports). */
export function ownNamedPort(pod: SimPod, name: string, protocol: SimProtocol): number | undefined {
  return pod.ports.find((cp) => cp.name !== undefined && cp.name.toLowerCase() === name && cp.protocol === protocol)?.port;
}
