/**
 * An in-process HTTP server that speaks the Kubernetes API's list/watch protocol, for testing the
 * real @kubernetes/client-node against it (no cluster, no network):
 *
 * - discovery: GET /api, /api/v1, /apis, /apis/<group>/<version> (APIVersions, APIGroupList,
 *   APIResourceList);
 * - list: GET <collection>?limit=&continue= → a typed List whose items carry no kind/apiVersion,
 *   with metadata.resourceVersion and metadata.continue; a continue token older than the retained
 *   history is 410 Expired;
 * - watch: GET <collection>?watch=true&resourceVersion=&allowWatchBookmarks= → chunked JSON lines
 *   `{"type":…,"object":…}` from the events after resourceVersion, then live; BOOKMARK events on
 *   `bookmark()`; a resourceVersion older than the retained history gets
 *   `{"type":"ERROR","object":{"kind":"Status","code":410,…}}` and the stream ends;
 * - collections of one namespace (/api/v1/namespaces/<ns>/<plural>) and the field selector
 *   `metadata.name=<name>`, on lists and watches alike;
 * - a bearer token (401 Status otherwise) and per-resource RBAC denials (403 Status with the API
 *   server's "… is forbidden: User … cannot list resource …" message), including a grant by
 *   `resourceNames` in one namespace's Role (`grantOnly`): a list or watch is allowed only in that
 *   namespace with the field selector `metadata.name=<name>` (kubernetes.io/docs/reference/
 *   access-authn-authz/rbac/, "Referring to resources");
 * - faults: `dropWatchesMidObject()` cuts every open watch in the middle of the next event;
 *   `hold()` takes requests and answers nothing (`answerHeld()` answers the held watches late).
 *
 * The objects live in memory; the test changes them with `put` / `remove` and every change is an
 * event with the next resourceVersion, as etcd's revision. The event history is bounded
 * (`historyLimit`), like the API server's watch cache: older resourceVersions are "too old".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

type Json = Record<string, unknown>;
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface StoredEvent {
  rv: number;
  resource: string;
  type: EventType;
  object: Json;
}

/** Which objects of a collection a request reads: one namespace's (undefined: all), those of one name (the field selector). */
interface Selection {
  namespace?: string;
  name?: string;
}

interface OpenWatch {
  resource: string;
  selection: Selection;
  bookmarks: boolean;
  res: ServerResponse;
  timer?: NodeJS.Timeout;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface KubeApiServerOptions {
  resources: FakeResource[];
  /** Required bearer token; undefined = no authentication. */
  token?: string;
  /** Events kept for watch resumption (the watch cache); older resourceVersions get 410. */
  historyLimit?: number;
  /** Who the 403 messages name. */
  user?: string;
}

const resKey = (r: Pick<FakeResource, 'group' | 'version' | 'plural'>) => `${r.group}/${r.version}/${r.plural}`;
const apiVersionOf = (r: Pick<FakeResource, 'group' | 'version'>) => (r.group === '' ? r.version : `${r.group}/${r.version}`);

function status(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export class KubeApiServer {
  readonly requests: RequestLogEntry[] = [];
  private readonly server: Server;
  private readonly resources = new Map<string, FakeResource>();
  private readonly objects = new Map<string, Map<string, Json>>();
  private readonly history: StoredEvent[] = [];
  private readonly watches = new Set<OpenWatch>();
  private readonly forbidden = new Set<string>();
  /** Resources granted only by a Role in one namespace with resourceNames: `grantOnly`. */
  private readonly grantedOnly = new Map<string, { namespace: string; name: string }>();
  /** Resources whose requests are taken and never answered: a list hangs, a watch stays open with nothing on it (or without even its headers: `hold`). */
  private readonly held = new Map<string, { headers: boolean }>();
  /** Watches taken while held without headers, not answered yet: `answerHeld` answers them late. */
  private readonly heldWatches: { r: FakeResource; selection: Selection; query: Record<string, string>; res: ServerResponse }[] = [];
  private rv = 100;
  /** Events with rv <= this are no longer in the history. */
  private compactedRv = 100;
  private dropNext = false;
  /** Every watch from a resourceVersion answered 410 Gone, however recent (a proxy or server that refuses them). */
  private refusingWatches = false;
  private unavailableNow = false;
  /** Discovery requests are taken and never answered (`holdDiscovery`). */
  private discoveryHeld = false;
  private readonly historyLimit: number;
  url = '';
  /** Called for every request before it is answered (tests change the cluster between pages). */
  onRequest: ((entry: RequestLogEntry) => void) | undefined;

  private constructor(private readonly options: KubeApiServerOptions) {
    for (const r of options.resources) {
      this.resources.set(resKey(r), r);
      this.objects.set(resKey(r), new Map());
    }
    this.historyLimit = options.historyLimit ?? 10_000;
    this.server = createServer((req, res) => this.handle(req, res));
  }

  static async start(options: KubeApiServerOptions): Promise<KubeApiServer> {
    const s = new KubeApiServer(options);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  async close(): Promise<void> {
    for (const w of this.watches) this.endWatch(w);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  get openWatches(): number {
    return this.watches.size;
  }

  /**
   * From now on, requests for `resource` (`pods`, `tiers.projectcalico.org`) hang: an aggregated API
   * or a proxy that stopped answering. A watch gets its 200 and then nothing; with `headers: false`,
   * not even that (an API server black-holed: the connection accepted, nothing ever sent).
   */
  hold(resource: string, { headers = true }: { headers?: boolean } = {}): void {
    this.held.set(resource, { headers });
  }

  release(resource: string): void {
    this.held.delete(resource);
  }

  /** Answers the watches taken while held without headers, late: their 200 now, then the events from their resourceVersion, as any watch. */
  answerHeld(): void {
    for (const w of this.heldWatches.splice(0)) if (!w.res.destroyed) this.watch(w.r, w.selection, w.query, w.res);
  }

  // Changing the cluster ------------------------------------------------------------------------
  /** A resource installed (its CRD created): discovery lists it and its collection answers from now on. */
  serve(r: FakeResource): void {
    this.resources.set(resKey(r), r);
    if (!this.objects.has(resKey(r))) this.objects.set(resKey(r), new Map());
  }

  /** A resource removed (its CRD deleted): its objects are gone, its watches end, discovery no longer lists it and its collection is 404. */
  unserve(apiVersion: string, kind: string): void {
    const r = this.resourceOf({ apiVersion, kind });
    this.resources.delete(resKey(r));
    this.objects.delete(resKey(r));
    for (const w of this.watches) if (w.resource === resKey(r)) this.endWatch(w);
  }


  private resourceOf(obj: Json): FakeResource {
    const apiVersion = String(obj.apiVersion);
    const kind = String(obj.kind);
    const r = [...this.resources.values()].find((x) => apiVersionOf(x) === apiVersion && x.kind === kind);
    if (!r) throw new Error(`fake API server: no resource for ${apiVersion} ${kind}`);
    return r;
  }

  private static id(obj: Json): string {
    const md = obj.metadata as { namespace?: string; name: string };
    return `${md.namespace ?? ''}/${md.name}`;
  }

  /** Creates or replaces an object (ADDED or MODIFIED), with the next resourceVersion. Returns the stored copy. */
  put(obj: Json): Json {
    const r = this.resourceOf(obj);
    const table = this.objects.get(resKey(r)) as Map<string, Json>;
    const id = KubeApiServer.id(obj);
    const type: EventType = table.has(id) ? 'MODIFIED' : 'ADDED';
    const stored = structuredClone(obj);
    const md = stored.metadata as Json;
    md.resourceVersion = String(++this.rv);
    md.uid ??= `uid-${id}`;
    table.set(id, stored);
    this.emit({ rv: this.rv, resource: resKey(r), type, object: stored });
    return stored;
  }

  /** Deletes an object (a DELETED event carrying its last state with the new resourceVersion). */
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const r = this.resourceOf({ apiVersion, kind });
    const table = this.objects.get(resKey(r)) as Map<string, Json>;
    const id = `${namespace ?? ''}/${name}`;
    const old = table.get(id);
    if (!old) throw new Error(`fake API server: ${kind} ${id} does not exist`);
    table.delete(id);
    const last = structuredClone(old);
    (last.metadata as Json).resourceVersion = String(++this.rv);
    this.emit({ rv: this.rv, resource: resKey(r), type: 'DELETED', object: last });
  }

  /** Changes objects without events (as if they happened while nobody watched and the history was compacted). */
  replaceSilently(objs: Json[]): void {
    for (const t of this.objects.values()) t.clear();
    for (const obj of objs) {
      const r = this.resourceOf(obj);
      const stored = structuredClone(obj);
      (stored.metadata as Json).resourceVersion = String(++this.rv);
      (this.objects.get(resKey(r)) as Map<string, Json>).set(KubeApiServer.id(obj), stored);
    }
    this.compact();
  }

  /** While on, every watch from a resourceVersion, even the current one, gets 410 Gone at once. */
  refuseWatches(on: boolean): void {
    this.refusingWatches = on;
  }

  /** Forgets the event history: resuming a watch from any earlier resourceVersion gets 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedRv = this.rv;
  }

  /** Sends a BOOKMARK (the current resourceVersion) on every watch that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watches) {
      if (!w.bookmarks) continue;
      const r = this.resources.get(w.resource) as FakeResource;
      this.write(w, { type: 'BOOKMARK', object: { kind: r.kind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** Writes `event` as it is (any type, any object) on every open watch: what a broken server or proxy might send. */
  sendRaw(event: Json): void {
    for (const w of this.watches) this.write(w, event);
  }

  /** As `sendRaw`, on the open watches of one resource only (`ciliumnetworkpolicies.cilium.io`, `pods`: as kubectl names it). */
  sendRawOn(resource: string, event: Json): void {
    for (const w of this.watches) {
      const r = this.resources.get(w.resource) as FakeResource;
      if ((r.group === '' ? r.plural : `${r.plural}.${r.group}`) === resource) this.write(w, event);
    }
  }

  /** The next event sent on an open watch is cut in the middle of its object and the connection dropped. */
  dropWatchesMidObject(): void {
    this.dropNext = true;
  }

  /** Ends every open watch cleanly (as the server's timeout does). */
  endWatches(): void {
    for (const w of this.watches) this.endWatch(w);
  }

  /** While on, discovery requests (/api, /apis, their group/versions) are taken and never answered: an API server that hangs. */
  holdDiscovery(on: boolean): void {
    this.discoveryHeld = on;
  }

  /** While on, every request gets 503 Service Unavailable (an API server restarting behind its load balancer). */
  unavailable(on: boolean): void {
    this.unavailableNow = on;
  }

  /** RBAC: deny list and watch on a resource (`pods`, `deployments.apps`). */
  forbid(resource: string): void {
    this.forbidden.add(resource);
  }

  allow(resource: string): void {
    this.forbidden.delete(resource);
  }

  /**
   * RBAC: `resource` is granted only by a Role in `namespace` with `resourceNames: [name]`: a list
   * or watch is authorized only at that namespace's collection with the field selector
   * `metadata.name=<name>` ("If you restrict list or watch by resourceName, clients must include a
   * metadata.name field selector in their list or watch request … in order to be authorized").
   */
  grantOnly(resource: string, only: { namespace: string; name: string }): void {
    this.grantedOnly.set(resource, only);
  }

  private emit(ev: StoredEvent): void {
    this.history.push(ev);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = (dropped.at(-1) as StoredEvent).rv;
    }
    const drop = this.dropNext;
    for (const w of this.watches) {
      if (w.resource !== ev.resource || !selects(w.selection, ev.object)) continue;
      const line = JSON.stringify({ type: ev.type, object: ev.object });
      if (drop) {
        this.dropNext = false;
        w.res.write(line.slice(0, Math.floor(line.length / 2)));
        this.watches.delete(w);
        clearTimeout(w.timer);
        w.res.socket?.destroy();
        continue;
      }
      w.res.write(`${line}\n`);
    }
  }

  private write(w: OpenWatch, event: Json): void {
    w.res.write(`${JSON.stringify(event)}\n`);
  }

  private endWatch(w: OpenWatch): void {
    clearTimeout(w.timer);
    this.watches.delete(w);
    w.res.end();
  }

  // HTTP ----------------------------------------------------------------------------------------

  private send(res: ServerResponse, code: number, body: Json): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams.entries());
    const entry = { method: req.method ?? 'GET', path: url.pathname, query };
    this.requests.push(entry);
    this.onRequest?.(entry);
    if (this.unavailableNow) return this.send(res, 503, status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'));
    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
      return this.send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const parts = url.pathname.split('/').filter((p) => p !== '');
    if (req.method !== 'GET') return this.send(res, 405, status(405, 'MethodNotAllowed', 'the fake API server is read-only'));
    // Discovery.
    if (this.discoveryHeld && (parts[0] === 'api' || parts[0] === 'apis') && parts.length <= 3 && collectionOf(parts) === undefined) return;
    if (parts.length === 1 && parts[0] === 'api') return this.send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (parts.length === 1 && parts[0] === 'apis') return this.send(res, 200, this.groupList());
    if (parts[0] === 'api' && parts.length === 2) return this.resourceList('', parts[1] as string, res);
    if (parts[0] === 'apis' && parts.length === 3) return this.resourceList(parts[1] as string, parts[2] as string, res);
    // Collections, cluster-wide or of one namespace.
    const collection = collectionOf(parts);
    const r = collection ? this.resources.get(`${collection.group}/${collection.version}/${collection.plural}`) : undefined;
    if (!r || (collection?.namespace !== undefined && !r.namespaced)) return this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const selection = selectionOf(collection?.namespace, query.fieldSelector);
    if (selection === undefined) return this.send(res, 400, status(400, 'BadRequest', `the fake API server reads only the field selector metadata.name=<name>, got ${JSON.stringify(query.fieldSelector)}`));
    const watching = query.watch === 'true' || query.watch === '1';
    const rbacName = r.group === '' ? r.plural : `${r.plural}.${r.group}`;
    const only = this.grantedOnly.get(rbacName);
    if (this.forbidden.has(rbacName) || (only !== undefined && (selection.namespace !== only.namespace || selection.name !== only.name))) {
      const user = this.options.user ?? 'system:serviceaccount:flowmatrix:flowmatrix';
      const verb = watching ? 'watch' : 'list';
      const where = selection.namespace === undefined ? 'at the cluster scope' : `in the namespace "${selection.namespace}"`;
      return this.send(
        res,
        403,
        status(403, 'Forbidden', `${rbacName} is forbidden: User "${user}" cannot ${verb} resource "${r.plural}" in API group "${r.group}" ${where}`, { kind: r.plural, ...(r.group ? { group: r.group } : {}) }),
      );
    }
    const held = this.held.get(rbacName);
    if (held) {
      // A watch gets its 200 (unless held without headers) and then nothing, and is never ended; a list gets nothing at all.
      if (watching && held.headers) {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.flushHeaders();
      } else if (watching) this.heldWatches.push({ r, selection, query, res });
      return;
    }
    return watching ? this.watch(r, selection, query, res) : this.list(r, selection, query, res);
  }

  private groupList(): Json {
    const groups = new Map<string, string[]>();
    for (const r of this.resources.values()) {
      if (r.group === '') continue;
      const versions = groups.get(r.group) ?? [];
      if (!versions.includes(r.version)) versions.push(r.version);
      groups.set(r.group, versions);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }

  private resourceList(group: string, version: string, res: ServerResponse): void {
    const list = [...this.resources.values()].filter((r) => r.group === group && r.version === version);
    if (list.length === 0 && group !== '') return this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    this.send(res, 200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources: list.map((r) => ({ name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list', 'watch'] })),
    });
  }

  private list(r: FakeResource, selection: Selection, query: Record<string, string>, res: ServerResponse): void {
    const all = [...(this.objects.get(resKey(r)) as Map<string, Json>).entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, o]) => o)
      .filter((o) => selects(selection, o));
    let offset = 0;
    let listRv = this.rv;
    if (query.continue) {
      const token = JSON.parse(Buffer.from(query.continue, 'base64url').toString()) as { rv: number; offset: number };
      if (token.rv < this.compactedRv) {
        return this.send(res, 410, status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'));
      }
      offset = token.offset;
      listRv = token.rv;
    }
    const limit = query.limit ? Number(query.limit) : Infinity;
    const page = all.slice(offset, offset + limit);
    const next = offset + page.length < all.length ? Buffer.from(JSON.stringify({ rv: listRv, offset: offset + page.length })).toString('base64url') : undefined;
    // Items of a typed list carry no kind and apiVersion, as the real API server sends them.
    const items = page.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
    this.send(res, 200, { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(listRv), ...(next ? { continue: next } : {}) }, items });
  }

  private watch(r: FakeResource, selection: Selection, query: Record<string, string>, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: OpenWatch = { resource: resKey(r), selection, bookmarks: query.allowWatchBookmarks === 'true', res };
    const from = query.resourceVersion ? Number(query.resourceVersion) : 0;
    if (from === 0) {
      // No resourceVersion: the current state as ADDED events, then live.
      for (const o of (this.objects.get(resKey(r)) as Map<string, Json>).values()) if (selects(selection, o)) this.write(w, { type: 'ADDED', object: o });
    } else if (from < this.compactedRv || this.refusingWatches) {
      this.write(w, { type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${this.compactedRv + 1})`) });
      res.end();
      return;
    } else {
      for (const ev of this.history) if (ev.resource === w.resource && ev.rv > from && selects(selection, ev.object)) this.write(w, { type: ev.type, object: ev.object });
    }
    this.watches.add(w);
    const timeout = Number(query.timeoutSeconds);
    if (timeout > 0) w.timer = setTimeout(() => this.endWatch(w), timeout * 1000);
    res.on('close', () => {
      clearTimeout(w.timer);
      this.watches.delete(w);
    });
  }
}

/** `/api/v1/pods`, `/apis/apps/v1/deployments`, `/api/v1/namespaces/kube-system/configmaps`: the collection a path names. */
function collectionOf(parts: readonly string[]): { group: string; version: string; plural: string; namespace?: string } | undefined {
  const [root, ...rest] = parts;
  const groupVersion = root === 'api' ? ['', rest.shift()] : root === 'apis' ? [rest.shift(), rest.shift()] : undefined;
  if (!groupVersion || groupVersion.some((p) => p === undefined)) return undefined;
  const [group, version] = groupVersion as [string, string];
  if (rest.length === 1) return { group, version, plural: rest[0] as string };
  if (rest.length === 3 && rest[0] === 'namespaces') return { group, version, plural: rest[2] as string, namespace: rest[1] as string };
  return undefined;
}

/** The objects a request reads; undefined for a field selector the fake does not read. */
function selectionOf(namespace: string | undefined, fieldSelector: string | undefined): Selection | undefined {
  if (fieldSelector === undefined || fieldSelector === '') return namespace === undefined ? {} : { namespace };
  const m = /^metadata\.name=([^,=]+)$/.exec(fieldSelector);
  if (!m) return undefined;
  return { ...(namespace !== undefined ? { namespace } : {}), name: m[1] as string };
}

function selects(selection: Selection, obj: Json): boolean {
  const md = obj.metadata as { namespace?: string; name?: string };
  return (selection.namespace === undefined || md.namespace === selection.namespace) && (selection.name === undefined || md.name === selection.name);
}
