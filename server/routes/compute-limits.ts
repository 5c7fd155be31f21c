/** What any whole recommendation (and a report, which runs one) may answer besides its body: the store too large to read, the worker's memory too small, or too much whole-cluster work waiting. */
export const computeLimits = {
  413: { description: 'more stored edges than one recommendation reads (recommendations.maxEdges): narrow it with namespace=' },
  503: {
    description:
      'the computation needed more than its memory budget (recommendations.workerMemoryMb): narrow it with namespace=, or raise the budget; or, for whole-cluster work (no namespace= or workload=), recommendations.maxQueuedWholeCluster such computations already wait for a worker (Retry-After)',
  },
};
