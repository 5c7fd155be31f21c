/**
 * Runs the service: opens the store, builds the app, listens, and shuts down gracefully on
 * SIGTERM/SIGINT — readiness turns 503, the listener stops accepting, in-flight requests (and
 * ingest batches) finish, idle keep-alive connections close, then the database is closed.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { startReportSchedule } from './services/reports.ts';
import { startRetentionSchedule } from './services/retention.ts';
import { openDb, type Db } from '../store/db.ts';
import { EdgeStore } from '../store/edges.ts';
import { IngestRunStore, ingestTotals } from '../store/ingest-runs.ts';
import { createApp } from './app.ts';
import type { ResolvedConfig } from './config/load.ts';
import type { ServiceContext } from './context.ts';
import { ServiceMetrics } from './metrics.ts';
import { activeIngests } from './routes/flows.ts';
import { AppError } from '../app/errors.ts';
import { matricesInForce } from '../app/matrices.ts';
import { startCollectors, type RunningCollectors } from '../app/collectors.ts';
import type { CollectorStatus } from '../collectors/collector.ts';
import { serviceIngestLimits } from '../collectors/flows/ingest-defaults.ts';
import { VERSION } from '../app/version.ts';

export { VERSION };

export interface RunningService {
  server: Server;
  ctx: ServiceContext;
  url: string;
  /** Graceful stop; resolves when the database is closed. Idempotent. */
  close(reason?: string): Promise<void>;
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { service: 'flowmatrix' }, timestamp: pino.stdTimeFunctions.isoTime }, destination as never);
}

export interface StartOptions {
  logger?: Logger;
  db?: Db;
  /** Install SIGTERM/SIGINT handlers (the CLI does; tests do not). */
  signals?: boolean;
}

/**
 * Runs left `running` by a process that stopped (kill -9 mid-upload, a crash) are marked failed
 * before anything else runs: an API upload's source is never reused, so no later run would.
 */
function closeAbandonedRuns(db: Db, logger: Logger): void {
  try {
    const closed = new IngestRunStore(db).closeAbandoned();
    if (closed > 0) logger.warn({ runs: closed }, 'ingest runs left running by a process that stopped were marked failed');
  } catch (e) {
    // The store refused the write (the service opened it writable: a filesystem gone read-only since, a lock): said, not fatal.
    logger.warn({ err: e }, 'could not close the ingest runs a stopped process left running');
  }
}

export async function startService(config: ResolvedConfig, options: StartOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = options.db ?? openDb(config.dbPath, { write: true });
  // Refuse to start on a config that names matrices or parameters that do not exist. A stored
  // matrix that no longer validates is not: it is out of force, said here and with every answer made of the matrices.
  try {
    for (const m of matricesInForce(db, config.matrices).invalid) logger.warn({ matrix: m.name, problems: m.problems }, m.warning);
  } catch (e) {
    if (!options.db) db.close();
    const problems = e instanceof AppError ? e.problems.map((p) => `\n  ${p.path}: ${p.message}`).join('') : '';
    throw new Error(`${config.origin}: ${(e as Error).message}${problems}`);
  }
  closeAbandonedRuns(db, logger);
  const edges = new EdgeStore(db);
  const metrics = new ServiceMetrics(() => (db.open ? edges.count() : 0), { ingestTotals: () => (db.open ? ingestTotals(db) : []) });
  // The collectors start once the service listens: one that cannot (the port is taken, often by
  // another instance on the same store) must not have followed the same sources unseen, a second
  // writer counting flows twice.
  let collectors: RunningCollectors | undefined;
  const statuses = (): CollectorStatus[] => collectors?.statuses() ?? [];
  metrics.watchCollectors(statuses);
  const ctx: ServiceContext = { db, config, metrics, logger, version: VERSION, collectors: statuses, draining: false, now: Date.now };
  const built = createApp(ctx);
  const { app } = built;

  const server = app.listen(config.port, config.host);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    collectors = await startCollectors(config.collectors, { db, logger, now: Date.now, ingest: serviceIngestLimits(config.ingest), ...(config.matrices.clusterDomain !== undefined ? { clusterDomain: config.matrices.clusterDomain } : {}) });
  } catch (e) {
    await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    await built.close();
    if (!options.db) db.close();
    throw e;
  }
  const running = collectors;
  const reports = startReportSchedule(ctx);
  const retention = startRetentionSchedule(ctx);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  logger.info({ url, db: config.dbPath, config: config.origin, tokens: config.tokens.map((t) => t.name), rateLimit: config.rateLimit }, 'flowmatrix serving');
  if (config.loopbackOnly) {
    logger.warn('no API token configured: listening on 127.0.0.1 only and accepting unauthenticated requests; set FLOWMATRIX_TOKEN_WRITE / FLOWMATRIX_TOKEN_READ or auth.tokens to serve other hosts');
  }

  let closing: Promise<void> | undefined;
  const close = (reason = 'shutdown'): Promise<void> => {
    closing ??= (async () => {
      ctx.draining = true;
      logger.info({ reason }, 'shutting down: no new connections, finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.shutdownTimeoutSeconds * 1000).unref());
      const idle = setInterval(() => server.closeIdleConnections(), 250);
      const outcome = await Promise.race([closed.then(() => 'done' as const), timeout]);
      clearInterval(idle);
      if (outcome === 'timeout') {
        logger.warn({ timeoutSeconds: config.shutdownTimeoutSeconds }, 'in-flight requests did not finish in time: closing their connections');
        server.closeAllConnections();
      }
      retention.stop();
      await Promise.allSettled([...activeIngests, reports.stop(), running.stop()]);
      await built.close(); // after the schedule: a report being built finishes first
      if (!options.db) db.close();
      logger.info('stopped: database closed');
    })();
    return closing;
  };
  if (options.signals) {
    const onSignal = (sig: NodeJS.Signals): void => {
      void close(sig).then(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { server, ctx, url, close };
}
