/** What any whole recommendation (and a report, which runs one) may answer besides its body: the store too large to read, or the worker's memory too small. */
export const computeLimits = {
  413: { description: 'more stored edges than one recommendation reads (recommendations.maxEdges): narrow it with namespace=' },
  503: { description: 'the computation needed more than its memory budget (recommendations.workerMemoryMb): narrow it with namespace=, or raise the budget' },
};
