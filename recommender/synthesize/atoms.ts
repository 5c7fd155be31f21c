/**
 * An atom is one (peer, ports) permission with its evidence. Atoms of a direction are merged
 * (identical peers: ports united) and grouped (peers with identical port sets share a rule);
 * the apiserver stays in an egress rule of its own, on its endpoint ports. Atoms are added to
 * an `AtomGroups` of one workload direction as they are found: no object per atom; the edges
 * behind them are positions in the workload's side of that direction.
 */
import { assessmentsOf, compareSuffixed, type EdgeAssessment, type EdgeKeys, type EdgeRefs, type RuleAssessment, type SideComparison } from '../compare/compare.ts';
import type { Edge } from '../../domain/edge.ts';
import { explanation, type CanonicalParts, type RuleInput } from '../policy/build.ts';
import type { Direction, PolicyPeer, PortSpec, RuleStatus } from '../policy/ir.ts';
import { compareStrings, peerKey, portKey, uniqueSortedBy } from '../policy/order.ts';
import { observedRuleId, type ObservedId } from './rule-ids.ts';

/** A synthesized IR rule with the evidence that made it. */
export interface GroupedRule {
  direction: Direction;
  input: RuleInput;
  status: RuleStatus;
  rules: RuleAssessment[];
  /** The observed edges behind the rule (one side of one workload; several for a shared rule). */
  evidence: EdgeRefs[];
  notes: string[];
  /** What the id is made of when only observed edges evidence the rule (see rule-ids.ts). */
  observed?: ObservedId;
}

/** When evidence of several statuses lands in one rule, the one a reviewer must see wins. */
const STATUS_RANK: RuleStatus[] = ['undocumented', 'blocked', 'stale', 'documented-unobserved', 'confirmed', 'implied'];

function rankOf(s: RuleStatus): number {
  return STATUS_RANK.indexOf(s);
}

/** Port keys are asked for again and again for the same (shared) port objects. */
const portKeys = new WeakMap<PortSpec, string>();
function cachedPortKey(p: PortSpec): string {
  let k = portKeys.get(p);
  if (k === undefined) portKeys.set(p, (k = portKey(p)));
  return k;
}

function portSetKey(ports: readonly PortSpec[]): string {
  if (ports.length === 1) return cachedPortKey(ports[0]!);
  return uniqueSortedBy(ports, cachedPortKey).map(cachedPortKey).join(';');
}

const uniqueRules = (rs: RuleAssessment[]): RuleAssessment[] => uniqueSortedBy(rs, (r) => r.rule.id);

/** De-duplicated (by identity, then by edge key and direction) and sorted by `${edgeKey}|${direction}`. */
export function uniqueEdges(es: readonly EdgeAssessment[], keyOf: (e: Edge) => string): EdgeAssessment[] {
  const seen = { ingress: new Map<string, EdgeAssessment>(), egress: new Map<string, EdgeAssessment>() };
  const kept: EdgeAssessment[] = [];
  for (const e of es) {
    const byKey = seen[e.direction];
    const k = keyOf(e.edge);
    if (byKey.has(k)) continue;
    byKey.set(k, e);
    kept.push(e);
  }
  return kept.sort((a, b) => compareSuffixed(keyOf(a.edge), a.direction, keyOf(b.edge), b.direction));
}

/** Peer keys are asked for again and again for the same (shared) peer objects. */
const peerKeys = new WeakMap<PolicyPeer, string>();
export function cachedPeerKey(p: PolicyPeer): string {
  let k = peerKeys.get(p);
  if (k === undefined) peerKeys.set(p, (k = peerKey(p)));
  return k;
}

const DAY_MS = 86_400_000;
const days = new Map<number, string>();
function formatDay(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let s = days.get(day);
  if (s === undefined) {
    s = new Date(ms).toISOString().slice(0, 10);
    if (days.size > 100_000) days.clear();
    days.set(day, s);
  }
  return s;
}

/** One short sentence for the annotation; the full evidence goes to the JSON. */
function ruleText(g: { rules: RuleAssessment[]; edges: readonly Edge[]; notes: string[] }): string {
  const parts: string[] = [];
  const purposes = g.rules.length === 0 ? [] : [...new Set(g.rules.map((r) => r.rule.purpose))].sort(compareStrings);
  if (purposes.length > 0) parts.push(`documented: ${purposes.join('; ')}`);
  if (g.edges.length > 0) {
    let flows = 0;
    let last = -Infinity;
    for (const e of g.edges) {
      flows += e.flows;
      if (e.lastSeen > last) last = e.lastSeen;
    }
    parts.push(`observed: ${g.edges.length} edge(s), ${flows} flow(s), last seen ${formatDay(last)}`);
  }
  parts.push(...g.notes);
  return parts.join('. ');
}

/** Matrix rule ids, sorted by code units (the default order of strings) and de-duplicated. */
function matrixIds(rules: readonly RuleAssessment[]): string {
  const ids = rules.map((r) => r.rule.id);
  let ascending = true;
  for (let i = 1; i < ids.length && ascending; i++) if (!(ids[i - 1]! < ids[i]!)) ascending = false;
  if (ascending) return ids.join(' ');
  ids.sort();
  let n = 1;
  for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[n - 1]) ids[n++] = ids[i]!;
  ids.length = n;
  return ids.join(' ');
}

/** One peer's atoms merged: identical peers, ports united (any "every port" atom wins). */
interface PeerEntry {
  peer: PolicyPeer;
  count: number;
  allPorts: boolean;
  ports: PortSpec[];
  rank: number;
  rules: RuleAssessment[];
  /** Positions in the side (ascending within each atom). */
  edges: number[];
  notes: string[];
}

const NONE: readonly never[] = [];

/** The atoms of one direction of one workload, merged per peer as they are added. */
export class AtomGroups {
  private readonly byPeer = new Map<string, PeerEntry>();
  /** Atoms added. */
  size = 0;
  /** Kinds of the peers added. */
  readonly kinds = new Set<PolicyPeer['kind']>();

  constructor(
    readonly direction: Direction,
    /** The workload's edges of this direction: the positions atoms carry point into it. */
    readonly side: SideComparison,
  ) {}

  /**
   * One atom: `peer` (whose `cachedPeerKey` is `key`) on `ports` (empty = every port), with its
   * status, documented rules, edge positions in `side` (one position or an ascending list) and notes.
   */
  add(peer: PolicyPeer, key: string, ports: readonly PortSpec[], status: RuleStatus, rules: readonly RuleAssessment[], edges: number | readonly number[], notes: readonly string[] = NONE): void {
    this.size++;
    this.kinds.add(peer.kind);
    if (this.direction === 'egress' && peer.kind === 'apiserver') ports = NONE;
    const prev = this.byPeer.get(key);
    if (prev === undefined) {
      this.byPeer.set(key, { peer, count: 1, allPorts: ports.length === 0, ports: ports.slice(), rank: rankOf(status), rules: rules.slice(), edges: typeof edges === 'number' ? [edges] : edges.slice(), notes: notes.slice() });
      return;
    }
    prev.count++;
    if (ports.length === 0) prev.allPorts = true;
    else for (const p of ports) prev.ports.push(p);
    const rank = rankOf(status);
    if (rank < prev.rank) prev.rank = rank;
    for (const r of rules) prev.rules.push(r);
    if (typeof edges === 'number') prev.edges.push(edges);
    else for (const e of edges) prev.edges.push(e);
    for (const n of notes) prev.notes.push(n);
  }

  /** The sorted IR rules. */
  build(keys: EdgeKeys, parts: CanonicalParts): GroupedRule[] {
    const direction = this.direction;
    const groups = new Map<string, { peers: PolicyPeer[]; keys: string[]; ports: PortSpec[]; rank: number; rules: RuleAssessment[]; edges: number[]; notes: string[] }>();
    for (const [key, a] of [...this.byPeer.entries()].sort((x, y) => compareStrings(x[0], y[0]))) {
      // Merged ports are united: sorted and de-duplicated (the first of equal ports kept); a lone atom keeps its own list.
      const ports = a.count === 1 ? a.ports : a.allPorts ? [] : uniqueSortedBy(a.ports, cachedPortKey);
      const peer = a.peer;
      const k = direction === 'egress' && peer.kind === 'apiserver' ? `apiserver:${cachedPeerKey(peer)}` : `ports:${portSetKey(ports)}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { peers: [], keys: [], ports, rank: STATUS_RANK.length - 1, rules: [], edges: [], notes: [] }));
      g.peers.push(peer);
      g.keys.push(key);
      g.rank = Math.min(g.rank, a.rank);
      for (const r of a.rules) g.rules.push(r);
      for (const e of a.edges) g.edges.push(e);
      for (const n of a.notes) g.notes.push(n);
    }
    const out: GroupedRule[] = [];
    for (const [k, g] of [...groups.entries()].sort((a, b) => compareStrings(a[0], b[0]))) {
      const rules = g.rules.length === 0 ? [] : uniqueRules(g.rules);
      const idx = this.uniquePositions(g.edges, keys.key);
      const edges = idx.map((i) => this.side.edges[i]!);
      const notes = g.notes.length === 0 ? [] : [...new Set(g.notes)].sort(compareStrings);
      const status = STATUS_RANK[g.rank]!;
      const ev = { rules, edges, notes };
      // Documented rules name the rule; else its edges do, by keys (edge ids depend on ingest order).
      let observed: ObservedId | undefined;
      if (rules.length === 0 && edges.length > 0) {
        let digest = 0;
        for (const e of edges) digest = (digest + keys.digest(e)) >>> 0;
        observed = { direction, apiserver: k.startsWith('apiserver:'), ports: g.ports, count: edges.length, digest };
        if (edges.length === 1) observed.single = keys.id(edges[0]!);
      }
      const id = rules.length > 0 ? matrixIds(rules) : observed ? observedRuleId(observed) : `${direction}:${k}`;
      const rule: GroupedRule = {
        direction,
        status,
        rules,
        evidence: idx.length === 0 ? [] : [{ side: this.side, idx }],
        notes,
        input: parts.rule(direction, g.peers, g.keys, g.ports, explanation(id, status, ruleText(ev))),
      };
      if (observed) rule.observed = observed;
      out.push(rule);
    }
    return out;
  }

  /**
   * The positions' assessments de-duplicated and sorted as `uniqueEdges` does. The side is in
   * edge-key order, so that is ascending positions, unless two of its edges share a key.
   */
  private uniquePositions(positions: number[], keyOf: (e: Edge) => string): number[] {
    if (positions.length <= 1) return positions;
    if (this.side.duplicateKeys) {
      const index = new Map<EdgeAssessment, number>();
      const list = positions.map((i) => {
        const a = this.side.assessment(i);
        index.set(a, i);
        return a;
      });
      return uniqueEdges(list, keyOf).map((a) => index.get(a)!);
    }
    let ascending = true;
    for (let i = 1; i < positions.length && ascending; i++) if (!(positions[i - 1]! < positions[i]!)) ascending = false;
    if (ascending) return positions;
    const sorted = Int32Array.from(positions).sort();
    const out: number[] = [];
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]!);
    return out;
  }
}

/** The assessments of a rule's evidence, in order. */
export function ruleEdges(g: GroupedRule): EdgeAssessment[] {
  return assessmentsOf(g.evidence);
}
