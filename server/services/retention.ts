/**
 * Retention inside `serve`: the configured policy (store/retention.ts) applied every
 * `retention.intervalMinutes`, first one interval after start. A pass deletes a batch at a time and
 * lets the event loop turn between batches, so requests, probes and ingests are served while it
 * runs; a tick while a pass still runs is skipped. A failing pass is logged and the schedule keeps
 * going: no error escapes the timer.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { retentionSteps, type RetentionResult } from '../../store/retention.ts';
import type { ServiceContext } from '../context.ts';

export interface RetentionSchedule {
  stop(): void;
  /** One pass now (what each tick does), resolved when it is done: for tests and the first run. */
  runOnce(): Promise<void>;
}

/** Rows the pass deleted, of every kind: the result's counts (its other fields are the cut-offs). */
const deletedBy = (r: RetentionResult): number => Object.values(r).reduce((n: number, v) => (typeof v === 'number' ? n + v : n), 0);

export function startRetentionSchedule(ctx: ServiceContext): RetentionSchedule {
  const { intervalMinutes, ...policy } = ctx.config.retention;
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = async (): Promise<void> => {
    try {
      const steps = retentionSteps(ctx.db, policy, ctx.now());
      for (let step = steps.next(); ; step = steps.next()) {
        if (step.done) {
          if (deletedBy(step.value) > 0) ctx.logger.info({ retention: step.value }, 'retention applied');
          return;
        }
        await nextTurn();
        // Stopping (the service shuts down): the batches done are committed, the rest waits for the next start.
        if (stopped) return;
      }
    } catch (err) {
      ctx.logger.error({ err }, 'retention pass failed; the next one runs on schedule');
    }
  };
  const runOnce = (): Promise<void> => {
    running ??= pass().finally(() => (running = undefined));
    return running;
  };
  if (Object.values(policy).every((days) => days === 0)) return { stop: () => {}, runOnce };
  const timer = setInterval(() => void runOnce(), intervalMinutes * 60_000);
  timer.unref();
  ctx.logger.info({ ...policy, intervalMinutes }, 'retention schedule started');
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    runOnce,
  };
}
