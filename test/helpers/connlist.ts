/**
 * np-guard netpol-analyzer's `list` output recomputed with a simulator: every ordered pair of
 * distinct endpoints, probed on a set of ports per protocol, written as np-guard writes it
 * ("All Connections" when every probe is allowed, else "TCP 8080" / "TCP 80,UDP 53").
 */
import type { SimEndpoint, SimProtocol, Simulator } from '../../recommender/simulate/types.ts';

export interface ConnEntry {
  src: string;
  dst: string;
  conn: string;
}

export const PROTOCOLS: readonly SimProtocol[] = ['TCP', 'UDP', 'SCTP'];

export function probes(extraPorts: readonly number[]): { port: number; protocol: SimProtocol }[] {
  const ports = [...new Set([1, 53, 80, 81, 443, 5353, 8080, 8443, 9090, 65535, ...extraPorts])].sort((a, b) => a - b);
  return PROTOCOLS.flatMap((protocol) => ports.map((port) => ({ port, protocol })));
}

export function connText(allowed: readonly { port: number; protocol: SimProtocol }[], total: number): string {
  if (allowed.length === total) return 'All Connections';
  return PROTOCOLS.filter((p) => allowed.some((a) => a.protocol === p))
    .map((p) => `${p} ${allowed.filter((a) => a.protocol === p).map((a) => a.port).join(',')}`)
    .join(',');
}

/** `endpoints`: name → one or more concrete endpoints that must all agree (e.g. several external IPs). */
export function connlist(sim: Simulator, endpoints: ReadonlyMap<string, readonly SimEndpoint[]>, probeSet: readonly { port: number; protocol: SimProtocol }[]): ConnEntry[] {
  const out: ConnEntry[] = [];
  for (const [src, clients] of endpoints) {
    for (const [dst, servers] of endpoints) {
      if (src === dst) continue;
      const allowed = probeSet.filter((p) => {
        const verdicts = clients.flatMap((client) => servers.map((server) => sim.evaluate({ client, server, ...p }).verdict));
        if (new Set(verdicts).size > 1) throw new Error(`${src} → ${dst} ${p.protocol}/${p.port}: endpoints of one entry disagree`);
        return verdicts[0] === 'allow';
      });
      if (allowed.length > 0) out.push({ src, dst, conn: connText(allowed, probeSet.length) });
    }
  }
  return out.sort((a, b) => (a.src + a.dst < b.src + b.dst ? -1 : a.src + a.dst > b.src + b.dst ? 1 : 0));
}
