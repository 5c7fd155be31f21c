/**
 * Stage 2 (decode): one wire line → a FlowObservation, a counted skip, or a reject that names
 * the field and value at fault. Decoders never throw on bad input.
 */
import { MAX_COUNT, MAX_TIME_MS, MIN_FLOW_TIME_MS, type FlowObservation } from '../../domain/flow.ts';
import { isIpAddress } from '../../domain/ip.ts';
import type { KnownMeta } from './known-meta.ts';

export const REJECT_REASONS = [
  'invalid-json',
  'truncated',
  'line-too-long',
  'not-an-object',
  'unknown-format',
  'missing-field',
  'invalid-field',
  /** A time after now plus the allowed clock skew (or before 1970): it would move "now" for everyone. */
  'time-out-of-range',
  /** The decoder failed on the record (a bug): counted, never fatal. */
  'undecodable',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const SKIP_REASONS = [
  /** ARP and other non-IP frames (NetObserv Etype ≠ IPv4/IPv6). */
  'non-ip',
  /** IP protocols no policy engine can express (GRE, ESP, …). */
  'unsupported-protocol',
  /** ICMP errors and other non-echo messages: not a connection. */
  'icmp-control',
  /** Hubble stream lines carrying node_status / lost_events instead of a flow. */
  'not-a-flow',
  /** Cilium health probes (reserved:health): infrastructure, never a policy rule. */
  'cilium-health',
  /**
   * A NetObserv record marked `Duplicate: true` (`"true"` when read back from a Loki label): the
   * same packets captured again on another interface of the same host (NetObserv flows format,
   * "Duplicate"), counted by its twin.
   */
  'duplicate',
  /**
   * A NetObserv conversation-tracking summary (`_RecordType` newConnection, heartbeat,
   * endConnection): its Packets/Bytes are the conversation's totals so far, the flow logs' again.
   */
  'conversation-summary',
  /** A Hubble SOCK event: a socket-level service translation, traced before any packet (no source port). */
  'socket-event',
  /**
   * Past the edge caps, an edge between workloads only flow records name (no block can stand for
   * a name, collectors/flows/edge-budget.ts): set by the pipeline, never by a decoder.
   */
  'edge-cap',
  /**
   * A flow from before the IP history retention kept (store/retention.ts, `retention.historyDays`):
   * who held its addresses then is forgotten, and today's holder may be another pod. Set by the
   * pipeline, never by a decoder.
   */
  'before-history',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type Decoded =
  | { kind: 'flow'; flow: FlowObservation }
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'reject'; reason: RejectReason; field?: string; value?: string; message?: string };

/** What a decoder checks a record against besides its format. */
export interface DecodeLimits {
  /** Latest acceptable flow time, ms: the ingest's clock plus the allowed skew. Default: the end of the Date range. */
  maxTime?: number;
  /** Endpoint metadata found valid earlier in the ingest (collectors/flows/known-meta.ts): a side met again is not checked again. Default: every side checked. */
  knownMeta?: KnownMeta;
}

export interface Decoder {
  readonly format: string;
  /** Decodes an already parsed JSON line. */
  decode(record: unknown, limits?: DecodeLimits): Decoded;
}

export { FORMATS, type FlowFormat } from './ingest-defaults.ts';

export function reject(reason: RejectReason, field?: string, value?: unknown, message?: string): Decoded {
  const r: Decoded = { kind: 'reject', reason };
  if (field !== undefined) r.field = field;
  if (value !== undefined) r.value = showValue(value);
  const text = message ?? (field === undefined ? undefined : reason === 'missing-field' ? `${field} is missing` : `${field} has a value this format does not allow`);
  if (text !== undefined) r.message = printable(text);
  return r;
}

/** A short, printable rendering of an offending value for error reports; never throws (deep or cyclic values). */
export function showValue(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = value;
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = Array.isArray(value) ? '[…]' : typeof value === 'object' && value !== null ? '{…}' : String(value);
    }
  }
  s = printable(s);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Control characters (NUL, BEL, ESC …) escaped: a report, a status or a terminal must not get them raw. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Strict dotted-quad IPv4 (no leading zeros): the fast path; everything else goes through ipaddr.js (domain/ip.ts). */
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IP address as Kubernetes reads one: `:::`, `fffff::1`, `10.1`, `010.0.0.1` and zones are not. */
export function isIp(s: unknown): s is string {
  if (typeof s !== 'string' || s.length === 0 || s.length > 45) return false;
  if (IPV4.test(s)) return true;
  return s.includes(':') && isIpAddress(s);
}

/** One address of a record: its field, the text the record gave and that text as stored (`storedAddress`). */
export interface AddressField {
  field: string;
  given: string;
  stored: string;
}

/** An address's family as stored: an IPv4-mapped address (`::ffff:a.b.c.d`) is stored as the IPv4 address it maps. */
export const storedFamily = (stored: string): 'IPv4' | 'IPv6' => (stored.includes(':') ? 'IPv6' : 'IPv4');

/**
 * One flow record comes from one IP header, which has one family: both its addresses are of it
 * (compared as stored, so `::ffff:10.0.0.1` is IPv4, as the agents print the IPv4 addresses they
 * hold mapped: Go's net.IP String). The family the record says the header had (`version`:
 * NetObserv's Etype, the frame's EtherType, ebpf-agent RecordToMap; Hubble's IP.ipVersion, cilium
 * pkg/hubble/parser/threefour decodeIPv4 / decodeIPv6) may say IPv6 of IPv4 addresses: the agent's
 * TCP retransmit tracepoint takes the socket's family, and a dual-stack listener (`[::]`) serving
 * IPv4 has an IPv6 socket holding IPv4-mapped addresses (netobserv-ebpf-agent bpf/tcp_retrans.h,
 * `family == AF_INET6` → ETH_P_IPV6 with saddr_v6/daddr_v6) — the addresses are the packet's. An
 * IPv4 header holding IPv6 addresses cannot be. Either impossibility is an `invalid-field` naming
 * both fields and values, never half of it counted towards an edge. One string comparison per record.
 */
export function familyMismatch(src: AddressField, dst: AddressField, version?: { field: string; value: unknown; family: 'IPv4' | 'IPv6' }): Decoded | undefined {
  const family = storedFamily(src.stored);
  const dstFamily = storedFamily(dst.stored);
  if (dstFamily !== family) return reject('invalid-field', dst.field, dst.given, `${dst.field} ${shown(dst)} is ${dstFamily} but ${src.field} ${shown(src)} is ${family}: the two addresses of one flow come from one IP header, of one family`);
  if (version !== undefined && version.family === 'IPv4' && family === 'IPv6') {
    return reject('invalid-field', version.field, version.value, `${version.field} ${showValue(version.value)} is ${version.family} but ${src.field} ${shown(src)} is ${family}: the record's addresses come from one IP header, of the family it names`);
  }
  return undefined;
}

/** An address as a message shows it: as given, said to be IPv4-mapped where it is (it counts as IPv4). */
const shown = (a: AddressField): string => (a.given.includes(':') && !a.stored.includes(':') ? `${a.given} (IPv4-mapped)` : a.given);

/** A TCP/UDP/SCTP port: 1–65535 (0 is no port: no packet is addressed to it). */
export function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

export { MAX_COUNT };

/** A non-negative integer counter, saturated at MAX_COUNT; protojson renders 64-bit values as strings. */
export function toCount(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? Math.min(v, MAX_COUNT) : undefined;
  if (typeof v === 'string' && v.length <= 64 && /^\d+$/.test(v)) return Math.min(Number(v), MAX_COUNT);
  return undefined;
}

/**
 * Why a record's time (ms) is no flow time — outside MIN_FLOW_TIME_MS … the ingest's clock plus the
 * allowed skew — as the reject's reason and the message that follows the field's name; undefined
 * for a good time. Before the floor is a malformed value (`invalid-field`); later than the clock
 * allows may be a clock running fast (`time-out-of-range`).
 */
export function timeError(time: number, limits: DecodeLimits | undefined): { reason: RejectReason; message: string } | undefined {
  if (!Number.isFinite(time) || time < 0 || time > MAX_TIME_MS) return { reason: 'invalid-field', message: 'must be a time from 1970 on, inside the Date range' };
  if (time < MIN_FLOW_TIME_MS) {
    return { reason: 'invalid-field', message: `is before ${new Date(MIN_FLOW_TIME_MS).toISOString()}, earlier than any Kubernetes flow: a time never set (0), or in another unit` };
  }
  const max = limits?.maxTime;
  if (max !== undefined && time > max) {
    return { reason: 'time-out-of-range', message: `is later than the latest time accepted, ${new Date(max).toISOString()} (the ingest's clock plus the allowed skew, ingest.maxFutureSkewSeconds)` };
  }
  return undefined;
}
