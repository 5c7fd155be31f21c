/**
 * The `order` of flowmatrix's Calico layers beside the Calico policies already applied.
 *
 * Within a tier, "policies … are processed in order": the first that Allows or Denies the packet
 * ends the evaluation, one that Passes it hands it to the next tier (docs.tigera.io reference/
 * resources/tier, "How policy is evaluated"; lower order first, felix calc/policy_sorter.go
 * PolKVLess, ties by name). flowmatrix writes Allow rules only, so one of its policies evaluated
 * before an applied Deny or Pass overrides that decision. Kubernetes NetworkPolicies — what a
 * namespace owner writes — land in the default tier at order 1000 (libcalico-go conversion), which
 * is the allowlists' order: an administrator's Deny before 1000 is one "developers cannot override"
 * (Calico docs, get-started/calico-network-policy), and flowmatrix's output must not either. The
 * shared layer (900 by default) is the one that would: it moves after every such policy.
 */
import type { AppliedPolicy } from '../../domain/inventory.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import type { Layer } from '../policy/ir.ts';
import { managedByFlowmatrix } from './metadata.ts';
import { inCalicoDefaultTier, isCalicoPolicyKind } from '../calico-listed-name.ts';

export const DEFAULT_CALICO_ORDER: Readonly<Record<Layer, number>> = { shared: 900, allowlist: 1000, 'default-deny': 2000 };

/** Whether a Calico rule list holds a rule that ends the evaluation against an Allow (Deny) or skips the tier's later policies (Pass). */
function decidesAgainstAllow(rules: unknown): boolean {
  return Array.isArray(rules) && rules.some((r) => isPlainObject(r) && (r.action === 'Deny' || r.action === 'Pass'));
}

/**
 * The orders of the applied default-tier projectcalico.org/v3 NetworkPolicies and
 * GlobalNetworkPolicies holding a Deny or Pass rule, flowmatrix's own left out (its earlier runs:
 * counting them would move the orders run to run). A policy without `order` is evaluated after
 * every ordered one (felix: absent = +Inf), after flowmatrix's too, and is not counted.
 */
function appliedDenyingOrders(applied: readonly AppliedPolicy[]): number[] {
  const orders: number[] = [];
  for (const { manifest: m } of applied) {
    if (!isPlainObject(m) || !isCalicoPolicyKind(m.apiVersion, m.kind)) continue;
    const spec = m.spec;
    if (!isPlainObject(spec) || typeof spec.order !== 'number' || !Number.isFinite(spec.order) || managedByFlowmatrix(m)) continue;
    // The default tier, the only one flowmatrix writes.
    if (inCalicoDefaultTier(m) && (decidesAgainstAllow(spec.ingress) || decidesAgainstAllow(spec.egress))) orders.push(spec.order);
  }
  return orders;
}

/**
 * The layers' orders beside the applied policies: the shared layer after every applied Deny or
 * Pass policy of the default tier ordered at or before the allowlists (`base.allowlist`, where
 * Kubernetes NetworkPolicies are), the allowlists after one at their own order (a tie is broken
 * by name, which flowmatrix does not choose), the default-deny after the allowlists. Ones ordered
 * after the allowlists are fallbacks a namespace owner's NetworkPolicy overrides too: not
 * counted. Same inputs, same orders: every emit of a recommendation takes these.
 */
export function calicoOrdersBeside(applied: readonly AppliedPolicy[], base: Readonly<Record<Layer, number>> = DEFAULT_CALICO_ORDER): Record<Layer, number> {
  const before = appliedDenyingOrders(applied).filter((o) => o <= base.allowlist);
  if (before.length === 0) return { ...base };
  const after = Math.floor(Math.max(...before)) + 1;
  const shared = Math.max(base.shared, after);
  const allowlist = Math.max(base.allowlist, shared);
  return { shared, allowlist, 'default-deny': Math.max(base['default-deny'], allowlist + 1) };
}
