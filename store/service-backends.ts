/**
 * Which workloads back each Service, and since when (migration 0049): a Service's backends change
 * while its ClusterIP stays (a selector re-pointed from app=api-v1 to app=api-v2, a Deployment
 * that starts to match it), and a flow to the ClusterIP went to the backends of its time — kube-proxy
 * redirects "traffic to the Service's clusterIP and port … to one of the Service's backend sets",
 * the endpoints it watched then (kubernetes.io "Virtual IPs and Service Proxies"). So each import
 * records the state it finds — the Service's creation, ports and backends — and ends the state an
 * earlier import recorded when it differs, as a pod IP's interval ends (docs/inventory.md "IP
 * history"), keeping when an import last showed it: the change happened after that, at a moment no
 * import saw. Flow resolution reads the ended states (collectors/flows/resolve.ts `servicesAsOf`).
 */
import type { ServiceBackendState } from '../domain/inventory.ts';
import { parseWorkloadKey } from '../domain/peer.ts';
import type { Db } from './db.ts';

/**
 * Per Service key (`namespace/name`), the workload keys it sends to as the store links them, as a
 * sorted JSON array: the workloads listing it among their Services, and those its EndpointSlices'
 * pods are aliased to — what flow resolution takes for its backends (ResolutionIndex). One SQL
 * aggregate: the live collector writes about every second, and a JSON parse per slice and an
 * alias lookup per endpoint in JavaScript cost 60-120 ms a write on 2,000 workloads. CROSS JOIN
 * keeps SQLite's join order (slices, their endpoints, then the alias by its primary key): left to
 * choose, it may scan the aliases per endpoint (20 s on that store). Migration 0049 seeds the
 * first states with the same query (a migration cannot import it).
 */
const LINKED_BACKENDS = `
  SELECT service, json_group_array(workload ORDER BY workload) AS backends FROM (
    SELECT j.value AS service, w.namespace || '/' || w.kind || '/' || w.name AS workload
      FROM workloads AS w, json_each(w.services) AS j
     WHERE w.services <> '[]'
    UNION
    SELECT e.namespace || '/' || e.service, a.workload
      FROM endpoint_slices AS e CROSS JOIN json_each(e.endpoints) AS ep CROSS JOIN owner_aliases AS a
     WHERE a.namespace = coalesce(json_extract(ep.value, '$.targetRef.namespace'), e.namespace)
       AND a.kind = 'Pod' AND a.name = json_extract(ep.value, '$.targetRef.name')
       AND e.service IS NOT NULL AND json_extract(ep.value, '$.targetRef.kind') = 'Pod')
  GROUP BY service`;

/** Per Service (`namespace/name`), the workload keys it sends to as the store links them, sorted (LINKED_BACKENDS). */
export function backendsByService(db: Db): Map<string, string[]> {
  const rows = db.prepare(LINKED_BACKENDS).all() as { service: string; backends: string }[];
  return new Map(rows.map((r) => [r.service, JSON.parse(r.backends) as string[]]));
}

/**
 * When the inputs of the Services' backends were last listed, read before an import replaces
 * them: the earliest of the last import with Services, the last with EndpointSlices (each stored
 * row carries its import's time) and `podsListedAt`, the last with Pods; a kind never stored does
 * not count. The open states held then — the import that confirmed them — and a change the next
 * import sees happened after it. Undefined in an empty store.
 */
export function backendInputsListedAt(db: Db, podsListedAt: number | undefined): number | undefined {
  const listed = db.prepare('SELECT (SELECT max(updated_at) FROM services) AS services, (SELECT max(updated_at) FROM endpoint_slices) AS slices').get() as { services: number | null; slices: number | null };
  const times = [listed.services, listed.slices, podsListedAt ?? null].filter((x): x is number => x !== null);
  return times.length === 0 ? undefined : Math.min(...times);
}

/** A stored Service whose creation, ports or backends differ from its open state (or that has none). */
type ChangedRow = { namespace: string; name: string; created_at: number | null; ports: string; backends: string; open_id: number | null; open_from: number | null; open_created_at: number | null };

/**
 * After an import at `t` is written (Services, EndpointSlices, workloads and their links, owner
 * aliases): each stored Service whose creation, ports or backends differ from its open state ends
 * that state at `t` and opens one from `t`; a Service no longer stored ends its state at `t`. A
 * Service the history does not know yet opens its first state at `t` — or at its creation, when it
 * was created after the import before (`previousImport`): it had no other state since. A state
 * that would end where it began held no time and is deleted. An ended state keeps when it was last
 * listed (`listedAt`, backendInputsListedAt before the import; never before it began): the change
 * happened between then and `t`. Only the changes are read: the comparison is one query.
 */
export function recordServiceBackends(db: Db, t: number, previousImport: number | null, listedAt: number | undefined): void {
  const changed = db
    .prepare(
      `WITH linked AS (${LINKED_BACKENDS})
       SELECT s.namespace, s.name, s.created_at, s.ports, coalesce(l.backends, '[]') AS backends,
              o.rowid AS open_id, o.valid_from AS open_from, o.created_at AS open_created_at
         FROM services AS s
         LEFT JOIN linked AS l ON l.service = s.namespace || '/' || s.name
         LEFT JOIN service_backends AS o ON o.namespace = s.namespace AND o.name = s.name AND o.valid_to IS NULL
        WHERE o.rowid IS NULL OR o.created_at IS NOT s.created_at OR o.ports <> s.ports OR o.backends <> coalesce(l.backends, '[]')
        ORDER BY s.namespace, s.name`,
    )
    .all() as ChangedRow[];
  const gone = db
    .prepare('SELECT rowid AS id, valid_from FROM service_backends AS o WHERE valid_to IS NULL AND NOT EXISTS (SELECT 1 FROM services AS s WHERE s.namespace = o.namespace AND s.name = o.name) ORDER BY namespace, name')
    .all() as { id: number; valid_from: number }[];
  const close = db.prepare('UPDATE service_backends SET valid_to = ?, changed_after = ? WHERE rowid = ?');
  const drop = db.prepare('DELETE FROM service_backends WHERE rowid = ?');
  const end = (id: number, validFrom: number): void => {
    if (validFrom < t) close.run(t, Math.max(validFrom, listedAt ?? validFrom), id);
    else drop.run(id);
  };
  const insert = db.prepare('INSERT INTO service_backends (namespace, name, created_at, ports, backends, valid_from) VALUES (?, ?, ?, ?, ?, ?)');
  for (const s of changed) {
    if (s.open_id !== null && s.open_from !== null) end(s.open_id, s.open_from);
    const sameService = s.open_id !== null && s.open_created_at === s.created_at;
    const createdSince = s.created_at !== null && previousImport !== null && s.created_at > previousImport && s.created_at <= t;
    insert.run(s.namespace, s.name, s.created_at, s.ports, s.backends, !sameService && createdSince ? s.created_at : t);
  }
  for (const g of gone) end(g.id, g.valid_from);
}

/** The states that ended (not today's), by Service, then end: what flow resolution reads. */
export function readServiceBackendHistory(db: Db): ServiceBackendState[] {
  type Row = { namespace: string; name: string; created_at: number | null; ports: string; backends: string; valid_from: number; valid_to: number; changed_after: number };
  const rows = db.prepare('SELECT * FROM service_backends WHERE valid_to IS NOT NULL ORDER BY namespace, name, valid_to, valid_from').all() as Row[];
  return rows.map((r) => ({
    namespace: r.namespace,
    name: r.name,
    ...(r.created_at !== null ? { createdAt: r.created_at } : {}),
    ports: JSON.parse(r.ports),
    backends: (JSON.parse(r.backends) as string[]).map(parseWorkloadKey),
    validFrom: r.valid_from,
    validTo: r.valid_to,
    changedAfter: r.changed_after,
  }));
}
