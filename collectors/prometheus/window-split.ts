/**
 * One query's window read whole, or in parts when its answer is past maxSeries or
 * maxResponseBytes. Halving the time range alone seldom helps: `sum by (…)` of the counts per step over a
 * range answers every series that had a point anywhere in it, and workload-level series live for
 * days, so half the range is nearly as many series (only the bytes halve). The parts are split by
 * the values of the query's grouping labels instead, namespace labels first: the values a label
 * takes on the part's series (GET /api/v1/label/<name>/values with match[], start and end:
 * prometheus/prometheus docs/querying/api.md, "Querying label values") are halved into
 * `label=~"a|b"` and its complement `label!~"a|b"`. A part and its complement select every series
 * once whatever the values answer missed (a series without the label falls in the complement),
 * so nothing is counted twice or lost. Past the labels (a single series too large), the time range
 * is halved, down to one step. What still cannot be read is named (range and selector) and skipped.
 * Each part is read and recorded before the next is asked: memory stays one answer's.
 */
import { PrometheusError, type PrometheusApi, type RangeSeries } from './client.ts';
import { joinMatchers, promql, type FamilyQuery } from './series.ts';

/** Requests (range queries and label values) one window may take before its remaining parts are skipped. */
export const MAX_REQUESTS_PER_WINDOW = 100;
/** Longest alternation of values in one matcher: a part's selector stays a short URL for proxies in front of Prometheus. */
const MAX_ALTERNATION_CHARS = 2_000;

/** A share of a query's window: the steps in (from, to] of the series its matchers select. */
interface WindowPart {
  from: number;
  to: number;
  /** Added to the query's own matchers. */
  matchers: readonly string[];
  /** Grouping labels still to split by, the next first. */
  labels: readonly string[];
}

/** A part that could not be read even split down to one step and one label value, skipped: its flows are not counted. */
export interface UnreadPart {
  /** The part's range, ISO 8601: (from, to]. */
  from: string;
  to: string;
  /** The series it selects, as PromQL writes a selector. */
  selector: string;
  error: string;
}

export interface WindowReading {
  /** Answers read (1 when the window was read whole). */
  parts: number;
  /** Series read over every part. */
  series: number;
  unread: UnreadPart[];
  /** The error of the first unread part. */
  firstError?: PrometheusError;
}

/** An answer past a configured bound (maxSeries, maxResponseBytes): the same request would be refused again. */
function isOverLimit(e: unknown): e is PrometheusError {
  return e instanceof PrometheusError && (e.kind === 'too-many-series' || e.kind === 'too-large');
}

/** The grouping labels to split by: namespace labels first (a cluster's series spread over its namespaces), then the others. */
export function splitLabels(q: FamilyQuery): string[] {
  const namespaced = (l: string): boolean => /namespace/i.test(l);
  return [...q.by.filter(namespaced), ...q.by.filter((l) => !namespaced(l))];
}

function selector(q: FamilyQuery, matchers: readonly string[]): string {
  return `${q.metric}{${joinMatchers(q.matchers, ...matchers)}}`;
}

/** `label=~"v1|v2"` (or `!~`), each value escaped for RE2 (fully anchored) and the string for PromQL. */
function valuesMatcher(label: string, op: '=~' | '!~', values: readonly string[]): string {
  const alternation = values.map((v) => v.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')).join('|');
  return `${label}${op}${JSON.stringify(alternation)}`;
}

/** The first half of `values`, cut shorter when its alternation would pass MAX_ALTERNATION_CHARS (at least one value). */
function firstHalf(values: readonly string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const v of values.slice(0, Math.ceil(values.length / 2))) {
    chars += v.length + 1;
    if (out.length > 0 && chars > MAX_ALTERNATION_CHARS) break;
    out.push(v);
  }
  return out;
}

export class WindowReader {
  private requests = 0;

  constructor(
    private readonly api: PrometheusApi,
    private readonly q: FamilyQuery,
    private readonly stepMs: number,
  ) {}

  /**
   * Reads (from, to], handing each answer to `record` before asking the next. Throws what is not
   * an over-limit answer (the server down, a timeout): the caller then keeps nothing of the window.
   */
  async read(from: number, to: number, record: (series: RangeSeries[]) => Promise<void>): Promise<WindowReading> {
    const out: WindowReading = { parts: 0, series: 0, unread: [] };
    const pending: WindowPart[] = [{ from, to, matchers: [], labels: splitLabels(this.q) }];
    for (let part = pending.pop(); part !== undefined; part = pending.pop()) {
      let series: RangeSeries[];
      try {
        this.requests++;
        series = await this.api.range(promql(this.q, this.stepMs, part.matchers), part.from + this.stepMs, part.to, this.stepMs);
      } catch (e) {
        if (!isOverLimit(e)) throw e;
        const halves = await this.split(part);
        if (halves) pending.push(halves[1], halves[0]);
        else this.unread(out, part, e);
        continue;
      }
      out.parts++;
      out.series += series.length;
      await record(series);
    }
    return out;
  }

  private unread(out: WindowReading, part: WindowPart, e: PrometheusError): void {
    out.firstError ??= e;
    const budget = this.requests >= MAX_REQUESTS_PER_WINDOW ? ` (the window's ${MAX_REQUESTS_PER_WINDOW} requests are spent)` : '';
    out.unread.push({ from: new Date(part.from).toISOString(), to: new Date(part.to).toISOString(), selector: selector(this.q, part.matchers), error: `${e.message}${budget}` });
  }

  /** Two parts that select together what `part` does, or undefined when it cannot be split further (or the budget is spent). */
  private async split(part: WindowPart): Promise<[WindowPart, WindowPart] | undefined> {
    let labels = part.labels;
    while (labels.length > 0 && this.requests < MAX_REQUESTS_PER_WINDOW) {
      const label = labels[0] as string;
      let values: string[];
      try {
        this.requests++;
        values = await this.api.labelValues(label, selector(this.q, part.matchers), part.from, part.to);
      } catch (e) {
        if (!isOverLimit(e)) throw e;
        // Too many values to list: no label split for this part, the time range may still halve.
        labels = [];
        break;
      }
      if (values.length === 0) {
        labels = labels.slice(1);
        continue;
      }
      const first = firstHalf(values);
      return [
        { ...part, matchers: [...part.matchers, valuesMatcher(label, '=~', first)], labels: first.length === 1 ? labels.slice(1) : labels },
        { ...part, matchers: [...part.matchers, valuesMatcher(label, '!~', first)], labels },
      ];
    }
    if (part.to - part.from < 2 * this.stepMs || this.requests >= MAX_REQUESTS_PER_WINDOW) return undefined;
    const mid = part.from + Math.floor((part.to - part.from) / this.stepMs / 2) * this.stepMs;
    return [
      { ...part, to: mid, labels },
      { ...part, from: mid, labels },
    ];
  }
}
