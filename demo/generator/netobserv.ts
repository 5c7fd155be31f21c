/**
 * NetObserv flowlogs-pipeline records (the flat JSON of its Kafka/stdout/Loki export), field for
 * field like `test/fixtures/reference/flows/netobserv/netobserv-flow-samples.ndjson`: unidirectional records,
 * request and reply, each reported by the agent of every node the packets cross.
 */
import { isApiserverService } from '../../domain/apiserver.ts';
import { streamRecords, type ConnEnd, type Connection } from './connections.ts';
import type { DemoCluster, DemoNode } from './model.ts';
import { Prng, hash32 } from './prng.ts';

export interface FlowStreamOptions {
  /** Number of records to yield. */
  flows: number;
  seed: number;
  /** Start of the window, ms (default: the cluster's base time). */
  from?: number;
}

// TCP flag bits as the eBPF agent sets them (one per packet, else-if chain) and as FLP decodes them.
const FIN = 0x1, SYN = 0x2, ACK = 0x10, SYN_ACK = 0x100, FIN_ACK = 0x200;
const FLAG_NAMES: [number, string][] = [
  [0x1, 'FIN'], [0x2, 'SYN'], [0x4, 'RST'], [0x8, 'PSH'], [0x10, 'ACK'], [0x20, 'URG'], [0x40, 'ECE'], [0x80, 'CWR'],
  [0x100, 'SYN_ACK'], [0x200, 'FIN_ACK'], [0x400, 'RST_ACK'],
];
export function flagNames(bits: number): string[] {
  return FLAG_NAMES.filter(([b]) => (bits & b) !== 0).map(([, n]) => n);
}

/** One direction of a connection as one agent reports it. */
interface Leg {
  src: ConnEnd;
  dst: ConnEnd;
  /** What the record shows as the destination/source when a Service front is visible at that node. */
  srcShown: Shown;
  dstShown: Shown;
  flags?: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  dns?: { id: number; flags: number; latency?: number; name: string };
}

interface Shown {
  ip: string;
  port: number;
  meta: Record<string, string> | undefined;
  mac: string;
}

export function* netobservRecords(cluster: DemoCluster, opts: FlowStreamOptions): Generator<Record<string, unknown>> {
  const prng = new Prng((opts.seed ^ 0x4e4f4253) >>> 0);
  yield* streamRecords(cluster, opts, prng, new NetobservRenderer(cluster, prng));
}

class NetobservRenderer {
  constructor(
    private readonly cluster: DemoCluster,
    private readonly prng: Prng,
  ) {}

  render(conn: Connection): Record<string, unknown>[] {
    const legacy = this.prng.chance(0.3);
    const strip = this.prng.chance(0.04);
    const out: Record<string, unknown>[] = [];
    for (const leg of this.legs(conn)) {
      for (const agent of this.reporters(leg, conn)) {
        out.push(...this.records(leg, agent, conn, legacy, strip));
      }
    }
    return out;
  }

  private legs(conn: Connection): Leg[] {
    const { client, server, time, durationMs } = conn;
    const p = this.prng;
    const req = (flags: number | undefined, packets: number, bytes: number, start: number, end: number): Leg =>
      ({ src: client, dst: server, srcShown: this.shown(client), dstShown: this.shown(server), flags, packets, bytes, start, end });
    const rep = (flags: number | undefined, packets: number, bytes: number, start: number, end: number): Leg =>
      ({ src: server, dst: client, srcShown: this.shown(server), dstShown: this.shown(client), flags, packets, bytes, start, end });
    const end = time + durationMs;
    switch (conn.style) {
      case 'short': {
        const n = p.int(4, 12);
        return [req(SYN | ACK | FIN_ACK, n, n * p.int(60, 400), time, end), rep(SYN_ACK | ACK | FIN_ACK, n - 1, (n - 1) * p.int(60, 1400), time + 1, end)];
      }
      case 'split': {
        const n = p.int(3, 40);
        const mid = time + Math.floor(durationMs / 2);
        return [
          req(SYN, 1, 74, time, time), rep(SYN_ACK, 1, 74, time + 1, time + 1),
          req(ACK, n, n * p.int(60, 600), mid, end), rep(ACK | FIN, n, n * p.int(60, 1400), mid, end),
        ];
      }
      case 'mid': {
        const n = p.int(2, 60);
        return [req(ACK, n, n * p.int(66, 900), time, end), rep(ACK, n, n * p.int(66, 1400), time, end)];
      }
      case 'denied': {
        const retries = p.int(2, 4);
        return [req(SYN, retries, retries * 74, time, time + 3000 * (retries - 1))];
      }
      case 'udp': {
        const name = conn.conv.dnsName ?? 'kubernetes.default.svc.cluster.local';
        const id = p.int(1, 65535);
        const latency = p.int(0, 3);
        const q = req(undefined, 1, 60 + name.length * 2, time, time);
        q.dns = { id, flags: 256, name };
        const a = rep(undefined, 1, 90 + name.length * 2 + 16, time + latency, time + latency);
        a.dns = { id, flags: 33152, latency, name };
        return [q, a];
      }
    }
  }

  /** The nodes whose agent sees the leg: the sender's node, and the receiver's when it is another one. */
  private reporters(leg: Leg, conn: Connection): { node: DemoNode; direction: number; atSender: boolean }[] {
    const out: { node: DemoNode; direction: number; atSender: boolean }[] = [];
    const s = leg.src.node;
    const d = leg.dst.node;
    if (s && d && s === d) return [{ node: s, direction: 2, atSender: true }];
    if (s) out.push({ node: s, direction: 1, atSender: true });
    if (d && conn.style !== 'denied') out.push({ node: d, direction: 0, atSender: false });
    return out;
  }

  private records(leg: Leg, agent: { node: DemoNode; direction: number; atSender: boolean }, conn: Connection, legacy: boolean, strip: boolean): Record<string, unknown>[] {
    let srcShown = leg.srcShown;
    let dstShown = leg.dstShown;
    // The client's node sees the Service address (before DNAT on the way out, after un-DNAT on the way back).
    const clientSide = agent.direction === 2 || (leg.src === conn.client ? agent.atSender : !agent.atSender);
    if (conn.front && clientSide) {
      const front = this.serviceShown(conn);
      if (leg.dst === conn.server) dstShown = front;
      else srcShown = front;
    }
    const reused = this.cluster.ipReuse.ip;
    const src = strip || srcShown.ip === reused ? undefined : srcShown.meta;
    const dst = strip || dstShown.ip === reused ? undefined : dstShown.meta;

    const ifs = this.interfaces(leg, agent);
    const base: Record<string, unknown> = {
      AgentIP: agent.node.ip,
      Bytes: leg.bytes,
      DnsErrno: 0,
      Dscp: 0,
      DstAddr: dstShown.ip,
      DstMac: dstShown.mac,
      DstPort: dstShown.port,
      Etype: 2048,
      FlowDirection: agent.direction,
      K8S_ClusterName: this.cluster.name,
      K8S_FlowLayer: flowLayer(src, dst),
      Packets: leg.packets,
      Proto: conn.conv.protocol === 'UDP' ? 17 : 6,
      SrcAddr: srcShown.ip,
      SrcMac: srcShown.mac,
      SrcPort: srcShown.port,
      TimeFlowEndMs: leg.end,
      TimeFlowStartMs: leg.start,
      TimeReceived: Math.floor(leg.end / 1000) + 1 + (hash32(`${leg.start}${agent.node.name}`) % 3),
      app: 'netobserv-flowcollector',
    };
    for (const [k, v] of Object.entries(src ?? {})) base[`SrcK8S_${k}`] = v;
    for (const [k, v] of Object.entries(dst ?? {})) base[`DstK8S_${k}`] = v;
    if (leg.flags !== undefined) {
      base.Flags = legacy ? leg.flags : flagNames(leg.flags);
      base.TimeFlowRttNs = this.prng.int(20, 5000) * 1000;
    }
    if (leg.dns) {
      base.DnsId = leg.dns.id;
      base.DnsFlags = leg.dns.flags;
      base.DnsFlagsResponseCode = 'NoError';
      base.DnsName = leg.dns.name;
      if (leg.dns.latency !== undefined) base.DnsLatencyMs = leg.dns.latency;
    }
    if (!legacy) return [sortKeys({ ...base, IfDirections: ifs.map((i) => i[1]), Interfaces: ifs.map((i) => i[0]) })];
    // Older agents report one record per interface.
    return ifs.map(([name, dir]) => sortKeys({ ...base, IfDirection: dir, Interface: name }));
  }

  /** Interfaces the packets cross on the agent's node, with the interface direction (0 ingress, 1 egress). */
  private interfaces(leg: Leg, agent: { node: DemoNode; direction: number; atSender: boolean }): [string, number][] {
    const podIf = (e: ConnEnd): string | undefined => (e.kind === 'pod' && e.pod && !e.pod.hostNetwork ? e.pod.hostIf : undefined);
    const out: [string, number][] = [];
    if (agent.direction === 2) {
      const a = podIf(leg.src);
      const b = podIf(leg.dst);
      if (a) out.push([a, 0]);
      if (b) out.push([b, 1]);
      if (out.length === 0) out.push(['eth0', 1]);
      return out;
    }
    const uplink = leg.src.kind === 'external' || leg.dst.kind === 'external' || leg.src.kind !== 'pod' || leg.dst.kind !== 'pod' || leg.src.pod?.hostNetwork || leg.dst.pod?.hostNetwork ? 'eth0' : 'cilium_vxlan';
    if (agent.atSender) {
      const a = podIf(leg.src);
      if (a) out.push([a, 0]);
      out.push([uplink, 1]);
    } else {
      out.push([uplink, 0]);
      const b = podIf(leg.dst);
      if (b) out.push([b, 1]);
    }
    return out;
  }

  private shown(e: ConnEnd): Shown {
    return { ip: e.ip, port: e.port, meta: this.meta(e), mac: e.kind === 'pod' && e.pod ? e.pod.mac : e.node ? e.node.mac : '02:42:0A:00:00:01' };
  }

  private serviceShown(conn: Connection): Shown {
    const f = conn.front as NonNullable<Connection['front']>;
    return {
      ip: f.service.clusterIP,
      port: f.port,
      meta: { Name: f.service.name, Namespace: f.service.namespace, OwnerName: f.service.name, OwnerType: 'Service', Type: 'Service' },
      mac: '0A:58:0A:F4:00:01',
    };
  }

  /** What FLP's Kubernetes enrichment adds for an IP: pods by pod IP (host-network pods resolve as their Node), nodes by address. */
  private meta(e: ConnEnd): Record<string, string> | undefined {
    const node = e.node;
    if ((e.kind === 'pod' && e.pod?.hostNetwork) || e.kind === 'node' || e.kind === 'apiserver') {
      if (!node) return undefined;
      return { HostIP: node.ip, HostName: node.name, Name: node.name, OwnerName: node.name, OwnerType: 'Node', Type: 'Node' };
    }
    if (e.kind !== 'pod' || !e.pod || !node) return undefined;
    const pod = e.pod;
    const w = pod.workload;
    const owner =
      w.kind === 'Pod' ? { OwnerName: pod.name, OwnerType: 'Pod' }
        : w.kind === 'CronJob' ? { OwnerName: pod.job?.name ?? w.name, OwnerType: 'Job' }
          : { OwnerName: w.name, OwnerType: w.kind };
    return { HostIP: node.ip, HostName: node.name, Name: pod.name, Namespace: pod.namespace, ...owner, Type: 'Pod' };
  }
}

/** FLP's K8S_FlowLayer: `infra` when the known sides are NetObserv, nodes or default/kubernetes. */
function flowLayer(src: Record<string, string> | undefined, dst: Record<string, string> | undefined): string {
  const infra = (m: Record<string, string> | undefined): boolean | undefined => {
    if (!m) return undefined;
    if (m.Type === 'Node') return true;
    if (m.Namespace?.startsWith('netobserv')) return true;
    return isApiserverService(m.Namespace, m.Name);
  };
  const a = infra(src);
  const b = infra(dst);
  if (a === undefined && b === undefined) return 'app';
  return a !== false && b !== false ? 'infra' : 'app';
}

export function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}
