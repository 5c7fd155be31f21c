/**
 * DNS names in a rule's `fqdns` peer that lead into the cluster: in-cluster Services' names,
 * resolved from the inventory, and names the flows showed answering with pods.
 *
 * `<service>.<namespace>.svc` (and a headless Service's pod `<hostname>.<service>.<namespace>.svc`),
 * under the cluster domain (`cluster.local` unless configured: DnsAsker) or without it, is a Service's name
 * (kubernetes.io "DNS for Services and Pods"): it resolves to the Service's ClusterIP, or to its
 * backends' addresses for a headless one — never to an address outside the cluster. A policy sees
 * the backend pods after the Service's translation, and no engine's DNS peer selects them: Cilium's
 * toFQDNs "selects remote, non-cluster, peers" and "shares all limitations of the CIDR based rules"
 * (docs.cilium.io "Layer 3 Policies", DNS based; pkg/policy/api/fqdn.go: the IPs "are later added as
 * toCIDRSet entries"), and the other engines render a name as addresses outside the cluster. So such
 * a name is the Service's workloads, as a `{namespace, selector}` peer, on the pod ports its Service
 * ports send to — a headless Service's on the ports as written, as nothing translates them, but for a
 * Service port's name, the endpoints' port its SRV record carries (targetPorts). One endpoint's
 * name `<hostname>.<service>.<namespace>.svc` answers with that endpoint alone: the workload of the
 * pod the EndpointSlices name so (endpointPeer), where they do.
 * An ExternalName Service's name is a CNAME to its externalName: the Service that names, where it
 * is an in-cluster Service's name; else it leads outside, and stays a DNS name, spelled as the pod
 * asks it, `<service>.<namespace>.svc.<zone>`, the name the engines tie the answer to (askedOutside).
 *
 * Any other name may be answered with a pod's address too — a split-horizon DNS answering
 * `shop.example.com` with an in-cluster gateway pod, a name whose CNAME is a headless Service — and
 * toFQDNs cannot allow it for the same reason: such a name is also the workloads it was seen
 * answering with (Hubble's destination_names of a flow to a pod, kept per workload at ingest). A
 * name whose CNAME is a non-headless Service is answered with its ClusterIP: it is that Service's
 * name in all but spelling, resolved as the Service's name is (destination_names of a flow to the
 * ClusterIP, kept at ingest for the backends with the Service).
 *
 * A pod resolves shorter forms too: its resolv.conf searches `<own namespace>.svc.cluster.local
 * svc.cluster.local cluster.local` with `ndots:5`, so "a Pod in the test namespace can successfully
 * resolve either data.prod or data.prod.svc.cluster.local" (kubernetes.io "DNS for Services and
 * Pods"): `<service>.<namespace>` (and a headless Service's pod `<hostname>.<service>.<namespace>`)
 * is the Service's name where the inventory holds that Service — `example.com` stays an outside
 * name unless a namespace `com` holds a Service `example`, which the pods' resolver would answer first.
 *
 * The `default/kubernetes` Service's names (`kubernetes.default.svc`, `kubernetes.default`) are the
 * apiserver, the `apiserver` peer each engine renders its own way (domain/apiserver.ts).
 */
import { isApiserverService } from '../../domain/apiserver.ts';
import type { NamesNotKept } from '../../domain/edge.ts';
import type { EndpointSlice, EndpointSliceEndpoint, InventorySnapshot, PodAddress, Service, Workload } from '../../domain/inventory.ts';
import { canonicalDnsName } from '../../domain/dns-name.ts';
import { DEFAULT_ASKER, DEFAULT_CLUSTER_DOMAIN, isHeadless, searchName, serviceOfName, type DnsAsker, type NameSearch, type ServiceRef } from '../../domain/service-dns-names.ts';
import { endpointNamedIn, endpointsNamed, podRecordOfName, type PodRecord } from '../../domain/pod-dns-names.ts';
import { addressWithPort } from '../../domain/ip.ts';
import { compareStrings } from '../../domain/order.ts';
import { serviceTargetPorts } from '../../domain/service-links.ts';
import { workloadKey } from '../../domain/peer.ts';
import { apiserverEndpoints, bindingPeer, uniquePorts } from './bindings.ts';
import type { ResolvedPeer, ResolvedPort } from './resolved.ts';
import type { MatricesConfigT } from './schema.ts';

export { serviceOfName, type DnsAsker };

/** The cluster domain a config sets (`matrices.clusterDomain`), else the default. */
export function clusterDomainOf(config: Pick<MatricesConfigT, 'clusterDomain'>): string {
  return config.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
}

/**
 * A pod address record's peers: the workload of each pod of the record's namespace holding the
 * address (CoreDNS `pods verified` answers for those only; `insecure` answers any address, which
 * leads to them all the same), on the ports as written — the answer is the pod's own address, no
 * Service translates it. None holds it: said in `unresolved`, no peer.
 */
function podRecordPeers(name: string, record: PodRecord, ports: readonly ResolvedPort[], inv: InventorySnapshot, unresolved: string[]): ResolvedPeer[] {
  const keys = new Set(inv.podAddresses.filter((a) => a.ip === record.address && a.namespace === record.namespace).map((a) => workloadKey(a.workload)));
  const workloads = inv.workloads.filter((w) => keys.has(workloadKey(w)));
  if (workloads.length === 0) {
    unresolved.push(`${name} is the pod address record of ${record.address} in namespace ${record.namespace}, which no pod of the inventory holds: write the pod's workload as a {namespace, selector} peer`);
    return [];
  }
  return workloads.map((w) => ({ ...bindingPeer({ namespace: w.namespace, selector: w.selector }, inv), ports: [...ports] }) as ResolvedPeer);
}

const NOT_SELECTED = 'inside the cluster, which no DNS peer selects (Cilium\'s toFQDNs "selects remote, non-cluster, peers")';

/**
 * Why a wildcard over the cluster domain cannot be a peer, or undefined: `*.shop.svc[.<cluster domain>]`
 * is every Service of namespace shop, `*.svc…` and `*.<cluster domain>` every Service (and pod) of the
 * cluster, `*.db.shop.svc…` the pods of headless Service shop/db, `*.shop.pod…` and `*.pod…` the pod
 * A records `<a>-<b>-<c>-<d>.<ns>.pod.<zone>` (kubernetes/dns docs/specification.md 2.6: "deprecated
 * but ... required to satisfy this specification"; CoreDNS's `pods` option), every pod's own address.
 * Those are in-cluster names no engine's DNS peer selects, and no one Service's pods to resolve them
 * to: a Service created later would answer to the wildcard, not to the selectors rendered today, each
 * Service with its own target ports. The author means a namespace. Judged under cluster.local and
 * under `configured` (`matrices.clusterDomain`) where the config is known; a refusal under
 * cluster.local when the config sets another domain says so.
 */
export function inClusterWildcardProblem(pattern: string, configured?: string): string | undefined {
  const name = canonicalDnsName(pattern);
  if (!name.startsWith('*.')) return undefined;
  const zone = configured ?? DEFAULT_CLUSTER_DOMAIN;
  const local = wildcardUnderZone(pattern, name.slice(2), DEFAULT_CLUSTER_DOMAIN, zone);
  if (local !== undefined && zone !== DEFAULT_CLUSTER_DOMAIN) return `${local} — "${pattern}" is under ${DEFAULT_CLUSTER_DOMAIN}, the default cluster domain (the config sets ${zone})`;
  return local ?? (zone !== DEFAULT_CLUSTER_DOMAIN ? wildcardUnderZone(pattern, name.slice(2), zone, zone) : undefined);
}

/**
 * inClusterWildcardProblem under the one cluster domain `zone`; `domain` is the pattern without its
 * `*.`, `writeZone` the domain of the names it suggests (the configured one).
 */
function wildcardUnderZone(pattern: string, domain: string, zone: string, writeZone: string): string | undefined {
  const labels = withoutZone(domain, zone).split('.').filter((l) => l !== '');
  const kind = domain === zone ? 'zone' : labels[labels.length - 1];
  if (kind === 'pod') {
    if (labels.length === 1) return `"${pattern}" names every pod of the cluster by its address record, ${NOT_SELECTED}: write {namespaceSelector: {}} (with a selector)`;
    const namespace = labels[labels.length - 2]!;
    return `"${pattern}" names every pod of namespace ${namespace} by its address record, ${NOT_SELECTED}: write {namespace: ${namespace}} (with a selector for some of its pods)`;
  }
  if (kind !== 'svc' && kind !== 'zone') return undefined;
  if (labels.length === 2) return `"${pattern}" names every Service of namespace ${labels[0]}, ${NOT_SELECTED}: write {namespace: ${labels[0]}} (with a selector for some of its pods) or each Service's name`;
  if (labels.length > 2) {
    const [service, namespace] = labels.slice(-3, -1);
    return `"${pattern}" names pods of the headless Service ${namespace}/${service}, ${NOT_SELECTED}: write the Service's name ${service}.${namespace}.svc.${writeZone}, which is its pods`;
  }
  return `"${pattern}" names every Service of the cluster, ${NOT_SELECTED}: write {namespaceSelector: {}} (with a selector) or each Service's name`;
}

/**
 * The warning for a rule's wildcard over a proper parent of the cluster domain (`*.corp.example`
 * over k8s.corp.example; `*.local` is refused already, syntax.ts fqdnProblem), or undefined. It covers every in-cluster
 * name but may mean outside names too, so it is not refused (inClusterWildcardProblem); the engines
 * allow the outside names under it only.
 */
export function clusterDomainParentWarning(rule: string, pattern: string, clusterDomain: string): string | undefined {
  const name = canonicalDnsName(pattern);
  if (!name.startsWith('*.') || !clusterDomain.endsWith(`.${name.slice(2)}`)) return undefined;
  return `${rule}: "${pattern}" covers the cluster domain ${clusterDomain}: no engine's DNS peer selects the in-cluster names under it (Services, pods; Cilium's toFQDNs "selects remote, non-cluster, peers"), so the rule allows the names outside the cluster only; write in-cluster traffic as a {namespace, selector} peer`;
}

/** `name` without its trailing cluster domain `zone` (`cart.shop.svc.corp.example` → `cart.shop.svc`; the zone itself → ''). */
function withoutZone(name: string, zone: string): string {
  if (name === zone) return '';
  return name.endsWith(`.${zone}`) ? name.slice(0, -zone.length - 1) : name;
}

/**
 * What the flows showed a DNS name answering with, by name pattern (`*.domain`: every name under
 * it, compare/addresses-by-name.ts): the workloads (their workloadKey) whose pods' own addresses a
 * flow under the name reached, the Services (namespace/name) whose ClusterIP it reached, and the
 * outside addresses. `notKept`: the store also holds flows whose in-cluster answers were never kept
 * (ingested before migration 0031), so a name without one here may have had one there.
 */
export interface NameAnswers {
  workloads: (pattern: string) => readonly string[];
  services: (pattern: string) => readonly string[];
  addresses: (pattern: string) => readonly string[];
  notKept?: NamesNotKept;
}

/** No flow seen: every name stays what it is written as. */
export const NO_ANSWERS: NameAnswers = { workloads: () => [], services: () => [], addresses: () => [] };

/**
 * A rule's peers with the DNS names of its `fqdn` peers — written in the rule, or a role's binding —
 * resolved where they lead into the cluster, each peer on its own ports (its own, else the rule's):
 * - a Service's name (`serviceOfName`), and a name the flows showed answering with a Service's
 *   ClusterIP (`answers.services`), is the Service's selector in its namespace, on the target ports
 *   of the ports that are its Service ports (a port it does not serve is taken as a pod port; a
 *   headless Service's numbered ports are pod ports); a Service that selects no pod today stays its selector
 *   (pods created later match it); the apiserver's Service is the `apiserver` peer; one the
 *   inventory does not hold, or without a selector, is unresolved, said in `unresolved`;
 * - a name the flows showed answering with pods of workloads (a split-horizon name for an in-cluster
 *   gateway, `answers.workloads`) is those workloads, on the ports as written (the answer is a pod
 *   address, no Service translates it), each peer naming the names (`dnsNames`); it stays a DNS
 *   name too where it was also seen answering with an outside address;
 * - every other name stays one `fqdn` peer; where the store holds flows whose in-cluster answers
 *   were never kept (`answers.notKept`), it says of its names without one that they are not known
 *   (`answersNotKept`): the flows may have seen a pod answer them, which the verification cannot tell.
 * Several peers each carry their ports, the rule's being their union (as a role's bindings:
 * resolved.ts ResolvedPeer). Peers without such names are returned as they are.
 */
export function resolveNamedPeers(
  peers: readonly ResolvedPeer[],
  ports: readonly ResolvedPort[],
  inv: InventorySnapshot,
  answers: NameAnswers,
  unresolved: string[],
  asker: DnsAsker = DEFAULT_ASKER,
): { peers: ResolvedPeer[]; ports: ResolvedPort[] } {
  const leadsIn = (name: string): boolean => {
    const search = searchName(name, inv.services, asker, endpointNamedIn(inv.endpointSlices));
    return search.services.length > 0 || !search.outside || podRecordOfName(name, asker) !== undefined || answeredBy(name, inv, answers).length > 0 || answers.services(name).length > 0;
  };
  if (!peers.some((p) => p.kind === 'fqdn' && p.fqdns.some(leadsIn))) return { peers: peers.map((p) => (p.kind === 'fqdn' ? withAnswersNotKept(p, p.fqdns, answers) : p)), ports: [...ports] };
  const out = peers.flatMap((p) => (p.kind === 'fqdn' ? namePeers(p.fqdns, p.ports ?? ports, inv, answers, unresolved, asker) : [{ ...p, ports: p.ports ?? [...ports] }]));
  if (out.length === 0) return { peers: out, ports: [...ports] };
  if (out.length === 1) {
    const { ports: own, ...peer } = out[0]!;
    return { peers: [peer as ResolvedPeer], ports: own ?? [] };
  }
  return { peers: out, ports: uniquePorts(out.flatMap((p) => p.ports ?? [])) };
}

/** One `fqdn` peer's names as peers on `ports` (resolveNamedPeers). */
function namePeers(names: readonly string[], ports: readonly ResolvedPort[], inv: InventorySnapshot, answers: NameAnswers, unresolved: string[], asker: DnsAsker): ResolvedPeer[] {
  const outside: string[] = [];
  const unanswered: string[] = [];
  const peers: ResolvedPeer[] = [];
  const answering = new Map<string, { workload: Workload; names: string[] }>();
  // The names asked outside so far: a rule may spell one name several ways (`ext`, `ext.shop.svc`).
  const asked = new Set<string>();
  for (const name of names) {
    const pod = podRecordOfName(name, asker);
    if (pod !== undefined) {
      peers.push(...podRecordPeers(name, pod, ports, inv, unresolved));
      continue;
    }
    const search = searchName(name, inv.services, asker, endpointNamedIn(inv.endpointSlices));
    if (search.noRecord !== undefined) {
      unresolved.push(noRecordText(name, search.noRecord, asker));
      continue;
    }
    const endpoint = endpointPeer(name, search, ports, inv);
    if (endpoint !== undefined) {
      peers.push(endpoint);
      continue;
    }
    const named = search.services.map((ref) => throughExternalNames({ ref, svc: serviceAt(inv, ref) }, inv, asker));
    // An ExternalName Service's name whose CNAME leads outside the cluster stays a DNS name.
    const aliases = named.filter((n) => n.svc?.type === 'ExternalName');
    const leadsOut = search.outside || aliases.length > 0;
    for (const { ref, svc } of named) {
      const peer = svc?.type === 'ExternalName' ? undefined : servicePeer(name, ref, svc, ports, inv, unresolved, asker);
      if (peer !== undefined) peers.push(peer);
    }
    if (!leadsOut && named.length > 0) continue;
    if (!leadsOut) {
      // A single label is searched in the asker's namespace only; a peer no one component asks has none.
      unresolved.push(`${name} names a Service of the asking pod's namespace, which this rule does not have: write <service>.<namespace>.svc.${asker.clusterDomain}`);
      continue;
    }
    for (const spelled of askedOutside(name, search, aliases, asker)) {
      if (asked.has(spelled)) continue;
      asked.add(spelled);
      // A name CNAMEd to a Service answers with its ClusterIP: the Service's name in another spelling.
      const viaServices = answers.services(spelled);
      for (const key of viaServices) {
        const [namespace, service] = key.split('/') as [string, string];
        const peer = servicePeer(spelled, { namespace, service }, inv.services.find((s) => s.namespace === namespace && s.name === service), ports, inv, unresolved);
        if (peer !== undefined) peers.push(peer);
      }
      const workloads = answeredBy(spelled, inv, answers);
      for (const w of workloads) {
        const entry = answering.get(workloadKey(w)) ?? { workload: w, names: [] };
        entry.names.push(spelled);
        answering.set(workloadKey(w), entry);
      }
      // A name answered only in-cluster is those workloads; one also answered outside stays a DNS name
      // too, and so does a pattern (`*.example.com`): it covers every name under it, most never seen
      // (docs/matrices.md), so one in-cluster answer under it says nothing of the others. toFQDNs
      // never selects the pods (docs.cilium.io "Layer 3 Policies", DNS based): the workloads above are
      // what reaches them.
      const noInClusterAnswer = workloads.length === 0 && viaServices.length === 0;
      if (noInClusterAnswer) unanswered.push(spelled);
      if (noInClusterAnswer || answers.addresses(spelled).length > 0 || isPattern(spelled)) outside.push(spelled);
    }
  }
  for (const key of [...answering.keys()].sort()) {
    const { workload: w, names: seen } = answering.get(key)!;
    peers.push({ ...bindingPeer({ namespace: w.namespace, selector: w.selector }, inv), dnsNames: seen, ports: [...ports] } as ResolvedPeer);
  }
  if (outside.length > 0) peers.push(withAnswersNotKept({ kind: 'fqdn', fqdns: outside, ports: [...ports] }, unanswered, answers));
  return peers;
}

/**
 * The DNS names a pod asking `name` sends outside the cluster's Services, as the engines see them:
 * the name as written where the search may end there (`search.outside`), and for each ExternalName
 * Service leading outside (`aliases`) that Service's own full name, `<service>.<ns>.svc.<zone>`.
 * However the rule spells such a Service (`ext`, `ext.shop`, `ext.shop.svc`), the resolver asks
 * that name — the search path completes it (kubernetes.io "DNS for Services and Pods": `search
 * <ns>.svc.<zone> svc.<zone> <zone>`, `ndots:5`) — and CoreDNS answers that one query with the
 * CNAME and the externalName's addresses (coredns plugin/backend_lookup.go `A`, the outside target
 * looked up and appended). Each engine ties the addresses to it: Cilium's DNS proxy to the query
 * name only (cilium/cilium daemon/cmd/fqdn.go notifyOnDNSMsg: `UpdateGenerateDNS` keyed by the
 * qname of pkg/fqdn/dnsproxy `ExtractMsgDetails`, whose CNAME targets are only logged), so toFQDNs
 * `matchName: ext` never matches and neither does the externalName; Hubble's destination_names, the
 * addresses the other engines render, are those qnames too. (Calico Enterprise's `domains` follow a
 * CNAME chain down from the name they hold, felix DomainInfoStore.GetDomainIPs, and NPEP-133 lets a
 * `domainNames` implementation use a single response's chain: the name asked serves them as well.)
 */
function askedOutside(name: string, search: NameSearch, aliases: readonly { ref: ServiceRef }[], asker: DnsAsker): string[] {
  return [...(search.outside ? [name] : []), ...aliases.map((a) => serviceDnsName(a.ref, asker))];
}

/** A Service's own name under the cluster domain: `<service>.<ns>.svc.<zone>` (kubernetes/dns docs/specification.md 2.3.1). */
function serviceDnsName(ref: ServiceRef, asker: DnsAsker): string {
  return `${ref.service}.${ref.namespace}.svc.${asker.clusterDomain}`;
}

/**
 * The peer of a name of one endpoint of a headless Service (`<hostname>.<service>.<ns>.svc…`, or a
 * short form the search path completes: NameSearch.endpoint), which answers with that endpoint's
 * address alone (kubernetes/dns docs/specification.md 2.4.1): the workload of the pod the Service's
 * EndpointSlices name so (domain/pod-dns-names.ts endpointsNamed: by hostname, or dashed address or
 * pod name), on the ports as a headless Service's pods are (targetPorts), naming the pod
 * (`endpoint`). Not the pod alone: the one label that tells it apart, a StatefulSet pod's
 * `statefulset.kubernetes.io/pod-name` (kubernetes.io "StatefulSets", Pod Name Label), is in no
 * Cilium identity (cilium#28003: a selector on it selects no pod, a NetworkPolicy's too) and an
 * edge's side is a workload as a whole, which such a selector cannot be judged on
 * (simulate/pod-identity-selectors.ts). Undefined where no stored endpoint has the name (an
 * inventory imported before hostnames were kept), or its pods are not the inventory's pods of one
 * workload: the Service's backends, a superset, stand for it.
 */
function endpointPeer(name: string, search: NameSearch, ports: readonly ResolvedPort[], inv: InventorySnapshot): ResolvedPeer | undefined {
  const [ref] = search.services;
  if (search.endpoint === undefined || search.outside || search.services.length !== 1 || ref === undefined) return undefined;
  const svc = serviceAt(inv, ref);
  if (svc === undefined || !isHeadless(svc)) return undefined;
  const endpoints = endpointsNamed(inv.endpointSlices, ref, search.endpoint);
  const pods = endpoints.flatMap((e) => podOfEndpoint(e, ref, inv) ?? []);
  if (endpoints.length === 0 || pods.length < endpoints.length) return undefined;
  const keys = new Set(pods.map((p) => workloadKey(p.workload)));
  const workloads = inv.workloads.filter((w) => keys.has(workloadKey(w)));
  if (keys.size !== 1 || workloads.length !== 1) return undefined;
  const peer = bindingPeer({ namespace: workloads[0]!.namespace, selector: workloads[0]!.selector }, inv);
  const named = [...new Set(pods.map((p) => `${p.namespace}/${p.pod}`))].sort(compareStrings);
  return { ...peer, endpoint: { name, service: `${ref.namespace}/${ref.service}`, pods: named }, ports: targetPorts(svc, ports, peer, inv) } as ResolvedPeer;
}

/** The inventory's pod an EndpointSlice endpoint of Service `ref` is: its target pod, else the pod holding its address. */
function podOfEndpoint(e: EndpointSliceEndpoint, ref: ServiceRef, inv: InventorySnapshot): PodAddress | undefined {
  const target = e.targetRef?.kind === 'Pod' ? e.targetRef : undefined;
  if (target !== undefined) return inv.podAddresses.find((a) => a.namespace === (target.namespace ?? ref.namespace) && a.pod === target.name);
  return inv.podAddresses.find((a) => e.addresses.includes(a.ip));
}

/** Why `<hostname>.<service>.<ns>.svc…` of a Service that is not headless answers nothing (NameSearch.noRecord). */
function noRecordText(name: string, ref: ServiceRef, asker: DnsAsker): string {
  const own = serviceDnsName(ref, asker);
  return `${name} has no DNS record: Service ${ref.namespace}/${ref.service} is not headless, and only a headless Service (clusterIP: None) has records for its endpoints' hostnames (<hostname>.<service>.<namespace>.svc.${asker.clusterDomain}): write the Service's name ${own}`;
}

/** The `fqdn` peer, saying which of `unanswered` (its names no flow showed answering in the cluster) are not known to be so (NameAnswers.notKept). */
function withAnswersNotKept(peer: ResolvedPeer & { kind: 'fqdn' }, unanswered: readonly string[], answers: NameAnswers): ResolvedPeer {
  if (answers.notKept === undefined || unanswered.length === 0) return peer;
  return { ...peer, answersNotKept: { ...answers.notKept, names: [...unanswered] } };
}

/**
 * The Service's selector in its namespace on its target ports (targetPorts) — kept when it selects no pod today,
 * as pods created later match it — the apiserver for `default/kubernetes`, or undefined (said in
 * `unresolved`) when the inventory lacks the Service or it has no selector.
 */
function servicePeer(name: string, ref: ServiceRef, svc: Service | undefined, ports: readonly ResolvedPort[], inv: InventorySnapshot, unresolved: string[], asker: DnsAsker = DEFAULT_ASKER): ResolvedPeer | undefined {
  // The apiserver's Service has no selector: its endpoints are the apiserver's own addresses, which
  // it keeps itself, and the engines render the apiserver each its own way (README, how each engine renders the apiserver).
  if (isApiserverService(ref.namespace, ref.service)) return { kind: 'apiserver', endpoints: apiserverEndpoints(inv), ports: [...ports] };
  if (svc === undefined) {
    const askedFrom = name.includes('.') ? '' : ` (asked from namespace ${asker.namespace ?? ref.namespace})`;
    unresolved.push(`${name} names Service ${ref.namespace}/${ref.service}${askedFrom}, which the inventory does not hold`);
    return undefined;
  }
  if (svc.selector === undefined) {
    unresolved.push(`${name} names Service ${ref.namespace}/${ref.service}, which has no selector (its endpoints are set by hand${endpointsOf(svc, inv)}): write each endpoint as the peer it is — peer {cidrs: [${hostBlockHint(svc, inv)}]} for an address outside the cluster, {namespace, selector} for pods, on the endpoint port`);
    return undefined;
  }
  const peer = bindingPeer({ namespace: svc.namespace, selector: { matchLabels: { ...svc.selector } } }, inv);
  return { ...peer, ports: targetPorts(svc, ports, peer, inv) };
}

function serviceAt(inv: InventorySnapshot, ref: ServiceRef): Service | undefined {
  return inv.services.find((s) => s.namespace === ref.namespace && s.name === ref.service);
}

/** How many ExternalName Services a name is followed through before it is taken to lead nowhere in the cluster. */
const MAX_EXTERNAL_NAME_HOPS = 8;

/**
 * The Service a name of `named` leads to: `named` itself unless it is an ExternalName Service whose
 * externalName is an in-cluster Service's name — its own name is a CNAME to that name
 * (kubernetes/dns docs/specification.md 2.5: `<service>.<ns>.svc.<zone>. <ttl> IN CNAME <extname>.`),
 * which the client's resolver asks as written, absolute (no search path), so the client reaches that
 * Service (its ClusterIP, or a headless one's pods). Followed through a chain of ExternalName
 * Services; one leading outside, looping or longer than MAX_EXTERNAL_NAME_HOPS stays `named`, a DNS name.
 */
function throughExternalNames(named: { ref: ServiceRef; svc: Service | undefined }, inv: InventorySnapshot, asker: DnsAsker): { ref: ServiceRef; svc: Service | undefined } {
  const seen = new Set<string>();
  let at = named;
  while (at.svc?.type === 'ExternalName' && at.svc.externalName !== undefined) {
    const key = `${at.ref.namespace}/${at.ref.service}`;
    if (seen.has(key) || seen.size === MAX_EXTERNAL_NAME_HOPS) return named;
    seen.add(key);
    const target = serviceOfName(`${canonicalDnsName(at.svc.externalName)}.`, inv.services, { clusterDomain: asker.clusterDomain });
    if (target === undefined) return named;
    at = { ref: target, svc: serviceAt(inv, target) };
  }
  return at.svc?.type === 'ExternalName' ? named : at;
}

/** The address EndpointSlices of a selector-less Service. */
function addressSlices(svc: Service, inv: InventorySnapshot): EndpointSlice[] {
  return inv.endpointSlices.filter((s) => s.namespace === svc.namespace && s.service === svc.name && s.addressType !== 'FQDN');
}

/** `, listed as a:p, …` (an IPv6 address as `[a]:p`) for the addresses and ports a selector-less Service's EndpointSlices list, or ''. */
function endpointsOf(svc: Service, inv: InventorySnapshot): string {
  const slices = addressSlices(svc, inv);
  const listed = [...new Set(slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses.flatMap((a) => (s.ports.length > 0 ? s.ports.map((p) => addressWithPort(a, p.port)) : [a])))))].sort();
  return listed.length > 0 ? `, listed as ${listed.join(', ')}` : '';
}

/** The host block to write for an endpoint of the families the Service's slices list: /32 an IPv4 address, /128 an IPv6 one. */
function hostBlockHint(svc: Service, inv: InventorySnapshot): string {
  const types = new Set(addressSlices(svc, inv).map((s) => s.addressType));
  if (!types.has('IPv6')) return '<address>/32';
  return types.has('IPv4') ? '<address>/32 or <address>/128 for an IPv6 one' : '<address>/128';
}

/** The inventory's workloads the flows showed `name` answering with, by key. */
/** A `*.domain` pattern of an fqdns peer (matrix/syntax.ts fqdnProblem: a leading wildcard only). */
function isPattern(name: string): boolean {
  return name.startsWith('*.');
}

function answeredBy(name: string, inv: InventorySnapshot, answers: NameAnswers): Workload[] {
  const keys = new Set(answers.workloads(name));
  return keys.size === 0 ? [] : inv.workloads.filter((w) => keys.has(workloadKey(w)));
}

/**
 * The rule's ports as the Service's backends see them: a Service port → every number its target port
 * has on the selected workloads' pods. A headless Service's numbered ports are the ports as written:
 * "for headless Services, a cluster IP is not allocated, kube-proxy does not handle these Services,
 * and there is no load balancing or proxying done by the platform for them" (kubernetes.io
 * "Service", Headless Services) — its names answer with the pods' own addresses (kubernetes/dns
 * docs/specification.md 2.4.1), which the client dials on the port it chose. A headless Service's
 * port by its NAME is what its SRV record `_<port>._<proto>.<service>.<ns>.svc.<zone>` carries: the
 * endpoint's port (specification 2.4.2; CoreDNS fills it from the EndpointSlice port), its target port.
 */
function targetPorts(svc: Service, ports: readonly ResolvedPort[], peer: ResolvedPeer, inv: InventorySnapshot): ResolvedPort[] {
  const selected = new Set(peer.kind === 'pods' ? peer.workloads.map(workloadKey) : []);
  const workloads = inv.workloads.filter((w) => selected.has(workloadKey(w)));
  const headless = isHeadless(svc);
  return uniquePorts(
    ports.flatMap((p) => {
      const sp = p.endPort === undefined ? svc.ports.find((s) => s.protocol === p.protocol && ((!headless && s.port === p.port) || (p.port === undefined && s.name === p.name))) : undefined;
      if (sp === undefined) return [p];
      if (typeof sp.targetPort === 'number') return [{ protocol: p.protocol, port: sp.targetPort }];
      const numbers = [...new Set(workloads.flatMap((w) => serviceTargetPorts(sp, w)))];
      return numbers.length > 0 ? numbers.map((port) => ({ protocol: p.protocol, port })) : [{ protocol: p.protocol, name: sp.targetPort }];
    }),
  );
}
