/**
 * Where a running service computes recommendations and reports: one executor per service
 * context, shared by the recommendation routes, the report route and the report schedule.
 * Worker threads with their own read connections keep that work off the event loop; an
 * in-memory database (tests, embedding) cannot be opened twice, so it computes in-process.
 */
import { getHeapStatistics } from 'node:v8';
import type { ServiceContext } from '../context.ts';
import { InlineExecutor, WorkerPool, type RecommendationExecutor } from './recommendation-pool.ts';

const executors = new WeakMap<ServiceContext, RecommendationExecutor>();

/**
 * Half the main thread's heap limit (V8 derives it from the machine's memory). A worker always
 * runs with a budget: one that outgrows it is ended by Node (ERR_WORKER_OUT_OF_MEMORY, a 503),
 * whereas a worker without resourceLimits that runs out of heap takes the whole process down.
 */
export function defaultWorkerHeapMb(): number {
  return Math.max(256, Math.floor(getHeapStatistics().heap_size_limit / (2 * 1024 * 1024)));
}

export function executorFor(ctx: ServiceContext): RecommendationExecutor {
  let e = executors.get(ctx);
  if (!e) {
    const reports = { settings: ctx.config.reports, staleDays: ctx.config.staleDays };
    e = ctx.db.memory
      ? new InlineExecutor(ctx.db, ctx.config.matrices, reports, ctx.config.maxRecommendEdges)
      : new WorkerPool(
          { dbPath: ctx.db.name, matrices: ctx.config.matrices, reports, maxEdges: ctx.config.maxRecommendEdges },
          {
            size: ctx.config.recommendationWorkers,
            memoryMb: ctx.config.recommendationWorkerMemoryMb ?? defaultWorkerHeapMb(),
            maxQueuedWholeCluster: ctx.config.recommendationMaxQueuedWholeCluster,
          },
          ctx.logger,
        );
    executors.set(ctx, e);
  }
  return e;
}

/** Makes `executor` the context's, before the app is built (an embedder's own, or a test's stand-in workers). */
export function useExecutor(ctx: ServiceContext, executor: RecommendationExecutor): void {
  executors.set(ctx, executor);
}

/** Stops the context's workers (running jobs fail). Idempotent. */
export async function closeExecutor(ctx: ServiceContext): Promise<void> {
  await executors.get(ctx)?.close();
}
