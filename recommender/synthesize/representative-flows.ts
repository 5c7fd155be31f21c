/**
 * What stands for the peer of a `must` rule that names no workload, so that the verification can
 * judge its flow all the same (docs/recommend.md, "Verification"): `world` (any address, in or out
 * of the cluster), every pod of every namespace, a role nothing binds, the apiserver, the nodes
 * (of an egress rule: an ingress one names each node itself), a CIDR, an FQDN. Such a rule's flow
 * is required as any other must flow, and a policy that cuts it (mode observed renders observed
 * edges only: "deny all egress" for StackLight's Patroni, whose `allow-all` egress is a must)
 * must fail the verification rather than pass with a warning.
 *
 * - `world`, a role of scope `any` or `external`: an address outside the cluster, the tightness
 *   probes' world address (verify/probes.ts, TEST-NET-2; the verification takes the IPv6 one for
 *   a workload that can use IPv6 only). The rendered "any peer" (every engine's: no peers, Cilium's
 *   `all` entity, Calico's and ClusterNetworkPolicy's 0.0.0.0/0 and ::/0) admits it. Edges seen
 *   inside the cluster only never show the world's outside part: only an edge from or to an
 *   outside address does (`seen`).
 * - every pod of every namespace, a role of scope `in-cluster`: a pod-network workload of the
 *   cluster other than the rule's own, the first by key (deterministic); on a port name, the first
 *   that gives the name each of its numbers (`among`). Its own side is not judged: such a peer
 *   says what this side allows, not what each pod must accept.
 * - the apiserver: `default/kubernetes` as its endpoints serve it. Egress to it, on each endpoint
 *   port (the port a flow shows after DNAT: domain/apiserver.ts); ingress from it (a webhook), on
 *   the rule's ports, each required on its own: the apiserver connects to the pod's own port, and
 *   its endpoint port is where it listens, not where it calls.
 * - the nodes: each node with an address.
 * - a CIDR: an address of the block outside its `except`, the cluster's own addresses
 *   (domain/cluster-own-blocks.ts: a node's, the apiserver's, a pod CIDR's resolve to those peers,
 *   never to an outside address; and Cilium matches such an address by its `host`/`remote-node`
 *   or pod identity, not by the CIDR: docs.cilium.io "Layer 3 Policies", IP/CIDR based "if the
 *   remote peer is not an endpoint", cilium/cilium#16308) and the Services' ClusterIPs (translated
 *   to backends before policy): the world address where the block holds it, else its first host
 *   address (domain/ip.ts firstHostAddress: never 0.0.0.0, a network or a broadcast address), one
 *   per block; judged where the workload can use its family. Only an edge to an outside address
 *   of the block shows it: one to a node inside it shows nothing of the outside part. And the
 *   cluster's own part (block-holders.ts; heldByBlock): a pod and a node the inventory shows at an
 *   address of the block, which not every engine's CIDR peer matches (a Cilium CIDR never, a
 *   ClusterNetworkPolicy ingress cannot name a block), so a rendering that cuts them is found.
 *   Every stand-in at an address of a family the workload cannot use: none can be judged, and a
 *   warning says so (withUnreachableFamily).
 * - an FQDN: the first address of each family stored with a matching DNS name. None stored (the
 *   store keeps the names seen for outside addresses only: collectors/flows/pipeline.ts), an
 *   outside address of each family as for `0.0.0.0/0` and `::/0`, carrying a name the rule names
 *   (`names`; as resolved: an ExternalName Service's is the name the pod asks, the one the
 *   engines tie the answer to, matrix/service-names.ts askedOutside). Where an engine renders an
 *   unresolved name as any destination on its ports
 *   (kubernetes, calico, clusternetworkpolicy: docs/engines.md, `fqdn-unresolved`) any outside
 *   address is exact: an output that cuts it allows that port to no outside address, so it cuts
 *   the name whatever it resolves to. Cilium's toFQDNs allows the addresses its DNS proxy saw
 *   resolved from a matching name (docs.cilium.io "Layer 3 Policies", DNS based), which a pod
 *   reaching the name has just looked up: the stand-in is such an address. A name whose in-cluster
 *   answers are not known (`answersNotKept`: flows stored before they were kept) may be a pod's
 *   too, which nothing here stands for: the verification cannot tell there.
 * - namespaces by a selector that no namespace matches: nothing stands for them, and the
 *   verification cannot tell whether the output cuts the flow: a warning says so.
 *
 * The DNS and named workloads are not stood in for here (the DNS rule is implied, named workloads
 * are required themselves: synthesize/workload.ts unobservedMustFlows).
 */
import type { Direction } from '../../domain/direction.ts';
import { cidrContainsIp, compareCidrs, firstHostAddress, hostCidr, ipFamily, parseCidr } from '../../domain/ip.ts';
import { workloadKey, type Peer, type WorkloadRef } from '../../domain/peer.ts';
import type { ClusterIndex } from '../compare/context.ts';
import { peerMatches } from '../compare/match.ts';
import type { AnswersNotKept, ResolvedPeer, ResolvedPort, RoleScope } from '../matrix/resolved.ts';
import { compareStrings } from '../policy/order.ts';
import { WORLD_PROBE, WORLD_PROBE_V6 } from '../verify/probes.ts';
import { blockHolders, familyBeyondBlocks, nodeAddressesOf, workloadOnlyFamily, type BlockHolders } from './block-holders.ts';
import { selectsAny, type PodNetwork } from './mirrored-rules.ts';
import { protocolOf } from './peers.ts';

/** The peer a representative flow goes to or comes from, and what it stands for (said in the verification's finding). */
export interface StandIn {
  peer: Peer;
  /** `egress to the world`, `ingress from a pod of the cluster`. */
  stands: string;
  /**
   * Whether an observed edge of the rule whose far end is `far` shows the part of the peer this
   * stands for (then only its port is left to require). Undefined for a peer in the cluster (any
   * pod, an in-cluster role): any edge of the rule shows it.
   */
  seen?: (far: Peer) => boolean;
  /** The ports it is reached on whatever the rule's say (egress to the apiserver: its endpoint ports); seen on any of them, it is seen. */
  ports?: ResolvedPort[];
  /**
   * `world`: the verification judges it at the world address of the family the workload can use;
   * `address`: an outside address of its own (a block's, a name's), judged where the workload can
   * use its family only.
   */
  outside?: 'world' | 'address';
  /** The DNS names its address was resolved from, where none is stored with it (an FQDN's stand-in: Cilium's toFQDNs matches an address by them). */
  names?: readonly string[];
  /**
   * The address `peer` is required at, where the document names it by one (a node of a block: its
   * address in the block, or of the one family the workload can use where no block of the rule is
   * of it): judged there, in its family, not at each family a dual-stack node has.
   */
  address?: string;
  /**
   * Every workload a pod of the cluster stands for (`peer` is the first), by key: a port name is
   * looked up on each of them, as each pod resolves it on its own containers (synthesize/workload.ts
   * standInTargets).
   */
  among?: readonly WorkloadRef[];
}

/** A peer nothing can stand for: why. */
export interface NoStandIn {
  none: string;
}

/** The stand-ins of a peer, and why part of it has none (a block wholly the cluster's own): the verification cannot tell there. */
export interface StandIns {
  all: StandIn[];
  none?: string;
  /** What makes the part `none` speaks of verifiable, where something does: said after the warning. */
  wayOut?: string;
}

/**
 * Where a rule names no port (every port), one port stands for all of them: any would do, since
 * "every port" includes it; 443/TCP, on which the outside APIs a must egress to the world names
 * (Kubernetes, Keycloak, OpenStack: seed 000) are reached.
 */
export const ANY_PORT: ResolvedPort = { protocol: 'TCP', port: 443 };

/** The stand-ins for a resolved peer that names no workload (namedWorkloads is empty); undefined for the kinds not stood in for. */
export function standInFor(rp: ResolvedPeer, self: WorkloadRef, d: Direction, cluster: PodNetwork, ix: ClusterIndex): StandIns | undefined {
  const stands = standInsOfPeer(rp, self, d, cluster, ix);
  return stands === undefined ? undefined : withUnreachableFamily(stands, rp, self, cluster, ix);
}

function standInsOfPeer(rp: ResolvedPeer, self: WorkloadRef, d: Direction, cluster: PodNetwork, ix: ClusterIndex): StandIns | undefined {
  const toOrFrom = `${d} ${d === 'egress' ? 'to' : 'from'}`;
  switch (rp.kind) {
    case 'world':
      return { all: [world(d)] };
    case 'pods':
    case 'namespace': {
      const anywhere = rp.namespace === undefined && selectsAny(rp.namespaceSelector) && (rp.kind === 'namespace' || selectsAny(rp.selector));
      if (anywhere) return standInsOf(anyPod(self, d, cluster));
      if (rp.namespace === undefined && rp.namespaces.length === 0) return { all: [], none: 'its namespaceSelector matches no namespace of the inventory, so no pod stands for its peer' };
      return undefined;
    }
    case 'apiserver': {
      // Without endpoints the rule leaves egress open (synthesize/workload.ts addDocumentedAtoms), and warns.
      if (rp.endpoints.length === 0) return d === 'egress' ? undefined : { all: [], none: 'no endpoint of default/kubernetes is known, so no address stands for the apiserver' };
      const stand: StandIn = { peer: { kind: 'apiserver' }, stands: `${toOrFrom} the apiserver`, seen: (far) => peerMatches(far, rp, ix) };
      // A webhook call reaches the pod's own port: the rule's ports, each required, as any client's.
      if (d === 'ingress') return { all: [stand] };
      const ports = [...new Map(rp.endpoints.map((e) => [`${e.port}/${e.protocol}`, { protocol: protocolOf(e.protocol) ?? 'TCP', port: e.port }])).values()].sort((a, b) => a.port - b.port || compareStrings(a.protocol, b.protocol));
      return { all: [{ ...stand, ports }] };
    }
    case 'nodes': {
      const addressed = rp.nodes.filter((n) => n.addresses.length > 0);
      // No address known: the rule allows any peer on its ports until one is (addDocumentedAtoms), and warns.
      if (addressed.length === 0) return undefined;
      return { all: addressed.map((n) => ({ peer: { kind: 'node', node: n.name }, stands: `${toOrFrom} the nodes`, seen: (far: Peer) => peerMatches(far, { kind: 'nodes', nodes: [n] }, ix) })) };
    }
    case 'cidr': {
      const own = ownAddresses(ix);
      const out: StandIn[] = [];
      const inside: string[] = [];
      const noHost: string[] = [];
      for (const cidr of rp.cidrs) {
        const address = outsideAddressIn(cidr, [...rp.except, ...own]);
        if (address === undefined) {
          (firstHostAddress(cidr, []) === undefined ? noHost : inside).push(cidr);
          continue;
        }
        const block: ResolvedPeer = { kind: 'cidr', cidrs: [cidr], except: rp.except };
        // An edge to a node, the apiserver, a pod or a ClusterIP inside the block shows nothing of its outside part.
        const seen = (far: Peer): boolean => far.kind === 'external' && !isOwnAddress(far.ip, own) && peerMatches(far, block, ix);
        out.push({ peer: { kind: 'external', ip: address }, stands: `${toOrFrom} ${cidr}`, seen, outside: 'address' });
      }
      const held = heldByBlock(rp, self, toOrFrom, cluster, ix);
      out.push(...held);
      // A block wholly the cluster's own has no outside part: its pods and nodes, stood for above, are all of it.
      const whollyOwn = inside.length > 0 && held.length === 0;
      const why = [
        ...(noHost.length > 0 ? [`${noHost.join(', ')} holds no address a host is given (loopback, multicast, "this network", or a network or broadcast address)`] : []),
        ...(whollyOwn ? [`every host address of ${inside.join(', ')} is in its except, the cluster's own (nodes, the apiserver, pod CIDRs) or a Service ClusterIP`] : []),
      ];
      return why.length === 0 ? { all: out } : { all: out, none: `${why.join(', and ')}, so no outside address stands for it` };
    }
    case 'fqdn': {
      const out: StandIn[] = [];
      const missing: string[] = [];
      // Of the cluster alone, not of the name: made once, and only where a name has no stored address.
      let outside: string[] | undefined;
      for (const name of rp.fqdns) {
        const one: ResolvedPeer = { kind: 'fqdn', fqdns: [name] };
        const stand = (ip: string, names?: readonly string[]): StandIn => ({ peer: { kind: 'external', ip }, stands: `${toOrFrom} ${name}`, seen: (far) => peerMatches(far, one, ix), outside: 'address', ...(names !== undefined ? { names } : {}) });
        const ips = [...ix.addressesOfName(name)].sort((a, b) => compareCidrs(hostCidr(a), hostCidr(b)));
        const stored = [4, 6].flatMap((f) => ips.find((ip) => ipFamily(ip) === f) ?? []);
        // None stored: the others' addresses do not stand for it, an outside address resolved from it does.
        const unstored = stored.length > 0 ? [] : (outside ??= outsideAddresses(ix));
        if (stored.length === 0 && unstored.length === 0) missing.push(name);
        for (const ip of stored) out.push(stand(ip));
        for (const ip of unstored) out.push(stand(ip, [aNameMatching(name)]));
      }
      const why = [
        ...(missing.length > 0 ? [`no address outside the cluster is stored with the DNS name ${missing.join(', ')}, and every address is the cluster's own, so no address stands for it`] : []),
        ...(rp.answersNotKept !== undefined ? [answersNotKnown(rp.answersNotKept)] : []),
      ];
      return why.length > 0 ? { all: out, none: why.join('; and ') } : { all: out };
    }
    default:
      return undefined;
  }
}

/**
 * The stand-ins, and why none can be judged where every one is at an address of a family the
 * workload cannot use (an IPv6-only workload, a rule naming IPv4 addresses alone): the verification
 * skips such a flow, which the workload never makes (verify/recommendation.ts unusableFamily), and
 * the rule would pass unjudged. Its peer may well be reachable in the workload's family at addresses
 * the document does not name, which the output then cuts: said, with the way out.
 */
function withUnreachableFamily(stands: StandIns, rp: ResolvedPeer, self: WorkloadRef, cluster: PodNetwork, ix: ClusterIndex): StandIns {
  const family = workloadOnlyFamily(self, cluster, ix);
  if (family === undefined || stands.all.length === 0) return stands;
  const addresses = stands.all.map(addressOf);
  if (addresses.some((ip) => ip === undefined || ipFamily(ip) === family)) return stands;
  const other = family === 4 ? 6 : 4;
  const none = `${workloadKey(self)} can use IPv${family} only, and every address that stands for ${peerWords(rp)} is IPv${other}, which it never reaches, so no flow of it there can be judged`;
  const nodes = rp.kind === 'cidr' && blockHolders(rp, cluster, ix).nodes.length > 0;
  const wayOut = `add the peer's IPv${family} addresses to the document's rule${nodes ? ` (for nodes, their IPv${family} subnet)` : ''}`;
  return { ...stands, none: stands.none === undefined ? none : `${stands.none}; and ${none}`, wayOut: stands.wayOut === undefined ? wayOut : `${stands.wayOut}; ${wayOut}` };
}

/** The address a stand-in is judged at where it has its own (a block's or a name's outside address, a block's node): undefined for the world and pods. */
function addressOf(s: StandIn): string | undefined {
  if (s.address !== undefined) return s.address;
  return s.outside === 'address' && s.peer.kind === 'external' ? s.peer.ip : undefined;
}

function peerWords(rp: ResolvedPeer): string {
  if (rp.kind === 'cidr') return rp.cidrs.join(', ');
  if (rp.kind === 'fqdn') return rp.fqdns.join(', ');
  return 'its peer';
}

/**
 * Why the pods a name may lead to are not stood for: the store holds flows whose in-cluster answers
 * were never kept (migration 0033), and a name a pod answered is that pod's workload, which no
 * engine's DNS peer selects (matrix/service-names.ts). The way out: those edges deleted
 * (`edges delete --before` deletes by last seen) and their flow logs ingested again, which keeps
 * the names; ingested again without deleting, their flows would count twice (docs/operations.md,
 * "Upgrading").
 */
function answersNotKnown(a: AnswersNotKept): string {
  const before = new Date(a.before).toISOString();
  return (
    `whether a pod answered ${a.names.join(', ')} is not known: the store holds ${a.edges} edge(s) of Hubble flows ingested before flowmatrix kept the DNS names pods answer (migration 0031), ` +
    `and a name a pod answered is that pod's workload, which no DNS peer selects; to know, delete the edges with flows before ${before} ` +
    `(flowmatrix edges delete --before ${before}) and ingest the flow logs up to then again (flowmatrix ingest; ingested again without deleting, their flows would count twice)`
  );
}

/**
 * What stands for the cluster's own part of a block (block-holders.ts): a pod of the first workload
 * by key other than the rule's own that the inventory shows at an address of it, and the first node
 * by name with an address in it (its host-network pods speak from that address). An edge of the
 * rule to any pod or node of the block shows that part.
 */
function heldByBlock(rp: ResolvedPeer & { kind: 'cidr' }, self: WorkloadRef, toOrFrom: string, cluster: PodNetwork, ix: ClusterIndex): StandIn[] {
  const h = blockHolders(rp, cluster, ix);
  const blocks = rp.cidrs.join(', ');
  const own = workloadKey(self);
  const pods = new Set(h.workloads.map(workloadKey));
  const nodes = new Set(h.nodes.map((n) => n.name));
  const out: StandIn[] = [];
  const pod = h.workloads.find((w) => workloadKey(w) !== own);
  if (pod !== undefined) out.push({ peer: { kind: 'workload', workload: pod }, stands: `${toOrFrom} a pod in ${blocks}`, seen: (far) => far.kind === 'workload' && pods.has(workloadKey(far.workload)) });
  const node = nodeStandIn(rp, h, self, cluster, ix);
  if (node !== undefined) out.push({ peer: { kind: 'node', node: node.name }, stands: `${toOrFrom} a node in ${blocks}`, seen: (far) => far.kind === 'node' && nodes.has(far.node), address: node.address });
  return out;
}

/**
 * The node of the block that stands for them, and the address it is required at: the first by name
 * at its address in the block; for a workload that can use only a family no block of the rule
 * holds, the first with an address of that family, there, where such a workload reaches it and the
 * rule names it (block-holders.ts nodesAcrossFamily).
 */
function nodeStandIn(rp: ResolvedPeer & { kind: 'cidr' }, h: BlockHolders, self: WorkloadRef, cluster: PodNetwork, ix: ClusterIndex): { name: string; address: string } | undefined {
  const family = familyBeyondBlocks(rp, self, cluster, ix);
  if (family !== undefined) {
    for (const n of h.nodes) {
      const ip = nodeAddressesOf(n.name, family, ix)[0];
      if (ip !== undefined) return { name: n.name, address: ip };
    }
  }
  const first = h.nodes[0];
  return first === undefined ? undefined : { name: first.name, address: first.ips[0]! };
}

/** The stand-in for an unbound role's peers, by its scope (docs/matrices.md, "Roles"). */
export function standInForRole(scope: RoleScope, self: WorkloadRef, d: Direction, cluster: PodNetwork): StandIn | NoStandIn {
  return scope === 'in-cluster' ? anyPod(self, d, cluster) : world(d);
}

/** The cluster's own addresses (domain/cluster-own-blocks.ts) and the Services' ClusterIPs: never an outside address. */
function ownAddresses(ix: ClusterIndex): string[] {
  return [...ix.ownBlocks.hosts, ...ix.ownBlocks.pods, ...ix.serviceIps];
}

/** An outside address of the block, none of `holes`: the world address where it holds it, else its first host address. */
function outsideAddressIn(cidr: string, holes: readonly string[]): string | undefined {
  return worldProbeIn(cidr, holes) ?? firstHostAddress(cidr, holes);
}

/** An address outside the cluster of each family, as `0.0.0.0/0` and `::/0` are stood in for (judged where the workload can use its family). */
function outsideAddresses(ix: ClusterIndex): string[] {
  const own = ownAddresses(ix);
  return ['0.0.0.0/0', '::/0'].flatMap((block) => outsideAddressIn(block, own) ?? []);
}

/**
 * A DNS name the rule's name or pattern matches: the name itself, or for `*.domain` (every name
 * under the domain: docs/matrices.md) one label under it. A one-character label keeps it within
 * the 253 characters `*.domain` is held to (matrix/syntax.ts fqdnProblem).
 */
function aNameMatching(name: string): string {
  return name.startsWith('*.') ? `x${name.slice(1)}` : name;
}

/**
 * The world address of the block's family (the tightness probes', a documentation address no real
 * peer holds), where the block holds it outside `holes`: `0.0.0.0/0` and `::/0` are judged where
 * `world` is.
 */
function worldProbeIn(cidr: string, holes: readonly string[]): string | undefined {
  const block = parseCidr(cidr);
  if (block === undefined) return undefined;
  const probe = block.family === 4 ? WORLD_PROBE : WORLD_PROBE_V6;
  return cidrContainsIp(block, probe) && !heldBy(probe, holes) ? probe : undefined;
}

/** An address (not a folded block, which stands for outside addresses only) in the cluster's own blocks or a ClusterIP. */
function isOwnAddress(ip: string, own: readonly string[]): boolean {
  return !ip.includes('/') && heldBy(ip, own);
}

/** Some block of `cidrs` holds the address `ip`. */
function heldBy(ip: string, cidrs: readonly string[]): boolean {
  return cidrs.some((c) => {
    const b = parseCidr(c);
    return b !== undefined && cidrContainsIp(b, ip);
  });
}

function world(d: Direction): StandIn {
  return { peer: { kind: 'external', ip: WORLD_PROBE }, stands: `${d} ${d === 'egress' ? 'to' : 'from'} the world`, seen: (far) => far.kind === 'external', outside: 'world' };
}

function anyPod(self: WorkloadRef, d: Direction, cluster: PodNetwork): StandIn | NoStandIn {
  const own = workloadKey(self);
  const among = cluster
    .all()
    .filter((w) => workloadKey(w) !== own)
    .sort((a, b) => compareStrings(workloadKey(a), workloadKey(b)));
  const other = among[0];
  if (other === undefined) return { none: 'the inventory has no other pod-network workload to stand for its peer' };
  return { peer: { kind: 'workload', workload: other }, stands: `${d} ${d === 'egress' ? 'to' : 'from'} a pod of the cluster`, among };
}

export const standInsOf = (s: StandIn | NoStandIn): StandIns => (isStandIn(s) ? { all: [s] } : { all: [], none: s.none });

/** How each warning of a must flow the verification cannot judge ends (its words only: Verification.unverifiedMustFlows lists them). */
export const UNVERIFIED_MUST_FLOW = 'the verification cannot tell whether the output cuts it';

export const isStandIn = (s: StandIn | NoStandIn): s is StandIn => 'peer' in s;
