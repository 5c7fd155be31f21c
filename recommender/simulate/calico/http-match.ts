/**
 * A Calico rule's `http` match (HTTPMatch: methods, paths) is no part of what felix programs:
 * felix/rules/policy.go CalculateRuleMatch renders the protocol, nets, IP sets, ports and ICMP of a
 * rule and no HTTP field, so felix enforces the rule's L3/L4 part alone — which the calico simulator
 * judges (calico/rules.ts). The HTTP part is enforced by Dikastes where application layer policy is
 * on, for ingress only (docs.tigera.io network-policy/istio/http-methods): which requests it refuses
 * no flow or edge shows, so each such rule is named in a warning rather than judged silently.
 */
import { manifestId } from '../../engines/manifest-id.ts';
import { calicoPolicies, rulesOf } from './manifest-rules.ts';

const CALICO_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy']);

/** One warning per rule with an `http` match, naming the manifest and the field. */
export function httpMatchWarnings(policies: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const p of calicoPolicies(policies, CALICO_KINDS)) {
    for (const { rule, path } of rulesOf(p)) {
      if (rule.http === undefined || rule.http === null) continue;
      out.push(
        `${manifestId(p)}${path}/http: the HTTP match (methods, paths) is not judged: felix enforces the rule's L3/L4 part alone, as judged here; where application layer policy is on, Dikastes also refuses the HTTP requests it does not match (ingress only), which no flow shows`,
      );
    }
  }
  return out;
}
