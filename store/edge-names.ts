/**
 * The namespaces and workloads the edges name, read by loose index scans over the peer-key
 * indexes (the edges' UNIQUE (client, …) index and edges_server): one index seek per distinct
 * name, at most a bound of them, so the cost follows the names read, never the edge count. For
 * the not-found answers of app/selection-check.ts, which must name what exists without reading
 * every edge on the service's event loop.
 */
import { WORKLOAD_KINDS, parseWorkloadKey, workloadKey, type WorkloadRef } from '../domain/peer.ts';
import type { Db } from './db.ts';

/** The peer keys that name a workload: `workload:<ns>/<Kind>/<name>`, `dns:<ns>/<Kind>/<name>`. */
const NAMING_PREFIXES = ['workload:', 'dns:'] as const;
const SIDES = ['client', 'server'] as const;
type Side = (typeof SIDES)[number];

/** Names read up to a bound, sorted; `complete` when they are all there are. */
export interface NameSample<T = string> {
  names: T[];
  complete: boolean;
}

/** The first key after every key that starts with `prefix` (its last character, plus one). */
function pastPrefix(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Index seeks over one side's peer keys: the first key in [from, end), or in (after, end). */
class PeerKeySeek {
  private readonly from = new Map<Side, { get(...p: unknown[]): unknown }>();
  private readonly after = new Map<Side, { get(...p: unknown[]): unknown }>();
  private readonly exact = new Map<Side, { get(...p: unknown[]): unknown }>();

  constructor(db: Db) {
    for (const side of SIDES) {
      this.from.set(side, db.prepare(`SELECT min(${side}) AS k FROM edges WHERE ${side} >= ? AND ${side} < ?`));
      this.after.set(side, db.prepare(`SELECT min(${side}) AS k FROM edges WHERE ${side} > ? AND ${side} < ?`));
      this.exact.set(side, db.prepare(`SELECT 1 AS k FROM edges WHERE ${side} = ? LIMIT 1`));
    }
  }

  firstFrom(side: Side, from: string, end: string): string | undefined {
    return ((this.from.get(side)!.get(from, end) as { k: string | null }).k ?? undefined);
  }

  firstAfter(side: Side, after: string, end: string): string | undefined {
    return ((this.after.get(side)!.get(after, end) as { k: string | null }).k ?? undefined);
  }

  holds(side: Side, key: string): boolean {
    return this.exact.get(side)!.get(key) !== undefined;
  }
}

/** Whether the store holds any edge (one seek on the rowid, not a count). */
export function hasEdges(db: Db): boolean {
  return (db.prepare('SELECT max(id) AS id FROM edges').get() as { id: number | null }).id !== null;
}

/** Whether any edge has a workload (or DNS) peer in `namespace` on either side. */
export function edgesNameNamespace(db: Db, namespace: string): boolean {
  const seek = new PeerKeySeek(db);
  return SIDES.some((side) => NAMING_PREFIXES.some((p) => seek.firstFrom(side, `${p}${namespace}/`, `${p}${namespace}0`) !== undefined));
}

/**
 * Whether any edge names the workload `name` (or `Kind/name`) of `namespace`: an exact seek per
 * kind, peer prefix and side.
 */
export function edgesNameWorkload(db: Db, namespace: string, workload: string): boolean {
  const slash = workload.indexOf('/');
  const kinds = slash < 0 ? WORKLOAD_KINDS : WORKLOAD_KINDS.filter((k) => k === workload.slice(0, slash));
  const name = workload.slice(slash + 1);
  const seek = new PeerKeySeek(db);
  return kinds.some((kind) => edgesNameKey(seek, workloadKey({ namespace, kind, name })));
}

function edgesNameKey(seek: PeerKeySeek, key: string): boolean {
  return SIDES.some((side) => NAMING_PREFIXES.some((p) => seek.holds(side, `${p}${key}`)));
}

/** Whether any edge names the workload of this key (`namespace/Kind/name`). */
export function edgesNameWorkloadKey(db: Db, key: string): boolean {
  return edgesNameKey(new PeerKeySeek(db), key);
}

/**
 * The namespaces edges name, at most `limit` per side and peer prefix: the scan skips from one
 * namespace to the next (`<prefix><ns>0` is the first key past `<prefix><ns>/…`).
 */
export function edgeNamespaces(db: Db, limit: number): NameSample {
  const seek = new PeerKeySeek(db);
  const names = new Set<string>();
  let complete = true;
  for (const side of SIDES) {
    for (const prefix of NAMING_PREFIXES) {
      const end = pastPrefix(prefix);
      let read = 0;
      let key = seek.firstFrom(side, prefix, end);
      while (key !== undefined) {
        if (read === limit) {
          complete = false;
          break;
        }
        const slash = key.indexOf('/', prefix.length);
        if (slash <= prefix.length) {
          // An unreadable stored key: the edge reads report it.
          key = seek.firstAfter(side, key, end);
          continue;
        }
        const ns = key.slice(prefix.length, slash);
        names.add(ns);
        read++;
        key = seek.firstFrom(side, `${prefix}${ns}0`, end);
      }
    }
  }
  return { names: [...names].sort(), complete };
}

/**
 * The workloads (and cluster DNS workloads) edges name — in `namespace`, or anywhere — at most
 * `limit` per side and peer prefix, sorted by key.
 */
export function edgeWorkloads(db: Db, namespace: string | undefined, limit: number): NameSample<WorkloadRef> {
  const seek = new PeerKeySeek(db);
  const refs = new Map<string, WorkloadRef>();
  let complete = true;
  for (const side of SIDES) {
    for (const prefix of NAMING_PREFIXES) {
      const start = namespace === undefined ? prefix : `${prefix}${namespace}/`;
      const end = namespace === undefined ? pastPrefix(prefix) : `${prefix}${namespace}0`;
      let read = 0;
      for (let key = seek.firstFrom(side, start, end); key !== undefined; key = seek.firstAfter(side, key, end)) {
        if (read === limit) {
          complete = false;
          break;
        }
        read++;
        try {
          const ref = parseWorkloadKey(key.slice(prefix.length));
          refs.set(workloadKey(ref), ref);
        } catch {
          // An unreadable stored key: the edge reads report it.
        }
      }
    }
  }
  return { names: [...refs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r), complete };
}
