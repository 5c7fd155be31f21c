/**
 * The two agent-side refusals the engine tests guard against, mirrored for the tests only (the
 * product's admission checks live in recommender/verify):
 * - Cilium, pkg/policy/api/rule_validation.go (IngressRule/EgressRule sanitize): a rule may set
 *   only one of FromEndpoints, FromCIDR, FromCIDRSet, FromEntities, FromNodes, FromGroups (To…
 *   likewise, plus ToServices and ToFQDNs): "Combining %s and %s is not supported yet".
 * - Calico, libcalico-go lib/validator/v3/validator.go (validateRule): the nets and notNets of
 *   one rule's source and destination are all of one address family: "rule contains both IPv4
 *   and IPv6 CIDRs".
 */
import type { Manifest } from '../../recommender/engines/types.ts';

const CILIUM_L3 = {
  ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'],
  egress: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toFQDNs', 'toGroups', 'toNodes'],
} as const;

export function ciliumRuleProblems(manifests: readonly Manifest[]): string[] {
  const out: string[] = [];
  for (const m of manifests) {
    if (!m.kind.startsWith('Cilium')) continue;
    for (const d of ['ingress', 'egress'] as const) {
      const rules = (m.spec[d] ?? []) as Record<string, unknown[]>[];
      rules.forEach((r, i) => {
        const kinds = CILIUM_L3[d].filter((k) => (r[k] ?? []).length > 0);
        if (kinds.length > 1) out.push(`${m.metadata.namespace ?? ''}/${m.metadata.name} ${d}[${i}]: Combining ${kinds.join(' and ')} is not supported yet`);
      });
    }
  }
  return out;
}

export function calicoRuleProblems(manifests: readonly Manifest[]): string[] {
  const out: string[] = [];
  for (const m of manifests) {
    if (m.apiVersion !== 'projectcalico.org/v3') continue;
    for (const d of ['ingress', 'egress'] as const) {
      const rules = (m.spec[d] ?? []) as { source?: Record<string, string[]>; destination?: Record<string, string[]> }[];
      rules.forEach((r, i) => {
        const cidrs = [...(r.source?.nets ?? []), ...(r.source?.notNets ?? []), ...(r.destination?.nets ?? []), ...(r.destination?.notNets ?? [])];
        const v6 = cidrs.filter((c) => c.includes(':')).length;
        if (v6 > 0 && v6 < cidrs.length) out.push(`${m.metadata.namespace ?? ''}/${m.metadata.name} ${d}[${i}]: rule contains both IPv4 and IPv6 CIDRs`);
      });
    }
  }
  return out;
}
