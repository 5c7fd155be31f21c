/**
 * Hubble flows as `hubble observe -o jsonpb` prints them (`{"flow":{…},"node_name":…,"time":…}`),
 * protojson-shaped like `test/fixtures/reference/flows/hubble/*.jsonl`: enums as strings, zero fields omitted,
 * 64-bit integers as strings. Each packet is reported by the node(s) whose datapath sees it.
 */
import { streamRecords, type ConnEnd, type Connection } from './connections.ts';
import type { DemoCluster, DemoNetworkPolicy, DemoNode, DemoPod } from './model.ts';
import { policySelects, policyTypes } from './policies.ts';
import { Prng, hash32 } from './prng.ts';
import type { FlowStreamOptions } from './netobserv.ts';

const EMITTER = { name: 'Hubble', version: '1.19.1+gd0d0c879' };
/** Labels Cilium leaves out of security identities by default. */
const VOLATILE = /^(pod-template-hash|controller-revision-hash|pod-template-generation|statefulset\.kubernetes\.io\/pod-name|apps\.kubernetes\.io\/pod-index|job-name|controller-uid|batch\.kubernetes\.io\/.*)$/;
const POINT_SUBTYPE: Record<string, number> = { TO_ENDPOINT: 0, TO_PROXY: 1, TO_STACK: 3, TO_OVERLAY: 4, TO_NETWORK: 11 };

interface Packet {
  from: ConnEnd;
  to: ConnEnd;
  flags?: Record<string, boolean>;
  reply: boolean;
  reason: 'NEW' | 'ESTABLISHED' | 'REPLY';
  at: number;
}

export function* hubbleRecords(cluster: DemoCluster, opts: FlowStreamOptions): Generator<Record<string, unknown>> {
  const prng = new Prng((opts.seed ^ 0x48554242) >>> 0);
  yield* streamRecords(cluster, opts, prng, new HubbleRenderer(cluster, prng));
}

class HubbleRenderer {
  private readonly identities = new Map<string, { identity: number; labels: string[] }>();
  private readonly nsLabels = new Map<string, Record<string, string>>();

  constructor(
    private readonly cluster: DemoCluster,
    private readonly prng: Prng,
  ) {
    for (const ns of cluster.namespaces) this.nsLabels.set(ns.name, ns.labels);
  }

  render(conn: Connection): Record<string, unknown>[] {
    if (conn.style === 'udp') return this.dns(conn);
    const out: Record<string, unknown>[] = [];
    const { client, server, time, durationMs } = conn;
    const ingressPolicy = this.governing(server.pod, 'Ingress');
    const egressPolicy = this.governing(client.pod, 'Egress');

    if (conn.style === 'denied') {
      const denial = this.cluster.policies.find((p) => `${p.namespace}/${p.name}` === conn.conv.deniedBy);
      const egress = denial !== undefined && client.pod !== undefined && policySelects(denial, client.pod) && policyTypes(denial).includes('Egress');
      const where = egress ? client : server;
      const retries = this.prng.int(2, 3);
      for (let i = 0; i < retries; i++) {
        const at = time + [0, 1000, 3000][i]!;
        const syn: Packet = { from: client, to: server, flags: { SYN: true }, reply: false, reason: 'NEW', at };
        if (!egress && client.kind === 'pod' && client.node && client.node !== server.node) out.push(this.trace(syn, client.node, conn));
        if (where.node) {
          out.push(this.verdict(syn, where.node, conn, egress ? 'EGRESS' : 'INGRESS', 'DROPPED', 0));
          out.push(this.drop(syn, where.node, conn, egress ? 'EGRESS' : 'INGRESS'));
        }
      }
      return out;
    }

    const packets: Packet[] = [];
    if (conn.style === 'mid') {
      packets.push({ from: client, to: server, flags: { PSH: true, ACK: true }, reply: false, reason: 'ESTABLISHED', at: time });
      packets.push({ from: server, to: client, flags: { PSH: true, ACK: true }, reply: true, reason: 'REPLY', at: time + Math.max(1, durationMs) });
    } else {
      packets.push({ from: client, to: server, flags: { SYN: true }, reply: false, reason: 'NEW', at: time });
      packets.push({ from: server, to: client, flags: { SYN: true, ACK: true }, reply: true, reason: 'REPLY', at: time + 1 });
      if (conn.style === 'split' || this.prng.chance(0.3)) {
        packets.push({ from: client, to: server, flags: { FIN: true, ACK: true }, reply: false, reason: 'ESTABLISHED', at: time + Math.max(2, durationMs) });
      }
    }
    for (const pkt of packets) {
      if (pkt.reason === 'NEW') {
        if (egressPolicy && client.node) out.push(this.verdict(pkt, client.node, conn, 'EGRESS', 'FORWARDED', matchType(egressPolicy, 'egress')));
        if (ingressPolicy && server.node) out.push(this.verdict(pkt, server.node, conn, 'INGRESS', 'FORWARDED', matchType(ingressPolicy, 'ingress')));
      }
      for (const node of this.observers(pkt)) out.push(this.trace(pkt, node, conn));
    }
    return out;
  }

  /** The first policy (by namespace/name) that selects the pod for that direction. */
  private governing(pod: DemoPod | undefined, type: 'Ingress' | 'Egress'): DemoNetworkPolicy | undefined {
    if (!pod) return undefined;
    return this.cluster.policies.find((p) => policyTypes(p).includes(type) && policySelects(p, pod));
  }

  /** Nodes whose Cilium datapath reports the packet: the sending pod's node, and the receiving pod's node. */
  private observers(pkt: Packet): DemoNode[] {
    const out: DemoNode[] = [];
    const sendingPod = pkt.from.kind === 'pod' && pkt.from.pod && !pkt.from.pod.hostNetwork;
    const receivingPod = pkt.to.kind === 'pod' && pkt.to.pod && !pkt.to.pod.hostNetwork;
    if (sendingPod && pkt.from.node) out.push(pkt.from.node);
    if (receivingPod && pkt.to.node && !out.includes(pkt.to.node)) out.push(pkt.to.node);
    return out;
  }

  private trace(pkt: Packet, node: DemoNode, conn: Connection): Record<string, unknown> {
    const toLocalPod = pkt.to.kind === 'pod' && pkt.to.pod && !pkt.to.pod.hostNetwork && pkt.to.node === node;
    const point = toLocalPod ? 'TO_ENDPOINT' : pkt.to.kind === 'pod' && !pkt.to.pod?.hostNetwork ? 'TO_OVERLAY' : 'TO_STACK';
    const local = toLocalPod ? pkt.to : pkt.from;
    const localIsClient = local === conn.client;
    const flow = this.base(pkt, node, conn, 'FORWARDED');
    flow.event_type = POINT_SUBTYPE[point] ? { type: 4, sub_type: POINT_SUBTYPE[point] } : { type: 4 };
    flow.traffic_direction = localIsClient ? 'EGRESS' : 'INGRESS';
    flow.trace_observation_point = point;
    flow.trace_reason = pkt.reason;
    flow.is_reply = pkt.reply;
    if (pkt.reply) flow.reply = true;
    if (toLocalPod && pkt.to.pod) flow.interface = { index: 10 + (hash32(pkt.to.pod.hostIf) % 200), name: pkt.to.pod.hostIf };
    return this.finish(flow, node);
  }

  private verdict(pkt: Packet, node: DemoNode, conn: Connection, direction: 'INGRESS' | 'EGRESS', verdict: 'FORWARDED' | 'DROPPED', match: number): Record<string, unknown> {
    const flow = this.base(pkt, node, conn, verdict);
    if (verdict === 'DROPPED') {
      flow.drop_reason = 133;
      flow.drop_reason_desc = 'POLICY_DENIED';
    }
    flow.event_type = { type: 5 };
    flow.traffic_direction = direction;
    if (match) flow.policy_match_type = match;
    return this.finish(flow, node);
  }

  private drop(pkt: Packet, node: DemoNode, conn: Connection, direction: 'INGRESS' | 'EGRESS'): Record<string, unknown> {
    const flow = this.base(pkt, node, conn, 'DROPPED');
    flow.drop_reason = 133;
    flow.drop_reason_desc = 'POLICY_DENIED';
    flow.event_type = { type: 1, sub_type: 133 };
    flow.traffic_direction = direction;
    flow.is_reply = false;
    return this.finish(flow, node);
  }

  private base(pkt: Packet, node: DemoNode, conn: Connection, verdict: string): Record<string, unknown> {
    const l4Name = conn.conv.protocol === 'UDP' ? 'UDP' : 'TCP';
    const l4: Record<string, unknown> = { source_port: pkt.from.port, destination_port: pkt.to.port };
    if (pkt.flags) l4.flags = pkt.flags;
    const flow: Record<string, unknown> = {
      time: rfc3339(pkt.at, this.prng.int(0, 999_999)),
      uuid: this.prng.uuid(),
      emitter: EMITTER,
      verdict,
      ethernet: { source: this.mac(pkt.from), destination: this.mac(pkt.to) },
      IP: { source: pkt.from.ip, destination: pkt.to.ip, ipVersion: 'IPv4' },
      l4: { [l4Name]: l4 },
      source: this.endpoint(pkt.from, node),
      destination: this.endpoint(pkt.to, node),
      Type: 'L3_L4',
      node_name: node.name,
    };
    if (conn.front) {
      const svc = { name: conn.front.service.name, namespace: conn.front.service.namespace };
      if (pkt.to === conn.server) flow.destination_service = svc;
      else flow.source_service = svc;
    }
    const names = pkt.to.external?.dnsName;
    if (names) flow.destination_names = [names];
    const srcNames = pkt.from.external?.dnsName;
    if (srcNames) flow.source_names = [srcNames];
    return flow;
  }

  /** Orders the fields as the protobuf declares them and wraps the flow in the GetFlowsResponse envelope. */
  private finish(flow: Record<string, unknown>, node: DemoNode): Record<string, unknown> {
    const ordered: Record<string, unknown> = {};
    for (const k of FIELD_ORDER) if (flow[k] !== undefined) ordered[k] = flow[k];
    ordered.Summary = summary(flow);
    return { flow: ordered, node_name: node.name, time: flow.time };
  }

  private dns(conn: Connection): Record<string, unknown>[] {
    const { client, server, time } = conn;
    const out: Record<string, unknown>[] = [];
    const name = `${conn.conv.dnsName ?? 'kubernetes.default.svc.cluster.local'}.`;
    const answer = this.answer(conn.conv.dnsName);
    const latency = this.prng.int(150_000, 3_000_000);
    const query: Packet = { from: client, to: server, reply: false, reason: 'NEW', at: time };
    const reply: Packet = { from: server, to: client, reply: true, reason: 'REPLY', at: time + Math.ceil(latency / 1e6) };
    const clientNode = client.node;
    if (!clientNode) return out;
    const req = this.base(query, clientNode, conn, 'FORWARDED');
    delete req.ethernet;
    req.Type = 'L7';
    req.l7 = { type: 'REQUEST', dns: { query: name, observation_source: 'proxy', qtypes: ['A'] } };
    req.event_type = { type: 129 };
    req.traffic_direction = 'EGRESS';
    req.is_reply = false;
    out.push(this.finish(req, clientNode));
    if (server.node && server.node !== clientNode) out.push(this.trace(query, server.node, conn));
    const res = this.base(reply, clientNode, conn, 'FORWARDED');
    delete res.ethernet;
    res.Type = 'L7';
    res.l7 = { type: 'RESPONSE', latency_ns: String(latency), dns: { query: name, ips: [answer], ttl: 30, observation_source: 'proxy', qtypes: ['A'], rrtypes: ['A'] } };
    res.event_type = { type: 129 };
    res.traffic_direction = 'EGRESS';
    res.is_reply = true;
    res.reply = true;
    out.push(this.finish(res, clientNode));
    return out;
  }

  /** What kube-dns answers for a name the demo resolves. */
  private answer(dnsName: string | undefined): string {
    const ext = this.cluster.externals.find((e) => e.dnsName === dnsName);
    if (ext) return ext.ip;
    const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(dnsName ?? '');
    const svc = m ? this.cluster.services.find((s) => s.name === m[1] && s.namespace === m[2]) : undefined;
    return svc?.clusterIP ?? '10.96.0.1';
  }

  private mac(e: ConnEnd): string {
    return e.kind === 'pod' && e.pod ? e.pod.mac.toLowerCase() : (e.node?.mac ?? '02:42:0A:00:00:01').toLowerCase();
  }

  /** The endpoint as the reporting node's Cilium knows it: pod identity and labels, or a reserved identity. */
  private endpoint(e: ConnEnd, reporter: DemoNode): Record<string, unknown> {
    if (e.kind === 'external') return { identity: 2, labels: ['reserved:world'] };
    if (e.kind !== 'pod' || !e.pod || e.pod.hostNetwork) {
      const node = e.node;
      const apiserver = node?.name === this.cluster.apiserver.node;
      if (node === reporter) return { identity: 1, labels: apiserver ? ['reserved:host', 'reserved:kube-apiserver'] : ['reserved:host'] };
      return apiserver ? { identity: 7, labels: ['reserved:kube-apiserver', 'reserved:remote-node'] } : { identity: 6, labels: ['reserved:remote-node'] };
    }
    const pod = e.pod;
    const id = this.identity(pod);
    const out: Record<string, unknown> = {};
    if (pod.node === reporter) out.ID = pod.endpointId;
    out.identity = id.identity;
    out.cluster_name = this.cluster.name;
    out.namespace = pod.namespace;
    out.labels = id.labels;
    out.pod_name = pod.name;
    const w = pod.workload;
    if (w.kind !== 'Pod') out.workloads = [{ name: w.name, kind: w.kind }];
    return out;
  }

  private identity(pod: DemoPod): { identity: number; labels: string[] } {
    const labels: string[] = [];
    for (const [k, v] of Object.entries(pod.labels)) if (!VOLATILE.test(k)) labels.push(`k8s:${k}=${v}`);
    for (const [k, v] of Object.entries(this.nsLabels.get(pod.namespace) ?? {})) labels.push(`k8s:io.cilium.k8s.namespace.labels.${k}=${v}`);
    labels.push(`k8s:io.cilium.k8s.policy.cluster=${this.cluster.name}`);
    labels.push(`k8s:io.cilium.k8s.policy.serviceaccount=${pod.workload.serviceAccount}`);
    labels.push(`k8s:io.kubernetes.pod.namespace=${pod.namespace}`);
    labels.sort();
    const key = labels.join(',');
    let id = this.identities.get(key);
    if (!id) {
      id = { identity: 256 + (hash32(key) % 65000), labels };
      this.identities.set(key, id);
    }
    return id;
  }
}

function matchType(policy: DemoNetworkPolicy, dir: 'ingress' | 'egress'): number {
  // monitor/datapath_policy.go: 1 L3 only, 2 L3+L4, 3 L4 only.
  const rules = (policy.spec[dir] as { ports?: unknown[] }[] | undefined) ?? [];
  return rules.some((r) => r.ports && r.ports.length > 0) ? 2 : 1;
}

const FIELD_ORDER = [
  'time', 'uuid', 'emitter', 'verdict', 'drop_reason', 'ethernet', 'IP', 'l4', 'source', 'destination', 'Type', 'node_name',
  'node_labels', 'source_names', 'destination_names', 'l7', 'reply', 'event_type', 'source_service', 'destination_service',
  'traffic_direction', 'policy_match_type', 'trace_observation_point', 'trace_reason', 'drop_reason_desc', 'is_reply', 'interface',
];

function summary(flow: Record<string, unknown>): string {
  const l7 = flow.l7 as { type: string; dns: { query: string; ips?: string[]; ttl?: number } } | undefined;
  if (l7) {
    return l7.type === 'REQUEST'
      ? `DNS Query ${l7.dns.query} A`
      : `DNS Answer "${(l7.dns.ips ?? []).join(',')}" TTL: ${l7.dns.ttl} (Proxy ${l7.dns.query} A)`;
  }
  const l4 = flow.l4 as { TCP?: { flags?: Record<string, boolean> } };
  if (!l4.TCP) return 'UDP';
  const order = ['SYN', 'ACK', 'RST', 'FIN', 'PSH', 'URG', 'ECE', 'CWR', 'NS'];
  const set = Object.keys(l4.TCP.flags ?? {});
  return `TCP Flags: ${order.filter((f) => set.includes(f)).join(', ')}`;
}

/** RFC 3339 with nanoseconds, as protojson renders a Timestamp. */
export function rfc3339(ms: number, subMsNanos: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-20T00:00:00.123Z
  return `${iso.slice(0, 23)}${String(subMsNanos).padStart(6, '0')}Z`;
}
