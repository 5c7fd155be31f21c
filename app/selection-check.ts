/**
 * The never-silently-empty rule (issue 17), checked against the store: a namespace or workload
 * that does not exist, or an empty store, is an AppError not-found naming what is missing and how
 * to get it (app/selection.ts words it) — never an empty answer. A selection that exists but
 * matches nothing passes: the caller answers an empty list. The usual case, a selection that
 * exists, reads only the selected rows; the whole inventory and every edge are read only to name,
 * in the error, what does exist.
 */
import { workloadKey, type WorkloadRef } from '../domain/peer.ts';
import type { Db } from '../store/db.ts';
import { edgePage } from '../store/edge-pages.ts';
import { EdgeStore } from '../store/edges.ts';
import { getWorkload, inventoryImported, listWorkloads, readNamespaces } from '../store/inventory.ts';
import { readObservedLabels, workloadsInEdges } from '../store/observed-labels.ts';
import { flowWorkloads, type FlowWorkloads } from '../recommender/synthesize/inferred-workloads.ts';
import { notFoundError } from './errors.ts';
import { listOf, missingFrom, NO_FLOWS, NO_INVENTORY, noWorkloads, selectionOf, selects, type Selection } from './selection.ts';

const namespaceNames = (db: Db): string[] => readNamespaces(db).map((n) => n.name);

/** The workloads flow records name in namespaces `inventory` does not know (a pass over every edge's workloads). */
function workloadsFromFlows(db: Db, inventory: readonly { namespace: string }[]): FlowWorkloads {
  const known = new Set([...namespaceNames(db), ...inventory.map((w) => w.namespace)]);
  return flowWorkloads(known, workloadsInEdges(db), readObservedLabels(db));
}

/** Whether the inventory (every snapshot) holds the selection, reading the workloads of its namespace and name only. */
function inventoryHolds(db: Db, sel: Selection): boolean {
  const name = sel.workload?.slice(sel.workload.indexOf('/') + 1);
  const rows = listWorkloads(db, { includeAbsent: true, ...(sel.namespace !== undefined ? { namespace: sel.namespace } : {}), ...(name !== undefined ? { name } : {}) });
  return missingFrom(sel, rows, namespaceNames(db), '') === undefined;
}

/**
 * The selection must exist: a namespace or workload that neither the inventory (any snapshot)
 * nor any edge knows fails — flow records carry their own metadata, so edges may name workloads
 * the inventory lacks. No selection passes. Every REST API list filtered by namespace or workload
 * checks this (an unfiltered list of an empty store is an empty list).
 * @throws AppError not-found
 */
export function requireSelection(db: Db, sel: Selection): void {
  if (!selects(sel)) return;
  if (inventoryHolds(db, sel)) return;
  if (edgePage(db, { ...selectionOf(sel), limit: 1 }).edges.length > 0) return;
  // Missing: only now read the whole inventory and every edge, to name what does exist.
  const store = new EdgeStore(db);
  const inventory = listWorkloads(db, { includeAbsent: true });
  const namespaces = namespaceNames(db);
  if (inventory.length === 0 && namespaces.length === 0 && store.count() === 0) throw notFoundError(`${NO_INVENTORY}; ${NO_FLOWS}`);
  const known = new Map<string, WorkloadRef>();
  for (const w of inventory) known.set(workloadKey(w), w);
  for (const e of store.list({})) {
    for (const p of [e.client, e.server]) if (p.kind === 'workload' || p.kind === 'dns') known.set(workloadKey(p.workload), p.workload);
  }
  const missing = missingFrom(sel, [...known.values()], namespaces, 'in the inventory or the edges');
  if (missing !== undefined) throw notFoundError(missing);
}

/**
 * For `flowmatrix recommend` and `export`: with no workload in the inventory (none imported, or one
 * without workloads), the flow records must name a workload whose pod labels they carried
 * (docs/recommend.md#without-an-inventory), or this fails even without a selection, naming what
 * the inventory lacks and how to get it, and which workloads the records named
 * without labels; then as requireSelection (the same words as the REST API). A selection that
 * exists but holds nothing to recommend passes: the recommendation warns about it.
 * @throws AppError not-found
 */
export function requireWorkloads(db: Db, sel: Selection): void {
  if (listWorkloads(db).length === 0) {
    // Only now the flow records: reading every edge's workloads costs a pass over the edges.
    const fromFlows = workloadsFromFlows(db, []);
    if (fromFlows.inferred.length === 0) {
      const noInventory = inventoryImported(db) ? noWorkloads(namespaceNames(db)) : NO_INVENTORY;
      if (new EdgeStore(db).count() === 0) throw notFoundError(`${noInventory}; ${NO_FLOWS}`);
      const unselectable = fromFlows.unselectable.length > 0
        ? `; the flow records name ${fromFlows.unselectable.length} workload(s) but carry no pod labels to select them by (NetObserv records carry owners, not labels; Hubble records carry labels): ${listOf(fromFlows.unselectable)}`
        : '';
      throw notFoundError(`${noInventory}${unselectable}`);
    }
  }
  requireSelection(db, sel);
}

/**
 * For `flowmatrix edges` when the listing came back empty: an empty edge store fails (there are no
 * flows to list), then as requireSelection.
 * @throws AppError not-found
 */
export function explainNoEdges(db: Db, sel: Selection): void {
  if (new EdgeStore(db).count() === 0) throw notFoundError(NO_FLOWS);
  requireSelection(db, sel);
}

/**
 * For one workload's recommendation: the inventory lists it, or — in a namespace the inventory
 * does not know — the flow records let us select it (docs/recommend.md#without-an-inventory).
 * @throws AppError not-found
 */
export function requireWorkload(db: Db, ref: WorkloadRef): void {
  if (getWorkload(db, ref)) return;
  const key = workloadKey(ref);
  if (workloadsFromFlows(db, listWorkloads(db, { includeAbsent: true })).inferred.some((w) => workloadKey(w) === key)) return;
  throw notFoundError(`no workload ${ref.namespace}/${ref.kind}/${ref.name} in the inventory or the flow records`);
}
