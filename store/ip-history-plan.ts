/**
 * What one inventory snapshot does to the IP history, planned apart from writing it: the reading
 * and reconciling (the open intervals, the pods' and nodes' previous addresses, each new claim's
 * last end) is most of an import's work, so the service plans on a worker's read connection and
 * the one writer only applies the plan: the service stays responsive during an import. A plan
 * is tied to the inventory generation it was read at (migrations/0022); applied at another one,
 * it is planned again in the write.
 */
import type { InventorySnapshot } from '../domain/inventory.ts';
import { nodeHostIps } from '../domain/inventory.ts';
import { claimClassOf, nodeClaims, podClaims, reconcileClaims, type ClaimClass, type IpClaim, type IpInterval, type PreviousPod, type PreviousPods } from '../domain/ip-history.ts';
import type { Db } from './db.ts';

/** One claim class's changes, in the order the store writes them. */
export interface IpHistoryClassPlan {
  /** Open intervals (by row id) the snapshot ends, with their end, and when their holder was last seen when it is a release. */
  close: { id: number; validTo: number; releasedAfter?: number }[];
  open: IpInterval[];
  /** Released intervals (by row id) whose end moves back to the start of the IP's new holder. */
  moveBack: { id: number; validTo: number }[];
}

export interface IpHistoryPlan {
  /** The inventory generation the plan was read at. */
  generation: number;
  /** Pods holding pod-network addresses before the snapshot (its summary says when it has fewer). */
  previousPods: number;
  /**
   * When the last import with Pods listed them (absent: no pod address stored), read here so that
   * the writer reads no pod address: it dates a Service's backend change (store/service-backends.ts).
   */
  podsListedAt?: number;
  /** Pods first, then nodes, of the classes the snapshot is authoritative for. */
  classes: IpHistoryClassPlan[];
}

export function inventoryGeneration(db: Db): number {
  return (db.prepare('SELECT n FROM inventory_generation WHERE id = 1').get() as { n: number }).n;
}

/** Called in every import's transaction: a plan read before it is stale. */
export function bumpInventoryGeneration(db: Db): void {
  db.prepare('UPDATE inventory_generation SET n = n + 1 WHERE id = 1').run();
}

/**
 * Plans the snapshot's IP-history changes from the store as it is, reading only, in one read
 * transaction (or in the caller's): for the pods and the nodes when the snapshot is authoritative for them.
 */
export function planIpHistory(db: Db, snapshot: InventorySnapshot): IpHistoryPlan {
  const inScope = (kind: string) => !snapshot.scope || snapshot.scope.includes(kind);
  return db.transaction((): IpHistoryPlan => {
    const generation = inventoryGeneration(db);
    const podsListed = lastSeenAt(db, 'pods');
    const podsListedAt = podsListed !== undefined ? { podsListedAt: podsListed } : {};
    const t = snapshot.takenAt;
    const claims: [ClaimClass, IpClaim[]][] = [];
    let previousPods = 0;
    if (inScope('Pod')) {
      const previous = readPreviousPods(db);
      previousPods = [...previous.values()].filter((p) => p.ips.size > 0).length;
      claims.push(['pods', podClaims(snapshot, previous)]);
    }
    if (inScope('Node')) claims.push(['nodes', nodeClaims(snapshot.nodes, previousNodeIps(db), t)]);
    if (claims.length === 0) return { generation, previousPods, ...podsListedAt, classes: [] };
    const openRows = db.prepare('SELECT id, ip, peer, node, host_network, valid_from FROM ip_history WHERE valid_to IS NULL').all() as {
      id: number;
      ip: string;
      peer: string;
      node: string | null;
      host_network: number;
      valid_from: number;
    }[];
    // A released interval counts from when its holder was last seen: a claim that started since takes the IP back to its start.
    const lastEndPodNet = db.prepare('SELECT max(coalesce(released_after, valid_to)) AS e FROM ip_history WHERE ip = ? AND host_network = 0');
    const releasedEndingAfter = db.prepare('SELECT id FROM ip_history WHERE ip = ? AND host_network = 0 AND released_after IS NOT NULL AND valid_to > ? ORDER BY id').pluck();
    const lastEndHostNet = db.prepare('SELECT max(valid_to) AS e FROM ip_history WHERE ip = ? AND host_network = 1 AND peer = ?');
    // Ends an earlier class of this snapshot gives (a pod's IP now a node's): the store writes them
    // before a later class's changes, which counts them as it counts the stored ones — a release
    // from when its holder was last seen, its end moved back to the start of the other class's
    // new holder (a Node created after that, as a pod takes a former node's IP from its start).
    const endsSoFar = new Map<string, number>();
    const releasedSoFar = new Map<string, { id: number; validTo: number }[]>();
    const endKey = (ip: string, hostNetwork: boolean, peer: string) => (hostNetwork ? `1|${ip}|${peer}` : `0|${ip}`);
    const classes: IpHistoryClassPlan[] = [];
    for (const [cls, list] of claims) {
      const open = openRows
        .filter((r) => claimClassOf(r.peer) === cls)
        .map((r) => ({ id: r.id, ip: r.ip, peerKey: r.peer, ...(r.node ? { node: r.node } : {}), hostNetwork: r.host_network === 1, validFrom: r.valid_from }));
      const endedBefore = (ip: string, hostNetwork: boolean, peer: string): number | undefined => {
        const stored = ((hostNetwork ? lastEndHostNet.get(ip, peer) : lastEndPodNet.get(ip)) as { e: number | null }).e;
        const earlier = endsSoFar.get(endKey(ip, hostNetwork, peer));
        if (stored === null) return earlier;
        return earlier === undefined ? stored : Math.max(stored, earlier);
      };
      const r = reconcileClaims(open, list, t, endedBefore, {
        previousAt: cls === 'pods' ? podsListed : lastSeenAt(db, cls),
        endingAfter: (ip, after) => [
          ...(releasedEndingAfter.all(ip, after) as number[]).map((id) => ({ id })),
          ...(releasedSoFar.get(ip) ?? []).filter((x) => x.validTo > after).map(({ id }) => ({ id })),
        ],
      });
      for (const c of r.close) {
        const k = endKey(c.interval.ip, c.interval.hostNetwork, c.interval.peerKey);
        endsSoFar.set(k, Math.max(endsSoFar.get(k) ?? -Infinity, c.releasedAfter ?? c.validTo));
        if (c.releasedAfter !== undefined) releasedSoFar.set(c.interval.ip, [...(releasedSoFar.get(c.interval.ip) ?? []), { id: c.interval.id, validTo: c.validTo }]);
      }
      // A finished pod's interval is written closed: it ends the IP's time for a later class's claims too.
      for (const iv of r.open) {
        if (iv.validTo === undefined) continue;
        const k = endKey(iv.ip, iv.hostNetwork, iv.peerKey);
        endsSoFar.set(k, Math.max(endsSoFar.get(k) ?? -Infinity, iv.validTo));
      }
      classes.push({
        close: r.close.map((c) => ({ id: c.interval.id, validTo: c.validTo, ...(c.releasedAfter !== undefined ? { releasedAfter: c.releasedAfter } : {}) })),
        open: r.open,
        moveBack: r.moveBack.map((m) => ({ id: m.interval.id, validTo: m.validTo })),
      });
    }
    return { generation, previousPods, ...podsListedAt, classes };
  })();
}

/** Writes a plan's closes and opens, class by class (the caller's transaction holds the write lock). */
export function writeIpHistoryPlan(db: Db, plan: IpHistoryPlan): { opened: number; closed: number } {
  const close = db.prepare('UPDATE ip_history SET valid_to = ?, released_after = ? WHERE id = ?');
  const moveBack = db.prepare('UPDATE ip_history SET valid_to = ? WHERE id = ?');
  const ins = db.prepare('INSERT INTO ip_history (ip, peer, node, host_network, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?)');
  const done = { opened: 0, closed: 0 };
  for (const c of plan.classes) {
    for (const x of c.close) close.run(x.validTo, x.releasedAfter ?? null, x.id);
    for (const x of c.moveBack) moveBack.run(x.validTo, x.id);
    for (const iv of c.open) ins.run(iv.ip, iv.peerKey, iv.node ?? null, iv.hostNetwork ? 1 : 0, iv.validFrom, iv.validTo ?? null);
    done.closed += c.close.length;
    done.opened += c.open.length;
  }
  return done;
}

/**
 * When the class's open intervals were last seen held: the previous import of that class (every
 * stored pod address or node row carries its time). Not merely the last import: one of Services
 * only saw no pod (absent when none is stored: then no interval of the class is open either).
 */
function lastSeenAt(db: Db, cls: ClaimClass): number | undefined {
  const table = cls === 'pods' ? 'pod_addresses' : 'nodes';
  return (db.prepare(`SELECT max(updated_at) AS t FROM ${table}`).get() as { t: number | null }).t ?? undefined;
}

function previousNodeIps(db: Db): Map<string, Set<string>> {
  const rows = db.prepare('SELECT name, addresses FROM nodes').all() as { name: string; addresses: string }[];
  return new Map(rows.map((r) => [r.name, new Set(nodeHostIps({ addresses: JSON.parse(r.addresses) }))]));
}

/** The pods of the last import with Pods: their pod-network IPs, and those it listed without any IP (migration 0037). */
function readPreviousPods(db: Db): PreviousPods {
  type Row = { namespace: string; pod: string; uid: string | null; since: number | null; updated_at: number };
  const out = new Map<string, PreviousPod & { ips: Set<string> }>();
  const podOf = (r: Row) => {
    const key = `${r.namespace}/${r.pod}`;
    let p = out.get(key);
    if (!p) out.set(key, (p = { ...(r.uid !== null ? { uid: r.uid } : {}), ...(r.since !== null ? { since: r.since } : {}), ips: new Set(), seenAt: r.updated_at }));
    return p;
  };
  for (const r of db.prepare('SELECT namespace, pod, ip, uid, since, updated_at FROM pod_addresses WHERE host_network = 0').all() as (Row & { ip: string })[]) podOf(r).ips.add(r.ip);
  for (const r of db.prepare('SELECT namespace, pod, uid, since, updated_at FROM pods_without_ip').all() as Row[]) podOf(r);
  return out;
}
