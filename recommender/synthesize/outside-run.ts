/**
 * Workloads outside a scoped run (`--workload`, `-n`) that the run's policies restrict: a policy
 * whose subject selects their pods too (no label tells them apart, distinct-selectors.ts), or a
 * namespace layer over their namespace (`--default-deny` with `--workload`). Applying the run's
 * output restricts them all the same (a policy selects by labels, whoever it was written for),
 * so the verification judges their observed sides under it, with all of their traffic required.
 * They are read for the verification only: no record, no policy, no tightness.
 *
 * An unscoped run has no such workload: this costs nothing there.
 */
import { DIRECTIONS } from '../../domain/direction.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { InventorySnapshot, Workload } from '../../domain/inventory.ts';
import { workloadKey, type Peer } from '../../domain/peer.ts';
import { hasSelectablePods } from '../../domain/pod-networks.ts';
import type { Direction } from '../policy/ir.ts';
import { compareStrings } from '../policy/order.ts';
import type { VerifiedSides } from '../verified-sides.ts';
import { edgeKeyOf } from './evidence.ts';
import type { ForeignSubjects } from './foreign-subjects.ts';
import { restricts, type PlannedIntent } from './workload.ts';

/**
 * The inventory's pod-network workloads (those with a pod there: `withPodNetworkPods`,
 * domain/pod-networks.ts) the run left out, by workload key; none when the run holds every workload.
 */
export function outsideRun(inventory: InventorySnapshot, run: readonly Workload[], withPodNetworkPods: ReadonlySet<string>): Workload[] {
  if (run.length === inventory.workloads.length) return [];
  const inRun = new Set(run);
  // No pod policy applies to host-network pods.
  return inventory.workloads.filter((w) => !inRun.has(w) && hasSelectablePods(w, withPodNetworkPods)).sort((a, b) => compareStrings(workloadKey(a), workloadKey(b)));
}

/** Whether a namespace or cluster-wide layer restricts the pods of namespace `ns`. */
export function layerCovers(layer: PlannedIntent, ns: string): boolean {
  return layer.input.namespace === ns || (layer.input.subject.kind === 'namespaces' && layer.input.subject.namespaces.includes(ns));
}

/** The sides of the `outside` workloads the run's policies restrict, each side's edges in edge-key order. */
export function outsideSides(edges: readonly EdgeTraffic[], outside: readonly Workload[], foreign: ForeignSubjects, layers: readonly PlannedIntent[]): VerifiedSides[] {
  const restricted = new Map<string, Record<Direction, boolean>>();
  for (const w of outside) {
    const key = workloadKey(w);
    const by = foreign.get(key);
    const covering = layers.filter((l) => layerCovers(l, w.namespace));
    const r = { ingress: false, egress: false };
    for (const d of DIRECTIONS) r[d] = (by?.[d].length ?? 0) > 0 || covering.some((l) => restricts(l, d));
    if (r.ingress || r.egress) restricted.set(key, r);
  }
  if (restricted.size === 0) return [];
  const sides = new Map<string, Record<Direction, { key: string; edge: EdgeTraffic }[]>>();
  const add = (p: Peer, d: Direction, edge: EdgeTraffic): void => {
    if (p.kind !== 'workload' && p.kind !== 'dns') return;
    const key = workloadKey(p.workload);
    if (!restricted.has(key)) return;
    let s = sides.get(key);
    if (s === undefined) sides.set(key, (s = { ingress: [], egress: [] }));
    s[d].push({ key: edgeKeyOf(edge), edge });
  };
  for (const e of edges) {
    add(e.server, 'ingress', e);
    add(e.client, 'egress', e);
  }
  const inOrder = (list: { key: string; edge: EdgeTraffic }[] | undefined): EdgeTraffic[] => (list ?? []).sort((a, b) => compareStrings(a.key, b.key)).map((x) => x.edge);
  return [...restricted].map(([workload, r]) => ({
    workload,
    edges: { ingress: inOrder(sides.get(workload)?.ingress), egress: inOrder(sides.get(workload)?.egress) },
    excluded: { ingress: new Map(), egress: new Map() },
    restricted: r,
    outside: true as const,
  }));
}
