/** The REST app on a database, as `serve` builds it, with silent logs, no token and a fixed clock. */
import { pino } from 'pino';
import type { Express } from 'express';
import { createApp } from '../../server/app.ts';
import { configFor } from '../../server/config/load.ts';
import type { ServiceContext } from '../../server/context.ts';
import { ServiceMetrics } from '../../server/metrics.ts';
import type { Db } from '../../store/db.ts';

export function testApp(db: Db, dbPath: string): Express {
  const ctx: ServiceContext = {
    db,
    config: configFor({ dbPath }),
    metrics: new ServiceMetrics(() => 0, { defaultMetrics: false }),
    logger: pino({ level: 'silent' }),
    version: 'test',
    collectors: () => [],
    draining: false,
    now: () => Date.UTC(2026, 10, 21),
  };
  return createApp(ctx).app;
}
