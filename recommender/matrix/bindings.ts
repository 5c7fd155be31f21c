/**
 * Role bindings and cluster facts. A role is bound, in this order, by the cluster config, by
 * discovery in the inventory (only well-known upstream labels, see DISCOVERY), or by the
 * matrix's own default; otherwise it stays unbound and is reported.
 */
import { clusterDnsTarget, DEFAULT_DNS_PORTS, DNS_CONVENTIONS, dnsPortProblems, dnsSelector } from '../../domain/cluster-dns.ts';
import type { ApiserverEndpoint, InventorySnapshot, LabelSelector, ServicePort, Workload } from '../../domain/inventory.ts';
import { serviceTargetPorts } from '../../domain/service-links.ts';
import { workloadKey, type WorkloadRef } from '../../domain/peer.ts';
import type { PortSpecT, RoleBindingT, RoleT } from './schema.ts';
import type { ClusterFacts, ResolvedPeer, ResolvedPort, RoleResolution } from './resolved.ts';
import { canonicalSelector, selectorMatches } from './selector.ts';
import { compareStrings } from '../../domain/order.ts';
import { own } from '../../domain/own.ts';

/**
 * Roles discovered from pod labels the upstream projects set themselves: any of `selectors`
 * (alternatives: label conventions differ between a project's charts and versions).
 */
export const DISCOVERY: Readonly<Record<string, { selectors: readonly Record<string, string>[]; note: string }>> = {
  prometheus: {
    selectors: [{ 'app.kubernetes.io/name': 'prometheus' }, { app: 'prometheus', component: 'server' }],
    note: 'Prometheus server pods: app.kubernetes.io/name=prometheus (prometheus-operator, kube-prometheus, the current Helm chart) or app=prometheus + component=server (the older Helm chart, StackLight)',
  },
  // prometheus-operator labels the pods app.kubernetes.io/name=alertmanager today and app=alertmanager
  // (+ alertmanager=<name>) in its older releases (prometheus-operator/prometheus-operator
  // pkg/alertmanager/statefulset.go, makeStatefulSetSpec: podLabels["app"] = "alertmanager"); the older
  // prometheus Helm chart, which StackLight follows, labels them app=prometheus + component=alertmanager.
  alertmanager: {
    selectors: [{ 'app.kubernetes.io/name': 'alertmanager' }, { app: 'alertmanager' }, { app: 'prometheus', component: 'alertmanager' }],
    note: 'Alertmanager pods: app.kubernetes.io/name=alertmanager (prometheus-operator, the current Helm charts), app=alertmanager (older prometheus-operator releases) or app=prometheus + component=alertmanager (the older Helm chart, StackLight)',
  },
  loki: { selectors: [{ 'app.kubernetes.io/name': 'loki' }], note: 'Loki pods (Grafana Helm chart, Loki operator)' },
  kafka: { selectors: [{ 'app.kubernetes.io/name': 'kafka' }], note: 'Kafka broker pods (Bitnami/Strimzi-style recommended labels)' },
  flagger: { selectors: [{ 'app.kubernetes.io/name': 'flagger' }], note: 'Flagger pods (the label seed 003 selects Flagger with)' },
  'source-controller': { selectors: [{ app: 'source-controller' }], note: 'Flux source-controller pods (Flux install manifests)' },
};

const labelText = (l: Record<string, string>): string =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export const sortRefs = (refs: WorkloadRef[]): WorkloadRef[] =>
  [...refs].sort((a, b) => (workloadKey(a) < workloadKey(b) ? -1 : workloadKey(a) > workloadKey(b) ? 1 : 0));

const ref = (w: Workload): WorkloadRef => ({ namespace: w.namespace, kind: w.kind, name: w.name });

export function selectWorkloads(inv: InventorySnapshot, namespaces: ReadonlySet<string> | undefined, selector: LabelSelector): WorkloadRef[] {
  return sortRefs(inv.workloads.filter((w) => (!namespaces || namespaces.has(w.namespace)) && selectorMatches(selector, w.labels)).map(ref));
}

export function namespacesMatching(inv: InventorySnapshot, selector: LabelSelector): string[] {
  return inv.namespaces
    .filter((n) => selectorMatches(selector, { 'kubernetes.io/metadata.name': n.name, ...n.labels }))
    .map((n) => n.name)
    .sort();
}

/** Sorted, each port once (a role's bindings often share one: two backends on 443). */
export function toResolvedPorts(ports: readonly PortSpecT[] | undefined): ResolvedPort[] {
  return uniquePorts(
    (ports ?? []).map((p): ResolvedPort => {
      const out: ResolvedPort = { protocol: p.protocol ?? 'TCP' };
      if (typeof p.port === 'number') out.port = p.port;
      else out.name = p.port;
      if (typeof p.endPort === 'number') out.endPort = p.endPort;
      return out;
    }),
  );
}

/** `ports` sorted, without repeats. */
export function uniquePorts(ports: readonly ResolvedPort[]): ResolvedPort[] {
  return [...ports].sort(comparePorts).filter((p, i, all) => i === 0 || comparePorts(all[i - 1]!, p) !== 0);
}

export function comparePorts(a: ResolvedPort, b: ResolvedPort): number {
  return (a.port ?? 0) - (b.port ?? 0) || compareStrings(a.name ?? '', b.name ?? '') || compareStrings(a.protocol, b.protocol) || (a.endPort ?? 0) - (b.endPort ?? 0);
}

/**
 * The role's peers for a rule that takes the role's ports: each with its binding's ports when the
 * role has several bindings and they name ports, so no peer is opened on another's.
 */
export function rolePeers(role: RoleResolution): ResolvedPeer[] {
  if (role.bindings.length < 2 || role.peers.length !== role.bindings.length) return role.peers;
  return role.peers.map((p, i) => {
    const ports = toResolvedPorts(role.bindings[i]!.ports);
    return ports.length > 0 ? { ...p, ports } : p;
  });
}

/** Where a binding points in this cluster. */
export function bindingPeer(b: RoleBindingT, inv: InventorySnapshot): ResolvedPeer {
  if (b.cidrs) return { kind: 'cidr', cidrs: [...b.cidrs].sort(), except: [...(b.except ?? [])].sort() };
  if (b.fqdns) return { kind: 'fqdn', fqdns: [...b.fqdns].sort() };
  if (b.world) return { kind: 'world' };
  const namespaces = b.namespace !== undefined ? [b.namespace] : namespacesMatching(inv, b.namespaceSelector ?? {});
  if (!b.selector) {
    return b.namespace !== undefined
      ? { kind: 'namespace', namespace: b.namespace, namespaces }
      : { kind: 'namespace', namespaceSelector: canonicalSelector(b.namespaceSelector ?? {}), namespaces };
  }
  const workloads = selectWorkloads(inv, new Set(namespaces), b.selector);
  const peer: ResolvedPeer = { kind: 'pods', selector: canonicalSelector(b.selector), namespaces, workloads };
  if (b.namespace !== undefined) peer.namespace = b.namespace;
  else peer.namespaceSelector = canonicalSelector(b.namespaceSelector ?? {});
  // Pods on the host network speak from their node's address, which no pod selector matches: a
  // binding that selects only such pods is rendered as their nodes (as a host-network component is).
  const keys = new Set(workloads.map(workloadKey));
  const selected = inv.workloads.filter((w) => keys.has(workloadKey(w)));
  if (selected.length > 0 && selected.every((w) => w.hostNetwork)) peer.hostNetwork = true;
  return peer;
}

/** Discovery: one binding per (namespace, selector) holding pods with one of the role's well-known label sets. */
export function discover(role: string, inv: InventorySnapshot): { bindings: RoleBindingT[]; via: string } | undefined {
  const d = own(DISCOVERY, role);
  if (!d) return undefined;
  const bindings: RoleBindingT[] = [];
  const matched: string[] = [];
  for (const labels of d.selectors) {
    const selector = { matchLabels: { ...labels } };
    const found = inv.workloads.filter((w) => selectorMatches(selector, w.labels));
    if (found.length === 0) continue;
    matched.push(labelText(labels));
    for (const namespace of [...new Set(found.map((w) => w.namespace))].sort()) bindings.push({ namespace, selector });
  }
  if (bindings.length === 0) return undefined;
  bindings.sort((a, b) => compareStrings(a.namespace ?? '', b.namespace ?? '') || compareStrings(labelText(a.selector?.matchLabels ?? {}), labelText(b.selector?.matchLabels ?? {})));
  return { bindings, via: `pods labelled ${matched.join(' or ')}` };
}

const asList = (b: RoleBindingT | RoleBindingT[] | undefined): RoleBindingT[] | undefined => (b === undefined ? undefined : Array.isArray(b) ? b : [b]);

/**
 * The ports the pods of a binding serve: the target ports of the Services that select them (what
 * the CNI matches once kube-proxy has translated the Service port), else their declared container
 * ports. Empty when neither is known (then the rule stays on all ports).
 */
export function servedPorts(peers: readonly ResolvedPeer[], inv: InventorySnapshot): ResolvedPort[] {
  const refs = new Set(peers.flatMap((p) => (p.kind === 'pods' ? p.workloads.map(workloadKey) : [])));
  const namespaces = new Set(peers.flatMap((p) => (p.kind === 'namespace' && p.namespace !== undefined ? [p.namespace] : [])));
  const workloads = inv.workloads.filter((w) => refs.has(workloadKey(w)) || namespaces.has(w.namespace));
  const byService = workloads.flatMap((w) => servicePortsOf(w, inv));
  return uniquePorts(byService.length > 0 ? byService : workloads.flatMap(containerPortsOf));
}

/** The ports one workload serves: the target ports of the Services that select it, else its declared container ports. */
export function workloadServedPorts(w: Workload, inv: InventorySnapshot): ResolvedPort[] {
  const byService = servicePortsOf(w, inv);
  return uniquePorts(byService.length > 0 ? byService : containerPortsOf(w));
}

function servicePortsOf(w: Workload, inv: InventorySnapshot): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  for (const s of inv.services) {
    if (!w.services.includes(`${s.namespace}/${s.name}`)) continue;
    for (const sp of s.ports) {
      const protocol = sp.protocol;
      if (isPortProtocol(protocol)) for (const port of serviceTargetPorts(sp, w)) out.push({ protocol, port });
    }
  }
  return out;
}

/** A Service port whose target port is a name no container of the workload declares (for its protocol): it sends to no port of it. */
export interface UnresolvedTargetPort {
  /** `namespace/name`. */
  service: string;
  port: ServicePort & { targetPort: string };
}

/** The ports of the Services selecting `w` that resolve to no port of it, in Service then port order. */
export function unresolvedTargetPorts(w: Workload, inv: InventorySnapshot): UnresolvedTargetPort[] {
  const out: UnresolvedTargetPort[] = [];
  for (const s of inv.services) {
    const service = `${s.namespace}/${s.name}`;
    if (!w.services.includes(service)) continue;
    for (const sp of s.ports) if (typeof sp.targetPort === 'string' && serviceTargetPorts(sp, w).length === 0) out.push({ service, port: { ...sp, targetPort: sp.targetPort } });
  }
  return out;
}

const containerPortsOf = (w: Workload): ResolvedPort[] => w.ports.flatMap((cp) => (isPortProtocol(cp.protocol) ? [{ protocol: cp.protocol, port: cp.port }] : []));
const isPortProtocol = (p: string): p is ResolvedPort['protocol'] => p === 'TCP' || p === 'UDP' || p === 'SCTP';

export function resolveRole(
  role: string,
  declared: RoleT,
  configured: RoleBindingT | RoleBindingT[] | undefined,
  inv: InventorySnapshot,
): RoleResolution {
  let origin: RoleResolution['origin'] = 'unbound';
  let bindings: RoleBindingT[] = [];
  let via: string | undefined;
  const fromConfig = asList(configured);
  const found = fromConfig ? undefined : discover(role, inv);
  const fromDefault = asList(declared.default);
  if (fromConfig) {
    origin = 'config';
    bindings = fromConfig;
    via = `matrices.bindings.roles.${role}`;
  } else if (found) {
    origin = 'discovered';
    bindings = found.bindings;
    via = found.via;
  } else if (fromDefault) {
    origin = 'default';
    bindings = fromDefault;
    via = 'the matrix default';
  }
  const peers = bindings.map((b) => bindingPeer(b, inv));
  const ports = toResolvedPorts(bindings.flatMap((b) => b.ports ?? []));
  const out: RoleResolution = { role, description: declared.description, scope: declared.scope ?? 'any', origin, bindings, peers, ports };
  if (via) out.via = via;
  if (declared.recognize) out.recognize = { ports: toResolvedPorts(declared.recognize.ports), names: [...(declared.recognize.names ?? [])].sort() };
  // Only pods in named namespaces (discovery, or a config binding that names one): an open-ended
  // binding (any namespace) would turn into the ports that happen to exist today.
  if (ports.length === 0 && peers.length > 0 && peers.every((p) => (p.kind === 'pods' || p.kind === 'namespace') && p.namespace !== undefined)) {
    const served = servedPorts(peers, inv);
    if (served.length > 0) out.servicePorts = served;
  }
  return out;
}

/** The apiserver's endpoints (of `default/kubernetes`), sorted. */
export function apiserverEndpoints(inv: InventorySnapshot): ApiserverEndpoint[] {
  return [...inv.apiserver].sort((a, b) => compareStrings(a.ip, b.ip) || a.port - b.port || compareStrings(a.protocol, b.protocol));
}

export function clusterFacts(inv: InventorySnapshot): ClusterFacts {
  const endpoints = apiserverEndpoints(inv);
  return {
    apiserver: {
      origin: endpoints.length > 0 ? 'discovered' : 'unbound',
      via: 'endpoints of default/kubernetes',
      endpoints,
    },
    dns: clusterDns(inv),
  };
}

/** The cluster DNS as domain/cluster-dns.ts decides it (`clusterDnsOf`), else the first convention, unseen. */
function clusterDns(inv: InventorySnapshot): ClusterFacts['dns'] {
  const dns = clusterDnsTarget(inv.workloads, inv.services);
  if (dns !== undefined) {
    const { convention: c, workloads: found, service, ports } = dns;
    const others = inv.workloads.filter((w) => w.namespace === c.namespace && !found.includes(w));
    const selector = dnsSelector(c, inv.services, found.map((w) => w.labels), others.map((w) => w.labels));
    const problems = dnsPortProblems(service, found.flatMap((w) => w.ports));
    return {
      origin: 'discovered',
      via: `${c.namespace} pods labelled ${labelText(selector.matchLabels ?? {})}`,
      namespace: c.namespace,
      selector,
      workloads: sortRefs(found.map(ref)),
      ports,
      ...(problems.length > 0 ? { portProblems: problems } : {}),
    };
  }
  const c = DNS_CONVENTIONS[0]!;
  return {
    origin: 'default',
    via: `the conventional ${c.namespace} ${labelText(c.labels)} (no such pods in the inventory)`,
    namespace: c.namespace,
    selector: { matchLabels: { ...c.labels } },
    workloads: [],
    ports: [...DEFAULT_DNS_PORTS],
  };
}
