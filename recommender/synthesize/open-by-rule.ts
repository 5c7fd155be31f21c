/**
 * A direction the recommendation leaves open, where the engine enforcing it denies a direction no
 * rule allows: Cilium under `enable-policy: always` (cilium/cilium Documentation/security/policy/
 * intro.rst "Policy Enforcement Modes": "policy enforcement is enabled on all endpoints even if no
 * rules select specific endpoints"; pkg/policy/repository.go computePolicyEnforcementAndRules
 * enforces both directions of every endpoint then). Writing no policy for the direction (`--no-egress`,
 * the cluster DNS with no upstream resolver seen, a direction no matrix speaks about in mode
 * documented) would cut all of it: it is opened by an allow-all rule instead, as `leftOpen` opens
 * one above a namespace default-deny (workload.ts). The engines render it as every peer (Cilium's
 * `all` entity, pkg/policy/api/entity.go; a NetworkPolicy's empty rule). Host-network workloads
 * (their node's host endpoint decides, no pod policy selects them) and workloads with no labels
 * (a policy would select their whole namespace) are left as they are. The warnings of such a
 * direction are worded so where they are made (open-words.ts, `Planning.openByRule` in workload.ts).
 */
import { DIRECTIONS, type Direction } from '../../domain/direction.ts';
import type { Workload } from '../../domain/inventory.ts';
import { explanation, type DirectionInput } from '../policy/build.ts';
import { layerCovers } from './outside-run.ts';
import type { PodNetwork } from './mirrored-rules.ts';
import { OPEN_BY_RULE, opensLeftByRule } from './open-words.ts';
import { intentKey, nameOf, restricts, workloadSubject, workloadSummary, type PlannedIntent, type WorkloadPlan } from './workload.ts';

/** The opened direction's rule explanation (its manifest annotation). */
const OPEN_EXPLAINED = 'open: enable-policy always denies a direction no rule allows, so leaving it open needs a rule (Cilium intro.rst "Policy Enforcement Modes")';

/**
 * Opens by an allow-all rule each direction of the plan's workload that neither its own intents nor
 * the namespace layers covering it (`layers`) restrict, on its allowlist (made where it has none);
 * its edges of that direction are then the rule's, no longer left out, and its summary says so
 * (its warnings did when they were made). Nothing for a host-network workload, one with no pod on
 * the pod network or no labels (opensLeftByRule).
 */
export function openLeftDirections(plan: WorkloadPlan, layers: readonly PlannedIntent[], podNetwork: PodNetwork): void {
  const w = plan.workload;
  if (plan.hostNetwork || !opensLeftByRule(w, true, podNetwork)) return;
  const covering = layers.filter((l) => layerCovers(l, w.namespace));
  const opened = DIRECTIONS.filter((d) => ![...plan.intents, ...covering].some((i) => restricts(i, d)));
  if (opened.length === 0) return;
  const allowlist = allowlistOf(plan);
  for (const d of opened) allowlist.input[d] = openDirection(w, d);
  plan.excluded = plan.excluded.filter((x) => !opened.includes(x.edge.direction));
  plan.summary = openedSummary(plan, allowlist, opened);
}

function openDirection(w: Workload, d: Direction): DirectionInput {
  return { mode: 'allow-all', ports: [], explanation: explanation(`${intentKey(w)}#${d}-open`, 'implied', OPEN_EXPLAINED) };
}

/** The workload's allowlist intent; one restricting nothing yet where it has none (a workload given no policy). */
function allowlistOf(plan: WorkloadPlan): PlannedIntent {
  const w = plan.workload;
  const key = intentKey(w);
  const found = plan.intents.find((i) => i.input.key === key && i.input.layer === 'allowlist');
  if (found !== undefined) return found;
  const made: PlannedIntent = {
    input: { key, namespace: w.namespace, layer: 'allowlist', subject: workloadSubject(w), ingress: { mode: 'none' }, egress: { mode: 'none' }, explanation: `Allowlist for ${nameOf(w)}: the directions the recommendation leaves open, opened by an allow-all rule, as the cilium-config's enable-policy: always denies what no rule allows.` },
    rules: [],
    evidence: [],
  };
  plan.intents.push(made);
  return made;
}

/** The summary as workload.ts words it, an opened direction as OPEN_BY_RULE. */
function openedSummary(plan: WorkloadPlan, allowlist: PlannedIntent, opened: readonly Direction[]): string {
  const mode = (d: Direction): string => (opened.includes(d) ? OPEN_BY_RULE : allowlist.input[d]?.mode ?? 'none');
  return workloadSummary(nameOf(plan.workload), plan, { ingress: mode('ingress'), egress: mode('egress') });
}
