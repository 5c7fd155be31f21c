/**
 * Peers and ports in policy terms: an observed edge's far side, or a documented rule's resolved
 * peers, become IR peers. What cannot be a rule (kubelet probes, unknown IPs) says why.
 */
import { isApiserverAddress } from '../../domain/apiserver.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import { workloadNotInInventory, type LabelSelector } from '../../domain/inventory.ts';
import { unknownAddressText, workloadKey, type Peer, type WorkloadRef } from '../../domain/peer.ts';
import { reachedAsPods, type ClusterIndex } from '../compare/context.ts';
import { namedPortNumbers, resolvePortNumbers } from '../compare/match.ts';
import type { ResolvedPeer, ResolvedPort } from '../matrix/resolved.ts';
import { isAnyNamespace, isAnyPod, namespacesOf } from './mirrored-rules.ts';
import { allPorts, apiserverPeer, cidrPeer, ciliumIngressPeer, dnsPeer, fqdnPeer, namedPort, namespacePeer, nodesPeer, podsPeer, port, portRange, selectedNamespacesPeer, worldPeer } from '../policy/build.ts';
import { cidrContains, hostCidr, ipFamily, parseCidr, type IpFamily } from '../../domain/ip.ts';
import { PORT_PROTOCOLS, type Direction, type PolicyPeer, type PortProtocol, type PortSpec } from '../policy/ir.ts';
import { ownBlocksInside } from '../../domain/cluster-own-blocks.ts';

export type PeerResult = { ok: true; peers: PolicyPeer[] } | { ok: false; reason: string };

/** The cluster DNS (matrix/bindings.ts `clusterFacts`): its pods, and the ports they answer DNS on. */
export interface DnsTarget {
  namespace: string;
  selector: LabelSelector;
  ports: PortSpec[];
  /**
   * Where its pods run: the pod network, the host network (reached at their nodes' addresses,
   * which no pod selector matches), or both (the Service balances lookups over all of them).
   */
  network: 'pod' | 'host' | 'both';
}

/** The cluster DNS as peers: its pods, its nodes where they run on the host network, or both. */
export function dnsTargetPeers(dns: DnsTarget, ix: ClusterIndex): PolicyPeer[] {
  const pods = dnsPeer(dns.namespace, dns.selector, dns.ports);
  if (dns.network === 'pod') return [pods];
  const nodes = nodesPeer(ix.allNodeIps);
  return dns.network === 'host' ? [nodes] : [pods, nodes];
}

/** The apiserver as a peer: one object, so that what is derived from it can be kept per object. */
export const APISERVER: Peer = { kind: 'apiserver' };

/**
 * Who the subject talks to on the far side of an edge: the peer itself, except that egress to
 * a node or an external address on one of the apiserver's endpoint ip:port is the apiserver
 * (it is reached on its endpoint addresses, and every engine renders it apart). `family`: the
 * one family the subject can use, where it can use one only (block-holders.ts workloadOnlyFamily).
 */
export function farSide(other: Peer, port: number, direction: Direction, ix: ClusterIndex, family?: IpFamily): Peer {
  if (direction !== 'egress') return other;
  if (other.kind === 'external') return isApiserverAddress(ix.apiserver, [other.ip], port) ? APISERVER : other;
  if (other.kind === 'node') return nodeReachedAsApiserver(other.node, port, ix, family) ? APISERVER : other;
  return other;
}

/**
 * A node reached on `port` is the apiserver where every address of it the connection may go to
 * (those of the subject's one family, else all) is an endpoint on that port. An edge keeps no
 * address (simulate/connection-family.ts, cluster.ts nodeEnd): the connection to a dual-stack
 * control-plane node may go to its address of the other family, which a single-stack `kubernetes`
 * Service does not list, or to an address of the same family that is no endpoint (an ExternalIP).
 * The apiserver peer names the endpoint addresses alone — Cilium gives `reserved:kube-apiserver`
 * to the default/kubernetes endpoints' addresses only (cilium/cilium pkg/policy/api entity.go,
 * EntityKubeAPIServer), and an ipBlock, a Calico `nets` or a ClusterNetworkPolicy `networks`
 * holds the packet's address (networking/v1 IPBlock) — so there the node stays a node peer, at
 * all its addresses.
 */
function nodeReachedAsApiserver(node: string, port: number, ix: ClusterIndex, family: IpFamily | undefined): boolean {
  const ips = ix.nodeIps.get(node) ?? [];
  const ofFamily = family === undefined ? [] : ips.filter((ip) => ipFamily(ip) === family);
  const reached = ofFamily.length > 0 ? ofFamily : ips;
  return reached.length > 0 && reached.every((ip) => isApiserverAddress(ix.apiserver, [ip], port));
}

/** The IR peers of a far side (`farSide`); `ns` is the subject's namespace. */
export function irPeers(far: Peer, direction: Direction, ns: string, ix: ClusterIndex, dns: DnsTarget): PeerResult {
  switch (far.kind) {
    case 'workload': {
      const w = ix.workloads.get(workloadKey(far.workload));
      if (!w) return { ok: false, reason: unlistedWorkloadReason(far.workload, ix) };
      const pods = podsPeer(w.selector, w.namespace === ns ? undefined : w.namespace);
      if (!w.hostNetwork) return { ok: true, peers: [pods] };
      // Its host-network pods are reached at their nodes' addresses (on any node: where they run
      // varies), and its pods on the pod network, if any, by its selector (domain/pod-networks.ts).
      const ips = ix.allNodeIps;
      const peers = [...(reachedAsPods(w, ix) ? [pods] : []), ...(ips.length > 0 ? [nodesPeer(ips)] : [])];
      return peers.length > 0 ? { ok: true, peers } : { ok: false, reason: `host-network workload ${workloadKey(far.workload)}: no node IP is known` };
    }
    case 'dns':
      return { ok: true, peers: dnsTargetPeers(dns, ix) };
    case 'apiserver':
      return ix.apiserver.length > 0
        ? { ok: true, peers: [apiserverPeer(ix.apiserver.map((e) => ({ ip: e.ip, port: e.port, protocol: protocolOf(e.protocol) ?? 'TCP' })))] }
        : { ok: false, reason: 'no endpoint of default/kubernetes is known: the apiserver cannot be expressed' };
    case 'node': {
      const ips = ix.nodeIps.get(far.node) ?? [];
      const controlPlane = ips.some((ip) => ix.apiserverIps.has(ip)) || ix.formerControlPlaneNodes.has(far.node);
      if (direction === 'ingress' && controlPlane) {
        const now = controlPlaneNodeIps(ix);
        if (now.length > 0) return { ok: true, peers: [nodesPeer(now)] };
      }
      if (ips.length === 0) return { ok: false, reason: `node ${far.node} has no known IP` };
      return { ok: true, peers: [nodesPeer(ips)] };
    }
    case 'cilium-ingress':
      return { ok: true, peers: [ciliumIngressPeer()] };
    case 'kubelet':
      return { ok: false, reason: `traffic with the pod's own node ${far.node} (${ownNodeClients(far.node, ix)}) is never a rule` };
    case 'external': {
      const names = direction === 'egress' ? (ix.externalNames.get(far.ip) ?? []) : [];
      if (names.length > 0) return { ok: true, peers: names.map((n) => fqdnPeer(n, [far.ip])) };
      if (!far.ip.includes('/')) return { ok: true, peers: [cidrPeer(hostCidr(far.ip))] };
      // A folded block (docs/ingest.md "Bounded by design") stands for outside addresses only:
      // the nodes, the apiserver and the pods inside it are held out, never opened by it.
      const block = hostCidr(far.ip);
      return { ok: true, peers: [cidrPeer(block, ownBlocksInside(block, ix.ownBlocks.hosts), ownBlocksInside(block, ix.ownBlocks.pods))] };
    }
    case 'unknown':
      return { ok: false, reason: `${unknownAddressText(far.ip)} resolved to nothing at the time of the flows: import the inventory of that time (or another ClusterMesh cluster's peer, which is not rendered)` };
  }
}

/**
 * Why no rule names a workload the inventory does not list: an import since its edges were seen
 * did not list it (deleted, or left out of a filtered export: its edges are left out either way),
 * or only flow records name it, without labels to select it by.
 */
function unlistedWorkloadReason(ref: WorkloadRef, ix: ClusterIndex): string {
  const key = workloadKey(ref);
  const deletedAt = ix.deletedWorkloads.get(key);
  const reason = workloadNotInInventory(key, deletedAt);
  return deletedAt === undefined ? `${reason}: its labels are unknown` : reason;
}

/**
 * Who speaks from a pod's own node: its kubelet (probes), and the host-network pods the inventory
 * shows there, which share the node's address (`node-a`: "kubelet probes, node-local agents:
 * netobserv-privileged/DaemonSet/netobserv-ebpf-agent").
 */
export function ownNodeClients(node: string, ix: ClusterIndex): string {
  const host = ix.hostNetwork.onNode(node).map(workloadKey);
  return host.length === 0 ? 'kubelet probes, node-local agents' : `kubelet probes, node-local agents: ${host.join(', ')}`;
}

/**
 * Traffic from a control-plane node (one whose address is an apiserver endpoint, or a node gone
 * since that ran the apiserver) comes from whichever replica serves the request: admission
 * webhooks and aggregated APIs are called by every apiserver, so a rule for the one node seen
 * would cut the others (a webhook with `failurePolicy: Fail` then blocks API writes one request
 * in N), and one for a node replaced since would cut them all. The sources are every
 * control-plane node's addresses today.
 */
function controlPlaneNodeIps(ix: ClusterIndex): string[] {
  const ips = [...ix.nodeIps.values()].filter((own) => own.some((ip) => ix.apiserverIps.has(ip)));
  return [...new Set(ips.flat())].sort();
}

export function protocolOf(p: string): PortProtocol | undefined {
  return (PORT_PROTOCOLS as readonly string[]).includes(p) ? (p as PortProtocol) : undefined;
}

/** The port an edge was seen on; undefined for ICMP (not portable across engines). */
export function edgePort(edge: EdgeTraffic): PortSpec | undefined {
  const proto = protocolOf(edge.protocol);
  return proto ? port(proto, edge.port) : undefined;
}

/** A documented rule's resolved peer as IR peers; empty when it resolved to nothing. */
export function resolvedPeers(rp: ResolvedPeer, ns: string, ix: ClusterIndex, dns: DnsTarget): PolicyPeer[] {
  switch (rp.kind) {
    case 'pods': {
      // A peer selecting host-network pods reaches them at their nodes' addresses, which no pod
      // selector matches (kubernetes.io "Network Policies": hostNetwork pods are ignored by
      // podSelector; ClusterNetworkPolicy `pods`: "host-networked pods are not included"): a
      // component of pod-network and host-network workloads names both, its nodes and its pods.
      const nodes = hostNetworkNodes(rp, ix);
      // A matrix that declares host network where the inventory shows pods on the pod network: the
      // two disagree (the workload's warning says so), so both are reached, never neither.
      // So are the pods on the pod network of a workload whose other pods run on the host network.
      if (rp.hostNetwork && !rp.workloads.some((ref) => selectsPods(ref, ix))) return nodes;
      // A namespace selector stays one: namespaces created later must match too, never be blocked.
      if (rp.namespaceSelector !== undefined) return [...nodes, selectedNamespacesPeer(rp.namespaceSelector, rp.selector)];
      const namespaces = rp.namespace !== undefined ? [rp.namespace] : rp.namespaces;
      return [...nodes, ...namespaces.map((n) => podsPeer(rp.selector, n === ns ? undefined : n))];
    }
    // Likewise a namespace's host-network pods: no namespace selector matches their node's address
    // (kubernetes.io "Network Policies": "ignores hostNetwork pods when matching … namespaceSelector").
    case 'namespace':
      if (rp.namespaceSelector !== undefined) return [...hostNetworkNodes(rp, ix), selectedNamespacesPeer(rp.namespaceSelector)];
      return [...hostNetworkNodes(rp, ix), ...namespacesOf(rp).map((n) => namespacePeer(n === ns ? undefined : n))];
    case 'same-namespace':
      return [...hostNetworkNodes(rp, ix), namespacePeer(rp.namespace === ns ? undefined : rp.namespace)];
    case 'apiserver':
      return rp.endpoints.length > 0 ? [apiserverPeer(rp.endpoints.map((e) => ({ ip: e.ip, port: e.port, protocol: protocolOf(e.protocol) ?? 'TCP' })))] : [];
    case 'dns':
      // A matrix `dns` peer is the cluster DNS the facts name (matrix/resolve.ts), as `dns` is.
      return dnsTargetPeers(dns, ix);
    case 'nodes': {
      const ips = [...new Set(rp.nodes.flatMap((n) => n.addresses.length > 0 ? n.addresses : (ix.nodeIps.get(n.name) ?? [])))].sort();
      return ips.length > 0 ? [nodesPeer(ips.filter((ip) => /^[0-9a-fA-F.:]+$/.test(ip)))] : [];
    }
    case 'cidr':
      return rp.cidrs.map((c) => cidrPeer(c, rp.except.filter((e) => e !== c && insideLoose(e, c))));
    case 'fqdn': {
      return rp.fqdns.map((f) => fqdnPeer(f, f.startsWith('*.') ? [] : [...ix.addressesOfName(f)].sort()));
    }
    case 'world':
      return [worldPeer()];
  }
}

/**
 * What a rule to one endpoint of a headless Service allows (ResolvedPeer `endpoint`): its name
 * answers with that pod alone, the rule lets in its whole workload — a selector on the pod's own
 * `statefulset.kubernetes.io/pod-name` selects no pod under Cilium (cilium#28003, any policy kind)
 * and cannot be verified on an edge, whose side is a workload as a whole.
 */
export function endpointWorkloadNote(endpoint: { name: string; service: string; pods: readonly string[] }, workloads: readonly WorkloadRef[]): string {
  const pods = endpoint.pods.join(', ');
  return `${endpoint.name} answers with pod ${pods} alone (an endpoint of headless Service ${endpoint.service}); allowed as its workload ${workloads.map(workloadKey).join(', ')}, as no rule selects one pod here (Cilium leaves statefulset.kubernetes.io/pod-name out of identities, and edges are judged per workload)`;
}

/** The inventory shows the workload with pods that pod selectors reach (compare/context.ts reachedAsPods). */
function selectsPods(ref: WorkloadRef, ix: ClusterIndex): boolean {
  const w = ix.workloads.get(workloadKey(ref));
  return w !== undefined && reachedAsPods(w, ix);
}

/**
 * A workload the pods peer names is on the host network (the inventory says so). Not "any pod"
 * (every namespace's pods), which says what this side allows, not which workloads must be reached
 * (mirrored-rules.ts namedWorkloads): the host-network pods it is credited with on observed edges
 * get their nodes there (host-network-far-sides.ts).
 */
export function selectsHostNetwork(rp: ResolvedPeer & { kind: 'pods' }, ix: ClusterIndex): boolean {
  if (isAnyPod(rp)) return false;
  return rp.workloads.some((w) => ix.workloads.get(workloadKey(w))?.hostNetwork === true);
}

/**
 * Some workload a documented peer names runs on the host network, reached at its node's address:
 * a pods peer the matrix or the inventory puts there, or a namespace (`{namespace}`,
 * `same-namespace`) that holds one. Not every namespace (as not "any pod": namedWorkloads).
 */
export function reachesHostNetwork(rp: ResolvedPeer, ix: ClusterIndex): boolean {
  switch (rp.kind) {
    case 'pods':
      return rp.hostNetwork || selectsHostNetwork(rp, ix);
    case 'namespace':
      return !isAnyNamespace(rp) && namespacesOf(rp).some((n) => ix.hostNetworkNamespaces.has(n));
    case 'same-namespace':
      return ix.hostNetworkNamespaces.has(rp.namespace);
    default:
      return false;
  }
}

/** The node peer of a documented peer's host-network workloads (every node: their pods may run on any); none where it has none or no node address is known. */
function hostNetworkNodes(rp: ResolvedPeer, ix: ClusterIndex): PolicyPeer[] {
  if (!reachesHostNetwork(rp, ix)) return [];
  const ips = ix.allNodeIps;
  return ips.length > 0 ? [nodesPeer(ips)] : [];
}

/** `inner` lies strictly inside `outer`: a matrix writes one except list for all its CIDRs. */
function insideLoose(inner: string, outer: string): boolean {
  const i = parseCidr(inner);
  const o = parseCidr(outer);
  return i !== undefined && o !== undefined && i.prefix > o.prefix && cidrContains(o, i);
}

/**
 * A documented rule's ports as IR ports: a named port resolved on the server, when known, to every
 * number its pods give the name (a rollout's two ReplicaSets may differ: each number is rendered,
 * compare/match.ts resolvePortNumbers); else (egress to several workloads) kept by name, with the
 * numbers the name has on `destinations` (the workloads the peer names).
 */
export function resolvedPorts(ports: readonly ResolvedPort[], server: Peer | undefined, ix: ClusterIndex, destinations: readonly WorkloadRef[] = []): PortSpec[] {
  const out: PortSpec[] = [];
  for (const p of ports) {
    if (p.port === undefined && p.name === undefined) {
      out.push(allPorts(p.protocol));
      continue;
    }
    const numbers = server ? resolvePortNumbers(p, server, ix) : p.port !== undefined ? [p.port] : [];
    for (const n of numbers) out.push(p.endPort !== undefined && p.endPort > n ? portRange(p.protocol, n, p.endPort) : port(p.protocol, n));
    if (numbers.length === 0 && p.name !== undefined) out.push(namedPort(p.protocol, p.name, namedPortNumbers(p.name, p.protocol, destinations, ix)));
  }
  return out;
}
