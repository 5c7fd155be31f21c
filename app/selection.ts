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

function matches(w: { kind: string; name: string }, workload: string): boolean {
  return w.name === workload || `${w.kind}/${w.name}` === workload;
}

/** Names joined for a message, at most `max` of them and how many there are in all. */
export function listOf(names: Iterable<string>, max = 12): string {
  const all = [...names];
  return all.length > max ? `${all.slice(0, max).join(', ')}, … (${all.length} in all)` : all.join(', ');
}

function describe(sel: Selection): string {
  const where = sel.namespace !== undefined ? ` in namespace "${sel.namespace}"` : '';
  return sel.workload !== undefined ? `workload "${sel.workload}"${where}` : `namespace "${sel.namespace}"`;
}

export type Named = { namespace: string; kind: string; name: string };

/** The not-found message when `sel` names something `workloads`/`namespaces` do not hold; undefined when they hold it. */
export function missingFrom(sel: Selection, workloads: readonly Named[], namespaces: readonly string[], where: string): string | undefined {
  if (!selects(sel)) return undefined;
  const inNs = sel.namespace === undefined ? workloads : workloads.filter((w) => w.namespace === sel.namespace);
  if (sel.namespace !== undefined && inNs.length === 0 && !namespaces.includes(sel.namespace)) {
    const all = [...new Set([...namespaces, ...workloads.map((w) => w.namespace)])].sort();
    return `no namespace "${sel.namespace}" ${where} (namespaces: ${listOf(all)})`;
  }
  if (sel.workload !== undefined && !inNs.some((w) => matches(w, sel.workload as string))) {
    const names = inNs.map((w) => `${w.kind.toLowerCase()}/${w.name}`).sort();
    return `no ${describe(sel)} ${where} (${sel.namespace !== undefined ? 'there' : 'known'}: ${listOf(names)})`;
  }
  return undefined;
}

/** Said when a selection that exists has nothing to show (kubectl's "No resources found"). */
export function nothingFor(sel: Selection, what: string): string {
  return selects(sel) ? `no ${what} for ${describe(sel)}` : `no ${what}`;
}
