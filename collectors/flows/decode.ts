/**
 * Stage 2 (decode): one wire line → a FlowObservation, a counted skip, or a reject that names
 * the field and value at fault. Decoders never throw on bad input.
 */
import type { FlowObservation } from '../../domain/flow.ts';

export const REJECT_REASONS = [
  'invalid-json',
  'truncated',
  'line-too-long',
  'not-an-object',
  'unknown-format',
  'missing-field',
  'invalid-field',
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
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type Decoded =
  | { kind: 'flow'; flow: FlowObservation }
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'reject'; reason: RejectReason; field?: string; value?: string };

export interface Decoder {
  readonly format: string;
  /** Decodes an already parsed JSON line. */
  decode(record: unknown): Decoded;
}

export const FORMATS = ['netobserv', 'hubble', 'auto'] as const;
export type FlowFormat = (typeof FORMATS)[number];

export function reject(reason: RejectReason, field?: string, value?: unknown): Decoded {
  const r: Decoded = { kind: 'reject', reason };
  if (field !== undefined) r.field = field;
  if (value !== undefined) r.value = showValue(value);
  return r;
}

/** A short, printable rendering of an offending value for error reports. */
export function showValue(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;

export function isIp(s: unknown): s is string {
  if (typeof s !== 'string' || s.length === 0 || s.length > 45) return false;
  if (IPV4.test(s)) return true;
  return s.includes(':') && IPV6.test(s);
}

export function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535;
}

/** Non-negative integer counters; protojson renders 64-bit values as strings. */
export function toCount(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
  if (typeof v === 'string' && /^\d{1,19}$/.test(v)) return Number(v);
  return undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
