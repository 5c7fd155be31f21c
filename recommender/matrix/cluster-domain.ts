/**
 * The cluster domain the observed DNS names show. `<service>.<ns>.svc.<zone>` is a Service's name,
 * `<zone>` the "configured cluster domain, e.g. cluster.local" (kubernetes/dns
 * docs/specification.md 2.1, 2.3.1; `<hostname>.<service>.<ns>.svc.<zone>` a headless Service's
 * endpoint, 2.4.1). A name the flows saw (Hubble's destination_names) of that form, naming a Service
 * the inventory holds, under another zone than `matrices.clusterDomain`, means the config is wrong:
 * a rule's `<service>.<ns>.svc.<zone>` would be read as an outside name (service-names.ts). Said,
 * never corrected silently: the config is the user's to change.
 */
import { canonicalDnsName } from '../../domain/dns-name.ts';
import type { Service } from '../../domain/inventory.ts';
import { compareStrings } from '../../domain/order.ts';
import type { ResolvedMatrix } from './resolved.ts';
import { clusterDomainParentWarning } from './service-names.ts';

/**
 * The Multi-Cluster Services domain: `<service>.<ns>.svc.clusterset.local` names a ServiceImport,
 * the Service exported from the clusters of a ClusterSet (kubernetes/enhancements
 * keps/sig-multicluster/1645-multi-cluster-services-api), never a kubelet's clusterDomain.
 */
const MULTI_CLUSTER_DOMAIN = 'clusterset.local';

/**
 * The warning when `names` (every observed DNS name) show Services of the inventory under another
 * cluster domain than `clusterDomain` and none under it, or undefined (names under clusterset.local,
 * MULTI_CLUSTER_DOMAIN, are no cluster domain's). One warning: the domain most names show (ties
 * by name), one example name, the config key to set.
 */
export function observedClusterDomainWarning(names: Iterable<string>, services: readonly Pick<Service, 'namespace' | 'name'>[], clusterDomain: string): string | undefined {
  const held = new Set(services.map((s) => `${s.namespace}/${s.name}`));
  const byDomain = new Map<string, Set<string>>();
  for (const written of names) {
    const name = canonicalDnsName(written);
    const domain = serviceNameDomain(name, held);
    // A name under the configured domain says the config matches the kubelets'.
    if (domain === clusterDomain) return undefined;
    if (domain === undefined || domain === MULTI_CLUSTER_DOMAIN) continue;
    byDomain.set(domain, (byDomain.get(domain) ?? new Set()).add(name));
  }
  const domains = [...byDomain.entries()].sort(([a, x], [b, y]) => y.size - x.size || compareStrings(a, b));
  if (domains.length === 0) return undefined;
  const [domain, shown] = domains[0]!;
  const example = [...shown].sort(compareStrings)[0]!;
  const others = domains.length > 1 ? ` (names under ${domains.slice(1).map(([d]) => d).join(', ')} too)` : '';
  return (
    `the flows show Service names under the cluster domain ${domain} (${example}), not the configured ${clusterDomain}: set \`matrices.clusterDomain: ${domain}\` in the cluster config ` +
    `(the kubelets' clusterDomain)${others}; until then a rule's <service>.<namespace>.svc.${domain} is taken for a name outside the cluster`
  );
}

/** The zone of `<…>.<service>.<ns>.svc.<zone>` when the inventory holds `<ns>/<service>` (`held`), else undefined. */
function serviceNameDomain(name: string, held: ReadonlySet<string>): string | undefined {
  const labels = name.split('.');
  for (let i = 2; i < labels.length - 1; i++) {
    if (labels[i] === 'svc' && held.has(`${labels[i - 1]}/${labels[i - 2]}`)) return labels.slice(i + 1).join('.');
  }
  return undefined;
}

/**
 * The warnings of the rules in force whose DNS peer holds a wildcard over a parent of the cluster
 * domain (service-names.ts clusterDomainParentWarning): once per rule and pattern, in matrix order.
 */
export function clusterDomainParentWarnings(matrices: readonly ResolvedMatrix[], clusterDomain: string): string[] {
  const out = new Set<string>();
  for (const rule of matrices.flatMap((m) => m.components.flatMap((c) => c.rules))) {
    if (!rule.active) continue;
    for (const peer of rule.peers) {
      if (peer.kind !== 'fqdn') continue;
      for (const pattern of peer.fqdns) {
        const warning = clusterDomainParentWarning(rule.id, pattern, clusterDomain);
        if (warning !== undefined) out.add(warning);
      }
    }
  }
  return [...out];
}
