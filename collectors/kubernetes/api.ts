/**
 * Discovery and paged lists through @kubernetes/client-node's KubernetesObjectApi (which finds a
 * kind's resource through /api/v1 and /apis/<group>/<version>) and ApisApi (/apis).
 *
 * The generated client turns a list response into typed models (dates become Date objects,
 * NetworkPolicy's `from` becomes `_from`, unknown fields are dropped). The inventory converter
 * and the stored policy manifests need the objects exactly as the API sent them, as the watch
 * delivers them, so a response middleware (the client's own extension point) keeps the raw list
 * body and hands the deserializer an empty object instead.
 */
import { ApisApi, createConfiguration, KubernetesObjectApi, ResponseContext, ServerConfiguration, type KubeConfig } from '@kubernetes/client-node';
import type { JsonObject } from '../inventory/fields.ts';
import { describeFailure, KubeApiError, type KubeVerb } from './errors.ts';
import { apiVersionOf, collectionPath, fieldSelectorOf, resourceName, type WatchedResource } from './resources.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

export interface ListPage {
  items: JsonObject[];
  resourceVersion: string;
}

/** A served resource: the collector's entry with the name and scope discovery reported. */
export interface ServedResource extends WatchedResource {
  path: string;
}


function textBody(text: string): ResponseContext['body'] {
  return { text: async () => text, binary: async () => Buffer.from(text) };
}

/** KubernetesObjectApi's discovery lookup (cached per group/version) is protected: exposed here. */
class DiscoveringObjectApi extends KubernetesObjectApi {
  served(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

/** An objects client and the list body its middleware kept last (its requests run one at a time). */
interface ObjectsClient {
  objects: DiscoveringObjectApi;
  kept: { list?: JsonObject };
}

export class KubeApi {
  /** Replaced after a request it gave up on, whose answer, if it ever comes, lands in the old one's `kept`. */
  private client: ObjectsClient;
  private readonly apis: ApisApi;
  readonly server: string;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('KubeConfig has no current cluster');
    this.server = cluster.server;
    this.client = this.newClient();
    this.apis = kc.makeApiClient(ApisApi);
  }

  private newClient(): ObjectsClient {
    const kept: ObjectsClient['kept'] = {};
    const objects = new DiscoveringObjectApi(
      createConfiguration({
        baseServer: new ServerConfiguration(this.server, {}),
        authMethods: { default: this.kc },
        promiseMiddleware: [{ pre: async (ctx) => ctx, post: (rsp) => keepListBody(rsp, kept) }],
      }),
    );
    return { objects, kept };
  }

  /**
   * Which of `wanted` the server serves: the group/versions from /apis (core is always there),
   * then each kind through the group/version's resource list. A required resource the server
   * does not serve is an error; an optional one is skipped, and so is one standing in for another
   * (WatchedResource.insteadOf, listed before it) that the server serves.
   */
  async discover(wanted: readonly WatchedResource[], wait: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ServedResource[]> {
    const within = { ...(wait.signal ? { signal: wait.signal } : {}), ms: wait.timeoutMs ?? DISCOVERY_TIMEOUT_MS };
    let groupVersions: Set<string>;
    try {
      const list = await answerWithin(this.apis.getAPIVersions(), { what: 'discovery of API groups (/apis)', verb: 'discover', resource: 'API groups (/apis)' }, within);
      groupVersions = new Set(list.groups.flatMap((g) => g.versions.map((v) => v.groupVersion)));
    } catch (e) {
      throw describeFailure(e, 'discover', 'API groups (/apis)', this.server);
    }
    const served: ServedResource[] = [];
    for (const res of wanted) {
      if (res.insteadOf !== undefined && served.some((s) => resourceName(s) === res.insteadOf)) continue;
      const apiVersion = apiVersionOf(res);
      if (res.group !== '' && !groupVersions.has(apiVersion)) {
        if (res.optional) continue;
        throw new KubeApiError(`the API server does not serve ${apiVersion} (needed for ${resourceName(res)})`, 'invalid', 'discover', resourceName(res));
      }
      let found;
      try {
        found = await answerWithin(this.client.objects.served(apiVersion, res.kind), { what: `discovery of ${resourceName(res)}`, verb: 'discover', resource: resourceName(res) }, within);
      } catch (e) {
        throw describeFailure(e, 'discover', res, this.server);
      }
      if (!found) {
        if (res.optional) continue;
        throw new KubeApiError(`the API server does not serve ${res.kind} in ${apiVersion}`, 'invalid', 'discover', resourceName(res));
      }
      const actual = { ...res, plural: found.name, namespaced: found.namespaced };
      served.push({ ...actual, path: collectionPath(actual) });
    }
    return served;
  }

  /**
   * Every object of `res`, cluster-wide (or its one object: WatchedResource.only), `limit` per page (following `continue`). The items come
   * without kind and apiVersion, as the API sends them: those of the resource are put back.
   * A continue token that expired (410) restarts the list from the first page.
   */
  async list(res: ServedResource, limit: number, wait: { signal?: AbortSignal; pageTimeoutMs?: number } = {}): Promise<ListPage & { restarts: number }> {
    const apiVersion = apiVersionOf(res);
    let items: JsonObject[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    let restarts = 0;
    for (;;) {
      const client = this.client;
      client.kept.list = undefined;
      try {
        const what = { what: `list ${resourceName(res)}`, verb: 'list' as const, resource: resourceName(res) };
        await answerWithin(client.objects.list(apiVersion, res.kind, res.only?.namespace, undefined, undefined, undefined, fieldSelectorOf(res), undefined, limit, cont), what, { ...(wait.signal ? { signal: wait.signal } : {}), ms: wait.pageTimeoutMs ?? LIST_PAGE_TIMEOUT_MS });
      } catch (e) {
        if (e instanceof GaveUp) this.client = this.newClient();
        const failure = describeFailure(e, 'list', res, this.server);
        if (failure.failure === 'gone' && cont !== undefined && restarts < 3) {
          restarts++;
          items = [];
          cont = undefined;
          continue;
        }
        throw failure;
      }
      // Set by the middleware while the request ran (TypeScript sees only the reset above).
      const page = client.kept.list as JsonObject | undefined;
      if (!page || !Array.isArray(page.items)) throw new KubeApiError(`list ${resourceName(res)}: the response is not a list`, 'server', 'list', resourceName(res));
      for (const item of page.items) if (isPlainObject(item)) items.push({ apiVersion, kind: res.kind, ...item });
      const meta = isPlainObject(page.metadata) ? page.metadata : {};
      resourceVersion = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
      cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
      if (cont === undefined) break;
    }
    return { items, resourceVersion, restarts };
  }

  get config(): KubeConfig {
    return this.kc;
  }
}

/** Keeps a list's body (parsed once, here) and hands the generated client an empty object to decode. */
async function keepListBody(rsp: ResponseContext, kept: ObjectsClient['kept']): Promise<ResponseContext> {
  if (rsp.httpStatusCode < 200 || rsp.httpStatusCode > 299) return rsp;
  const text = await rsp.body.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new ResponseContext(rsp.httpStatusCode, rsp.headers, textBody(text));
  }
  if (isPlainObject(parsed) && Array.isArray(parsed.items)) {
    kept.list = parsed;
    return new ResponseContext(rsp.httpStatusCode, rsp.headers, textBody('{}'));
  }
  return new ResponseContext(rsp.httpStatusCode, rsp.headers, textBody(text));
}

/** A request given up on (its deadline passed, or the collector stopped) while it may still be running. */
class GaveUp extends KubeApiError {}

/** The longest one list page may take: an aggregated API that accepts a request and never answers must not hold the collector. */
export const LIST_PAGE_TIMEOUT_MS = 60_000;

/**
 * The longest one discovery request may take, as client-go's discovery client allows when no
 * timeout is set (k8s.io/client-go/discovery/discovery_client.go `defaultTimeout = 32 * time.Second`):
 * the generated client sets none, and an API server that takes the connection and never answers
 * would hold discovery, and stop(), for good.
 */
export const DISCOVERY_TIMEOUT_MS = 32_000;

/** A request named in the failure it becomes: `list pods`, `discovery of API groups (/apis)`. */
interface RequestName {
  what: string;
  verb: KubeVerb;
  resource: string;
}

/**
 * A request's answer, or a failure once `ms` passes or `signal` aborts: the client library's
 * requests take no deadline (its watch alone has one, until the response headers). The request
 * itself is left to end on its own; its answer, if it ever comes, is dropped.
 */
function answerWithin<T>(request: Promise<T>, name: RequestName, wait: { signal?: AbortSignal; ms: number }): Promise<T> {
  const { ms } = wait;
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      wait.signal?.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      done();
      reject(new GaveUp(`${name.what}: no answer within ${ms / 1000} s`, 'unreachable', name.verb, name.resource));
    }, ms);
    const onAbort = (): void => {
      done();
      reject(new GaveUp(`${name.what}: stopped`, 'unreachable', name.verb, name.resource));
    };
    wait.signal?.addEventListener('abort', onAbort, { once: true });
    request.then(
      (v) => {
        done();
        resolve(v);
      },
      (e: unknown) => {
        done();
        reject(e);
      },
    );
  });
}
