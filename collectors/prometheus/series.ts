/**
 * What one metric series says about traffic, before any inventory is consulted: two endpoints
 * as the series' labels name them, the protocol, the server port when the series carries one,
 * and who the client is when the metric's own semantics say so (each family cites where).
 */
import { showValue } from '../flows/decode.ts';
import type { Protocol, Verdict } from '../../domain/flow.ts';
import { isIpAddress, isIpv4Mapped, parseIp, storedAddress } from '../../domain/ip.ts';
import { dns1123LabelError, dns1123SubdomainError, kindError } from '../../domain/k8s-names.ts';

export type EndpointRef =
  /** A workload by name; `workloadKind` when the series carries it (NetObserv OwnerType, Hubble workload_kind). `namespace` is empty for Hubble `workload-name`. */
  | { kind: 'workload'; namespace: string; name: string; workloadKind?: string }
  /** A pod by name; `ip` (a scrape address) backs the name up through the IP history. */
  | { kind: 'pod'; namespace: string; pod: string; ip?: string }
  | { kind: 'node'; name: string }
  | { kind: 'service'; namespace: string; name: string }
  | { kind: 'ip'; ip: string }
  | { kind: 'apiserver' };

/** `src-is-client`: the metric counts only what the source opened (a SYN, a request, a non-reply flow). */
export type MetricDirection = 'src-is-client' | 'unknown';

export interface MetricFlow {
  src: EndpointRef;
  dst: EndpointRef;
  protocol: Protocol;
  /** The destination's port, when the series carries it. */
  port?: number;
  direction: MetricDirection;
  verdict: Verdict;
  /** True when the port is certainly the one the client connected to (a scrape URL), never a reply's destination. */
  portIsServer?: boolean;
  /** The Service the client addressed, when the series names it (Istio destination_service_*): the port can come from it. */
  service?: { namespace: string; name: string };
  /** An Istio proxy reported it: the port is the application's, which ambient's HBONE may carry on 15008 (mesh-ports.ts). */
  meshReported?: boolean;
  /** The source is the configured scraper (targets.ts), which listens on `listensOn`. */
  configuredClient?: { listensOn: number };
}

/**
 * Two endpoints seen exchanging traffic, with neither direction, port nor protocol (NetObserv's
 * predefined workload metrics): never an edge, kept apart as an observed pair.
 */
export interface MetricPair {
  a: EndpointRef;
  b: EndpointRef;
  /** What the series' value counts. */
  counts: 'flows' | 'bytes' | 'packets';
}

export type SkipReason = 'unsupported-protocol' | 'outside-cluster' | 'reserved-identity' | 'not-a-workload' | 'unknown-peer' | 'pod-short-context';
export type RejectReason = 'missing-label' | 'invalid-label' | 'invalid-value';

export type SeriesReading =
  | { kind: 'flow'; flow: MetricFlow }
  | { kind: 'pair'; pair: MetricPair }
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'reject'; reason: RejectReason; label?: string; value?: string };

export type Labels = Readonly<Record<string, string>>;

/** One metric family query: `sum by (by…)` of what each series counted per step (countPerStep), and how to read its series. */
export interface FamilyQuery {
  family: string;
  metric: string;
  /** PromQL matchers without braces (may be empty). */
  matchers: string;
  by: readonly string[];
  read(labels: Labels): SeriesReading;
  /** The cursor's name when it is not `metric{matchers}` (a query of another shape over the same metric). */
  name?: string;
  /**
   * The PromQL when it is not the plain `sum by (by) countPerStep(metric{matchers})`;
   * `matchers`: the query's own with those of a window's part (window-split.ts), which select the
   * series this query answers.
   */
  promql?(stepMs: number, matchers: string): string;
}

export function reject(reason: RejectReason, label?: string, value?: string): SeriesReading {
  const r: SeriesReading = { kind: 'reject', reason };
  if (label !== undefined) r.label = label;
  if (value !== undefined) r.value = showValue(value);
  return r;
}

/**
 * An address label as an endpoint, in the one spelling flows and the inventory are stored and
 * looked up by (domain/ip.ts storedAddress: `FD00::5` and `fd00:0::5` are `fd00::5`,
 * `::ffff:10.0.0.5` is `10.0.0.5`), so one host is one peer whichever path saw it. An address
 * ingest would refuse too (an IPv6 zone, `fe80::1%eth0`) is a reject naming the label.
 */
export function addressRef(label: string, text: string): EndpointRef | SeriesReading {
  return isIpAddress(text) ? { kind: 'ip', ip: storedAddress(text) } : reject('invalid-label', label, text);
}

/** A port label: an integer 0–65535, or undefined when absent or empty. */
export function portLabel(labels: Labels, name: string): number | 'invalid' | undefined {
  const v = labels[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,5}$/.test(v)) return 'invalid';
  const n = Number(v);
  return n <= 65535 ? n : 'invalid';
}

export function joinMatchers(...parts: string[]): string {
  return parts.filter((p) => p.trim() !== '').join(',');
}

/**
 * How long a series may go without a sample and still be the same series when it comes back:
 * Prometheus' default lookback delta (prometheus docs/querying/basics.md "Staleness"), the gap an
 * instant selector bridges. A series back after a longer gap counts as a new series.
 */
const SAME_SERIES_GAP = '5m';

/**
 * What each series of `selector` counted in the step ending at the evaluation time: its last
 * sample in the step minus its last sample before the step (within SAME_SERIES_GAP); the whole
 * value when that is lower (a reset: the counter restarted from 0) or when there is none (a new
 * series: Cilium creates one on its first flow, `WithLabelValues(...).Inc()`, cilium
 * pkg/hubble/metrics/port-distribution/handler.go, so its first value is flows too). A series
 * with no sample in the step has no point: an ended series, which an instant selector still
 * returns for the lookback delta, is not counted again.
 *
 * The sample before the step is `last_over_time(m[gap] offset step)`, not `m offset step`: a
 * failed scrape writes a staleness marker for every series of the target (prometheus
 * scrape/scrape.go scrapeAndReport: "A failed scrape is the same as an empty scrape, we still call
 * sl.append to trigger stale markers"), after which an instant selector returns nothing, so the
 * series' next sample counted its whole value again; a range selector skips staleness markers
 * (prometheus promql/engine.go matrixIterSlice, `value.IsStaleNaN`).
 *
 * Not `increase(m[step])`: it needs two samples in the step (prometheus promql/functions.go
 * extrapolatedRate), so a series scraped every 60s (Prometheus' default scrape_interval) said
 * nothing at a 1-minute step, and a series' first value was never counted. Each sample falls in
 * exactly one step (its time in (t − step, t]), so nothing is counted twice across steps or passes.
 */
export function countPerStep(selector: string, stepMs: number): string {
  const step = stepMs / 1000;
  const inStep = `(${selector} and (timestamp(${selector}) > time() - ${step}))`;
  const before = `last_over_time(${selector}[${SAME_SERIES_GAP}] offset ${step}s)`;
  return `((${inStep} - ${before}) >= 0 or ${inStep})`;
}

/** The query's PromQL over one step, on the series its matchers and `extra` (a window's part) select. */
export function promql(q: FamilyQuery, stepMs: number, extra: readonly string[] = []): string {
  const matchers = joinMatchers(q.matchers, ...extra);
  if (q.promql) return q.promql(stepMs, matchers);
  return `sum by (${q.by.join(', ')}) ${countPerStep(`${q.metric}{${matchers}}`, stepMs)}`;
}

/** Tells a reading (flow, skip, reject) from an endpoint: their `kind`s never overlap. */
export function isReading(x: EndpointRef | SeriesReading): x is SeriesReading {
  return x.kind === 'flow' || x.kind === 'pair' || x.kind === 'skip' || x.kind === 'reject';
}

/** What is wrong with an endpoint's names (namespace, workload, pod, node, Service, kind), or undefined. */
function refNameProblem(ref: EndpointRef): string | undefined {
  const label = (v: string): string | undefined => (dns1123LabelError(v) === undefined ? undefined : v);
  const subdomain = (v: string): string | undefined => (dns1123SubdomainError(v) === undefined ? undefined : v);
  switch (ref.kind) {
    case 'workload':
      return (ref.namespace === '' ? undefined : label(ref.namespace)) ?? subdomain(ref.name) ?? (ref.workloadKind === undefined || kindError(ref.workloadKind) === undefined ? undefined : ref.workloadKind);
    case 'pod':
      return label(ref.namespace) ?? subdomain(ref.pod);
    case 'node':
      return subdomain(ref.name);
    case 'service':
      return label(ref.namespace) ?? label(ref.name);
    default:
      return undefined;
  }
}

/**
 * A reading whose endpoints are not named as Kubernetes names them becomes a reject naming the
 * side and the value: stored, such a name would make an edge no read takes back (the store
 * checks names when it reads).
 */
export function checkedNames(reading: SeriesReading): SeriesReading {
  const sides: [string, EndpointRef][] = reading.kind === 'flow' ? [['source', reading.flow.src], ['destination', reading.flow.dst]] : reading.kind === 'pair' ? [['source', reading.pair.a], ['destination', reading.pair.b]] : [];
  for (const [side, ref] of sides) {
    const bad = refNameProblem(ref);
    if (bad !== undefined) return reject('invalid-label', side, bad);
  }
  return reading;
}

/** An address label's family, an IPv4-mapped address IPv4 (as ingest stores it, domain/ip.ts storedAddress); undefined for what ipaddr.js does not read. */
function familyOf(text: string): 4 | 6 | undefined {
  const a = parseIp(text);
  return a === undefined ? undefined : isIpv4Mapped(a) ? 4 : a.family;
}

/**
 * A reading whose two sides are addresses of two families becomes a reject naming both: the
 * labels come from flows (NetObserv SrcAddr / DstAddr, Hubble source_ip / destination_ip), and one
 * flow comes from one IP header, of one family (as ingest rejects such a record,
 * collectors/flows/decode.ts familyMismatch). Scrape targets are not read through it: a scraper
 * configured by one address may scrape over the other family.
 */
export function checkedFamilies(reading: SeriesReading): SeriesReading {
  const [a, b] = reading.kind === 'flow' ? [reading.flow.src, reading.flow.dst] : reading.kind === 'pair' ? [reading.pair.a, reading.pair.b] : [];
  if (a?.kind !== 'ip' || b?.kind !== 'ip') return reading;
  const [fa, fb] = [familyOf(a.ip), familyOf(b.ip)];
  return fa !== undefined && fb !== undefined && fa !== fb ? reject('invalid-label', 'source, destination', `${a.ip}, ${b.ip}`) : reading;
}
