/**
 * An atom is one (peer, ports) permission with its evidence. Atoms of a direction are merged
 * (identical peers: ports united) and grouped (peers with identical port sets share a rule);
 * the apiserver stays in an egress rule of its own, on its endpoint ports.
 */
import type { EdgeAssessment, RuleAssessment } from '../compare/compare.ts';
import { compareSuffixed, edgeId, edgeKey, type EdgeKeys } from '../compare/compare.ts';
import type { Edge } from '../../domain/edge.ts';
import { explanation, type RuleInput } from '../policy/build.ts';
import type { Direction, PolicyPeer, PortSpec, RuleStatus } from '../policy/ir.ts';
import { compareStrings, peerKey, portKey, uniqueSortedBy } from '../policy/order.ts';

export interface Atom {
  direction: Direction;
  peer: PolicyPeer;
  /** Empty = every port and protocol. */
  ports: PortSpec[];
  status: RuleStatus;
  rules: RuleAssessment[];
  edges: EdgeAssessment[];
  notes: string[];
}

/** A synthesized IR rule with the evidence that made it. */
export interface GroupedRule {
  direction: Direction;
  input: RuleInput;
  status: RuleStatus;
  rules: RuleAssessment[];
  edges: EdgeAssessment[];
  notes: string[];
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
  return uniqueSortedBy(ports, cachedPortKey).map(cachedPortKey).join(';');
}

const uniqueRules = (rs: RuleAssessment[]): RuleAssessment[] => uniqueSortedBy(rs, (r) => r.rule.id);

/** De-duplicated (by identity, then by edge key and direction) and sorted by `${edgeKey}|${direction}`. */
function uniqueEdges(es: readonly EdgeAssessment[], keyOf: (e: Edge) => string): EdgeAssessment[] {
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
function cachedPeerKey(p: PolicyPeer): string {
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
function ruleText(g: { rules: RuleAssessment[]; edges: EdgeAssessment[]; notes: string[] }): string {
  const parts: string[] = [];
  const purposes = [...new Set(g.rules.map((r) => r.rule.purpose))].sort(compareStrings);
  if (purposes.length > 0) parts.push(`documented: ${purposes.join('; ')}`);
  if (g.edges.length > 0) {
    let flows = 0;
    let last = -Infinity;
    for (const e of g.edges) {
      flows += e.edge.flows;
      if (e.edge.lastSeen > last) last = e.edge.lastSeen;
    }
    parts.push(`observed: ${g.edges.length} edge(s), ${flows} flow(s), last seen ${formatDay(last)}`);
  }
  parts.push(...g.notes);
  return parts.join('. ');
}

function ruleId(g: { rules: RuleAssessment[]; edges: EdgeAssessment[]; notes: string[] }, fallback: string, idOf: (e: Edge) => string): string {
  const ids = g.rules.map((r) => r.rule.id);
  // Edge ids depend on ingest order; edge keys do not (same inputs → same bytes).
  if (ids.length === 0) for (const e of g.edges) ids.push(idOf(e.edge));
  if (ids.length === 0) return fallback;
  let ascending = true;
  for (let i = 1; i < ids.length && ascending; i++) if (!(ids[i - 1]! < ids[i]!)) ascending = false;
  return (ascending ? ids : [...new Set(ids)].sort(compareStrings)).join(' ');
}

/** One peer's atoms merged: identical peers, ports united (any "every port" atom wins). */
interface PeerEntry {
  atom: Atom;
  count: number;
  allPorts: boolean;
  ports: PortSpec[];
  rank: number;
  rules: RuleAssessment[];
  edges: EdgeAssessment[];
  notes: string[];
}

/** Merges atoms of one direction into sorted IR rules. */
export function groupAtoms(direction: Direction, atoms: readonly Atom[], keys: EdgeKeys = { key: edgeKey, id: edgeId }): GroupedRule[] {
  const keyOf = keys.key;
  const byPeer = new Map<string, PeerEntry>();
  for (const a of atoms) {
    if (a.direction !== direction) continue;
    const apiserverEgress = direction === 'egress' && a.peer.kind === 'apiserver';
    const ports = apiserverEgress ? [] : a.ports;
    const k = cachedPeerKey(a.peer);
    const prev = byPeer.get(k);
    if (!prev) {
      byPeer.set(k, { atom: a, count: 1, allPorts: ports.length === 0, ports: [...ports], rank: rankOf(a.status), rules: [...a.rules], edges: [...a.edges], notes: [...a.notes] });
      continue;
    }
    prev.count++;
    if (ports.length === 0) prev.allPorts = true;
    else for (const p of ports) prev.ports.push(p);
    prev.rank = Math.min(prev.rank, rankOf(a.status));
    for (const r of a.rules) prev.rules.push(r);
    for (const e of a.edges) prev.edges.push(e);
    for (const n of a.notes) prev.notes.push(n);
  }
  const groups = new Map<string, { peers: PolicyPeer[]; ports: PortSpec[]; rank: number; rules: RuleAssessment[]; edges: EdgeAssessment[]; notes: string[] }>();
  for (const [, a] of [...byPeer.entries()].sort((x, y) => compareStrings(x[0], y[0]))) {
    // Merged ports are united: sorted and de-duplicated (the first of equal ports kept); a lone atom keeps its own list.
    const ports = a.count === 1 ? a.ports : a.allPorts ? [] : uniqueSortedBy(a.ports, cachedPortKey);
    const peer = a.atom.peer;
    const k = direction === 'egress' && peer.kind === 'apiserver' ? `apiserver:${cachedPeerKey(peer)}` : `ports:${portSetKey(ports)}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { peers: [], ports, rank: STATUS_RANK.length - 1, rules: [], edges: [], notes: [] }));
    g.peers.push(peer);
    g.rank = Math.min(g.rank, a.rank);
    for (const r of a.rules) g.rules.push(r);
    for (const e of a.edges) g.edges.push(e);
    for (const n of a.notes) g.notes.push(n);
  }
  const out: GroupedRule[] = [];
  for (const [k, g] of [...groups.entries()].sort((a, b) => compareStrings(a[0], b[0]))) {
    const rules = uniqueRules(g.rules);
    const edges = uniqueEdges(g.edges, keyOf);
    const notes = [...new Set(g.notes)].sort(compareStrings);
    const status = STATUS_RANK[g.rank]!;
    const ev = { rules, edges, notes };
    const id = ruleId(ev, `${direction}:${k}`, keys.id);
    out.push({
      direction,
      status,
      rules,
      edges,
      notes,
      input: { peers: g.peers, ports: g.ports, explanation: explanation(id, status, ruleText(ev)) },
    });
  }
  return out;
}
