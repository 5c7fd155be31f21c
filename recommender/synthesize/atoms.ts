/**
 * An atom is one (peer, ports) permission with its evidence. Atoms of a direction are merged
 * (identical peers: ports united) and grouped (peers with identical port sets share a rule);
 * the apiserver stays in an egress rule of its own, on its endpoint ports. Atoms are added to
 * an `AtomGroups` of one workload direction as they are found: no object per atom; the edges
 * behind them are positions in the workload's side of that direction.
 */
import { assessmentsOf, compareSuffixed, type EdgeAssessment, type EdgeKeys, type EdgeRefs, type RuleAssessment, type SideComparison } from '../compare/compare.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { IcmpProtocol } from '../../domain/flow.ts';
import { explanation, type RuleInput } from '../policy/build.ts';
import type { Direction, PolicyPeer, PolicyRuleStatus, PortSpec } from '../policy/ir.ts';
import { compareStrings, uniqueSortedBy } from '../policy/order.ts';
import { sideEdgeWords } from './edge-words.ts';
import { firstFew } from './first-few.ts';
import { PortSets, type PortSet } from './port-sets.ts';
import { impliedRuleId, observedRuleId, type ImpliedKind, type ObservedId } from './rule-ids.ts';

/** A synthesized IR rule with the evidence that made it. */
export interface GroupedRule {
  direction: Direction;
  input: RuleInput;
  status: PolicyRuleStatus;
  rules: readonly RuleAssessment[];
  /** The observed edges behind the rule (one side of one workload; several for a shared rule). */
  evidence: EdgeRefs[];
  /**
   * Observed edges are behind the rule (not only edges a Service leads to now, EdgeTraffic.followed): kept when a run without details lets `evidence` go, for
   * the shared layers' text (the same manifests with details and without).
   */
  observedInFlows: boolean;
  /**
   * The observed edges behind the rule that none of its matrix rules documents (status
   * `undocumented`), in words (`sideEdgeWords`), sorted; set only on a rule that has matrix
   * rules and such edges, whose text must not credit them to those rules (`ruleText`).
   */
  undocumented?: readonly string[];
  notes: readonly string[];
  /** What the id is made of when only observed edges evidence the rule (see rule-ids.ts). */
  observed?: ObservedId;
  /**
   * An ICMP echo rule (echo-rules.ts): `input` names its peers and explanation, no ports — it
   * renders as the direction's `echo` (policy/ir.ts EchoRule), never as a port rule. `seen`: the
   * far ends as the edges name them.
   */
  echo?: { protocol: IcmpProtocol; seen: string[] };
}

const NONE: readonly never[] = [];

/** When evidence of several statuses lands in one rule, the one a reviewer must see wins. */
const STATUS_RANK: PolicyRuleStatus[] = ['undocumented', 'blocked', 'documented-when-set', 'stale', 'documented-unobserved', 'confirmed', 'implied'];

function rankOf(s: PolicyRuleStatus): number {
  return STATUS_RANK.indexOf(s);
}

/** Of several statuses of one rule, the one a reviewer must see (as above). */
export function attentionStatus(statuses: readonly PolicyRuleStatus[]): PolicyRuleStatus {
  let best = statuses[0]!;
  for (const s of statuses) if (rankOf(s) < rankOf(best)) best = s;
  return best;
}

const uniqueRules = (rs: readonly RuleAssessment[]): RuleAssessment[] => (rs.length === 1 ? [rs[0]!] : uniqueSortedBy(rs, (r) => r.rule.id));

/** De-duplicated (by identity, then by edge key and direction) and sorted by `${edgeKey}|${direction}`. */
export function uniqueEdges(es: readonly EdgeAssessment[], keyOf: (e: EdgeTraffic) => string): EdgeAssessment[] {
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

/**
 * One short sentence for the annotation; the full evidence goes to the JSON. `observedInFlows`:
 * observed edges are behind the rule (a workload's, or any of a shared rule's members'). Only
 * what changes with the rule: counts and dates change with every ingest (a new edge under an
 * existing rule too), and written into the manifests (a Calico rule's own metadata) they rewrote
 * most exported files every night for GitOps while no rule had changed; they stay in the JSON's evidence.
 * `undocumented`: the rule's observed edges its matrix rules do not document (GroupedRule).
 */
export function ruleText(rules: readonly RuleAssessment[], observedInFlows: boolean, notes: readonly string[], undocumented: readonly string[] = NONE): string {
  const sentences: string[] = [];
  if (rules.length > 0 && undocumented.length > 0) sentences.push(`documented: ${purposesSeenOrNot(rules)}`, `observed in the flows, undocumented: ${firstFew(undocumented)}`);
  else {
    if (rules.length > 0) sentences.push(`documented: ${[...new Set(rules.map((r) => r.rule.purpose))].sort(compareStrings).join('; ')}`);
    if (observedInFlows) sentences.push('observed in the flows');
  }
  sentences.push(...notes);
  return sentences.join('. ');
}

/**
 * The purposes of a rule that also holds undocumented edges, each marked `(observed)` or `(not
 * observed)`: which part of the rule the flows show, so that they are not read as the documented
 * rule's (a purpose is observed when an edge falls under any matrix rule of that purpose).
 */
function purposesSeenOrNot(rules: readonly RuleAssessment[]): string {
  const seen = new Map<string, boolean>();
  for (const r of rules) seen.set(r.rule.purpose, seen.get(r.rule.purpose) === true || r.edges.some((e) => e.followed === undefined));
  return [...seen.keys()]
    .sort(compareStrings)
    .map((purpose) => `${purpose} (${seen.get(purpose) ? 'observed' : 'not observed'})`)
    .join('; ');
}

/** The words of `each` rule's undocumented edges, united and sorted (a shared rule's members'). */
export function unitedUndocumented(each: readonly { undocumented?: readonly string[] }[]): readonly string[] | undefined {
  const words = new Set<string>();
  for (const r of each) for (const w of r.undocumented ?? NONE) words.add(w);
  return words.size === 0 ? undefined : [...words].sort(compareStrings);
}

/** Matrix rule ids, sorted by code units (the default order of strings) and de-duplicated. */
function matrixIds(rules: readonly RuleAssessment[]): string {
  return [...new Set(rules.map((r) => r.rule.id))].sort().join(' ');
}

/** One peer's atoms merged: identical peers, ports united (any "every port" atom wins). */
interface PeerEntry {
  peer: PolicyPeer;
  key: string;
  count: number;
  allPorts: boolean;
  /** The first atom's list (the caller's, never modified) until a second atom merges in. */
  ports: readonly PortSpec[];
  /** `ports` is the entry's own copy (merged atoms). */
  ownPorts: boolean;
  rank: number;
  /** Created when the first documented rule or note arrives (most peers only have edges). */
  rules: RuleAssessment[] | undefined;
  /** Positions in the side (ascending within each atom). */
  edges: number[];
  notes: string[] | undefined;
  /** What the rule's implied atoms are (created when the first arrives). */
  implied: ImpliedKind[] | undefined;
}

/** Peers of one rule: the same port set (or the apiserver, alone). */
interface PeerGroup {
  /** An egress rule to the apiserver, which is alone in it; otherwise the rule of port set `set`. */
  apiserver: boolean;
  set: PortSet;
  /** The key of the first peer. */
  firstKey: string;
  peers: PolicyPeer[];
  ports: readonly PortSpec[];
  rank: number;
  rules: RuleAssessment[] | undefined;
  edges: number[];
  notes: string[] | undefined;
  implied: ImpliedKind[] | undefined;
}

const byKey = (a: { key: string }, b: { key: string }): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);


/**
 * More atoms of the entry's peer merged into it, as if added one by one: `ports` appended (the
 * entry's own copy from the first merge on), rules, edges and notes appended in order, the best
 * rank kept. Whether any of them was on every port is the caller's to say (`allPorts`).
 */
function mergeInto(into: PeerEntry, ports: readonly PortSpec[], rank: number, rules: readonly RuleAssessment[] | undefined, edges: number | readonly number[], notes: readonly string[] | undefined): void {
  if (ports.length > 0) {
    const own = into.ownPorts ? (into.ports as PortSpec[]) : into.ports.slice();
    for (const p of ports) own.push(p);
    into.ports = own;
    into.ownPorts = true;
  }
  if (rank < into.rank) into.rank = rank;
  if (rules !== undefined && rules.length > 0) (into.rules ??= []).push(...rules);
  if (typeof edges === 'number') into.edges.push(edges);
  else for (const e of edges) into.edges.push(e);
  if (notes !== undefined && notes.length > 0) (into.notes ??= []).push(...notes);
}

/** `entry` (a later one of the same peer) merged into `into`. */
function mergeEntry(into: PeerEntry, entry: PeerEntry): void {
  into.count += entry.count;
  if (entry.allPorts) into.allPorts = true;
  mergeInto(into, entry.ports, entry.rank, entry.rules, entry.edges, entry.notes);
  if (entry.implied) (into.implied ??= []).push(...entry.implied);
}

/**
 * The id of a rule neither a matrix nor an edge backs: only the recommendation's own (implied)
 * atoms make one. An atom of none of them reaching here is a synthesis error, not a rule to name.
 */
function unbackedId(direction: Direction, g: PeerGroup): string {
  if (g.implied === undefined) throw new Error(`synthesis: a ${direction} rule to ${g.firstKey} has no documented rule, no edge and no implied kind to be named by`);
  return impliedRuleId(direction, g.implied, g.ports, g.apiserver);
}

/**
 * The port set of an entry (the run's one object per set, see PortSets): merged ports are
 * united; a lone atom's rule keeps the atom's own list (`entryPorts`), in the set of its ports.
 */
function entrySet(a: PeerEntry, sets: PortSets): PortSet {
  return a.count > 1 && a.allPorts ? sets.union([]) : sets.union(a.ports);
}

/** The ports of an entry's rule: the united set of merged atoms, a lone atom's own list. */
function entryPorts(a: PeerEntry, set: PortSet): readonly PortSpec[] {
  return a.count > 1 ? set.ports : a.ports;
}

/**
 * Entries sorted by peer key (stable: a peer's entries stay in the order they were added), each
 * peer's merged into its first.
 */
function sortedByPeer(entries: PeerEntry[]): PeerEntry[] {
  entries.sort(byKey);
  const out: PeerEntry[] = [];
  for (const e of entries) {
    const last = out[out.length - 1];
    if (last !== undefined && last.key === e.key) mergeEntry(last, e);
    else out.push(e);
  }
  return out;
}

/**
 * The atoms of one direction of one workload. An atom whose peer is the previous atom's merges
 * into it as it is added (a side lists a peer's edges one after the other); other atoms of a
 * peer met before (documented rules, the apiserver, DNS) are merged when the rules are built.
 */
export class AtomGroups {
  /** One per run of atoms of the same peer, in the order they were added. */
  private readonly entries: PeerEntry[] = [];
  /** Atoms added. */
  size = 0;
  /** An apiserver peer was added. */
  hasApiserver = false;

  constructor(
    readonly direction: Direction,
    /** The workload's edges of this direction: the positions atoms carry point into it. */
    readonly side: SideComparison,
    /** The run's port sets, which merged atoms' ports are united into. */
    private readonly portSets: PortSets = new PortSets(),
  ) {}

  /**
   * One atom: `peer` (whose `policyPeerKey` is `key`) on `ports` (empty = every port), with its
   * status, documented rules, edge positions in `side` (one position or an ascending list) and notes.
   * The lists are kept, not copied: the caller must not modify them afterwards.
   */
  add(peer: PolicyPeer, key: string, ports: readonly PortSpec[], status: PolicyRuleStatus, rules: readonly RuleAssessment[], edges: number | readonly number[], notes: readonly string[] = NONE, implied?: ImpliedKind): void {
    this.size++;
    if (peer.kind === 'apiserver') {
      this.hasApiserver = true;
      if (this.direction === 'egress') ports = NONE;
    }
    // A side lists a peer's edges one after the other (edge-key order): most atoms follow their
    // peer's, and merge into its entry without one of their own.
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && last.key === key) {
      last.count++;
      if (ports.length === 0) last.allPorts = true;
      mergeInto(last, ports, rankOf(status), rules, edges, notes);
      if (implied !== undefined) (last.implied ??= []).push(implied);
      return;
    }
    this.entries.push({
      peer,
      key,
      count: 1,
      allPorts: ports.length === 0,
      ports,
      ownPorts: false,
      rank: rankOf(status),
      rules: rules.length === 0 ? undefined : rules.slice(),
      edges: typeof edges === 'number' ? [edges] : edges.slice(),
      notes: notes.length === 0 ? undefined : notes.slice(),
      implied: implied === undefined ? undefined : [implied],
    });
  }

  /**
   * The IR rules, by their peers' keys: every peer is in one rule, and rules are made in the
   * order of their first (smallest) peer key (the PolicySet builder sorts them by rule key).
   * Called once: the groups take over the entries' lists.
   */
  build(keys: EdgeKeys): GroupedRule[] {
    const direction = this.direction;
    // Rules by port set object (one per distinct set in the run), the apiserver's by peer key.
    const byPorts = new Map<PortSet, PeerGroup>();
    const byApiserver = new Map<string, PeerGroup>();
    const groups: PeerGroup[] = [];
    // Usually in key order already (sides list peers in edge-key order).
    for (const a of sortedByPeer(this.entries)) {
      const set = entrySet(a, this.portSets);
      const peer = a.peer;
      const apiserver = direction === 'egress' && peer.kind === 'apiserver';
      let g = apiserver ? byApiserver.get(a.key) : byPorts.get(set);
      if (g === undefined) {
        g = { apiserver, set, firstKey: a.key, peers: [peer], ports: entryPorts(a, set), rank: a.rank, rules: a.rules, edges: a.edges, notes: a.notes, implied: a.implied };
        if (apiserver) byApiserver.set(a.key, g);
        else byPorts.set(set, g);
        groups.push(g);
        continue;
      }
      g.peers.push(peer);
      if (a.rank < g.rank) g.rank = a.rank;
      if (a.rules) (g.rules ??= []).push(...a.rules);
      for (const e of a.edges) g.edges.push(e);
      if (a.notes) (g.notes ??= []).push(...a.notes);
      if (a.implied) (g.implied ??= []).push(...a.implied);
    }
    const out: GroupedRule[] = [];
    for (const g of groups) {
      const rules: readonly RuleAssessment[] = g.rules === undefined ? NONE : uniqueRules(g.rules);
      const idx = this.uniquePositions(g.edges, keys.key);
      const notes: readonly string[] = g.notes === undefined ? NONE : [...new Set(g.notes)].sort(compareStrings);
      const status = STATUS_RANK[g.rank]!;
      // Documented rules name the rule; else its edges do, by keys (edge ids depend on ingest order).
      let observed: ObservedId | undefined;
      if (rules.length === 0 && idx.length > 0) {
        let digest = 0;
        for (const i of idx) digest = (digest + keys.digest(this.side.edges[i]!)) >>> 0;
        observed = { direction, apiserver: g.apiserver, ports: g.ports, count: idx.length, digest };
        if (idx.length === 1) observed.single = keys.id(this.side.edges[idx[0]!]!);
      }
      const id = rules.length > 0 ? matrixIds(rules) : observed ? observedRuleId(observed) : unbackedId(direction, g);
      const undocumented = rules.length > 0 ? this.undocumentedWords(idx) : NONE;
      const observedInFlows = idx.some((i) => this.side.edges[i]!.followed === undefined);
      const rule: GroupedRule = {
        direction,
        status,
        rules,
        evidence: idx.length === 0 ? [] : [{ side: this.side, idx }],
        observedInFlows,
        notes,
        input: { peers: g.peers, ports: g.ports, explanation: explanation(id, status, ruleText(rules, observedInFlows, notes, undocumented)) },
      };
      if (observed) rule.observed = observed;
      if (undocumented.length > 0) rule.undocumented = undocumented;
      out.push(rule);
    }
    return out;
  }

  /** The edges at `idx` no documented rule covers (status `undocumented`), in words, sorted; none: the shared empty list. */
  private undocumentedWords(idx: readonly number[]): readonly string[] {
    let words: Set<string> | undefined;
    for (const i of idx) if (this.side.status[i] === 'undocumented' && this.side.edges[i]!.followed === undefined) (words ??= new Set()).add(sideEdgeWords(this.side.edges[i]!, this.direction));
    return words === undefined ? NONE : [...words].sort(compareStrings);
  }

  /**
   * The positions' assessments de-duplicated and sorted as `uniqueEdges` does. The side is in
   * edge-key order, so that is ascending positions, unless two of its edges share a key.
   */
  private uniquePositions(positions: number[], keyOf: (e: EdgeTraffic) => string): number[] {
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
