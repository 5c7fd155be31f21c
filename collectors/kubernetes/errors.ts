/**
 * What the API server refused, in words an operator can act on: the verb and the resource, the
 * status and the server's own Status message (for RBAC, "pods is forbidden: User … cannot list
 * resource …"). Never an empty result that looks like success.
 */
import { ApiException } from '@kubernetes/client-node';
import { resourceName, type WatchedResource } from './resources.ts';

export type KubeVerb = 'discover' | 'list' | 'watch';

export type KubeFailure = 'unauthorized' | 'forbidden' | 'gone' | 'unreachable' | 'server' | 'invalid';

/**
 * A failure only an operator can end (credentials, RBAC, an API the server does not serve), as
 * against one retrying may outlast (the API server unreachable or failing, 410s): the first makes
 * the collector `failed` (not ready), the second `starting` (retrying; ready), so a control-plane
 * upgrade or a load-balancer failover does not take flowmatrix's API out of its Service.
 */
export function needsOperator(failure: KubeFailure | undefined): boolean {
  return failure === 'unauthorized' || failure === 'forbidden' || failure === 'invalid';
}

export class KubeApiError extends Error {
  override name = 'KubeApiError';
  constructor(
    message: string,
    readonly failure: KubeFailure,
    readonly verb: KubeVerb,
    readonly resource: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The `message` of a Kubernetes Status body, when the body is one. */
function statusMessage(body: unknown): string | undefined {
  let v = body;
  if (typeof body === 'string') {
    try {
      v = JSON.parse(body);
    } catch {
      return body.toString().trim().slice(0, 300) || undefined;
    }
  }
  if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') return (v as { message: string }).message;
  return undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID']);

function errorCode(e: unknown): string | undefined {
  const x = e as { code?: unknown; errno?: unknown; cause?: { code?: unknown } };
  for (const c of [x?.code, x?.errno, x?.cause?.code]) if (typeof c === 'string') return c;
  return undefined;
}

/** Turns whatever the client threw on `verb` of `res` into a KubeApiError naming both. */
export function describeFailure(e: unknown, verb: KubeVerb, res: Pick<WatchedResource, 'group' | 'plural'> | string, server: string): KubeApiError {
  if (e instanceof KubeApiError) return e;
  const what = typeof res === 'string' ? res : resourceName(res);
  const action = verb === 'discover' ? `discovery of ${what}` : `${verb} ${what} (all namespaces)`;
  const status = e instanceof ApiException ? e.code : typeof (e as { statusCode?: unknown })?.statusCode === 'number' ? (e as { statusCode: number }).statusCode : undefined;
  const detail = e instanceof ApiException ? statusMessage(e.body) : undefined;
  if (status === 401) {
    return new KubeApiError(`${server} refused the credentials (401 Unauthorized) on ${action}${detail ? `: ${detail}` : ''}: check the token or kubeconfig user`, 'unauthorized', verb, what, status);
  }
  if (status === 403) {
    return new KubeApiError(
      `forbidden (403): the API server does not allow ${verb === 'discover' ? 'get' : verb} on ${what}${detail ? ` (${detail})` : ''}; grant get, list and watch on it (deploy/kubernetes/rbac.yaml)`,
      'forbidden',
      verb,
      what,
      status,
    );
  }
  if (status === 410) return new KubeApiError(`${action}: 410 Gone${detail ? `: ${detail}` : ''}`, 'gone', verb, what, status);
  if (status !== undefined) return new KubeApiError(`${action} failed with HTTP ${status}${detail ? `: ${detail}` : ''}`, 'server', verb, what, status);
  const code = errorCode(e);
  const message = (e as Error)?.message ?? String(e);
  if ((code && NETWORK_CODES.has(code)) || /ECONNREFUSED|ENOTFOUND|socket hang up|network|timeout/i.test(message)) {
    return new KubeApiError(`cannot reach the API server at ${server} (${action}): ${code ?? message}`, 'unreachable', verb, what);
  }
  return new KubeApiError(`${action} failed: ${message}`, 'server', verb, what);
}
