/**
 * The stored IP history as flow resolution asks it (domain/ip-history.ts IpHistoryLookup): one
 * address at a time, through the (ip, valid_from) index, the answers of the addresses met most
 * recently kept in memory. The table holds an interval per pod and address ever started (every
 * Job's pod, every CI runner): read whole for each ingest, a million intervals took 16 s and
 * 770 MB, on the service's event loop for each upload. Addresses come from flow records, so the
 * cache is bounded.
 */
import { IpHistory, type IpHistoryLookup, type IpInterval, type StoredInterval } from '../domain/ip-history.ts';
import type { Db } from './db.ts';

export interface IntervalRow {
  ip: string;
  peer: string;
  node: string | null;
  host_network: number;
  valid_from: number;
  valid_to: number | null;
}

export const INTERVAL_COLUMNS = 'ip, peer, node, host_network, valid_from, valid_to';

export function intervalOf(r: IntervalRow): IpInterval {
  return {
    ip: r.ip,
    peerKey: r.peer,
    ...(r.node ? { node: r.node } : {}),
    hostNetwork: r.host_network === 1,
    validFrom: r.valid_from,
    ...(r.valid_to !== null ? { validTo: r.valid_to } : {}),
  };
}

/** The cut-off retention stored (store/retention.ts): intervals that ended before it are deleted. */
const HORIZON = 'SELECT before FROM history_horizon WHERE id = 1';

/** The time before which flows cannot be resolved because retention deleted the IP history then (absent: it never did). */
export function historyHorizon(db: Db): number | undefined {
  return (db.prepare(HORIZON).pluck().get() as number | undefined) ?? undefined;
}

/** The answer for an address no interval names; never changed (StoredIpHistory exposes lookups only). */
const NO_HISTORY = new IpHistory();

/** Addresses whose history is kept in memory: a batch's distinct addresses, many times over. */
export const DEFAULT_CACHED_ADDRESSES = 65_536;

export class StoredIpHistory implements IpHistoryLookup {
  private readonly ofIp;
  private readonly horizon;
  /** Per address, its whole history; in use order (a hit moves to the end), the oldest dropped past the limit. */
  private readonly cache = new Map<string, IpHistory>();
  /**
   * Retention deleted the intervals that ended before this time (store/retention.ts). Read again
   * before each address's intervals are: a retention pass beside a running ingest stores its
   * cut-off before it deletes, so an interval missing from a read is always before this.
   */
  historyFrom: number | undefined;

  constructor(
    db: Db,
    private readonly limit: number = DEFAULT_CACHED_ADDRESSES,
  ) {
    this.ofIp = db.prepare(`SELECT ${INTERVAL_COLUMNS}, released_after FROM ip_history WHERE ip = ?`);
    this.horizon = db.prepare(HORIZON).pluck();
    this.historyFrom = this.readHorizon();
  }

  has(ip: string): boolean {
    return this.history(ip).has(ip);
  }

  holderAt(ip: string, t: number): IpInterval | undefined {
    return this.history(ip).holderAt(ip, t);
  }

  hostNetworkHolderAt(ip: string, t: number): IpInterval | undefined {
    return this.history(ip).hostNetworkHolderAt(ip, t);
  }

  hostNetworkHoldersAt(ip: string, t: number): IpInterval[] {
    return this.history(ip).hostNetworkHoldersAt(ip, t);
  }

  lastHeldBefore(ip: string, before: number): number | undefined {
    return this.history(ip).lastHeldBefore(ip, before);
  }

  private history(ip: string): IpHistory {
    let h = this.cache.get(ip);
    if (h !== undefined) {
      this.cache.delete(ip);
      this.cache.set(ip, h);
      return h;
    }
    this.historyFrom = this.readHorizon();
    const rows = this.ofIp.all(ip) as (IntervalRow & { released_after: number | null })[];
    // Most addresses a flow names have no history (outside addresses): one shared answer for them
    // keeps a cache of tens of thousands of them to its keys (40,000 outside addresses grew RSS by 80 MB).
    h = rows.length === 0 ? NO_HISTORY : new IpHistory(rows.map((r): StoredInterval => (r.released_after === null ? intervalOf(r) : { ...intervalOf(r), releasedAfter: r.released_after })));
    this.cache.set(ip, h);
    if (this.cache.size > this.limit) this.cache.delete(this.cache.keys().next().value as string);
    return h;
  }

  private readHorizon(): number | undefined {
    return (this.horizon.get() as number | undefined) ?? undefined;
  }
}
