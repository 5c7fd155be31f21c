/**
 * The ClusterIPs of Services an import no longer lists (migration 0038). A Service holds its
 * ClusterIP from its creation until the import that no longer lists it, as a gone pod holds its IP
 * (docs/inventory.md "IP history"): flows of that time resolve through it to the backends it had
 * when last listed, and an address the inventory knew as a ClusterIP is never taken for an outside
 * one (collectors/flows/resolve.ts).
 */
import type { FormerClusterIp, Service } from '../domain/inventory.ts';
import { compareStrings } from '../domain/order.ts';
import { parseWorkloadKey } from '../domain/peer.ts';
import type { Db } from './db.ts';

type Row = { ip: string; namespace: string; name: string; ports: string; backends: string; created_at: number | null; valid_to: number };

/**
 * Before an import replaces the stored Services with `listed`: each stored Service it does not
 * list — deleted, or recreated under its name (another creation time or address) — leaves its
 * ClusterIPs here, held until `t`, with its backends as the store links them now (the workloads
 * that list it among their Services, and those its EndpointSlices name through a pod's alias).
 * Run before the EndpointSlices, workloads and aliases are replaced.
 */
export function recordFormerClusterIps(db: Db, stored: readonly Service[], listed: readonly Service[], t: number): void {
  const byKey = new Map(listed.map((s) => [`${s.namespace}/${s.name}`, s]));
  const insert = db.prepare('INSERT INTO former_cluster_ips (ip, namespace, name, ports, backends, created_at, valid_to) VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const s of stored) {
    if (s.clusterIPs.length === 0 || sameService(s, byKey.get(`${s.namespace}/${s.name}`))) continue;
    const backends = JSON.stringify(storedBackends(db, s));
    for (const ip of s.clusterIPs) insert.run(ip, s.namespace, s.name, JSON.stringify(s.ports), backends, s.createdAt ?? null, t);
  }
}

/** Whether `next` is the same Service as `stored`: its addresses, and its creation time where both know it (one stored before migration 0012 has none). */
function sameService(stored: Service, next: Service | undefined): boolean {
  if (next === undefined) return false;
  if (stored.createdAt !== undefined && next.createdAt !== undefined && stored.createdAt !== next.createdAt) return false;
  return stored.clusterIPs.length === next.clusterIPs.length && stored.clusterIPs.every((ip, i) => next.clusterIPs[i] === ip);
}

/** The workload keys a stored Service sends to, sorted: as flow resolution links them (ResolutionIndex). */
function storedBackends(db: Db, s: Service): string[] {
  const key = `${s.namespace}/${s.name}`;
  const linked = db
    .prepare("SELECT namespace, kind, name FROM workloads WHERE services <> '[]' AND EXISTS (SELECT 1 FROM json_each(workloads.services) AS j WHERE j.value = ?)")
    .all(key) as { namespace: string; kind: string; name: string }[];
  const keys = new Set(linked.map((w) => `${w.namespace}/${w.kind}/${w.name}`));
  const slices = db.prepare('SELECT endpoints FROM endpoint_slices WHERE namespace = ? AND service = ?').all(s.namespace, s.name) as { endpoints: string }[];
  const alias = db.prepare("SELECT workload FROM owner_aliases WHERE namespace = ? AND kind = 'Pod' AND name = ?");
  for (const slice of slices) {
    for (const ep of JSON.parse(slice.endpoints) as { targetRef?: { kind: string; namespace?: string; name: string } }[]) {
      if (ep.targetRef?.kind !== 'Pod') continue;
      const row = alias.get(ep.targetRef.namespace ?? s.namespace, ep.targetRef.name) as { workload: string } | undefined;
      if (row !== undefined) keys.add(row.workload);
    }
  }
  return [...keys].sort(compareStrings);
}

/** Every former ClusterIP, by address, then creation (unknown first), then end. */
export function readFormerClusterIps(db: Db): FormerClusterIp[] {
  const rows = db.prepare('SELECT * FROM former_cluster_ips ORDER BY ip, created_at IS NOT NULL, created_at, valid_to, namespace, name').all() as Row[];
  return rows.map((r) => ({
    ip: r.ip,
    namespace: r.namespace,
    name: r.name,
    ports: JSON.parse(r.ports),
    backends: (JSON.parse(r.backends) as string[]).map(parseWorkloadKey),
    ...(r.created_at !== null ? { createdAt: r.created_at } : {}),
    validTo: r.valid_to,
  }));
}
