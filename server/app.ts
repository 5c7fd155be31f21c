/**
 * The express app: request ids and logs, per-route auth → rate limit → body → validation → handler,
 * and one error handler. Routes come from declarations that also produce /openapi.json.
 */
import express, { type Express } from 'express';
import { edgeRoutes } from './routes/edges.ts';
import { flowRoutes } from './routes/flows.ts';
import { simulateRoutes } from './routes/simulate.ts';
import { inventoryRoutes } from './routes/inventory.ts';
import { matrixRoutes } from './routes/matrices.ts';
import { metricPairRoutes } from './routes/metric-pairs.ts';
import { recommendationRoutes } from './routes/recommendations.ts';
import { reportRoutes } from './routes/reports.ts';
import { systemRoutes } from './routes/system.ts';
import type { ServiceContext } from './context.ts';
import { TokenAuth } from './http/auth.ts';
import { bodyMiddleware } from './http/body.ts';
import { ComputeAdmission } from './http/compute-admission.ts';
import { corsForAllowedOrigins, crossSiteGuard } from './http/cross-site.ts';
import { errorHandler, methodNotAllowedHandler, notFoundHandler } from './http/errors.ts';
import { authFailureLimit, rateLimitMiddleware } from './http/rate-limit.ts';
import { requestLog } from './http/request-log.ts';
import { mount, type AnyRoute } from './http/route.ts';
import { openApiDocument } from './openapi/document.ts';
import { closeExecutor, executorFor } from './services/compute.ts';
import { RecommendationService } from './services/recommendations.ts';

export interface BuiltApp {
  app: Express;
  routes: AnyRoute[];
  document: Record<string, unknown>;
  /** Stops what the app runs besides requests (the recommendation workers). Idempotent. */
  close(): Promise<void>;
}

export function createApp(ctx: ServiceContext): BuiltApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', ctx.config.trustProxy);
  app.set('query parser', 'simple');

  const auth = new TokenAuth(ctx.config.tokens);
  let document: Record<string, unknown> = {};
  const executor = executorFor(ctx);
  ctx.metrics.watchAbandonedWork(() => executor.abandoned);
  const recommendations = new RecommendationService(ctx.db, executor, ctx.metrics, ctx.config.recommendationCacheBytes);
  const routes: AnyRoute[] = [
    ...systemRoutes(ctx, () => document),
    ...inventoryRoutes(ctx),
    ...edgeRoutes(ctx),
    ...metricPairRoutes(ctx),
    ...flowRoutes(ctx),
    ...matrixRoutes(ctx, recommendations),
    ...recommendationRoutes(ctx, recommendations),
    ...simulateRoutes(ctx),
    ...reportRoutes(ctx),
  ];
  document = openApiDocument(routes, { version: ctx.version, authEnabled: auth.enabled });

  app.use(requestLog(ctx.logger, ctx.metrics.observeRequest));
  app.use(crossSiteGuard({ allowedHosts: ctx.config.allowedHosts, allowedOrigins: ctx.config.allowedOrigins }));
  const corsAllowed = corsForAllowedOrigins(ctx.config.allowedOrigins);
  if (corsAllowed) app.use(corsAllowed);
  const router = express.Router();
  const rateLimit = rateLimitMiddleware(ctx.config.rateLimit.requests, ctx.config.rateLimit.windowSeconds * 1000);
  const authFailures = auth.enabled ? authFailureLimit(ctx.config.rateLimit.requests, ctx.config.rateLimit.windowSeconds * 1000) : undefined;
  const admission = new ComputeAdmission(ctx.config.recommendationWorkers + ctx.config.recommendationMaxQueued);
  const body = (r: AnyRoute) => [...(r.compute ? [admission.admit] : []), ...bodyMiddleware(r, ctx.config)];
  for (const route of routes) {
    mount(router, route, {
      before: (r) => (r.scope ? [...(authFailures ? [authFailures] : []), auth.require(r.scope), rateLimit, ...body(r)] : body(r)),
    });
  }
  app.use(router);
  app.use(methodNotAllowedHandler(routes));
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.logger, ctx.db.name));
  return { app, routes, document, close: () => closeExecutor(ctx) };
}
