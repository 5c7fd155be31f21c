/**
 * Workloads that only flow records name (no inventory of their namespace): derived from what the
 * records carried (docs/recommend.md#without-an-inventory). A workload whose records carried pod
 * labels (Hubble) is selected by the labels common to all its observed endpoints, marked
 * inferred; one whose records carried none (NetObserv owner fields) has no safe pod selector and
 * is left out, named in a warning — never a selector that picks every pod of its namespace.
 */
import { dnsConventionOf } from '../../domain/cluster-dns.ts';
import type { InventorySnapshot, Labels, Namespace, Workload } from '../../domain/inventory.ts';
import { MAX_OBSERVED_LABELS_PER_WORKLOAD, type ObservedLabels } from '../../domain/observed-labels.ts';
import { workloadKey, type WorkloadRef } from '../../domain/peer.ts';
import type { PolicyIntent, PolicyPeer, PolicySet } from '../policy/ir.ts';
import { compareStrings } from '../policy/order.ts';

export interface FlowWorkloads {
  /** Derived with a selector from the labels the records carried, sorted by key. */
  inferred: Workload[];
  /** Named by records that carried no labels common to all their endpoints, sorted by key. */
  unselectable: string[];
  /** Inferred workloads whose labels were cut to the cap (a record carried more labels than a pod template does). */
  capped: string[];
}

/** Namespaces the inventory knows: a Namespace object, or a workload in it. */
export function inventoryNamespaces(inv: Pick<InventorySnapshot, 'namespaces' | 'workloads'>): Set<string> {
  return new Set([...inv.namespaces.map((n) => n.name), ...inv.workloads.map((w) => w.namespace)]);
}

/**
 * The workloads `named` (by edges) in namespaces the inventory does not know, derived from the
 * labels remembered for them. A namespace the inventory knows is never completed from records:
 * a workload missing there is gone (or was never imported), not unknown.
 */
export function flowWorkloads(known: ReadonlySet<string>, named: Iterable<WorkloadRef>, observed: readonly ObservedLabels[]): FlowWorkloads {
  const labelsOf = new Map(observed.map((o) => [o.workload, o]));
  const out: FlowWorkloads = { inferred: [], unselectable: [], capped: [] };
  const seen = new Set<string>();
  for (const ref of named) {
    const key = workloadKey(ref);
    if (known.has(ref.namespace) || seen.has(key)) continue;
    seen.add(key);
    const o = labelsOf.get(key);
    if (o === undefined || Object.keys(o.labels).length === 0) {
      out.unselectable.push(key);
      continue;
    }
    out.inferred.push(inferredWorkload(ref, o.labels));
    if (o.capped) out.capped.push(key);
  }
  out.inferred.sort((a, b) => compareStrings(workloadKey(a), workloadKey(b)));
  out.unselectable.sort(compareStrings);
  out.capped.sort(compareStrings);
  return out;
}

/**
 * A workload as the records showed it: pods carrying `labels` (every observed endpoint did), on
 * the pod network (Hubble reports a host-network pod as its node's `reserved:host`), with no
 * declared port and no Service known.
 */
function inferredWorkload(ref: WorkloadRef, labels: Labels): Workload {
  const w: Workload = { namespace: ref.namespace, kind: ref.kind, name: ref.name, labels: { ...labels }, selector: { matchLabels: { ...labels } }, hostNetwork: false, ports: [], services: [], exposure: [] };
  if (dnsConventionOf(ref.namespace, [labels]) !== undefined) w.clusterDns = true;
  return w;
}

/** The inventory with the inferred workloads and their namespaces added; the same object when there are none. */
export function withFlowWorkloads(inv: InventorySnapshot, fw: FlowWorkloads): InventorySnapshot {
  if (fw.inferred.length === 0) return inv;
  const names = new Set(inv.namespaces.map((n) => n.name));
  const namespaces: Namespace[] = [...inv.namespaces];
  for (const w of fw.inferred) {
    if (names.has(w.namespace)) continue;
    names.add(w.namespace);
    namespaces.push({ name: w.namespace, labels: {} });
  }
  return { ...inv, namespaces: namespaces.sort((a, b) => compareStrings(a.name, b.name)), workloads: [...inv.workloads, ...fw.inferred] };
}

function listOf(keys: readonly string[], max = 12): string {
  return keys.length > max ? `${keys.slice(0, max).join(', ')}, … (${keys.length} in all)` : keys.join(', ');
}

/** Pairs of inferred workloads of one namespace where the first one's selector also picks the second's pods; the first one `shown`. */
function overlaps(inferred: readonly Workload[], shown: (key: string) => boolean): string[] {
  // Candidates share the selector's first label: index every workload by each of its labels.
  const byLabel = new Map<string, Workload[]>();
  for (const w of inferred) {
    for (const [k, v] of Object.entries(w.labels)) {
      const id = `${w.namespace}\u0000${k}\u0000${v}`;
      const list = byLabel.get(id);
      if (list) list.push(w);
      else byLabel.set(id, [w]);
    }
  }
  const out: string[] = [];
  for (const a of inferred) {
    if (!shown(workloadKey(a))) continue;
    const sel = Object.entries(a.selector.matchLabels ?? {});
    const [k0, v0] = sel[0] as [string, string];
    for (const b of byLabel.get(`${a.namespace}\u0000${k0}\u0000${v0}`) ?? []) {
      if (b !== a && sel.every(([k, v]) => b.labels[k] === v)) out.push(`${workloadKey(a)} also selects ${workloadKey(b)}`);
    }
  }
  return out;
}

/**
 * What a recommendation over inferred workloads says once (docs/recommend.md#without-an-inventory),
 * about the workloads `shown` (those the recommendation selects or names as peers).
 */
export function flowWorkloadWarnings(all: FlowWorkloads, shown: (key: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const fw: FlowWorkloads = { inferred: all.inferred.filter((w) => shown(workloadKey(w))), unselectable: all.unselectable.filter(shown), capped: all.capped.filter(shown) };
  const importHint = 'import an inventory (`flowmatrix inventory import FILE` or `flowmatrix collect kubernetes`) to make them exact';
  if (fw.inferred.length > 0) {
    out.push(
      `no inventory for ${fw.inferred.length} workload(s): their pod selectors are inferred from flow records (the pod labels the records carried, common to all observed endpoints), marked inferred: ${listOf(fw.inferred.map(workloadKey))}; ${importHint}`,
    );
  }
  if (fw.unselectable.length > 0) {
    out.push(
      `no safe pod selector for ${fw.unselectable.length} workload(s): the flow records that name them carried no pod labels common to all their endpoints (NetObserv records carry owners, never labels): ${listOf(fw.unselectable)}; they get no policy and rules to them are left out (${importHint}, or ingest Hubble flows, which carry labels)`,
    );
  }
  if (fw.capped.length > 0) {
    out.push(`inferred selectors cut to ${MAX_OBSERVED_LABELS_PER_WORKLOAD} labels: a record carried more labels than that for ${listOf(fw.capped)}; the selector keeps the first labels by key that every endpoint carried`);
  }
  const over = overlaps(all.inferred, shown);
  if (over.length > 0) out.push(`inferred selectors overlap (a policy of one also applies to the other's pods): ${listOf(over)}`);
  return out;
}

/** Selector identity: namespace and sorted matchLabels (inferred selectors have no expressions). */
function selectorId(namespace: string, matchLabels: Labels | undefined): string {
  return `${namespace}\u0000${JSON.stringify(Object.entries(matchLabels ?? {}).sort(([a], [b]) => compareStrings(a, b)))}`;
}

/**
 * Sets `inferredSelectors` on every intent whose subject or peers select pods by an inferred
 * selector (the emitters say so in an annotation). Returns the workloads whose selectors the set uses.
 */
export function markInferredIntents(set: PolicySet, inferred: readonly Workload[]): Set<string> {
  const used = new Set<string>();
  if (inferred.length === 0) return used;
  const bySelector = new Map<string, string[]>();
  for (const w of inferred) {
    const id = selectorId(w.namespace, w.selector.matchLabels);
    bySelector.set(id, [...(bySelector.get(id) ?? []), workloadKey(w)]);
  }
  for (const intent of set.intents) {
    const found = new Set<string>();
    const add = (ns: string | undefined, matchLabels: Labels | undefined, expressions: boolean): void => {
      if (ns === undefined || expressions) return;
      for (const k of bySelector.get(selectorId(ns, matchLabels)) ?? []) found.add(k);
    };
    if (intent.subject.kind === 'workload') add(intent.namespace, intent.subject.selector.matchLabels, (intent.subject.selector.matchExpressions?.length ?? 0) > 0);
    for (const p of peersOf(intent)) {
      if (p.kind === 'pods') add(p.namespace ?? intent.namespace, p.selector.matchLabels, (p.selector.matchExpressions?.length ?? 0) > 0);
    }
    if (found.size > 0) intent.inferredSelectors = [...found].sort(compareStrings);
    for (const k of found) used.add(k);
  }
  return used;
}

function peersOf(intent: PolicyIntent): PolicyPeer[] {
  const out: PolicyPeer[] = [];
  for (const d of [intent.ingress, intent.egress]) if (d.mode === 'rules') for (const r of [...d.rules, ...(d.echo ?? [])]) out.push(...r.peers);
  return out;
}
