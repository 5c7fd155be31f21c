/**
 * `collectors.prometheus` in the service config: where Prometheus (or Thanos Query, Mimir, any
 * server of the Prometheus HTTP API) is, how to authenticate, how often and how far to look,
 * and which metric families to read. Validated at the door: every problem names its key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIpAddress, storedAddress } from '../../domain/ip.ts';
import { Type, type Static } from '@sinclair/typebox';
import { parseWorkloadKey, type WorkloadRef } from '../../domain/peer.ts';
import { FAMILIES, type Family } from './families.ts';

const strict = { additionalProperties: false };
const Duration = Type.String({ pattern: '^([0-9]+(ms|s|m|h|d))+$', description: 'Prometheus duration: 30s, 5m, 1h30m' });

/**
 * NetObserv's predefined workload metrics read as observed pairs (includeList names, docs/Metrics.md),
 * and what each one's value counts (families/netobserv-predefined.ts).
 */
export const PREDEFINED_WORKLOAD_METRICS: Readonly<Record<string, 'flows' | 'bytes' | 'packets'>> = {
  workload_flows_total: 'flows',
  workload_ingress_bytes_total: 'bytes',
  workload_egress_bytes_total: 'bytes',
  workload_ingress_packets_total: 'packets',
  workload_egress_packets_total: 'packets',
};

export { FAMILIES, type Family };

/** Hubble's `sourceContext`/`destinationContext` identifiers (cilium Documentation/observability/metrics.rst, "Context Options"). */
export const HUBBLE_CONTEXTS = ['workload', 'workload-name', 'pod', 'pod-name', 'ip', 'reserved-identity', 'namespace', 'identity', 'dns', 'app', 'pod-short'] as const;

export const PrometheusCollectorConfig = Type.Object(
  {
    /** Default true: a section with a `url` runs. */
    enabled: Type.Optional(Type.Boolean()),
    /** Base URL of the HTTP API, without `/api/v1` (http:// or https://). */
    url: Type.Optional(Type.String({ minLength: 1 })),
    /** Sent verbatim as the Authorization header (e.g. `Bearer …`, `Basic …`). Prefer bearerTokenFile. */
    authorization: Type.Optional(Type.String({ minLength: 1 })),
    /** A file holding a bearer token (re-read on every pass, so a rotated token is picked up). */
    bearerTokenFile: Type.Optional(Type.String({ minLength: 1 })),
    /** Extra request headers (e.g. `X-Scope-OrgID` for Mimir). */
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Type.String())),
    /** PEM CA bundle to verify an https URL with. */
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    /** The whole of each request, answer included (default 30s): an answer that trickles in is given up on. */
    timeout: Type.Optional(Duration),
    /** Time between passes (default 1m). */
    interval: Type.Optional(Duration),
    /** Range-query step; each point counts what the counters said happened in one step (series.ts countPerStep; default 1m). */
    step: Type.Optional(Duration),
    /** How far back the first pass looks when nothing was collected before (default 1h). */
    lookback: Type.Optional(Duration),
    /** Data younger than this is left for the next pass: scrapes still arriving (default 1m). */
    delay: Type.Optional(Duration),
    /** Largest window one pass queries; a collector behind catches up over several passes (default 6h). */
    maxWindow: Type.Optional(Duration),
    /** A query answering more series than this is refused (bounded memory; default 50000). */
    maxSeries: Type.Optional(Type.Integer({ minimum: 1 })),
    /** An answer larger than this (bytes, decompressed) is cut off and refused (bounded memory; default maxSeries × 16 KiB, at most 256 MiB). */
    maxResponseBytes: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Which families to read (default: all; `targets` needs `scraper`). */
    families: Type.Optional(Type.Array(Type.Union(FAMILIES.map((f) => Type.Literal(f))), { uniqueItems: true })),
    hubble: Type.Optional(
      Type.Object(
        {
          /** How the `source` / `destination` labels were configured (`sourceContext=workload|ip` → ["workload","ip"]). Default ["workload", "ip"]. */
          sourceContext: Type.Optional(Type.Array(Type.Union(HUBBLE_CONTEXTS.map((c) => Type.Literal(c))), { minItems: 1 })),
          destinationContext: Type.Optional(Type.Array(Type.Union(HUBBLE_CONTEXTS.map((c) => Type.Literal(c))), { minItems: 1 })),
          /** Extra label matchers for every Hubble query, PromQL syntax without braces (e.g. `cluster="prod"`). */
          selector: Type.Optional(Type.String()),
        },
        strict,
      ),
    ),
    netobserv: Type.Optional(
      Type.Object(
        {
          /** FlowMetric counters to read (their Prometheus names). Default ["netobserv_workload_syn_in"]. */
          metrics: Type.Optional(Type.Array(Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' }), { minItems: 1, uniqueItems: true })),
          /**
           * Predefined metrics to read as observed pairs (their includeList names, without the
           * `netobserv_` prefix): workload_flows_total, workload_{ingress|egress}_{bytes|packets}_total.
           * Default [workload_flows_total, workload_ingress_bytes_total, workload_ingress_packets_total]; [] reads none.
           */
          predefined: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true })),
          selector: Type.Optional(Type.String()),
        },
        strict,
      ),
    ),
    istio: Type.Optional(Type.Object({ selector: Type.Optional(Type.String()) }, strict)),
    /** The Prometheus server itself, the client of every scrape: one of workload, pod or ip. */
    scraper: Type.Optional(
      Type.Object(
        {
          /** `namespace/Kind/name`, e.g. `monitoring/StatefulSet/prometheus-k8s`. */
          workload: Type.Optional(Type.String({ minLength: 1 })),
          namespace: Type.Optional(Type.String({ minLength: 1 })),
          pod: Type.Optional(Type.String({ minLength: 1 })),
          ip: Type.Optional(Type.String({ minLength: 1 })),
        },
        strict,
      ),
    ),
  },
  strict,
);
export type PrometheusCollectorConfigT = Static<typeof PrometheusCollectorConfig>;

export type ScraperRef = { kind: 'workload'; workload: WorkloadRef } | { kind: 'pod'; namespace: string; pod: string } | { kind: 'ip'; ip: string };

/** The config with defaults applied and every value checked. */
export interface PrometheusSettings {
  url: string;
  headers: Record<string, string>;
  bearerTokenFile?: string;
  ca?: string;
  timeoutMs: number;
  intervalMs: number;
  stepMs: number;
  lookbackMs: number;
  delayMs: number;
  maxWindowMs: number;
  maxSeries: number;
  maxResponseBytes: number;
  families: Family[];
  hubble: { sourceContext: string[]; destinationContext: string[]; selector: string };
  netobserv: { metrics: string[]; predefined: string[]; selector: string };
  istio: { selector: string };
  scraper?: ScraperRef;
}

export class PrometheusConfigError extends Error {}

/**
 * A series' share of an answer: its labels (~0.5 KiB) and the points of a 6-hour window at a
 * 1-minute step (360 × ~20 bytes of `[1736935200,"12"]`), with room to spare; an active target
 * (its discoveredLabels) is of the same order.
 */
const BYTES_PER_SERIES = 16 * 1024;
const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
/**
 * The longest string V8 makes (2^29 − 24 characters on 64-bit: v8 include/v8-primitive.h
 * String::kMaxLength); axios decodes the whole body into one string before JSON.parse, so a
 * larger answer could not be read at all.
 */
const MAX_RESPONSE_BYTES = 0x1fffffe8;

/** `maxResponseBytes` as given, else derived from maxSeries; checked against what can be parsed. */
function resolveMaxResponseBytes(given: number | undefined, maxSeries: number): number {
  if (given === undefined) return Math.min(maxSeries * BYTES_PER_SERIES, DEFAULT_MAX_RESPONSE_BYTES);
  if (given > MAX_RESPONSE_BYTES) {
    throw new PrometheusConfigError(`collectors.prometheus.maxResponseBytes: ${given} is more than ${MAX_RESPONSE_BYTES}, the longest answer the JSON parser can read (lower maxWindow or step to make answers smaller)`);
  }
  return given;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Prometheus duration syntax (`1h30m`, `30s`, `500ms`) → ms. */
export function parseDuration(text: string, key: string): number {
  let total = 0;
  const re = /([0-9]+)(ms|s|m|h|d)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(text))) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    at = re.lastIndex;
  }
  if (at !== text.length || text.length === 0) throw new PrometheusConfigError(`collectors.prometheus.${key}: "${text}" is not a duration (e.g. 30s, 5m, 1h30m)`);
  return total;
}

/** Applies defaults and checks URLs, durations, files and the scraper; throws PrometheusConfigError naming the key. */
export function resolvePrometheusConfig(c: PrometheusCollectorConfigT): PrometheusSettings {
  const key = (k: string): string => `collectors.prometheus.${k}`;
  if (!c.url) throw new PrometheusConfigError(`${key('url')} is required`);
  let url: URL;
  try {
    url = new URL(c.url);
  } catch {
    throw new PrometheusConfigError(`${key('url')}: "${c.url}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PrometheusConfigError(`${key('url')}: only http:// and https:// are supported, got ${url.protocol}`);
  if (c.authorization && c.bearerTokenFile) throw new PrometheusConfigError(`${key('authorization')} and ${key('bearerTokenFile')} are exclusive`);
  if (c.bearerTokenFile && !existsSync(c.bearerTokenFile)) throw new PrometheusConfigError(`${key('bearerTokenFile')}: ${c.bearerTokenFile} does not exist`);
  let ca: string | undefined;
  if (c.caFile) {
    try {
      ca = readFileSync(c.caFile, 'utf8');
    } catch (e) {
      throw new PrometheusConfigError(`${key('caFile')}: cannot read ${c.caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new PrometheusConfigError(`${key('caFile')}: ${c.caFile} holds no PEM certificate`);
  }
  const ms = (k: 'timeout' | 'interval' | 'step' | 'lookback' | 'delay' | 'maxWindow', dflt: string): number => {
    const v = parseDuration(c[k] ?? dflt, k);
    if (v <= 0) throw new PrometheusConfigError(`${key(k)} must be greater than 0`);
    return v;
  };
  const stepMs = ms('step', '1m');
  if (stepMs % 1000 !== 0) throw new PrometheusConfigError(`${key('step')} must be whole seconds`);
  const maxWindowMs = ms('maxWindow', '6h');
  if (maxWindowMs < stepMs) throw new PrometheusConfigError(`${key('maxWindow')} must be at least one step`);
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  if (c.authorization) headers.Authorization = c.authorization;
  // Credentials in the URL (`http://user:pass@host`) are sent as Basic auth, as the HTTP client
  // would, and taken out of the URL: it names the collector in ingest runs, cursors and reports,
  // which read-scoped tokens see.
  if (url.username !== '' || url.password !== '') {
    if (c.authorization || c.bearerTokenFile) throw new PrometheusConfigError(`${key('url')}: credentials in the URL and ${key(c.authorization ? 'authorization' : 'bearerTokenFile')} are exclusive`);
    let credentials: string;
    try {
      credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    } catch {
      throw new PrometheusConfigError(`${key('url')}: the credentials in the URL hold a % that starts no %XX escape (the URL is not shown: it holds a password)`);
    }
    headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const scraper = c.scraper ? resolveScraper(c.scraper) : undefined;
  const families: Family[] = c.families ? [...c.families] : scraper ? [...FAMILIES] : FAMILIES.filter((f) => f !== 'targets');
  if (families.includes('targets') && !scraper) throw new PrometheusConfigError(`${key('families')}: "targets" needs ${key('scraper')} (the Prometheus server's workload, pod or ip)`);
  const maxSeries = c.maxSeries ?? 50_000;
  const settings: PrometheusSettings = {
    url: url.toString().replace(/\/+$/, ''),
    headers,
    timeoutMs: ms('timeout', '30s'),
    intervalMs: ms('interval', '1m'),
    stepMs,
    lookbackMs: ms('lookback', '1h'),
    delayMs: c.delay === undefined ? 60_000 : parseDuration(c.delay, 'delay'),
    maxWindowMs,
    maxSeries,
    maxResponseBytes: resolveMaxResponseBytes(c.maxResponseBytes, maxSeries),
    families,
    hubble: { sourceContext: c.hubble?.sourceContext ?? ['workload', 'ip'], destinationContext: c.hubble?.destinationContext ?? ['workload', 'ip'], selector: c.hubble?.selector ?? '' },
    netobserv: { metrics: c.netobserv?.metrics ?? ['netobserv_workload_syn_in'], predefined: resolvePredefined(c.netobserv?.predefined), selector: c.netobserv?.selector ?? '' },
    istio: { selector: c.istio?.selector ?? '' },
  };
  if (c.bearerTokenFile) settings.bearerTokenFile = c.bearerTokenFile;
  if (ca !== undefined) settings.ca = ca;
  if (scraper) settings.scraper = scraper;
  return settings;
}

/**
 * The predefined NetObserv metrics to read. `namespace_*` and `node_*` name no workload (nothing to
 * record); the ingress and egress variants of one value count the same packets twice when both
 * nodes observe them (FlowMetric.md: use Ingress or Egress, not both), so only one is accepted.
 */
function resolvePredefined(names: string[] | undefined): string[] {
  const key = 'collectors.prometheus.netobserv.predefined';
  const list = names ?? ['workload_flows_total', 'workload_ingress_bytes_total', 'workload_ingress_packets_total'];
  for (const raw of list) {
    const n = raw.replace(/^netobserv_/, '');
    if (/^(namespace|node)_/.test(n)) throw new PrometheusConfigError(`${key}: ${raw} names no workload (only namespaces or nodes), so it cannot corroborate any rule; use the workload_* metrics`);
    if (!(n in PREDEFINED_WORKLOAD_METRICS)) throw new PrometheusConfigError(`${key}: ${raw} is not one of ${Object.keys(PREDEFINED_WORKLOAD_METRICS).join(', ')}`);
  }
  const out = list.map((n) => n.replace(/^netobserv_/, ''));
  for (const value of ['bytes', 'packets']) {
    if (out.includes(`workload_ingress_${value}_total`) && out.includes(`workload_egress_${value}_total`)) {
      throw new PrometheusConfigError(`${key}: workload_ingress_${value}_total and workload_egress_${value}_total count the same ${value} twice when both nodes observe them; keep one`);
    }
  }
  if (new Set(out).size !== out.length) throw new PrometheusConfigError(`${key}: a metric is listed twice`);
  return out;
}

function resolveScraper(s: NonNullable<PrometheusCollectorConfigT['scraper']>): ScraperRef {
  const key = 'collectors.prometheus.scraper';
  const given = [s.workload !== undefined, s.pod !== undefined, s.ip !== undefined].filter(Boolean).length;
  if (given !== 1) throw new PrometheusConfigError(`${key}: give exactly one of workload, pod (with namespace) or ip`);
  if (s.workload !== undefined) {
    try {
      return { kind: 'workload', workload: parseWorkloadKey(s.workload) };
    } catch (e) {
      throw new PrometheusConfigError(`${key}.workload: ${(e as Error).message}`);
    }
  }
  if (s.pod !== undefined) {
    if (!s.namespace) throw new PrometheusConfigError(`${key}.namespace is required with ${key}.pod`);
    return { kind: 'pod', namespace: s.namespace, pod: s.pod };
  }
  if (!isIpAddress(s.ip as string)) throw new PrometheusConfigError(`${key}.ip: "${s.ip}" is not an IP address`);
  // As flows and the inventory store it (storedAddress), or its lookups would miss the pod or node holding it.
  return { kind: 'ip', ip: storedAddress(s.ip as string) };
}
