/**
 * A workload's pods judged apart where the policies tell them apart. One pod stands for each
 * workload (cluster.ts), carrying the addresses of all its pods; a rule that matches by address (a
 * NetworkPolicy ipBlock, a Calico `nets`/`notNets`, a Cilium CIDR on a node or a host-network pod,
 * a ClusterNetworkPolicy `networks`) matches it when it holds ANY of them. But a connection to or
 * from the workload (an edge; a flow record to a Service's ClusterIP) may be any one of its pods'
 * connections, each at that pod's own address: Calico, like every datapath, matches the pod's
 * address after kube-proxy's NAT (projectcalico/calico#2088). So a connection is allowed only when
 * it is allowed at every pod (docs/api.md#simulate: a record that resolves to several connections
 * "is denied when any of them is"), and a connection left out is still open when it is open at any
 * pod.
 *
 * Judged one side at a time, never pair by pair: a connection is allowed when the client's egress
 * allows every (client pod, server pod) and the server's ingress does too, so each side is judged
 * per group of its subject (the end whose policies apply) times the groups of its peer, lazily, and
 * its caller stops at the first denial. The two ends are told apart differently:
 * - the subject only where the policies can select or match its pods apart: a Calico rule's own
 *   entity (an egress rule's `source`, an ingress rule's `destination`: calico/rules.ts) holding
 *   some of its addresses, or, for host-network pods, a policy selecting nodes (Cilium host
 *   policies' `nodeSelector`); no NetworkPolicy ever selects a host-network pod;
 * - the peer by the address blocks the policies name (and, for host-network pods, by their node
 *   where a policy selects peer nodes by label: a ClusterNetworkPolicy `nodes` peer, Cilium
 *   `toNodes`/`fromNodes`);
 * - and on Cilium a host-network peer is its node as seen from the subject's node (`host` there,
 *   `remote-node` elsewhere: cilium/identity.ts), so where some of the pairs share a node and
 *   others do not, one pair of each is judged; a node itself (a node agent's record to a
 *   Service's ClusterIP, whose backend kube-proxy picks per connection: kubernetes.io "Virtual
 *   IPs and Service Proxies") likewise, at a subject pod on it and one elsewhere; on Calico the
 *   same on ingress, whose own host felix lets in unpoliced and a remote one by the policy
 *   (rules/static.go filterOutputChain; judgesOwnHostOnIngress).
 * The apiserver as a whole (an edge's, a record's to its ClusterIP) is told apart the same way,
 * as a peer, at its endpoint addresses (ClusterModel.apiserverAddresses): one per group the
 * address blocks (node selectors; on Cilium `host`/`remote-node`) tell apart; and a node as a whole
 * (an edge's) at its addresses of the connection's family (ClusterModel.nodeAddresses): one per
 * group the address blocks tell apart.
 * A workload no policy tells apart — the common case — is judged as one pod, as before: one flow,
 * the same words.
 */
import { familiesJudgedApart, inFamily, type ClusterModel, type PodLabelSet, type WorkloadPod } from './cluster.ts';
import { ownSetGroups, podsWords, portsWords, volatileKeysSelected, type PortAt } from './own-set-groups.ts';
import { AddressCache, type AddressRange } from './kubernetes/cidr-match.ts';
import { AddressBlocks } from './address-blocks.ts';
import type { IpFamily } from '../../domain/ip.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import type { Direction } from '../../domain/direction.ts';
import type { EngineName } from '../engines/types.ts';
import { decideSide, sideAllows, type SideVerdict, type SimEndpoint, type SimFlow, type SimNode, type SimPod, type Simulator } from './types.ts';

/** A flow at one pod of each workload end it reaches, and which pods those are (for a verdict's words). */
export interface FlowAtPods<F extends SimFlow> {
  flow: F;
  /** ` (at pod web-1 (10.244.1.101) of ns0/web: …)`, or '' when the flow is the workload's as a whole. */
  at: string;
}

/**
 * Whether the engine's simulator tells a host-network peer by whether it runs on the subject's
 * node: Cilium's `host` is "the local host … also all containers running in host networking mode
 * on the local host", `remote-node` any other node and its host-network containers (docs.cilium.io,
 * Layer 3 policies, "Entities Based"). Every other engine sees a node as a node.
 */
export const judgesPeerByNode = (engine: EngineName): boolean => engine === 'cilium';

/**
 * Whether the engine's simulator lets a pod's own host (its node, a host-network pod there) into
 * the pod whatever its ingress policy, and a remote one only by the policy: Calico's felix does not
 * police host → local workload (rules/static.go filterOutputChain). Its egress is policed alike.
 */
export const judgesOwnHostOnIngress = (engine: EngineName): boolean => engine === 'calico';

export interface PodsApartOptions {
  /** The flows are judged by a simulator that tells host-network peers by node (judgesPeerByNode). */
  peerByNode?: boolean;
  /** The flows are judged by a simulator that lets a pod's own host in unpoliced (judgesOwnHostOnIngress): ingress only. */
  ownHostOnIngress?: boolean;
}

/** Pods of a workload (endpoint addresses of the apiserver) that the policies hold alike. */
interface PodGroup {
  /** The pod judged for the group: the workload's own stand-in when the group is all its pods; undefined: the end as it is (no workload's pods). */
  pod?: SimPod;
  /** A group of the apiserver's endpoint addresses or of a node's addresses: the end judged for it (at its first address), and the words naming it. */
  at?: AddressEnd;
  /** The group's pods (empty when the workload has fewer than two: `pod` alone). */
  members: readonly WorkloadPod[];
  /** The pod a verdict's words name; undefined when the group is the whole workload. */
  named?: WorkloadPod;
  /** Where its pods run (pairsByNode), made on first use. */
  nodes?: GroupNodes;
  /** Why its workload's pods are told apart (absent for a whole workload). */
  why?: string;
}

/** An end at one address of the apiserver or of a node (PodGroup.at). */
interface AddressEnd {
  end: SimEndpoint;
  /** `the apiserver endpoint 10.0.0.2 (node cp-2)`, `node w-2 at 10.0.1.13`. */
  words: string;
  /** What the connection may be any one of: `endpoint's`, `address's`. */
  any: string;
}

/** A group's pods whose node is known, by node. */
interface GroupNodes {
  pods: readonly WorkloadPod[];
  /** The first pod on each node. */
  onNode: ReadonlyMap<string, WorkloadPod>;
  /** The first pod not on the first pod's node. */
  elsewhere?: WorkloadPod;
}

/** One (subject pod, peer pod) a side is judged at, the pods its words name, and why they are told apart. */
interface PodPair {
  subject?: SimPod;
  peer?: SimPod;
  /** The peer is the apiserver at one endpoint address (PodGroup.at). */
  peerAt?: PodGroup['at'];
  named: { subject?: WorkloadPod; peer?: WorkloadPod };
  why: string;
}

/**
 * `pod web-1 (10.244.1.101) of ns0/web` (`pod.name` of a workload's pod is the workload's), `… on
 * node n1` where the node tells it apart, `… labelled app=web,track=v2` (or `the pods of ns0/web
 * labelled …`) where a label set does.
 */
const atPod = (p: WorkloadPod, byNode: boolean): string => {
  const which = p.whole ? 'the pods' : `pod ${p.name} (${p.pod.ips.join(', ')})`;
  return `${which} of ${p.pod.namespace}/${p.pod.name ?? '?'}${p.labelled !== undefined ? ` labelled ${p.labelled}` : ''}${byNode ? ` on node ${p.pod.node ?? '?'}` : ''}`;
};

const BY_ADDRESS = "the policies' address blocks hold some of its workload's pods and not others";
const BY_NETWORK = "some of its workload's pods are on the host network (their node) and some on the pod network";
const BY_NODE = 'on Cilium a host-network pod is `host` from its own node and `remote-node` from the others';
const BY_PEER_NODE = 'on Cilium a node is `host` to the pods on it and `remote-node` to the others';
const BY_LABELS = "its workload's pods carry label sets other than its template's (a rollout's other revision, a policy on a pod's own name), and a selector selects pods by their own labels";
const BY_PORTS = "the pods of its workload the connection's port reaches declare different container ports, and a port name means each pod's own number (NetworkPolicyPort: \"a numerical or named port on a pod\")";
const BY_ENDPOINT = "the policies tell the apiserver's endpoint addresses apart";
const BY_NODE_ADDRESS = "the policies tell the node's addresses of this family apart";
/** Whys whose pods are named with their node. */
const BY_OWN_HOST = 'on Calico a host-network pod reaches the pods on its own node unpoliced (felix rules/static.go filterOutputChain) and the others through their ingress policy';
const BY_PEER_OWN_HOST = 'on Calico a node reaches the pods on it unpoliced (felix rules/static.go filterOutputChain) and the others through their ingress policy';
const NODE_WHYS: ReadonlySet<string> = new Set([BY_NODE, BY_PEER_NODE, BY_OWN_HOST, BY_PEER_OWN_HOST]);

/** Cilium entities one node is and another is not, from a given pod (`host` is the local node only): an apiserver on nodes is then told apart by node. */
const NODE_ENTITIES: ReadonlySet<string> = new Set(['host', 'remote-node']);
const ENTITY_KEYS: ReadonlySet<string> = new Set(['toEntities', 'fromEntities']);

/** Keys whose values are label selectors of peer nodes: a host-network peer's pods are then told apart by node. */
const PEER_NODE_SELECTOR_KEYS = new Set(['nodes', 'toNodes', 'fromNodes']);
/** A policy whose subject is nodes (Cilium host policies): a host-network subject's pods are then told apart by node. */
const SUBJECT_NODE_SELECTOR_KEY = 'nodeSelector';
/** The entity of a Calico rule that matches the policy's own endpoint (the client of an egress rule, the server of an ingress rule: calico/rules.ts). */
const OWN_ENTITY: Readonly<Record<string, string>> = { egress: 'source', ingress: 'destination' };

/** Text that may be an address or a block: digits, hex, dots, colons, one optional `/n`. */
const ADDRESS_LIKE = /^[0-9a-fA-F.:]+(\/\d{1,3})?$/;

/** What in the policies tells a workload's pods apart. */
interface Addressing {
  /** Every block the policies name: tells peers apart. */
  blocks: AddressBlocks;
  /** The blocks that can match a policy's own endpoint: tell subjects apart. */
  ownBlocks: AddressBlocks;
  selectsPeerNodes: boolean;
  selectsSubjectNodes: boolean;
  /** A Cilium rule names the `host` or `remote-node` entity. */
  namesNodeEntities: boolean;
}

export class PodsApart {
  private addressing: Addressing | undefined;
  private readonly addresses = new AddressCache();
  /** Per workload stand-in: its pods grouped as subject, and as peer, by address and network (groupedByAddress). */
  private readonly subjectGroups = new Map<SimPod, readonly PodGroup[]>();
  private readonly peerGroups = new Map<SimPod, readonly PodGroup[]>();
  /** Per workload stand-in: its groups (grouped) per role, and per port where its pods' own sets may tell them apart by it. */
  private readonly groups = new Map<SimPod, Map<string, readonly PodGroup[]>>();
  /** The volatile label keys the policies select on (own-set-groups.ts), read once. */
  private kept: ReadonlySet<string> | undefined;
  /** Per set of apiserver endpoint addresses (joined): their groups as a peer. */
  private readonly endpointGroups = new Map<string, readonly PodGroup[]>();
  /** Per whole node end (ClusterModel.nodeEnd): its addresses' groups as a peer. */
  private readonly nodeAddressGroups = new Map<SimEndpoint, readonly PodGroup[]>();
  private readonly peerByNode: boolean;
  private readonly ownHostOnIngress: boolean;
  /** The node holding each node address (nodeOfPeer), made on first use. */
  private nodeByIp: Map<string, string> | undefined;

  constructor(
    private readonly model: ClusterModel,
    private readonly manifests: readonly unknown[],
    options: PodsApartOptions = {},
  ) {
    this.peerByNode = options.peerByNode ?? false;
    this.ownHostOnIngress = options.ownHostOnIngress ?? false;
  }

  /**
   * The flow at each pod pair `direction`'s side may be decided apart at (its subject: the client
   * on egress, the server on ingress), each passed through `place`; the flow alone when nothing
   * tells the pods apart. Lazy, and iterable again: its caller allows the side when every one is
   * allowed and stops at the first denial; the pairs are never all held.
   */
  side<F extends SimFlow>(flow: F, direction: Direction, place: (f: F) => F = asIs, placedWhole?: F): Iterable<FlowAtPods<F>> {
    const families = familiesJudgedApart(this.model, flow);
    if (families.length === 0) return this.atPods(flow, direction, place, placedWhole);
    return this.inEachFamily(flow, families, direction, place);
  }

  /** An edge of either family (cluster.ts familiesJudgedApart): the flow in each, at each pod pair, lazily and iterable again. */
  private inEachFamily<F extends SimFlow>(flow: F, families: readonly IpFamily[], direction: Direction, place: (f: F) => F): Iterable<FlowAtPods<F>> {
    const atPods = (f: F) => this.atPods(f, direction, place);
    const { model } = this;
    return {
      *[Symbol.iterator]() {
        for (const family of families) {
          for (const at of atPods(inFamily(model, flow, family))) yield { flow: at.flow, at: `${at.at}${overFamily(family)}` };
        }
      },
    };
  }

  private atPods<F extends SimFlow>(flow: F, direction: Direction, place: (f: F) => F, placedWhole?: F): Iterable<FlowAtPods<F>> {
    const egress = direction === 'egress';
    const subjectEnd = egress ? flow.client : flow.server;
    const peerEnd = egress ? flow.server : flow.client;
    const at = portAt(flow);
    const subjects = this.groupsOf(subjectEnd, 'subject', undefined, egress ? undefined : at);
    const peers = this.groupsOf(peerEnd, 'peer', flow.family, egress ? at : undefined);
    // The common case, once per edge side: no closure made (under tsx each is an Object.defineProperty, esbuild's keepNames).
    if (subjects.length === 1 && peers.length === 1 && isEnd(subjects[0]!, subjectEnd) && isEnd(peers[0]!, peerEnd) && !this.judgedByNode(egress, subjects[0]!, subjectEnd, peers[0]!, peerEnd)) return [{ flow: placedWhole ?? place(flow), at: '' }];
    return this.pairFlows(flow, egress, subjects, subjectEnd, peers, peerEnd, place);
  }

  /** Whether a pair of groups is judged by node (pairsByNode): per pair, a workload's groups may differ in network (grouped). */
  private judgedByNode(egress: boolean, s: PodGroup, subjectEnd: SimEndpoint, p: PodGroup, peerEnd: SimEndpoint): boolean {
    return (this.peerByNode || (this.ownHostOnIngress && !egress)) && onNetwork(s, subjectEnd, false) && (onNetwork(p, peerEnd, true) || this.nodeOfPeer(p.at?.end ?? peerEnd) !== undefined);
  }

  /**
   * The node a peer that is no pod is (a node, or an apiserver or address at a node's address:
   * Cilium finds the node's identity for it, cilium/identity.ts); undefined for anything else.
   */
  private nodeOfPeer(e: SimEndpoint): string | undefined {
    if (e.kind === 'node') return e.node.name;
    if (e.kind === 'pod' || e.kind === 'cilium-ingress') return undefined;
    return this.nodeAtAddress(e.ip);
  }

  /** The node holding a node address. */
  private nodeAtAddress(ip: string): string | undefined {
    this.nodeByIp ??= new Map(this.model.cluster.nodes.flatMap((n) => n.ips.map((a) => [a, n.name] as const)));
    return this.nodeByIp.get(ip);
  }

  /** The flow at each pod pair of the groups, lazily and iterable again. */
  private pairFlows<F extends SimFlow>(flow: F, egress: boolean, subjects: readonly PodGroup[], subjectEnd: SimEndpoint, peers: readonly PodGroup[], peerEnd: SimEndpoint, place: (f: F) => F): Iterable<FlowAtPods<F>> {
    const pairsOf = (s: PodGroup, p: PodGroup): readonly PodPair[] => (this.judgedByNode(egress, s, subjectEnd, p, peerEnd) ? this.pairsByNode(s, p, p.at?.end ?? peerEnd) : [groupPair(s, p)]);
    return {
      *[Symbol.iterator]() {
        for (const s of subjects) {
          for (const p of peers) {
            for (const pair of pairsOf(s, p)) yield flowAt(flow, egress, pair, place);
          }
        }
      },
    };
  }

  /**
   * The groups of a workload end's pods, as subject or as peer (as peer, the apiserver's endpoint addresses of the flow's
   * `family`, and a node's addresses of the family it is judged at), a connection to port `at` when the end is its server; one
   * whole group otherwise. Made once per (workload, role) and, where its pods' own sets may tell
   * them apart by the port, per port.
   */
  private groupsOf(e: SimEndpoint, role: 'subject' | 'peer', family?: IpFamily, at?: PortAt): readonly PodGroup[] {
    if (e.kind === 'apiserver' && role === 'peer') return this.endpointsOf(this.model.apiserverAddresses(e, family));
    if (e.kind === 'node' && role === 'peer') return this.nodeAddressesOf(e);
    if (e.kind !== 'pod') return NOT_A_WORKLOAD;
    const byPort = at !== undefined && this.model.ownSets(e.pod).length > 1;
    const key = byPort ? `${role}|${at.port}/${at.protocol}|${at.name ?? ''}` : role;
    let cache = this.groups.get(e.pod);
    if (cache === undefined) this.groups.set(e.pod, (cache = new Map()));
    let g = cache.get(key);
    if (g === undefined) cache.set(key, (g = this.grouped(e.pod, role, byPort ? at : undefined)));
    return g;
  }

  /**
   * One group per set of `pod`'s workload pods that hold alike in every block (and node) that
   * tells them apart in `role`, and that share a network: a workload of host-network and
   * pod-network pods is always judged apart, each pod as what it is (a node; a pod the policies
   * select), since only host-network pods are outside NetworkPolicy (kubernetes.io "Network
   * Policies": it "ignores hostNetwork pods when matching podSelector"); each at every group of its
   * pods' own labels and ports a connection (to `at`) reaches (own-set-groups.ts).
   */
  private grouped(pod: SimPod, role: 'subject' | 'peer', at: PortAt | undefined): readonly PodGroup[] {
    const cache = role === 'subject' ? this.subjectGroups : this.peerGroups;
    let groups = cache.get(pod);
    if (groups === undefined) cache.set(pod, (groups = this.groupedByAddress(pod, role)));
    const own = this.model.ownSets(pod);
    // The volatile keys walk every manifest: only a workload with own sets asks for them.
    const sets = own.length === 0 ? [] : ownSetGroups(own, pod.labels, pod.ports, (this.kept ??= volatileKeysSelected(this.manifests)), at);
    return sets.length === 0 ? groups : groups.flatMap((g) => sets.map((set) => this.labelled(g, pod, set)));
  }

  /**
   * The group `g` of `pod`'s workload at one group of its pods' own labels (and ports: where the
   * pods a connection reaches differ in them) (own-set-groups.ts). Which of the pods `g` holds carry
   * it the words do not say where `g` was told apart by address too: each is judged at each.
   */
  private labelled(g: PodGroup, pod: SimPod, set: PodLabelSet): PodGroup {
    const words = setWords(set);
    const at = (m: WorkloadPod): WorkloadPod => ({ ...m, pod: this.model.relabelled(m.pod, set), labelled: words });
    const named = g.named !== undefined ? at(g.named) : { name: '', whole: true as const, pod: this.model.relabelled(g.pod ?? pod, set), labelled: words };
    const why = set.ports !== undefined ? BY_PORTS : BY_LABELS;
    return { pod: this.model.relabelled(g.pod ?? pod, set), members: g.members.map(at), named, why: g.why !== undefined ? `${g.why}, and ${why}` : why };
  }

  /** The groups of `pod`'s workload told apart by address and network (grouped). */
  private groupedByAddress(pod: SimPod, role: 'subject' | 'peer'): readonly PodGroup[] {
    const members = this.model.podsOf(pod);
    const whole: readonly PodGroup[] = [{ pod, members }];
    if (members.length < 2) return whole;
    const a = this.policyAddressing();
    const mixed = members.some((m) => m.pod.hostNetwork) && members.some((m) => !m.pod.hostNetwork);
    // No simulated policy applies to a host-network subject but by its node (a NetworkPolicy never selects it; no HostEndpoint is modelled).
    const blocksOf = (p: SimPod) => (role === 'peer' ? a.blocks : p.hostNetwork ? NO_BLOCKS : a.ownBlocks);
    const byNodeOf = (p: SimPod) => p.hostNetwork && (role === 'subject' ? a.selectsSubjectNodes : a.selectsPeerNodes);
    if (!mixed && blocksOf(pod).empty && !byNodeOf(pod)) return whole;
    const byKey = groupedBy(members, (m) => `${m.pod.hostNetwork}|${byNodeOf(m.pod) ? (m.pod.node ?? '') : ''}|${this.blocksHolding(m.pod.ips, blocksOf(m.pod))}`);
    if (byKey.size < 2) return whole;
    const why = mixed ? BY_NETWORK : BY_ADDRESS;
    return [...byKey.values()].map((same) => ({ pod: same[0]!.pod, members: same, named: same[0]!, why }));
  }

  /**
   * The apiserver's endpoint addresses as a peer, grouped by the policies' address blocks holding
   * them (and by node, where the policies select peer nodes or, on Cilium, name `host` or
   * `remote-node`): a connection to the apiserver as a whole may be any endpoint's (kube-proxy picks
   * one per connection, kubernetes.io "Virtual IPs and Service Proxies"), so it is judged at one
   * address of each group. One whole group — the end as it is — where nothing tells them apart.
   */
  private endpointsOf(ips: readonly string[]): readonly PodGroup[] {
    if (ips.length < 2) return NOT_A_WORKLOAD;
    const key = ips.join(' ');
    let g = this.endpointGroups.get(key);
    if (g === undefined) this.endpointGroups.set(key, (g = this.endpointGroupsOf(ips)));
    return g;
  }

  private endpointGroupsOf(ips: readonly string[]): readonly PodGroup[] {
    const a = this.policyAddressing();
    const byNode = a.selectsPeerNodes || (this.peerByNode && a.namesNodeEntities);
    if (a.blocks.empty && !byNode) return NOT_A_WORKLOAD;
    const byKey = groupedBy(ips, (ip) => `${byNode ? (this.nodeAtAddress(ip) ?? '') : ''}|${this.blocksHolding([ip], a.blocks)}`);
    if (byKey.size < 2) return NOT_A_WORKLOAD;
    // Told apart by node alone on Cilium: `host` to the pods on it, `remote-node` to the others.
    const byBlocks = new Set([...byKey.keys()].map((k) => k.slice(k.indexOf('|')))).size > 1;
    const why = byBlocks || !this.peerByNode ? BY_ENDPOINT : BY_PEER_NODE;
    return [...byKey.values()].map(([ip]) => {
      const node = this.nodeAtAddress(ip!);
      return { members: [], at: { end: this.model.apiserverAt(ip!)!, words: `the apiserver endpoint ${ip!}${node !== undefined ? ` (node ${node})` : ''}`, any: "endpoint's" }, why };
    });
  }

  /**
   * A node as a whole (an edge's end) as a peer, at its addresses of the family it is judged at
   * (ClusterModel.nodeAddresses), grouped by the policies' address blocks holding them: the edge's
   * connections may be at any of them (a second NIC, an InternalIP that changed), and an address
   * rule holds the packet's address, so it is judged at one address of each group. One whole group
   * — the end as it is — where nothing tells them apart (every node selector and Cilium entity
   * matches the node, whichever its address).
   */
  private nodeAddressesOf(e: SimEndpoint & { kind: 'node' }): readonly PodGroup[] {
    const ips = this.model.nodeAddresses(e);
    if (ips.length < 2) return NOT_A_WORKLOAD;
    let g = this.nodeAddressGroups.get(e);
    if (g === undefined) this.nodeAddressGroups.set(e, (g = this.nodeAddressGroupsOf(e.node, ips)));
    return g;
  }

  private nodeAddressGroupsOf(node: SimNode, ips: readonly string[]): readonly PodGroup[] {
    const { blocks } = this.policyAddressing();
    if (blocks.empty) return NOT_A_WORKLOAD;
    const byKey = groupedBy(ips, (ip) => this.blocksHolding([ip], blocks));
    if (byKey.size < 2) return NOT_A_WORKLOAD;
    return [...byKey.values()].map(([ip]) => ({ members: [], at: { end: this.model.nodeAt(node, ip!), words: `node ${node.name} at ${ip!}`, any: "address's" }, why: BY_NODE_ADDRESS }));
  }

  /**
   * A Cilium side whose peer is a host-network workload or a node: `host` or `remote-node`
   * depending on the pair. One pair sharing a node and one that does not, where both occur; else
   * the groups' own.
   */
  private pairsByNode(s: PodGroup, p: PodGroup, peerEnd: SimEndpoint): readonly PodPair[] {
    const subjects = nodesOf(s);
    const peerNode = this.nodeOfPeer(peerEnd);
    if (peerNode !== undefined) return pairsAtNode(s, p, subjects, peerNode, this.peerByNode ? BY_PEER_NODE : BY_PEER_OWN_HOST);
    const peers = nodesOf(p).pods;
    const shared = peers.find((m) => subjects.onNode.has(m.pod.node!));
    const apart = apartPair(subjects, peers);
    if (shared === undefined || apart === undefined) return [groupPair(s, p)];
    const local = subjects.onNode.get(shared.pod.node!)!;
    const why = this.peerByNode ? BY_NODE : BY_OWN_HOST;
    return [
      { subject: local.pod, peer: shared.pod, named: { subject: local, peer: shared }, why },
      { subject: apart.subject.pod, peer: apart.peer.pod, named: apart, why },
    ];
  }

  /** Which of `blocks` hold one of the addresses (a pod's), as text. */
  private blocksHolding(ips: readonly string[], blocks: AddressBlocks): string {
    return blocks.holding(ips.map((ip) => this.addresses.range(ip)).filter((r): r is AddressRange => r !== undefined));
  }

  /** The blocks the policies name (every value that reads as an address or a block: over-counting only costs a split), read once. */
  private policyAddressing(): Addressing {
    if (this.addressing !== undefined) return this.addressing;
    const texts = new Set<string>();
    const own = new Set<string>();
    let selectsPeerNodes = false;
    let selectsSubjectNodes = false;
    let namesNodeEntities = false;
    // `rules`: the direction of the rule list `v` is in; `ownEntity`: `v` is in the entity that matches the policy's own endpoint.
    const walk = (v: unknown, key: string, rules: string | undefined, ownEntity: boolean): void => {
      if (typeof v === 'string') {
        if (ADDRESS_LIKE.test(v) && (v.includes('.') || v.includes(':'))) {
          texts.add(v);
          if (ownEntity) own.add(v);
        } else if (ENTITY_KEYS.has(key) && NODE_ENTITIES.has(v)) namesNodeEntities = true;
      } else if (Array.isArray(v)) for (const x of v) walk(x, key, key in OWN_ENTITY ? key : rules, ownEntity);
      else if (isPlainObject(v)) {
        if (PEER_NODE_SELECTOR_KEYS.has(key)) selectsPeerNodes = true;
        if (key === SUBJECT_NODE_SELECTOR_KEY) selectsSubjectNodes = true;
        for (const [k, x] of Object.entries(v)) if (k !== 'metadata') walk(x, k, rules, ownEntity || (rules !== undefined && OWN_ENTITY[rules] === k));
      }
    };
    for (const m of this.manifests) walk(m, '', undefined, false);
    const indexed = (t: Set<string>) => new AddressBlocks([...t].sort().map((x) => this.addresses.range(x)).filter((r): r is AddressRange => r !== undefined));
    return (this.addressing = { blocks: indexed(texts), ownBlocks: indexed(own), selectsPeerNodes, selectsSubjectNodes, namesNodeEntities });
  }
}

const asIs = <F>(f: F): F => f;

/** The port a flow is to (its server end's), none for ICMP, which has none. */
const portAt = (flow: SimFlow): PortAt | undefined => (flow.icmp !== undefined ? undefined : { port: flow.port, protocol: flow.protocol, ...(flow.throughPortName !== undefined ? { name: flow.throughPortName } : {}) });

/** `app=web,pod-template-hash=aaa (pod web-aaa-1; container ports http=8080/TCP)`: a group of own sets in words. */
function setWords(set: PodLabelSet): string {
  const more = [podsWords(set.pods), ...(set.ports !== undefined ? [set.ports.length === 0 ? 'no container port declared' : `container ports ${portsWords(set.ports)}`] : [])].filter((w) => w !== '');
  return more.length === 0 ? set.text : `${set.text} (${more.join('; ')})`;
}

/** The words of a flow judged in one family of an edge that may be either's. */
const overFamily = (family: IpFamily): string => ` (over IPv${family}: an edge keeps no address family, and a node's addresses of either may carry it)`;

/** `items` grouped by `key`, groups in order of first appearance, each in the items' order. */
function groupedBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const same = groups.get(k);
    if (same === undefined) groups.set(k, [item]);
    else same.push(item);
  }
  return groups;
}

/** No block: a host-network subject's (groupedByAddress). */
const NO_BLOCKS = new AddressBlocks([]);

/** A peer or subject that is no workload's pods (a node, an address): itself, one group. */
const NOT_A_WORKLOAD: readonly PodGroup[] = [{ members: [] }];

/** The group is the end as it is (its workload's stand-in, or no workload's pods): nothing to place it at. */
const isEnd = (g: PodGroup, e: SimEndpoint): boolean => g.at === undefined && (g.pod === undefined || (e.kind === 'pod' && g.pod === e.pod));

/** A group of a pod end, on the host network or not (the group's own pod: a workload's may differ). */
const onNetwork = (g: PodGroup, e: SimEndpoint, hostNetwork: boolean): boolean => e.kind === 'pod' && (g.pod ?? e.pod).hostNetwork === hostNetwork;

/** Where the group's pods run (the stand-in alone when the workload has no pods of its own), once per group. */
function nodesOf(g: PodGroup): GroupNodes {
  if (g.nodes !== undefined) return g.nodes;
  const all = g.members.length > 0 ? g.members : g.pod !== undefined ? [{ name: g.pod.name ?? '?', pod: g.pod }] : [];
  const pods = all.filter((m) => m.pod.node !== undefined);
  const onNode = new Map<string, WorkloadPod>();
  for (const m of pods) if (!onNode.has(m.pod.node!)) onNode.set(m.pod.node!, m);
  const elsewhere = pods.find((m) => m.pod.node !== pods[0]?.pod.node);
  return (g.nodes = { pods, onNode, ...(elsewhere !== undefined ? { elsewhere } : {}) });
}

/** A subject pod on the peer node and one elsewhere, where the group has both; else the groups' own pair. */
function pairsAtNode(s: PodGroup, p: PodGroup, subjects: GroupNodes, node: string, why: string): readonly PodPair[] {
  const local = subjects.onNode.get(node);
  const apart = subjects.pods.find((m) => m.pod.node !== node);
  if (local === undefined || apart === undefined) return [groupPair(s, p)];
  const peer = peerAtOf(p);
  return [
    { subject: local.pod, ...peer, named: { subject: local }, why },
    { subject: apart.pod, ...peer, named: { subject: apart }, why },
  ];
}

/** A subject pod and a peer pod on different nodes, when there are such. */
function apartPair(subjects: GroupNodes, peers: readonly WorkloadPod[]): { subject: WorkloadPod; peer: WorkloadPod } | undefined {
  const first = subjects.pods[0];
  if (first === undefined || peers[0] === undefined) return undefined;
  const peer = peers.find((m) => m.pod.node !== first.pod.node);
  if (peer !== undefined) return { subject: first, peer };
  // Every peer pod is on the first subject pod's node: a subject pod elsewhere.
  return subjects.elsewhere === undefined ? undefined : { subject: subjects.elsewhere, peer: peers[0] };
}

/** A peer group's apiserver endpoint, as a pair holds it. */
const peerAtOf = (p: PodGroup): Pick<PodPair, 'peerAt'> => (p.at !== undefined ? { peerAt: p.at } : {});

/** The groups' own pods: each named where it is not its whole workload. */
function groupPair(s: PodGroup, p: PodGroup): PodPair {
  return { ...(s.pod !== undefined ? { subject: s.pod } : {}), ...(p.pod !== undefined ? { peer: p.pod } : {}), ...peerAtOf(p), named: { ...(s.named ? { subject: s.named } : {}), ...(p.named ? { peer: p.named } : {}) }, why: s.why ?? p.why ?? BY_ADDRESS };
}

/** The end at `pod`, the end itself when it is that pod already (or `pod` is undefined). */
const endAt = (e: SimEndpoint, pod: SimPod | undefined): SimEndpoint => (pod === undefined || e.kind !== 'pod' || e.pod === pod ? e : { kind: 'pod', pod });

/** The flow at the pair's pods (the apiserver endpoint), its words naming them (client first). */
function flowAt<F extends SimFlow>(flow: F, egress: boolean, pair: PodPair, place: (f: F) => F): FlowAtPods<F> {
  const peer = (e: SimEndpoint) => pair.peerAt?.end ?? endAt(e, pair.peer);
  const client = egress ? endAt(flow.client, pair.subject) : peer(flow.client);
  const server = egress ? peer(flow.server) : endAt(flow.server, pair.subject);
  const words = (p: WorkloadPod | undefined) => (p === undefined ? undefined : atPod(p, NODE_WHYS.has(pair.why)));
  const subject = words(pair.named.subject);
  const other = pair.peerAt?.words ?? words(pair.named.peer);
  const named = (egress ? [subject, other] : [other, subject]).filter((w): w is string => w !== undefined);
  const any = [...(pair.named.subject !== undefined || pair.named.peer !== undefined ? ["pod's"] : []), ...(pair.peerAt !== undefined ? [pair.peerAt.any] : [])].join(' and any ');
  return {
    flow: place(client === flow.client && server === flow.server ? flow : { ...flow, client, server }),
    at: named.length === 0 ? '' : ` (at ${named.join(' and ')}: ${pair.why}, and the connection may be any ${any})`,
  };
}

/** The first of `each` that `test` holds for (the first of all without one): stops there. */
export function firstOf<T>(each: Iterable<T>, test?: (x: T) => boolean): T | undefined {
  for (const x of each) if (test === undefined || test(x)) return x;
  return undefined;
}

/**
 * A side judged at each pod pair `each` holds, at the first pair where its verdict is `allowed`
 * (denied: a connection is allowed only at every pod; allowed: one left out is open where open at
 * any), with the words of that pair, else at the first pair. Only the pairs up to that one are
 * judged, and at most two verdicts put into words.
 */
export function sideAtFirst<F extends SimFlow>(sim: Simulator, each: Iterable<FlowAtPods<F>>, direction: Direction, allowed: boolean): { side: SideVerdict; at: string } {
  let first: { side: SideVerdict; at: string } | undefined;
  for (const f of each) {
    if (first === undefined) {
      first = { side: decideSide(sim, f.flow, direction), at: f.at };
      if (first.side.allowed === allowed) return first;
    } else if (sideAllows(sim, f.flow, direction) === allowed) return { side: decideSide(sim, f.flow, direction), at: f.at };
  }
  if (first === undefined) throw new Error('a side judged at no pod');
  return first;
}

/** The first pod pair of `each` the side is denied at (stops there); undefined: allowed at every one. */
export function deniedAt<F extends SimFlow>(sim: Simulator, each: Iterable<FlowAtPods<F>>, direction: Direction): FlowAtPods<F> | undefined {
  for (const f of each) if (!sideAllows(sim, f.flow, direction)) return f;
  return undefined;
}

/** Whether the side is allowed at every pod pair of `each` (stops at the first denial). */
export const allowedAtEvery = <F extends SimFlow>(sim: Simulator, each: Iterable<FlowAtPods<F>>, direction: Direction): boolean => deniedAt(sim, each, direction) === undefined;
