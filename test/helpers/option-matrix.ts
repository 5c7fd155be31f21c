/**
 * Option sets for the tests that run a recommendation "under every option": the full product of
 * a few dimensions, extended so that every pair of values of any two dimensions meets in at
 * least one row (a pairwise covering set), instead of the full product of all of them.
 * Deterministic: the same dimensions give the same rows.
 */
import { MODES, type RecommendOptions } from '../../recommender/synthesize/options.ts';

/** `undefined` as a value means "left to its default" (the key is left out of the row). */
export type Dimensions = Readonly<Record<string, readonly unknown[]>>;

/**
 * Every combination of `full`'s dimensions, each row extended by the other dimensions greedily
 * (the value that covers the most pairs not yet covered), then rows for whatever pair is still
 * uncovered. Throws if some pair stays uncovered (it cannot: a row is added per pair left).
 */
export function coveringRows(dims: Dimensions, full: readonly string[]): Record<string, unknown>[] {
  const keys = Object.keys(dims);
  const pairKey = (k1: string, i: number, k2: string, j: number): string => (k1 < k2 ? `${k1}=${i}|${k2}=${j}` : `${k2}=${j}|${k1}=${i}`);
  const uncovered = new Set<string>();
  for (let a = 0; a < keys.length; a++) {
    for (let b = a + 1; b < keys.length; b++) {
      if (full.includes(keys[a]!) && full.includes(keys[b]!)) continue; // the product covers them
      dims[keys[a]!]!.forEach((_, i) => dims[keys[b]!]!.forEach((__, j) => uncovered.add(pairKey(keys[a]!, i, keys[b]!, j))));
    }
  }
  const gain = (row: Map<string, number>, k: string, i: number): number => [...row].filter(([k2, j]) => uncovered.has(pairKey(k, i, k2, j))).length;
  const complete = (row: Map<string, number>): Map<string, number> => {
    for (const k of keys) {
      if (row.has(k)) continue;
      let best = 0;
      for (let i = 1; i < dims[k]!.length; i++) if (gain(row, k, i) > gain(row, k, best)) best = i;
      row.set(k, best);
    }
    for (const [k1, i] of row) for (const [k2, j] of row) if (k1 !== k2) uncovered.delete(pairKey(k1, i, k2, j));
    return row;
  };
  let base: Map<string, number>[] = [new Map()];
  for (const k of full) base = base.flatMap((row) => dims[k]!.map((_, i) => new Map([...row, [k, i]])));
  const rows = base.map(complete);
  while (uncovered.size > 0) {
    const [first] = uncovered;
    const [[k1, i], [k2, j]] = first!.split('|').map((p) => p.split('=')) as [[string, string], [string, string]];
    rows.push(complete(new Map([[k1, Number(i)], [k2, Number(j)]])));
  }
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = dims[k]![row.get(k)!];
      if (v !== undefined) out[k] = v;
    }
    return out;
  });
}

/** Every option of `recommend` that changes what is emitted (not `now`, `namespace`, `workload`: scoping). */
export const OPTION_DIMENSIONS = {
  mode: MODES,
  shared: [false, true],
  defaultDeny: [false, true],
  egress: [true, false],
  includeMay: [false, true],
  // The default list; stale edges added; observed edges left out altogether (only confirmed ones).
  include: [undefined, ['confirmed', 'documented-unobserved', 'documented-when-set', 'undocumented', 'blocked', 'stale'], ['confirmed', 'documented-unobserved']],
  // The default (30 days); everything older than a day stale; nothing stale.
  staleDays: [undefined, 1, 365],
} as const satisfies Dimensions;

/** The option sets: every mode × shared × defaultDeny, the other options pairwise. */
export const OPTION_SETS = coveringRows(OPTION_DIMENSIONS, ['mode', 'shared', 'defaultDeny']) as Partial<RecommendOptions>[];

/** `mode=observed shared=true …` for test names and failure messages. */
export const describeOptions = (o: Partial<RecommendOptions>): string =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ') || 'defaults';

/**
 * The option sets for the demo data's "all options" tests: every mode × egress × defaultDeny ×
 * shared (what those tests ran before), includeMay, include and staleDays pairwise on top.
 */
export const ALL_OPTION_SETS = coveringRows(OPTION_DIMENSIONS, ['mode', 'egress', 'defaultDeny', 'shared']) as Partial<RecommendOptions>[];
