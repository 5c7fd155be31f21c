/**
 * Comparison of one workload: its documented rules (from every matrix component that selects
 * it) against its observed edges. Pure; `now` is given, never read from the clock.
 */
import type { Edge } from '../../domain/edge.ts';
import type { Workload } from '../../domain/inventory.ts';
import { peerKey } from '../../domain/peer.ts';
import type { ExpectedRule, ResolvedComponent } from '../matrix/resolved.ts';
import type { ClusterIndex } from './context.ts';
import { edgeMatchesRule } from './match.ts';
import { DAY_MS, type ComparisonStatus, type RuleStatus } from './status.ts';

export type Direction = 'ingress' | 'egress';

/** A matrix component that selects the workload, with the matrix it belongs to. */
export interface WorkloadComponent {
  matrix: string;
  component: ResolvedComponent;
}

export interface RuleAssessment {
  matrix: string;
  component: string;
  rule: ExpectedRule;
  status: RuleStatus;
  /** The edges that fall under the rule, sorted by edge key. */
  edges: Edge[];
}

export interface EdgeAssessment {
  edge: Edge;
  direction: Direction;
  status: ComparisonStatus;
  /** Ids of the active documented rules the edge falls under, sorted. */
  rules: string[];
}

export interface WorkloadComparison {
  rules: RuleAssessment[];
  edges: EdgeAssessment[];
}

export interface CompareOptions {
  now: number;
  staleDays: number;
}

export function isStale(edge: Edge, opts: CompareOptions): boolean {
  return edge.lastSeen < opts.now - opts.staleDays * DAY_MS;
}

/** Stable identity of an edge (ids depend on ingest order; this does not). */
export function edgeKey(e: Edge): string {
  let k = edgeKeys.get(e);
  if (k === undefined) edgeKeys.set(e, (k = `${peerKey(e.client)}|${peerKey(e.server)}|${String(e.port).padStart(5, '0')}|${e.protocol}`));
  return k;
}
const edgeKeys = new WeakMap<Edge, string>();

export function sortByEdgeKey<T>(items: readonly T[], key: (t: T) => string): T[] {
  const keyed = items.map((item) => ({ item, k: key(item) }));
  // Edges usually arrive in key order (the store sorts them): skip the sort then.
  let sorted = true;
  for (let i = 1; i < keyed.length && sorted; i++) if (keyed[i - 1]!.k > keyed[i]!.k) sorted = false;
  if (!sorted) keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.item);
}

const isBlockedTraffic = (e: Edge): boolean => e.dropped > 0 && e.forwarded === 0;

export function compareWorkload(
  _workload: Workload,
  components: readonly WorkloadComponent[],
  edges: { ingress: readonly Edge[]; egress: readonly Edge[] },
  ix: ClusterIndex,
  opts: CompareOptions,
  keyOf: (e: Edge) => string = edgeKey,
): WorkloadComparison {
  const active: { c: WorkloadComponent; rule: ExpectedRule }[] = [];
  const ruleAssessments: RuleAssessment[] = [];
  for (const c of components) {
    for (const rule of c.component.rules) {
      if (rule.active && c.component.enabled) active.push({ c, rule });
      else ruleAssessments.push({ matrix: c.matrix, component: c.component.name, rule, status: 'inactive', edges: [] });
    }
  }

  const matchedBy = new Map<string, EdgeAssessment[]>();
  const edgeAssessments: EdgeAssessment[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    for (const edge of edges[direction]) {
      const rules = active.filter((a) => a.rule.direction === direction && edgeMatchesRule(edge, a.rule, ix));
      let status: ComparisonStatus;
      if (isStale(edge, opts)) status = 'stale';
      else if (rules.length === 0) status = 'undocumented';
      else if (isBlockedTraffic(edge) && rules.some((r) => r.rule.level === 'must')) status = 'blocked';
      else status = 'confirmed';
      const a: EdgeAssessment = { edge, direction, status, rules: [...new Set(rules.map((r) => r.rule.id))].sort() };
      edgeAssessments.push(a);
      for (const r of rules) {
        const list = matchedBy.get(r.rule.id) ?? [];
        list.push(a);
        matchedBy.set(r.rule.id, list);
      }
    }
  }

  for (const { c, rule } of active) {
    const matched = matchedBy.get(rule.id) ?? [];
    let status: RuleStatus;
    if (matched.length === 0) status = 'documented-unobserved';
    else if (matched.some((m) => m.status === 'confirmed')) status = 'confirmed';
    else if (matched.some((m) => m.status === 'blocked')) status = 'blocked';
    else status = 'stale';
    ruleAssessments.push({ matrix: c.matrix, component: c.component.name, rule, status, edges: sortByEdgeKey([...new Set(matched.map((m) => m.edge))], keyOf) });
  }

  ruleAssessments.sort((a, b) => (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0));
  const sortedEdges = sortByEdgeKey(edgeAssessments, (a) => `${keyOf(a.edge)}|${a.direction}`);
  return { rules: ruleAssessments, edges: sortedEdges };
}
