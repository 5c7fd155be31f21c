/**
 * One pass of the Prometheus collector: for each metric family query, the increments since the
 * query's cursor (`sum by (…)` of what each series counted per step, series.ts countPerStep: one query per
 * metric per pass, whatever the number of workloads, so it also suits Thanos and Mimir; a window
 * whose answer is past maxSeries or maxResponseBytes is read in parts: window-split.ts), then
 * the active scrape targets. Each query's edges, gaps, run counters and new cursor are committed
 * in ONE transaction: a pass that fails half-way keeps what it committed, and the next pass
 * resumes from each query's own cursor (nothing counted twice, nothing skipped).
 */
import type { FlowSource } from '../../domain/flow.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { IngestRunStore, type IngestRunCounters, type IngestRunStatus } from '../../store/ingest-runs.ts';
import { readNamespaces, readResolutionData } from '../../store/inventory.ts';
import { MeshView } from '../../domain/istio.ts';
import { runBudgets } from '../flows/edge-budget.ts';
import type { IngestLimits } from '../flows/ingest-defaults.ts';
import { ResolutionIndex } from '../flows/resolve.ts';
import { SqliteBatchWriter } from '../flows/write.ts';
import { PrometheusError, type PrometheusApi, type RangeSeries } from './client.ts';
import type { PrometheusSettings } from './config.ts';
import { hubbleQueries, POD_SHORT_WARNING } from './families/hubble.ts';
import { istioQueries } from './families/istio.ts';
import { netobservQueries } from './families/netobserv.ts';
import { netobservPredefinedQueries } from './families/netobserv-predefined.ts';
import { PeerResolver } from './peers.ts';
import { MeshWirePorts } from './mesh-ports.ts';
import { MetricFlowRecorder, type Outcome } from './record.ts';
import { checkedFamilies, checkedNames, type FamilyQuery, type SeriesReading } from './series.ts';
import { WindowReader, type UnreadPart } from './window-split.ts';

import { PrometheusStore } from './store.ts';
import { POD_RECORD_OTHER_NAMESPACE, podRecordWarning, readTarget, scraperListenPort, TargetCursors, type TargetNames } from './targets.ts';
import { compareStrings } from '../../domain/order.ts';
import { DEFAULT_CLUSTER_DOMAIN } from '../../domain/service-dns-names.ts';

export interface QueryOutcome {
  family: string;
  /** `metric{matchers}`, or `targets`. */
  query: string;
  /** `skipped`: the targets' answer was larger than maxSeries or maxResponseBytes and was not read, which asking again would not change; the pass is not failed. */
  status: 'done' | 'failed' | 'up-to-date' | 'skipped';
  /** The window counted, ISO 8601: (from, to]; for `targets`, the first and last scrape counted (none: absent). */
  from?: string;
  to?: string;
  series: number;
  /** Answers the window was read in, when more than one (split: window-split.ts). */
  parts?: number;
  /** Parts that could not be read even split, skipped (their flows not counted), each named. */
  unread?: UnreadPart[];
  error?: string;
  errorKind?: PrometheusError['kind'];
}

export interface PassSummary {
  url: string;
  /** The ingest_runs row of this pass. */
  run: number;
  status: 'done' | 'failed';
  queries: QueryOutcome[];
  /** Points (series × steps) and targets read. */
  records: number;
  /** Turned into flow counts (edges or ambiguous pairs). */
  accepted: number;
  rejected: number;
  skipped: number;
  ambiguous: number;
  /** Flows the counts stood for, on edges. */
  flows: number;
  /** Distinct edges this pass added to or updated. */
  edges: number;
  /** Distinct observed pairs (no direction, port or protocol: never edges) this pass added to or updated. */
  pairs: number;
  /** Count per outcome and reason: rejects (missing-label, …), skips, unknown-workload, no-port, possible-reply, … */
  reasons: Record<string, number>;
  /**
   * The first rejected series and series whose endpoint resolved to no peer (at most 10): which
   * query, which label (or side), which value; the series (labels), a value's time; one example per series.
   */
  examples: { query: string; reason: string; label?: string; value?: string; series?: string; at?: string }[];
  edgesTotal: number;
  /**
   * What the pass stored but could not decide (an Istio port ambient may carry as HBONE:
   * mesh-ports.ts), and what it could not read as configured (series sampled less often than the
   * step, Hubble's pod-short context), sorted.
   */
  warnings: string[];
}

export interface PassOptions {
  db: Db;
  api: PrometheusApi;
  settings: PrometheusSettings;
  now: number;
  /** The service's `ingest:` limits: the edge caps hold for a pass as for any ingest run. */
  limits: IngestLimits;
  /** The cluster's DNS domain (`matrices.clusterDomain`; default cluster.local): scrape targets named by a Service's DNS name (targets.ts). */
  clusterDomain?: string;
}

const MAX_EXAMPLES = 10;
const MAX_POINTS = 10_000;
/**
 * Points recorded between two turns of the event loop. One answer holds up to maxSeries ×
 * window ÷ step points (50,000 × 360 with the defaults after six hours away), and `serve` runs a
 * pass on its event loop, whose health checks and requests must keep answering meanwhile.
 */
export const POINTS_PER_TURN = 5_000;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function familyQueries(settings: PrometheusSettings): FamilyQuery[] {
  const out: FamilyQuery[] = [];
  if (settings.families.includes('hubble')) out.push(...hubbleQueries(settings));
  if (settings.families.includes('netobserv')) out.push(...netobservQueries(settings), ...netobservPredefinedQueries(settings));
  if (settings.families.includes('istio')) out.push(...istioQueries(settings));
  return out;
}

/**
 * A point that can be a count: a time, and a finite, non-negative value no larger than a count the
 * store holds exactly (2^53 - 1; an exporter's garbage such as 1e300 is no count).
 */
function isCount(t: number, v: number): boolean {
  return Number.isFinite(t) && Number.isFinite(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
}

/** A counter's increase as a flow count: rounded (a counter may be a float), and any increase counts at least once. */
export function flowCount(v: number): number {
  return v > 0 ? Math.max(1, Math.round(v)) : 0;
}

/** The smallest time between two points of one series, or undefined with fewer than two. */
function smallestGap(points: readonly (readonly [number, number])[]): number | undefined {
  let gap: number | undefined;
  let previous: number | undefined;
  for (const [t] of points) {
    if (previous !== undefined && (gap === undefined || t - previous < gap)) gap = t - previous;
    previous = t;
  }
  return gap;
}

/**
 * A series has a point in each step it has a sample in (countPerStep): points never closer than
 * two steps are a scrape interval longer than the step. Nothing is lost (each point counts what
 * happened since the previous sample), but the points are further apart than the step says.
 */
function sparseWarning(query: string, stepMs: number): string {
  return `${query}: series sampled less often than once per step (${stepMs / 1000}s), a scrape interval longer than the step: each point counts the flows since the series' previous sample; a gap longer than 5m counts the series' whole value again`;
}

function bump(o: Record<string, number>, k: string, n = 1): void {
  o[k] = (o[k] ?? 0) + n;
}

/** A point's time as RFC 3339, or as it came when it is no time (a reject must not throw). */
function timeText(t: number): string {
  const d = new Date(t);
  return Number.isFinite(d.getTime()) ? d.toISOString() : String(t);
}

/** A series' labels as PromQL writes them, sorted, cut to 400 characters: enough to find it. */
function seriesText(labels: Readonly<Record<string, string>>): string {
  const text = `{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
  return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}

/** Why a pass failed, as its run's `error` and the collector's `lastError` say it: the first failed query and its reason; undefined when none failed. */
export function passFailure(queries: readonly QueryOutcome[]): string | undefined {
  const first = queries.find((q) => q.status === 'failed');
  return first && `${first.query}: ${first.error}`;
}

export async function runPass(options: PassOptions): Promise<PassSummary> {
  const writer = new SqliteBatchWriter(options.db);
  const run = writer.startRun(`prometheus ${options.settings.url}`, 'prometheus');
  try {
    return await countPass(options, writer, run);
  } catch (e) {
    // Not a source failure (the store refused a write, a bug): the run says why it stopped, rather
    // than stay `running` until the next pass's start closes it as left by a stopped process.
    try {
      new IngestRunStore(options.db).fail(run, `the pass stopped: ${(e as Error).message}`);
    } catch {
      // The store refuses even this: the row stays `running` with what it committed, which is still true.
    }
    throw e;
  }
}

/** The pass itself, counted into run `run`. */
async function countPass({ db, api, settings, now, limits, clusterDomain = DEFAULT_CLUSTER_DOMAIN }: PassOptions, writer: SqliteBatchWriter, run: number): Promise<PassSummary> {
  // Every workload whole: series name workloads without their kind (PeerResolver), and the mesh.
  const data = readResolutionData(db, { everyWorkload: true });
  const index = new ResolutionIndex(data);
  const resolver = new PeerResolver(index, data.workloads);
  const wire = new MeshWirePorts(new MeshView(data.workloads, readNamespaces(db)));
  const store = new PrometheusStore(db);
  // One pass is one run: its caps count what it adds over every query, and what is stored.
  const budgets = runBudgets(limits.caps, writer, (k) => index.listedWorkload(k));
  const counters: IngestRunCounters = { records: 0, accepted: 0, rejected: 0, skipped: 0, ambiguous: 0, rejects: {} };
  const reasons: Record<string, number> = {};
  const examples: PassSummary['examples'] = [];
  const queries: QueryOutcome[] = [];
  const edgeKeys = new Set<string>();
  const passWarnings = new Set<string>();
  const pairKeys = new Set<string>();
  let flows = 0;

  const step = settings.stepMs;
  const end = Math.floor((now - settings.delayMs) / step) * step;

  const exampleSeries = new Set<string>();
  /** Keeps the first examples, one per series: which query, label and value, the series' labels, a value's time. */
  const example = (queryName: string, reason: string, r: { label?: string; value?: string; series?: string; at?: string }): void => {
    const seen = r.series !== undefined && exampleSeries.has(`${queryName}\0${r.series}`);
    if (examples.length >= MAX_EXAMPLES || seen) return;
    const ex: PassSummary['examples'][number] = { query: queryName, reason };
    if (r.label !== undefined) ex.label = r.label;
    if (r.value !== undefined) ex.value = r.value.slice(0, 80);
    if (r.series !== undefined) {
      ex.series = r.series;
      exampleSeries.add(`${queryName}\0${r.series}`);
    }
    if (r.at !== undefined) ex.at = r.at;
    examples.push(ex);
  };
  /** Applies one reading's outcome to the counters. */
  const count = (queryName: string, r: SeriesReading | { kind: 'skip'; reason: string } | { kind: 'reject'; reason: string; label?: string; value?: string; series?: string; at?: string }, points: number): void => {
    if (r.kind === 'reject') {
      counters.rejected += points;
      bump(counters.rejects, r.reason, points);
      bump(reasons, r.reason, points);
      example(queryName, r.reason, r);
    } else if (r.kind === 'skip') {
      counters.skipped += points;
      bump(reasons, r.reason, points);
    }
  };
  /**
   * Applies what became of an accepted count; one the edge caps refused is skipped instead (as
   * `ingest` counts it), and so is one whose endpoint resolved to no peer, with an example (the
   * series' side, what it named): flows the store does not get must be said.
   */
  const outcome = (o: Outcome, n: number, query: string, series: () => string): void => {
    if (o === 'edge-cap') {
      counters.skipped++;
      bump(reasons, o);
      return;
    }
    if (typeof o === 'object') {
      counters.skipped++;
      bump(reasons, o.reason);
      example(query, o.reason, { label: o.side, value: o.value, series: series() });
      return;
    }
    counters.accepted++;
    if (o === 'edge') flows += n;
    else if (o !== 'pair') {
      bump(reasons, o);
      if (o === 'ambiguous' || o === 'possible-reply') counters.ambiguous++;
    }
  };

  /** Commits what the recorder holds with the run's counters and the query's new cursor (or `advance`: the targets' cursors), in one transaction. */
  const commit = (recorder: MetricFlowRecorder, query: string, position: number | undefined, status: IngestRunStatus, advance?: () => void): void => {
    const batch = recorder.aggregator.drain();
    if (recorder.folded > 0) counters.folded = (counters.folded ?? 0) + recorder.folded;
    recorder.folded = 0;
    const gaps = recorder.drainGaps();
    const pairs = recorder.drainPairs();
    store.transaction(() => {
      writer.commit(batch, run, counters, status);
      store.writeGaps(gaps);
      store.writePairs(pairs);
      if (position !== undefined) store.advance(settings.url, query, position);
      advance?.();
    });
    for (const k of recorder.edgeKeys) edgeKeys.add(k);
    for (const p of pairs) pairKeys.add(`${p.peerA}\t${p.peerB}`);
  };

  /** Records one answer's series (of one window, or one part of it). */
  const recordSeries = async (q: FamilyQuery, name: string, series: RangeSeries[], recorder: MetricFlowRecorder): Promise<void> => {
    const source: FlowSource = 'prometheus';
    let sinceTurn = 0;
    for (const s of series) {
      if (sinceTurn >= POINTS_PER_TURN) {
        sinceTurn = 0;
        await turn();
      }
      sinceTurn += s.points.length;
      counters.records += s.points.length;
      const gap = smallestGap(s.points);
      if (gap !== undefined && gap > step) passWarnings.add(sparseWarning(name, step));
      const reading = checkedFamilies(checkedNames(q.read(s.labels)));
      if (reading.kind === 'skip' && reading.reason === 'pod-short-context') passWarnings.add(POD_SHORT_WARNING);
      if (reading.kind === 'pair') {
        for (const [t, v] of s.points) {
          if (!isCount(t, v)) {
            count(name, { kind: 'reject', reason: 'invalid-value', value: String(v), series: seriesText(s.labels), at: timeText(t) }, 1);
            continue;
          }
          // Bytes and packets are sums, not counts of events: rounded, never raised to 1.
          const n = reading.pair.counts === 'flows' ? flowCount(v) : Math.round(v);
          if (n > 0) outcome(recorder.recordPair(reading.pair, q.metric, { time: t, value: n, source }), n, name, () => seriesText(s.labels));
          else counters.accepted++;
        }
        continue;
      }
      if (reading.kind !== 'flow') {
        // A label problem names its series too: the label alone cannot be found among thousands.
        count(name, reading.kind === 'reject' ? { ...reading, series: seriesText(s.labels) } : reading, s.points.length);
        continue;
      }
      for (const [t, v] of s.points) {
        if (!isCount(t, v)) {
          count(name, { kind: 'reject', reason: 'invalid-value', value: String(v), series: seriesText(s.labels), at: timeText(t) }, 1);
          continue;
        }
        const n = flowCount(v);
        if (n === 0) {
          counters.accepted++;
          continue;
        }
        outcome(recorder.record(reading.flow, q.metric, { time: t, flows: n, packets: 0, bytes: 0, verdict: reading.flow.verdict, source }), n, name, () => seriesText(s.labels));
      }
    }
  };

  /** Set when the server itself is not answering: the remaining queries are not tried this pass. */
  let down: PrometheusError | undefined;
  const failQuery = (row: QueryOutcome, e: unknown): void => {
    const err = e instanceof PrometheusError ? e : new PrometheusError('bad-response', (e as Error).message);
    row.status = 'failed';
    row.error = err.message;
    row.errorKind = err.kind;
    // `stopped`: the collector is shutting down; nothing more is asked.
    if (err.kind === 'unreachable' || err.kind === 'timeout' || err.kind === 'tls' || err.kind === 'auth' || err.kind === 'stopped') down = err;
  };

  for (const q of familyQueries(settings)) {
    const name = q.name ?? `${q.metric}{${q.matchers}}`;
    const cursor = store.cursor(settings.url, name);
    // Cursors sit on step boundaries; a changed step realigns to the next one.
    const from = cursor !== undefined ? Math.ceil(cursor / step) * step : end - settings.lookbackMs;
    // The first pass anchors the query's start, so that a first pass that fails does not move it forward.
    if (cursor === undefined) store.advance(settings.url, name, from);
    // Prometheus refuses a range query of more than 11,000 points per series (web/api/v1/api.go).
    const to = Math.min(end, from + Math.min(settings.maxWindowMs, MAX_POINTS * step));
    if (to - from < step) {
      queries.push({ family: q.family, query: name, status: 'up-to-date', series: 0 });
      continue;
    }
    const outcomeRow: QueryOutcome = { family: q.family, query: name, status: 'done', from: new Date(from).toISOString(), to: new Date(to).toISOString(), series: 0 };
    queries.push(outcomeRow);
    if (down) {
      // Said as what it is: this query was not sent (the server did not answer the one before).
      outcomeRow.status = 'failed';
      outcomeRow.error = `not asked: the server did not answer the query before (${down.message})`;
      outcomeRow.errorKind = down.kind;
      continue;
    }
    const recorder = new MetricFlowRecorder(resolver, data.services, budgets, wire);
    // What the parts read is counted as it comes; a window that fails half-way keeps none of it.
    const before = { counters: structuredClone(counters), reasons: { ...reasons }, flows };
    let window;
    try {
      window = await new WindowReader(api, q, step).read(from, to, (series) => recordSeries(q, name, series, recorder));
    } catch (e) {
      Object.assign(counters, before.counters);
      for (const k of Object.keys(reasons)) delete reasons[k];
      Object.assign(reasons, before.reasons);
      flows = before.flows;
      failQuery(outcomeRow, e);
      continue;
    }
    outcomeRow.series = window.series;
    if (window.parts > 1) outcomeRow.parts = window.parts;
    if (window.unread.length > 0) {
      // Past maxSeries or maxResponseBytes even split: asked again, the same parts would be refused
      // again (the cardinality is the cluster's). They are skipped and named; the rest is counted.
      failQuery(outcomeRow, window.firstError);
      outcomeRow.unread = window.unread;
      outcomeRow.error = `${outcomeRow.error ?? ''}; ${window.unread.length} part(s) of this window could not be read even split (${window.parts} read), their flows not counted`;
    }
    commit(recorder, name, to, 'running');
  }

  if (settings.families.includes('targets') && settings.scraper) {
    const name = 'targets';
    const row: QueryOutcome = { family: 'targets', query: name, status: 'done', series: 0 };
    queries.push(row);
    try {
      if (down) throw down;
      const targets = await api.activeTargets();
      row.series = targets.length;
      if (targets.length > settings.maxSeries) {
        // The targets are the cluster's and have no window to move past: failing the pass would
        // fail every pass, and keep the collector down for good. Skipped and said so.
        row.status = 'skipped';
        row.errorKind = 'too-many-series';
        row.error = `${targets.length} active targets, more than maxSeries ${settings.maxSeries}: not read, no scrape is counted (raise maxSeries to read them)`;
      } else {
        // The 'targets' cursor is the one every target had before each had its own (targets.ts).
        const cursors = new TargetCursors(store.targetCursors(settings.url), store.cursor(settings.url, name) ?? 0);
        const scraperPort = scraperListenPort(settings.url, settings.scraper);
        const recorder = new MetricFlowRecorder(resolver, data.services, budgets, wire);
        const names: TargetNames = { services: data.services, endpointSlices: data.endpointSlices, clusterDomain, podNamespaceAt: (ip, time) => index.podNamespaceAt(ip, time) };
        let oldest = Infinity;
        let newest = -Infinity;
        // Sorted so that the same answer stores the same rows in the same order.
        const sorted = [...targets].sort((a, b) => compareStrings(a.scrapePool, b.scrapePool) || compareStrings(a.scrapeUrl, b.scrapeUrl));
        for (const [i, t] of sorted.entries()) {
          if (i > 0 && i % POINTS_PER_TURN === 0) await turn();
          // Only scrapes of the target made since its last one counted: each counts once.
          if (!cursors.isNew(t)) continue;
          counters.records++;
          // A garbled answer's date must not move the target's cursor past its later scrapes.
          if (t.lastScrape > now + limits.maxFutureSkewMs) {
            count(name, { kind: 'reject', reason: 'invalid-value', label: 'lastScrape', value: timeText(t.lastScrape), series: t.scrapeUrl.slice(0, 400) }, 1);
            continue;
          }
          cursors.counted(t);
          oldest = Math.min(oldest, t.lastScrape);
          newest = Math.max(newest, t.lastScrape);
          const reading = readTarget(t, settings.scraper, scraperPort, names);
          if (reading.kind !== 'flow') {
            count(name, reading, 1);
            continue;
          }
          if (reading.podRecordNamespace) {
            bump(reasons, POD_RECORD_OTHER_NAMESPACE);
            example(name, POD_RECORD_OTHER_NAMESPACE, { label: 'scrapeUrl', value: new URL(t.scrapeUrl).hostname, series: t.scrapeUrl.slice(0, 400) });
            passWarnings.add(podRecordWarning(reading.podRecordNamespace));
          }
          outcome(recorder.record(reading.flow, 'targets', { time: t.lastScrape, flows: 1, packets: 0, bytes: 0, verdict: reading.flow.verdict, source: 'scrape-targets' }), 1, name, () => t.scrapeUrl.slice(0, 400));
        }
        if (newest >= oldest) {
          row.from = new Date(oldest).toISOString();
          row.to = new Date(newest).toISOString();
        }
        commit(recorder, name, undefined, 'running', () => store.replaceTargetCursors(settings.url, cursors.cursors()));
      }
    } catch (e) {
      if (e instanceof PrometheusError && e.kind === 'too-large') {
        // As more targets than maxSeries: no window to move past, so failing would fail every pass.
        row.status = 'skipped';
        row.errorKind = e.kind;
        row.error = `${e.message}; no scrape is counted`;
      } else failQuery(row, e);
    }
  }

  const failure = passFailure(queries);
  store.transaction(() => {
    writer.commit({ edges: [], ambiguous: [], names: [] }, run, counters, failure === undefined ? 'done' : 'failed');
    if (failure !== undefined) writer.fail(run, counters, failure);
  });
  return {
    url: settings.url,
    run,
    status: failure === undefined ? 'done' : 'failed',
    queries,
    records: counters.records,
    accepted: counters.accepted,
    rejected: counters.rejected,
    skipped: counters.skipped,
    ambiguous: counters.ambiguous,
    flows,
    edges: edgeKeys.size,
    pairs: pairKeys.size,
    reasons: Object.fromEntries(Object.entries(reasons).sort(([a], [b]) => compareStrings(a, b))),
    examples,
    edgesTotal: new EdgeStore(db).count(),
    warnings: [...wire.warnings(), ...passWarnings].sort(compareStrings),
  };
}
