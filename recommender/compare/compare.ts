/**
 * Comparison of one workload: its documented rules (from every matrix component that selects
 * it) against its observed edges. Pure; `now` is given, never read from the clock.
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { Direction } from '../../domain/direction.ts';
import type { Workload } from '../../domain/inventory.ts';
import { peerKey, type Peer } from '../../domain/peer.ts';
import type { ExpectedRule, ResolvedComponent, ResolvedParameter } from '../matrix/resolved.ts';
import type { ClusterIndex } from './context.ts';
import { clientDigestState, edgeDigest } from './edge-digest.ts';
import { edgeMatchesRule } from './match.ts';
import { DAY_MS, type ComparisonStatus, type DocumentedRuleStatus } from './status.ts';


/** A matrix component that selects the workload, with the matrix it belongs to. */
export interface WorkloadComponent {
  matrix: string;
  component: ResolvedComponent;
  /** The matrix's parameters: what a disabled component's warning says of its condition. */
  parameters?: readonly ResolvedParameter[];
}

export interface RuleAssessment {
  matrix: string;
  component: string;
  rule: ExpectedRule;
  status: DocumentedRuleStatus;
  /** The edges that fall under the rule, sorted by edge key. */
  edges: EdgeTraffic[];
  /** The same edges as positions in the side of the rule's direction (ascending). */
  matched: number[];
}

export interface EdgeAssessment {
  edge: EdgeTraffic;
  direction: Direction;
  status: ComparisonStatus;
  /** Ids of the active documented rules the edge falls under, sorted. */
  rules: string[];
  /** Status `documented-when-set`: the rules that document the edge once the config says so, `<rule id> when <condition>`, sorted. */
  documentedWhen?: string[];
}

const NO_RULES: string[] = [];

/**
 * One direction of a workload's edges, assessed in parallel arrays: position i is one edge
 * assessment. Synthesis works on positions; the EdgeAssessment objects evidence needs are built
 * on first use (one per position, so identity holds).
 */
export class SideComparison {
  readonly status: ComparisonStatus[];
  /** Per position: ids of the active documented rules the edge falls under, sorted (shared empty array when none). */
  readonly rules: string[][];
  /** Per position: `documentedWhen` (set only for the few `documented-when-set` edges). */
  readonly documentedWhen = new Map<number, string[]>();
  private built: EdgeAssessment[] | undefined;

  constructor(
    readonly direction: Direction,
    /** Sorted by edge key. */
    readonly edges: readonly EdgeTraffic[],
    /** Two edges share an edge key (a caller passed duplicates): evidence de-duplicates by key. */
    readonly duplicateKeys: boolean,
  ) {
    this.status = new Array<ComparisonStatus>(edges.length);
    this.rules = new Array<string[]>(edges.length);
  }

  /**
   * The edge at `i`, undocumented by this workload's own matrices, is what `ruleId` of the
   * component at its other end documents (a rule required at both ends: synthesize/workload.ts
   * addMirroredAtoms): confirmed by that rule.
   */
  confirmFromOtherEnd(i: number, ruleId: string): void {
    if (this.status[i] !== 'undocumented') return;
    this.status[i] = 'confirmed';
    this.rules[i] = [...new Set([...this.rules[i]!, ruleId])].sort();
    if (this.built?.[i] !== undefined) this.built[i] = undefined as unknown as EdgeAssessment;
  }

  assessment(i: number): EdgeAssessment {
    const built = (this.built ??= new Array<EdgeAssessment>(this.edges.length));
    let a = built[i];
    if (a === undefined) {
      built[i] = a = { edge: this.edges[i]!, direction: this.direction, status: this.status[i]!, rules: this.rules[i]! };
      const when = this.documentedWhen.get(i);
      if (when !== undefined) a.documentedWhen = when;
    }
    return a;
  }
}

/** Positions of edge assessments in one side: how rules and policies keep their evidence. */
export interface EdgeRefs {
  side: SideComparison;
  /** Ascending, unique. */
  idx: readonly number[];
}

/** The edge assessments `refs` stand for, in order. */
export function assessmentsOf(refs: readonly EdgeRefs[]): EdgeAssessment[] {
  const out: EdgeAssessment[] = [];
  for (const r of refs) for (const i of r.idx) out.push(r.side.assessment(i));
  return out;
}

export class WorkloadComparison {
  private merged: EdgeAssessment[] | undefined;
  constructor(
    /** Every documented rule of the workload, sorted by id. */
    readonly rules: RuleAssessment[],
    readonly ingress: SideComparison,
    readonly egress: SideComparison,
    private readonly keyOf: (e: EdgeTraffic) => string,
  ) {}

  side(d: Direction): SideComparison {
    return d === 'ingress' ? this.ingress : this.egress;
  }

  /** Every edge assessment in `${edgeKey}|${direction}` order (built on first use: evidence only). */
  get edges(): EdgeAssessment[] {
    if (this.merged === undefined) {
      const all: EdgeAssessment[] = [];
      for (const side of [this.ingress, this.egress]) for (let i = 0; i < side.edges.length; i++) all.push(side.assessment(i));
      this.merged = sortAssessments(all, this.keyOf);
    }
    return this.merged;
  }
}

export interface CompareOptions {
  now: number;
  staleDays: number;
}

export function isStale(edge: EdgeTraffic, opts: CompareOptions): boolean {
  return edge.lastSeen < opts.now - opts.staleDays * DAY_MS;
}

/** Stable identity of an edge (ids depend on ingest order; this does not). */
export function edgeKey(e: EdgeTraffic): string {
  let k = edgeKeyCache.get(e);
  if (k === undefined) edgeKeyCache.set(e, (k = `${peerKey(e.client)}|${peerKey(e.server)}|${String(e.port).padStart(5, '0')}|${e.protocol}`));
  return k;
}
const edgeKeyCache = new WeakMap<EdgeTraffic, string>();

/** Per recommendation run: edge keys and edge ids, each computed once per edge. */
export interface EdgeKeys {
  /** `edgeKey(e)`. */
  key: (e: EdgeTraffic) => string;
  /** `edge:` + the edge key without its zero padding (`edgeId(e)`): the id of a rule only edges evidence. */
  id: (e: EdgeTraffic) => string;
  /** `peerKey(p)`, once per peer object. */
  peerKey: (p: Peer) => string;
  /** `fnv1a` of the edge's evidence key `client|server|port|protocol` (port unpadded), without building it. */
  digest: (e: EdgeTraffic) => number;
}

/** `edge:${edgeKey(e)}` with every `|` followed by zeros reduced to the `|`: ids stay free of padding. */
export function edgeId(e: EdgeTraffic): string {
  return `edge:${edgeKey(e).replace(/\|0*/g, '|')}`;
}

/**
 * `edgeKey` and `edgeId` for one run: peer keys are computed once per peer object (the store
 * shares them between edges), edge keys and ids once per edge. Ids are put together from parts
 * cut the way `edgeId`'s replacement cuts the whole key (no match spans a separator).
 */
export function edgeKeys(): EdgeKeys {
  interface PeerParts {
    key: string;
    /** As the key's first part / as a part after a separator. */
    first: string;
    next: string;
  }
  const unpad = (s: string, afterSeparator: boolean): string => {
    const t = s.replace(/\|0*/g, '|');
    return afterSeparator ? t.replace(/^0+/, '') : t;
  };
  const peers = new Map<Peer, PeerParts>();
  const parts = (p: Peer): PeerParts => {
    let r = peers.get(p);
    if (r === undefined) {
      const key = peerKey(p);
      peers.set(p, (r = { key, first: unpad(key, false), next: unpad(key, true) }));
    }
    return r;
  };
  const small = new Map<number, { padded: string; unpadded: string }>();
  const portText = (port: number): { padded: string; unpadded: string } => {
    let r = small.get(port);
    if (r === undefined) {
      const padded = String(port).padStart(5, '0');
      small.set(port, (r = { padded, unpadded: unpad(padded, true) }));
    }
    return r;
  };
  const protocols = new Map<string, string>();
  const keys = new Map<EdgeTraffic, string>();
  const key = (e: EdgeTraffic): string => {
    let k = keys.get(e);
    if (k === undefined) keys.set(e, (k = `${parts(e.client).key}|${parts(e.server).key}|${portText(e.port).padded}|${e.protocol}`));
    return k;
  };
  // The hash state after `client|` is kept per client peer object. Not cached per edge (an edge
  // is on two sides): hashing the rest again costs less than a map of every edge.
  const afterClient = new Map<Peer, number>();
  const digest = (e: EdgeTraffic): number => {
    let h = afterClient.get(e.client);
    if (h === undefined) afterClient.set(e.client, (h = clientDigestState(parts(e.client).key)));
    return edgeDigest(h, parts(e.server).key, e.port, e.protocol);
  };
  return {
    peerKey: (p) => parts(p).key,
    key,
    digest,
    // Not cached: building an id costs less than remembering it per edge object.
    id: (e) => {
      let proto = protocols.get(e.protocol);
      if (proto === undefined) protocols.set(e.protocol, (proto = unpad(e.protocol, true)));
      return `edge:${parts(e.client).first}|${parts(e.server).next}|${portText(e.port).unpadded}|${proto}`;
    },
  };
}

export function sortByEdgeKey<T>(items: readonly T[], key: (t: T) => string): T[] {
  const keyed = items.map((item) => ({ item, k: key(item) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.item);
}

/**
 * The order of the strings `${k1}|${s1}` and `${k2}|${s2}` without building them: the plain
 * order of k1 and k2 unless one is a prefix of the other (`…|ICMP` and `…|ICMPv6`).
 */
export function compareSuffixed(k1: string, s1: string, k2: string, s2: string): number {
  if (k1 === k2) return s1 < s2 ? -1 : s1 > s2 ? 1 : 0;
  if (k1.length < k2.length ? k2.startsWith(k1) : k1.startsWith(k2)) {
    const a = `${k1}|${s1}`;
    const b = `${k2}|${s2}`;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return k1 < k2 ? -1 : 1;
}

/** Edge assessments in `${edgeKey}|${direction}` order. */
export function sortAssessments<T extends { edge: EdgeTraffic; direction: string }>(items: readonly T[], keyOf: (e: EdgeTraffic) => string): T[] {
  const keys = items.map((a) => keyOf(a.edge));
  const cmp = (i: number, j: number): number => compareSuffixed(keys[i]!, items[i]!.direction, keys[j]!, items[j]!.direction);
  return items
    .map((_, i) => i)
    .sort(cmp)
    .map((i) => items[i]!);
}

const isBlockedTraffic = (e: EdgeTraffic): boolean => e.dropped > 0 && e.forwarded === 0;

export function compareWorkload(
  _workload: Workload,
  components: readonly WorkloadComponent[],
  edges: { ingress: readonly EdgeTraffic[]; egress: readonly EdgeTraffic[] },
  ix: ClusterIndex,
  opts: CompareOptions,
  keyOf: (e: EdgeTraffic) => string = edgeKey,
  duplicateKeys: { ingress: boolean; egress: boolean } = { ingress: hasDuplicateKeys(edges.ingress, keyOf), egress: hasDuplicateKeys(edges.egress, keyOf) },
): WorkloadComparison {
  const active: { c: WorkloadComponent; rule: ExpectedRule; matched: number[] }[] = [];
  const ruleAssessments: RuleAssessment[] = [];
  for (const c of components) {
    for (const rule of c.component.rules) {
      if (rule.active && c.component.enabled) active.push({ c, rule, matched: [] });
      else ruleAssessments.push({ matrix: c.matrix, component: c.component.name, rule, status: 'inactive', edges: [], matched: [] });
    }
  }

  const staleBefore = opts.now - opts.staleDays * DAY_MS;
  const sides = { ingress: new SideComparison('ingress', edges.ingress, duplicateKeys.ingress), egress: new SideComparison('egress', edges.egress, duplicateKeys.egress) };
  for (const direction of ['ingress', 'egress'] as const) {
    const side = sides[direction];
    const list = side.edges;
    const candidates = active.filter((a) => a.rule.direction === direction);
    if (candidates.length === 0) {
      for (let i = 0; i < list.length; i++) {
        side.status[i] = list[i]!.lastSeen < staleBefore ? 'stale' : 'undocumented';
        side.rules[i] = NO_RULES;
      }
      continue;
    }
    for (let i = 0; i < list.length; i++) {
      const edge = list[i]!;
      const rules = candidates.filter((a) => edgeMatchesRule(edge, a.rule, ix));
      let status: ComparisonStatus;
      if (edge.lastSeen < staleBefore) status = 'stale';
      else if (rules.length === 0) status = 'undocumented';
      else if (edge.followed === undefined && isBlockedTraffic(edge) && rules.some((r) => r.rule.level === 'must')) status = 'blocked';
      else status = 'confirmed';
      side.status[i] = status;
      side.rules[i] = rules.length === 0 ? NO_RULES : rules.length === 1 ? [rules[0]!.rule.id] : [...new Set(rules.map((r) => r.rule.id))].sort();
      for (const r of rules) r.matched.push(i);
    }
  }

  for (const { c, rule, matched } of active) {
    const side = sides[rule.direction];
    // Only flows observe a rule: an edge a Service leads the client to now (EdgeTraffic.followed)
    // falls under it, and is rendered and verified, but no flow had it.
    const seen = matched.filter((i) => side.edges[i]!.followed === undefined);
    let status: DocumentedRuleStatus;
    // A host-network component's own flows come from its node's address (recommender/compare/observe.ts).
    if (seen.length === 0) status = rule.observedFromNodes?.length ? 'confirmed' : 'documented-unobserved';
    else if (seen.some((i) => side.status[i] === 'confirmed')) status = 'confirmed';
    else if (seen.some((i) => side.status[i] === 'blocked')) status = 'blocked';
    else status = 'stale';
    ruleAssessments.push({ matrix: c.matrix, component: c.component.name, rule, status, edges: sortByEdgeKey([...new Set(matched.map((i) => side.edges[i]!))], keyOf), matched });
  }

  markDocumentedWhen(ruleAssessments, sides);
  ruleAssessments.sort((a, b) => (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0));
  return new WorkloadComparison(ruleAssessments, sides.ingress, sides.egress, keyOf);
}

/** Two neighbours of a key-sorted list share a key. */
export function hasDuplicateKeys(sorted: readonly EdgeTraffic[], keyOf: (e: EdgeTraffic) => string): boolean {
  for (let i = 1; i < sorted.length; i++) if (keyOf(sorted[i - 1]!) === keyOf(sorted[i]!)) return true;
  return false;
}

/**
 * Undocumented edges that an inactive rule of the workload documents once the cluster config sets
 * a parameter or binds a role (`whenConfigured`, recommender/compare/observe.ts) become
 * `documented-when-set`, and so does each such rule that one of the workload's edges fits. Stale
 * edges stay stale: what is not seen any more is no evidence of a configuration.
 */
function markDocumentedWhen(rules: RuleAssessment[], sides: Record<Direction, SideComparison>): void {
  const byEdge = new Map<string, RuleAssessment[]>();
  for (const r of rules) {
    const w = r.rule.whenConfigured;
    if (r.status !== 'inactive' || w === undefined) continue;
    for (const k of w.edges) {
      const key = `${r.rule.direction}|${k}`;
      byEdge.set(key, [...(byEdge.get(key) ?? []), r]);
    }
  }
  if (byEdge.size === 0) return;
  for (const side of [sides.ingress, sides.egress]) {
    for (let i = 0; i < side.edges.length; i++) {
      if (side.status[i] !== 'undocumented') continue;
      const e = side.edges[i]!;
      const by = byEdge.get(`${side.direction}|${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}`);
      if (by === undefined) continue;
      side.status[i] = 'documented-when-set';
      side.documentedWhen.set(i, [...new Set(by.map((r) => `${r.rule.id} when ${r.rule.whenConfigured!.set}`))].sort());
      for (const r of by) {
        r.status = 'documented-when-set';
        r.matched.push(i);
      }
    }
  }
  for (const r of rules) {
    if (r.status !== 'documented-when-set') continue;
    const side = sides[r.rule.direction];
    r.matched.sort((a, b) => a - b);
    r.matched = [...new Set(r.matched)];
    r.edges = r.matched.map((i) => side.edges[i]!);
  }
}
