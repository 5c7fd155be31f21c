/**
 * What a live collector keeps of the records it rejects, as the Kubernetes collector does of the
 * objects it refuses: the most recent few (status `rejections`), and a warn line for each — within
 * a budget per minute, so a stream of bad records cannot flood the log; the lines not written are
 * counted, and the next line written says how many were left out before it.
 */
import type { Logger } from 'pino';
import type { CollectorRejection } from './collector.ts';

/** How many rejections a status keeps (the Kubernetes collector's mirror keeps as many). */
export const KEPT_REJECTIONS = 20;
/** Warn lines per window, and the window. */
const LOG_BUDGET = 10;
const LOG_WINDOW_MS = 60_000;

export class RecentRejections {
  private readonly kept: CollectorRejection[] = [];
  private windowStart = -Infinity;
  private loggedInWindow = 0;
  private unloggedSinceLine = 0;
  /** Rejections not logged because the budget was spent (monotonic). */
  notLogged = 0;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
    /** Fields every line carries (`collector`, the source's address). */
    private readonly context: Record<string, unknown>,
    private readonly message: string,
  ) {}

  /** Keeps `r` among the recent ones and logs it, budget permitting. */
  add(r: CollectorRejection): void {
    this.keep(r);
    const t = this.now();
    if (t - this.windowStart >= LOG_WINDOW_MS || t < this.windowStart) {
      this.windowStart = t;
      this.loggedInWindow = 0;
    }
    if (this.loggedInWindow >= LOG_BUDGET) {
      this.notLogged++;
      this.unloggedSinceLine++;
      return;
    }
    this.loggedInWindow++;
    const line: Record<string, unknown> = { ...this.context, rejection: r };
    if (this.unloggedSinceLine > 0) line.notLoggedBefore = this.unloggedSinceLine;
    this.unloggedSinceLine = 0;
    this.logger.warn(line, this.message);
  }

  /** Keeps `r` among the recent ones without logging it (a caller that logs in its own way). */
  keep(r: CollectorRejection): void {
    this.kept.push(r);
    if (this.kept.length > KEPT_REJECTIONS) this.kept.shift();
  }

  list(): CollectorRejection[] {
    return this.kept.map((r) => ({ ...r }));
  }
}
