/**
 * Does an observed edge fall under a documented rule? Direction decides which side is "the
 * other peer"; the peer must be one the rule resolved to, and the port one it names (named
 * ports resolve through the server workload's declared container ports).
 */
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { Peer, WorkloadRef } from '../../domain/peer.ts';
import { peerNamespace, workloadKey } from '../../domain/peer.ts';
import type { ExpectedRule, ResolvedPeer, ResolvedPort } from '../matrix/resolved.ts';
import { cidrContains, hostCidr, parseCidr } from '../../domain/ip.ts';
import type { ClusterIndex } from './context.ts';
import { canonicalDnsName } from '../../domain/dns-name.ts';
import { containerPortNumbers } from '../../domain/service-links.ts';

/** The IPs a peer is known by, for CIDR-style matching. */
function peerIps(p: Peer, ix: ClusterIndex): string[] {
  switch (p.kind) {
    case 'external':
    case 'unknown':
      return [p.ip];
    case 'node':
    case 'kubelet':
      return ix.nodeIps.get(p.node) ?? [];
    case 'apiserver':
      return [...ix.apiserverIps];
    default:
      return [];
  }
}

/**
 * Every address of `ip` — one, or a block a folded edge stands for — is in one of `cidrs` and in
 * none of `except`: a block an except cuts into is not the rule's (some of its addresses are not).
 */
function inCidrs(ip: string, cidrs: readonly string[], except: readonly string[]): boolean {
  const host = parseCidr(hostCidr(ip));
  if (!host) return false;
  const within = cidrs.some((c) => {
    const outer = parseCidr(c);
    return outer !== undefined && cidrContains(outer, host);
  });
  const cut = except.some((c) => {
    const hole = parseCidr(c);
    return hole !== undefined && (cidrContains(hole, host) || cidrContains(host, hole));
  });
  return within && !cut;
}

/**
 * A leading `*.` is one or more labels (docs/matrices.md): `*.example.com` holds a.b.example.com,
 * as ClusterNetworkPolicy's DomainName ("`*.kubernetes.io` matches … latest.blog.kubernetes.io":
 * network-policy-api apis/v1alpha2) and Calico's domains ("matches 1 or more path components")
 * read it; the Cilium emitter renders it `**.` (engines/cilium.ts fqdnSelector).
 */
function fqdnMatches(pattern: string, name: string): boolean {
  const p = canonicalDnsName(pattern);
  const n = canonicalDnsName(name);
  if (p.startsWith('*.')) return n.endsWith(p.slice(1)) && n.length > p.length - 1;
  return p === n;
}

/**
 * True when `other` (the peer on the far side of the edge) is one `rp` stands for. `serverPort`
 * is the edge's port when `other` is its server (egress).
 */
export function peerMatches(other: Peer, rp: ResolvedPeer, ix: ClusterIndex, serverPort?: number): boolean {
  const ns = peerNamespace(other);
  switch (rp.kind) {
    case 'pods':
      // A host-network component speaks from its node's address (seed 002 line 28: the agents are
      // host-network pods), so its flows arrive as node peers — from the nodes it runs on, the
      // server pod's own node included (`kubelet:<node>`: its kubelet, or a host-network pod there).
      if (rp.hostNetwork && rp.workloads.length > 0 && (other.kind === 'node' || other.kind === 'kubelet')) return hostNetworkNodes(rp.workloads, ix)(other.node);
      if (other.kind !== 'workload' && other.kind !== 'dns') return false;
      return rp.workloads.some((w) => workloadKey(w) === workloadKey(other.workload));
    case 'dns':
      if (other.kind !== 'workload' && other.kind !== 'dns') return false;
      return rp.workloads.some((w) => workloadKey(w) === workloadKey(other.workload));
    case 'namespace':
      return ns !== undefined && rp.namespaces.includes(ns);
    case 'same-namespace':
      return ns === rp.namespace;
    case 'apiserver':
      if (other.kind === 'apiserver') return true;
      // The apiserver dials webhooks from its own (host network) address on any port: a node or an
      // external IP. As a server it is that address on its endpoint port only; the node's other
      // ports (the kubelet's) are the node's.
      return peerIps(other, ix).some((ip) => rp.endpoints.some((e) => e.ip === ip && (serverPort === undefined || e.port === serverPort)));
    case 'nodes':
      if (other.kind === 'node' || other.kind === 'kubelet') return rp.nodes.some((n) => n.name === other.node);
      return peerIps(other, ix).some((ip) => rp.nodes.some((n) => n.addresses.includes(ip)));
    case 'cidr':
      return peerIps(other, ix).some((ip) => inCidrs(ip, rp.cidrs, rp.except));
    case 'fqdn':
      if (other.kind !== 'external') return false;
      return (ix.externalNames.get(other.ip) ?? []).some((n) => rp.fqdns.some((f) => fqdnMatches(f, n)));
    case 'world':
      return true;
  }
}

/**
 * Whether host-network pods of the workloads run on a node, as far as the inventory shows: where
 * it shows none of their pods, they may run on any node (peers.ts renders every node for them).
 * The placement is read once: build it once per rule or peer, then ask it per edge.
 */
export function hostNetworkNodes(workloads: readonly WorkloadRef[], ix: ClusterIndex): (node: string) => boolean {
  const placed = new Set(workloads.flatMap((w) => ix.hostNetwork.nodesOf(w)));
  return placed.size === 0 ? () => true : (node) => placed.has(node);
}

/**
 * The port numbers a rule port stands for on `server`, sorted; empty when a name cannot be resolved.
 * A name resolves on each destination pod (NetworkPolicyPort.port: "a named port on a pod"), and a
 * workload's pods need not agree — two ReplicaSets mid-rollout may give `metrics` 9090 and 9091 —
 * so it stands for every number the workload's pods declare under that name and protocol.
 */
export function resolvePortNumbers(p: ResolvedPort, server: Peer, ix: ClusterIndex): number[] {
  if (p.port !== undefined) return [p.port];
  if (p.name === undefined) return [];
  if (server.kind !== 'workload' && server.kind !== 'dns') return [];
  return namedPortNumbers(p.name, p.protocol, [server.workload], ix);
}

/** The numbers container port `name` of `protocol` has on the workloads' pods, sorted. */
export function namedPortNumbers(name: string, protocol: string, workloads: readonly WorkloadRef[], ix: ClusterIndex): number[] {
  return containerPortNumbers(workloads.flatMap((ref) => ix.workloads.get(workloadKey(ref))?.ports ?? []), name, protocol);
}

export function portMatches(edge: EdgeTraffic, ports: readonly ResolvedPort[], ix: ClusterIndex): boolean {
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if (p.protocol !== edge.protocol) return false;
    const end = p.endPort;
    return resolvePortNumbers(p, edge.server, ix).some((n) => (end !== undefined ? edge.port >= n && edge.port <= end : edge.port === n));
  });
}

/**
 * The edge, seen from `subject`'s side in `rule.direction`, is what the rule documents. An ambient
 * pod's kubelet probe arrives from istio-cni's SNAT address (domain/istio.ts), not from its node:
 * it is the node's probe all the same, so a health check documented from the nodes covers it.
 */
export function edgeMatchesRule(edge: EdgeTraffic, rule: ExpectedRule, ix: ClusterIndex): boolean {
  const other = rule.direction === 'ingress' ? edge.client : edge.server;
  const serverPort = rule.direction === 'egress' ? edge.port : undefined;
  const probe = rule.direction === 'ingress' && ix.mesh.isAmbientProbe(edge.client, edge.server);
  return rule.peers.some((rp) => (peerMatches(other, rp, ix, serverPort) || (probe && rp.kind === 'nodes')) && portMatches(edge, rp.ports ?? rule.ports, ix));
}
