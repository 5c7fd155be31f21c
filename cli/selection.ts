/**
 * What `recommend`, `export` and `edges` select (`-n NS`, `--workload deployment/name`), checked
 * against the store before anything runs: a namespace or workload that does not exist, or an
 * empty store, is said with how to fill it and exits non-zero, never answered with nothing.
 */
import { WORKLOAD_KINDS, workloadKey, type WorkloadKind, type WorkloadRef } from '../domain/peer.ts';
import type { Db } from '../store/db.ts';
import { EdgeStore } from '../store/edges.ts';
import { listWorkloads, readNamespaces } from '../store/inventory.ts';
import { readObservedLabels, workloadsInEdges } from '../store/observed-labels.ts';
import { flowWorkloads } from '../recommender/synthesize/inferred-workloads.ts';
import { CliError } from './io.ts';

export const NO_INVENTORY = 'no inventory: run `flowmatrix inventory import FILE` (a `kubectl get … -A -o json` export, see README) or `flowmatrix collect kubernetes`';
export const NO_FLOWS = 'no flows: run `flowmatrix ingest FILE…` (NetObserv or Hubble exports, e.g. `hubble observe -o json`)';

/** kubectl's names for the workload kinds (singular, plural, short name), lower case. */
const KIND_NAMES: ReadonlyMap<string, WorkloadKind> = new Map([
  ...WORKLOAD_KINDS.flatMap((k) => [[k.toLowerCase(), k] as const, [`${k.toLowerCase()}s`, k] as const]),
  ['deploy', 'Deployment'],
  ['sts', 'StatefulSet'],
  ['ds', 'DaemonSet'],
  ['cj', 'CronJob'],
  ['po', 'Pod'],
]);

/**
 * `name`, `Kind/name` in any case, or kubectl's `deploy/name`, `deployments/name`: the workload
 * as the store names it (`name` or `Kind/name`).
 */
export function workloadArg(arg: string): string {
  const slash = arg.indexOf('/');
  if (slash < 0) return arg;
  const kind = KIND_NAMES.get(arg.slice(0, slash).toLowerCase());
  if (kind === undefined) throw new CliError(`--workload: "${arg.slice(0, slash)}" is not a workload kind (${WORKLOAD_KINDS.map((k) => k.toLowerCase()).join(', ')}; kubectl's short names deploy, sts, ds, cj, po work too)`);
  return `${kind}/${arg.slice(slash + 1)}`;
}

export interface Selection {
  namespace?: string;
  /** As workloadArg returns it. */
  workload?: string;
}

function matches(w: { kind: string; name: string }, workload: string): boolean {
  return w.name === workload || `${w.kind}/${w.name}` === workload;
}

function listOf(names: Iterable<string>, max = 12): string {
  const all = [...names];
  return all.length > max ? `${all.slice(0, max).join(', ')}, … (${all.length} in all)` : all.join(', ');
}

function describe(sel: Selection): string {
  const where = sel.namespace !== undefined ? ` in namespace "${sel.namespace}"` : '';
  return sel.workload !== undefined ? `workload "${sel.workload}"${where}` : `namespace "${sel.namespace}"`;
}

/**
 * For `recommend` and `export`: the selected workloads must be known, from the inventory or —
 * in namespaces the inventory does not know — from flow records that carried pod labels
 * (docs/recommend.md#without-an-inventory). Throws CliError naming what is missing: with no
 * inventory and no workload the records let us select, how to get an inventory, and which
 * workloads the records named without labels. A namespace the inventory has that holds no
 * workload passes: there is nothing to recommend, which the caller says.
 */
export function requireWorkloads(db: Db, sel: Selection): void {
  const all = listWorkloads(db);
  const namespaces = readNamespaces(db).map((n) => n.name);
  if (all.length > 0 && selectionProblem(sel, all, namespaces, 'in the inventory') === undefined) return;
  // Only now the flow records: reading every edge's workloads costs a pass over the edges.
  const known = new Set([...namespaces, ...all.map((w) => w.namespace)]);
  const fw = flowWorkloads(known, workloadsInEdges(db), readObservedLabels(db));
  if (all.length === 0 && fw.inferred.length === 0) {
    if (new EdgeStore(db).count() === 0) throw new CliError(`${NO_INVENTORY}; ${NO_FLOWS}`);
    const unselectable = fw.unselectable.length > 0 ? `; the flow records name ${fw.unselectable.length} workload(s) but carry no pod labels to select them by (NetObserv records carry owners, not labels; Hubble records carry labels): ${listOf(fw.unselectable)}` : '';
    throw new CliError(`${NO_INVENTORY}${unselectable}`);
  }
  const problem = selectionProblem(sel, [...all, ...fw.inferred], namespaces, all.length === 0 ? 'in the flow records (no inventory)' : fw.inferred.length > 0 ? 'in the inventory or the flow records' : 'in the inventory');
  if (problem !== undefined) throw new CliError(problem);
}

type Named = { namespace: string; kind: string; name: string };

function requireKnown(sel: Selection, workloads: readonly Named[], namespaces: readonly string[], where: string): void {
  const problem = selectionProblem(sel, workloads, namespaces, where);
  if (problem !== undefined) throw new CliError(problem);
}

/** `namespaces`: the namespaces known besides those of `workloads` (Namespace objects). What is missing, or undefined. */
function selectionProblem(sel: Selection, workloads: readonly Named[], namespaces: readonly string[], where: string): string | undefined {
  if (sel.namespace === undefined && sel.workload === undefined) return undefined;
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

/**
 * For `edges` when the filtered list came back empty: an empty store, or a namespace or workload
 * that neither the inventory nor any edge knows, throws CliError naming what is missing; a
 * selection that exists but has no edges returns normally (the caller says so on stderr).
 */
export function explainNoEdges(db: Db, sel: Selection): void {
  const store = new EdgeStore(db);
  if (store.count() === 0) throw new CliError(NO_FLOWS);
  if (sel.namespace === undefined && sel.workload === undefined) return;
  // Known: what the inventory has, and what an edge names (flow records carry their own metadata).
  const known = new Map<string, WorkloadRef>();
  for (const w of listWorkloads(db, { includeAbsent: true })) known.set(workloadKey(w), w);
  for (const e of store.list({})) {
    for (const p of [e.client, e.server]) if (p.kind === 'workload' || p.kind === 'dns') known.set(workloadKey(p.workload), p.workload);
  }
  requireKnown(sel, [...known.values()], readNamespaces(db).map((n) => n.name), 'in the inventory or the edges');
}

/** Said on stderr when a selection that exists has nothing to show (kubectl's "No resources found"). */
export function nothingFor(sel: Selection, what: string): string {
  return sel.namespace === undefined && sel.workload === undefined ? `no ${what}` : `no ${what} for ${describe(sel)}`;
}
