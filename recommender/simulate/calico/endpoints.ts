/**
 * How Calico sees one end of a flow. Only pods off the host network are workload endpoints:
 * they carry their labels plus `projectcalico.org/namespace`, `projectcalico.org/orchestrator`
 * and `projectcalico.org/serviceaccount`, and their namespace's profile carries the namespace
 * labels plus `projectcalico.org/name` (libcalico-go lib/backend/k8s/conversion
 * conversion.go and apiv3 Label* constants). The endpoint also inherits its two profiles'
 * labels under a prefix, which every selector over it sees: `pcns.<key>` of the namespace's
 * (NamespaceToProfile) and `pcsa.<key>` of the ServiceAccount's (ServiceAccountToProfile; the
 * inventory holds no ServiceAccount objects, so only `pcsa.projectcalico.org/name`, its name, is
 * known), its own labels winning a clash (felix labelindex InheritIndex: "endpoints have their
 * own labels; these take priority over any inherited labels"). A node, its host-network pods and
 * an apiserver at its address are its host endpoint when it has one (calico/host-endpoints.ts):
 * policies select it by the host endpoint's labels. Without one, and for external addresses, they
 * are no Calico endpoint: no policy applies to them. A rule's selector matches an address by the
 * labels of the host endpoints expecting it (`hostLabels`) and of the network sets holding it
 * (`networkSets`), else only `nets` do.
 */
import type { Labels } from '../../../domain/inventory.ts';
import {
  CALICO_LABEL_NAME,
  CALICO_LABEL_NAMESPACE,
  CALICO_LABEL_ORCHESTRATOR,
  CALICO_LABEL_SERVICE_ACCOUNT,
  CALICO_NAMESPACE_LABEL_PREFIX,
  CALICO_SERVICE_ACCOUNT_LABEL_PREFIX,
} from '../../engines/wire/calico.ts';
import { hostCidr, parseCidr, type Cidr } from '../../../domain/ip.ts';
import type { SimCluster, SimEndpoint, SimPod } from '../types.ts';
import { clusterFamilies, connectionFamily, familiesOf, podFamilies, type ClusterFamilies, type Families } from '../connection-family.ts';
import type { LabelMap } from './selector.ts';
import type { HostEndpointInfo, HostEndpoints } from './host-endpoints.ts';
import type { NetworkSets, SetsAt } from './network-sets.ts';

export interface EndpointView {
  /** A Calico workload endpoint: a pod off the host network. */
  workload: boolean;
  namespace?: string;
  pod?: SimPod;
  /** Endpoint labels as Calico's selectors see them, the inherited `pcns.*` and `pcsa.*` included; a host endpoint's own; empty for other ends. */
  labels: LabelMap;
  /** The host endpoint that polices this end (a node's own traffic with a peer off the node), when there is one. */
  hostEndpoint?: HostEndpointInfo;
  /** The labels of the host endpoints whose expectedIPs hold this end's addresses: what a rule's selector matches it by. */
  hostLabels: readonly LabelMap[];
  /** Per address family, the network sets at this end's address (calico/network-sets.ts); absent where none is. */
  networkSets?: { 4?: SetsAt; 6?: SetsAt };
  /** The node this end is on, when known (pods, nodes, an apiserver at a node's address). */
  node?: string;
  /** The namespace profile's labels (empty for non-workloads). */
  nsLabels: LabelMap;
  /** Host CIDR per address family. */
  v4?: Cidr;
  v6?: Cidr;
  /** Every address, as text (Service endpoint lookups). */
  ips: readonly string[];
  /** The families a connection of this end can use (a pod without an address: its network's, connection-family.ts). */
  families: Families;
  /** What the endpoint is, for reasons. */
  describe: string;
}

const EMPTY: LabelMap = new Map();

/** Cilium's Ingress proxy: no Calico endpoint and no address a rule names; only a rule without source selector or nets matches it. */
const CILIUM_INGRESS_VIEW: EndpointView = { workload: false, hostLabels: [], labels: EMPTY, nsLabels: EMPTY, ips: [], families: undefined, describe: "Cilium's Ingress proxy" };

function hostCidrs(ips: readonly string[]): { v4?: Cidr; v6?: Cidr } {
  const out: { v4?: Cidr; v6?: Cidr } = {};
  for (const ip of ips) {
    let c: Cidr | undefined;
    try {
      c = parseCidr(hostCidr(ip));
    } catch {
      continue;
    }
    if (c?.family === 4) out.v4 ??= c;
    else if (c?.family === 6) out.v6 ??= c;
  }
  return out;
}

/** Builds and caches the views of a cluster's endpoints (pods and nodes by identity, addresses by text). */
export class EndpointViews {
  // Maps, not WeakMaps: looked up twice per flow, and they hold only the cluster model's pods.
  private readonly pods = new Map<SimPod, EndpointView>();
  /** Address views by node name ('' for none) and address, one map per kind of address. */
  private readonly nodes = new Map<string, Map<string, EndpointView>>();
  private readonly apiservers = new Map<string, Map<string, EndpointView>>();
  private readonly externals = new Map<string, Map<string, EndpointView>>();
  private readonly nsLabels = new Map<string, LabelMap>();
  private readonly clusterFamilies: ClusterFamilies;
  private readonly nodeByIp = new Map<string, string>();

  constructor(
    cluster: SimCluster,
    private readonly hosts: HostEndpoints,
    private readonly sets: NetworkSets,
  ) {
    this.clusterFamilies = clusterFamilies(cluster);
    for (const n of cluster.nodes) for (const ip of n.ips) if (!this.nodeByIp.has(ip)) this.nodeByIp.set(ip, n.name);
    for (const ns of cluster.namespaces) this.nsLabels.set(ns.name, namespaceLabels(ns.name, ns.labels));
  }

  /** The host CIDRs of `ips` with the network sets at them. */
  private addressed(ips: readonly string[]): Pick<EndpointView, 'v4' | 'v6' | 'networkSets'> {
    const cidrs = hostCidrs(ips);
    if (this.sets.empty) return cidrs;
    const v4 = cidrs.v4 && this.sets.at(cidrs.v4);
    const v6 = cidrs.v6 && this.sets.at(cidrs.v6);
    return v4 || v6 ? { ...cidrs, networkSets: { ...(v4 ? { 4: v4 } : {}), ...(v6 ? { 6: v6 } : {}) } } : cidrs;
  }

  of(e: SimEndpoint): EndpointView {
    switch (e.kind) {
      case 'pod':
        return this.pod(e.pod);
      case 'node':
        return this.address(this.nodes, e.ip, e.node.name, `node ${e.node.name}`, e.node.name);
      case 'apiserver':
        return this.address(this.apiservers, e.ip, '', 'the kube-apiserver', this.nodeByIp.get(e.ip));
      case 'external':
        return this.address(this.externals, e.ip, '', `external address ${e.ip}`);
      case 'cilium-ingress':
        return CILIUM_INGRESS_VIEW;
    }
  }

  private pod(p: SimPod): EndpointView {
    let v = this.pods.get(p);
    if (v) return v;
    const name = `pod ${p.namespace}/${p.name ?? '?'}`;
    if (p.hostNetwork) {
      const base = { workload: false, namespace: p.namespace, pod: p, nsLabels: EMPTY, ips: p.ips, families: podFamilies(p, this.clusterFamilies), ...this.addressed(p.ips) };
      v = { ...base, ...this.onHost(p.node, p.ips, `host-network ${name}`) };
    } else {
      const sa = p.serviceAccount ?? 'default';
      const nsLabels = this.nsLabels.get(p.namespace) ?? namespaceLabels(p.namespace, {});
      const saLabels: LabelMap = new Map([[CALICO_LABEL_NAME, sa]]);
      const labels = new Map([...inherited(CALICO_NAMESPACE_LABEL_PREFIX, nsLabels), ...inherited(CALICO_SERVICE_ACCOUNT_LABEL_PREFIX, saLabels), ...Object.entries(p.labels)]);
      labels.set(CALICO_LABEL_NAMESPACE, p.namespace);
      labels.set(CALICO_LABEL_ORCHESTRATOR, 'k8s');
      labels.set(CALICO_LABEL_SERVICE_ACCOUNT, sa);
      v = {
        workload: true,
        namespace: p.namespace,
        pod: p,
        ...(p.node !== undefined ? { node: p.node } : {}),
        hostLabels: this.hosts.labelsAt(p.ips),
        labels,
        nsLabels,
        ips: p.ips,
        families: podFamilies(p, this.clusterFamilies),
        ...this.addressed(p.ips),
        describe: name,
      };
    }
    this.pods.set(p, v);
    return v;
  }

  /** The view of an address of one kind (and node), looked up without building its description. */
  private address(views: Map<string, Map<string, EndpointView>>, ip: string, node: string, describe: string, onNode?: string): EndpointView {
    let byIp = views.get(node);
    if (!byIp) views.set(node, (byIp = new Map()));
    let v = byIp.get(ip);
    if (!v) byIp.set(ip, (v = { workload: false, nsLabels: EMPTY, ips: [ip], families: familiesOf([ip]), ...this.addressed([ip]), ...this.onHost(onNode, [ip], describe) }));
    return v;
  }

  /** A host endpoint itself, as the policies selecting it see it (its labels; in no namespace, of no service account). */
  hostEndpoint(hep: HostEndpointInfo): EndpointView {
    const ips = hep.expectedIPs;
    return { workload: false, hostEndpoint: hep, labels: hep.labels, hostLabels: this.hosts.labelsAt(ips), node: hep.node, nsLabels: EMPTY, ips, families: familiesOf(ips), ...this.addressed(ips), describe: `host endpoint ${hep.name}` };
  }

  /** What an end on a node's host network at `ips` is to Calico: that node's host endpoint when it has one. */
  private onHost(node: string | undefined, ips: readonly string[], describe: string): Pick<EndpointView, 'labels' | 'hostEndpoint' | 'hostLabels' | 'node' | 'describe'> {
    const hep = this.hosts.policing(node, ips);
    const hostLabels = this.hosts.labelsAt(ips);
    const at = node === undefined ? {} : { node };
    if (hep === undefined) return { labels: EMPTY, hostLabels, describe, ...at };
    return { labels: hep.labels, hostEndpoint: hep, hostLabels, describe: `${describe} (host endpoint ${hep.name})`, ...at };
  }
}

/** A profile's labels as its endpoints inherit them: each under `prefix` (conversion.go NamespaceToProfile, ServiceAccountToProfile). */
function inherited(prefix: string, profileLabels: LabelMap): [string, string][] {
  return [...profileLabels].map(([k, v]) => [prefix + k, v]);
}

/** A namespace profile's labels: the namespace's own plus `projectcalico.org/name` (and the apiserver's `kubernetes.io/metadata.name`). */
export function namespaceLabels(name: string, labels: Labels): LabelMap {
  const m = new Map(Object.entries(labels));
  m.set('kubernetes.io/metadata.name', name);
  m.set(CALICO_LABEL_NAME, name);
  return m;
}

/**
 * The address family of a flow that does not say (SimFlow.family): the one both ends can use
 * (connection-family.ts); where both can use both, that of its non-pod end, else IPv4.
 */
export function flowFamily(client: EndpointView, server: EndpointView): 4 | 6 {
  const both = connectionFamily(client.families, server.families);
  if (both !== undefined) return both;
  if (!server.pod && (server.v4 || server.v6)) return server.v4 ? 4 : 6;
  if (!client.pod && (client.v4 || client.v6)) return client.v4 ? 4 : 6;
  return 4;
}
