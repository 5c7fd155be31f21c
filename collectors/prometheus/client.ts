/**
 * The Prometheus HTTP API through `prometheus-query`: range queries of increments and the active
 * scrape targets, with the configured headers, bearer token file, CA and timeout. Every request
 * is bounded in time (`timeout`, the whole request) and in size (`maxResponseBytes`). Every failure
 * becomes a PrometheusError with a kind (unreachable, timeout, tls, http, bad-response,
 * too-many-series, too-large) so that the collector can count it and log it once per episode.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { PrometheusDriver } from 'prometheus-query';
import type { PrometheusSettings } from './config.ts';
import { durationText } from '../config-values.ts';

export type PrometheusErrorKind = 'unreachable' | 'timeout' | 'tls' | 'http' | 'bad-response' | 'too-many-series' | 'too-large' | 'auth' | 'partial' | 'stopped';

export class PrometheusError extends Error {
  constructor(
    readonly kind: PrometheusErrorKind,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** One series of a range query: its labels and its (time ms, value) points. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: [number, number][];
}

export interface ActiveTarget {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: string;
  /** Epoch ms of the last scrape; 0 when never scraped. */
  lastScrape: number;
}

/**
 * What prometheus-query throws (driver.handleResponse) → a PrometheusError. `status`: the HTTP status
 * of the answer, where one came (the driver drops it from an answer whose body is not the API's: a
 * proxy's 503 page would otherwise read as a malformed answer, not as the outage it is).
 */
function toError(e: unknown, status?: number): PrometheusError {
  if (e instanceof PrometheusError) return e;
  const x = (e ?? {}) as { errorType?: string; error?: string; httpStatus?: number; code?: string; message?: string; original?: { errorType?: string } };
  // The driver's catch() wraps what its own then() threw (an answer that is not the API's) as a network error.
  if (x.original?.errorType) return toError(x.original, status);
  const message = x.error ?? x.message ?? String(e);
  switch (x.errorType) {
    case 'timeout_error':
      return new PrometheusError('timeout', `timed out: ${message}`);
    case 'ssl_error':
      return new PrometheusError('tls', `TLS: ${message}`);
    case 'network_error':
      if (typeof x.code === 'string' && /CERT|SSL|TLS|SELF_SIGNED/.test(x.code)) return new PrometheusError('tls', `TLS: ${x.code}: ${message}`);
      return new PrometheusError('unreachable', x.code ? `${x.code}: ${message}` : message);
    case 'http_error':
      return new PrometheusError(x.httpStatus === 401 || x.httpStatus === 403 ? 'auth' : 'http', `HTTP ${x.httpStatus}: ${message}`, x.httpStatus);
    case 'client_error':
      if (status !== undefined && status >= 400) return new PrometheusError(status === 401 || status === 403 ? 'auth' : 'http', `HTTP ${status}, with a body that is not a Prometheus API response`, status);
      return new PrometheusError('bad-response', `the answer is not a Prometheus API response${status !== undefined ? ` (HTTP ${status})` : ''}`);
    default:
      // prometheus-query's own parsing (QueryResult.fromJSON, Target.fromJSON) throws plain errors on odd shapes.
      return new PrometheusError('bad-response', message);
  }
}

/** A connection reset or broken before any answer came (the driver's network_error of ECONNRESET or EPIPE). */
function isDroppedBeforeAnswer(e: unknown, answer: { status?: number }): boolean {
  const x = (e ?? {}) as { errorType?: string; code?: string };
  return answer.status === undefined && x.errorType === 'network_error' && (x.code === 'ECONNRESET' || x.code === 'EPIPE');
}

/** axios's own rejection of a body past maxContentLength (axios lib/adapters/http.js, handleStreamData), as the driver wraps it. */
function isPastMaxContentLength(e: unknown): boolean {
  const x = (e ?? {}) as { error?: unknown; original?: { message?: unknown } };
  const message = typeof x.original?.message === 'string' ? x.original.message : x.error;
  return typeof message === 'string' && /^maxContentLength size of [0-9]+ exceeded$/.test(message);
}

export class PrometheusApi {
  /** `stopping`: the collector's shutdown; a request in flight is aborted when it fires (a `stopped` error), never waited for up to `timeout`. */
  constructor(
    private readonly settings: PrometheusSettings,
    private readonly stopping?: AbortSignal,
  ) {}

  /**
   * A driver per call: a rotated bearer token file is read again. The answer's `warnings` are put
   * in `warnings`: prometheus-query's own warningHook looks for them on the HTTP response instead
   * of its body, so it never fires.
   */
  private driver(signal: AbortSignal, warnings: string[], answer: { status?: number }): PrometheusDriver {
    const s = this.settings;
    const headers: Record<string, string> = { ...s.headers };
    if (s.bearerTokenFile) {
      let token: string;
      try {
        token = readFileSync(s.bearerTokenFile, 'utf8').trim();
      } catch (e) {
        throw new PrometheusError('auth', `cannot read bearerTokenFile ${s.bearerTokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      headers.Authorization = `Bearer ${token}`;
    }
    const agent = s.ca !== undefined ? new Agent({ ca: s.ca }) : undefined;
    return new PrometheusDriver({
      endpoint: s.url,
      baseURL: '/api/v1/',
      headers,
      timeout: s.timeoutMs,
      responseInterceptor: {
        onFulfilled: (response) => {
          answer.status = response.status;
          const w = (response.data as { warnings?: unknown } | undefined)?.warnings;
          if (Array.isArray(w)) for (const x of w) warnings.push(String(x));
          return response;
        },
        onRejected: (e: unknown) => {
          const status = (e as { response?: { status?: unknown } } | undefined)?.response?.status;
          if (typeof status === 'number') answer.status = status;
          return Promise.reject(e);
        },
      },
      // The driver passes no options of its own for these; its request interceptor sees axios's config.
      requestInterceptor: {
        onFulfilled: (config) => {
          if (agent) config.httpsAgent = agent;
          config.signal = signal;
          // Counted on the decompressed body as it arrives; the request is dropped past it.
          config.maxContentLength = s.maxResponseBytes;
          return config;
        },
      },
    });
  }

  /**
   * One request, bounded: `send` gets a driver whose request is aborted at the deadline and whose
   * answer is cut past maxResponseBytes. axios's own `timeout` is the socket's idle time
   * (ClientRequest#setTimeout, nodejs.org/api/http.html "request.setTimeout"): an answer that
   * keeps trickling in never reaches it, so the deadline is an AbortSignal over the whole request.
   * `what` names the request in the errors (the endpoint's URL, the query).
   */
  private async bounded<T>(what: string, send: (driver: PrometheusDriver) => Promise<T>, warnings: string[] = []): Promise<T> {
    const { timeoutMs, maxResponseBytes } = this.settings;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = this.stopping ? AbortSignal.any([deadline, this.stopping]) : deadline;
    const answer: { status?: number } = {};
    try {
      try {
        return await send(this.driver(signal, warnings, answer));
      } catch (e) {
        if (!isDroppedBeforeAnswer(e, answer) || signal.aborted) throw e;
        // Every request here is a GET, which "a user agent MAY automatically retry … after a
        // communication failure" (RFC 9110 §9.2.2, idempotent methods): a kept-alive connection
        // the server closed for idleness as the request went out is reset, not refused. Once.
        return await send(this.driver(signal, warnings, answer));
      }
    } catch (e) {
      if (this.stopping?.aborted) throw new PrometheusError('stopped', `${what} abandoned: the collector is stopping`);
      if (deadline.aborted) throw new PrometheusError('timeout', `${what} did not complete within the timeout of ${durationText(timeoutMs)} (collectors.prometheus.timeout bounds the whole request, answer included)`);
      if (isPastMaxContentLength(e)) {
        throw new PrometheusError('too-large', `${what}: the answer is more than maxResponseBytes ${maxResponseBytes} bytes, cut off and not read (raise maxResponseBytes to read it)`);
      }
      throw toError(e, answer.status);
    }
  }

  /**
   * `query` evaluated every `stepMs` from `startMs` to `endMs` (ms, inclusive). An answer with
   * warnings is refused (`partial`): Thanos and Prometheus with remote read answer `success` with
   * a warning when a store did not answer (partial response), and counting it as the whole window
   * would lose the rest for good — the query's cursor stays, the window is read again next pass.
   */
  async range(query: string, startMs: number, endMs: number, stepMs: number): Promise<RangeSeries[]> {
    const warnings: string[] = [];
    const result: { resultType: string; result: unknown[] } = await this.bounded(
      `query_range "${query}" at ${this.settings.url}/api/v1/query_range`,
      (driver) => driver.rangeQuery(query, startMs, endMs, stepMs / 1000, `${Math.ceil(this.settings.timeoutMs / 1000)}s`),
      warnings,
    );
    if (warnings.length > 0) throw new PrometheusError('partial', `the answer came with warnings (a partial answer is not counted; the window is read again next pass): ${warnings.join('; ').slice(0, 500)}`);
    if (result.resultType !== 'matrix' || !Array.isArray(result.result)) throw new PrometheusError('bad-response', `expected a matrix, got ${result.resultType}`);
    if (result.result.length > this.settings.maxSeries) {
      throw new PrometheusError('too-many-series', `${result.result.length} series answer "${query}", more than maxSeries ${this.settings.maxSeries}`);
    }
    return result.result.map((r) => {
      const rv = r as { metric?: { labels?: object }; values?: { time?: Date; value?: number }[] };
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(rv.metric?.labels ?? {})) if (typeof v === 'string') labels[k] = v;
      const points: [number, number][] = (rv.values ?? []).map((p) => [p.time instanceof Date ? p.time.getTime() : Number.NaN, typeof p.value === 'number' ? p.value : Number.NaN]);
      return { labels, points };
    });
  }

  /**
   * The values `label` takes on the series `selector` selects with points in [startMs, endMs]
   * (GET /api/v1/label/<name>/values with match[], start and end: prometheus/prometheus
   * docs/querying/api.md, "Querying label values"); sorted, empty values left out.
   */
  async labelValues(label: string, selector: string, startMs: number, endMs: number): Promise<string[]> {
    const data: unknown = await this.bounded(`label values of ${label} on ${selector} at ${this.settings.url}/api/v1/label/${label}/values`, (driver) => driver.labelValues(label, selector, startMs, endMs));
    if (!Array.isArray(data)) throw new PrometheusError('bad-response', `expected a list of label values of ${label}`);
    return data.filter((v): v is string => typeof v === 'string' && v !== '').sort();
  }

  async activeTargets(): Promise<ActiveTarget[]> {
    const data = (await this.bounded(`targets at ${this.settings.url}/api/v1/targets`, (driver) => driver.targets('active'))) as { activeTargets?: unknown[] };
    const list = data.activeTargets ?? [];
    return list.map((t) => {
      const x = t as { discoveredLabels?: Record<string, string>; labels?: Record<string, string>; scrapePool?: string; scrapeUrl?: string; health?: string; lastScrape?: Date | string };
      const last = x.lastScrape instanceof Date ? x.lastScrape.getTime() : typeof x.lastScrape === 'string' ? Date.parse(x.lastScrape) : Number.NaN;
      return {
        discoveredLabels: x.discoveredLabels ?? {},
        labels: x.labels ?? {},
        scrapePool: x.scrapePool ?? '',
        scrapeUrl: x.scrapeUrl ?? '',
        health: x.health ?? 'unknown',
        // Go's zero time (0001-01-01) before the first scrape.
        lastScrape: Number.isFinite(last) && last > 0 ? last : 0,
      };
    });
  }
}
