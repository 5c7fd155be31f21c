/**
 * The report schedule: a cron job that builds a report. Start and stop are idempotent; a tick while
 * the previous run is still going is skipped (never two runs at once); a failing run is logged and
 * counted, and the schedule keeps going; a match missed while the service was down runs once at
 * start. The cron implementation is injectable so tests drive ticks
 * without waiting.
 */
import { Cron } from 'croner';

export interface CronHandle {
  stop(): void | Promise<void>;
}

/** Calls `tick` at every match of `expression` in `timezone` until stopped. */
export type CronFactory = (expression: string, tick: () => void, options: { timezone: string }) => CronHandle;

/**
 * Croner, whose time-zone handling follows Vixie cron: a time in a spring-forward gap (02:00–03:00
 * local, where the default "0 2 * * *" falls) runs at the first valid time after it, a time in the
 * repeated fall-back hour runs once, and a run whose moment passed while the event loop was busy or
 * the clock stepped runs late rather than never (croner 11 release notes, "Predictable DST
 * handling"). Unnamed: croner's registry refuses a name twice.
 */
export const cronerSchedule: CronFactory = (expression, tick, options) => {
  const job = new Cron(expression, { timezone: options.timezone }, () => tick());
  return { stop: () => job.stop() };
};

/**
 * What is wrong with a schedule expression, or undefined when it is one the docs promise (5 fields,
 * or 6 with seconds first; nicknames such as @daily) that croner accepts and that matches some
 * date. Croner parses `0 2 30 2 *` (each field in range) and then never runs it (`nextRun()` is
 * null): a service that says its schedule started and never builds a report.
 */
export function cronExpressionProblem(expression: string): string | undefined {
  const invalid = 'is not a valid cron expression (minute hour day-of-month month day-of-week, e.g. "0 2 * * *")';
  const fields = expression.trim().split(/\s+/).length;
  if (!expression.trim().startsWith('@') && fields !== 5 && fields !== 6) return invalid;
  let job: Cron;
  try {
    job = new Cron(expression, { paused: true });
  } catch {
    return invalid;
  }
  try {
    return job.nextRun() === null ? 'matches no date, so no report would ever be built (a day the month never has, such as 30 February or 31 April)' : undefined;
  } finally {
    job.stop();
  }
}

export const isCronExpression = (expression: string): boolean => cronExpressionProblem(expression) === undefined;

/** The last moment before `at` (or at it) that `expression` matches in `timezone`; undefined when none. */
export function previousMatch(expression: string, timezone: string, at: number): number | undefined {
  const job = new Cron(expression, { paused: true, timezone });
  try {
    return job.previousRuns(1, new Date(at))[0]?.getTime();
  } finally {
    job.stop();
  }
}

export type RunOutcome = 'ok' | 'failed' | 'skipped';

export interface SchedulerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ReportSchedulerOptions {
  schedule: string;
  timezone: string;
  /** One run: build and store a report. May be synchronous. */
  run: () => unknown;
  logger: SchedulerLogger;
  onOutcome?: (outcome: RunOutcome, error?: unknown) => void;
  cron?: CronFactory;
  /**
   * When the last scheduled run stored its report (undefined: none stored). Given, `start` runs
   * once at once when the schedule's last match came after it: cron runs only the matches that
   * come while it runs, so a service down over the nightly time would skip that night.
   */
  lastScheduledRun?: () => number | undefined;
  /** The clock the missed match is judged by (default Date.now). */
  now?: () => number;
}

export class ReportScheduler {
  private handle: CronHandle | undefined;
  private inFlight: Promise<RunOutcome> | undefined;

  constructor(private readonly o: ReportSchedulerOptions) {}

  get started(): boolean {
    return this.handle !== undefined;
  }

  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  start(): void {
    if (this.handle) return;
    this.handle = (this.o.cron ?? cronerSchedule)(this.o.schedule, () => void this.tick(), { timezone: this.o.timezone });
    this.o.logger.info({ schedule: this.o.schedule, timezone: this.o.timezone }, 'report schedule started');
    this.catchUp();
  }

  /** One run now for the matches missed since the last scheduled report, however many: the report is of the data now. */
  private catchUp(): void {
    const last = this.o.lastScheduledRun?.();
    if (last === undefined) return;
    const due = previousMatch(this.o.schedule, this.o.timezone, (this.o.now ?? Date.now)());
    if (due === undefined || due <= last) return;
    this.o.logger.info({ schedule: this.o.schedule, timezone: this.o.timezone, missed: new Date(due).toISOString(), lastReport: new Date(last).toISOString() }, 'scheduled report missed while the service was down: running it now');
    void this.tick();
  }

  /** Stops ticking and waits for a run in progress. */
  async stop(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    if (h) {
      await h.stop();
      this.o.logger.info({}, 'report schedule stopped');
    }
    if (this.inFlight) await this.inFlight;
  }

  /** What one cron match does. Never throws. */
  tick(): Promise<RunOutcome> {
    if (this.inFlight) {
      this.o.logger.warn({ schedule: this.o.schedule }, 'scheduled report skipped: the previous run is still going');
      this.o.onOutcome?.('skipped');
      return Promise.resolve('skipped');
    }
    // Started on the next microtask, so inFlight is set before the run can finish (even a synchronous one).
    const run = Promise.resolve().then(async (): Promise<RunOutcome> => {
      const started = Date.now();
      try {
        await this.o.run();
        this.o.logger.info({ ms: Date.now() - started }, 'scheduled report built');
        this.o.onOutcome?.('ok');
        return 'ok';
      } catch (err) {
        this.o.logger.error({ err }, 'scheduled report failed; the schedule continues');
        this.o.onOutcome?.('failed', err);
        return 'failed';
      } finally {
        this.inFlight = undefined;
      }
    });
    this.inFlight = run;
    return run;
  }
}
