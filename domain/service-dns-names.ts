/**
 * The DNS names of a cluster's Services, as a pod's resolver reads them (kubernetes/dns
 * docs/specification.md; kubernetes.io "DNS for Services and Pods"): which Service a name spells,
 * completed through the asking pod's search path. One reading for every layer that meets a name:
 * the matrices' `fqdns` peers (recommender/matrix/service-names.ts) and the scrape targets
 * Prometheus names (collectors/prometheus/targets.ts).
 */
import { isApiserverService } from './apiserver.ts';
import { canonicalDnsName } from './dns-name.ts';
import type { Service } from './inventory.ts';

/** The cluster domain a cluster has unless its kubelets say otherwise (kubelet `clusterDomain`). */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/**
 * Where a name is asked from: the cluster domain (`<zone>`, kubernetes/dns docs/specification.md
 * 2.1: "configured cluster domain, e.g. cluster.local") and the asking pod's namespace, the first
 * entry of its search path — unknown for a peer no one component asks.
 */
export interface DnsAsker {
  clusterDomain: string;
  namespace?: string;
}

export const DEFAULT_ASKER: DnsAsker = { clusterDomain: DEFAULT_CLUSTER_DOMAIN };

export type ServiceRef = { namespace: string; service: string };
export type Services = readonly Pick<Service, 'namespace' | 'name' | 'clusterIPs' | 'type'>[];

/**
 * Whether one of the headless Service's endpoints is named `label` (its EndpointSlice hostname:
 * domain/pod-dns-names.ts endpointNamedIn), so that `<label>.<service>.<ns>.svc.<zone>` answers.
 */
export type EndpointNamed = (service: ServiceRef, label: string) => boolean;

/**
 * The Services a name may be answered by, in the order the asking pod's resolver tries them, and
 * whether it may still be asked as written (an outside name): `services` ends at the first one
 * that certainly answers (`outside` false then). One that only may answer comes before it: a
 * headless Service's endpoint `<hostname>.<service>`, where no stored endpoint is known to have that
 * hostname (EndpointNamed not given, or an inventory imported before hostnames were kept).
 */
export interface NameSearch {
  services: ServiceRef[];
  outside: boolean;
  /**
   * `<hostname>.<service>.<ns>.svc[.<zone>]` of a Service the inventory holds that is not headless:
   * the name has no record (no Service, no outside name), so nothing answers it (searchName).
   */
  noRecord?: ServiceRef;
  /**
   * The endpoint's label where the name spells one of a headless Service's endpoints
   * (`<endpoint>.<service>.<ns>.svc[.<zone>]`, or its short forms): the answer is that endpoint's
   * address alone (specification 2.4.1), which domain/pod-dns-names.ts `endpointsNamed` finds.
   */
  endpoint?: string;
}

/**
 * The one Service a DNS name names, not a wildcard: `<…>.<service>.<namespace>.svc[.<cluster
 * domain>]`; and, given the inventory's Services, the short forms a pod's search path completes
 * (`searchName`). Undefined where the name may also be asked outside or be another Service.
 */
export function serviceOfName(name: string, services?: Services, asker: DnsAsker = DEFAULT_ASKER): ServiceRef | undefined {
  const found = searchName(name, services, asker);
  return !found.outside && found.services.length === 1 ? found.services[0] : undefined;
}

/**
 * What a pod asking `name` reaches (NameSearch). A name under `.svc` (with the cluster domain or
 * without) is the Service it spells. Given the inventory's Services, a shorter name is searched as
 * the pod's resolv.conf does — `search <ns>.svc.<zone> svc.<zone> <zone>`, `options ndots:5`
 * (kubernetes.io "DNS for Services and Pods"), so with fewer than five dots every entry is tried
 * before the name as written:
 * - `<name>.<ns>.svc.<zone>`: one label is the Service of the asker's namespace; two,
 *   `<hostname>.<service>`, may be an endpoint of that namespace's headless Service (specification
 *   2.4.1), which answers only if one has that hostname — for certain where `endpointNamed` says a
 *   stored endpoint has it, and the search ends there;
 * - `<name>.svc.<zone>`: `<service>.<namespace>`, and a headless Service's endpoint
 *   `<hostname>.<service>.<namespace>`, where the inventory holds the Service (the apiserver's
 *   `kubernetes.default` always).
 * A name written absolute (`cart.shop.`) is not searched; `example.com` is searched too, and stays
 * an outside name unless a namespace `com` holds a Service `example`, which would answer first.
 */
export function searchName(name: string, services: Services | undefined, asker: DnsAsker, endpointNamed?: EndpointNamed): NameSearch {
  const outside = { services: [], outside: true };
  const { labels, inZone, spelled } = spell(name, asker);
  if (labels[0] === '*') return outside;
  if (spelled[spelled.length - 1] === 'svc') {
    if (spelled.length < 3) return outside;
    const ref = { service: spelled[spelled.length - 3]!, namespace: spelled[spelled.length - 2]! };
    // Endpoint hostname records exist for a headless Service only (specification 2.4.1; 2.3.1 gives a
    // Service with a ClusterIP its own name alone): under another one such a name answers nothing.
    if (spelled.length > 3 && services !== undefined && holds(services, ref) && !holds(services, ref, true)) return { services: [], outside: false, noRecord: ref };
    return { services: [ref], outside: false, ...(spelled.length > 3 ? { endpoint: spelled.slice(0, -3).join('.') } : {}) };
  }
  if (services === undefined || name.endsWith('.') || inZone) return outside;
  // One label is searched in the asker's namespace only (`<name>.svc.<zone>` is a namespace, no Service).
  if (labels.length === 1) return { services: asker.namespace === undefined ? [] : [{ service: labels[0]!, namespace: asker.namespace }], outside: false };
  const found: ServiceRef[] = [];
  for (const tried of searched(labels, asker)) {
    if (!holds(services, tried.ref, tried.endpoint)) continue;
    found.push(tried.ref);
    if (tried.certain || (tried.endpoint && endpointNamed?.(tried.ref, labels[0]!) === true)) return { services: found, outside: false, ...(found.length === 1 && tried.endpoint ? { endpoint: labels[0]! } : {}) };
  }
  return { services: found, outside: true };
}

/** A name's labels, whether it ends in the cluster domain, and its labels before that domain (all of them where it does not). */
export function spell(name: string, asker: DnsAsker): { labels: string[]; inZone: boolean; spelled: string[] } {
  const labels = canonicalDnsName(name).split('.');
  const zone = asker.clusterDomain.split('.');
  const inZone = labels.length > zone.length && zone.every((l, i) => labels[labels.length - zone.length + i] === l);
  return { labels, inZone, spelled: inZone ? labels.slice(0, -zone.length) : labels };
}

/**
 * The Services a short name's search entries spell, in resolv.conf order, each saying whether it
 * spells an endpoint's hostname (`<hostname>.<service>`, which needs a headless Service) and whether
 * its record answers for sure — no Service says which hostnames its endpoints have, so the client
 * namespace's `<hostname>.<service>` may not answer and the search goes on, unless a stored
 * endpoint has that hostname (searchName's `endpointNamed`).
 */
function searched(labels: readonly string[], asker: DnsAsker): { ref: ServiceRef; endpoint: boolean; certain: boolean }[] {
  const out: { ref: ServiceRef; endpoint: boolean; certain: boolean }[] = [];
  if (asker.namespace !== undefined && labels.length === 2) out.push({ ref: { service: labels[1]!, namespace: asker.namespace }, endpoint: true, certain: false });
  if (labels.length === 2 || labels.length === 3) out.push({ ref: { service: labels[labels.length - 2]!, namespace: labels[labels.length - 1]! }, endpoint: labels.length === 3, certain: true });
  return out;
}

/**
 * The inventory holds the Service (the apiserver's always). An endpoint's hostname needs a headless
 * Service: a Service with a ClusterIP has no such records (specification 2.4.1).
 */
function holds(services: Services, ref: ServiceRef, headlessOnly = false): boolean {
  if (isApiserverService(ref.namespace, ref.service)) return !headlessOnly;
  return services.some((s) => s.namespace === ref.namespace && s.name === ref.service && (!headlessOnly || isHeadless(s)));
}

/** A Service without a ClusterIP (`clusterIP: None`): its name answers with its endpoints' addresses. */
export function isHeadless(s: Pick<Service, 'clusterIPs' | 'type'>): boolean {
  return s.type !== 'ExternalName' && s.clusterIPs.length === 0;
}
