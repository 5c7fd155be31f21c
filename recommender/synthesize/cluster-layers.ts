/**
 * Cluster-wide shared layers (--shared): a rule that the shared policies of several namespaces
 * all hold is written once, as one intent whose subject is those namespaces (every pod of
 * each) — a Calico GlobalNetworkPolicy, a CiliumClusterwideNetworkPolicy, one cluster-scoped
 * ClusterNetworkPolicy; the kubernetes engine still writes one NetworkPolicy per namespace.
 * Seed 001: rules shared by a whole system are "defined in a single place … based on labels".
 *
 * Semantics stay those of the per-namespace policies: the cluster-wide intent selects exactly
 * the pods they selected, allow rules are a union, and a direction whose last rule moves out
 * of a namespace's shared policy is still isolated by the cluster-wide intent. Only rules whose
 * peers name their namespaces move: "the subject's own namespace" differs per namespace (peers
 * in a namespace's own namespace are made explicit first, so `pods app=x` in shared policy of
 * `a` and `pods app=x in a` in that of `b` are one rule).
 */
import { explanation, namespacePeer, podsPeer, type DirectionInput, type IntentInput, type RuleInput } from '../policy/build.ts';
import { sharedIntentKey, type Direction, type PolicyPeer } from '../policy/ir.ts';
import { compareStrings, policyPeerKey, portKey } from '../policy/order.ts';
import { attentionStatus, ruleText, type GroupedRule } from './atoms.ts';
import { combineObserved, observedRuleId } from './rule-ids.ts';
import type { PlannedIntent } from './workload.ts';

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

/** The peer with "own namespace" replaced by `namespace`. */
function explicit(p: PolicyPeer, namespace: string): PolicyPeer {
  if (p.kind === 'pods' && p.namespace === undefined) return podsPeer(p.selector, namespace);
  if (p.kind === 'namespace' && p.namespace === undefined) return namespacePeer(namespace);
  return p;
}

function shapeKey(direction: Direction, r: RuleInput): string {
  return `${direction}#${r.peers.map(policyPeerKey).sort(compareStrings).join(';')}#${(r.ports ?? []).map(portKey).sort(compareStrings).join(';')}`;
}

interface Member {
  namespace: string;
  rule: GroupedRule;
}

function mergedRule(direction: Direction, members: readonly Member[]): GroupedRule {
  const first = members[0]!.rule;
  const observed = combineObserved(members.flatMap((m) => (m.rule.observed ? [m.rule.observed] : [])));
  const ids = [...new Set(members.flatMap((m) => (m.rule.observed ? [] : m.rule.input.explanation.id.split(' '))))];
  if (observed) ids.push(observedRuleId(observed));
  const status = attentionStatus(members.map((m) => m.rule.status));
  const namespaces = members.map((m) => m.namespace);
  const peers = first.input.peers.map((p) => explicit(p, members[0]!.namespace));
  const rules = members.flatMap((m) => m.rule.rules);
  const evidence = members.flatMap((m) => m.rule.evidence);
  const notes = [...new Set(members.flatMap((m) => m.rule.notes))];
  const rule: GroupedRule = {
    direction,
    status,
    rules,
    evidence,
    notes,
    input: {
      peers,
      ...(first.input.ports !== undefined ? { ports: first.input.ports } : {}),
      // Every member namespace's edges, as the combined id counts them.
      explanation: explanation(ids.sort(compareStrings).join(' '), status, `shared by every workload of namespaces ${namespaces.join(', ')}: ${ruleText(rules, evidence, notes)}`),
    },
  };
  if (observed) rule.observed = observed;
  return rule;
}

function directionOf(rules: readonly GroupedRule[]): DirectionInput {
  return rules.length > 0 ? { mode: 'rules', rules: rules.map((r) => r.input) } : { mode: 'none' };
}

/**
 * The namespace layers with the rules that two or more namespaces' shared policies hold moved
 * into cluster-wide intents, one per set of namespaces (key `cluster/shared/<ns>+<ns>…`).
 * Layers other than the per-namespace shared ones pass through unchanged; a shared policy left
 * with no rule disappears.
 */
export function clusterWideLayers(layers: readonly PlannedIntent[]): PlannedIntent[] {
  const shared = layers.filter((l) => l.input.layer === 'shared' && l.input.subject.kind === 'namespace').sort((a, b) => compareStrings(a.input.namespace!, b.input.namespace!));
  // shape → the namespaces holding it, in namespace order.
  const byShape = new Map<string, Member[]>();
  for (const l of shared) {
    const ns = l.input.namespace!;
    for (const rule of l.rules) {
      const explicitRule = { ...rule.input, peers: rule.input.peers.map((p) => explicit(p, ns)) };
      const k = shapeKey(rule.direction, explicitRule);
      const members = byShape.get(k) ?? [];
      if (!members.some((m) => m.namespace === ns)) members.push({ namespace: ns, rule });
      byShape.set(k, members);
    }
  }
  // namespace set → its rules; a rule moves only when at least two namespaces hold it.
  const bySet = new Map<string, { namespaces: string[]; rules: GroupedRule[]; moved: Set<GroupedRule> }>();
  for (const members of byShape.values()) {
    if (members.length < 2) continue;
    const namespaces = members.map((m) => m.namespace);
    const key = namespaces.join('+');
    const entry = bySet.get(key) ?? { namespaces, rules: [], moved: new Set<GroupedRule>() };
    entry.rules.push(mergedRule(members[0]!.rule.direction, members));
    for (const m of members) entry.moved.add(m.rule);
    bySet.set(key, entry);
  }
  if (bySet.size === 0) return [...layers];
  const moved = new Set<GroupedRule>();
  for (const e of bySet.values()) for (const r of e.moved) moved.add(r);

  const out: PlannedIntent[] = [];
  for (const l of layers) {
    if (!shared.includes(l) || !l.rules.some((r) => moved.has(r))) {
      out.push(l);
      continue;
    }
    const rules = l.rules.filter((r) => !moved.has(r));
    if (rules.length === 0) continue;
    const input: IntentInput = { ...l.input };
    for (const d of DIRECTIONS) input[d] = directionOf(rules.filter((r) => r.direction === d));
    out.push({ input, rules, evidence: l.evidence });
  }
  for (const { namespaces, rules } of [...bySet.values()].sort((a, b) => compareStrings(a.namespaces.join('+'), b.namespaces.join('+')))) {
    const input: IntentInput = {
      key: sharedIntentKey(namespaces),
      layer: 'shared',
      subject: { kind: 'namespaces', namespaces, selector: {} },
      explanation: `Rules every workload of namespaces ${namespaces.join(', ')} needs, written once for all of them (--shared).`,
    };
    for (const d of DIRECTIONS) {
      const own = rules.filter((r) => r.direction === d);
      if (own.length > 0) input[d] = directionOf(own);
    }
    out.push({ input, rules, evidence: [] });
  }
  return out;
}
