/**
 * The one place that decides "is this the cluster DNS", and on which ports it answers.
 *
 * Every pod resolves names through the Service its kubelet's `clusterDNS` points at. flowmatrix
 * does not see kubelet settings, so it knows the two Services that distributions create for it:
 * `kube-system/kube-dns` (kubeadm and the managed Kubernetes services; CoreDNS keeps the name)
 * and `openshift-dns/dns-default` (OpenShift's DNS operator, whose pods listen on 5353 behind the
 * Service port 53: docs.openshift.com, "DNS Operator"). A network policy is evaluated after the
 * Service's DNAT, so a rule to the DNS names the pods' own ports (the Service's target ports).
 */
import type { Protocol } from './flow.ts';
import type { ContainerPort, Labels, LabelSelector, Service, Workload } from './inventory.ts';
import { servicePortFor, serviceTargetPorts } from './service-links.ts';

/** The port clients ask the cluster DNS Service on, and upstream resolvers answer on. */
export const DNS_SERVICE_PORT = 53;

export interface DnsConvention {
  namespace: string;
  /** The Service in `namespace` that fronts the DNS pods. */
  service: string;
  /** The DNS pods' labels when the Service is not in the inventory. */
  labels: Labels;
  /**
   * The names distributions give the DNS workload: the Deployment `coredns` (kubeadm constants
   * CoreDNSDeploymentName; EKS, AKS, k3s manifests/coredns.yaml), `kube-dns` (GKE, the kube-dns
   * addon: kubernetes cluster/addons/dns/kube-dns), `rke2-coredns-rke2-coredns` (RKE2's chart);
   * the OpenShift DNS operator's DaemonSet `dns-<DNS name>`, `dns-default` for the default DNS
   * (cluster-dns-operator, DNSDaemonSetName).
   */
  workloads: readonly string[];
}

/** Looked for in this order: the first with pods in the inventory is the cluster DNS. */
export const DNS_CONVENTIONS: readonly DnsConvention[] = [
  { namespace: 'kube-system', service: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, workloads: ['coredns', 'kube-dns', 'rke2-coredns-rke2-coredns'] },
  { namespace: 'openshift-dns', service: 'dns-default', labels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, workloads: ['dns-default'] },
];

/**
 * A workload the conventions name as the cluster DNS by namespace and name: what a flow record
 * without labels (NetObserv's owner fields) says of DNS pods the inventory lacks.
 */
export function namedClusterDns(ref: { namespace: string; name: string }): boolean {
  return DNS_CONVENTIONS.some((c) => c.namespace === ref.namespace && c.workloads.includes(ref.name));
}

export interface DnsPort {
  port: number;
  protocol: Extract<Protocol, 'UDP' | 'TCP'>;
}

/** What the DNS pods listen on when nothing says otherwise: the Service port itself. */
export const DEFAULT_DNS_PORTS: readonly DnsPort[] = [
  { port: DNS_SERVICE_PORT, protocol: 'UDP' },
  { port: DNS_SERVICE_PORT, protocol: 'TCP' },
];

const serviceKey = (c: DnsConvention): string => `${c.namespace}/${c.service}`;

function carries(labels: Labels, wanted: Labels): boolean {
  for (const [k, v] of Object.entries(wanted)) if (labels[k] !== v) return false;
  return true;
}

/**
 * The convention a workload is the cluster DNS by: it is selected by one of the DNS Services
 * (`services`: `namespace/name` of the Services that select it), or, in the Service's namespace,
 * carries its conventional labels when that Service is not in the inventory (`imported`: the
 * Services the inventory holds; pods seen in flow records only have none). Once the Service is
 * known, it alone says which pods answer: a pod that merely carries the label is no DNS.
 */
export function dnsConventionOf(namespace: string, labels: readonly Labels[], services: readonly string[] = [], imported: ReadonlySet<string> = NONE): DnsConvention | undefined {
  for (const c of DNS_CONVENTIONS) {
    if (c.namespace !== namespace) continue;
    if (services.includes(serviceKey(c))) return c;
    if (!imported.has(serviceKey(c)) && labels.some((l) => carries(l, c.labels))) return c;
  }
  return undefined;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * The convention the cluster DNS follows, of those the workloads follow (`found`, per workload):
 * the first of DNS_CONVENTIONS with a workload. A cluster has one DNS; a second one's pods are an
 * ordinary workload (a rule to the cluster DNS names the first one's pods only).
 */
export function chosenConvention(found: readonly (DnsConvention | undefined)[]): DnsConvention | undefined {
  return DNS_CONVENTIONS.find((c) => found.includes(c));
}

/** The cluster DNS among `workloads`: the convention chosen (`chosenConvention`) and the workloads that follow it; undefined when none does. */
export function clusterDnsOf<W extends Workload>(workloads: readonly W[], services: readonly Service[]): { convention: DnsConvention; workloads: W[] } | undefined {
  const imported = selectingServices(services);
  const found = workloads.map((w) => dnsConventionOf(w.namespace, [w.labels], w.services, imported));
  const convention = chosenConvention(found);
  return convention === undefined ? undefined : { convention, workloads: workloads.filter((_, i) => found[i] === convention) };
}

/**
 * The cluster DNS with what it answers on: its Service (when imported with a selector) and the
 * pod ports behind the Service's port 53 (`dnsTargetPorts`); undefined when no workload is the DNS.
 */
export function clusterDnsTarget<W extends Workload>(workloads: readonly W[], services: readonly Service[]): { convention: DnsConvention; workloads: W[]; service: Service | undefined; ports: DnsPort[] } | undefined {
  const dns = clusterDnsOf(workloads, services);
  if (dns === undefined) return undefined;
  const service = dnsService(dns.convention, services);
  return { ...dns, service, ports: dnsTargetPorts(service, dns.workloads.flatMap((w) => w.ports)) };
}

/**
 * The workloads with `clusterDns` as this rule says today, whatever a store kept from an import
 * by an older rule (store/inventory.ts reads through this): one rule for the import, the
 * recommendation and flow resolution. Workloads already right are returned as they are.
 */
export function markClusterDns(workloads: readonly Workload[], services: readonly Service[]): Workload[] {
  const dnsWorkloads = new Set<Workload>(clusterDnsOf(workloads, services)?.workloads ?? []);
  return workloads.map((w) => {
    const dns = dnsWorkloads.has(w);
    if (dns === (w.clusterDns === true)) return w;
    const { clusterDns: _, ...rest } = w;
    return dns ? { ...rest, clusterDns: true } : rest;
  });
}

/** `namespace/name` of Services with a selector: those that say which pods they front. */
export function selectingServices(services: readonly Service[]): Set<string> {
  return new Set(services.filter((s) => s.selector !== undefined && Object.keys(s.selector).length > 0).map((s) => `${s.namespace}/${s.name}`));
}

/** The Service of a convention, when the inventory holds it with a selector. */
export function dnsService(c: DnsConvention, services: readonly Service[]): (Service & { selector: Labels }) | undefined {
  const s = services.find((x) => x.namespace === c.namespace && x.name === c.service);
  return s?.selector !== undefined && Object.keys(s.selector).length > 0 ? (s as Service & { selector: Labels }) : undefined;
}

/**
 * The DNS pods as a label selector: the conventional labels when every DNS workload carries them
 * and no other workload of the namespace does (the selector every guide writes, whatever else a
 * Service's selector names), else the Service's.
 */
export function dnsSelector(c: DnsConvention, services: readonly Service[], dnsLabels: readonly Labels[], otherLabels: readonly Labels[]): LabelSelector {
  const conventional = dnsLabels.every((l) => carries(l, c.labels)) && !otherLabels.some((l) => carries(l, c.labels));
  return { matchLabels: { ...((conventional ? undefined : dnsService(c, services)?.selector) ?? c.labels) } };
}

/**
 * The pod ports behind the Service's port 53, per protocol: a number as is, a name looked up
 * among the DNS pods' container ports (as kube-proxy does per pod) — every number the pods give it
 * (`serviceTargetPorts`: mid-rollout the old pods' and the new ones'). A protocol whose port 53 the
 * Service lacks or whose name no pod declares keeps 53; sorted UDP before TCP, as
 * `DEFAULT_DNS_PORTS`, then by number.
 */
export function dnsTargetPorts(service: Service | undefined, podPorts: readonly ContainerPort[]): DnsPort[] {
  return DEFAULT_DNS_PORTS.flatMap(({ protocol }) => dnsTargetPort(service, podPorts, protocol).ports);
}

/**
 * What `dnsTargetPorts` could not read from the Service, one sentence each: a protocol its port 53
 * lacks, a named target port no DNS pod declares. The rule then names 53, which the pods may not
 * answer on (kube-proxy gives such a port no endpoints).
 */
export function dnsPortProblems(service: Service | undefined, podPorts: readonly ContainerPort[]): string[] {
  if (service === undefined) return [];
  return DEFAULT_DNS_PORTS.flatMap(({ protocol }) => dnsTargetPort(service, podPorts, protocol).problem ?? []);
}

/** The pod ports behind the Service's port 53 of `protocol`, sorted by number (53 where it cannot be read, with why). */
function dnsTargetPort(service: Service | undefined, podPorts: readonly ContainerPort[], protocol: DnsPort['protocol']): { ports: DnsPort[]; problem?: string } {
  const fallback = [{ port: DNS_SERVICE_PORT, protocol }];
  if (service === undefined) return { ports: fallback };
  const sp = servicePortFor(service, DNS_SERVICE_PORT, protocol);
  const where = `Service ${service.namespace}/${service.name}`;
  if (sp === undefined) return { ports: fallback, problem: `${where} has no port ${DNS_SERVICE_PORT}/${protocol}` };
  const targets = serviceTargetPorts(sp, { ports: podPorts });
  if (targets.length === 0) return { ports: fallback, problem: `${where} sends ${DNS_SERVICE_PORT}/${protocol} to target port "${sp.targetPort}", which no DNS pod declares` };
  return { ports: targets.map((port) => ({ port, protocol })) };
}

/**
 * NodeLocal DNSCache (the kubernetes/dns addon): a host-network DaemonSet that answers pods on
 * 169.254.20.10 and, in kube-proxy's iptables mode, on the kube-dns Service address itself, with
 * no DNAT to the DNS pods (Kubernetes "Using NodeLocal DNSCache in Kubernetes Clusters").
 */
export const NODE_LOCAL_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } as Labels, address: '169.254.20.10' } as const;

export function isNodeLocalDns(namespace: string, labels: Labels): boolean {
  return namespace === NODE_LOCAL_DNS.namespace && carries(labels, NODE_LOCAL_DNS.labels);
}
