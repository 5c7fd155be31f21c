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
import { attentionStatus, ruleText, unitedUndocumented, type GroupedRule } from './atoms.ts';
import { combineObserved, observedRuleId } from './rule-ids.ts';
import { firstFew } from './first-few.ts';
import type { PlannedIntent } from './workload.ts';

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];
/** Kinds of evidence a cluster-wide rule's text names; those of the namespaces beyond are counted. */
const SHOWN_EVIDENCE = 3;

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

/** Namespaces whose part of a cluster-wide rule has the same evidence, in namespace order. */
interface EvidenceGroup {
  namespaces: string[];
  text: string;
}

/**
 * What evidences a member's part of the rule: its own matrix rules' purposes, whether its flows
 * show it, and its notes other than those every member has (`common`, said once at the end).
 */
function memberEvidence(m: Member, common: ReadonlySet<string>): string {
  return ruleText(m.rule.rules, m.rule.observedInFlows, m.rule.notes.filter((n) => !common.has(n)), m.rule.undocumented) || 'neither documented nor observed';
}

/** The members grouped by their evidence, in the order of each group's first namespace. */
function evidenceGroups(members: readonly Member[], common: ReadonlySet<string>): EvidenceGroup[] {
  const byText = new Map<string, EvidenceGroup>();
  for (const m of members) {
    const text = memberEvidence(m, common);
    const group = byText.get(text);
    if (group) group.namespaces.push(m.namespace);
    else byText.set(text, { namespaces: [m.namespace], text });
  }
  return [...byText.values()];
}

/**
 * The rule's text: each namespace's own evidence, as a reviewer must read it — one system's matrix
 * rule documents its own namespaces' traffic, not that of the namespaces it shares the rule with
 * (the demo's flux-system DNS egress read as documented by Kyma Telemetry's matrix). One kind of
 * evidence for all is said once; a few kinds and names are shown, the rest counted.
 */
function mergedText(members: readonly Member[], notes: readonly string[]): string {
  const head = `shared by every workload of namespaces ${firstFew(members.map((m) => m.namespace))}`;
  const common = new Set(notes.filter((n) => members.every((m) => m.rule.notes.includes(n))));
  const groups = evidenceGroups(members, common);
  if (groups.length === 1) {
    const rules = members.flatMap((m) => m.rule.rules);
    return `${head}: ${ruleText(rules, members.some((m) => m.rule.observedInFlows), notes, unitedUndocumented(members.map((m) => m.rule)))}`;
  }
  const parts = groups.slice(0, SHOWN_EVIDENCE).map((g) => `${firstFew(g.namespaces)} (${g.text})`);
  const beyond = groups.slice(SHOWN_EVIDENCE).reduce((n, g) => n + g.namespaces.length, 0);
  if (beyond > 0) parts.push(`… ${beyond} more namespace${beyond === 1 ? '' : 's'} with other evidence (recommend -o json lists it)`);
  return [`${head}: ${parts.join('; ')}`, ...[...common].sort(compareStrings)].join('. ');
}

function mergedRule(direction: Direction, members: readonly Member[]): GroupedRule {
  const first = members[0]!.rule;
  const observed = combineObserved(members.flatMap((m) => (m.rule.observed ? [m.rule.observed] : [])));
  const ids = [...new Set(members.flatMap((m) => (m.rule.observed ? [] : m.rule.input.explanation.id.split(' '))))];
  if (observed) ids.push(observedRuleId(observed));
  const status = attentionStatus(members.map((m) => m.rule.status));
  const peers = first.input.peers.map((p) => explicit(p, members[0]!.namespace));
  const rules = members.flatMap((m) => m.rule.rules);
  const evidence = members.flatMap((m) => m.rule.evidence);
  const notes = [...new Set(members.flatMap((m) => m.rule.notes))];
  const rule: GroupedRule = {
    direction,
    status,
    rules,
    evidence,
    observedInFlows: members.some((m) => m.rule.observedInFlows),
    notes,
    input: {
      peers,
      ...(first.input.ports !== undefined ? { ports: first.input.ports } : {}),
      explanation: explanation(ids.sort(compareStrings).join(' '), status, mergedText(members, notes)),
    },
  };
  if (observed) rule.observed = observed;
  const undocumented = unitedUndocumented(members.map((m) => m.rule));
  if (undocumented) rule.undocumented = undocumented;
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
