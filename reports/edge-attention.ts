/**
 * The observed edges sorted into the report's attention classes: each edge in exactly one, the
 * most urgent that applies (blocked, violation, dropped, undocumented, documented when set, stale),
 * or none. A class is counted in full (in total and per namespace of its edges' sides) and listed
 * only as far as the report shows it: its first MAX_ATTENTION_ITEMS in list order, so that a
 * cluster's worth of edge items is never made.
 */
import type { Edge } from '../domain/edge.ts';
import { edgeObservation } from '../domain/edge-json.ts';
import { namespaceOfWorkloadKey } from '../domain/peer.ts';
import { compareStrings as cmp } from '../recommender/policy/order.ts';
import { MAX_ATTENTION_ITEMS, type EdgeItem, type EdgeSide } from './model.ts';
import { TopK } from './top-k.ts';

export type EdgeClass = 'blocked' | 'violations' | 'dropped' | 'undocumented' | 'documentedWhenSet' | 'stale';
const EDGE_CLASSES: readonly EdgeClass[] = ['blocked', 'violations', 'dropped', 'undocumented', 'documentedWhenSet', 'stale'];

export interface ClassifiedEdges {
  /** Edges per class. */
  counts: Record<EdgeClass, number>;
  /** Per class, per namespace: the edges with a side of a workload in that namespace. */
  byNamespace: Record<EdgeClass, Map<string, number>>;
  /** Per class, the first MAX_ATTENTION_ITEMS edges in list order, each with its sides by workload, then direction. */
  listed: Record<EdgeClass, EdgeItem[]>;
}

/** An edge met while classifying; its item (key, observation) is written only for edges a list keeps or a tie needs. */
class Candidate {
  private item: EdgeItem | undefined;

  constructor(
    readonly edge: Edge,
    readonly sides: readonly EdgeSide[],
  ) {}

  get key(): string {
    return this.listed().key;
  }

  listed(): EdgeItem {
    if (this.item === undefined) {
      const observation = edgeObservation(this.edge);
      const sides = [...this.sides].sort((a, b) => cmp(a.workload, b.workload) || cmp(a.direction, b.direction));
      this.item = { key: `${observation.client}|${observation.server}|${this.edge.port}|${this.edge.protocol}`, ...observation, sides };
    }
    return this.item;
  }
}

/** Traffic from a pod's own node (kubelet probes): never a rule, so never something to review. */
const isProbe = (e: Edge): boolean => e.client.kind === 'kubelet';

function classify(e: Edge, sides: readonly EdgeSide[]): EdgeClass | undefined {
  const violation = !isProbe(e) && sides.some((s) => s.violation);
  // A side whose matrix is authoritative and does not document the edge outweighs a must rule of
  // the other side (say, an "allow all egress" of the client): the drop is what the documented
  // policy wants, so the edge is a violation, never "open it, the component is broken".
  if (!violation && sides.some((s) => s.status === 'blocked')) return 'blocked';
  if (violation) return 'violations';
  // A dropped probe fails the pod's liveness or readiness check: that one is worth a line.
  if (e.dropped > 0) return 'dropped';
  if (isProbe(e)) return undefined;
  // A side whose matrix documents the edge answers for it: the far side, a workload no matrix
  // covers (a Prometheus scraping, any pod asking CoreDNS), calls it undocumented all the same.
  if (sides.some((s) => s.status === 'undocumented') && !sides.some((s) => s.status === 'confirmed')) return 'undocumented';
  if (sides.some((s) => s.status === 'documented-when-set')) return 'documentedWhenSet';
  if (sides.some((s) => s.status === 'stale')) return 'stale';
  return undefined;
}

/** Blocked edges by key; dropped ones most dropped first; the rest busiest first: what a cut list keeps should be what carries the most traffic. */
const busiestFirst = (a: Candidate, b: Candidate): number => b.edge.flows - a.edge.flows || cmp(a.key, b.key);
const LIST_ORDER: Record<EdgeClass, (a: Candidate, b: Candidate) => number> = {
  blocked: (a, b) => cmp(a.key, b.key),
  violations: busiestFirst,
  dropped: (a, b) => b.edge.dropped - a.edge.dropped || cmp(a.key, b.key),
  undocumented: busiestFirst,
  documentedWhenSet: busiestFirst,
  stale: busiestFirst,
};

/**
 * Classifies every stored edge that a selected workload has a side of (`sides`, by edge id), and
 * the dropped edges no selected workload sees (e.g. between peers no workload owns) when
 * `inSelection` keeps them.
 */
export function classifyEdges(edges: readonly Edge[], sides: ReadonlyMap<number, readonly EdgeSide[]>, inSelection: (e: Edge) => boolean): ClassifiedEdges {
  const counts = Object.fromEntries(EDGE_CLASSES.map((c) => [c, 0])) as Record<EdgeClass, number>;
  const byNamespace = Object.fromEntries(EDGE_CLASSES.map((c) => [c, new Map<string, number>()])) as Record<EdgeClass, Map<string, number>>;
  const lists = Object.fromEntries(EDGE_CLASSES.map((c) => [c, new TopK(MAX_ATTENTION_ITEMS, LIST_ORDER[c])])) as Record<EdgeClass, TopK<Candidate>>;
  for (const e of edges) {
    const seen = sides.get(e.id);
    if (seen === undefined && (e.dropped === 0 || !inSelection(e))) continue;
    const edgeSides = seen ?? [];
    const c = classify(e, edgeSides);
    if (c === undefined) continue;
    counts[c]++;
    for (const ns of new Set(edgeSides.map((s) => namespaceOfWorkloadKey(s.workload)))) byNamespace[c].set(ns, (byNamespace[c].get(ns) ?? 0) + 1);
    lists[c].offer(new Candidate(e, edgeSides));
  }
  const listed = Object.fromEntries(EDGE_CLASSES.map((c) => [c, lists[c].sorted().map((x) => x.listed())])) as Record<EdgeClass, EdgeItem[]>;
  return { counts, byNamespace, listed };
}
