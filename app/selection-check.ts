/**
 * The never-silently-empty rule (issue 17), checked against the store: a namespace or workload
 * that does not exist, or an empty store, is an AppError not-found naming what is missing and how
 * to get it (app/selection.ts words it) — never an empty answer. A selection that exists but
 * matches nothing passes: the caller answers an empty list.
 */
import { workloadKey, type WorkloadRef } from '../domain/peer.ts';
import type { Db } from '../store/db.ts';
import { edgePage } from '../store/edge-pages.ts';
import { EdgeStore } from '../store/edges.ts';
import { listWorkloads, readNamespaces } from '../store/inventory.ts';
import { notFoundError } from './errors.ts';
import { missingFrom, NO_FLOWS, NO_INVENTORY, selects, type Selection } from './selection.ts';

/**
 * For recommendations, the export and drift: the inventory must hold the selected workloads (the
 * recommender writes policies for inventory workloads only). An empty inventory fails even
 * without a selection. A namespace the inventory has that holds no workload passes.
 * @throws AppError not-found
 */
export function requireWorkloads(db: Db, sel: Selection): void {
  const all = listWorkloads(db);
  if (all.length === 0) {
    const flows = new EdgeStore(db).count() === 0 ? `; ${NO_FLOWS}` : '';
    throw notFoundError(`${NO_INVENTORY}${flows}`);
  }
  const missing = missingFrom(sel, all, readNamespaces(db).map((n) => n.name), 'in the inventory');
  if (missing !== undefined) throw notFoundError(missing);
}

/**
 * For edges, when a listing came back empty: an empty store, or a namespace or workload that
 * neither the inventory nor any edge knows (flow records carry their own metadata), fails.
 * @throws AppError not-found
 */
export function explainNoEdges(db: Db, sel: Selection): void {
  const store = new EdgeStore(db);
  if (store.count() === 0) throw notFoundError(NO_FLOWS);
  if (!selects(sel)) return;
  const inventory = listWorkloads(db, { includeAbsent: true });
  const namespaces = readNamespaces(db).map((n) => n.name);
  if (missingFrom(sel, inventory, namespaces, 'in the inventory') === undefined) return;
  // The listing may have been cut by other filters (a time, a page): an edge of the selection at all makes it known.
  const filter = { ...(sel.namespace !== undefined ? { namespace: sel.namespace } : {}), ...(sel.workload !== undefined ? { workload: sel.workload } : {}) };
  if (edgePage(db, { ...filter, limit: 1 }).edges.length > 0) return;
  // Missing: only now read every edge, to name what the edges do know.
  const known = new Map<string, WorkloadRef>();
  for (const w of inventory) known.set(workloadKey(w), w);
  for (const e of store.list({})) {
    for (const p of [e.client, e.server]) if (p.kind === 'workload' || p.kind === 'dns') known.set(workloadKey(p.workload), p.workload);
  }
  const missing = missingFrom(sel, [...known.values()], namespaces, 'in the inventory or the edges');
  if (missing !== undefined) throw notFoundError(missing);
}
