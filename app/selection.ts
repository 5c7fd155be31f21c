/**
 * What a listing selects (a namespace, a workload), and the words for what is missing when the
 * store does not hold it: what is missing and how to get it. One wording for both front ends —
 * the CLI prints it and exits 1, the REST API answers 404 problem+json — through the checks of
 * app/selection-check.ts.
 */

export const NO_INVENTORY =
  'no inventory: run `flowmatrix inventory import FILE` (a `kubectl get … -A -o json` export, see README) or `flowmatrix collect kubernetes` (REST API: POST /api/v1/inventory)';
/** An inventory was imported, but it lists no workload (an export of namespaces, nodes or Services only). */
export function noWorkloads(namespaces: readonly string[]): string {
  const held = namespaces.length > 0 ? ` (it holds ${namespaces.length} namespace${namespaces.length === 1 ? '' : 's'}: ${listOf(namespaces)})` : '';
  return (
    `the inventory holds no workloads${held}: import one that lists pods and their controllers — ` +
    '`flowmatrix inventory import FILE` of `kubectl get pods,deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs,… -A -o json` (the kinds: see README) or `flowmatrix collect kubernetes` (REST API: POST /api/v1/inventory)'
  );
}
export const NO_FLOWS = 'no flows: run `flowmatrix ingest FILE…` (NetObserv or Hubble exports, e.g. `hubble observe -o json`; REST API: POST /api/v1/flows)';

export interface Selection {
  namespace?: string;
  /** A workload name, or `Kind/name` with the kind as the store writes it (`Deployment/web`). */
  workload?: string;
}

/** The selection of a request's or a command's filters, the ones not given left out. */
export function selectionOf(filters: { namespace?: string | undefined; workload?: string | undefined }): Selection {
  return { ...(filters.namespace !== undefined ? { namespace: filters.namespace } : {}), ...(filters.workload !== undefined ? { workload: filters.workload } : {}) };
}

export const selects = (sel: Selection): boolean => sel.namespace !== undefined || sel.workload !== undefined;

/**
 * Names joined for a message, at most `max` of them and how many there are in all — or, when
 * `complete` is false (the names were read up to a bound), how many there are at least.
 */
export function listOf(names: Iterable<string>, max = 12, complete = true): string {
  const all = [...names];
  if (!complete) return `${all.slice(0, max).join(', ')}, … (at least ${all.length} in all)`;
  return all.length > max ? `${all.slice(0, max).join(', ')}, … (${all.length} in all)` : all.join(', ');
}

function describe(sel: Selection): string {
  const where = sel.namespace !== undefined ? ` in namespace "${sel.namespace}"` : '';
  return sel.workload !== undefined ? `workload "${sel.workload}"${where}` : `namespace "${sel.namespace}"`;
}

export type Named = { namespace: string; kind: string; name: string };

/** What exists, for a not-found message: names read up to a bound, and whether they are all. */
export interface Known<T> {
  names: readonly T[];
  complete: boolean;
}

/** The not-found message for a namespace nobody knows: the namespaces there are. */
export function missingNamespace(namespace: string, namespaces: Known<string>, where: string): string {
  return `no namespace "${namespace}" ${where} (namespaces: ${listOf([...new Set(namespaces.names)].sort(), 12, namespaces.complete)})`;
}

/** The not-found message for a workload nobody knows: the workloads of its namespace, or all. */
export function missingWorkload(sel: Selection, workloads: Known<Named>, where: string): string {
  const names = [...new Set(workloads.names.map((w) => `${w.kind.toLowerCase()}/${w.name}`))].sort();
  return `no ${describe(sel)} ${where} (${sel.namespace !== undefined ? 'there' : 'known'}: ${listOf(names, 12, workloads.complete)})`;
}

/** Said when a selection that exists has nothing to show (kubectl's "No resources found"). */
export function nothingFor(sel: Selection, what: string): string {
  return selects(sel) ? `no ${what} for ${describe(sel)}` : `no ${what}`;
}
