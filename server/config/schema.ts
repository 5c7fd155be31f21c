/**
 * The service configuration: one YAML file (`serve --config FILE`, env FLOWMATRIX_CONFIG) with
 * environment overrides. Every key has an embedded default, so `flowmatrix serve` runs without a file.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MatricesConfig } from '../../recommender/matrix/schema.ts';
import { ReportsConfig } from '../../reports/config.ts';
import { HubbleRelayConfig } from '../../collectors/hubble-relay/config.ts';
import { FilesConfig } from '../../collectors/files/config.ts';
import { KubernetesConfig } from '../../collectors/kubernetes/config.ts';
import { PrometheusCollectorConfig } from '../../collectors/prometheus/config.ts';

const strict = { additionalProperties: false };

export const TokenConfig = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', description: 'shown in logs and metrics, never the token itself' }),
    /** Inline secret (discouraged outside tests), or the name of an environment variable that holds it. */
    token: Type.Optional(Type.String({ minLength: 16 })),
    tokenEnv: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$' })),
    scopes: Type.Array(Type.Union([Type.Literal('read'), Type.Literal('write')]), { minItems: 1, uniqueItems: true }),
  },
  strict,
);

/** Each collector's config schema lives beside the collector (collectors/<name>/config.ts). */
export const CollectorsConfig = Type.Object(
  {
    kubernetes: Type.Optional(KubernetesConfig),
    prometheus: Type.Optional(PrometheusCollectorConfig),
    hubble: Type.Optional(HubbleRelayConfig),
    files: Type.Optional(FilesConfig),
  },
  strict,
);
export type CollectorsConfigT = Static<typeof CollectorsConfig>;

export const ServiceConfig = Type.Object(
  {
    server: Type.Optional(
      Type.Object(
        {
          /** Default: 0.0.0.0 when tokens are configured, else 127.0.0.1 (forced). */
          host: Type.Optional(Type.String({ minLength: 1 })),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
          /** Largest JSON/YAML body (inventory, matrices), bytes. */
          maxBodyBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
          /** Largest NDJSON flow upload, bytes. */
          maxFlowBodyBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
          /** Most YAML tokens a request body is parsed with (server/http/yaml-limit.ts). */
          maxYamlTokens: Type.Optional(Type.Integer({ minimum: 1000 })),
          /** Requests per client (token, else address) per window; 0 disables. */
          rateLimit: Type.Optional(Type.Object({ requests: Type.Integer({ minimum: 0 }), windowSeconds: Type.Integer({ minimum: 1, maximum: 3600 }) }, strict)),
          /** Seconds to let in-flight requests finish on SIGTERM before connections are cut. */
          shutdownTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
          /** Host names requests may be addressed to (DNS-rebinding guard); default: the loopback names when no token is configured, else any. */
          allowedHosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:_-]+$' }), { uniqueItems: true })),
          /** Web origins (scheme://host[:port]) allowed to write, besides the API's own. */
          allowedOrigins: Type.Optional(Type.Array(Type.String({ pattern: '^https?://[^/]+$' }), { uniqueItems: true })),
          /**
           * Which reverse proxies' X-Forwarded-For to trust for client addresses (rate limits, logs), as
           * Express takes it: the number of proxy hops in front, or their addresses and subnets
           * (`loopback`, `linklocal`, `uniquelocal` name the usual ranges); `true` trusts every entry,
           * including the ones clients write themselves.
           */
          trustProxy: Type.Optional(
            Type.Union([Type.Boolean(), Type.Integer({ minimum: 1, maximum: 16 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true })]),
          ),
        },
        strict,
      ),
    ),
    database: Type.Optional(Type.Object({ path: Type.Optional(Type.String({ minLength: 1 })) }, strict)),
    auth: Type.Optional(Type.Object({ tokens: Type.Optional(Type.Array(TokenConfig)) }, strict)),
    logging: Type.Optional(
      Type.Object({ level: Type.Optional(Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)))) }, strict),
    ),
    recommendations: Type.Optional(
      Type.Object(
        {
          /** Edges not seen for this many days are `stale`. */
          staleDays: Type.Optional(Type.Integer({ minimum: 1 })),
          /** Worker threads computing recommendations off the event loop (concurrent whole-cluster requests). */
          workers: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
          /** Heap budget of each worker, MiB: a request that needs more fails with 503, the service stays up. */
          workerMemoryMb: Type.Optional(Type.Integer({ minimum: 64 })),
          /** Simulations and matrix validations admitted to wait for a worker, beyond one per worker: more answer 503 with Retry-After. */
          maxQueued: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
          /** Whole-cluster recommendations, exports, drifts and reports admitted to wait for a worker: more answer 503 with Retry-After. */
          maxQueuedWholeCluster: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
          /** Bytes of rendered answers kept between data changes. */
          cacheBytes: Type.Optional(Type.Integer({ minimum: 0 })),
          /** A recommendation over more stored edges than this is refused (413) instead of risking the heap. */
          maxEdges: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        strict,
      ),
    ),
    /** What ingest accepts (docs/ingest.md "Validation" and "Bounded by design"). */
    ingest: Type.Optional(
      Type.Object(
        {
          /** Records dated more than this after the service's clock are rejected (time-out-of-range). */
          maxFutureSkewSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400 })),
          /** Distinct edges per workload (stored ones included) before external addresses are folded into blocks. */
          maxEdgesPerWorkload: Type.Optional(Type.Integer({ minimum: 1 })),
          /** Distinct edges one ingest run may add before external addresses are folded into blocks. */
          maxEdgesPerRun: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        strict,
      ),
    ),
    /** What the store keeps of observed traffic (docs/operations.md "Retention"); 0 keeps forever. */
    retention: Type.Optional(
      Type.Object(
        {
          edgeDays: Type.Optional(Type.Integer({ minimum: 0 })),
          hourDays: Type.Optional(Type.Integer({ minimum: 0 })),
          /** IP-history intervals (and former apiserver endpoints) that ended longer ago; flows from before are then skipped (`before-history`). */
          historyDays: Type.Optional(Type.Integer({ minimum: 0 })),
          /** Finished ingest runs (and the Idempotency-Key answers they keep) that ended longer ago. */
          runDays: Type.Optional(Type.Integer({ minimum: 0 })),
          /** How often `serve` applies it, minutes. */
          intervalMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 })),
        },
        strict,
      ),
    ),
    /** Communication-matrix bindings and per-system switches (same section as `matrix --config`). */
    matrices: Type.Optional(MatricesConfig),
    /** One section per collector (docs/operations.md); a collector without a section stays off. */
    collectors: Type.Optional(CollectorsConfig),
    /** The scheduled report (reports/config.ts, docs/reports.md). */
    reports: Type.Optional(ReportsConfig),
  },
  strict,
);
export type ServiceConfigT = Static<typeof ServiceConfig>;
