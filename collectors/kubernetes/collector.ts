/**
 * The live Kubernetes collector: one Reflector (list + watch) per served resource feeds the
 * ClusterMirror; the mirror is written as one inventory snapshot through the same import as
 * `inventory import` (see writer.ts), so the IP history follows the same rules.
 *
 * When a change is written decides the IP history's times: a pod that lets an IP go (deleted,
 * finished, IP changed) is written at once, at the time its event arrived, so its interval closes
 * then; other changes are gathered for up to `flushIntervalMs` and written at the latest event's
 * time (a new pod's interval opens at its own start time whatever the write time). A relist is
 * written at the relist's time: pods gone while the watch was down close then. A write costs
 * O(objects), so under a storm of events writes are spaced by their own duration (at most half
 * the time goes to writing); releases in one batch then close at the batch's newest event, at
 * most one write late, and a reused IP still closes exactly at the new holder's start — also when
 * the new holder's event comes in a later write (a watch backlog read in chunks): that write moves
 * the release back to the new holder's start (domain/ip-history.ts reconcileClaims).
 *
 * A write holds only the resources whose view is current (Reflector `stats.current`): one whose
 * watch is down (disconnected, waiting for its 410 Gone, relisting) is left out of the snapshot and
 * its scope, so its stored objects and their IP history stay as the last write saw them — its
 * stale objects are not dated as seen at the write's time (a pod gone meanwhile would hold its IP
 * until then, and a flow to the pod that took it would be credited to it). It is written again
 * as soon as its view is current. So is a resource the mirror knows only in part (ClusterMirror
 * `knowsAll`: a cilium-config never read without a refused value), whose stored state stays.
 */
import { setMaxListeners } from 'node:events';
import { Backoff, sleep } from '../backoff.ts';
import type { Collector, CollectorDeps, CollectorStatus } from '../collector.ts';
import type { JsonObject } from '../inventory/fields.ts';
import { KubeApi, type ServedResource } from './api.ts';
import type { KubernetesSettings } from './config.ts';
import { loadKubeConfig, type LoadedConfig } from './connection.ts';
import { describeFailure, needsOperator, type KubeApiError } from './errors.ts';
import { ClusterMirror } from './mirror.ts';
import { Reflector, type ReflectorSink, type WatchEventType } from './reflector.ts';
import { kindKeyOf, RESOURCES, resourceName, unservedPolicyKinds, type WatchedResource } from './resources.ts';
import type { InventoryWriter } from './writer.ts';

export const SOURCE = 'kubernetes';

export interface KubernetesCollectorOptions {
  settings: KubernetesSettings;
  writer: InventoryWriter;
  env?: NodeJS.ProcessEnv;
  /** Tests pass a fixed sequence so retries take no real time. */
  random?: () => number;
  /** Tests pass short ones (ReflectorOptions.stallGraceMs, listPageTimeoutMs; the discovery interval and a discovery request's timeout, in ms). */
  timeouts?: { stallGraceMs?: number; listPageTimeoutMs?: number; discoveryIntervalMs?: number; discoveryTimeoutMs?: number };
  resources?: readonly WatchedResource[];
}

/** Warnings remembered so each is logged once, not at every write. */
const WARNINGS_REMEMBERED = 1000;

/** Each reflector's counters, summed over the resources and given per resource (`pods:events`). */
const REFLECTOR_COUNTERS = ['events', 'bookmarks', 'skipped', 'relists', 'gone', 'errors', 'stalls'] as const;

export class KubernetesCollector implements Collector, ReflectorSink {
  readonly name = SOURCE;
  private state: CollectorStatus['state'] = 'starting';
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;
  private loaded: LoadedConfig | undefined;
  /** Each running reflector, in the order they started: what stops it alone (its resource no longer served), and its run. */
  private readonly runs = new Map<Reflector, { stop: AbortController; done: Promise<void> }>();
  /** Kinds of resources no longer served: their stored objects go with the next write. */
  private readonly retired = new Set<string>();
  private firstSync = false;
  /** Resources the last write left out (their view was stale): written again once it is current. */
  private leftOut = new Set<ServedResource>();
  private readonly mirror = new ClusterMirror();
  private discoveryError: KubeApiError | undefined;
  /** The last rediscovery's failure, logged once; the reflectors go on meanwhile. */
  private rediscoveryError: string | undefined;
  private lastError: string | undefined;
  private lastSuccess: number | undefined;
  private lastWrite = -Infinity;
  /** Oldest and newest unwritten change (ms, the collector's clock). */
  private pending: { oldest: number; newest: number } | undefined;
  /** Wall-clock end and duration of the last write: the next one waits as long as it took. */
  private lastWriteEnd = 0;
  private lastWriteMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly counters = { rejected: 0, writes: 0, write_errors: 0, discovery_errors: 0 };
  private readonly loggedWarnings = new Set<string>();
  private writeFailing = false;
  private readonly writeBackoff: Backoff;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: KubernetesCollectorOptions,
    private readonly deps: CollectorDeps,
  ) {
    const random = options.random ? { random: options.random } : {};
    this.writeBackoff = new Backoff({ initialMs: options.settings.flushIntervalMs, maxMs: Math.max(options.settings.flushIntervalMs, 60_000), ...random });
  }

  async start(): Promise<void> {
    if (this.abort) return;
    // A credentials problem (no kubeconfig, a missing token file) is a start failure, shown in /readyz.
    this.loaded = loadKubeConfig(this.options.settings.connection, this.options.env ?? process.env);
    this.abort = new AbortController();
    // Every reflector and its current watch listen on it.
    setMaxListeners(0, this.abort.signal);
    this.deps.logger.info({ collector: this.name, server: this.loaded.server, via: this.loaded.via }, 'kubernetes collector starting');
    this.running = this.run(this.loaded, this.abort.signal);
  }

  async stop(): Promise<void> {
    if (!this.abort || this.state === 'stopped') {
      this.state = 'stopped';
      return;
    }
    this.abort.abort();
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    await this.running;
    this.state = 'stopped';
    this.resolveIdle();
  }

  private async run(loaded: LoadedConfig, signal: AbortSignal): Promise<void> {
    const { settings } = this.options;
    const api = new KubeApi(loaded.kc);
    const backoff = () => new Backoff({ ...settings.backoff, ...(this.options.random ? { random: this.options.random } : {}) });
    const discoveryBackoff = backoff();
    let served: ServedResource[] | undefined;
    while (!signal.aborted && !served) {
      const found = await this.discover(api, loaded, signal);
      if (signal.aborted) return;
      if (Array.isArray(found)) {
        served = found;
        this.discoveryError = undefined;
      } else {
        if (this.discoveryError?.message !== found.message) this.deps.logger.error({ collector: this.name, err: found.message }, 'kubernetes discovery failed; retrying');
        this.discoveryError = found;
        this.lastError = found.message;
        await sleep(discoveryBackoff.next(), signal);
      }
    }
    if (!served || signal.aborted) return;
    this.deps.logger.info({ collector: this.name, resources: served.map(resourceName) }, 'kubernetes collector watching');
    this.sayUnserved(served);
    // Policy kinds not served now are gone from the cluster, whatever an earlier run stored of them.
    for (const kind of unservedPolicyKinds(this.options.resources ?? RESOURCES, served)) this.retired.add(kind);
    const { discoveryIntervalMs, discoveryTimeoutMs: _discovery, ...timeouts } = this.options.timeouts ?? {};
    const reflectorOptions = { pageSize: settings.pageSize, watchTimeoutSeconds: settings.watchTimeoutSeconds, now: this.deps.now, ...timeouts };
    // Each resource gets its own client (one request at a time per KubeApi) and its own backoff.
    const watch = (res: ServedResource): void => {
      const stop = new AbortController();
      const both = AbortSignal.any([signal, stop.signal]);
      setMaxListeners(0, both);
      const r = new Reflector(res, new KubeApi(loaded.kc), this, { ...reflectorOptions, backoff: backoff() });
      this.retired.delete(kindKeyOf(res));
      this.runs.set(r, { stop, done: r.run(both) });
    };
    for (const res of served) watch(res);
    await this.rediscover(loaded, signal, discoveryIntervalMs ?? settings.discoveryIntervalSeconds * 1000, watch);
    await Promise.all([...this.runs.values()].map((x) => x.done));
  }

  /** Once per start: what the inventory misses for each optional resource the API server does not serve (WatchedResource.unservedNote). */
  private sayUnserved(served: readonly ServedResource[]): void {
    const names = new Set(served.map(resourceName));
    for (const res of this.options.resources ?? RESOURCES) {
      if (res.unservedNote !== undefined && !names.has(resourceName(res))) this.deps.logger.info({ collector: this.name, resource: resourceName(res) }, res.unservedNote);
    }
  }

  /** The served resources of those watched, or the failure (counted). */
  private async discover(api: KubeApi, loaded: LoadedConfig, signal: AbortSignal): Promise<ServedResource[] | KubeApiError> {
    const timeoutMs = this.options.timeouts?.discoveryTimeoutMs;
    try {
      return await api.discover(this.options.resources ?? RESOURCES, { signal, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    } catch (e) {
      this.counters.discovery_errors++;
      return describeFailure(e, 'discover', 'API resources', loaded.server);
    }
  }

  /**
   * Discovery again every `intervalMs`, as a CRD may be installed or removed while the collector
   * runs (a CNI or the network-policy-api CRDs installed after flowmatrix): a newly served
   * resource is watched; one no longer served (only an optional one can be: discovery fails on a
   * required one) is dropped, and its stored objects go with the next write.
   */
  private async rediscover(loaded: LoadedConfig, signal: AbortSignal, intervalMs: number, watch: (res: ServedResource) => void): Promise<void> {
    while (!signal.aborted) {
      await sleep(intervalMs, signal);
      if (signal.aborted) return;
      // A fresh client: KubeApi caches each group/version's resource list.
      const served = await this.discover(new KubeApi(loaded.kc), loaded, signal);
      if (signal.aborted) return;
      if (!Array.isArray(served)) {
        if (this.rediscoveryError !== served.message) this.deps.logger.warn({ collector: this.name, err: served.message }, 'kubernetes discovery failed; the resources found before are still watched');
        this.rediscoveryError = served.message;
        continue;
      }
      if (this.rediscoveryError !== undefined) this.deps.logger.info({ collector: this.name }, 'kubernetes discovery recovered');
      this.rediscoveryError = undefined;
      const names = new Set(served.map(resourceName));
      const watched = new Set(this.reflectors.map((r) => resourceName(r.resource)));
      const added = served.filter((res) => !watched.has(resourceName(res)));
      for (const res of added) watch(res);
      const gone = this.reflectors.filter((r) => !names.has(resourceName(r.resource)));
      for (const r of gone) {
        const run = this.runs.get(r)!;
        run.stop.abort();
        await run.done;
        this.runs.delete(r);
        this.retired.add(kindKeyOf(r.resource));
        this.mirror.replace(r.resource, []);
      }
      if (added.length > 0 || gone.length > 0) {
        this.deps.logger.info({ collector: this.name, added: added.map(resourceName), removed: gone.map((r) => resourceName(r.resource)) }, 'kubernetes collector: the served resources changed');
      }
      if (gone.length > 0) this.changed(this.deps.now(), true);
    }
  }

  private get reflectors(): Reflector[] {
    return [...this.runs.keys()];
  }

  // ReflectorSink ------------------------------------------------------------------------------

  replace(res: ServedResource, items: JsonObject[], at: number): void {
    const rejectedBefore = this.mirror.rejected;
    this.mirror.replace(res, items);
    this.noteRejections(rejectedBefore);
    // Objects gone while disconnected are closed at the relist's time.
    this.changed(at, true);
  }

  event(res: ServedResource, type: WatchEventType, obj: JsonObject, at: number): void {
    const rejectedBefore = this.mirror.rejected;
    const effect = this.mirror.change(res, type, obj);
    this.noteRejections(rejectedBefore);
    this.changed(at, effect.releasedIps);
  }

  resumed(res: ServedResource, at: number): void {
    if (!this.leftOut.has(res)) return;
    // Changes of it the last write left out may include a pod letting an IP go: written at once.
    this.changed(at, true);
  }

  failed(res: ServedResource, error: KubeApiError): void {
    const first = this.reflectors.find((r) => r.resource === res)?.stats.errors === 1;
    if (first || error.message !== this.lastError) this.deps.logger.error({ collector: this.name, resource: resourceName(res), err: error.message }, 'kubernetes list/watch failed; retrying with backoff');
    this.lastError = error.message;
    // A resource that never synced no longer holds the first write back.
    this.scheduleWrite(false);
  }

  private noteRejections(before: number): void {
    const n = this.mirror.rejected - before;
    if (n <= 0) return;
    this.counters.rejected += n;
    const last = this.mirror.recentRejections.at(-1);
    this.deps.logger.warn({ collector: this.name, rejected: this.mirror.rejected, last }, 'kubernetes object left out: the inventory converter refused it');
  }

  // Writing ------------------------------------------------------------------------------------

  private changed(at: number, releasesIp: boolean): void {
    if (!this.pending) this.pending = { oldest: at, newest: at };
    this.pending.newest = Math.max(this.pending.newest, at);
    this.scheduleWrite(releasesIp);
  }

  private scheduleWrite(now: boolean): void {
    // Writing costs O(objects): at most half the time goes to it, whatever the event rate.
    const wait = this.lastWriteEnd + this.lastWriteMs - performance.now();
    if (now && wait <= 0) {
      // setImmediate: the events of one chunk are written together.
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.write();
      });
      return;
    }
    if (now && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        this.write();
      },
      now ? wait : Math.max(wait, this.options.settings.flushIntervalMs),
    );
  }

  /** Until every resource has listed once (or failed), a write would hold half a cluster. A resource added later holds nothing back: it is in the scope once listed. */
  private initialSyncDone(): boolean {
    this.firstSync ||= this.reflectors.length > 0 && this.reflectors.every((r) => r.stats.synced || r.stats.errors > 0);
    return this.firstSync;
  }

  private write(): void {
    if (!this.pending) return this.resolveIdle();
    if (!this.initialSyncDone() || this.abort?.signal.aborted) return;
    const writable = this.reflectors.filter((r) => r.stats.current && this.mirror.knowsAll(r.resource));
    // The newest change's time: a pod released just now closes now; one released a little earlier
    // in the same batch closes at most one write late, and a reused IP closes exactly at the new
    // holder's start whatever the write time (domain/ip-history.ts).
    // A retry is the cluster as the mirror holds it now: its time moves on, or a write refused as
    // older than another source's snapshot would be refused again forever in a quiet cluster.
    const t = Math.max(this.pending.newest, this.lastWrite, this.writeFailing ? this.deps.now() : -Infinity);
    const pending = this.pending;
    this.pending = undefined;
    const began = performance.now();
    try {
      const result = this.options.writer(this.deps.db, {
        objects: this.mirror.objects(writable.map((r) => r.resource)),
        takenAt: t,
        source: SOURCE,
        scope: [...new Set([...writable.map((r) => kindKeyOf(r.resource)), ...this.retired])].sort(),
      });
      this.leftOut = new Set(this.reflectors.filter((r) => !writable.includes(r)).map((r) => r.resource));
      this.lastWrite = t;
      this.lastWriteEnd = performance.now();
      this.lastWriteMs = this.lastWriteEnd - began;
      this.lastSuccess = this.deps.now();
      this.counters.writes++;
      this.writeBackoff.reset();
      if (this.writeFailing) this.deps.logger.info({ collector: this.name }, 'kubernetes inventory writes recovered');
      this.writeFailing = false;
      if (this.state === 'starting') this.state = 'running';
      this.logWarnings(result.warnings);
    } catch (e) {
      this.counters.write_errors++;
      this.lastError = `writing the inventory failed: ${(e as Error).message}`;
      if (!this.writeFailing) this.deps.logger.error({ collector: this.name, err: (e as Error).message }, 'kubernetes inventory write failed; retrying');
      this.writeFailing = true;
      // Keep the changes (and their times) for the retry.
      this.pending = pending;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.write();
      }, this.writeBackoff.next());
      return;
    }
    if (!this.pending) this.resolveIdle();
  }

  private logWarnings(warnings: string[]): void {
    for (const w of warnings) {
      if (this.loggedWarnings.has(w)) continue;
      if (this.loggedWarnings.size >= WARNINGS_REMEMBERED) this.loggedWarnings.clear();
      this.loggedWarnings.add(w);
      this.deps.logger.warn({ collector: this.name, warning: w }, 'kubernetes inventory warning');
    }
  }

  /** Resolves once every change received so far is written (tests; `stop` never waits on it). */
  idle(): Promise<void> {
    if (!this.pending && !this.timer && !this.immediate) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private resolveIdle(): void {
    if (this.pending && this.state !== 'stopped') return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // Status -------------------------------------------------------------------------------------

  status(): CollectorStatus {
    const counters: Record<string, number> = { ...Object.fromEntries(REFLECTOR_COUNTERS.map((k) => [k, 0])), ...this.counters };
    const now = this.deps.now();
    const gauges: Record<string, number> = {
      objects: this.mirror.size,
      resources: this.reflectors.length,
      lag_seconds: this.pending ? Math.max(0, (now - this.pending.oldest) / 1000) : 0,
    };
    // Failing resources: those an operator must fix (the collector has failed), and those retrying may heal or that are optional.
    const failing: string[] = [];
    const retrying: string[] = [];
    for (const r of this.reflectors) {
      const name = resourceName(r.resource);
      const s = r.stats;
      for (const k of REFLECTOR_COUNTERS) {
        counters[k] = (counters[k] ?? 0) + s[k];
        counters[`${name}:${k}`] = s[k];
      }
      gauges[`${name}:objects`] = this.mirror.count(r.resource);
      gauges[`${name}:synced`] = s.synced ? 1 : 0;
      gauges[`${name}:current`] = s.current ? 1 : 0;
      if (s.lastSync !== undefined) {
        gauges[`${name}:last_success_timestamp_seconds`] = s.lastSync / 1000;
        gauges[`${name}:lag_seconds`] = Math.max(0, (now - s.lastSync) / 1000);
      }
      if (s.failing && s.lastError) (r.resource.optional || !needsOperator(s.lastFailure) ? retrying : failing).push(s.lastError);
    }
    const discovery = this.discoveryError;
    if (discovery) (needsOperator(discovery.failure) ? failing : retrying).unshift(discovery.message);
    let state = this.state;
    if (state !== 'stopped' && (failing.length > 0 || (this.writeFailing && this.lastSuccess === undefined))) state = 'failed';
    // Writes refused after a success, an optional resource (a CRD's policies) failing while the rest
    // is written, or a failure retrying may outlast (errors.ts needsOperator): retrying, which is
    // `starting` (up 0, lastError; /readyz stays 200), as for the other collectors — an older
    // ClusterRole without a newly watched CRD, or an API server restarting, must not take the API out of its Service.
    else if (state === 'running' && (this.writeFailing || retrying.length > 0)) state = 'starting';
    // Once nothing fails any more, no error is shown (as the other collectors clear theirs).
    const lastError = failing[0] ?? retrying[0] ?? (this.writeFailing ? this.lastError : undefined);
    return {
      name: this.name,
      state,
      ...(this.lastSuccess !== undefined ? { lastSuccess: this.lastSuccess } : {}),
      ...(lastError !== undefined ? { lastError } : {}),
      counters,
      gauges,
    };
  }

  /** The counters summed over resources (relists, events…) plus each reflector's, for tests and the CLI. */
  resourceStats(): Record<string, Reflector['stats']> {
    return Object.fromEntries(this.reflectors.map((r) => [resourceName(r.resource), { ...r.stats }]));
  }
}
