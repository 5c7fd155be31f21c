/**
 * Cilium Hubble flows: `hubble observe -o json` (bare Flow objects) and `-o jsonpb` / exporter
 * lines (`{"flow":{…},"node_name":…,"time":…}`). protojson omits zero values and renders 64-bit
 * numbers as strings. Field reference: cilium/cilium api/v1/flow/README.md (the Flow proto); real
 * lines in test/fixtures/reference/flows/hubble/.
 */
import { ECHO_TYPES, type EndpointMeta, type FlowEndpoint, type HandshakeHint, type Protocol, type Verdict } from '../../domain/flow.ts';
import { familyMismatch, isIp, isPort, reject, timeError, toCount, type Decoded, type DecodeLimits, type Decoder } from './decode.ts';
import { checkLabel, checkName } from './names.ts';
import { canonicalDnsName } from '../../domain/dns-name.ts';
import { storedAddress } from '../../domain/ip.ts';
import { parseRfc3339 } from '../../domain/time.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

/** protojson renders 64-bit integers as strings; accept both renderings. */
function port(v: unknown): number | undefined {
  const n = toCount(v);
  return isPort(n) ? n : undefined;
}

const VERDICTS: Record<string, Verdict> = {
  FORWARDED: 'forwarded',
  REDIRECTED: 'forwarded',
  TRANSLATED: 'forwarded',
  TRACED: 'forwarded',
  // Audit mode: the policy would have denied it, but the packet passed.
  AUDIT: 'forwarded',
  DROPPED: 'dropped',
};

const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace=';
/** Well-known Cilium identities, for endpoints printed with an identity number but no labels. */
const RESERVED_IDENTITIES: Record<number, string> = { 1: 'host', 2: 'world', 3: 'unmanaged', 4: 'health', 5: 'init', 6: 'remote-node', 7: 'kube-apiserver', 8: 'ingress', 9: 'world-ipv4', 10: 'world-ipv6' };
const NON_FLOW_KEYS = ['node_status', 'lost_events', 'agent_event', 'debug_event'];

/** True when a parsed line looks like Hubble output (used by `--format auto`). */
export function looksLikeHubble(r: Record<string, unknown>): boolean {
  return 'flow' in r || 'IP' in r || 'l4' in r || 'verdict' in r || NON_FLOW_KEYS.some((k) => k in r);
}

/** A reporting node's name and, in Cilium's `cluster/node` form, its cluster. */
function nodeName(v: string): { node: string; cluster?: string } | undefined {
  if (!v) return undefined;
  const i = v.lastIndexOf('/');
  return i >= 0 ? { node: v.slice(i + 1), ...(i > 0 ? { cluster: v.slice(0, i) } : {}) } : { node: v };
}

/** The label Cilium gives every endpoint with its cluster's name (ClusterMesh). */
const CLUSTER_LABEL = 'k8s:io.cilium.k8s.policy.cluster=';

/**
 * What the stream taught about each Cilium identity's label set: the pod metadata (name, owner) an
 * endpoint with those labels carried. An endpoint with `k8s:` labels and a namespace but no
 * `pod_name` — traffic from the node's cilium_host address that Cilium attributes to a pod's
 * identity, as in cilium/hubble-otel testdata/basic-sample-400-tcp-flows.json — borrows it, so it
 * resolves like its siblings instead of to `unknown` when the inventory cannot place it by
 * selector. The label set is the identity (Cilium allocates one identity per label set), so every
 * pod sharing it belongs to the same workload in practice. Bounded: the oldest entry goes first.
 */
type PodMeta = Extract<EndpointMeta, { kind: 'pod' }>;
type Learned = Pick<PodMeta, 'podName' | 'ownerKind' | 'ownerName'>;

export class IdentityMemory {
  private readonly byLabels = new Map<string, Learned>();

  constructor(private readonly limit = 10_000) {}

  learn(key: string, m: PodMeta): void {
    const known = this.byLabels.get(key);
    if (known && known.podName === m.podName && known.ownerName === m.ownerName) return;
    this.byLabels.delete(key);
    if (this.byLabels.size >= this.limit) this.byLabels.delete(this.byLabels.keys().next().value as string);
    const entry: Learned = {};
    if (m.podName) entry.podName = m.podName;
    if (m.ownerKind && m.ownerName) {
      entry.ownerKind = m.ownerKind;
      entry.ownerName = m.ownerName;
    }
    this.byLabels.set(key, entry);
  }

  fill(key: string, m: PodMeta): void {
    const known = this.byLabels.get(key);
    if (!known) return;
    if (known.podName) m.podName = known.podName;
    if (known.ownerKind && known.ownerName) {
      m.ownerKind = known.ownerKind;
      m.ownerName = known.ownerName;
    }
  }

  get size(): number {
    return this.byLabels.size;
  }
}

type MetaResult = { meta?: EndpointMeta; reject?: undefined } | { reject: Decoded };

/** A field with a value: neither absent nor `null` (protojson's default). */
const given = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * A field of the wrong JSON type is rejected, never read as absent (a string `flags` is no "no
 * SYN"); `null` is the field's default, as the proto3 JSON mapping reads it (an empty list, no value).
 */
function wrongShape(ep: Record<string, unknown>, field: string): Decoded | undefined {
  if (given(ep.labels)) {
    if (!Array.isArray(ep.labels)) return reject('invalid-field', `${field}.labels`, ep.labels, `${field}.labels must be an array of strings`);
    const i = ep.labels.findIndex((l) => typeof l !== 'string');
    if (i >= 0) return reject('invalid-field', `${field}.labels[${i}]`, ep.labels[i], `${field}.labels[${i}] must be a string`);
  }
  // A pod name or a workload of another type read as absent credits the flow to another workload.
  const notString = (key: string) => notAString(ep[key], `${field}.${key}`);
  const scalar = notString('pod_name') ?? notString('cluster_name') ?? notString('namespace');
  if (scalar) return scalar;
  if (given(ep.workloads)) {
    if (!Array.isArray(ep.workloads)) return reject('invalid-field', `${field}.workloads`, ep.workloads, `${field}.workloads must be an array of objects`);
    for (const [i, w] of ep.workloads.entries()) {
      if (!isPlainObject(w)) return reject('invalid-field', `${field}.workloads[${i}]`, w, `${field}.workloads[${i}] must be an object`);
      const bad = notAString(w.name, `${field}.workloads[${i}].name`) ?? notAString(w.kind, `${field}.workloads[${i}].kind`);
      if (bad) return bad;
    }
  }
  // uint32 (a protojson number, or its string): another type would lose the reserved identity.
  if (given(ep.identity) && toCount(ep.identity) === undefined) return reject('invalid-field', `${field}.identity`, ep.identity, `${field}.identity must be a non-negative integer`);
  return undefined;
}

/** A reject when `v` is given (not absent, not `null`) and not a string. */
function notAString(v: unknown, field: string): Decoded | undefined {
  return given(v) && typeof v !== 'string' ? reject('invalid-field', field, v, `${field} must be a string`) : undefined;
}

/** The enums flowmatrix reads, by number (cilium/cilium api/v1/flow/flow.proto). */
const VERDICT_NAMES = ['VERDICT_UNKNOWN', 'FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED'];
const FLOW_TYPES = ['UNKNOWN_TYPE', 'L3_L4', 'L7', 'SOCK'];
const IP_VERSIONS = ['IP_NOT_USED', 'IPv4', 'IPv6'];
const TRAFFIC_DIRECTIONS = ['TRAFFIC_DIRECTION_UNKNOWN', 'INGRESS', 'EGRESS'];
/** Where a trace was taken (flow.proto TraceObservationPoint; TO_ENDPOINT is 101). */
const OBSERVATION_POINTS: Readonly<Record<number, string>> = {
  0: 'UNKNOWN_POINT', 1: 'TO_PROXY', 2: 'TO_HOST', 3: 'TO_STACK', 4: 'TO_OVERLAY', 101: 'TO_ENDPOINT', 5: 'FROM_ENDPOINT',
  6: 'FROM_PROXY', 7: 'FROM_HOST', 8: 'FROM_STACK', 9: 'FROM_OVERLAY', 10: 'FROM_NETWORK', 11: 'TO_NETWORK',
};
/** The drop reasons of a policy verdict (flow.proto DropReason): denied by no allow rule, or by a deny rule. */
const POLICY_DROP_REASONS: Readonly<Record<number, string>> = { 133: 'POLICY_DENIED', 181: 'POLICY_DENY' };

type EnumResult = { name?: string; reject?: undefined } | { reject: Decoded };

/**
 * An enum field by name or by number, both of which the proto3 JSON mapping reads (and
 * @grpc/proto-loader with `enums: String` hands over a value its .proto does not name as a number).
 * A number no name is known for stays unknown; any other type is rejected.
 */
function enumField(v: unknown, field: string, names: Readonly<Record<number, string>>): EnumResult {
  if (!given(v)) return {};
  if (typeof v === 'string') return { name: v };
  if (typeof v === 'number' && Number.isInteger(v)) return { name: names[v] ?? String(v) };
  return { reject: reject('invalid-field', field, v, `${field} must be an enum name or number`) };
}

type PolicyDropResult = { policy: boolean; reject?: undefined } | { reject: Decoded };
const POLICY_DROPS = new Set(Object.values(POLICY_DROP_REASONS));

/**
 * Whether a drop is a policy verdict's, by `drop_reason_desc` (an enum: name or number) or else the
 * deprecated `drop_reason` (its number). Such a packet came from the client: the datapath enforces
 * policy only on packets conntrack does not know as replies (cilium/cilium bpf/bpf_lxc.c, "Skip
 * policy enforcement for return traffic": CT_REPLY, CT_RELATED), as Hubble assumes too
 * (pkg/hubble/parser/threefour/parser.go decodeTrafficDirection: "dropped packets are not dropped
 * reply packets"), while a drop carries no is_reply (decodeIsReply).
 */
function policyDrop(f: Record<string, unknown>, prefix: string): PolicyDropResult {
  const desc = enumField(f.drop_reason_desc, `${prefix}drop_reason_desc`, POLICY_DROP_REASONS);
  if (desc.reject) return desc;
  if (desc.name !== undefined) return { policy: POLICY_DROPS.has(desc.name) };
  if (!given(f.drop_reason)) return { policy: false };
  const n = toCount(f.drop_reason);
  if (n === undefined) return { reject: reject('invalid-field', `${prefix}drop_reason`, f.drop_reason, `${prefix}drop_reason must be a non-negative integer`) };
  return { policy: POLICY_DROP_REASONS[n] !== undefined };
}

/**
 * Whether a packet that is no reply was recorded before the receiver's ingress policy had its say:
 * a trace anywhere but TO_ENDPOINT, "transmitted towards endpoints", which the datapath emits on
 * delivery, past the endpoint's ingress policy (flow.proto TraceObservationPoint; Hubble reads the
 * datapath's 0, TO_LXC, as TO_ENDPOINT); without an observation point (a policy verdict, the DNS
 * proxy's record), a record of the sender's egress. A record that says neither keeps its verdict.
 */
function seenBeforeReceiver(point: string | undefined, direction: string | undefined): boolean {
  if (point !== undefined && point !== 'UNKNOWN_POINT') return point !== 'TO_ENDPOINT';
  return direction === 'EGRESS';
}

function endpointMeta(ep: unknown, field: string, memory: IdentityMemory): MetaResult {
  if (!isPlainObject(ep)) return {};
  const shape = wrongShape(ep, field);
  if (shape) return { reject: shape };
  const labels = (ep.labels ?? []) as string[];
  let namespace = typeof ep.namespace === 'string' && ep.namespace ? ep.namespace : undefined;
  let nsField = `${field}.namespace`;
  let reserved: string[] | undefined;
  let podLabels: Record<string, string> | undefined;
  const k8sLabels: string[] = [];
  let cluster = typeof ep.cluster_name === 'string' && ep.cluster_name ? ep.cluster_name : undefined;
  for (const l of labels) {
    if (l.startsWith(CLUSTER_LABEL)) cluster ??= l.slice(CLUSTER_LABEL.length);
    if (l.startsWith('k8s:')) k8sLabels.push(l);
    if (l.startsWith('reserved:')) (reserved ??= []).push(l.slice(9));
    else if (l.startsWith(NAMESPACE_LABEL)) {
      const labelled = l.slice(NAMESPACE_LABEL.length);
      if (namespace === undefined) {
        namespace = labelled;
        nsField = `${field}.labels`;
      } else if (labelled !== namespace) {
        // Cilium derives both from the same pod: a record where they differ names no one pod.
        return { reject: reject('invalid-field', `${field}.labels`, l, `${field}.labels says namespace "${labelled}" but ${field}.namespace is "${namespace}"`) };
      }
    } else if (l.startsWith('k8s:') && !l.startsWith('k8s:io.cilium.k8s.')) {
      const eq = l.indexOf('=');
      if (eq > 4) {
        const key = l.slice(4, eq);
        const value = l.slice(eq + 1);
        const bad = checkLabel(`${field}.labels`, key, value);
        if (bad) return { reject: bad };
        (podLabels ??= {})[key] = value;
      }
    }
  }
  const identity = given(ep.identity) ? RESERVED_IDENTITIES[toCount(ep.identity) as number] : undefined;
  if (!reserved && labels.length === 0 && identity) reserved = [identity];
  const podName = typeof ep.pod_name === 'string' && ep.pod_name ? ep.pod_name : undefined;
  if (podName) {
    const bad = checkName(`${field}.pod_name`, podName, 'name');
    if (bad) return { reject: bad };
  }
  if (reserved && !podName) return { meta: { kind: 'reserved', identities: reserved.sort() } };
  if (!namespace) return {};
  const badNs = checkName(nsField, namespace, 'namespace');
  if (badNs) return { reject: badNs };
  const m: EndpointMeta = { kind: 'pod', namespace };
  if (cluster !== undefined) m.cluster = cluster;
  if (podName) m.podName = podName;
  if (podLabels) m.labels = podLabels;
  const w = Array.isArray(ep.workloads) ? ep.workloads[0] : undefined;
  if (isPlainObject(w) && typeof w.kind === 'string' && w.kind && typeof w.name === 'string' && w.name) {
    const bad = checkName(`${field}.workloads[0].kind`, w.kind, 'kind') ?? checkName(`${field}.workloads[0].name`, w.name, 'name');
    if (bad) return { reject: bad };
    m.ownerKind = w.kind;
    m.ownerName = w.name;
  }
  if (k8sLabels.length > 0) {
    const key = `${namespace}\n${k8sLabels.sort().join('\n')}`;
    if (m.podName || m.ownerName) memory.learn(key, m);
    else memory.fill(key, m);
  }
  return { meta: m };
}

type NamesResult = { names?: string[]; reject?: undefined } | { reject: Decoded };

function names(v: unknown, field: string): NamesResult {
  if (!given(v)) return {};
  if (!Array.isArray(v)) return { reject: reject('invalid-field', field, v, `${field} must be an array of strings`) };
  const out: string[] = [];
  for (const [i, n] of v.entries()) {
    if (typeof n !== 'string') return { reject: reject('invalid-field', `${field}[${i}]`, n, `${field}[${i}] must be a string`) };
    if (n.length === 0) continue;
    const bad = checkName(field, n, 'dns-name');
    if (bad) return { reject: bad };
    const name = canonicalDnsName(n);
    if (!out.includes(name)) out.push(name);
  }
  return out.length ? { names: out } : {};
}

type EndpointResult = { endpoint: FlowEndpoint; reject?: undefined } | { reject: Decoded };

function endpoint(ip: string, port: number | undefined, ep: unknown, dnsNames: unknown, service: unknown, fields: { ep: string; names: string; service: string }, memory: IdentityMemory): EndpointResult {
  const e: FlowEndpoint = { ip };
  if (port !== undefined) e.port = port;
  const meta = endpointMeta(ep, fields.ep, memory);
  if (meta.reject) return meta;
  if (given(service)) {
    if (!isPlainObject(service)) return { reject: reject('invalid-field', fields.service, service, `${fields.service} must be an object`) };
    const bad = notAString(service.name, `${fields.service}.name`) ?? notAString(service.namespace, `${fields.service}.namespace`);
    if (bad) return { reject: bad };
  }
  let m = meta.meta;
  if ((!m || m.kind === 'pod') && isPlainObject(service) && typeof service.name === 'string' && service.name && typeof service.namespace === 'string' && service.namespace) {
    const bad = checkName(`${fields.service}.namespace`, service.namespace, 'namespace') ?? checkName(`${fields.service}.name`, service.name, 'service');
    if (bad) return { reject: bad };
    // A pod and its Service: with Cilium replacing kube-proxy, the record of a connection to a
    // Service shows the backend it was translated to, and destination_service the Service
    // (cilium/cilium api/v1/flow/flow.proto `destination_service`): kept for the names it answered.
    if (m) m.service = `${service.namespace}/${service.name}`;
    else m = { kind: 'service', namespace: service.namespace, name: service.name };
  }
  if (m) e.meta = m;
  const n = names(dnsNames, fields.names);
  if (n.reject) return n;
  if (n.names) e.names = n.names;
  return { endpoint: e };
}

function isHealth(m: EndpointMeta | undefined): boolean {
  return m?.kind === 'reserved' && m.identities.includes('health');
}

/** A Hubble decoder with its own identity memory (one per stream keeps streams independent). */
export class HubbleDecoder implements Decoder {
  readonly format = 'hubble';

  constructor(private readonly memory = new IdentityMemory()) {}

  decode(line: unknown, limits?: DecodeLimits): Decoded {
    if (!isPlainObject(line)) return reject('not-an-object');
    let f: Record<string, unknown>;
    let topTime: unknown;
    let topNode: unknown;
    if ('flow' in line) {
      if (!isPlainObject(line.flow)) return reject('invalid-field', 'flow', line.flow);
      f = line.flow;
      topTime = line.time;
      topNode = line.node_name;
    } else if (NON_FLOW_KEYS.some((k) => k in line)) {
      return { kind: 'skip', reason: 'not-a-flow' };
    } else if ('IP' in line || 'l4' in line || 'verdict' in line) {
      f = line;
    } else {
      return reject('missing-field', 'flow');
    }
    const prefix = f === line ? '' : 'flow.';
    // A socket-LB translation traced at the socket (FlowType SOCK, pkg/hubble/parser/sock): no
    // packet, and "source port is not known for TraceSock events". The connection's packets are
    // traced on their own (L3_L4) as they pass.
    const type = enumField(f.Type, `${prefix}Type`, FLOW_TYPES);
    if (type.reject) return type.reject;
    if (type.name === 'SOCK') return { kind: 'skip', reason: 'socket-event' };

    const ip = f.IP;
    if (!given(ip)) return { kind: 'skip', reason: 'non-ip' };
    if (!isPlainObject(ip)) return reject('invalid-field', `${prefix}IP`, ip);
    if (ip.source === undefined) return reject('missing-field', `${prefix}IP.source`);
    if (!isIp(ip.source)) return reject('invalid-field', `${prefix}IP.source`, ip.source, 'IP.source must be an IPv4 or IPv6 address');
    if (ip.destination === undefined) return reject('missing-field', `${prefix}IP.destination`);
    if (!isIp(ip.destination)) return reject('invalid-field', `${prefix}IP.destination`, ip.destination, 'IP.destination must be an IPv4 or IPv6 address');
    // flow.proto IP: `ipVersion` (IPVersion: IP_NOT_USED 0, IPv4 1, IPv6 2) is the header's.
    const ipVersion = enumField(ip.ipVersion, `${prefix}IP.ipVersion`, IP_VERSIONS);
    if (ipVersion.reject) return ipVersion.reject;
    const srcAddr = { field: `${prefix}IP.source`, given: ip.source, stored: storedAddress(ip.source) };
    const dstAddr = { field: `${prefix}IP.destination`, given: ip.destination, stored: storedAddress(ip.destination) };
    const family = ipVersion.name === 'IPv4' ? 'IPv4' : ipVersion.name === 'IPv6' ? 'IPv6' : undefined;
    const families = familyMismatch(srcAddr, dstAddr, family === undefined ? undefined : { field: `${prefix}IP.ipVersion`, value: ip.ipVersion, family });
    if (families) return families;

    const timeText = f.time ?? topTime;
    if (timeText === undefined) return reject('missing-field', `${prefix}time`);
    const timeField = f.time !== undefined ? `${prefix}time` : 'time';
    const time = (typeof timeText === 'string' ? parseRfc3339(timeText) : undefined) ?? NaN;
    if (Number.isNaN(time)) return reject('invalid-field', timeField, timeText, `${timeField} must be an RFC 3339 time`);
    const badTime = timeError(time, limits);
    if (badTime !== undefined) return reject(badTime.reason, timeField, timeText, `${timeField} ${badTime.message}`);

    const l4 = f.l4;
    if (!given(l4)) return { kind: 'skip', reason: 'unsupported-protocol' };
    if (!isPlainObject(l4)) return reject('invalid-field', `${prefix}l4`, l4);
    let protocol: Protocol;
    let ports: Record<string, unknown> | undefined;
    let handshake: HandshakeHint = 'none';
    if (isPlainObject(l4.TCP)) {
      protocol = 'TCP';
      ports = l4.TCP;
    } else if (isPlainObject(l4.UDP)) {
      protocol = 'UDP';
      ports = l4.UDP;
    } else if (isPlainObject(l4.SCTP)) {
      protocol = 'SCTP';
      ports = l4.SCTP;
    } else if (isPlainObject(l4.ICMPv4) || isPlainObject(l4.ICMPv6)) {
      protocol = isPlainObject(l4.ICMPv4) ? 'ICMP' : 'ICMPv6';
      const icmp = (l4.ICMPv4 ?? l4.ICMPv6) as Record<string, unknown>;
      const type = given(icmp.type) ? toCount(icmp.type) : 0; // proto3: absent or null is 0
      const { request, reply } = ECHO_TYPES[protocol];
      if (type === request) handshake = 'src-is-client';
      else if (type === reply) handshake = 'dst-is-client';
      else return { kind: 'skip', reason: 'icmp-control' };
    } else {
      return { kind: 'skip', reason: 'unsupported-protocol' };
    }

    let srcPort: number | undefined;
    let dstPort: number | undefined;
    if (ports) {
      for (const side of ['source_port', 'destination_port'] as const) {
        const field = `${prefix}l4.${protocol}.${side}`;
        // protojson omits zero values: an absent port is port 0, which no packet is addressed to.
        if (ports[side] === undefined) return reject('missing-field', field, undefined, `${field} is missing (port 0)`);
        const n = port(ports[side]);
        if (n === undefined) return reject('invalid-field', field, ports[side], `${field} must be an integer from 1 to 65535`);
        if (side === 'source_port') srcPort = n;
        else dstPort = n;
      }
    }

    if (protocol === 'TCP' && ports !== undefined && given(ports.flags)) {
      const field = `${prefix}l4.TCP.flags`;
      if (!isPlainObject(ports.flags)) return reject('invalid-field', field, ports.flags, `${field} must be an object of booleans ({"SYN": true})`);
      const bad = Object.entries(ports.flags).find(([, v]) => typeof v !== 'boolean' && v !== null);
      if (bad) return reject('invalid-field', `${field}.${bad[0]}`, bad[1], `${field}.${bad[0]} must be a boolean`);
    }
    const flags = protocol === 'TCP' && ports && isPlainObject(ports.flags) ? ports.flags : undefined;
    const loneSyn = flags?.SYN === true && flags.ACK !== true;
    if (f.is_reply === true) handshake = 'dst-is-client';
    else if (f.is_reply === false) handshake = 'src-is-client';
    else if (given(f.is_reply)) return reject('invalid-field', `${prefix}is_reply`, f.is_reply);
    else if (flags?.SYN === true) handshake = loneSyn ? 'src-is-client' : 'dst-is-client';

    const verdictName = enumField(f.verdict, `${prefix}verdict`, VERDICT_NAMES);
    if (verdictName.reject) return verdictName.reject;
    const direction = enumField(f.traffic_direction, `${prefix}traffic_direction`, TRAFFIC_DIRECTIONS);
    if (direction.reject) return direction.reject;
    const point = enumField(f.trace_observation_point, `${prefix}trace_observation_point`, OBSERVATION_POINTS);
    if (point.reject) return point.reject;
    let verdict = verdictName.name !== undefined ? (VERDICTS[verdictName.name] ?? 'unknown') : 'unknown';
    if (handshake === 'none' && verdict === 'dropped') {
      const drop = policyDrop(f, prefix);
      if (drop.reject) return drop.reject;
      if (drop.policy) handshake = 'src-is-client';
    }
    const beforeReceiver = seenBeforeReceiver(point.name, direction.name);
    // FORWARDED before the receiver's endpoint (the sender's egress policy, a trace TO_OVERLAY, or
    // FROM_OVERLAY / FROM_NETWORK on the receiver's node, which carry no traffic_direction) says
    // nothing of the receiver's ingress policy: a lone SYN it drops looks the same there. As
    // NetObserv's lone SYN, no delivery evidence: the receiver's TO_ENDPOINT trace, an answer or any
    // later packet of the connection is.
    if (verdict === 'forwarded' && loneSyn && beforeReceiver) verdict = 'unknown';
    // A datagram has no later packet that proves delivery: seen before the receiver's endpoint, it
    // proves only the sender's egress — the pipeline tells a server in the cluster from one outside.
    // Nor has an L7 record of the sender's proxy: it logs a request it allowed as forwarded before
    // it connects to the server (cilium/proxy cilium/l7policy.cc AccessFilter::decodeHeaders).
    const noLaterPacket = protocol !== 'TCP' || type.name === 'L7';
    const egressOnly = verdict === 'forwarded' && noLaterPacket && f.is_reply !== true && beforeReceiver;
    const srcResult = endpoint(srcAddr.stored, srcPort, f.source, f.source_names, f.source_service, { ep: `${prefix}source`, names: `${prefix}source_names`, service: `${prefix}source_service` }, this.memory);
    if (srcResult.reject) return srcResult.reject;
    const dstResult = endpoint(dstAddr.stored, dstPort, f.destination, f.destination_names, f.destination_service, { ep: `${prefix}destination`, names: `${prefix}destination_names`, service: `${prefix}destination_service` }, this.memory);
    if (dstResult.reject) return dstResult.reject;
    const src = srcResult.endpoint;
    const dst = dstResult.endpoint;
    if (isHealth(src.meta) || isHealth(dst.meta)) return { kind: 'skip', reason: 'cilium-health' };

    // Hubble has no packet/byte counters on trace events: each event stands for one packet.
    const flow: Decoded = {
      kind: 'flow',
      flow: { time, src, dst, protocol, packets: 1, bytes: 0, verdict, handshake, source: 'hubble' },
    };
    if (egressOnly) flow.flow.provesEgressOnly = true;
    const nodeField = given(f.node_name) ? `${prefix}node_name` : 'node_name';
    const nodeValue = given(f.node_name) ? f.node_name : topNode;
    const nodeType = notAString(nodeValue, nodeField);
    if (nodeType) return nodeType;
    const node = given(nodeValue) ? nodeName(nodeValue as string) : undefined;
    if (node) {
      const bad = checkName(nodeField, node.node, 'name');
      if (bad) return bad;
      flow.flow.observedOn = node.node;
      if (node.cluster !== undefined) flow.flow.observedInCluster = node.cluster;
    }
    return flow;
  }
}

export function createHubbleDecoder(memory?: IdentityMemory): Decoder {
  return new HubbleDecoder(memory);
}

/** The shared decoder `--format hubble|auto` uses: its identity memory lives as long as the process (bounded). */
export const hubbleDecoder: Decoder = new HubbleDecoder();
