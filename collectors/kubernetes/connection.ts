/**
 * Where the API server is and who flowmatrix is to it, as @kubernetes/client-node's KubeConfig:
 * `--url` with a bearer token file, a kubeconfig (`--kubeconfig`, the config file, `KUBECONFIG`,
 * ~/.kube/config), or the pod's service account (in-cluster).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { KubeConfig, type User } from '@kubernetes/client-node';

/** client-node's Authenticator (auth.d.ts, not re-exported by its index): what `addAuthenticator` takes. */
type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

/** Where Kubernetes mounts a pod's service-account token (and CA, namespace). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConnection {
  /** API server URL; with `tokenFile` (re-read on every request, so rotated tokens work). */
  url?: string;
  tokenFile?: string;
  /** CA bundle for `url` (default: the system's). */
  caFile?: string;
  /** Do not verify the server certificate (`url` only; for test clusters). */
  insecureSkipTlsVerify?: boolean;
  /** A kubeconfig file; its current context unless `context` names another. */
  kubeconfig?: string;
  context?: string;
}

const TOKEN_FILE_PROVIDER = 'flowmatrix-token-file';
/** Re-read the token this often, as client-go does (rotated service-account tokens). */
const TOKEN_REREAD_MS = 60_000;

/**
 * A bearer token read from a file, re-read every minute. client-node's own `tokenFile` provider
 * is one instance shared by every KubeConfig in the process (`KubeConfig.authenticators` is
 * static) and caches the first file it read for a minute whatever path it is asked for; this one
 * belongs to one KubeConfig.
 */
class TokenFileAuth implements Authenticator {
  private token: string | undefined;
  private readAt = -Infinity;

  constructor(private readonly path: string) {}

  isAuthProvider(user: User): boolean {
    return user.authProvider?.name === TOKEN_FILE_PROVIDER;
  }

  async applyAuthentication(_user: User, opts: Parameters<Authenticator['applyAuthentication']>[1]): Promise<void> {
    if (this.token === undefined || Date.now() - this.readAt > TOKEN_REREAD_MS) {
      this.token = readFileSync(this.path, 'utf8').trim();
      this.readAt = Date.now();
    }
    const o = opts as { headers?: Record<string, unknown> };
    o.headers ??= {};
    o.headers.Authorization = `Bearer ${this.token}`;
  }
}

export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** In-cluster credentials: the service's env vars and the mounted service-account token. */
export function hasInClusterCredentials(env: NodeJS.ProcessEnv, serviceAccountDir = SERVICE_ACCOUNT_DIR): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) && existsSync(join(serviceAccountDir, 'token'));
}

export interface LoadedConfig {
  kc: KubeConfig;
  /** How it was found, for logs and the summary: `url`, `kubeconfig <file>`, `in-cluster`. */
  via: string;
  server: string;
}

/** The KubeConfig for `conn`: explicit URL, then an explicit kubeconfig, then KUBECONFIG, in-cluster, ~/.kube/config. */
export function loadKubeConfig(conn: KubeConnection, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const kc = new KubeConfig();
  let via: string;
  try {
    if (conn.url !== undefined) {
      if (conn.kubeconfig !== undefined) throw new ConnectionError('give either url (with tokenFile) or kubeconfig, not both');
      // @kubernetes/client-node refuses plain http unless TLS verification is off: say so up front.
      if (/^http:\/\//.test(conn.url) && !conn.insecureSkipTlsVerify) throw new ConnectionError(`${conn.url} is plain http: set insecureSkipTlsVerify (--insecure-skip-tls-verify) to allow it`);
      if (conn.tokenFile !== undefined && !existsSync(conn.tokenFile)) throw new ConnectionError(`token file ${conn.tokenFile} does not exist`);
      kc.loadFromClusterAndUser(
        { name: 'flowmatrix', server: conn.url, skipTLSVerify: conn.insecureSkipTlsVerify ?? false, ...(conn.caFile ? { caFile: conn.caFile } : {}) },
        conn.tokenFile !== undefined ? { name: 'flowmatrix', authProvider: { name: TOKEN_FILE_PROVIDER, config: {} } } : { name: 'flowmatrix' },
      );
      if (conn.tokenFile !== undefined) kc.addAuthenticator(new TokenFileAuth(conn.tokenFile));
      via = 'url';
    } else if (conn.kubeconfig !== undefined) {
      if (!existsSync(conn.kubeconfig)) throw new ConnectionError(`kubeconfig ${conn.kubeconfig} does not exist`);
      kc.loadFromFile(conn.kubeconfig);
      via = `kubeconfig ${conn.kubeconfig}`;
    } else if (env.KUBECONFIG) {
      const first = env.KUBECONFIG.split(':').find((f) => f !== '') as string;
      kc.loadFromFile(first);
      via = `kubeconfig ${first} (KUBECONFIG)`;
    } else if (hasInClusterCredentials(env)) {
      kc.loadFromCluster();
      via = 'in-cluster';
    } else {
      const home = join(homedir(), '.kube', 'config');
      if (!existsSync(home)) throw new ConnectionError('no Kubernetes credentials: give --kubeconfig FILE or --url URL --token-file FILE (or set KUBECONFIG, or run in a pod with a service account)');
      kc.loadFromFile(home);
      via = `kubeconfig ${home}`;
    }
    if (conn.context !== undefined) {
      // client-node takes any name and then finds no cluster: a misspelt context is said as such.
      const names = kc.getContexts().map((c) => c.name);
      if (!names.includes(conn.context)) throw new ConnectionError(`${via}: no context "${conn.context}" (contexts: ${names.sort().join(', ') || 'none'})`);
      kc.setCurrentContext(conn.context);
    }
  } catch (e) {
    if (e instanceof ConnectionError) throw e;
    throw new ConnectionError(`cannot load Kubernetes credentials: ${(e as Error).message}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ConnectionError(`${via}: no current cluster (set current-context, or give --context)`);
  return { kc, via, server: cluster.server };
}
