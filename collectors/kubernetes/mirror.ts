/**
 * The cluster as the watches last reported it: one entry per object (by resource, namespace and
 * name), so memory follows the number of objects, never the number of events. Each object is
 * checked by the inventory converter when it arrives: a broken one is counted and left out (the
 * snapshot built from the mirror would otherwise be refused as a whole); of a resource that keeps
 * the last good version (WatchedResource.keepLastGood: the cilium-config), that version stays.
 */
import {
  CONTROLLER_KINDS,
  InventoryInputError,
  isCiliumConfig,
  POLICY_KINDS,
  readCiliumConfig,
  toController,
  toEndpointSlice,
  toIngress,
  toNamespace,
  toNode,
  toPod,
  toPolicy,
  toService,
  toServiceCidr,
  toNetworkSet,
  type RawObject,
} from '../inventory/index.ts';
import { isNetworkSetKey } from '../../domain/calico-network-sets.ts';
import { kindKey, SERVICE_CIDR_KEY } from '../../domain/inventory.ts';
import type { JsonObject } from '../inventory/fields.ts';
import { apiVersionOf, resourceName, type WatchedResource } from './resources.ts';

export interface Rejection {
  resource: string;
  object: string;
  message: string;
}

/** What a change did to the IPs pods hold: a pod that let an IP go must be recorded at the event's time. */
export interface ChangeEffect {
  accepted: boolean;
  /** A pod deleted, finished, or holding fewer IPs than before. */
  releasedIps: boolean;
}

const idOf = (obj: JsonObject): string => {
  const md = (obj.metadata ?? {}) as { namespace?: unknown; name?: unknown };
  return `${typeof md.namespace === 'string' ? md.namespace : ''}/${typeof md.name === 'string' ? md.name : ''}`;
};

/** managedFields is server bookkeeping, often larger than the object itself: never kept. */
function trimmed(obj: JsonObject): JsonObject {
  const md = obj.metadata;
  if (typeof md !== 'object' || md === null || !('managedFields' in md)) return obj;
  const { managedFields: _drop, ...rest } = md as JsonObject;
  return { ...obj, metadata: rest };
}

/**
 * Runs the inventory converter's own reader for the object's kind (the same checks a snapshot
 * applies to it), without building a snapshot per event.
 */
function check(raw: RawObject): void {
  const key = raw.key;
  if (key === 'Pod') toPod(raw);
  else if (Object.hasOwn(CONTROLLER_KINDS, key)) toController(raw);
  else if (key === 'Service') toService(raw);
  else if (key === 'EndpointSlice.discovery.k8s.io') toEndpointSlice(raw);
  else if (key === 'Node') toNode(raw);
  else if (key === 'Namespace') toNamespace(raw);
  else if (key === 'Ingress.networking.k8s.io') toIngress(raw);
  else if (Object.hasOwn(POLICY_KINDS, key)) toPolicy(raw);
  else if (isNetworkSetKey(key)) toNetworkSet(raw);
  else if (key === SERVICE_CIDR_KEY) toServiceCidr(raw);
  else if (isCiliumConfig(raw)) readCiliumConfig(raw);
}

/** Refuses an object whose kind or apiVersion is not `res`'s (the reflector and the list fill them in only where absent). */
function checkKind(res: WatchedResource, obj: JsonObject, where: string): void {
  const apiVersion = apiVersionOf(res);
  if (obj.kind === res.kind && obj.apiVersion === apiVersion) return;
  const md = (obj.metadata ?? {}) as { namespace?: unknown; name?: unknown };
  const name = `${typeof md.namespace === 'string' ? `${md.namespace}/` : ''}${typeof md.name === 'string' ? md.name : JSON.stringify(md.name)}`;
  const said = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'missing');
  throw new InventoryInputError(`${where}: ${said(obj.apiVersion)} ${said(obj.kind)} ${name} is not a ${apiVersion} ${res.kind}: left out`);
}

/** The IPs a pod object holds (none when it finished); undefined for other kinds. */
function podIps(raw: RawObject): string[] | undefined {
  if (raw.key !== 'Pod') return undefined;
  const p = toPod(raw);
  return p.terminated ? [] : p.ips;
}

export class ClusterMirror {
  private readonly byResource = new Map<string, Map<string, RawObject>>();
  /** Per keep-last-good resource, the objects whose every version so far was refused: nothing good is known of them. */
  private readonly unknown = new Map<string, Set<string>>();
  rejected = 0;
  /** The last few rejections, for logs and the `collect` summary. */
  readonly recentRejections: Rejection[] = [];

  private table(res: WatchedResource): Map<string, RawObject> {
    const key = resourceName(res);
    let t = this.byResource.get(key);
    if (!t) this.byResource.set(key, (t = new Map()));
    return t;
  }

  /** A converted-and-checked object, or undefined (counted) when the converter refuses it. */
  private accept(res: WatchedResource, obj: JsonObject, where: string): RawObject | undefined {
    const o = trimmed(obj);
    try {
      const raw: RawObject = { obj: o, apiVersion: apiVersionOf(res), kind: res.kind, key: kindKey(apiVersionOf(res), res.kind), where };
      checkKind(res, o, where);
      check(raw);
      return raw;
    } catch (e) {
      if (!(e instanceof InventoryInputError)) throw e;
      this.reject(res, o, e.message);
      return undefined;
    }
  }

  private reject(res: WatchedResource, obj: JsonObject, message: string): void {
    this.rejected++;
    this.recentRejections.push({ resource: resourceName(res), object: idOf(obj), message });
    if (this.recentRejections.length > 20) this.recentRejections.shift();
  }

  /** A full list: the resource now holds exactly these objects. Returns whether a pod let an IP go. */
  replace(res: WatchedResource, items: readonly JsonObject[]): ChangeEffect {
    const table = this.table(res);
    const before = new Map(table);
    table.clear();
    this.unknownOf(res).clear();
    let releasedIps = false;
    for (const item of items) this.keep(res, idOf(item), this.accept(res, item, `list ${resourceName(res)}`), before.get(idOf(item)));
    for (const [id, old] of before) if (released(old, table.get(id))) releasedIps = true;
    return { accepted: true, releasedIps };
  }

  /** One watch event. A broken object replaces nothing (the old version is dropped: it is no longer true). */
  change(res: WatchedResource, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: JsonObject): ChangeEffect {
    const table = this.table(res);
    const id = idOf(obj);
    const old = table.get(id);
    // Another kind's event says nothing about this resource's object of the same name.
    try {
      checkKind(res, obj, `watch ${resourceName(res)}`);
    } catch (e) {
      if (!(e instanceof InventoryInputError)) throw e;
      this.reject(res, obj, e.message);
      return { accepted: false, releasedIps: false };
    }
    if (type === 'DELETED') {
      table.delete(id);
      this.unknownOf(res).delete(id);
      return { accepted: true, releasedIps: old !== undefined && released(old, undefined) };
    }
    const raw = this.accept(res, obj, `watch ${resourceName(res)}`);
    this.keep(res, id, raw, old);
    return { accepted: raw !== undefined, releasedIps: old !== undefined && released(old, raw) };
  }

  /**
   * Files what is known of object `id` now: its new version when the converter took it; else none
   * (it is no longer true), but for a resource that keeps the last good version: that one, or — if
   * none was ever good — nothing, noted as unknown (`knowsAll`).
   */
  private keep(res: WatchedResource, id: string, raw: RawObject | undefined, old: RawObject | undefined): void {
    const table = this.table(res);
    if (raw) {
      table.set(id, raw);
      this.unknownOf(res).delete(id);
    } else if (res.keepLastGood && old) {
      table.set(id, old);
    } else {
      table.delete(id);
      if (res.keepLastGood) this.unknownOf(res).add(id);
    }
  }

  private unknownOf(res: WatchedResource): Set<string> {
    const key = resourceName(res);
    let s = this.unknown.get(key);
    if (!s) this.unknown.set(key, (s = new Set()));
    return s;
  }

  /**
   * Whether the mirror holds a good version of every object of `res` the cluster has: false while
   * a keep-last-good resource has an object of which every version was refused, whose absence must
   * not be written as the cluster's (an inventory stored before holds the last good one).
   */
  knowsAll(res: WatchedResource): boolean {
    return (this.unknown.get(resourceName(res))?.size ?? 0) === 0;
  }

  /** Every object of `resources`, by resource name then namespace/name (the converter sorts anyway: this keeps runs byte-identical). */
  objects(resources: readonly WatchedResource[]): RawObject[] {
    const out: RawObject[] = [];
    for (const key of resources.map(resourceName).sort()) {
      const table = this.byResource.get(key);
      if (!table) continue;
      for (const id of [...table.keys()].sort()) out.push(table.get(id) as RawObject);
    }
    return out;
  }

  count(res: WatchedResource): number {
    return this.byResource.get(resourceName(res))?.size ?? 0;
  }

  get size(): number {
    let n = 0;
    for (const t of this.byResource.values()) n += t.size;
    return n;
  }
}

/** Whether `now` (undefined = gone) holds fewer of the IPs `old` held. */
function released(old: RawObject, now: RawObject | undefined): boolean {
  const before = podIps(old);
  if (!before || before.length === 0) return false;
  const after = new Set(now ? (podIps(now) ?? []) : []);
  return before.some((ip) => !after.has(ip));
}
