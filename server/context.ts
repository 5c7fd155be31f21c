/** What every route handler can reach: the store, the config, metrics and the service state. */
import type { Logger } from 'pino';
import type { CollectorStatus } from '../collectors/collector.ts';
import type { Db } from '../store/db.ts';
import type { ResolvedConfig } from './config/load.ts';
import type { ServiceMetrics } from './metrics.ts';


export interface ServiceContext {
  db: Db;
  config: ResolvedConfig;
  metrics: ServiceMetrics;
  logger: Logger;
  version: string;
  /** Collectors run by `serve` report their state here (for /readyz). */
  collectors: () => CollectorStatus[];
  /** Set when SIGTERM arrived: /readyz answers 503 so load balancers stop sending traffic. */
  draining: boolean;
  /** The clock, injectable for tests (stale edges, report times). */
  now: () => number;
}
