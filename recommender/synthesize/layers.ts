/**
 * Namespace layers around the per-workload allowlists: the default-deny layer below them, and
 * shared policies holding the rules every workload of a namespace has (Kyma's "defined in a
 * single place", seed 001).
 */
import { explanation, type DirectionInput, type IntentInput, type RuleInput } from '../policy/build.ts';
import type { Direction } from '../policy/ir.ts';
import { compareStrings, policyPeerKey, portKey } from '../policy/order.ts';
import { ruleText, unitedUndocumented, type GroupedRule } from './atoms.ts';
import { rulesDirection } from './echo-rules.ts';
import { combineObserved, observedRuleId } from './rule-ids.ts';
import type { PlannedIntent, WorkloadPlan } from './workload.ts';

export function defaultDenyIntent(namespace: string, egress: boolean): PlannedIntent {
  const deny = (d: Direction): DirectionInput => ({
    mode: 'deny-all',
    explanation: explanation(`${namespace}/default-deny#${d}`, 'implied', `namespace default-deny layer: ${d} not allowed by a policy above is denied`),
  });
  const input: IntentInput = {
    key: `${namespace}/default-deny`,
    namespace,
    layer: 'default-deny',
    subject: { kind: 'namespace' },
    ingress: deny('ingress'),
    explanation: `Default-deny layer for namespace ${namespace}, below the allowlists (--default-deny).`,
  };
  if (egress) input.egress = deny('egress');
  return { input, rules: [], evidence: [] };
}

const shapeKey = (r: RuleInput): string => `${r.peers.map(policyPeerKey).sort().join(';')}#${(r.ports ?? []).map(portKey).sort().join(';')}`;

/** The port rules of a direction: echo rules (echo-rules.ts) stay with their workload. */
function rulesOf(p: PlannedIntent, d: Direction): GroupedRule[] {
  return p.rules.filter((r) => r.direction === d && r.echo === undefined);
}

/**
 * Moves the rules common to every allowlist of a namespace into one shared policy. Only when
 * `plans` holds every isolatable workload of the namespace (`complete`) and at least two.
 * A direction left with no rule of its own is then governed by the shared policy alone.
 */
export function shareNamespace(namespace: string, plans: WorkloadPlan[]): PlannedIntent | undefined {
  const allowlists = plans.map((p) => p.intents.find((i) => i.input.layer === 'allowlist' && !i.input.key.endsWith('/exposed'))).filter((i): i is PlannedIntent => i !== undefined);
  if (allowlists.length < 2 || allowlists.length !== plans.length) return undefined;
  const shared: Record<Direction, GroupedRule[]> = { ingress: [], egress: [] };
  for (const d of ['ingress', 'egress'] as const) {
    if (allowlists.some((a) => a.input[d]?.mode !== 'rules')) continue;
    const [first, ...rest] = allowlists;
    for (const r of rulesOf(first!, d)) {
      const k = shapeKey(r.input);
      const all = rest.map((a) => rulesOf(a, d).find((x) => shapeKey(x.input) === k));
      if (all.some((x) => x === undefined)) continue;
      const group = [r, ...(all as GroupedRule[])];
      // Matrix ids are kept; the members only edges evidence become one observed id over all their edges.
      const observed = combineObserved(group.flatMap((g) => (g.observed ? [g.observed] : [])));
      const ids = [...new Set(group.flatMap((g) => (g.observed ? [] : g.input.explanation.id.split(' '))))];
      if (observed) ids.push(observedRuleId(observed));
      const rules = group.flatMap((g) => g.rules);
      const evidence = group.flatMap((g) => g.evidence);
      const observedInFlows = group.some((g) => g.observedInFlows);
      const undocumented = unitedUndocumented(group);
      // The text sums every member's edges, as the combined id counts them.
      const text = `shared by all ${allowlists.length} workloads of ${namespace}: ${ruleText(rules, observedInFlows, r.notes, undocumented)}`;
      const rule: GroupedRule = { ...r, rules, evidence, observedInFlows, input: { ...r.input, explanation: explanation(ids.sort(compareStrings).join(' '), r.status, text) } };
      if (observed) rule.observed = observed;
      else delete rule.observed;
      if (undocumented) rule.undocumented = undocumented;
      else delete rule.undocumented;
      shared[d].push(rule);
    }
  }
  if (shared.ingress.length === 0 && shared.egress.length === 0) return undefined;
  for (const a of allowlists) {
    for (const d of ['ingress', 'egress'] as const) {
      if (shared[d].length === 0) continue;
      const keys = new Set(shared[d].map((s) => shapeKey(s.input)));
      const own = a.rules.filter((r) => r.direction === d && (r.echo !== undefined || !keys.has(shapeKey(r.input))));
      a.rules = [...a.rules.filter((r) => r.direction !== d), ...own];
      a.input[d] = rulesDirection(own);
    }
    if ((a.input.ingress?.mode ?? 'none') === 'none' && (a.input.egress?.mode ?? 'none') === 'none') a.input = { ...a.input, explanation: `${a.input.explanation} Every rule is in the shared policy of ${namespace}.` };
  }
  const input: IntentInput = {
    key: `${namespace}/shared`,
    namespace,
    layer: 'shared',
    subject: { kind: 'namespace' },
    explanation: `Rules every workload of namespace ${namespace} needs, written once (--shared).`,
  };
  if (shared.ingress.length > 0) input.ingress = { mode: 'rules', rules: shared.ingress.map((r) => r.input) };
  if (shared.egress.length > 0) input.egress = { mode: 'rules', rules: shared.egress.map((r) => r.input) };
  return { input, rules: [...shared.ingress, ...shared.egress], evidence: [] };
}
