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
  const { edgeDays, hourDays, intervalMinutes } = ctx.config.retention;
  const runOnce = (): void => {
    try {
      const result = applyRetention(ctx.db, { edgeDays, hourDays }, ctx.now());
      if (result.edges + result.hours + result.ambiguous + result.metricPairs + result.names > 0) ctx.logger.info({ retention: result }, 'retention applied');
    } catch (err) {
      ctx.logger.error({ err }, 'retention pass failed; the next one runs on schedule');
    }
  };
  if (edgeDays === 0 && hourDays === 0) return { stop: () => {}, runOnce };
  const timer = setInterval(runOnce, intervalMinutes * 60_000);
  timer.unref();
  ctx.logger.info({ edgeDays, hourDays, intervalMinutes }, 'retention schedule started');
  return { stop: () => clearInterval(timer), runOnce };
}
