/**
 * Which lists of a policy spec are ordered, for drift (drift.ts): two specs that differ only in the
 * order of lists whose order decides nothing are the same policy.
 * - NetworkPolicy: every list is a set (allows add up, peers and ports OR, selector requirements
 *   AND; `policyTypes`, `values`, `except` are sets: the NetworkPolicy API reference).
 * - CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy: every list is a set too. Allow rules add
 *   up, wherever they are written (cilium/cilium pkg/policy/api rule.go `Rule`: "an ingress section
 *   which contains all rules applicable at ingress"; a `specs` list is rules of one object), and a
 *   deny rule wins over every allow whatever its position (Cilium docs, "Deny Policies": "Deny
 *   policies take precedence over allow policies"); peers, ports and selector requirements OR or AND.
 * - Calico NetworkPolicy / GlobalNetworkPolicy (projectcalico.org/v3): `spec.ingress` and
 *   `spec.egress` are "Ordered list[s]" of rules (Calico "NetworkPolicy" reference; the first rule
 *   that matches decides); every other list is a set: `types`, and a rule's `ports`, `notPorts`,
 *   `nets`, `notNets`, … match "one of" their items.
 * - ClusterNetworkPolicy: `spec.ingress` and `spec.egress` are ordered ("The relative precedence of
 *   ingress rules within a single CNP object … will be determined by the order in which the rule is
 *   written": network-policy-api apis/v1alpha2 clusternetworkpolicy_types.go); a rule's `from` /
 *   `to` ("If any element matches … then the specified action is applied"), `protocols`,
 *   `networks` and `domainNames` (`+listType=set`) and selector requirements are sets.
 * Other kinds are compared in order.
 */
import { isPlainObject } from '../domain/plain-object.ts';

type ListOrder = 'sets' | 'rules-in-order';

const LIST_ORDER: Readonly<Record<string, ListOrder>> = {
  'networking.k8s.io/v1|NetworkPolicy': 'sets',
  'cilium.io/v2|CiliumNetworkPolicy': 'sets',
  'cilium.io/v2|CiliumClusterwideNetworkPolicy': 'sets',
  'projectcalico.org/v3|NetworkPolicy': 'rules-in-order',
  'projectcalico.org/v3|GlobalNetworkPolicy': 'rules-in-order',
  'policy.networking.k8s.io/v1alpha2|ClusterNetworkPolicy': 'rules-in-order',
};

const RULE_LISTS = ['ingress', 'egress'] as const;

/**
 * The spec's text with its keys sorted and the items of every list whose order decides nothing
 * sorted too (for `apiVersion` and `kind`); undefined for a kind whose lists are all taken in order.
 */
export function orderFreeText(apiVersion: string, kind: string, spec: unknown): string | undefined {
  const order = LIST_ORDER[`${apiVersion}|${kind}`];
  if (order === undefined) return undefined;
  if (order === 'sets' || !isPlainObject(spec)) return canonical(spec, true);
  const keys = Object.keys(spec).sort();
  const field = (k: string): string => {
    const v = spec[k];
    // The rules keep their order; what is inside each is sets.
    const text = (RULE_LISTS as readonly string[]).includes(k) && Array.isArray(v) ? `[${v.map((rule) => canonical(rule, true)).join(',')}]` : canonical(v, true);
    return `${JSON.stringify(k)}:${text}`;
  };
  return `{${keys.map(field).join(',')}}`;
}

/** A value's text with its keys sorted; with `listsAreSets`, its lists' items sorted too. */
export function canonical(v: unknown, listsAreSets = false): string {
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x, listsAreSets));
    return `[${(listsAreSets ? items.sort() : items).join(',')}]`;
  }
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k], listsAreSets)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
