/**
 * Who an address is for Cilium: the security identity the datapath finds for a flow's peer,
 * seen from the node of the endpoint enforcing policy. Cilium decides by IP (the ipcache), so an
 * "external" address that is in fact a node or a pod is that node or pod here.
 *
 * - pods: their labels with the `k8s` source (less those the agent's label filter drops,
 *   ./label-filter.ts), `io.kubernetes.pod.namespace`, the namespace's
 *   labels as `io.cilium.k8s.namespace.labels.*`, the service account and the cluster name
 *   (pkg/k8s/apis/cilium.io const.go; pkg/k8s utils GetPodMetadata);
 * - nodes and host-network pods: `reserved:host` on the enforcing endpoint's own node,
 *   `reserved:remote-node` elsewhere (docs: "host … includes all containers running in host
 *   networking mode on the local host"; "remote-node … other than the local host");
 * - the Ingress / Gateway API proxy: `reserved:ingress` alone (INGRESS_IDENTITY);
 * - kube-apiserver addresses additionally carry `reserved:kube-apiserver`, whether they are a
 *   node's or outside the cluster (pkg/identity reserved identities; ipcache InjectLabels);
 * - everything else is `reserved:world`, with CIDR labels (pkg/ipcache metadata.go
 *   resolveIdentity: "If no other labels are associated with this IP, we assume that it's
 *   outside of the cluster and hence needs a CIDR identity").
 * Node addresses carry CIDR labels only with `policy-cidr-match-mode: nodes` (same function:
 * "It is not allowed for nodes to have CIDR labels, unless policy-cidr-match-mode includes
 * nodes").
 */
import type { SimCluster, SimEndpoint, SimNode, SimPod } from '../types.ts';
import { CLUSTER_LABEL, NAMESPACE_LABELS_PREFIX, POD_NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL } from '../../engines/wire/cilium.ts';
import { identityRelevant } from './label-filter.ts';
import { LabelSet } from './labels.ts';
import { memoByText } from '../../text-memo.ts';
import { ipFamily, parseLenientCidr, parseLenientIp, unmapIpv4, type IpFamily, type LenientAddress } from '../../../domain/ip.ts';

export type IdentityKind = 'pod' | 'host' | 'remote-node' | 'world' | 'ingress';

export interface Identity {
  kind: IdentityKind;
  labels: LabelSet;
  /** The address CIDR selectors test, when the identity carries CIDR labels. */
  cidrAddress?: LenientAddress;
  /**
   * Prefix length of `cidrAddress` when the identity is a block of addresses (a folded edge's
   * peer, docs/ingest.md "Bounded by design"): a CIDR rule selects it only when it holds all of it.
   */
  cidrBits?: number;
  /** DNS names seen for a world address (toFQDNs), lower case with the trailing dot. */
  names: readonly string[];
  /** The pod, for pod identities (named ports). */
  pod?: SimPod;
  /** Human-readable, for reasons. */
  describe: string;
}

/**
 * Cilium's Ingress / Gateway API proxy: reserved identity 8, `reserved:ingress`, the same on
 * every node (pkg/identity reserved identities), selected by the `ingress` entity and by `cluster`
 * and `all` (pkg/policy/api/entity.go). Its address is Cilium's own: no CIDR label.
 */
const INGRESS_IDENTITY: Identity = { kind: 'ingress', labels: new LabelSet().add('reserved', 'ingress', ''), names: [], describe: "Cilium's Ingress proxy (reserved:ingress)" };

export interface IdentityOptions {
  clusterName: string;
  cidrMatchesNodes: boolean;
}

/** The address as the ipcache keys it: IPv4-mapped IPv6 as its IPv4 address. */
export function parseAddress(ip: string): LenientAddress | undefined {
  const a = parseLenientIp(ip);
  return a === undefined ? undefined : unmapIpv4(a);
}

/** The address in one spelling (IPv4-mapped IPv6 as IPv4), so that ipcache lookups by text agree. By text, for the whole process. */
const canonical = memoByText((ip) => parseAddress(ip)?.toString() ?? ip, 100_000);

export function fqdnForm(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

/** Resolves flow endpoints to identities; pod label sets are built once per pod. */
export class IdentityResolver {
  private readonly nsLabels = new Map<string, Record<string, string>>();
  private readonly nodeByIp = new Map<string, SimNode>();
  private readonly podByIp = new Map<string, SimPod>();
  private readonly apiserverIps = new Set<string>();
  /** A Map, not a WeakMap: asked once per flow side (see the simulators' caches). */
  private readonly podIdentities = new Map<SimPod, Identity>();
  /** Node and world identities are values of their inputs: built once per distinct input. */
  private readonly others = new Map<string, Identity>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: IdentityOptions,
  ) {
    for (const ns of cluster.namespaces) this.nsLabels.set(ns.name, ns.labels);
    for (const n of cluster.nodes) for (const ip of n.ips) this.nodeByIp.set(canonical(ip), n);
    for (const p of cluster.pods) if (!p.hostNetwork) for (const ip of p.ips) if (!this.podByIp.has(canonical(ip))) this.podByIp.set(canonical(ip), p);
    for (const a of cluster.apiserver) this.apiserverIps.add(canonical(a.ip));
  }

  /** The identity of a managed (non-host-network) pod. */
  podIdentity(pod: SimPod): Identity {
    let id = this.podIdentities.get(pod);
    if (id) return id;
    const labels = new LabelSet();
    for (const [k, v] of Object.entries(pod.labels)) if (identityRelevant(k)) labels.add('k8s', k, v);
    labels.add('k8s', POD_NAMESPACE_LABEL, pod.namespace);
    // The API server sets kubernetes.io/metadata.name on every namespace; Cilium copies all of them.
    const nsLabels = { ...(this.nsLabels.get(pod.namespace) ?? {}), 'kubernetes.io/metadata.name': pod.namespace };
    for (const [k, v] of Object.entries(nsLabels)) labels.add('k8s', `${NAMESPACE_LABELS_PREFIX}${k}`, v);
    if (pod.serviceAccount !== undefined) labels.add('k8s', SERVICE_ACCOUNT_LABEL, pod.serviceAccount);
    labels.add('k8s', CLUSTER_LABEL, this.options.clusterName);
    id = { kind: 'pod', labels, names: [], pod, describe: `pod ${pod.namespace}/${pod.name ?? JSON.stringify(pod.labels)}` };
    this.podIdentities.set(pod, id);
    return id;
  }

  /**
   * The labels of a node's host endpoint, which host policies' nodeSelectors select: `reserved:host`
   * and the node's labels with the `k8s` source, less those the label filter drops (host-firewall.rst
   * `cilium-dbg endpoint list`: `k8s:node-access=ssh`, `reserved:host`; a `kubernetes.io/…` label
   * is not there, ./label-filter.ts). A node the inventory lacks has `reserved:host` alone.
   */
  hostEndpointLabels(nodeName: string): LabelSet {
    const labels = new LabelSet().add('reserved', 'host', '');
    const node = this.cluster.nodes.find((n) => n.name === nodeName);
    for (const [k, v] of Object.entries(node?.labels ?? {})) if (identityRelevant(k)) labels.add('k8s', k, v);
    return labels;
  }

  /** The node holding `ip`, if one does (the ipcache's host and remote-node addresses). */
  nodeAt(ip: string): SimNode | undefined {
    return this.nodeByIp.get(canonical(ip));
  }

  /** The identity of `e` as seen by an endpoint on node `observerNode`, over a connection of `family` when known. */
  resolve(e: SimEndpoint, observerNode: string | undefined, family?: IpFamily): Identity {
    switch (e.kind) {
      case 'pod': {
        if (!e.pod.hostNetwork) return this.podIdentity(e.pod);
        // A host-network pod is its node: by the node it runs on, else by its (the node's) address (of the connection's family).
        const ip = (family === undefined ? undefined : e.pod.ips.find((a) => ipFamily(a) === family)) ?? e.pod.ips[0];
        return this.nodeIdentity(e.pod.node ?? this.nodeByIp.get(canonical(ip ?? ''))?.name, ip, observerNode, `host-network pod ${e.pod.namespace}/${e.pod.name ?? '?'}`);
      }
      case 'node':
        return this.nodeIdentity(e.node.name, e.ip, observerNode, `node ${e.node.name}`);
      case 'cilium-ingress':
        return INGRESS_IDENTITY;
      case 'apiserver':
      case 'external': {
        const ip = canonical(e.ip);
        const apiserver = e.kind === 'apiserver';
        const node = this.nodeByIp.get(ip);
        if (node) return this.nodeIdentity(node.name, ip, observerNode, `node ${node.name} (${ip})`, apiserver);
        const pod = this.podByIp.get(ip);
        if (pod && !apiserver) return this.podIdentity(pod);
        const names = [...(e.kind === 'external' ? (e.names ?? []) : []), ...(this.cluster.dnsNames?.get(e.ip) ?? [])];
        return this.worldIdentity(ip, names, apiserver);
      }
    }
  }

  /**
   * The apiserver as a pod sees it on ingress where control-plane traffic is tunnelled through the
   * worker nodes (language.rst note on the kube-apiserver entity: "may not work for ingress
   * traffic in some Kubernetes distributions, such as Azure AKS and GCP GKE").
   */
  tunnelledApiserver(ip: string): Identity {
    const key = `t\u0000${ip}`;
    let id = this.others.get(key);
    if (!id) {
      id = { kind: 'remote-node', labels: new LabelSet().add('reserved', 'remote-node', ''), names: [], describe: `the apiserver ${ip} tunnelled through a worker node (remote-node)` };
      this.others.set(key, id);
    }
    return id;
  }

  private nodeIdentity(nodeName: string | undefined, ip: string | undefined, observerNode: string | undefined, what: string, apiserver = false): Identity {
    const local = nodeName !== undefined && nodeName === observerNode;
    const key = `n\u0000${nodeName ?? ''}\u0000${ip ?? ''}\u0000${local}\u0000${apiserver}\u0000${what}`;
    const cached = this.others.get(key);
    if (cached) return cached;
    const labels = new LabelSet().add('reserved', local ? 'host' : 'remote-node', '');
    const addr = ip !== undefined ? canonical(ip) : undefined;
    if (apiserver || (addr !== undefined && this.apiserverIps.has(addr))) labels.add('reserved', 'kube-apiserver', '');
    const id: Identity = { kind: local ? 'host' : 'remote-node', labels, names: [], describe: `${what} (${local ? 'host' : 'remote-node'})` };
    if (this.options.cidrMatchesNodes && addr !== undefined) id.cidrAddress = parseAddress(addr);
    this.others.set(key, id);
    return id;
  }

  private worldIdentity(ip: string, names: readonly string[], apiserver: boolean): Identity {
    const key = `w\u0000${ip}\u0000${apiserver}\u0000${names.join('\u0000')}`;
    const cached = this.others.get(key);
    if (cached) return cached;
    const labels = new LabelSet().add('reserved', 'world', '');
    if (apiserver || this.apiserverIps.has(ip)) labels.add('reserved', 'kube-apiserver', '');
    const all = new Set<string>();
    for (const n of names) all.add(fqdnForm(n));
    for (const n of this.cluster.dnsNames?.get(ip) ?? []) all.add(fqdnForm(n));
    const id: Identity = { kind: 'world', labels, names: [...all].sort(), describe: `world ${ip}` };
    const block = ip.includes('/') ? parseLenientCidr(ip) : undefined;
    if (block !== undefined) [id.cidrAddress, id.cidrBits] = block;
    else id.cidrAddress = parseAddress(ip);
    this.others.set(key, id);
    return id;
  }
}
