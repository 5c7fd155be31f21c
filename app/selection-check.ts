/**
 * An answer is never silently empty, checked against the store: a namespace or workload
 * that does not exist, or an empty store, is an AppError not-found naming what is missing and how
 * to get it (app/selection.ts words it) — never an empty answer. A selection that exists but
 * matches nothing passes: the caller answers an empty list.
 *
 * Every check is a few index seeks, and naming what does exist reads at most NAMES_READ names per
 * source (store/edge-names.ts): the service runs these on its event loop, so their cost must not
 * follow the edge count (a store whose flow records name 50 000 namespaces took 8.7 s per 404).
 */
import { workloadKey, type WorkloadRef } from '../domain/peer.ts';
import type { Db } from '../store/db.ts';
import { edgeNamespaces, edgesNameNamespace, edgesNameWorkload, edgesNameWorkloadKey, edgeWorkloads, hasEdges } from '../store/edge-names.ts';
import { edgePage } from '../store/edge-pages.ts';
import {
  getWorkload,
  inventoryHasWorkloads,
  inventoryHoldsWorkload,
  inventoryImported,
  inventoryKnowsNamespace,
  inventoryNamespaceNames,
  inventoryWorkloadNames,
  readNamespaces,
} from '../store/inventory.ts';
import { hasObservedLabels, labelledFlowWorkloadExists } from '../store/observed-labels.ts';
import { listOf, missingNamespace, missingWorkload, NO_FLOWS, NO_INVENTORY, noWorkloads, selects, type Known, type Named, type Selection } from './selection.ts';
import { notFoundError } from './errors.ts';

/** How many names a not-found answer reads per source (inventory, each side and peer prefix of the edges) at most. */
export const NAMES_READ = 500;

const WHERE = 'in the inventory or the edges';

function namespaceKnown(db: Db, namespace: string): boolean {
  return inventoryKnowsNamespace(db, namespace) || edgesNameNamespace(db, namespace);
}

/**
 * Whether the inventory (any snapshot) or an edge names the selected workload. Without a namespace
 * the edges' keys cannot be sought by name: that one case asks SQLite for the first matching edge.
 */
function workloadKnown(db: Db, namespace: string | undefined, workload: string): boolean {
  if (inventoryHoldsWorkload(db, namespace, workload)) return true;
  if (namespace !== undefined) return edgesNameWorkload(db, namespace, workload);
  return edgePage(db, { workload, limit: 1 }).edges.length > 0;
}

function union<T>(a: Known<T>, b: Known<T>): Known<T> {
  return { names: [...a.names, ...b.names], complete: a.complete && b.complete };
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
  const nsKnown = sel.namespace === undefined || namespaceKnown(db, sel.namespace);
  if (nsKnown && (sel.workload === undefined || workloadKnown(db, sel.namespace, sel.workload))) return;
  // Missing: only now name what does exist, up to a bound.
  const inventoryNs = inventoryNamespaceNames(db, NAMES_READ);
  if (inventoryNs.names.length === 0 && !hasEdges(db)) throw notFoundError(`${NO_INVENTORY}; ${NO_FLOWS}`);
  if (!nsKnown) throw notFoundError(missingNamespace(sel.namespace as string, union(inventoryNs, edgeNamespaces(db, NAMES_READ)), WHERE));
  const workloads: Known<Named> = union(inventoryWorkloadNames(db, sel.namespace, NAMES_READ), edgeWorkloads(db, sel.namespace, NAMES_READ));
  throw notFoundError(missingWorkload(sel, workloads, WHERE));
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
  if (!inventoryHasWorkloads(db) && !labelledFlowWorkloadExists(db)) {
    const namespaces = readNamespaces(db).map((n) => n.name);
    const noInventory = inventoryImported(db) ? noWorkloads(namespaces) : NO_INVENTORY;
    if (!hasEdges(db)) throw notFoundError(`${noInventory}; ${NO_FLOWS}`);
    // Named without labels: in a namespace without a Namespace object (the inventory lists no workload).
    const known = new Set(namespaces);
    const named = edgeWorkloads(db, undefined, NAMES_READ);
    const unselectable = named.names.filter((w) => !known.has(w.namespace)).map(workloadKey);
    const count = named.complete ? `${unselectable.length}` : `at least ${unselectable.length}`;
    const words = unselectable.length > 0
      ? `; the flow records name ${count} workload(s) but carry no pod labels to select them by (NetObserv records carry owners, not labels; Hubble records carry labels): ${listOf(unselectable, 12, named.complete)}`
      : '';
    throw notFoundError(`${noInventory}${words}`);
  }
  requireSelection(db, sel);
}

/**
 * For `flowmatrix edges` when the listing came back empty: an empty edge store fails (there are no
 * flows to list), then as requireSelection.
 * @throws AppError not-found
 */
export function explainNoEdges(db: Db, sel: Selection): void {
  if (!hasEdges(db)) throw notFoundError(NO_FLOWS);
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
  if (!inventoryKnowsNamespace(db, ref.namespace) && hasObservedLabels(db, key) && edgesNameWorkloadKey(db, key)) return;
  throw notFoundError(`no workload ${ref.namespace}/${ref.kind}/${ref.name} in the inventory or the flow records`);
}
