/**
 * What the cilium-config's enforcement settings make of every Cilium policy, recommended or
 * applied, in the words of a warning: `enable-policy` (Helm `policyEnforcementMode`) and
 * `policy-audit-mode` (Helm `policyAuditMode`). The cilium simulator decides `always` and `never`
 * itself (../cilium.ts); audit mode changes no verdict, only whether Cilium drops what it denies.
 */
import type { SimCluster } from '../types.ts';

type Shown = Pick<SimCluster, 'ciliumPolicy'>;

/** Whether every endpoint denies what no rule allows, selected or not (`enable-policy: always`). */
export function deniesUnselected(cluster: Shown): boolean {
  return cluster.ciliumPolicy?.enablePolicy === 'always';
}

/**
 * `never`: nothing is enforced, so the manifests have no effect (intro.rst "Policy Enforcement
 * Modes": "policy enforcement is disabled on all endpoints, even if rules do select specific
 * endpoints"); audit mode: nothing is dropped (policy-creation.rst: "allow all traffic while
 * logging all connections that would otherwise be dropped by policy"), said only where policy is
 * enforced at all. `always` is said by the verification (`alwaysJudged`), whose verdicts it changes.
 */
export function enforcementModeWarnings(cluster: Shown): string[] {
  const p = cluster.ciliumPolicy;
  if (p?.enablePolicy === 'never') {
    return ['the cilium-config sets enable-policy: "never": Cilium enforces no policy on any endpoint (intro.rst "Policy Enforcement Modes"), so these manifests, like the applied policies, have no effect until it is "default" or "always"; the verdicts are what Cilium does now: everything allowed'];
  }
  if (p?.policyAuditMode === true) {
    return ['the cilium-config sets policy-audit-mode: "true": Cilium drops nothing — flows policy would deny pass, shown as AUDIT (policy-creation.rst "Policy Audit Mode") — so these manifests are not enforced until audit mode is off; the verdicts here are those it would enforce with audit mode off'];
  }
  return [];
}

/**
 * What `enable-policy: always` makes the verification judge, said once a run; none under another
 * mode. The directions the recommendation leaves open are opened by a rule for such an engine
 * (synthesize/open-by-rule.ts); a host-network workload's stay its node's host endpoint's; the far
 * side of an edge at a workload outside a scoped run is judged too (verify/far-workload-sides.ts).
 */
export function alwaysJudged(cluster: Shown): string[] {
  if (!deniesUnselected(cluster)) return [];
  return [
    `${alwaysSet(cluster)}: each side of an edge is judged so where its workload is recommended, and in a scoped run at a workload outside it too (the run writes no policy for it); a direction the recommendation leaves open is open by an allow-all rule (enable-policy: always), judged as the recommendation's own, and a host-network workload's, which no pod policy selects, is judged so too — what no policy allows there is denied, listed in blockedByApplied`,
  ];
}

/**
 * What `enable-policy: always` makes of a simulation that does not read it: the `kubernetes` one
 * of NetworkPolicies on a cluster running Cilium, whose agent enforces them as its own rules. By
 * NetworkPolicy semantics a pod no policy selects in a direction is not isolated there
 * (NetworkPolicySpec), so that simulation allows what the agent denies. None under another mode.
 */
export function alwaysNotSimulated(cluster: Shown, engine: string): string[] {
  if (!deniesUnselected(cluster)) return [];
  return [`${alwaysSet(cluster)}, which the ${engine} simulation does not read: where it allows a flow because no policy selects a pod in that direction, Cilium denies it — simulate with engine cilium for the agent's verdicts`];
}

function alwaysSet(cluster: Shown): string {
  const hosts = cluster.ciliumPolicy?.enableHostFirewall === true ? ', nodes and host-network pods too (the host firewall is on)' : '';
  return `the cilium-config sets enable-policy: "always": every endpoint denies in both directions what no rule allows, selected or not${hosts} (intro.rst "Policy Enforcement Modes")`;
}
