/**
 * The stored inventory as the simulators see it (`SimCluster`), and the stored peers of an edge
 * as simulated endpoints. One pod stands for each workload, with the workload's template labels:
 * where its pods carry those labels, every pod of it gets the same verdict (its IPs differ, which
 * only matters for IP-based peers: all of its current IPs are kept, and where the policies'
 * address blocks tell its pods apart, `podsOf` gives each pod for pods-apart.ts to judge on its
 * own); where its pods carry other labels or container ports (a rollout's other revision), `ownSets`
 * gives each distinct pair for pods-apart.ts to judge at (own-set-groups.ts), since a selector
 * selects pods by their own labels and a port name is each pod's own.
 * Where the verdict depends on the node (Cilium's `host` is the local node only), a flow record's
 * pod is the workload's pod on the node its address is on (`FlowAddressing`), and it carries the
 * labels and container ports of the pod holding that address (`atAddress`: where the store knows
 * them, migration 0048), and those the pod gets from its own identity (a StatefulSet pod's name and
 * ordinal, domain/pod-identity-labels.ts), which no workload label holds.
 */
import { nodeHostIps, workloadNotInInventory, type ApiserverEndpoint, type ContainerPort, type InventorySnapshot, type Labels, type PodAddress, type Workload } from '../../domain/inventory.ts';
import { unknownAddressText, workloadKey, type Peer } from '../../domain/peer.ts';
import { echoRequest, isIcmp, type Protocol } from '../../domain/flow.ts';
import { ipsOfFamily, type SimCluster, type SimEndpoint, type SimFlow, type SimNode, type SimPod, type SimProtocol } from './types.ts';
import { ipFamily, type IpFamily } from '../../domain/ip.ts';
import { clusterDnsTarget } from '../../domain/cluster-dns.ts';
import { podIdentityLabels } from '../../domain/pod-identity-labels.ts';
import { nodeAddresses } from '../../domain/node-addresses.ts';
import { compareStrings } from '../../domain/order.ts';
import { networkSetKind } from '../../domain/calico-network-sets.ts';
import { clusterFamilies, connectionFamily, familiesOf, podFamilies, type ClusterFamilies, type Families } from './connection-family.ts';


function simPod(w: Workload, ips: string[], node: string | undefined): SimPod {
  return {
    namespace: w.namespace,
    name: w.name,
    labels: w.labels,
    ips,
    ...(node !== undefined ? { node } : {}),
    hostNetwork: w.hostNetwork,
    ports: w.ports,
    ...(w.serviceAccount !== undefined ? { serviceAccount: w.serviceAccount } : {}),
    workload: { key: workloadKey(w), selector: w.selector },
  };
}

export interface ClusterModel {
  cluster: SimCluster;
  /** The pod that stands for a workload (by `workloadKey`). */
  podOf(workloadKey: string): SimPod | undefined;
  /** When an import marked a workload the inventory no longer lists absent (by `workloadKey`; InventorySnapshot.deletedWorkloads). */
  deletedAt(workloadKey: string): number | undefined;
  nodeOf(name: string): SimNode | undefined;
  /** Endpoints already made, by peer object (see peerEndpoint); a Map: looked up twice per edge side. */
  readonly endpoints: Map<Peer, EndpointOrReason>;
  /** The node a pod address is on, when the inventory says. */
  nodeOfPodIp(ip: string): string | undefined;
  /**
   * The workload's pod on another node: one object per (pod, node), so that simulators' per-pod
   * caches hold. A host-network pod there speaks from that node's addresses.
   */
  onNode(pod: SimPod, node: string): SimPod;
  /** The first node by name, other than `node`, whose address is known: undefined on a one-node cluster. */
  otherNode(node: string | undefined): string | undefined;
  /**
   * Whether `pod` stands for a host-network workload the inventory shows no pod of (no podIP, no
   * node, no pod at all) in a cluster where it can only run at a known address: there are nodes,
   * and every Node object lists an address. Once it runs it speaks from its node's address.
   */
  placeable(pod: SimPod): boolean;
  /**
   * The workload's pod at one of its addresses only (the one a flow record names), with the own
   * labels and container ports of the pod holding it (ownLabelsAndPorts): one object per (pod,
   * address); the pod itself when that changes nothing (its only address, nothing of its own known).
   */
  atAddress(pod: SimPod, ip: string): SimPod;
  /**
   * Each pod of the workload `pod` stands for, as its own pod (its addresses, its node, its own
   * network: a host-network pod at its node's addresses), by pod name: empty when it has fewer
   * than two, and for a pod that stands for no workload (one already at an address or a node).
   * What `pods-apart.ts` judges apart where the rules' address blocks tell the pods apart, and
   * always where some are on the host network and some are not.
   */
  podsOf(pod: SimPod): readonly WorkloadPod[];
  /**
   * Each distinct (own labels, own container ports) the pods of the workload `pod` stands for
   * carry (PodOwnSet), in label order; empty for a pod that stands for no workload and a workload
   * no pod of which is known. What `pods-apart.ts` groups (own-set-groups.ts) and judges apart: a
   * selector "selects Pods" by their own labels (kubernetes networking/v1 types.go,
   * NetworkPolicyPeer.podSelector), not by their workload's template, and a named port is "a named
   * port on a pod" (NetworkPolicyPort.port).
   */
  ownSets(pod: SimPod): readonly PodOwnSet[];
  /** `pod` (a workload's stand-in or one of its pods, `podsOf`) carrying the label set `set` of its workload's pods (and its ports, where `set` has them): one object per (pod, set). */
  relabelled(pod: SimPod, set: PodLabelSet): SimPod;
  /**
   * The pod of `pod`'s workload that holds `ip` (a host-network pod: any of its node's addresses),
   * at that address, as `podsOf` gives it (`atAddress` for a pod-network pod); undefined when the
   * workload has fewer than two pods or none holds it. A record to that address is that pod's
   * connection alone (docs/api.md#simulate).
   */
  podAt(pod: SimPod, ip: string): SimPod | undefined;
  /**
   * The family a connection between the two ends must use when nothing says (an edge keeps no
   * family): the one family both can use, an end without an address using its network's in this
   * cluster (connection-family.ts); undefined when the ends share both families.
   */
  onlyFamily(a: SimEndpoint, b: SimEndpoint): IpFamily | undefined;
  /** The families an end can use (connection-family.ts): a pod without an address, its network's in this cluster. */
  families(e: SimEndpoint): Families;
  /**
   * The apiserver as a whole on `port` (an edge's; a record to the ClusterIP): at its first
   * endpoint address on that port (the first endpoint's port when none serves it), one object per
   * port; undefined when no endpoint is known.
   */
  apiserver(port: number): SimEndpoint | undefined;
  /** The apiserver at one of its endpoint addresses (a record names it): one object per address; undefined for an address that is no endpoint's. */
  apiserverAt(ip: string): SimEndpoint | undefined;
  /**
   * Every endpoint address the apiserver end `e` may be at, of `family` when given: those on its
   * port when `e` is the apiserver as a whole (`apiserver`), whose connections kube-proxy sends to
   * any of them; empty for any other end (the apiserver at the address a record names included).
   * What `pods-apart.ts` judges apart where the policies tell the addresses apart.
   */
  apiserverAddresses(e: SimEndpoint, family: IpFamily | undefined): readonly string[];
  /**
   * The node as a whole (an edge's end, which keeps no address) at its first address of `family`
   * (its first address when undefined or it holds none): one object per (node, address); undefined
   * for a node without a known address.
   */
  nodeEnd(node: SimNode, family: IpFamily | undefined): SimEndpoint | undefined;
  /** The node at one of its addresses (a record names it): one object per (node, address). */
  nodeAt(node: SimNode, ip: string): SimEndpoint;
  /**
   * Every address of the node end `e` in the family of the one it is judged at, when `e` is the
   * node as a whole (`nodeEnd`); empty for any other end (the node at the address a record names
   * included). What `pods-apart.ts` judges apart where the policies tell the addresses apart.
   */
  nodeAddresses(e: SimEndpoint): readonly string[];
}

/** One pod as the inventory lists it: its addresses, node and network. */
interface OwnPod {
  ips: string[];
  node?: string;
  hostNetwork: boolean;
}

/** One distinct (labels, container ports) of a workload's pods (ClusterModel.ownSets). */
export interface PodOwnSet {
  /** The pods' own labels, with those they get from their own identity (domain/pod-identity-labels.ts). */
  labels: Labels;
  /** The pods' own container ports; absent: not known (stored before migration 0048), the workload's merged ports stand for them. */
  ports?: readonly ContainerPort[];
  /** The pods carrying it, by name; empty for a set known only from the workload's label sets (a pod without an address, a store before 0048). */
  pods: readonly string[];
}

/** A group of a workload's pods judged at one of their own label sets (and port lists): own-set-groups.ts. */
export interface PodLabelSet {
  labels: Labels;
  /** `app=api,pod-template-hash=a2,track=v2`: the set in words. */
  text: string;
  /** The group's own container ports, where its workload's pods that a connection reaches declare different ones; absent: the workload's merged ports. */
  ports?: readonly ContainerPort[];
  /** The pods of the group, by name (none known: empty). */
  pods: readonly string[];
}

/** One pod of a workload (ClusterModel.podsOf). */
export interface WorkloadPod {
  /** The pod's own name. */
  name: string;
  pod: SimPod;
  /** It stands for all the workload's pods (those carrying `labelled`), not one (pods-apart.ts). */
  whole?: true;
  /** The label set (and ports) it carries in words, where the workload's pods are judged at each (own-set-groups.ts). */
  labelled?: string;
}

export function clusterModel(inventory: InventorySnapshot, dnsNames?: ReadonlyMap<string, readonly string[]>): ClusterModel {
  const addresses = new Map<string, { ips: string[]; node?: string }>();
  const nodeByIp = new Map<string, string>();
  // A pod-network address is one pod's (snapshot.ts addressesOf); host-network pods are their node.
  const podAtIp = new Map<string, PodAddress>();
  // Per workload key, its pods by name: their addresses, node and network.
  const podsByWorkload = new Map<string, Map<string, OwnPod>>();
  for (const a of inventory.podAddresses) {
    if (a.node !== undefined) nodeByIp.set(a.ip, a.node);
    if (!a.hostNetwork) podAtIp.set(a.ip, a);
    const k = workloadKey(a.workload);
    const entry = addresses.get(k) ?? { ips: [] };
    if (!entry.ips.includes(a.ip)) entry.ips.push(a.ip);
    if (entry.node === undefined && a.node !== undefined) entry.node = a.node;
    addresses.set(k, entry);
    let byName = podsByWorkload.get(k);
    if (byName === undefined) podsByWorkload.set(k, (byName = new Map()));
    const one = byName.get(a.pod) ?? { ips: [], hostNetwork: a.hostNetwork };
    if (!one.ips.includes(a.ip)) one.ips.push(a.ip);
    if (one.node === undefined && a.node !== undefined) one.node = a.node;
    byName.set(a.pod, one);
  }
  const pods = new Map<string, SimPod>();
  const podWorkloadKey = new Map<SimPod, string>();
  for (const w of inventory.workloads) {
    const k = workloadKey(w);
    const a = addresses.get(k);
    const pod = simPod(w, [...(a?.ips ?? [])].sort(), a?.node);
    pods.set(k, pod);
    podWorkloadKey.set(pod, k);
  }
  // A Node object without addresses has its host-network pods' (domain/node-addresses.ts).
  const nodeIps = nodeAddresses(inventory, nodeHostIps);
  const nodes = new Map<string, SimNode>(inventory.nodes.map((n) => [n.name, { name: n.name, labels: n.labels, ips: nodeIps.get(n.name) ?? [] }]));
  const cluster: SimCluster = {
    namespaces: inventory.namespaces.map((n) => ({ name: n.name, labels: n.labels })),
    nodes: [...nodes.values()],
    pods: [...pods.values()],
    services: inventory.services.map((s) => ({
      namespace: s.namespace,
      name: s.name,
      clusterIPs: s.clusterIPs,
      ports: s.ports.filter((p): p is typeof p & { protocol: SimProtocol } => isSimProtocol(p.protocol)),
      ...(s.selector !== undefined ? { selector: s.selector } : {}),
    })),
    apiserver: inventory.apiserver,
    podCIDRs: [...new Set(inventory.nodes.flatMap((n) => n.podCIDRs))].sort(),
    ...(dnsNames !== undefined ? { dnsNames } : {}),
    ...(inventory.ciliumClusterName !== undefined ? { ciliumClusterName: inventory.ciliumClusterName } : {}),
    ...(inventory.ciliumPolicy !== undefined ? { ciliumPolicy: inventory.ciliumPolicy } : {}),
    ...(inventory.ciliumAgentImage !== undefined ? { ciliumAgentImage: inventory.ciliumAgentImage } : {}),
    ...calicoHostObjects(inventory),
    ...calicoNetworkSets(inventory),
  };
  const dns = clusterDnsTarget(inventory.workloads, inventory.services);
  if (dns !== undefined) cluster.clusterDns = { pods: dns.workloads.map((w) => pods.get(workloadKey(w))!), ports: dns.ports };
  const onNode = podVariants((pod, node) => {
    const ips = pod.hostNetwork ? nodes.get(node)?.ips : undefined;
    return ips !== undefined && ips.length > 0 ? { ...pod, node, ips: [...ips].sort() } : { ...pod, node };
  });
  const addressed = [...nodes.values()].filter((n) => n.ips.length > 0).map((n) => n.name).sort();
  const otherNode = (node: string | undefined) => addressed.find((n) => n !== node);
  // A pod of the workload without a podIP ran on a node the model lost: it may be one no rule names.
  const withPods = new Set(Object.keys(inventory.podLabels ?? {}));
  const everyNodeAddressed = nodes.size > 0 && addressed.length === nodes.size;
  const placeable = (pod: SimPod) => everyNodeAddressed && pod.hostNetwork && pod.ips.length === 0 && pod.node === undefined && !withPods.has(podWorkloadKey.get(pod) ?? '');
  const atAddress = podVariants((pod, ip) => {
    const a = podAtIp.get(ip);
    const own = a === undefined ? undefined : ownLabelsAndPorts(a);
    if (own === undefined && pod.ips.length === 1) return pod;
    return { ...pod, ips: [ip], ...(own !== undefined ? { labels: own.labels ?? { ...pod.labels, ...own.identity }, ports: own.ports ?? pod.ports } : {}) };
  });
  const apart = new Map<SimPod, readonly WorkloadPod[]>();
  const podsOf = (pod: SimPod): readonly WorkloadPod[] => {
    let each = apart.get(pod);
    if (each === undefined) {
      const byName = podsByWorkload.get(podWorkloadKey.get(pod) ?? '');
      each = byName === undefined || byName.size < 2 ? [] : [...byName].sort(([a], [b]) => compareStrings(a, b)).map(([name, own]) => ({ name, pod: ownPod(pod, own) }));
      apart.set(pod, each);
    }
    return each;
  };
  // A host-network pod speaks from its node's addresses (onNode); a pod-network pod from its own.
  // Host network is each pod's own: a workload is host-network when its template or any pod is
  // (docs/inventory.md), but its pods on the pod network are pods, which policies select
  // (kubernetes.io "Network Policies": only hostNetwork pods are ignored by podSelector).
  // Each keeps the workload's container ports (the inventory keeps them per workload, merged from
  // its ReplicaSets and pods) and labels: a named port then matches every number the workload's
  // pods give it at each pod, where a pod's own number alone would deny a rollout's 9091 at the pod
  // giving 9090, which no connection to 9091 reaches (an edge's connection reaches the pods serving
  // its port). A record to one pod's address is that pod's alone: `podAt` gives it its own
  // (atAddress).
  const ownPod = (pod: SimPod, own: OwnPod): SimPod => {
    if (own.hostNetwork && pod.hostNetwork && own.node !== undefined && (nodes.get(own.node)?.ips.length ?? 0) > 0) return onNode(pod, own.node);
    return { ...pod, hostNetwork: own.hostNetwork, ips: [...own.ips].sort(), ...(own.node !== undefined ? { node: own.node } : {}) };
  };
  // The pod a record's address names: one of the workload's pods (a host-network pod's is its
  // node's), at that address only; never the workload's stand-in, which pods-apart.ts splits.
  // Looked up per record: each workload's pods by address, made on first use.
  const byAddress = new Map<SimPod, ReadonlyMap<string, SimPod>>();
  const podAt = (pod: SimPod, ip: string): SimPod | undefined => {
    let holders = byAddress.get(pod);
    if (holders === undefined) {
      const made = new Map<string, SimPod>();
      for (const m of podsOf(pod)) for (const a of m.pod.ips) if (!made.has(a)) made.set(a, m.pod);
      byAddress.set(pod, (holders = made));
    }
    const own = holders.get(ip);
    return own === undefined || own.hostNetwork ? own : atAddress(own, ip);
  };
  // Made on first use: only a workload end judged as a whole (an edge, a record to a Service) asks.
  let setsByKey: Map<string, readonly PodOwnSet[]> | undefined;
  const ownSets = (pod: SimPod): readonly PodOwnSet[] => (setsByKey ??= podOwnSets(inventory)).get(podWorkloadKey.get(pod) ?? '') ?? [];
  const withOwn = podVariants((pod, key) => {
    const own = JSON.parse(key) as { labels: Labels; ports?: ContainerPort[] };
    return { ...pod, labels: own.labels, ...(own.ports !== undefined ? { ports: own.ports } : {}) };
  });
  const relabelled = (pod: SimPod, set: PodLabelSet): SimPod => withOwn(pod, JSON.stringify({ labels: set.labels, ports: set.ports }));
  const families = endpointFamilies(clusterFamilies(cluster));
  const onlyFamily = (a: SimEndpoint, b: SimEndpoint): IpFamily | undefined => connectionFamily(families(a), families(b));
  const deleted = new Map(Object.entries(inventory.deletedWorkloads ?? {}));
  return { cluster, podOf: (k) => pods.get(k), deletedAt: (k) => deleted.get(k), nodeOf: (n) => nodes.get(n), endpoints: new Map(), nodeOfPodIp: (ip) => nodeByIp.get(ip), onNode, otherNode, placeable, atAddress, podsOf, ownSets, relabelled, podAt, onlyFamily, families, ...apiserverEnds(inventory.apiserver), ...nodeEnds() };
}

/**
 * Per workload key, each distinct (own labels, own container ports) of its pods: those the pod
 * addresses carry (ownLabelsAndPorts), and the workload's label sets no addressed pod carries (a
 * pod without an address yet; every set, in a store from before migration 0048, whose addresses
 * carry none), with the merged ports. Sorted by labels, then ports.
 */
function podOwnSets(inventory: InventorySnapshot): Map<string, readonly PodOwnSet[]> {
  const byWorkload = new Map<string, Map<string, { labels: Labels; ports?: readonly ContainerPort[]; pods: string[] }>>();
  const workloads = inventory.workloads.map(workloadKey);
  const seenPods = new Set<string>();
  for (const a of inventory.podAddresses) {
    const k = workloadKey(a.workload);
    if (seenPods.has(`${k}|${a.pod}`)) continue;
    seenPods.add(`${k}|${a.pod}`);
    const own = ownLabelsAndPorts(a);
    if (own?.labels === undefined) continue;
    const key = `${labelsText(own.labels)}|${JSON.stringify(own.ports ?? null)}`;
    let sets = byWorkload.get(k);
    if (sets === undefined) byWorkload.set(k, (sets = new Map()));
    const same = sets.get(key);
    if (same !== undefined) same.pods.push(a.pod);
    else sets.set(key, { labels: own.labels, ...(own.ports !== undefined ? { ports: own.ports } : {}), pods: [a.pod] });
  }
  const out = new Map<string, readonly PodOwnSet[]>();
  for (const k of workloads) {
    const sets = [...(byWorkload.get(k)?.values() ?? [])];
    const carried = new Set(sets.map((s) => labelsText(s.labels)));
    for (const labels of inventory.podLabels?.[k] ?? []) {
      const text = labelsText(labels);
      if (!carried.has(text)) sets.push({ labels, pods: [] });
      carried.add(text);
    }
    if (sets.length === 0) continue;
    const text = (s: PodOwnSet) => `${labelsText(s.labels)}|${JSON.stringify(s.ports ?? null)}`;
    out.set(k, sets.map((s) => ({ ...s, pods: [...s.pods].sort(compareStrings) })).sort((a, b) => compareStrings(text(a), text(b))));
  }
  return out;
}

/** `app=api,track=v2`: a label set in words, keys sorted. */
export const labelsText = (l: Labels): string =>
  Object.entries(l)
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/**
 * What a pod-network pod carries of its own, where it differs from its workload's stand-in: its
 * own labels and container ports (a rollout's revisions differ in both: a selector "selects Pods"
 * by their own labels, kubernetes networking/v1 types.go NetworkPolicySpec.podSelector; a named
 * port is "a named port on a pod", NetworkPolicyPort.port — and Cilium resolves an ingress name on
 * the endpoint's own pod, pkg/endpoint GetNamedPort; Calico on the endpoint's `ports`, as its
 * WorkloadEndpoint lists them), and the labels it gets from its own identity (a StatefulSet pod's
 * name and ordinal, domain/pod-identity-labels.ts), which no template holds. `labels`, `ports`:
 * absent where the store does not know them (rows before migration 0048): the workload's template
 * labels (with `identity` over them) and its ports merged over all its pods stand for them.
 * Undefined when the pod carries nothing of its own that is known.
 */
function ownLabelsAndPorts(a: PodAddress): { labels?: Labels; identity: Labels; ports?: ContainerPort[] } | undefined {
  const identity = podIdentityLabels(a.workload, a.pod);
  const stamped = Object.keys(identity).length > 0;
  if (a.labels === undefined && a.ports === undefined && !stamped) return undefined;
  // The controller's value wins over a template's (updateIdentity overwrites it).
  const labels = a.labels === undefined ? undefined : stamped ? { ...a.labels, ...identity } : a.labels;
  return { identity, ...(labels !== undefined ? { labels } : {}), ...(a.ports !== undefined ? { ports: a.ports } : {}) };
}

/** The inventory's Calico HostEndpoints and FelixConfigurations (kept with the applied policies), for the calico simulator. */
function calicoHostObjects(inventory: InventorySnapshot): Pick<SimCluster, 'calicoHostObjects'> {
  const objects = inventory.policies.filter((p) => p.apiVersion === 'projectcalico.org/v3' && (p.kind === 'HostEndpoint' || p.kind === 'FelixConfiguration')).map((p) => p.manifest);
  return objects.length > 0 ? { calicoHostObjects: objects } : {};
}

/** The inventory's Calico network sets (kept with the applied policies, from either API group), for the calico simulator. */
function calicoNetworkSets(inventory: InventorySnapshot): Pick<SimCluster, 'calicoNetworkSets'> {
  const objects = inventory.policies.filter((p) => networkSetKind(p.apiVersion, p.kind) !== undefined).map((p) => p.manifest);
  return objects.length > 0 ? { calicoNetworkSets: objects } : {};
}

/**
 * The apiserver's ends: as a whole per port, and at each endpoint address. A connection to the
 * apiserver as a whole (its ClusterIP, an edge) may be any endpoint's: kube-proxy picks one per
 * connection (kubernetes.io "Virtual IPs and Service Proxies"), and the datapath matches the
 * endpoint's address after that DNAT.
 */
function apiserverEnds(eps: readonly ApiserverEndpoint[]): Pick<ClusterModel, 'apiserver' | 'apiserverAt' | 'apiserverAddresses'> {
  const at = new Map<string, SimEndpoint>();
  for (const e of eps) if (!at.has(e.ip)) at.set(e.ip, { kind: 'apiserver', ip: e.ip });
  const wholes = new Map<number, SimEndpoint | undefined>();
  const addressesOf = new Map<SimEndpoint, readonly string[]>();
  const apiserver = (port: number): SimEndpoint | undefined => {
    if (wholes.has(port)) return wholes.get(port);
    const served = eps.some((e) => e.port === port) ? port : eps[0]?.port;
    const ips = [...new Set(eps.filter((e) => e.port === served).map((e) => e.ip))];
    const whole: SimEndpoint | undefined = ips[0] === undefined ? undefined : { kind: 'apiserver', ip: ips[0] };
    wholes.set(port, whole);
    if (whole !== undefined) addressesOf.set(whole, ips);
    return whole;
  };
  const apiserverAddresses = (e: SimEndpoint, family: IpFamily | undefined): readonly string[] => {
    const ips = addressesOf.get(e) ?? [];
    return family === undefined ? ips : ips.filter((ip) => ipFamily(ip) === family);
  };
  return { apiserver, apiserverAt: (ip) => at.get(ip), apiserverAddresses };
}

/**
 * A node's ends: as a whole and at each address. An edge's connection with a node may be at any of
 * its addresses of the connection's family (a second NIC, an InternalIP that changed): its peers
 * reach it at whichever address they were given, and an ipBlock, a Calico `nets` or a
 * ClusterNetworkPolicy `networks` holds the packet's address, not the node. A record's is at the
 * address it names.
 */
function nodeEnds(): Pick<ClusterModel, 'nodeEnd' | 'nodeAt' | 'nodeAddresses'> {
  const wholes = endsByAddress();
  const ats = endsByAddress();
  const addressesOf = new Map<SimEndpoint, readonly string[]>();
  const nodeEnd = (node: SimNode, family: IpFamily | undefined): SimEndpoint | undefined => {
    const ip = (family === undefined ? undefined : node.ips.find((a) => ipFamily(a) === family)) ?? node.ips[0];
    if (ip === undefined) return undefined;
    return wholes(node, ip, (whole) => addressesOf.set(whole, ipsOfFamily(node.ips, ipFamily(ip))));
  };
  return { nodeEnd, nodeAt: (node, ip) => ats(node, ip), nodeAddresses: (e) => addressesOf.get(e) ?? [] };
}

/** A node's end at an address, made once per (node, address): simulators keep per-end caches. `made` is told of each new one. */
function endsByAddress(): (node: SimNode, ip: string, made?: (e: SimEndpoint) => void) => SimEndpoint {
  const ends = new Map<SimNode, Map<string, SimEndpoint>>();
  return (node, ip, made) => {
    let byIp = ends.get(node);
    if (byIp === undefined) ends.set(node, (byIp = new Map()));
    let e = byIp.get(ip);
    if (e === undefined) {
      byIp.set(ip, (e = { kind: 'node', node, ip }));
      made?.(e);
    }
    return e;
  };
}

/** The families of an endpoint (a node can be reached at any of its addresses), once per pod, node or address: asked per edge side. */
function endpointFamilies(cluster: ClusterFamilies): (e: SimEndpoint) => Families {
  const known = new Map<SimPod | SimNode | string, Families>();
  return (e) => {
    // Cilium's Ingress proxy speaks the family of the connection it forwards.
    if (e.kind === 'cilium-ingress') return undefined;
    const key = e.kind === 'pod' ? e.pod : e.kind === 'node' ? e.node : e.ip;
    if (known.has(key)) return known.get(key);
    const f = e.kind === 'pod' ? podFamilies(e.pod, cluster) : familiesOf(e.kind === 'node' ? e.node.ips : [e.ip]);
    known.set(key, f);
    return f;
  };
}

/** A pod made from another and a key, made once per (pod, key): simulators keep per-pod caches. */
function podVariants(make: (pod: SimPod, key: string) => SimPod): (pod: SimPod, key: string) => SimPod {
  const made = new Map<SimPod, Map<string, SimPod>>();
  return (pod, key) => {
    let byKey = made.get(pod);
    if (byKey === undefined) made.set(pod, (byKey = new Map()));
    let p = byKey.get(key);
    if (p === undefined) byKey.set(key, (p = make(pod, key)));
    return p;
  };
}

export function isSimProtocol(p: string): p is SimProtocol {
  return p === 'TCP' || p === 'UDP' || p === 'SCTP';
}

const CILIUM_INGRESS: SimEndpoint = { kind: 'cilium-ingress' };

/** A peer as a simulated endpoint, or why it cannot be simulated. */
export type EndpointOrReason = { ok: true; endpoint: SimEndpoint } | { ok: false; reason: string };

/**
 * `port`: the edge's port, which picks the apiserver endpoint when the peer is the apiserver
 * (edges to it are on the endpoint's own port).
 */
export function peerEndpoint(model: ClusterModel, peer: Peer, port: number): EndpointOrReason {
  // Peers are shared objects (the store hands out one per peer): each is looked up once, but
  // the apiserver, whose endpoint depends on the port.
  if (peer.kind === 'apiserver') return endpointOf(model, peer, port);
  let e = model.endpoints.get(peer);
  if (e === undefined) model.endpoints.set(peer, (e = endpointOf(model, peer, port)));
  return e;
}

function endpointOf(model: ClusterModel, peer: Peer, port: number): EndpointOrReason {
  switch (peer.kind) {
    case 'workload':
    case 'dns': {
      const pod = model.podOf(workloadKey(peer.workload));
      if (pod) return { ok: true, endpoint: { kind: 'pod', pod } };
      const key = workloadKey(peer.workload);
      return { ok: false, reason: workloadNotInInventory(key, model.deletedAt(key)) };
    }
    case 'apiserver': {
      const endpoint = model.apiserver(port);
      return endpoint ? { ok: true, endpoint } : { ok: false, reason: 'no apiserver endpoint is known (import the default/kubernetes EndpointSlice)' };
    }
    case 'node': {
      const node = model.nodeOf(peer.node);
      const endpoint = node && model.nodeEnd(node, undefined);
      return endpoint ? { ok: true, endpoint } : { ok: false, reason: `node ${peer.node} has no known address` };
    }
    case 'cilium-ingress':
      return { ok: true, endpoint: CILIUM_INGRESS };
    case 'kubelet':
      return { ok: false, reason: 'kubelet probes from the pod’s own node are never policy rules' };
    case 'external':
      return { ok: true, endpoint: { kind: 'external', ip: peer.ip, ...namesOf(model, peer.ip) } };
    case 'unknown':
      return { ok: false, reason: `${unknownAddressText(peer.ip)} resolved to nothing at the flow’s time` };
  }
}

/**
 * A connection between stored peers as a simulated flow, or why it cannot be simulated (no port,
 * a peer that is no endpoint). ICMP (port 0, as stored) is the client's echo request, the only
 * ICMP flowmatrix keeps (domain/flow.ts echoRequest), in the family its protocol fixes.
 */
export function connectionFlow(model: ClusterModel, client: Peer, server: Peer, port: number, protocol: Protocol, seen: FlowAddressing = {}): { ok: true; flow: SimFlow } | { ok: false; reason: string } {
  if (isIcmp(protocol)) {
    if (port !== 0) return { ok: false, reason: `${protocol} has no port (${port})` };
  } else if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: `no destination port (${port})` };
  const c = peerEndpoint(model, client, port);
  if (!c.ok) return c;
  const s = peerEndpoint(model, server, port);
  if (!s.ok) return s;
  const { clientPort } = seen;
  const from = onItsNode(model, c.endpoint, seen.clientIp);
  const to = onItsNode(model, s.endpoint, seen.serverIp);
  if (isIcmp(protocol)) {
    const family = protocol === 'ICMP' ? 4 : 6;
    return { ok: true, flow: { client: atFamily(model, from, family), server: atFamily(model, to, family), port: 0, protocol, icmp: echoRequest(protocol), family } };
  }
  const family = seen.family ?? model.onlyFamily(from, to);
  // The apiserver on a port none of its endpoints serves now (they changed since the edge was
  // seen: a flow of their time resolves through apiserver_history) is the apiserver as it is reached now.
  const eps = model.cluster.apiserver;
  const toPort = server.kind === 'apiserver' && eps.length > 0 && !eps.some((e) => e.port === port) ? eps[0]!.port : port;
  const flow: SimFlow = family === undefined ? { client: from, server: to, port: toPort, protocol } : { client: atFamily(model, from, family), server: atFamily(model, to, family), port: toPort, protocol, family };
  if (clientPort !== undefined) flow.clientPort = clientPort;
  return { ok: true, flow };
}

/**
 * A connection from `node` to a pod of `server` on that node (`kubelet:<node>`: its kubelet, or a
 * host-network pod there): the node's host network to the workload's pod placed on the node.
 */
export function ownNodeFlow(model: ClusterModel, node: string, server: Peer, port: number, protocol: Protocol, seen?: FlowAddressing): { ok: true; flow: SimFlow } | { ok: false; reason: string } {
  const conn = connectionFlow(model, { kind: 'node', node }, server, port, protocol, seen);
  if (!conn.ok) return conn;
  const s = conn.flow.server;
  return s.kind === 'pod' ? { ok: true, flow: { ...conn.flow, server: { kind: 'pod', pod: model.onNode(s.pod, node) } } } : conn;
}

/** What a flow record says of a connection beyond its peers (SimFlow.family, SimFlow.clientPort, which pod); an edge says none of it. */
export interface FlowAddressing {
  family?: IpFamily;
  clientPort?: number;
  /** The addresses the record names: a pod end is the workload's pod on the node holding it. */
  clientIp?: string;
  serverIp?: string;
}

function onItsNode(model: ClusterModel, e: SimEndpoint, ip: string | undefined): SimEndpoint {
  if (ip === undefined) return e;
  // A node sends from one of its addresses (InternalIP, tunnel, router): an ipBlock or a Calico
  // `nets` holds the packet's, so the record's is simulated, not the node's first; an address the
  // Node object does not list, at its first, as before. Either way at that one address only.
  if (e.kind === 'node') return model.nodeAt(e.node, e.node.ips.includes(ip) ? ip : e.ip);
  // The apiserver at the endpoint address the record names (its own, after kube-proxy's DNAT), not
  // at its first: an ipBlock holds the packet's address. Another address (the ClusterIP) may be
  // any endpoint's: the apiserver as a whole, judged at each (pods-apart.ts).
  if (e.kind === 'apiserver') return model.apiserverAt(ip) ?? e;
  if (e.kind !== 'pod') return e;
  const own = model.podAt(e.pod, ip);
  if (own !== undefined) return { kind: 'pod', pod: own };
  const node = model.nodeOfPodIp(ip);
  let pod = node === undefined || node === e.pod.node ? e.pod : model.onNode(e.pod, node);
  // At the address the record names, not at every address of the workload's pods: an ipBlock (a
  // Calico `nets`) holds the packet's address, one pod's, never its siblings'; a selector on a
  // pod's own name or ordinal matches that pod only.
  if (!pod.hostNetwork && pod.ips.includes(ip)) pod = model.atAddress(pod, ip);
  return pod === e.pod ? e : { kind: 'pod', pod };
}

/** The flow as a connection of `family`: its node ends at their address of it. */
export function inFamily<F extends SimFlow>(model: ClusterModel, flow: F, family: IpFamily): F {
  return { ...flow, client: atFamily(model, flow.client, family), server: atFamily(model, flow.server, family), family };
}

const BOTH_FAMILIES: readonly IpFamily[] = [4, 6];

/**
 * The families a connection whose family nothing records (an edge) is judged at, one by one: both,
 * where an end that policies match by its addresses alone (a node, a host-network pod: its node's)
 * holds both and the other end can use both. The edge may be either family's connection, and a
 * packet has one address: a NetworkPolicy ipBlock, a Calico `nets` or a ClusterNetworkPolicy
 * `networks` naming the node's IPv4 address alone cuts its IPv6 connection. Reading it "at any of
 * the node's addresses" passed what the engine denies; the edge is allowed only where both are
 * (docs/api.md#simulate). None otherwise: the family is known, or the ends are pods on the pod
 * network, which selectors match whatever the family, or the apiserver, told apart at its
 * endpoint addresses (pods-apart.ts).
 */
export function familiesJudgedApart(model: ClusterModel, flow: SimFlow): readonly IpFamily[] {
  if (flow.family !== undefined || flow.icmp !== undefined) return [];
  const apart = (byAddress(model, flow.client) && canUseBoth(model, flow.server)) || (byAddress(model, flow.server) && canUseBoth(model, flow.client));
  return apart ? BOTH_FAMILIES : [];
}

/** An end policies match by its addresses alone (a node, a host-network pod) holding both families. */
function byAddress(model: ClusterModel, e: SimEndpoint): boolean {
  return (e.kind === 'node' || (e.kind === 'pod' && e.pod.hostNetwork)) && model.families(e) === 'both';
}

/** An end that can use both families (or whose families are unknown). */
function canUseBoth(model: ClusterModel, e: SimEndpoint): boolean {
  const f = model.families(e);
  return f === 'both' || f === undefined;
}

/** A node end at its address of the flow's family (a dual-stack node is reached at either); as a whole where it is one (ClusterModel.nodeEnd). */
function atFamily(model: ClusterModel, e: SimEndpoint, family: IpFamily): SimEndpoint {
  if (e.kind !== 'node' || ipFamily(e.ip) === family) return e;
  if (model.nodeAddresses(e).length > 0) return model.nodeEnd(e.node, family) ?? e;
  const ip = e.node.ips.find((a) => ipFamily(a) === family);
  return ip === undefined ? e : model.nodeAt(e.node, ip);
}

function namesOf(model: ClusterModel, ip: string): { names?: readonly string[] } {
  const names = model.cluster.dnsNames?.get(ip);
  return names && names.length > 0 ? { names } : {};
}
