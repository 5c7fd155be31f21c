/**
 * Capped exponential backoff with full jitter, for every collector that retries a source
 * (AWS Architecture Blog, "Exponential Backoff and Jitter": delay = random(0, min(cap, base·2^n))).
 * The random source and the timer are injectable so tests run without waiting.
 */
export interface BackoffOptions {
  /** First delay's upper bound, ms. */
  initialMs?: number;
  /** Largest delay, ms. */
  maxMs?: number;
  /** Returns [0, 1): Math.random by default; tests pass a fixed sequence. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1_000;
    this.maxMs = options.maxMs ?? 60_000;
    this.random = options.random ?? Math.random;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs)) throw new RangeError(`backoff: need 0 < initialMs <= maxMs, got ${this.initialMs} and ${this.maxMs}`);
  }

  /** The delay before the next attempt; each call after a failure doubles the bound, up to the cap. */
  next(): number {
    const bound = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * bound);
  }

  /** After a success: the next failure starts from the first delay again. */
  reset(): void {
    this.attempt = 0;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.attempt;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
