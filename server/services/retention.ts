/**
 * Retention inside `serve`: the configured policy (store/retention.ts) applied every
 * `retention.intervalMinutes`, first one interval after start. A failing pass is logged and the
 * schedule keeps going: no error escapes the timer.
 */
import { applyRetention } from '../../store/retention.ts';
import type { ServiceContext } from '../context.ts';

export interface RetentionSchedule {
  stop(): void;
  /** One pass now (what each tick does): for tests and the first run. */
  runOnce(): void;
}

export function startRetentionSchedule(ctx: ServiceContext): RetentionSchedule {
  const { intervalMinutes, ...policy } = ctx.config.retention;
  const runOnce = (): void => {
    try {
      const result = applyRetention(ctx.db, policy, ctx.now());
      const deleted = result.edges + result.hours + result.ambiguous + result.metricPairs + result.names + result.intervals + result.formerApiserverEndpoints + result.runs;
      if (deleted > 0) ctx.logger.info({ retention: result }, 'retention applied');
    } catch (err) {
      ctx.logger.error({ err }, 'retention pass failed; the next one runs on schedule');
    }
  };
  if (Object.values(policy).every((days) => days === 0)) return { stop: () => {}, runOnce };
  const timer = setInterval(runOnce, intervalMinutes * 60_000);
  timer.unref();
  ctx.logger.info({ ...policy, intervalMinutes }, 'retention schedule started');
  return { stop: () => clearInterval(timer), runOnce };
}
