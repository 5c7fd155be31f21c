/**
 * Reports inside the running service: one ReportService per service context (shared by the routes
 * and the schedule), the last-report metric, and the schedule's start/stop with `serve`.
 */
import type { ServiceContext } from '../context.ts';
import type { StoredReportMeta } from '../../store/reports.ts';
import { ReportScheduler, type CronFactory } from '../../reports/schedule.ts';
import { ReportService } from '../../app/reports.ts';
import { executorFor } from './compute.ts';

const services = new WeakMap<ServiceContext, ReportService>();

export function reportServiceFor(ctx: ServiceContext): ReportService {
  let s = services.get(ctx);
  if (!s) {
    s = new ReportService({ db: ctx.db, settings: ctx.config.reports, staleDays: ctx.config.staleDays, matrices: ctx.config.matrices, maxEdges: ctx.config.maxRecommendEdges, clock: ctx.now });
    services.set(ctx, s);
    const latest = s.store.latest();
    if (latest) ctx.metrics.lastReport.set(latest.createdAt / 1000);
  }
  return s;
}

/** Records a stored report in the metrics. */
export function reportBuilt(ctx: ServiceContext, meta: StoredReportMeta): void {
  ctx.metrics.lastReport.set(meta.createdAt / 1000);
  ctx.metrics.reportRuns.inc({ trigger: meta.trigger, outcome: 'ok' });
}

/** Starts the configured schedule (unless `reports.enabled` is false). Stop it before closing the database. */
export function startReportSchedule(ctx: ServiceContext, cron?: CronFactory): ReportScheduler {
  const service = reportServiceFor(ctx);
  const settings = ctx.config.reports;
  const scheduler = new ReportScheduler({
    schedule: settings.schedule,
    timezone: settings.timezone,
    logger: ctx.logger,
    run: async () => {
      const meta = service.save(await executorFor(ctx).report({ trigger: 'schedule', generatedAt: ctx.now() }));
      ctx.metrics.lastReport.set(meta.createdAt / 1000);
      ctx.logger.info({ report: meta.id, headline: meta.headline }, 'report stored');
    },
    onOutcome: (outcome) => ctx.metrics.reportRuns.inc({ trigger: 'schedule', outcome }),
    lastScheduledRun: () => service.store.latestScheduledAt(),
    now: ctx.now,
    ...(cron ? { cron } : {}),
  });
  if (settings.enabled) scheduler.start();
  else ctx.logger.info({}, 'report schedule disabled (reports.enabled: false)');
  return scheduler;
}
