/**
 * What a documented address block (a matrix `cidrs:` peer) holds of the cluster itself: the pods
 * and the nodes (with their host-network pods) whose addresses lie in it, outside its `except`.
 * A rule "from 10.244.0.0/16" means them too, but not every engine's CIDR peer matches them: a
 * Cilium CIDR selects world identities only (docs.cilium.io, Layer 3 "CIDR-based": "CIDR rules do
 * not apply to traffic where both sides of the connection are either managed by Cilium or use an
 * IP belonging to a node in the cluster"), a NetworkPolicy ipBlock is meant for cluster-external
 * addresses and matches pods on some plugins only (Kubernetes "Network Policies", ipBlock), and a
 * ClusterNetworkPolicy ingress peer cannot be a block at all (pods and namespaces only,
 * kubernetes-sigs/network-policy-api apis/v1alpha2 ClusterNetworkPolicyIngressPeer). So the rule
 * names them beside the block (synthesize/workload.ts addDocumentedAtoms), and the verification
 * stands in one of each (representative-flows.ts).
 */
import { cidrContains, cidrContainsIp, ipFamily, parseCidr, type Cidr, type IpFamily } from '../../domain/ip.ts';
import { workloadKey, type WorkloadRef } from '../../domain/peer.ts';
import type { ClusterIndex } from '../compare/context.ts';
import type { ResolvedPeer } from '../matrix/resolved.ts';
import { nodesPeer, podsPeer, selectedNamespacesPeer } from '../policy/build.ts';
import type { PolicyPeer } from '../policy/ir.ts';
import { compareStrings } from '../policy/order.ts';
import { familiesOf } from '../simulate/connection-family.ts';
import type { PodNetwork } from './mirrored-rules.ts';

export interface BlockHolders {
  /**
   * The block, less its except, holds every node's pod CIDR: every pod of the cluster, today's and
   * those to come, is in it — then `workloads` is not needed to name them.
   */
  everyPod: boolean;
  /** The pod-network workloads with a pod the inventory shows at an address of the block, by key. */
  workloads: WorkloadRef[];
  /** The nodes with an address in the block, by name, with those addresses (their host-network pods speak from them). */
  nodes: { name: string; ips: string[] }[];
}

export function blockHolders(rp: ResolvedPeer & { kind: 'cidr' }, cluster: PodNetwork, ix: ClusterIndex): BlockHolders {
  const blocks = parsed(rp.cidrs);
  const holes = parsed(rp.except);
  const holds = (ip: string): boolean => blocks.some((b) => cidrContainsIp(b, ip)) && !holes.some((h) => cidrContainsIp(h, ip));
  const podCidrs = parsed(ix.ownBlocks.pods);
  const everyPod = podCidrs.length > 0 && podCidrs.every((c) => blocks.some((b) => cidrContains(b, c)) && !holes.some((h) => overlap(h, c)));
  const workloads = cluster
    .all()
    .filter((w) => cluster.podIps(w).some(holds))
    .sort((a, b) => compareStrings(workloadKey(a), workloadKey(b)));
  const nodes = [...ix.nodeIps.entries()]
    .map(([name, ips]) => ({ name, ips: ips.filter(holds).sort() }))
    .filter((n) => n.ips.length > 0)
    .sort((a, b) => compareStrings(a.name, b.name));
  return { everyPod, workloads, nodes };
}

/**
 * The peers that name what the block holds, beside the block itself, and the note that says why:
 * every pod (`selected-namespaces {}`) where it holds the whole pod network, else each workload's
 * pods by its selector (a pod of another workload that gets an address in the block later is not
 * named: the inventory decides, as for any peer); the nodes by their addresses in the block (each
 * engine renders a node peer as it can match one: Cilium's `host` and `remote-node` entities),
 * and by every address of those the rule's edges reached (`reached`: the addresses their far
 * sides render, synthesize/peers.ts irPeers). The comparison credits an edge to the block by its
 * node, and an edge keeps no address family: the flows to a dual-stack node with an IPv4 address
 * in the block may have used its IPv6 one, which an IPv4 block never matches (a networking/v1
 * IPBlock, a Calico `nets`, a ClusterNetworkPolicy `networks` hold the packet's address). So the
 * rule allows what was observed, as the same edge without the matrix renders it. And, for a
 * subject that can use only a family no block of the rule holds, at their addresses of it
 * (`across`: nodesAcrossFamily), observed or not.
 * `ns`: the subject's namespace.
 */
export function blockHolderPeers(block: string, h: BlockHolders, ns: string, ix: ClusterIndex, reached: readonly string[] = [], across?: NodesAcross): { peers: PolicyPeer[]; note?: string } {
  const peers: PolicyPeer[] = [];
  const held: string[] = [];
  if (h.everyPod) {
    peers.push(selectedNamespacesPeer({}));
    held.push('every pod (it holds the pod CIDR of every node)');
  } else {
    const named = h.workloads.flatMap((ref) => ix.workloads.get(workloadKey(ref)) ?? []);
    for (const w of named) peers.push(podsPeer(w.selector, w.namespace === ns ? undefined : w.namespace));
    if (named.length > 0) held.push(`the pods of ${named.map(workloadKey).join(', ')}`);
  }
  const inBlock = h.nodes.flatMap((n) => n.ips);
  const acrossIps = across?.ips ?? [];
  const ips = [...new Set([...inBlock, ...acrossIps, ...reached])].sort();
  if (ips.length > 0) peers.push(nodesPeer(ips));
  if (h.nodes.length > 0) held.push(`node${h.nodes.length === 1 ? '' : 's'} ${h.nodes.map((n) => n.name).join(', ')} (and their host-network pods)`);
  const outside = nodesAt(reached.filter((ip) => !inBlock.includes(ip) && !acrossIps.includes(ip)), ix);
  const notes = [
    ...(held.length > 0 ? [`${block} holds the addresses of ${held.join(' and ')}: named beside it, since a CIDR peer matches no pod on Cilium or a ClusterNetworkPolicy ingress, nor a node on Cilium, and an ipBlock a pod on some plugins only`] : []),
    ...(across !== undefined ? [acrossNote(block, across, ix)] : []),
    ...(outside.length > 0 ? [`the flows reached ${nodeNames(outside)}: named at each of ${outside.length === 1 ? 'its' : 'their'} addresses too, since an edge keeps no address family`] : []),
  ];
  return notes.length === 0 ? { peers } : { peers, note: notes.join('; ') };
}

/** The block's nodes at their addresses of the one family the subject can use, which no block of the rule holds (nodesAcrossFamily). */
export interface NodesAcross {
  family: IpFamily;
  ips: string[];
  /** The subject, as messages name it. */
  subject: string;
}

/**
 * The block's nodes at their addresses of the one family the subject can use, where no block of
 * the rule holds that family (an IPv6-only workload, a rule naming the IPv4 node block): undefined
 * otherwise, or where no node of the block has such an address. The block is how the document
 * spells those nodes (the comparison credits a node edge to it by the node, at any of its
 * addresses); such a workload reaches a dual-stack node over its own family only (Kubernetes
 * "IPv4/IPv6 dual-stack": a pod and a node carry an address of each family they have), and each
 * engine matches the packet's address (networking/v1 IPBlock "a particular CIDR"; Calico `nets`;
 * ClusterNetworkPolicy `networks`). Named at the block's addresses alone, the rule could never
 * match the workload's connection to them, and once one were observed it would name them anyway.
 */
export function nodesAcrossFamily(rp: ResolvedPeer & { kind: 'cidr' }, h: BlockHolders, self: WorkloadRef, cluster: PodNetwork, ix: ClusterIndex): NodesAcross | undefined {
  const family = familyBeyondBlocks(rp, self, cluster, ix);
  if (family === undefined) return undefined;
  const ips = h.nodes.flatMap((n) => nodeAddressesOf(n.name, family, ix)).sort();
  return ips.length > 0 ? { family, ips, subject: workloadKey(self) } : undefined;
}

/** The one family the workload can use (workloadOnlyFamily), where no block of the rule is of it. */
export function familyBeyondBlocks(rp: ResolvedPeer & { kind: 'cidr' }, self: WorkloadRef, cluster: PodNetwork, ix: ClusterIndex): IpFamily | undefined {
  const family = workloadOnlyFamily(self, cluster, ix);
  return family !== undefined && !parsed(rp.cidrs).some((b) => b.family === family) ? family : undefined;
}

/**
 * The one family a workload can use, where it can use one only: its pods' addresses', else those
 * the pod network gives a new pod (the nodes' pod CIDRs), as the verification reads it
 * (simulate/connection-family.ts podFamilies). Undefined where it can use both, or nothing says.
 */
export function workloadOnlyFamily(w: WorkloadRef, cluster: Pick<PodNetwork, 'podIps'>, ix: ClusterIndex): IpFamily | undefined {
  const ips = cluster.podIps(w);
  const families = familiesOf(ips.length > 0 ? ips : ix.ownBlocks.pods);
  return families === 4 || families === 6 ? families : undefined;
}

/** A node's addresses of `family`, sorted. */
export function nodeAddressesOf(node: string, family: IpFamily, ix: ClusterIndex): string[] {
  return (ix.nodeIps.get(node) ?? []).filter((ip) => ipFamily(ip) === family).sort();
}

function acrossNote(block: string, across: NodesAcross, ix: ClusterIndex): string {
  const nodes = nodesAt(across.ips, ix);
  return `${across.subject} can use IPv${across.family} only, which ${block} does not hold: ${nodeNames(nodes)} named at ${nodes.length === 1 ? 'its' : 'their'} IPv${across.family} address${across.ips.length === 1 ? '' : 'es'} too, since it reaches a node over that family and each engine matches the packet's address`;
}

/** The nodes holding any of the addresses, by name. */
function nodesAt(ips: readonly string[], ix: ClusterIndex): string[] {
  if (ips.length === 0) return [];
  return [...ix.nodeIps.entries()]
    .filter(([, own]) => own.some((ip) => ips.includes(ip)))
    .map(([name]) => name)
    .sort(compareStrings);
}

const nodeNames = (names: readonly string[]): string => `node${names.length === 1 ? '' : 's'} ${names.join(', ')}`;

function parsed(cidrs: readonly string[]): Cidr[] {
  return cidrs.flatMap((c) => parseCidr(c) ?? []);
}

function overlap(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}
