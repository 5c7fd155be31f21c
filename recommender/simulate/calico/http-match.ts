/**
 * A Calico rule's `http` match (HTTPMatch: methods, paths) is no part of what felix programs:
 * felix/rules/policy.go CalculateRuleMatch renders the protocol, nets, IP sets, ports and ICMP of a
 * rule and no HTTP field, so felix enforces the rule's L3/L4 part alone — which the calico simulator
 * judges (calico/rules.ts). The HTTP part is enforced by Dikastes where application layer policy is
 * on, for ingress only (docs.tigera.io network-policy/istio/http-methods): which requests it refuses
 * no flow or edge shows, so each such rule is named in a warning rather than judged silently.
 */
import { isPlainObject } from '../../../domain/plain-object.ts';
import { manifestId } from '../../engines/manifest-id.ts';

const CALICO_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy']);

/** One warning per rule with an `http` match, naming the manifest and the field. */
export function httpMatchWarnings(policies: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const p of policies) {
    if (!isPlainObject(p) || p.apiVersion !== 'projectcalico.org/v3' || !CALICO_KINDS.has(String(p.kind)) || !isPlainObject(p.spec)) continue;
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = Array.isArray(p.spec[direction]) ? (p.spec[direction] as unknown[]) : [];
      rules.forEach((r, i) => {
        if (!isPlainObject(r) || r.http === undefined || r.http === null) return;
        out.push(
          `${manifestId(p)}/spec/${direction}/${i}/http: the HTTP match (methods, paths) is not judged: felix enforces the rule's L3/L4 part alone, as judged here; where application layer policy is on, Dikastes also refuses the HTTP requests it does not match (ingress only), which no flow shows`,
        );
      });
    }
  }
  return out;
}
