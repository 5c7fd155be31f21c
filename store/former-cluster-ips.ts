/**
 * The ClusterIPs of Services an import no longer lists (migration 0038). A Service holds its
 * ClusterIP from its creation until the import that no longer lists it, as a gone pod holds its IP
 * (docs/inventory.md "IP history"): flows of that time resolve through it to the backends it had
 * when last listed, and an address the inventory knew as a ClusterIP is never taken for an outside
 * one (collectors/flows/resolve.ts).
 */
import type { FormerClusterIp, Service } from '../domain/inventory.ts';
import { parseWorkloadKey } from '../domain/peer.ts';
import type { Db } from './db.ts';
import { backendsByService } from './service-backends.ts';

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
  let linked: Map<string, string[]> | undefined;
  for (const s of stored) {
    if (s.clusterIPs.length === 0 || sameService(s, byKey.get(`${s.namespace}/${s.name}`))) continue;
    linked ??= backendsByService(db);
    const backends = JSON.stringify(linked.get(`${s.namespace}/${s.name}`) ?? []);
    for (const ip of s.clusterIPs) insert.run(ip, s.namespace, s.name, JSON.stringify(s.ports), backends, s.createdAt ?? null, t);
  }
}

/** Whether `next` is the same Service as `stored`: its addresses, and its creation time where both know it (one stored before migration 0012 has none). */
function sameService(stored: Service, next: Service | undefined): boolean {
  if (next === undefined) return false;
  if (stored.createdAt !== undefined && next.createdAt !== undefined && stored.createdAt !== next.createdAt) return false;
  return stored.clusterIPs.length === next.clusterIPs.length && stored.clusterIPs.every((ip, i) => next.clusterIPs[i] === ip);
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
