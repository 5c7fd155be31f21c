/**
 * NetObserv flowlogs-pipeline records (Kafka / stdout export, or Loki stream labels merged with
 * the line). Field names and semantics:
 * netobserv/network-observability-operator docs/flows-format.adoc; real records in
 * test/fixtures/reference/flows/netobserv/.
 */
import { ECHO_TYPES, isIcmp, type EndpointMeta, type FlowEndpoint, type HandshakeHint, type Protocol, type Verdict } from '../../domain/flow.ts';
import { familyMismatch, isIp, isPort, reject, timeError, toCount, MAX_COUNT, type Decoded, type DecodeLimits, type Decoder } from './decode.ts';
import type { KnownMeta, MetaFields } from './known-meta.ts';
import { checkName } from './names.ts';
import { storedAddress } from '../../domain/ip.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

/** FLP `pkg/utils/tcp_flags.go`: the agent ORs every flag seen in the window, plus per-packet combos. */
export const TCP_FLAG_BITS: Record<string, number> = {
  FIN: 0x1,
  SYN: 0x2,
  RST: 0x4,
  PSH: 0x8,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  SYN_ACK: 0x100,
  FIN_ACK: 0x200,
  RST_ACK: 0x400,
};
const SYN = 0x2;
const ACK = 0x10;
const SYN_ACK = 0x100;

const PROTOCOL_NUMBERS: Record<number, Protocol> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP' };
const ETYPE_IPV4 = 2048;
const ETYPE_IPV6 = 34525;

/** FLP's rule (conntrack swapAB): a SYN_ACK packet means Src answered; otherwise a SYN means Src opened. */
export function netobservHandshake(flags: number): HandshakeHint {
  if (flags & SYN_ACK) return 'dst-is-client';
  if (flags & SYN) return 'src-is-client';
  return 'none';
}

/**
 * Flags as a bitfield, its decimal string or flag names. null is no flags: flowlogs-pipeline's
 * decode_tcp_flags rewrites Flags in place "always … even if empty/nil"
 * (pkg/pipeline/transform/transform_network.go), and DecodeTCPFlags(0) is a nil []string
 * (pkg/utils/tcp_flags.go), which encoding/json writes as null.
 */
export function parseNetobservFlags(v: unknown): number | undefined {
  if (v === null) return 0;
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 0xffff ? v : undefined;
  if (typeof v === 'string' && /^\d{1,5}$/.test(v)) return parseNetobservFlags(Number(v));
  if (Array.isArray(v)) {
    let bits = 0;
    for (const name of v) {
      if (typeof name !== 'string') return undefined;
      bits |= TCP_FLAG_BITS[name] ?? 0;
    }
    return bits;
  }
  return undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.length > 0 && v.length < 20 && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

/**
 * An integer field from `min` to `max` (a number, or its decimal string as `num` reads one), or
 * undefined when absent; any other value is a reject naming it, never read as absent.
 */
function integerField(r: Record<string, unknown>, key: string, min: number, max: number): number | undefined | Decoded {
  const v = r[key];
  if (v === undefined) return undefined;
  const n = num(v);
  if (n === undefined || !Number.isInteger(n) || n < min || n > max) return reject('invalid-field', key, v, `${key} must be an integer from ${min} to ${max}`);
  return n;
}

const isDecoded = (v: number | string | undefined | Decoded): v is Decoded => typeof v === 'object';

const isRejected = (m: EndpointMeta | undefined | Decoded): m is Decoded => m?.kind === 'reject';

/**
 * `Duplicate` (network-observability-operator docs/flows-format.adoc: a boolean, and a Loki label):
 * flowlogs-pipeline writes a Loki label's value with fmt.Sprint (pkg/pipeline/write/write_loki.go),
 * so a record read back from Loki, labels merged with the line, says "true" or "false".
 */
function duplicate(v: unknown): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

/**
 * Whether the record's network events say a policy dropped it. NetworkEvents is a list of
 * string maps (ebpf-agent pkg/decode/flows RecordToMap; pkg/utils/networkevents ToMap: Action,
 * Type, Feature, Name, Namespace, Direction, or a Message), and a drop is `Action: "drop"`
 * (ToDropReasonCode). A Go nil slice marshals as null (encoding/json): no events.
 */
function networkEventsDrop(v: unknown): boolean | Decoded {
  if (v === undefined || v === null) return false;
  if (!Array.isArray(v)) return reject('invalid-field', 'NetworkEvents', v, 'NetworkEvents must be an array of objects');
  let drop = false;
  for (let i = 0; i < v.length; i++) {
    const ev: unknown = v[i];
    if (!isPlainObject(ev)) return reject('invalid-field', `NetworkEvents[${i}]`, ev, `NetworkEvents[${i}] must be an object`);
    const action = ev.Action;
    if (action !== undefined && typeof action !== 'string') return reject('invalid-field', `NetworkEvents[${i}].Action`, action, `NetworkEvents[${i}].Action must be a string`);
    if (action === 'drop') drop = true;
  }
  return drop;
}

/**
 * Drop causes that are a filter's verdict on the packet, as the agent names them
 * (netobserv-ebpf-agent pkg/decode/flows PktDropCauseToStr; the kernel's include/net/dropreason-core.h):
 * netfilter ("dropped by netfilter": iptables and nftables NetworkPolicy dataplanes), the tc hooks
 * ("dropped in TC ingress/egress HOOK": eBPF dataplanes), OVS's drop flows (no action left, or an
 * explicit drop: OVN-Kubernetes and Antrea acls) and the OVN acl drops the agent encodes as
 * "NetworkEvent_" + the acl's actor (pkg/utils/networkevents). Every other cause (the TCP stack
 * refusing a stray RST or an old segment, no socket, a full queue) is taken past the policy, or
 * says nothing of it.
 */
const POLICY_DROP_CAUSES: ReadonlySet<string> = new Set([
  'SKB_DROP_REASON_NETFILTER_DROP',
  'SKB_DROP_REASON_TC_INGRESS',
  'SKB_DROP_REASON_TC_EGRESS',
  'OVS_DROP_LAST_ACTION',
  'OVS_DROP_EXPLICIT',
]);
const isPolicyDropCause = (cause: string): boolean => POLICY_DROP_CAUSES.has(cause) || cause.startsWith('NetworkEvent_');

/**
 * How many packets of the record the kernel dropped for a policy's sake: PktDropPackets ("Number
 * of packets dropped by the kernel", network-observability-operator docs/flows-format.adoc) when
 * PktDropLatestDropCause is a filter's, else 0. Both are checked when present.
 */
function kernelPolicyDrops(r: Record<string, unknown>): number | Decoded {
  const packets = r.PktDropPackets === undefined ? 0 : toCount(r.PktDropPackets);
  if (packets === undefined) return reject('invalid-field', 'PktDropPackets', r.PktDropPackets, 'PktDropPackets must be a non-negative integer');
  const cause = r.PktDropLatestDropCause;
  if (cause !== undefined && cause !== null && typeof cause !== 'string') {
    return reject('invalid-field', 'PktDropLatestDropCause', cause, 'PktDropLatestDropCause must be a string');
  }
  return typeof cause === 'string' && isPolicyDropCause(cause) ? packets : 0;
}

interface RecordFate {
  /** An acl drop network event. */
  aclDrop: boolean;
  /** `Packets`: the packets the agent's hook saw — dropped ones included, as a SYN netfilter drops after the hook. */
  seenPackets: number;
  /** The record's Flags hold an ACK or SYN_ACK (TCP). */
  answered: boolean;
  /** Packets the kernel dropped for a policy's sake (kernelPolicyDrops). */
  policyDrops: number;
}

/**
 * What the record proves of its packets' fate. An acl drop event is a drop, and so is a record
 * every seen packet of which a policy dropped (the agent creates one for drops alone,
 * bpf/pkt_drops.h: "there is no matching flows so lets create new one and add the drops"; its
 * Flags, OR'd over dropped packets, prove nothing); a seen packet answering the connection is
 * delivery. A record only some packets of which were dropped (a conntrack clash, a retransmit
 * after a drop, one-way UDP) proves no drop of the traffic: unknown unless answered.
 */
function netobservVerdict(f: RecordFate): Verdict {
  if (f.aclDrop) return 'dropped';
  if (f.policyDrops > 0 && f.policyDrops >= f.seenPackets) return 'dropped';
  return f.seenPackets > 0 && f.answered ? 'forwarded' : 'unknown';
}

/** Milliseconds per unit of each time field: TimeReceived is seconds (flowlogs-pipeline's `time.Now().Unix()`). */
const TIME_UNIT_MS = { TimeFlowEndMs: 1, TimeFlowStartMs: 1, TimeReceived: 1000 } as const;
type TimeField = keyof typeof TIME_UNIT_MS;

/**
 * The flow's time: TimeFlowEndMs, else TimeFlowStartMs, else TimeReceived (ms). Every time the
 * record carries is checked, whether it is the one used or not: a time of another type, never set
 * (0) or out of range is a record whose other fields cannot be trusted either (and a field of
 * another type must not give way to the next one, silently). A flow starts before it ends: the
 * agent takes both from one clock. TimeReceived is flowlogs-pipeline's clock, another host's, so it
 * is not compared with them.
 */
function flowTime(r: Record<string, unknown>, limits: DecodeLimits | undefined): number | Decoded {
  const end = timeField(r, 'TimeFlowEndMs', limits);
  if (isDecoded(end)) return end;
  const start = timeField(r, 'TimeFlowStartMs', limits);
  if (isDecoded(start)) return start;
  const received = timeField(r, 'TimeReceived', limits);
  if (isDecoded(received)) return received;
  if (start !== undefined && end !== undefined && start > end) {
    return reject('invalid-field', 'TimeFlowStartMs', r.TimeFlowStartMs, `TimeFlowStartMs is after TimeFlowEndMs (${end}): a flow cannot end before it starts`);
  }
  return end ?? start ?? received ?? reject('missing-field', 'TimeFlowEndMs');
}

/** One time field in milliseconds; undefined when absent; a reject naming it when it is no flow time. */
function timeField(r: Record<string, unknown>, key: TimeField, limits: DecodeLimits | undefined): number | undefined | Decoded {
  const value = r[key];
  if (value === undefined) return undefined;
  const n = num(value);
  if (n === undefined) return reject('invalid-field', key, value, `${key} must be a number`);
  if (!Number.isInteger(n)) return reject('invalid-field', key, value, `${key} must be whole ${key === 'TimeReceived' ? 'seconds' : 'milliseconds'}`);
  const ms = n * TIME_UNIT_MS[key];
  const bad = timeError(ms, limits);
  return bad === undefined ? ms : reject(bad.reason, key, value, `${key} ${bad.message}`);
}

/** Field names per side, built once: template-literal keys per record showed up in profiles. */
const SIDE_KEYS = {
  Src: { type: 'SrcK8S_Type', name: 'SrcK8S_Name', namespace: 'SrcK8S_Namespace', ownerType: 'SrcK8S_OwnerType', ownerName: 'SrcK8S_OwnerName', host: 'SrcK8S_HostName' },
  Dst: { type: 'DstK8S_Type', name: 'DstK8S_Name', namespace: 'DstK8S_Namespace', ownerType: 'DstK8S_OwnerType', ownerName: 'DstK8S_OwnerName', host: 'DstK8S_HostName' },
} as const;

/**
 * A metadata field read once: its non-empty string; undefined when absent, null or empty (Loki
 * gives empty labels); a reject naming it when it is of another type, which would otherwise be
 * read as absent: the flow attributed to another workload, or to an outside address.
 */
function metaText(r: Record<string, unknown>, key: string): string | undefined | Decoded {
  const v = r[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (v === undefined || v === null) return undefined;
  return reject('invalid-field', key, v, `${key} must be a string`);
}

/** A side's metadata fields, each read once with its type checked in this order; or a reject naming the first of another type. */
function metaFields(r: Record<string, unknown>, k: (typeof SIDE_KEYS)['Src' | 'Dst']): MetaFields | Decoded {
  const type = metaText(r, k.type);
  if (isDecoded(type)) return type;
  const name = metaText(r, k.name);
  if (isDecoded(name)) return name;
  const namespace = metaText(r, k.namespace);
  if (isDecoded(namespace)) return namespace;
  const ownerKind = metaText(r, k.ownerType);
  if (isDecoded(ownerKind)) return ownerKind;
  const ownerName = metaText(r, k.ownerName);
  if (isDecoded(ownerName)) return ownerName;
  const host = metaText(r, k.host);
  if (isDecoded(host)) return host;
  return { type, name, namespace, ownerKind, ownerName, host };
}

/**
 * One side's metadata, undefined when the record carries none, or a reject naming the bad field.
 * Every field's type is checked before any name is. A side whose fields are exactly those of
 * metadata found valid earlier in the ingest (`known`) is that metadata: its fields are strings
 * (or absent), so no type check or name check can fail.
 */
function meta(r: Record<string, unknown>, side: 'Src' | 'Dst', known: KnownMeta | undefined): EndpointMeta | undefined | Decoded {
  const k = SIDE_KEYS[side];
  const name = r[k.name];
  const remembered = known !== undefined && typeof name === 'string' ? known.get(name) : undefined;
  if (remembered !== undefined && hasFields(r, k, remembered.fields)) return remembered.meta;
  const fields = metaFields(r, k);
  if ('kind' in fields) return fields;
  const m = checkedMeta(fields, k);
  if (m !== undefined && !isRejected(m)) known?.remember(fields, m);
  return m;
}

/** Whether the record's fields of a side are exactly `f` (an empty or null field is not an absent one here: it is read the long way). */
function hasFields(r: Record<string, unknown>, k: (typeof SIDE_KEYS)['Src' | 'Dst'], f: MetaFields): boolean {
  return r[k.type] === f.type && r[k.name] === f.name && r[k.namespace] === f.namespace && r[k.ownerType] === f.ownerKind && r[k.ownerName] === f.ownerName && r[k.host] === f.host;
}

/** The metadata the fields make, after every name given is checked. */
function checkedMeta(f: MetaFields, k: (typeof SIDE_KEYS)['Src' | 'Dst']): EndpointMeta | undefined | Decoded {
  const { type, name, namespace, ownerKind, ownerName, host } = f;
  // Every name given is checked, whatever the Type (or without one): a malformed one is refused,
  // never read as absent. A Service's name is a DNS label, any other object's a DNS subdomain.
  const bad =
    (namespace === undefined ? undefined : checkName(k.namespace, namespace, 'namespace')) ??
    (name === undefined ? undefined : checkName(k.name, name, type === 'Service' ? 'service' : 'name')) ??
    (ownerKind === undefined ? undefined : checkName(k.ownerType, ownerKind, 'kind')) ??
    (ownerName === undefined ? undefined : checkName(k.ownerName, ownerName, 'name')) ??
    (host === undefined ? undefined : checkName(k.host, host, 'name'));
  if (bad) return bad;
  if (type === 'Pod' && namespace) {
    const m: EndpointMeta = { kind: 'pod', namespace };
    if (name) m.podName = name;
    if (ownerKind && ownerName) {
      m.ownerKind = ownerKind;
      m.ownerName = ownerName;
    }
    if (host) m.node = host;
    return m;
  }
  if (type === 'Service' && namespace && name) return { kind: 'service', namespace, name };
  if (type === 'Node' && name) return { kind: 'node', name };
  return undefined;
}

function endpoint(ip: string, port: number | undefined, m: EndpointMeta | undefined): FlowEndpoint {
  const e: FlowEndpoint = { ip };
  if (port !== undefined) e.port = port;
  if (m) e.meta = m;
  return e;
}

/**
 * Conversation tracking (flowlogs-pipeline pkg/pipeline/extract/conntrack; FlowCollector
 * `processor.logTypes` Conversations, EndedConversations or All) adds these records beside the flow
 * logs: summaries whose Packets and Bytes are the conversation's totals so far (network-observability-operator
 * docs/flows-format.adoc `_RecordType`). Adding them up would count the flow logs' packets again.
 */
const CONVERSATION_RECORDS: ReadonlySet<string> = new Set(['newConnection', 'heartbeat', 'endConnection']);

export const netobservDecoder: Decoder = {
  format: 'netobserv',
  decode(r: unknown, limits?: DecodeLimits): Decoded {
    if (!isPlainObject(r)) return reject('not-an-object');
    if (r.Duplicate !== undefined) {
      const dup = duplicate(r.Duplicate);
      if (dup === undefined) return reject('invalid-field', 'Duplicate', r.Duplicate, 'Duplicate must be true or false (a boolean, or the string a Loki label holds)');
      if (dup) return { kind: 'skip', reason: 'duplicate' };
    }
    const recordType = r._RecordType;
    if (recordType !== undefined && recordType !== 'flowLog') {
      return typeof recordType === 'string' && CONVERSATION_RECORDS.has(recordType)
        ? { kind: 'skip', reason: 'conversation-summary' }
        : reject('invalid-field', '_RecordType', recordType, '_RecordType must be flowLog, newConnection, heartbeat or endConnection');
    }
    // The frame's EtherType, a uint16 (ebpf-agent RecordToMap `Etype`).
    const etype = integerField(r, 'Etype', 0, 0xffff);
    if (isDecoded(etype)) return etype;
    if (etype !== undefined && etype !== ETYPE_IPV4 && etype !== ETYPE_IPV6) return { kind: 'skip', reason: 'non-ip' };
    const srcIp = r.SrcAddr;
    const dstIp = r.DstAddr;
    if (srcIp === undefined) return reject('missing-field', 'SrcAddr');
    if (!isIp(srcIp)) return reject('invalid-field', 'SrcAddr', srcIp, 'SrcAddr must be an IPv4 or IPv6 address');
    if (dstIp === undefined) return reject('missing-field', 'DstAddr');
    if (!isIp(dstIp)) return reject('invalid-field', 'DstAddr', dstIp, 'DstAddr must be an IPv4 or IPv6 address');
    const src = { field: 'SrcAddr', given: srcIp, stored: storedAddress(srcIp) };
    const dst = { field: 'DstAddr', given: dstIp, stored: storedAddress(dstIp) };
    const families = familyMismatch(src, dst, etype === undefined ? undefined : { field: 'Etype', value: r.Etype, family: etype === ETYPE_IPV4 ? 'IPv4' : 'IPv6' });
    if (families) return families;

    const protoNum = num(r.Proto);
    if (r.Proto === undefined) return reject('missing-field', 'Proto');
    if (protoNum === undefined || !Number.isInteger(protoNum) || protoNum < 0 || protoNum > 255) return reject('invalid-field', 'Proto', r.Proto);
    const protocol = PROTOCOL_NUMBERS[protoNum];
    if (!protocol) return { kind: 'skip', reason: 'unsupported-protocol' };

    const time = flowTime(r, limits);
    if (typeof time !== 'number') return time;

    const packets = r.Packets === undefined ? 0 : toCount(r.Packets);
    if (packets === undefined) return reject('invalid-field', 'Packets', r.Packets, 'Packets must be a non-negative integer');
    const bytes = r.Bytes === undefined ? 0 : toCount(r.Bytes);
    if (bytes === undefined) return reject('invalid-field', 'Bytes', r.Bytes, 'Bytes must be a non-negative integer');
    if (r.FlowDirection !== undefined) {
      const d = num(r.FlowDirection);
      if (d !== 0 && d !== 1 && d !== 2) return reject('invalid-field', 'FlowDirection', r.FlowDirection);
    }

    let srcPort: number | undefined;
    let dstPort: number | undefined;
    let handshake: HandshakeHint = 'none';
    let oredFlags = false;
    let answered = false;
    if (isIcmp(protocol)) {
      // The ICMP header's type and code, each a uint8 (ebpf-agent RecordToMap `IcmpType`, `IcmpCode`).
      const type = integerField(r, 'IcmpType', 0, 255);
      if (isDecoded(type)) return type;
      const code = integerField(r, 'IcmpCode', 0, 255);
      if (isDecoded(code)) return code;
      const { request, reply } = ECHO_TYPES[protocol];
      if (type === request) handshake = 'src-is-client';
      else if (type === reply) handshake = 'dst-is-client';
      else return { kind: 'skip', reason: 'icmp-control' };
    } else {
      if (r.SrcPort === undefined) return reject('missing-field', 'SrcPort');
      if (!isPort(r.SrcPort)) return reject('invalid-field', 'SrcPort', r.SrcPort, 'SrcPort must be an integer from 1 to 65535');
      if (r.DstPort === undefined) return reject('missing-field', 'DstPort');
      if (!isPort(r.DstPort)) return reject('invalid-field', 'DstPort', r.DstPort, 'DstPort must be an integer from 1 to 65535');
      srcPort = r.SrcPort;
      dstPort = r.DstPort;
      if (protocol === 'TCP' && r.Flags !== undefined) {
        const flags = parseNetobservFlags(r.Flags);
        if (flags === undefined) return reject('invalid-field', 'Flags', r.Flags);
        handshake = netobservHandshake(flags);
        oredFlags = handshake === 'src-is-client' && (flags & ACK) !== 0;
        answered = (flags & (ACK | SYN_ACK)) !== 0;
      }
    }

    // An observation proves the packet was on the wire, not that it arrived: a SYN a policy drops
    // looks the same. Delivery is proven by an answered handshake here, or by a reply (pipeline).
    const aclDrop = networkEventsDrop(r.NetworkEvents);
    if (typeof aclDrop === 'object') return aclDrop;
    const policyDrops = kernelPolicyDrops(r);
    if (typeof policyDrops === 'object') return policyDrops;
    const verdict = netobservVerdict({ aclDrop, seenPackets: packets, answered, policyDrops });
    const srcMeta = meta(r, 'Src', limits?.knownMeta);
    if (isRejected(srcMeta)) return srcMeta;
    const dstMeta = meta(r, 'Dst', limits?.knownMeta);
    if (isRejected(dstMeta)) return dstMeta;
    const flow: Decoded = {
      kind: 'flow',
      flow: {
        time,
        src: endpoint(src.stored, srcPort, srcMeta),
        dst: endpoint(dst.stored, dstPort, dstMeta),
        protocol,
        packets,
        bytes,
        verdict,
        handshake,
        source: 'netobserv',
      },
    };
    if (oredFlags) flow.flow.oredFlags = true;
    if (packets === MAX_COUNT || bytes === MAX_COUNT) flow.flow.saturated = true;
    return flow;
  },
};
