/**
 * An atom is one (peer, ports) permission with its evidence. Atoms of a direction are merged
 * (identical peers: ports united) and grouped (peers with identical port sets share a rule);
 * the apiserver stays in an egress rule of its own, on its endpoint ports.
 */
import type { EdgeAssessment, RuleAssessment } from '../compare/compare.ts';
import { edgeKey } from '../compare/compare.ts';
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

function worst(statuses: Iterable<RuleStatus>): RuleStatus {
  let best = STATUS_RANK.length - 1;
  for (const s of statuses) best = Math.min(best, STATUS_RANK.indexOf(s));
  return STATUS_RANK[best]!;
}

function portSetKey(ports: readonly PortSpec[]): string {
  return uniqueSortedBy(ports, portKey).map(portKey).join(';');
}

function unitePorts(a: readonly PortSpec[], b: readonly PortSpec[]): PortSpec[] {
  if (a.length === 0 || b.length === 0) return [];
  return uniqueSortedBy([...a, ...b], portKey);
}

const uniqueRules = (rs: RuleAssessment[]): RuleAssessment[] => uniqueSortedBy(rs, (r) => r.rule.id);
const uniqueEdges = (es: EdgeAssessment[]): EdgeAssessment[] => uniqueSortedBy([...new Set(es)], (e) => `${edgeKey(e.edge)}|${e.direction}`);

/** Peer keys are asked for again and again for the same (shared) peer objects. */
const peerKeys = new WeakMap<PolicyPeer, string>();
function cachedPeerKey(p: PolicyPeer): string {
  let k = peerKeys.get(p);
  if (k === undefined) peerKeys.set(p, (k = peerKey(p)));
  return k;
}

function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** One short sentence for the annotation; the full evidence goes to the JSON. */
function ruleText(g: { rules: RuleAssessment[]; edges: EdgeAssessment[]; notes: string[] }): string {
  const parts: string[] = [];
  const purposes = [...new Set(g.rules.map((r) => r.rule.purpose))].sort(compareStrings);
  if (purposes.length > 0) parts.push(`documented: ${purposes.join('; ')}`);
  if (g.edges.length > 0) {
    const flows = g.edges.reduce((n, e) => n + e.edge.flows, 0);
    const last = Math.max(...g.edges.map((e) => e.edge.lastSeen));
    parts.push(`observed: ${g.edges.length} edge(s), ${flows} flow(s), last seen ${formatDay(last)}`);
  }
  parts.push(...g.notes);
  return parts.join('. ');
}

function ruleId(g: { rules: RuleAssessment[]; edges: EdgeAssessment[]; notes: string[] }, fallback: string): string {
  const ids = g.rules.map((r) => r.rule.id);
  // Edge ids depend on ingest order; edge keys do not (same inputs → same bytes).
  if (ids.length === 0) ids.push(...g.edges.map((e) => `edge:${edgeKey(e.edge).replace(/\|0*/g, '|')}`));
  return ids.length > 0 ? [...new Set(ids)].sort(compareStrings).join(' ') : fallback;
}

/** Merges atoms of one direction into sorted IR rules. */
export function groupAtoms(direction: Direction, atoms: readonly Atom[]): GroupedRule[] {
  const byPeer = new Map<string, Atom>();
  for (const a of atoms) {
    if (a.direction !== direction) continue;
    const apiserverEgress = direction === 'egress' && a.peer.kind === 'apiserver';
    const ports = apiserverEgress ? [] : a.ports;
    const k = cachedPeerKey(a.peer);
    const prev = byPeer.get(k);
    if (!prev) {
      byPeer.set(k, { ...a, ports: [...ports], rules: [...a.rules], edges: [...a.edges], notes: [...a.notes] });
      continue;
    }
    prev.ports = unitePorts(prev.ports, ports);
    prev.status = worst([prev.status, a.status]);
    prev.rules.push(...a.rules);
    prev.edges.push(...a.edges);
    prev.notes.push(...a.notes);
  }
  const groups = new Map<string, { peers: PolicyPeer[]; ports: PortSpec[]; statuses: RuleStatus[]; rules: RuleAssessment[]; edges: EdgeAssessment[]; notes: string[] }>();
  for (const a of [...byPeer.entries()].sort((x, y) => compareStrings(x[0], y[0])).map(([, a]) => a)) {
    const k = direction === 'egress' && a.peer.kind === 'apiserver' ? `apiserver:${cachedPeerKey(a.peer)}` : `ports:${portSetKey(a.ports)}`;
    const g = groups.get(k) ?? { peers: [], ports: a.ports, statuses: [], rules: [], edges: [], notes: [] };
    g.peers.push(a.peer);
    g.statuses.push(a.status);
    g.rules.push(...a.rules);
    g.edges.push(...a.edges);
    g.notes.push(...a.notes);
    groups.set(k, g);
  }
  const out: GroupedRule[] = [];
  for (const [k, g] of [...groups.entries()].sort((a, b) => compareStrings(a[0], b[0]))) {
    const rules = uniqueRules(g.rules);
    const edges = uniqueEdges(g.edges);
    const notes = [...new Set(g.notes)].sort(compareStrings);
    const status = worst(g.statuses);
    const ev = { rules, edges, notes };
    const id = ruleId(ev, `${direction}:${k}`);
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
