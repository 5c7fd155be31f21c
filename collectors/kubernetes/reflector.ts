/**
 * One resource kept in step with the API server: list, then watch from the list's
 * resourceVersion, as client-go's Reflector does.
 *
 * Built on @kubernetes/client-node's `Watch` and our paged list rather than its `ListWatch`
 * informer (src/cache.ts), because that informer cannot do what this collector needs: it never
 * asks for bookmarks (`allowWatchBookmarks`), so a quiet resource's resourceVersion goes stale
 * and every reconnect risks a 410 and a full relist; it lists in one request (no `limit` /
 * `continue`); and on any error other than 410 it stops for good, with no backoff. The loop below
 * keeps its model (list → watch from resourceVersion → re-watch on a clean end → relist on 410)
 * and adds those three.
 *
 * A stream cut mid-object loses nothing: `Watch` drops the partial line, the next watch resumes
 * from the last complete event's resourceVersion and the server sends the cut event again.
 *
 * Whether the view is current (`stats.current`): a list is the resource as it is then; a watch
 * that ends leaves the view stale, since changes made until the next watch delivers them are
 * unknown, and that next watch may not resume at all: the API server answers a resourceVersion it
 * no longer keeps with HTTP 200 and then an ERROR event (410 Expired), so a connected watch is no
 * proof yet. The view is current again once the resumed watch delivers an event or a bookmark,
 * which is what client-go's reflector records as its lastSyncResourceVersion (tools/cache/
 * reflector.go `watchHandler`: "A `Bookmark` means watch has synced here", then
 * `setLastSyncResourceVersion` after every event; an ERROR event is returned as the watch's error,
 * and a relist follows an expired one), or after a relist (`list`: `setLastSyncResourceVersion`
 * once the list is stored). The collector writes only resources whose view is current.
 */
import { Watch } from '@kubernetes/client-node';
import { Backoff, sleep } from '../backoff.ts';
import type { JsonObject } from '../inventory/fields.ts';
import type { KubeApi, ServedResource } from './api.ts';
import { describeFailure, KubeApiError, type KubeFailure } from './errors.ts';
import { apiVersionOf, fieldSelectorOf, resourceName } from './resources.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Where a reflector delivers what it reads. */
export interface ReflectorSink {
  /** A full list: the resource's objects now are exactly `items` (objects missing from it are gone). */
  replace(res: ServedResource, items: JsonObject[], at: number): void;
  event(res: ServedResource, type: WatchEventType, obj: JsonObject, at: number): void;
  /** A list or watch failed; the reflector retries after a backoff. */
  failed(res: ServedResource, error: KubeApiError, at: number): void;
  /** The view is current again without a list: a resumed watch delivered its first event or bookmark (called before that event). */
  resumed(res: ServedResource, at: number): void;
}

export interface ReflectorOptions {
  pageSize: number;
  /** Server-side watch timeout, seconds: the server ends the watch and we resume (a liveness check on the stream). */
  watchTimeoutSeconds: number;
  backoff: Backoff;
  now: () => number;
  /** How long past `watchTimeoutSeconds` a watch may stay open before it is taken as stalled (default: the greater of 10 s and a tenth of the timeout). */
  stallGraceMs?: number;
  /** How long one list page may take (default api.ts LIST_PAGE_TIMEOUT_MS). */
  listPageTimeoutMs?: number;
}

/** Per-resource readings, for status(). */
export interface ReflectorStats {
  events: number;
  bookmarks: number;
  /** Watch events of no known type, or without an object: left out (the client library itself drops lines that are no JSON, uncounted). */
  skipped: number;
  relists: number;
  /** Watches ended with 410 Gone (resourceVersion too old): each one is followed by a relist. */
  gone: number;
  errors: number;
  watches: number;
  /** Watches dropped as stalled: open well past their timeout with nothing arriving. */
  stalls: number;
  synced: boolean;
  /**
   * What the mirror holds of the resource is the cluster as it is now: listed, and every watch
   * ended since has been followed by one that delivered an event or a bookmark. False from a
   * watch's end (or an ERROR event on it) until then, and before the first list. See `Reflector`.
   */
  current: boolean;
  /** When the resource was last known current: a list, an event or a bookmark (ms). */
  lastSync?: number;
  lastError?: string;
  /** What kind of failure `lastError` is (an operator must act on `unauthorized`, `forbidden`, `invalid`; the rest may heal). */
  lastFailure?: KubeFailure;
  /** The last failure has not been followed by a successful list or watch yet. */
  failing: boolean;
}

interface WatchOutcome {
  progress: boolean;
  gone: boolean;
}

export class Reflector {
  readonly stats: ReflectorStats = { events: 0, bookmarks: 0, skipped: 0, relists: 0, gone: 0, errors: 0, watches: 0, stalls: 0, synced: false, current: false, failing: false };
  private resourceVersion = '';
  /** 410s in a row, each on the first watch after a list, with nothing received between (see `gone`). */
  private goneAtOnce = 0;
  /** Whether the last watch started is the first one after a list. */
  private afterList = false;
  private readonly watch: Watch;
  private controller: AbortController | undefined;

  constructor(
    readonly resource: ServedResource,
    private readonly api: KubeApi,
    private readonly sink: ReflectorSink,
    private readonly options: ReflectorOptions,
  ) {
    this.watch = new Watch(api.config);
  }

  /** Runs until `signal` aborts; never throws. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = () => this.controller?.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      while (!signal.aborted) {
        try {
          if (this.resourceVersion === '') await this.relist(signal);
          if (signal.aborted) break;
          const outcome = await this.watchOnce(signal);
          if (outcome.gone) {
            await this.gone(outcome.progress, signal);
            continue;
          }
          this.afterList = false;
          if (outcome.progress) {
            this.goneAtOnce = 0;
            this.options.backoff.reset();
            this.stats.failing = false;
          } else {
            // An empty watch that ended at once (a proxy cutting streams): do not spin.
            await sleep(this.options.backoff.next(), signal);
          }
        } catch (e) {
          if (signal.aborted) break;
          const failure = describeFailure(e, this.stats.synced || this.resourceVersion !== '' ? 'watch' : 'list', this.resource, this.api.server);
          // 410 on a watch: relist at once. On a list (continue tokens kept expiring): back off like any failure.
          if (failure.failure === 'gone' && failure.verb === 'watch') {
            await this.gone(false, signal);
            continue;
          }
          this.stats.errors++;
          this.stats.failing = true;
          this.stats.lastError = failure.message;
          this.stats.lastFailure = failure.failure;
          this.sink.failed(this.resource, failure, this.options.now());
          await sleep(this.options.backoff.next(), signal);
        }
      }
    } finally {
      signal.removeEventListener('abort', stop);
      this.controller?.abort();
    }
  }

  /**
   * A watch ended with 410 Gone: relist. At once when the resourceVersion simply aged out during a
   * watch, or once right after a list (a compaction racing it); but a 410 again on the very watch
   * that starts from a fresh list's resourceVersion, before anything arrived, means the server
   * refuses whatever we list (a proxy or an API server answering
   * 410 at once): relisting at once would spin, a full list and inventory write each time. Those
   * relists are spaced by the backoff, growing while it goes on, and the resource shows as failing
   * (client-go's reflector runs ListAndWatch under its backoff manager for the same reason:
   * tools/cache/reflector.go, `Run` → `wait.BackoffUntil`).
   */
  private async gone(progress: boolean, signal: AbortSignal): Promise<void> {
    this.stats.gone++;
    this.resourceVersion = '';
    if (!this.afterList || progress) {
      this.goneAtOnce = 0;
      return;
    }
    this.goneAtOnce++;
    // Once may be a compaction racing the list: relist at once, as before. Twice in a row is the server.
    if (this.goneAtOnce === 1) return;
    const error = new KubeApiError(
      `watch ${this.resource.plural}: the server answered 410 Gone to a watch from its own list's resourceVersion (${this.goneAtOnce} times in a row); relisting with backoff`,
      'gone',
      'watch',
      this.resource.plural,
    );
    this.stats.errors++;
    this.stats.failing = true;
    this.stats.lastError = error.message;
    this.stats.lastFailure = error.failure;
    this.sink.failed(this.resource, error, this.options.now());
    await sleep(this.options.backoff.next(), signal);
  }

  private async relist(signal: AbortSignal): Promise<void> {
    let page;
    try {
      page = await this.api.list(this.resource, this.options.pageSize, { signal, ...(this.options.listPageTimeoutMs !== undefined ? { pageTimeoutMs: this.options.listPageTimeoutMs } : {}) });
    } catch (e) {
      throw describeFailure(e, 'list', this.resource, this.api.server);
    }
    const at = this.options.now();
    this.stats.relists++;
    this.resourceVersion = page.resourceVersion;
    this.stats.synced = true;
    this.stats.current = true;
    this.sink.replace(this.resource, page.items, at);
    this.stats.lastSync = at;
    this.afterList = true;
    // A list answered, but its watches refused (see `gone`): still failing, and the backoff keeps growing.
    if (this.goneAtOnce === 0) {
      this.stats.failing = false;
      this.options.backoff.reset();
    }
  }

  /** The watch delivered something from where the view stood: the view is current again (see the header). */
  private markResumed(at: number): void {
    if (this.stats.current) return;
    this.stats.current = true;
    this.sink.resumed(this.resource, at);
  }

  /** A watch the API server took and never answered, not even with its response headers, within `ms`. */
  private unanswered(ms: number): KubeApiError {
    const what = resourceName(this.resource);
    return new KubeApiError(`watch ${what} (all namespaces): the API server at ${this.api.server} did not answer within ${ms / 1000} s`, 'unreachable', 'watch', what);
  }

  private watchOnce(signal: AbortSignal): Promise<WatchOutcome> {
    this.stats.watches++;
    const apiVersion = apiVersionOf(this.resource);
    return new Promise<WatchOutcome>((resolve, reject) => {
      let progress = false;
      let gone = false;
      let errorEvent: string | undefined;
      let connected = false;
      let settled = false;
      // The server ends a watch after timeoutSeconds; one still open well past that is a stalled
      // connection (a proxy holding a dead stream: TCP up, nothing arrives), which would otherwise
      // hide every change from here on: it is dropped, and the watch resumes from the last event.
      // A watch not even answered by then (no response headers: the API server black-holed) is a
      // failure like a refused connection, as the client library's own 30 s request timeout makes
      // it when that comes first (watchTimeoutSeconds of 20 or more).
      const grace = this.options.stallGraceMs ?? Math.max(10_000, this.options.watchTimeoutSeconds * 100);
      const stallMs = this.options.watchTimeoutSeconds * 1000 + grace;
      const stalled = setTimeout(() => {
        this.stats.stalls++;
        this.controller?.abort();
        if (connected) settle(() => resolve({ progress, gone }));
        else settle(() => reject(this.unanswered(stallMs)));
      }, stallMs);
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        this.stats.current = false;
        clearTimeout(stalled);
        signal.removeEventListener('abort', onAbort);
        f();
      };
      const onAbort = () => settle(() => resolve({ progress, gone }));
      signal.addEventListener('abort', onAbort, { once: true });

      const onEvent = (type: string, obj: unknown) => {
        if (settled) return;
        if (typeof obj !== 'object' || obj === null) {
          this.stats.skipped++;
          return;
        }
        const o = obj as JsonObject;
        if (type === 'ERROR') {
          this.stats.current = false;
          // A Status object: 410 = our resourceVersion is older than the server keeps (relist).
          if ((o as { code?: unknown }).code === 410) gone = true;
          else errorEvent = typeof o.message === 'string' ? o.message : JSON.stringify(o);
          return;
        }
        const md = o.metadata as { resourceVersion?: unknown } | undefined;
        const rv = typeof md?.resourceVersion === 'string' ? md.resourceVersion : undefined;
        const at = this.options.now();
        if (type === 'BOOKMARK') {
          this.stats.bookmarks++;
          this.markResumed(at);
        } else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          this.stats.events++;
          this.markResumed(at);
          this.sink.event(this.resource, type, { apiVersion, kind: this.resource.kind, ...o }, at);
        } else {
          this.stats.skipped++;
          return;
        }
        if (rv) this.resourceVersion = rv;
        progress = true;
        this.stats.lastSync = at;
        this.stats.failing = false;
      };
      const onDone = (err: unknown) => {
        if (signal.aborted) return settle(() => resolve({ progress, gone }));
        if (err) {
          const status = (err as { statusCode?: unknown }).statusCode;
          if (status === 410) return settle(() => resolve({ progress, gone: true }));
          // The body broke after the server answered 200 (a proxy or the API server dropped the
          // connection, maybe mid-object): a reconnect from the last complete event's
          // resourceVersion, as client-go's reflector treats a watch channel that closes, not a failure.
          if (connected && status === undefined) return settle(() => resolve({ progress, gone }));
          return settle(() => reject(describeFailure(err, 'watch', this.resource, this.api.server)));
        }
        if (errorEvent !== undefined && !gone) {
          return settle(() => reject(new KubeApiError(`watch ${this.resource.plural}: the server ended the watch with an error: ${errorEvent}`, 'server', 'watch', this.resource.plural)));
        }
        settle(() => resolve({ progress, gone }));
      };
      const fieldSelector = fieldSelectorOf(this.resource);
      const query = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.options.watchTimeoutSeconds, ...(fieldSelector !== undefined ? { fieldSelector } : {}) };
      this.watch.watch(this.resource.path, query, onEvent, onDone).then(
        (controller) => {
          connected = true;
          // Answered after it was given up on (dropped as unanswered, or stopped): closed, and never
          // taken for the watch that may have replaced it, which stop() and the stall timer abort.
          if (signal.aborted || settled) return controller.abort();
          this.controller = controller;
          // Connected (HTTP 200): a resource that failed before is healthy again, even if quiet.
          this.stats.failing = false;
        },
        (e: unknown) => settle(() => reject(describeFailure(e, 'watch', this.resource, this.api.server))),
      );
    });
  }
}
