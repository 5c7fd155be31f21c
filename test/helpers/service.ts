/** The REST app on a database, as `serve` builds it, with silent logs, no token and a fixed clock. */
import { pino } from 'pino';
import type { Express } from 'express';
import { createApp } from '../../server/app.ts';
import { configFor, type ResolvedConfig } from '../../server/config/load.ts';
import type { ServiceContext } from '../../server/context.ts';
import { ServiceMetrics } from '../../server/metrics.ts';
import type { Db } from '../../store/db.ts';

/** A service context on `db`: the default config with `config` over it, silent logs, no collectors, a fixed clock. */
export function testContext(db: Db, dbPath: string, config: Partial<ResolvedConfig> = {}): ServiceContext {
  return {
    db,
    config: configFor({ dbPath, ...config }),
    metrics: new ServiceMetrics(() => 0, { defaultMetrics: false }),
    logger: pino({ level: 'silent' }),
    version: 'test',
    collectors: () => [],
    draining: false,
    now: () => Date.UTC(2026, 10, 21),
  };
}

export function testApp(db: Db, dbPath: string): Express {
  return createApp(testContext(db, dbPath)).app;
}
