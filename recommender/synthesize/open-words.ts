/**
 * How a message says a direction the recommendation leaves open is open. Where the engine the
 * output is for denies what no rule allows, selected or not — Cilium under `enable-policy: always`
 * (cilium/cilium Documentation/security/policy/intro.rst "Policy Enforcement Modes": "policy
 * enforcement is enabled on all endpoints even if no rules select specific endpoints") — such a
 * direction is opened by an allow-all rule (open-by-rule.ts), and every summary and warning says
 * so where it is worded; elsewhere it is left open (no policy for it).
 */
import type { Workload } from '../../domain/inventory.ts';
import { selectorIsEmpty } from '../policy/order.ts';
import type { PodNetwork } from './mirrored-rules.ts';

/** How a summary or a warning names a direction opened by an allow-all rule. */
export const OPEN_BY_RULE = 'open by an allow-all rule (enable-policy: always)';

/**
 * `left open`, or how a direction opened by rule is open: by `enable-policy: always` (`openByRule`,
 * open-by-rule.ts), or above the namespace default-deny, where every engine's manifest writes the
 * allow-all rule whatever the enforcement mode (`aboveDefaultDeny`: --default-deny, workload.ts
 * leftOpen) — the rule that mode needs too.
 */
export function openWords(openByRule: boolean, aboveDefaultDeny = false): string {
  if (aboveDefaultDeny) return `open by an allow-all rule above the namespace default-deny (--default-deny${openByRule ? '; enable-policy: always needs one too' : ''})`;
  return openByRule ? OPEN_BY_RULE : 'left open';
}

/**
 * Whether the directions the recommendation leaves open of `w` are opened by an allow-all rule:
 * the run's engine denies what no rule allows (`runOpensByRule`), and a policy can select the
 * workload's pods on its own — not a host-network workload (its node's host endpoint decides, no
 * pod policy selects it) nor one with no labels (a policy would select its whole namespace).
 */
export function opensLeftByRule(w: Workload, runOpensByRule: boolean | undefined, podNetwork: PodNetwork): boolean {
  return runOpensByRule === true && podNetwork.onPodNetwork(w) && !selectorIsEmpty(w.selector);
}
