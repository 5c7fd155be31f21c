/**
 * GetFlowsResponse as proto-loader hands it over (keepCase, enums and 64-bit integers as strings,
 * no defaults, no virtual oneof fields) → protobuf's canonical JSON mapping, the shape
 * `hubble observe -o jsonpb` prints and the Hubble decoder reads: a Timestamp becomes an RFC 3339
 * string, a wrapper (BoolValue, Int32Value) its bare value. Everything else already matches
 * (https://protobuf.dev/programming-guides/json/).
 */
import { isPlainObject } from '../../domain/plain-object.ts';

export interface WireTimestamp {
  seconds?: string | number;
  nanos?: number;
}

/** Nanoseconds since the epoch, exact (a Timestamp carries more precision than a double). */
export function timestampNanos(t: WireTimestamp): bigint {
  return BigInt(t.seconds ?? 0) * 1_000_000_000n + BigInt(t.nanos ?? 0);
}

export function nanosToTimestamp(ns: bigint): { seconds: string; nanos: number } {
  const seconds = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  return { seconds: seconds.toString(), nanos: Number(ns - seconds * 1_000_000_000n) };
}

/** The range of a protobuf Timestamp (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z), in seconds. */
const MIN_SECONDS = -62_135_596_800n;
const MAX_SECONDS = 253_402_300_799n;

/** A Timestamp's nanoseconds since the epoch, or undefined outside the range (or for seconds that are no integer). */
export function timestampInRange(t: WireTimestamp): bigint | undefined {
  let ns: bigint;
  try {
    ns = timestampNanos(t);
  } catch {
    return undefined;
  }
  const seconds = BigInt(nanosToTimestamp(ns).seconds);
  return seconds < MIN_SECONDS || seconds > MAX_SECONDS ? undefined : ns;
}

/**
 * RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protojson writes it; undefined for a
 * value outside a Timestamp's range, which no RFC 3339 text holds (protojson refuses it too).
 */
export function timestampToJson(t: WireTimestamp): string | undefined {
  const ns = timestampInRange(t);
  if (ns === undefined) return undefined;
  const { seconds, nanos } = nanosToTimestamp(ns);
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (nanos === 0) return `${base}Z`;
  const digits = String(nanos).padStart(9, '0');
  const frac = nanos % 1_000_000 === 0 ? digits.slice(0, 3) : nanos % 1_000 === 0 ? digits.slice(0, 6) : digits;
  return `${base}.${frac}Z`;
}

function unwrap(v: unknown, zero: unknown): unknown {
  return isPlainObject(v) ? (v.value ?? zero) : v;
}

/** A Timestamp as its JSON text; one outside the range stays as it came, and the decoder rejects it as no RFC 3339 time (counted, never thrown). */
const timeJson = (t: Record<string, unknown>): unknown => timestampToJson(t as WireTimestamp) ?? t;

function flowToJson(f: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...f };
  if (isPlainObject(f.time)) out.time = timeJson(f.time);
  if (f.is_reply !== undefined) out.is_reply = unwrap(f.is_reply, false);
  return out;
}

/** One GetFlowsResponse → the `-o jsonpb` line object (`{flow, node_name, time}`, or `{node_status}` / `{lost_events}`). */
export function responseToJson(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isPlainObject(r.flow)) out.flow = flowToJson(r.flow);
  else if (isPlainObject(r.node_status)) out.node_status = r.node_status;
  else if (isPlainObject(r.lost_events)) {
    const lost: Record<string, unknown> = { ...r.lost_events };
    if (lost.cpu !== undefined) lost.cpu = unwrap(lost.cpu, 0);
    out.lost_events = lost;
  }
  if (typeof r.node_name === 'string' && r.node_name) out.node_name = r.node_name;
  if (isPlainObject(r.time)) out.time = timeJson(r.time);
  return out;
}
