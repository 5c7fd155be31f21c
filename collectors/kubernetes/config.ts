/**
 * `collectors.kubernetes` in the service config (docs/operations.md, "Collectors → Kubernetes").
 * Without the section the collector runs only when it finds in-cluster credentials; with it, it
 * runs unless `enabled: false`.
 */
import { existsSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import type { KubeConnection } from './connection.ts';

const strict = { additionalProperties: false };

export const KubernetesConfig = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: 'default: true when the section is present, else only in-cluster' })),
    kubeconfig: Type.Optional(Type.String({ minLength: 1, description: 'a kubeconfig file (default: KUBECONFIG, in-cluster, ~/.kube/config)' })),
    context: Type.Optional(Type.String({ minLength: 1 })),
    url: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+', description: 'API server URL, with tokenFile' })),
    tokenFile: Type.Optional(Type.String({ minLength: 1, description: 'bearer token file, re-read on each request' })),
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    insecureSkipTlsVerify: Type.Optional(Type.Boolean()),
    /** Objects per list page (`limit`). */
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    /** Server-side watch timeout; the watch is resumed from its resourceVersion after it. */
    watchTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 3600 })),
    /** How often discovery runs again: a policy CRD installed later is watched, one removed is dropped. */
    discoveryIntervalSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })),
    /** Changes that release no pod IP are written together, at most this long after the first. */
    flushIntervalMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000 })),
    backoff: Type.Optional(
      Type.Object({ initialMs: Type.Optional(Type.Integer({ minimum: 10 })), maxMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 3_600_000 })) }, strict),
    ),
  },
  strict,
);
export type KubernetesConfigT = Static<typeof KubernetesConfig>;

export interface KubernetesSettings {
  connection: KubeConnection;
  pageSize: number;
  watchTimeoutSeconds: number;
  discoveryIntervalSeconds: number;
  flushIntervalMs: number;
  backoff: { initialMs: number; maxMs: number };
}

export const KUBERNETES_DEFAULTS = { pageSize: 500, watchTimeoutSeconds: 300, discoveryIntervalSeconds: 300, flushIntervalMs: 1000, backoff: { initialMs: 1000, maxMs: 60_000 } } as const;

export class KubernetesConfigError extends Error {
  override name = 'KubernetesConfigError';
}

/** The section with defaults filled in; a missing file or a contradiction is an error naming the key. */
export function resolveKubernetesSettings(cfg: KubernetesConfigT = {}, where = 'collectors.kubernetes'): KubernetesSettings {
  for (const key of ['kubeconfig', 'tokenFile', 'caFile'] as const) {
    const file = cfg[key];
    if (file !== undefined && !existsSync(file)) throw new KubernetesConfigError(`${where}.${key}: ${file} does not exist`);
  }
  if (cfg.url !== undefined && cfg.kubeconfig !== undefined) throw new KubernetesConfigError(`${where}: give either url (with tokenFile) or kubeconfig, not both`);
  if (cfg.tokenFile !== undefined && cfg.url === undefined) throw new KubernetesConfigError(`${where}.tokenFile: only used with url`);
  const backoff = { initialMs: cfg.backoff?.initialMs ?? KUBERNETES_DEFAULTS.backoff.initialMs, maxMs: cfg.backoff?.maxMs ?? KUBERNETES_DEFAULTS.backoff.maxMs };
  if (backoff.maxMs < backoff.initialMs) throw new KubernetesConfigError(`${where}.backoff: maxMs (${backoff.maxMs}) is smaller than initialMs (${backoff.initialMs})`);
  const connection: KubeConnection = {};
  if (cfg.url !== undefined) connection.url = cfg.url;
  if (cfg.tokenFile !== undefined) connection.tokenFile = cfg.tokenFile;
  if (cfg.caFile !== undefined) connection.caFile = cfg.caFile;
  if (cfg.insecureSkipTlsVerify !== undefined) connection.insecureSkipTlsVerify = cfg.insecureSkipTlsVerify;
  if (cfg.kubeconfig !== undefined) connection.kubeconfig = cfg.kubeconfig;
  if (cfg.context !== undefined) connection.context = cfg.context;
  return {
    connection,
    pageSize: cfg.pageSize ?? KUBERNETES_DEFAULTS.pageSize,
    watchTimeoutSeconds: cfg.watchTimeoutSeconds ?? KUBERNETES_DEFAULTS.watchTimeoutSeconds,
    discoveryIntervalSeconds: cfg.discoveryIntervalSeconds ?? KUBERNETES_DEFAULTS.discoveryIntervalSeconds,
    flushIntervalMs: cfg.flushIntervalMs ?? KUBERNETES_DEFAULTS.flushIntervalMs,
    backoff,
  };
}
