/**
 * Observed ICMP echo (ping) as rules: one per protocol of a workload direction (`ICMP`, echo
 * request type 8; `ICMPv6`, type 128), naming the peers it was observed with, with the edges as
 * evidence like every rule. ICMP has no port: these are no PolicyRule but the direction's `echo`
 * (policy/ir.ts EchoRule), which only Cilium and Calico render.
 */
import { ECHO_TYPES, type IcmpProtocol } from '../../domain/flow.ts';
import type { RuleAssessment, EdgeKeys, SideComparison } from '../compare/compare.ts';
import { explanation, type DirectionInput, type EchoRuleInput } from '../policy/build.ts';
import { ECHO_PEER_KINDS, type Direction, type PolicyPeer, type PolicyRuleStatus } from '../policy/ir.ts';
import { compareStrings, uniqueSortedBy } from '../policy/order.ts';
import { attentionStatus, ruleText, type GroupedRule } from './atoms.ts';
import { echoRuleId } from './rule-ids.ts';

/** The echo atoms of one protocol: its peers, the far ends as edges name them, and the evidence. */
interface EchoEntry {
  peers: Map<string, PolicyPeer>;
  seen: Set<string>;
  statuses: PolicyRuleStatus[];
  rules: RuleAssessment[];
  edges: number[];
  notes: string[];
}

/** Whether an echo rule can name every one of these peers (ECHO_PEER_KINDS). */
export const echoCanName = (peers: readonly PolicyPeer[]): boolean => peers.length > 0 && peers.every((p) => ECHO_PEER_KINDS.has(p.kind));

/** The echo atoms of one workload direction, added as its edges are met. */
export class EchoAtoms {
  private readonly byProtocol = new Map<IcmpProtocol, EchoEntry>();

  constructor(
    readonly direction: Direction,
    /** The workload's edges of this direction: the positions atoms carry point into it. */
    readonly side: SideComparison,
  ) {}

  /** The echo edge at position `edge` of the side, to or from `peers` (keys `keys`), its far end named `seen`. */
  add(protocol: IcmpProtocol, peers: readonly PolicyPeer[], keys: readonly string[], seen: string, status: PolicyRuleStatus, rules: readonly RuleAssessment[], edge: number, notes: readonly string[]): void {
    let e = this.byProtocol.get(protocol);
    if (e === undefined) this.byProtocol.set(protocol, (e = { peers: new Map(), seen: new Set(), statuses: [], rules: [], edges: [], notes: [] }));
    peers.forEach((p, i) => e.peers.set(keys[i]!, p));
    e.seen.add(seen);
    e.statuses.push(status);
    e.rules.push(...rules);
    e.edges.push(edge);
    e.notes.push(...notes);
  }

  /** One rule per protocol, ICMP before ICMPv6, marked `echo`. */
  build(keys: EdgeKeys): GroupedRule[] {
    return [...this.byProtocol.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([protocol, e]) => this.rule(protocol, e, keys));
  }

  private rule(protocol: IcmpProtocol, e: EchoEntry, keys: EdgeKeys): GroupedRule {
    const direction = this.direction;
    const idx = this.uniquePositions(e.edges, keys);
    const rules = uniqueSortedBy(e.rules, (r) => r.rule.id);
    const status = attentionStatus(e.statuses);
    const notes = [...new Set([echoNote(protocol), ...e.notes])].sort(compareStrings);
    let digest = 0;
    for (const i of idx) digest = (digest + keys.digest(this.side.edges[i]!)) >>> 0;
    const id = rules.length > 0 ? [...new Set(rules.map((r) => r.rule.id))].sort().join(' ') : echoRuleId(direction, protocol, idx.length, digest, idx.length === 1 ? keys.id(this.side.edges[idx[0]!]!) : undefined);
    const peers = [...e.peers.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([, p]) => p);
    return {
      direction,
      status,
      rules,
      evidence: [{ side: this.side, idx }],
      observedInFlows: idx.length > 0,
      notes,
      input: { peers, explanation: explanation(id, status, ruleText(rules, idx.length > 0, notes)) },
      echo: { protocol, seen: [...e.seen].sort(compareStrings) },
    };
  }

  /** Ascending positions, one per edge key (the first of equal keys kept), as a rule's evidence lists them. */
  private uniquePositions(positions: readonly number[], keys: EdgeKeys): number[] {
    const byKey = new Map<string, number>();
    for (const i of [...positions].sort((a, b) => a - b)) {
      const k = keys.key(this.side.edges[i]!);
      if (!byKey.has(k)) byKey.set(k, i);
    }
    return [...byKey.values()];
  }
}

/** What an echo rule allows, said in its explanation. */
function echoNote(protocol: IcmpProtocol): string {
  return `${protocol} echo request (type ${ECHO_TYPES[protocol].request}); the reply is return traffic`;
}

/** The IR echo rule of an echo GroupedRule. */
function echoInput(g: GroupedRule & { echo: NonNullable<GroupedRule['echo']> }): EchoRuleInput {
  return { protocol: g.echo.protocol, peers: g.input.peers, seen: g.echo.seen, explanation: g.input.explanation };
}

const isEcho = (g: GroupedRule): g is GroupedRule & { echo: NonNullable<GroupedRule['echo']> } => g.echo !== undefined;

/** A direction of these grouped rules, port rules and echo rules apart (`none` when there are none). */
export function rulesDirection(rules: readonly GroupedRule[]): DirectionInput {
  if (rules.length === 0) return { mode: 'none' };
  const echo = rules.filter(isEcho).map(echoInput);
  const ported = rules.filter((g) => !isEcho(g)).map((g) => g.input);
  return echo.length === 0 ? { mode: 'rules', rules: ported } : { mode: 'rules', rules: ported, echo };
}
