/**
 * Rounds of paired runs and what is printed of them: the median and range of a figure over the
 * rounds, and nearest-rank quantiles of latency samples. Shared by bench/recommend.ts,
 * bench/serve.ts and bench/verify-phases.ts.
 */

/** A figure over rounds: its median and the lowest and highest round. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** The median (the mean of the two middle values for an even count), lowest and highest of `xs`. */
export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new Error('spread of no rounds');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const median = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}

/** `2.41× (median; 2.30–2.77×)`; `unit` and `digits` for other figures (` ms`, 1). */
export function formatSpread(x: Spread, unit = '×', digits = 2): string {
  return `${x.median.toFixed(digits)}${unit} (median; ${x.min.toFixed(digits)}–${x.max.toFixed(digits)}${unit})`;
}

/**
 * The nearest-rank `p` quantile of `samples`: the smallest sample at least a fraction `p` of them
 * do not exceed, i.e. the ⌈p·n⌉-th smallest (p = 1 is the maximum); 0 for no samples.
 */
export function quantile(samples: readonly number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? 0;
}

/** What one run of a side reports: its wall and CPU (user + system) time. */
export interface Timed {
  wallMs: number;
  cpuMs: number;
}

/** One round of a pair: both runs and the candidate's wall and CPU time over the base's. */
export interface PairedRound<B extends Timed, C extends Timed> {
  base: B;
  candidate: C;
  wall: number;
  cpu: number;
}

/**
 * `rounds` rounds, each a run of `base` and a run of `candidate` back to back, the base first in
 * the first round and the order alternating after it: the run that goes second meets a warmer
 * page cache, and pairing the two keeps a shared machine's drift (seconds at a time) off one
 * side of the ratio.
 */
export function pairedRounds<B extends Timed, C extends Timed>(rounds: number, base: () => B, candidate: () => C): PairedRound<B, C>[] {
  return Array.from({ length: rounds }, (_, i) => {
    let b: B;
    let c: C;
    if (i % 2 === 0) {
      b = base();
      c = candidate();
    } else {
      c = candidate();
      b = base();
    }
    return { base: b, candidate: c, wall: c.wallMs / b.wallMs, cpu: c.cpuMs / b.cpuMs };
  });
}
