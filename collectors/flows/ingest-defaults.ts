/**
 * The ingest's record formats and default limits, apart from the pipeline that applies them: the
 * CLI shows them in its help (`ingest`, `collect files`) without loading the pipeline.
 */
export const FORMATS = ['netobserv', 'hubble', 'auto'] as const;
export type FlowFormat = (typeof FORMATS)[number];

/**
 * Records per transaction at most. Large, because a window aggregates: an edge seen many times in
 * one window is one upsert, so at high edge cardinality a larger window means fewer writes;
 * memory is bounded by DEFAULT_MAX_BATCH_EDGES, not by this. 1M records over 100k distinct
 * edges: five 200k-record windows upserted each edge up to five times (about 2x the CPU of one
 * window); live streams still commit every flush interval.
 */
export const DEFAULT_BATCH_SIZE = 1_000_000;
/** Distinct edges (and ambiguous pairs, DNS names) a window aggregates before it is committed: what bounds its memory. */
export const DEFAULT_MAX_BATCH_EDGES = 100_000;
/**
 * The same bound inside `serve` (POST /flows and every live collector). A window's commit is one
 * synchronous transaction on the event loop, and an upsert costs tens of microseconds on a store
 * of 200k edges: 100,000 distinct edges held /healthz for 5.7 s, which must answer in
 * milliseconds. 1,000 keep a commit near 50 ms; the service pays more, smaller upserts only when edges repeat across windows.
 */
export const SERVICE_MAX_BATCH_EDGES = 1_000;
export const DEFAULT_FLUSH_INTERVAL_MS = 5_000;
/** How far after the ingest's clock a flow may be dated (agents' clocks drift; a flow is reported after it ends). */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 15 * 60_000;

export interface EdgeCaps {
  /** Distinct edges a workload (or node, DNS, apiserver peer) may have, counting those already stored. */
  maxEdgesPerWorkload: number;
  /** Distinct edges one ingest run may add or update. */
  maxEdgesPerRun: number;
  /** Distinct DNS names kept for a workload (`workload_names`), counting those already stored; default DEFAULT_MAX_NAMES_PER_WORKLOAD. */
  maxNamesPerWorkload?: number;
}

/**
 * DNS names kept per workload (names its pods' addresses, or a Service's ClusterIP leading to them,
 * answered). The inventory bounds the workloads, not the names a record stream may invent for one
 * of them; a gateway behind a thousand public names is far past what a matrix names.
 */
export const DEFAULT_MAX_NAMES_PER_WORKLOAD = 1_000;

export const DEFAULT_EDGE_CAPS: EdgeCaps = { maxEdgesPerWorkload: 50_000, maxEdgesPerRun: 1_000_000, maxNamesPerWorkload: DEFAULT_MAX_NAMES_PER_WORKLOAD };

/** The limits every way into the edge store applies (the service's `ingest:` section): `ingest`, POST /flows and each collector. */
export interface IngestLimits {
  caps: EdgeCaps;
  /** Records dated later than the clock plus this are rejected (`time-out-of-range`), ms. */
  maxFutureSkewMs: number;
  /** Distinct edges a window aggregates before it is committed; default DEFAULT_MAX_BATCH_EDGES. */
  maxBatchEdges?: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = { caps: DEFAULT_EDGE_CAPS, maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS };

/** The service config's `ingest:` section (as resolved) as the limits the pipeline and the collectors take. */
export function ingestLimits(ingest: { maxFutureSkewMs: number; maxEdgesPerWorkload: number; maxEdgesPerRun: number }): IngestLimits {
  return { caps: { maxEdgesPerWorkload: ingest.maxEdgesPerWorkload, maxEdgesPerRun: ingest.maxEdgesPerRun }, maxFutureSkewMs: ingest.maxFutureSkewMs };
}

/** The limits inside `serve`: the config's, with windows small enough that no commit holds the event loop long. */
export function serviceIngestLimits(ingest: { maxFutureSkewMs: number; maxEdgesPerWorkload: number; maxEdgesPerRun: number }): IngestLimits {
  return { ...ingestLimits(ingest), maxBatchEdges: SERVICE_MAX_BATCH_EDGES };
}
