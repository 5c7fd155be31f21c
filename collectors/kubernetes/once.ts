/**
 * `flowmatrix collect kubernetes --once`: discovery, then one paged list of every served resource,
 * gathered into one mirror (the same per-object checks as the watcher). Any refusal — a wrong
 * token, an unreachable server, a resource RBAC forbids — fails the pass naming the verb and the
 * resource; nothing is written then.
 */
import type { RawObject } from '../inventory/index.ts';
import { KubeApi } from './api.ts';
import type { KubernetesSettings } from './config.ts';
import { loadKubeConfig } from './connection.ts';
import { describeFailure, KubeApiError } from './errors.ts';
import { ClusterMirror, type Rejection } from './mirror.ts';
import { kindKeyOf, RESOURCES, resourceName, unservedPolicyKinds, type WatchedResource } from './resources.ts';
import { compareStrings } from '../../domain/order.ts';

export interface ListedCluster {
  server: string;
  via: string;
  objects: RawObject[];
  /** Kind keys listed (authoritative even when empty). */
  scope: string[];
  /** Objects per listed resource (`pods`, `deployments.apps`), sorted. */
  resources: Record<string, number>;
  rejected: number;
  rejections: Rejection[];
}

export class ListFailedError extends Error {
  override name = 'ListFailedError';
  constructor(readonly failures: KubeApiError[]) {
    super(failures.map((f) => f.message).join('; '));
  }
}

export async function listClusterOnce(settings: KubernetesSettings, env: NodeJS.ProcessEnv = process.env, wanted: readonly WatchedResource[] = RESOURCES): Promise<ListedCluster> {
  const loaded = loadKubeConfig(settings.connection, env);
  const api = new KubeApi(loaded.kc);
  const served = await api.discover(wanted).catch((e: unknown) => {
    throw new ListFailedError([describeFailure(e, 'discover', 'API resources', loaded.server)]);
  });
  const mirror = new ClusterMirror();
  const failures: KubeApiError[] = [];
  const resources: Record<string, number> = {};
  for (const res of served) {
    try {
      const page = await api.list(res, settings.pageSize);
      mirror.replace(res, page.items);
      resources[resourceName(res)] = mirror.count(res);
    } catch (e) {
      failures.push(describeFailure(e, 'list', res, loaded.server));
      // A wrong token or an unreachable server fails every list alike: say it once.
      if (failures.at(-1)?.failure === 'unauthorized' || failures.at(-1)?.failure === 'unreachable') break;
    }
  }
  if (failures.length > 0) throw new ListFailedError(failures);
  return {
    server: loaded.server,
    via: loaded.via,
    objects: mirror.objects(served),
    scope: [...new Set([...served.filter((res) => mirror.knowsAll(res)).map(kindKeyOf), ...unservedPolicyKinds(wanted, served)])].sort(),
    resources: Object.fromEntries(Object.entries(resources).sort(([a], [b]) => compareStrings(a, b))),
    rejected: mirror.rejected,
    rejections: [...mirror.recentRejections],
  };
}
