/**
 * The IP history: which peer held an IP when. Pod IPs are reused (a pod is deleted and another
 * pod gets its IP seconds later), so a flow resolves through the interval that held its IP at the
 * flow's time, never through today's owner (docs/design.md, "IP history").
 *
 * Pure: `reconcileClaims` says which intervals a snapshot closes and opens (the store persists
 * them, a watcher can keep them in memory with `IpHistory.apply`), `IpHistory` answers "who held
 * this IP at t" for flow resolution.
 */
import { nodeHostIps, type InventorySnapshot, type Node, type PodAddress, type PodIdentity } from './inventory.ts';
import { peerKey, workloadKey } from './peer.ts';
import { compareStrings } from './order.ts';

/** An interval during which an IP belonged to one peer: `[validFrom, validTo)`, `validTo` undefined = still holds it. */
export interface IpInterval {
  ip: string;
  peerKey: string;
  node?: string;
  hostNetwork: boolean;
  validFrom: number;
  validTo?: number;
}

/** One holder's claim on an IP in a snapshot. */
export interface IpClaim {
  ip: string;
  peerKey: string;
  node?: string;
  hostNetwork: boolean;
  /** When the holder started holding the IP, ms; absent = the snapshot time. */
  since?: number;
  /** When the holder let the IP go, ms: a pod that finished held it until then. Absent: it holds it still. */
  until?: number;
}

/** The kinds of holder a snapshot is authoritative for, reconciled separately. */
export type ClaimClass = 'pods' | 'nodes';

export function claimClassOf(peer: string): ClaimClass | undefined {
  if (peer.startsWith('workload:') || peer.startsWith('dns:')) return 'pods';
  if (peer.startsWith('node:')) return 'nodes';
  return undefined;
}


/** A pod as the previous snapshot with Pods listed it. */
export interface PreviousPod extends Pick<PodIdentity, 'uid' | 'since'> {
  /** Its pod-network IPs; empty: listed without any IP (Pending). */
  ips: ReadonlySet<string>;
  /** When that snapshot was taken. */
  seenAt: number;
}

/** `namespace/pod` → that pod as the previous snapshot saw it (which pod it was: `samePod`). */
export type PreviousPods = ReadonlyMap<string, PreviousPod>;

/**
 * Whether the pod a previous snapshot listed under a name is the pod listed now, not one created
 * again under it (every StatefulSet pod): the same `metadata.uid`, "unique in time and space"
 * (apimachinery meta/v1 ObjectMeta); without a uid on both sides (a store imported before
 * migration 0037, an input without uids), the same start. With neither, nothing tells them apart.
 */
export function samePod(before: Pick<PodIdentity, 'uid' | 'since'>, now: Pick<PodIdentity, 'uid' | 'since'>): boolean {
  if (before.uid !== undefined && now.uid !== undefined) return before.uid === now.uid;
  if (before.since !== undefined && now.since !== undefined) return before.since === now.since;
  return true;
}

/**
 * The pods' claims of a snapshot: the cluster DNS's pods are `dns:` peers, every other pod its
 * workload, each from `claimStart`; a finished pod's until its end.
 */
export function podClaims(snapshot: InventorySnapshot, previous: PreviousPods = new Map()): IpClaim[] {
  const dns = new Set(snapshot.workloads.filter((w) => w.clusterDns).map((w) => workloadKey(w)));
  const claimOf = (a: Omit<PodAddress, 'labels' | 'ports'>, until?: number): IpClaim => {
    const since = claimStart(a, previous.get(`${a.namespace}/${a.pod}`), snapshot.takenAt);
    return {
      ip: a.ip,
      peerKey: peerKey(dns.has(workloadKey(a.workload)) ? { kind: 'dns', workload: a.workload } : { kind: 'workload', workload: a.workload }),
      ...(a.node ? { node: a.node } : {}),
      hostNetwork: a.hostNetwork,
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
    };
  };
  return [...snapshot.podAddresses.map((a) => claimOf(a)), ...(snapshot.finishedPods ?? []).map((a) => claimOf(a, a.until))];
}

/**
 * When a pod started holding an address: from its start, unless the previous snapshot listed the
 * same pod (`samePod`; one created again under its name is another pod, holding its IP from its
 * own start like a pod of another name)
 * - on other pod-network IPs: it has moved (a sandbox recreated after a node reboot keeps the pod
 *   and its startTime) and got this one since: from the snapshot time, when the move was seen;
 * - without any IP (Pending): it got it after that snapshot (core/v1 PodStatus.podIP: "Empty if
 *   not yet allocated"), however early its startTime, set "before the Kubelet pulled the
 *   container image(s)".
 */
function claimStart(a: Pick<PodAddress, 'ip' | 'hostNetwork' | 'uid' | 'since'>, before: PreviousPod | undefined, takenAt: number): number | undefined {
  if (before === undefined || !samePod(before, a)) return a.since;
  if (before.ips.size === 0) return a.since === undefined ? undefined : Math.max(a.since, before.seenAt);
  if (!a.hostNetwork && !before.ips.has(a.ip)) return takenAt;
  return a.since;
}

/** Node name → the InternalIP and ExternalIP addresses the previous snapshot saw it hold. */
export type PreviousNodeIps = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Each node's InternalIP and ExternalIP, held by `node:<name>` from the node's creation — unless
 * the previous snapshot saw the node on other addresses: its address changed (a DHCP lease, a
 * cloud NIC replaced), so the new one is held from this snapshot's time, when the change was seen.
 */
export function nodeClaims(nodes: Node[], previous: PreviousNodeIps, takenAt: number): IpClaim[] {
  const out: IpClaim[] = [];
  for (const n of nodes) {
    const before = previous.get(n.name);
    for (const ip of nodeHostIps(n)) {
      const since = before !== undefined && before.size > 0 && !before.has(ip) ? takenAt : n.since;
      out.push({ ip, peerKey: peerKey({ kind: 'node', node: n.name }), node: n.name, hostNetwork: false, ...(since !== undefined ? { since } : {}) });
    }
  }
  return out;
}

/** The interval holds `t` (start inclusive, end exclusive). */
export function holds(iv: IpInterval, t: number): boolean {
  return iv.validFrom <= t && (iv.validTo === undefined || t < iv.validTo);
}

/** What one snapshot does to the history of one claim class. */
export interface Reconciliation<T extends IpInterval, R = T> {
  /**
   * Open intervals whose claim is gone, with the end they get. `releasedAfter`: the pod-network
   * IP was released with no new holder in the snapshot, so its end is only when the release was
   * noticed; the holder was last seen holding it at `releasedAfter` (the previous snapshot).
   */
  close: { interval: T; validTo: number; releasedAfter?: number }[];
  /**
   * New intervals: the new holders' (open), in (ip, host network, peer) order, then the finished
   * pods' (closed: `validTo` set), by IP and start.
   */
  open: IpInterval[];
  /** Intervals closed earlier by a release whose end moves back to the start of the IP's new holder. */
  moveBack: { interval: R; validTo: number }[];
}

/** What `reconcileClaims` knows of the snapshots and releases before this one (absent: no release is corrected). */
export interface EarlierReleases<R> {
  /** When the previous snapshot of the class was taken: the open intervals were last seen then, and none ends before it. */
  previousAt?: number | undefined;
  /** The IP's pod-network intervals closed by a release whose recorded end is after `t`. */
  endingAfter?(ip: string, t: number): readonly R[];
}

const claimKey = (ip: string, hostNetwork: boolean, peer: string) => `${ip}|${hostNetwork ? 1 : 0}|${peer}`;

/**
 * Reconciles a snapshot's claims (of one class) with the open intervals (of that class), at
 * snapshot time `t`:
 * - one open interval per (ip, host network, peer): a claim already open stays open, unchanged;
 * - an open interval whose claim is gone is closed at the new holder's `since` when another peer
 *   now holds that pod-network IP, else at `t` (host-network intervals: always at `t`) — never
 *   before `earlier.previousAt`, when the previous snapshot still saw it held (a pod's startTime
 *   precedes its IP: a pod Pending there with no IP may have started before it);
 * - a new claim opens an interval from its `since` (at most `t`), but never before the IP's
 *   previous interval ended, so pod-network intervals on an IP do not overlap;
 * - except that a pod-network release (no new holder in the snapshot) is dated by when it was
 *   noticed, not when it happened: the collector writes a DELETED as it arrives, and after a watch
 *   backlog the new holder's ADDED may land in a later write than the release. A later claim that
 *   started before such an end moves it back to its start — so the history does not depend on how
 *   the events were split into snapshots — but never before the old holder was last seen holding
 *   the IP (the previous snapshot, `releasedAfter`): no claim a snapshot showed alive is cut.
 *
 * A finished pod's claim (`until`) held the IP from its `since` until then:
 * - it ends the open interval of its own key at `until` (the same holder, seen on the IP before and
 *   finished since it was last seen): an exact end, not a release;
 * - else it is a closed interval, opened as a new claim is but ending at `until`, and it ends an
 *   open interval of another peer whose claim is gone as a new holder does — if it still held the
 *   IP after that one was last seen (else it came before);
 * - it never takes the IP from a holder the snapshot shows on it still (a finished pod's time ends
 *   where such an interval starts, and is left out if that one started first); a new claim on the
 *   IP starts at its end at the earliest (a pod's startTime precedes its IP, so one started
 *   before the finished pod's end got the IP after it).
 *
 * `endedBefore(ip, hostNetwork, peer)` is the earliest a new claim may start: the latest end of
 * the IP's already closed intervals, on the pod network (`hostNetwork` false) over every peer, on
 * the host network over that peer's; an interval closed by a release counts from its
 * `releasedAfter`. `earlier.endingAfter` then names the released intervals to move back.
 */
export function reconcileClaims<T extends IpInterval, R = T>(
  open: readonly T[],
  claims: readonly IpClaim[],
  t: number,
  endedBefore: (ip: string, hostNetwork: boolean, peer: string) => number | undefined,
  earlier: EarlierReleases<R> = {},
): Reconciliation<T, R> {
  // Two claims of one key (two pods of one workload in turn): the earliest start.
  const byKey = new Map<string, IpClaim>();
  const finished: (IpClaim & { until: number })[] = [];
  for (const c of claims) {
    if (c.until !== undefined) {
      finished.push(c as IpClaim & { until: number });
      continue;
    }
    const key = claimKey(c.ip, c.hostNetwork, c.peerKey);
    const prev = byKey.get(key);
    if (!prev || (c.since ?? Infinity) < (prev.since ?? Infinity)) byKey.set(key, c);
  }
  const openByKey = new Map<string, T>();
  for (const iv of open) openByKey.set(claimKey(iv.ip, iv.hostNetwork, iv.peerKey), iv);
  const startOf = (c: IpClaim) => Math.min(c.since ?? t, t);
  // The finished pods in start order, so that two on one IP follow each other.
  finished.sort((a, b) => compareStrings(a.ip, b.ip) || Number(a.hostNetwork) - Number(b.hostNetwork) || startOf(a) - startOf(b) || a.until - b.until || compareStrings(a.peerKey, b.peerKey));

  // The open intervals were seen held at the previous snapshot: none of them ends before it.
  const lastSeen = earlier.previousAt === undefined ? -Infinity : Math.min(earlier.previousAt, t);
  // Open intervals whose holder finished since it was last seen: they end when it finished.
  const finishedEnd = new Map<string, number>();
  const ending = new Set<IpClaim>();
  for (const f of finished) {
    const key = claimKey(f.ip, f.hostNetwork, f.peerKey);
    const iv = openByKey.get(key);
    if (iv === undefined || byKey.has(key) || f.until <= Math.max(lastSeen, iv.validFrom)) continue;
    finishedEnd.set(key, Math.max(finishedEnd.get(key) ?? -Infinity, f.until));
    ending.add(f);
  }

  // The new holders of each pod-network IP (a finished one until its end): the earliest holding it after a gone holder was last seen is that one's successor.
  const newHolders = new Map<string, { since: number; until?: number }[]>();
  const addHolder = (ip: string, since: number, until?: number) => {
    const list = newHolders.get(ip);
    const holder = until === undefined ? { since } : { since, until };
    if (list === undefined) newHolders.set(ip, [holder]);
    else list.push(holder);
  };
  for (const [key, c] of byKey) if (!openByKey.has(key) && !c.hostNetwork) addHolder(c.ip, startOf(c));
  for (const f of finished) if (!f.hostNetwork && !ending.has(f)) addHolder(f.ip, startOf(f), f.until);
  const successorOf = (iv: IpInterval): number | undefined => {
    const seen = Math.max(lastSeen, iv.validFrom);
    let first: number | undefined;
    for (const h of newHolders.get(iv.ip) ?? []) if ((h.until === undefined || h.until > seen) && (first === undefined || h.since < first)) first = h.since;
    return first;
  };

  const close: Reconciliation<T, R>['close'] = [];
  for (const [key, iv] of openByKey) {
    if (byKey.has(key)) continue;
    const ended = finishedEnd.get(key);
    if (ended !== undefined) {
      close.push({ interval: iv, validTo: Math.max(iv.validFrom, lastSeen, Math.min(ended, t)) });
      continue;
    }
    const successor = iv.hostNetwork ? undefined : successorOf(iv);
    // A successor's startTime may predate the previous snapshot that still showed this holder on
    // the IP: startTime is when the kubelet acknowledged the pod, "before the Kubelet pulled the
    // container image(s)" (core/v1 PodStatus), so its sandbox got the IP later — after that snapshot.
    const validTo = Math.max(iv.validFrom, lastSeen, Math.min(successor ?? t, t));
    const released = !iv.hostNetwork && successor === undefined && earlier.previousAt !== undefined;
    close.push({ interval: iv, validTo, ...(released ? { releasedAfter: Math.max(iv.validFrom, lastSeen) } : {}) });
  }

  // The latest end this snapshot gives each IP's intervals: on the pod network per IP, on the host network per (IP, peer).
  const endKey = (ip: string, hostNetwork: boolean, peer: string) => (hostNetwork ? claimKey(ip, true, peer) : ip);
  const closedEnd = new Map<string, number>();
  for (const x of close) {
    const k = endKey(x.interval.ip, x.interval.hostNetwork, x.interval.peerKey);
    closedEnd.set(k, Math.max(closedEnd.get(k) ?? -Infinity, x.validTo));
  }
  const lastEnd = (c: IpClaim): number => {
    const end = endedBefore(c.ip, c.hostNetwork, c.peerKey) ?? -Infinity;
    return Math.max(end, closedEnd.get(endKey(c.ip, c.hostNetwork, c.peerKey)) ?? -Infinity);
  };
  /** Per pod-network IP, the earliest start of its new holders: where earlier releases on it end at the latest. */
  const firstNewStart = new Map<string, number>();

  // The finished pods' intervals, before the new claims that may start only at their end. A
  // holder the snapshot shows on the IP still keeps it: a finished pod's time ends where that one's starts.
  const closedOpened: IpInterval[] = [];
  const heldSince = new Map<string, number>();
  if (finished.length > 0) {
    for (const [key, iv] of openByKey) {
      const k = endKey(iv.ip, iv.hostNetwork, iv.peerKey);
      if (byKey.has(key)) heldSince.set(k, Math.min(heldSince.get(k) ?? Infinity, iv.validFrom));
    }
  }
  for (const f of finished) {
    if (ending.has(f)) continue;
    const from = Math.max(startOf(f), lastEnd(f));
    const held = heldSince.get(endKey(f.ip, f.hostNetwork, f.peerKey)) ?? Infinity;
    const to = held <= from ? from : Math.min(f.until, t, held);
    if (to <= from) continue;
    closedOpened.push({ ip: f.ip, peerKey: f.peerKey, ...(f.node ? { node: f.node } : {}), hostNetwork: f.hostNetwork, validFrom: from, validTo: to });
    const k = endKey(f.ip, f.hostNetwork, f.peerKey);
    closedEnd.set(k, Math.max(closedEnd.get(k) ?? -Infinity, to));
    if (!f.hostNetwork) firstNewStart.set(f.ip, Math.min(firstNewStart.get(f.ip) ?? Infinity, from));
  }

  const opened: IpInterval[] = [];
  for (const key of [...byKey.keys()].sort()) {
    if (openByKey.has(key)) continue;
    const c = byKey.get(key) as IpClaim;
    const validFrom = Math.max(startOf(c), lastEnd(c));
    opened.push({ ip: c.ip, peerKey: c.peerKey, ...(c.node ? { node: c.node } : {}), hostNetwork: c.hostNetwork, validFrom });
    if (!c.hostNetwork) firstNewStart.set(c.ip, Math.min(firstNewStart.get(c.ip) ?? Infinity, validFrom));
  }
  const moveBack: Reconciliation<T, R>['moveBack'] = [];
  if (earlier.endingAfter) {
    for (const [ip, start] of [...firstNewStart].sort(([a], [b]) => compareStrings(a, b))) {
      for (const interval of earlier.endingAfter(ip, start)) moveBack.push({ interval, validTo: start });
    }
  }
  return { close, open: [...opened, ...closedOpened], moveBack };
}

/** Who held an IP when: what flow resolution asks of the IP history (collectors/flows/resolve.ts). */
export interface IpHistoryLookup {
  /** Whether the IP has ever had a holder, on either network. */
  has(ip: string): boolean;
  /** The pod-network holder of `ip` at `t` (a pod or a node). */
  holderAt(ip: string, t: number): IpInterval | undefined;
  /** A host-network pod holding `ip` at `t` (the latest started, when several do). */
  hostNetworkHolderAt(ip: string, t: number): IpInterval | undefined;
  /** Every host-network pod holding `ip` at `t`. */
  hostNetworkHoldersAt(ip: string, t: number): IpInterval[];
  /**
   * The last moment before `before` at which the history shows a pod-network holder on `ip`: an
   * exact end (a new holder's start, a finished pod's end), or, where the end is only when a
   * release was noticed, when the holder was last seen on it (`releasedAfter`); `before` itself
   * when a holder still held it then. Undefined: no holder before `before`.
   */
  lastHeldBefore(ip: string, before: number): number | undefined;
  /** Before this time the history is incomplete (retention deleted what ended before it): absent, it is whole. */
  readonly historyFrom?: number | undefined;
}

/** An interval as the store keeps it: with `releasedAfter` where its end is a release noticed later (Reconciliation.close). */
export interface StoredInterval extends IpInterval {
  releasedAfter?: number;
}

/**
 * The history of every IP, each IP's intervals in start order, kept apart by network: the pod
 * network (pods and nodes: one holder at a time) and the host network (host-network pods share
 * their node's IP, so several can hold it at once). Lookups are a binary search over one IP's
 * intervals.
 */
export class IpHistory implements IpHistoryLookup {
  private readonly podNetwork = new Map<string, IpInterval[]>();
  private readonly hostNetwork = new Map<string, IpInterval[]>();
  /** Intervals `apply` closed by a release → when their holder was last seen (Reconciliation.close). */
  private readonly releasedAfter = new WeakMap<IpInterval, number>();
  /** When `apply` last reconciled each claim class. */
  private readonly appliedAt = new Map<ClaimClass, number>();

  constructor(intervals: Iterable<StoredInterval> = []) {
    for (const { releasedAfter, ...iv } of intervals) {
      const copy = { ...iv };
      this.add(copy);
      if (releasedAfter !== undefined) this.releasedAfter.set(copy, releasedAfter);
    }
    for (const list of this.podNetwork.values()) sortIntervals(list);
    for (const list of this.hostNetwork.values()) sortIntervals(list);
  }

  /** Whether the IP has ever had a holder, on either network. */
  has(ip: string): boolean {
    return this.podNetwork.has(ip) || this.hostNetwork.has(ip);
  }

  /** Every interval of the IP, pod network then host network, each in start order (copies). */
  intervals(ip: string): IpInterval[] {
    return [...(this.podNetwork.get(ip) ?? []), ...(this.hostNetwork.get(ip) ?? [])].map((iv) => ({ ...iv }));
  }

  /** The pod-network holder of `ip` at `t` (a pod or a node). */
  holderAt(ip: string, t: number): IpInterval | undefined {
    return latestHolding(this.podNetwork.get(ip), t);
  }

  /** A host-network pod holding `ip` at `t` (the latest started, when several do). */
  hostNetworkHolderAt(ip: string, t: number): IpInterval | undefined {
    return latestHolding(this.hostNetwork.get(ip), t);
  }

  lastHeldBefore(ip: string, before: number): number | undefined {
    let last: number | undefined;
    for (const iv of this.podNetwork.get(ip) ?? []) {
      if (iv.validFrom >= before) break;
      const seen = Math.min(iv.validTo === undefined ? before : (this.releasedAfter.get(iv) ?? iv.validTo), before);
      last = last === undefined ? seen : Math.max(last, seen);
    }
    return last;
  }

  /** Every host-network pod holding `ip` at `t`. */
  hostNetworkHoldersAt(ip: string, t: number): IpInterval[] {
    return (this.hostNetwork.get(ip) ?? []).filter((iv) => holds(iv, t));
  }

  /**
   * Applies one snapshot's claims of one class at time `t` (the in-memory counterpart of the
   * store's import, for a watcher): closes and opens intervals, moves released ends back, and returns what it did.
   */
  apply(cls: ClaimClass, claims: readonly IpClaim[], t: number): Reconciliation<IpInterval> {
    const open: IpInterval[] = [];
    for (const map of [this.podNetwork, this.hostNetwork]) {
      for (const list of map.values()) for (const iv of list) if (iv.validTo === undefined && claimClassOf(iv.peerKey) === cls) open.push(iv);
    }
    const endedBefore = (ip: string, hostNetwork: boolean, peer: string): number | undefined => {
      let end: number | undefined;
      for (const iv of (hostNetwork ? this.hostNetwork : this.podNetwork).get(ip) ?? []) {
        if (iv.validTo === undefined || (hostNetwork && iv.peerKey !== peer)) continue;
        const until = this.releasedAfter.get(iv) ?? iv.validTo;
        end = end === undefined ? until : Math.max(end, until);
      }
      return end;
    };
    const r = reconcileClaims(open, claims, t, endedBefore, {
      previousAt: this.appliedAt.get(cls),
      endingAfter: (ip, after) => (this.podNetwork.get(ip) ?? []).filter((iv) => this.releasedAfter.has(iv) && iv.validTo !== undefined && iv.validTo > after),
    });
    this.appliedAt.set(cls, t);
    for (const c of r.close) {
      c.interval.validTo = c.validTo;
      if (c.releasedAfter !== undefined) this.releasedAfter.set(c.interval, c.releasedAfter);
    }
    for (const m of r.moveBack) m.interval.validTo = m.validTo;
    for (const iv of r.open) {
      const list = this.add({ ...iv });
      sortIntervals(list);
    }
    return r;
  }

  private add(iv: IpInterval): IpInterval[] {
    const map = iv.hostNetwork ? this.hostNetwork : this.podNetwork;
    let list = map.get(iv.ip);
    if (!list) map.set(iv.ip, (list = []));
    list.push(iv);
    return list;
  }
}

/** The interval holding `t` in a start-ordered list: the last one started at or before t that has not ended by t. */
function latestHolding(list: readonly IpInterval[] | undefined, t: number): IpInterval | undefined {
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as IpInterval).validFrom <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Overlapping intervals (a pod deleted after its IP was reused): walk back to one still open at t.
  for (let i = found; i >= 0; i--) {
    const iv = list[i] as IpInterval;
    if (iv.validTo === undefined || t < iv.validTo) return iv;
  }
  return undefined;
}

function sortIntervals(list: IpInterval[]): void {
  list.sort((a, b) => a.validFrom - b.validFrom || compareStrings(a.peerKey, b.peerKey));
}
