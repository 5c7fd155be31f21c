/**
 * Loads the service config: embedded defaults ← YAML file ← environment. Validated at start; every
 * problem is reported at once with its path, line and value, and the service refuses to start.
 */
import { MAX_BODY_YAML_TOKENS } from '../http/yaml-limit.ts';
import { readFileSync } from 'node:fs';
import { isIpOrCidr } from '../../domain/ip.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import { PrometheusConfigError, resolvePrometheusConfig } from '../../collectors/prometheus/config.ts';
import { isNode, LineCounter } from 'yaml';
import { parseYamlDocument, yamlData } from '../../domain/yaml-document.ts';
import { configIssues } from '../../recommender/matrix/config.ts';
import { yamlSyntaxProblems } from '../../recommender/matrix/load.ts';
import { shownValue } from '../../recommender/matrix/problem.ts';
import { formatPath, type PathSegment } from '../../recommender/matrix/paths.ts';
import { schemaIssues } from '../../recommender/matrix/schema-check.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import { resolveReportSettings, type ReportSettings } from '../../reports/config.ts';
import { DEFAULT_DB_PATH } from '../../store/db.ts';
import { LOOPBACK_HOSTS } from '../http/cross-site.ts';
import { ServiceConfig, type CollectorsConfigT, type ServiceConfigT } from './schema.ts';
import { compareStrings } from '../../domain/order.ts';

export interface TokenEntry {
  name: string;
  secret: string;
  scopes: ('read' | 'write')[];
}

/** The config with every default filled in: what the service runs on. */
export interface ResolvedConfig {
  host: string;
  /** True when the host was forced to loopback because no token is configured. */
  loopbackOnly: boolean;
  port: number;
  dbPath: string;
  maxBodyBytes: number;
  maxFlowBodyBytes: number;
  /** Most YAML tokens a request body is parsed with (server/http/yaml-limit.ts). */
  maxYamlTokens: number;
  rateLimit: { requests: number; windowSeconds: number };
  shutdownTimeoutSeconds: number;
  /** Express's `trust proxy`: false, a hop count, or proxy addresses and subnets (true: any entry). */
  trustProxy: boolean | number | string[];
  /** Host names served (undefined = any): see server/http/cross-site.ts. */
  allowedHosts: readonly string[] | undefined;
  allowedOrigins: readonly string[];
  logLevel: string;
  tokens: TokenEntry[];
  staleDays: number;
  /** Recommendation workers, their heap budget (MiB, undefined = V8's default) and the answer cache's bytes. */
  recommendationWorkers: number;
  recommendationWorkerMemoryMb: number | undefined;
  /** Simulations and matrix validations waiting for a worker at most (besides one running per worker); more answer 503. */
  recommendationMaxQueued: number;
  /** Whole-cluster recommendations, exports, drifts and reports waiting for a worker at most; more answer 503. */
  recommendationMaxQueuedWholeCluster: number;
  recommendationCacheBytes: number;
  /** A recommendation over more stored edges than this answers 413. */
  maxRecommendEdges: number;
  /** What ingest accepts: the future skew (ms) and the edge caps. */
  ingest: { maxFutureSkewMs: number; maxEdgesPerWorkload: number; maxEdgesPerRun: number };
  /** What the store keeps; `serve` applies it every `intervalMinutes`. */
  retention: { edgeDays: number; hourDays: number; historyDays: number; runDays: number; intervalMinutes: number };
  matrices: MatricesConfigT;
  /** Each collector's own section (validated by the schema), keyed by collector name. */
  collectors: CollectorsConfigT;
  /** The scheduled report: cron, engine, options, retention. */
  reports: ReportSettings;
  /** Where each value came from, for the start-up log. */
  origin: string;
}

export const DEFAULTS = {
  port: 8080,
  maxBodyBytes: 16 * 1024 * 1024,
  maxFlowBodyBytes: 512 * 1024 * 1024,
  maxYamlTokens: MAX_BODY_YAML_TOKENS,
  rateLimit: { requests: 1200, windowSeconds: 60 },
  shutdownTimeoutSeconds: 25,
  logLevel: 'info',
  staleDays: 30,
  recommendationWorkers: 2,
  recommendationMaxQueued: 4,
  recommendationMaxQueuedWholeCluster: 4,
  recommendationCacheBytes: 256 * 1024 * 1024,
  maxRecommendEdges: 2_000_000,
  ingest: { maxFutureSkewSeconds: 900, maxEdgesPerWorkload: 50_000, maxEdgesPerRun: 1_000_000 },
  // Edges are kept unless configured: `stale` needs old edges, and the demo data has fixed dates.
  // The IP history and the ingest runs grow with pod churn and with every upload: bounded by default.
  retention: { edgeDays: 0, hourDays: 35, historyDays: 35, runDays: 35, intervalMinutes: 60 },
} as const;

export interface ConfigProblem {
  path: string;
  message: string;
  line?: number;
  value?: unknown;
}

export class ConfigError extends Error {
  constructor(
    readonly origin: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `${origin}: invalid service config (${problems.length} problem${problems.length === 1 ? '' : 's'})\n` +
        problems
          .map((p) => `  ${p.path}${p.line !== undefined ? ` (line ${p.line})` : ''}: ${p.message}${p.value !== undefined ? `; got ${shownValue(p.value)}` : ''}`)
          .join('\n'),
    );
  }
}

/** `auth.tokens[i].token`: a path whose value is a secret. */
const isSecretPath = (path: readonly PathSegment[]): boolean => path.at(-1) === 'token' && path[0] === 'auth';

function parseFile(text: string, origin: string): ServiceConfigT {
  const counter = new LineCounter();
  const doc = parseYamlDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(origin, yamlSyntaxProblems(doc.errors, counter));
  }
  const read = yamlData(doc);
  if (!read.ok) throw new ConfigError(origin, [{ path: '(document)', message: read.message }]);
  const data: unknown = read.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ConfigError(origin, [{ path: '(document)', message: 'the config must be a YAML mapping' }]);
  const lineOf = (path: PathSegment[]): number | undefined => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const { matrices, ...rest } = data as Record<string, unknown>;
  const issues = [...schemaIssues(ServiceConfig, rest), ...(matrices === undefined ? [] : configIssues(matrices, ['matrices']))];
  // The report's schedule and time zone are checked past the schema: with other problems, these too, so that one run shows every problem.
  if (issues.length > 0) issues.push(...reportValueIssues(rest.reports));
  if (issues.length > 0) {
    const problems = issues.map((i) => {
      const p: ConfigProblem = { path: formatPath(i.path), message: i.message };
      const line = lineOf(i.path);
      if (line !== undefined) p.line = line;
      // A secret is never echoed: the problem names its place, not its value.
      if (i.value !== undefined && typeof i.value !== 'object' && !isSecretPath(i.path)) p.value = i.value;
      return p;
    });
    throw new ConfigError(origin, problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || compareStrings(a.path, b.path)));
  }
  return data as ServiceConfigT;
}

/** The report settings' value problems (a cron expression, a time zone) of a `reports` section whose values are strings. */
function reportValueIssues(reports: unknown): { path: PathSegment[]; message: string; value?: unknown }[] {
  if (!isPlainObject(reports)) return [];
  const given = Object.fromEntries((['schedule', 'timezone'] as const).filter((k) => typeof reports[k] === 'string').map((k) => [k, reports[k] as string]));
  if (Object.keys(given).length === 0) return [];
  const problems: ConfigProblem[] = [];
  resolveReportSettings(given, problems);
  return problems.map((p) => ({ path: p.path.split('.'), message: p.message, value: p.value }));
}

/**
 * Why no client could send this token, or undefined: an Authorization header carries it as visible
 * ASCII without spaces (server/http/auth.ts; RFC 6750 b64token is narrower still). A Secret made
 * from a file keeps the file's trailing newline, and the service would listen for a token nobody has.
 */
function unsendableToken(secret: string): string | undefined {
  if (/^[\x21-\x7e]+$/.test(secret)) return undefined;
  return 'a token may hold only visible ASCII characters, no spaces or line breaks (a Secret made from a file keeps its trailing newline: strip it)';
}

/** Express's names for the usual proxy ranges (proxy-addr: loopback, linklocal, uniquelocal). */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `server.trustProxy` as Express takes it; an entry that is no address, subnet or range name is a problem. */
function trustedProxies(v: boolean | number | string[] | undefined, problems: ConfigProblem[]): boolean | number | string[] {
  if (!Array.isArray(v)) return v ?? false;
  v.forEach((entry, i) => {
    if (!PROXY_RANGES.has(entry) && !isIpOrCidr(entry)) problems.push({ path: `server.trustProxy[${i}]`, message: 'an IP address, a CIDR subnet, or loopback, linklocal, uniquelocal', value: entry });
  });
  return v;
}

function envInt(env: NodeJS.ProcessEnv, name: string, min: number, max: number, problems: ConfigProblem[]): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) {
    problems.push({ path: `env ${name}`, message: `must be an integer ${min}-${max}`, value: v });
    return undefined;
  }
  return n;
}

export interface LoadOptions {
  /** Config file; default env FLOWMATRIX_CONFIG; none = embedded defaults. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** `--port` / `--db` flags: win over file and env. */
  port?: number;
  dbPath?: string;
}

export function loadServiceConfig(opts: LoadOptions = {}): ResolvedConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? (env.FLOWMATRIX_CONFIG || undefined);
  let cfg: ServiceConfigT = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(file, [{ path: '(file)', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
    }
    cfg = parseFile(text, file);
  }
  const origin = file ?? 'embedded defaults';
  const problems: ConfigProblem[] = [];

  const tokens: TokenEntry[] = [];
  (cfg.auth?.tokens ?? []).forEach((t, i) => {
    const where = `auth.tokens[${i}]`;
    if ((t.token === undefined) === (t.tokenEnv === undefined)) {
      problems.push({ path: where, message: 'set exactly one of "token" and "tokenEnv"' });
      return;
    }
    const secret = t.token ?? env[t.tokenEnv as string];
    if (secret === undefined || secret.length < 16) {
      problems.push({ path: `${where}.tokenEnv`, message: `environment variable ${t.tokenEnv} is ${secret === undefined ? 'not set' : 'shorter than 16 characters'}` });
      return;
    }
    const unusable = unsendableToken(secret);
    if (unusable) {
      problems.push({ path: t.token !== undefined ? `${where}.token` : `${where}.tokenEnv`, message: unusable });
      return;
    }
    tokens.push({ name: t.name, secret, scopes: [...t.scopes].sort() });
  });
  for (const [name, scopes] of [
    ['FLOWMATRIX_TOKEN_READ', ['read']],
    ['FLOWMATRIX_TOKEN_WRITE', ['read', 'write']],
  ] as const) {
    const secret = env[name];
    if (secret === undefined || secret === '') continue;
    if (secret.length < 16) problems.push({ path: `env ${name}`, message: 'a token must have at least 16 characters' });
    else if (unsendableToken(secret)) problems.push({ path: `env ${name}`, message: unsendableToken(secret)! });
    else tokens.push({ name: name.toLowerCase().replace(/_/g, '-'), secret, scopes: [...scopes] });
  }
  const names = tokens.map((t) => t.name);
  for (const n of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push({ path: 'auth.tokens', message: `token name "${n}" is used twice` });
  // A request is matched to the first token with its secret: a second one with the same secret (and other scopes) could never be used.
  for (const [i, t] of tokens.entries()) {
    const first = tokens.findIndex((o) => o.secret === t.secret);
    if (first < i) problems.push({ path: 'auth.tokens', message: `tokens "${tokens[first]!.name}" and "${t.name}" have the same secret: each token needs its own` });
  }

  const envPort = envInt(env, 'PORT', 0, 65535, problems);
  const maxBody = envInt(env, 'FLOWMATRIX_MAX_BODY_BYTES', 1024, Number.MAX_SAFE_INTEGER, problems);
  const maxFlow = envInt(env, 'FLOWMATRIX_MAX_FLOW_BODY_BYTES', 1024, Number.MAX_SAFE_INTEGER, problems);
  let rateLimit = cfg.server?.rateLimit ?? DEFAULTS.rateLimit;
  const envRate = env.FLOWMATRIX_RATE_LIMIT;
  if (envRate !== undefined && envRate !== '') {
    const m = /^(\d+)\/(\d+)s?$/.exec(envRate);
    if (!m || Number(m[2]) < 1) problems.push({ path: 'env FLOWMATRIX_RATE_LIMIT', message: 'expected REQUESTS/SECONDS such as 600/60 (0/60 disables)', value: envRate });
    else rateLimit = { requests: Number(m[1]), windowSeconds: Number(m[2]) };
  }
  const logLevel = env.FLOWMATRIX_LOG_LEVEL || cfg.logging?.level || DEFAULTS.logLevel;
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push({ path: 'env FLOWMATRIX_LOG_LEVEL', message: 'must be one of fatal, error, warn, info, debug, trace, silent', value: logLevel });
  }
  const reports = resolveReportSettings(cfg.reports, problems);
  // The Prometheus collector's URL, durations and files are checked here, before anything starts
  // (a section without a url is checked by `collect prometheus`, whose --url may complete it).
  const prom = cfg.collectors?.prometheus;
  if (prom?.url !== undefined && prom.enabled !== false) {
    try {
      resolvePrometheusConfig(prom);
    } catch (e) {
      if (!(e instanceof PrometheusConfigError)) throw e;
      problems.push({ path: 'collectors.prometheus', message: e.message });
    }
  }
  const trustProxy = trustedProxies(cfg.server?.trustProxy, problems);
  if (problems.length > 0) throw new ConfigError(origin, problems);

  const requestedHost = env.FLOWMATRIX_HOST || cfg.server?.host;
  const loopbackOnly = tokens.length === 0;
  const host = loopbackOnly ? '127.0.0.1' : (requestedHost ?? '0.0.0.0');
  return {
    host,
    loopbackOnly,
    port: opts.port ?? envPort ?? cfg.server?.port ?? DEFAULTS.port,
    dbPath: opts.dbPath ?? (env.FLOWMATRIX_DB || undefined) ?? cfg.database?.path ?? DEFAULT_DB_PATH,
    maxBodyBytes: maxBody ?? cfg.server?.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxFlowBodyBytes: maxFlow ?? cfg.server?.maxFlowBodyBytes ?? DEFAULTS.maxFlowBodyBytes,
    maxYamlTokens: cfg.server?.maxYamlTokens ?? DEFAULTS.maxYamlTokens,
    rateLimit,
    shutdownTimeoutSeconds: cfg.server?.shutdownTimeoutSeconds ?? DEFAULTS.shutdownTimeoutSeconds,
    trustProxy,
    allowedHosts: cfg.server?.allowedHosts ?? (loopbackOnly ? LOOPBACK_HOSTS : undefined),
    allowedOrigins: cfg.server?.allowedOrigins ?? [],
    logLevel,
    tokens,
    staleDays: cfg.recommendations?.staleDays ?? DEFAULTS.staleDays,
    recommendationWorkers: cfg.recommendations?.workers ?? DEFAULTS.recommendationWorkers,
    recommendationWorkerMemoryMb: cfg.recommendations?.workerMemoryMb,
    recommendationMaxQueued: cfg.recommendations?.maxQueued ?? DEFAULTS.recommendationMaxQueued,
    recommendationMaxQueuedWholeCluster: cfg.recommendations?.maxQueuedWholeCluster ?? DEFAULTS.recommendationMaxQueuedWholeCluster,
    recommendationCacheBytes: cfg.recommendations?.cacheBytes ?? DEFAULTS.recommendationCacheBytes,
    maxRecommendEdges: cfg.recommendations?.maxEdges ?? DEFAULTS.maxRecommendEdges,
    ingest: {
      maxFutureSkewMs: (cfg.ingest?.maxFutureSkewSeconds ?? DEFAULTS.ingest.maxFutureSkewSeconds) * 1000,
      maxEdgesPerWorkload: cfg.ingest?.maxEdgesPerWorkload ?? DEFAULTS.ingest.maxEdgesPerWorkload,
      maxEdgesPerRun: cfg.ingest?.maxEdgesPerRun ?? DEFAULTS.ingest.maxEdgesPerRun,
    },
    retention: {
      edgeDays: cfg.retention?.edgeDays ?? DEFAULTS.retention.edgeDays,
      hourDays: cfg.retention?.hourDays ?? DEFAULTS.retention.hourDays,
      historyDays: cfg.retention?.historyDays ?? DEFAULTS.retention.historyDays,
      runDays: cfg.retention?.runDays ?? DEFAULTS.retention.runDays,
      intervalMinutes: cfg.retention?.intervalMinutes ?? DEFAULTS.retention.intervalMinutes,
    },
    matrices: cfg.matrices ?? {},
    collectors: cfg.collectors ?? {},
    reports,
    origin,
  };
}

/** A config for tests and embedding: defaults plus the given overrides, no file and no env. */
export function configFor(overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  const base = loadServiceConfig({ env: {} });
  const loopbackOnly = (overrides.tokens ?? base.tokens).length === 0;
  return { ...base, allowedHosts: loopbackOnly ? LOOPBACK_HOSTS : undefined, ...overrides, loopbackOnly };
}
