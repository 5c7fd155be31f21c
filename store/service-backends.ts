/**
 * Which workloads back each Service, and since when (migration 0049): a Service's backends change
 * while its ClusterIP stays (a selector re-pointed from app=api-v1 to app=api-v2, a Deployment
 * that starts to match it), and a flow to the ClusterIP went to the backends of its time — kube-proxy
 * redirects "traffic to the Service's clusterIP and port … to one of the Service's backend sets",
 * the endpoints it watched then (kubernetes.io "Virtual IPs and Service Proxies"). So each import
 * records the state it finds — the Service's creation, ports and backends — and ends the state an
 * earlier import recorded when it differs, as a pod IP's interval ends (docs/inventory.md "IP
 * history"). Flow resolution reads the ended states (collectors/flows/resolve.ts `serviceAsOf`).
 */
import type { ServiceBackendState } from '../domain/inventory.ts';
import { compareStrings } from '../domain/order.ts';
import { parseWorkloadKey } from '../domain/peer.ts';
import type { Db } from './db.ts';

/**
 * Per Service (`namespace/name`), the workload keys it sends to as the store links them, sorted:
 * the workloads listing it among their Services, and those its EndpointSlices' pods are aliased
 * to — what flow resolution takes for its backends (ResolutionIndex). One pass over both tables.
 */
export function backendsByService(db: Db): Map<string, string[]> {
  const keys = new Map<string, Set<string>>();
  const add = (service: string, workload: string): void => {
    const set = keys.get(service);
    if (set === undefined) keys.set(service, new Set([workload]));
    else set.add(workload);
  };
  const linked = db.prepare("SELECT namespace, kind, name, services FROM workloads WHERE services <> '[]'").all() as { namespace: string; kind: string; name: string; services: string }[];
  for (const w of linked) for (const s of JSON.parse(w.services) as string[]) add(s, `${w.namespace}/${w.kind}/${w.name}`);
  const slices = db.prepare('SELECT namespace, service, endpoints FROM endpoint_slices WHERE service IS NOT NULL').all() as { namespace: string; service: string; endpoints: string }[];
  const alias = db.prepare("SELECT workload FROM owner_aliases WHERE namespace = ? AND kind = 'Pod' AND name = ?");
  for (const slice of slices) {
    for (const ep of JSON.parse(slice.endpoints) as { targetRef?: { kind: string; namespace?: string; name: string } }[]) {
      if (ep.targetRef?.kind !== 'Pod') continue;
      const row = alias.get(ep.targetRef.namespace ?? slice.namespace, ep.targetRef.name) as { workload: string } | undefined;
      if (row !== undefined) add(`${slice.namespace}/${slice.service}`, row.workload);
    }
  }
  return new Map([...keys].map(([service, set]) => [service, [...set].sort(compareStrings)]));
}

type OpenRow = { id: number; namespace: string; name: string; created_at: number | null; ports: string; backends: string; valid_from: number };

/**
 * After an import at `t` is written (Services, EndpointSlices, workloads and their links, owner
 * aliases): each stored Service whose creation, ports or backends differ from its open state ends
 * that state at `t` and opens one from `t`; a Service no longer stored ends its state at `t`. A
 * Service the history does not know yet opens its first state at `t` — or at its creation, when it
 * was created after the import before (`previousImport`): it had no other state since. A state
 * that would end where it began held no time and is deleted.
 */
export function recordServiceBackends(db: Db, t: number, previousImport: number | null): void {
  const backends = backendsByService(db);
  const services = db.prepare('SELECT namespace, name, created_at, ports FROM services').all() as { namespace: string; name: string; created_at: number | null; ports: string }[];
  const open = new Map((db.prepare('SELECT rowid AS id, * FROM service_backends WHERE valid_to IS NULL').all() as OpenRow[]).map((r) => [`${r.namespace}/${r.name}`, r]));
  const close = db.prepare('UPDATE service_backends SET valid_to = ? WHERE rowid = ?');
  const drop = db.prepare('DELETE FROM service_backends WHERE rowid = ?');
  const end = (r: OpenRow): void => void (r.valid_from < t ? close.run(t, r.id) : drop.run(r.id));
  const insert = db.prepare('INSERT INTO service_backends (namespace, name, created_at, ports, backends, valid_from) VALUES (?, ?, ?, ?, ?, ?)');
  for (const s of services) {
    const key = `${s.namespace}/${s.name}`;
    const state = JSON.stringify(backends.get(key) ?? []);
    const was = open.get(key);
    open.delete(key);
    const sameService = was !== undefined && was.created_at === s.created_at;
    if (sameService && was.ports === s.ports && was.backends === state) continue;
    if (was !== undefined) end(was);
    const createdSince = s.created_at !== null && previousImport !== null && s.created_at > previousImport && s.created_at <= t;
    insert.run(s.namespace, s.name, s.created_at, s.ports, state, !sameService && createdSince ? s.created_at : t);
  }
  for (const gone of open.values()) end(gone);
}

/** The states that ended (not today's), by Service, then end: what flow resolution reads. */
export function readServiceBackendHistory(db: Db): ServiceBackendState[] {
  type Row = { namespace: string; name: string; created_at: number | null; ports: string; backends: string; valid_from: number; valid_to: number };
  const rows = db.prepare('SELECT * FROM service_backends WHERE valid_to IS NOT NULL ORDER BY namespace, name, valid_to, valid_from').all() as Row[];
  return rows.map((r) => ({
    namespace: r.namespace,
    name: r.name,
    ...(r.created_at !== null ? { createdAt: r.created_at } : {}),
    ports: JSON.parse(r.ports),
    backends: (JSON.parse(r.backends) as string[]).map(parseWorkloadKey),
    validFrom: r.valid_from,
    validTo: r.valid_to,
  }));
}
