/**
 * The one contract every engine simulator implements: given the policies (plain manifests, as
 * emitted or as applied) and a model of the cluster, decide each flow the way that engine's
 * datapath would, and say which policy and rule decided it.
 *
 * The cluster model is engine-neutral and built from the stored inventory
 * (`recommender/simulate/cluster.ts`); each simulator maps it to its engine's own notions
 * (Cilium identities and entities, Calico selectors over labels plus `projectcalico.org/*`
 * labels, ClusterNetworkPolicy tiers). Simulators are pure: no I/O, no clock.
 */
import type { ApiserverEndpoint, CiliumPolicySettings, ContainerPort, LabelSelector, Labels } from '../../domain/inventory.ts';
import type { EngineName } from '../engines/types.ts';
import type { Direction } from '../../domain/direction.ts';
import { ipFamily, type IpFamily } from '../../domain/ip.ts';
import type { IcmpMessage, IcmpProtocol, PortProtocol } from '../../domain/flow.ts';
import { memoByText } from '../text-memo.ts';

/** The protocols of a port (TCP, UDP, SCTP); ICMP flows have none (IcmpFlow). */
export type SimProtocol = PortProtocol;

export interface SimNamespace {
  name: string;
  /** As stored; simulators add what the engine adds (`kubernetes.io/metadata.name`, `projectcalico.org/name`). */
  labels: Labels;
}

export interface SimNode {
  name: string;
  labels: Labels;
  /** InternalIP/ExternalIP addresses of the node (IPv4 and/or IPv6). */
  ips: string[];
}

export interface SimPod {
  namespace: string;
  /** Pod name when known (diagnostics only). */
  name?: string;
  labels: Labels;
  /** Pod IPs (one per family); empty when unknown: IP-based peers then never match it. */
  ips: string[];
  /** The node the pod runs on, when known (Cilium: `host` vs `remote-node`). */
  node?: string;
  /** Host-network pods share their node's identity and IPs on every engine. */
  hostNetwork: boolean;
  /** Container ports, for named ports. */
  ports: ContainerPort[];
  serviceAccount?: string;
  /**
   * The workload the pod stands for (cluster.ts): its key (`namespace/Kind/name`) and its pod
   * selector, which the verification's tightness reads to find the other workloads' pods a rule
   * naming this one also matches (verify/probes.ts). Simulators never read it.
   */
  workload?: { key: string; selector: LabelSelector };
  /**
   * A host-network workload the inventory shows no pod of, placed at one node to be judged
   * (host-network-nodes.ts `placed`): once it runs it may run on any node (a DaemonSet on every
   * one). A simulator whose verdict differs by node (Cilium host policies) judges it at each.
   */
  anyNode?: true;
}

export interface SimService {
  namespace: string;
  name: string;
  clusterIPs: string[];
  ports: { name?: string; port: number; targetPort: number | string; protocol: SimProtocol }[];
  /** Absent for selector-less Services (e.g. default/kubernetes). */
  selector?: Labels;
}

/** Everything a simulator may need to know about the cluster. */
export interface SimCluster {
  namespaces: SimNamespace[];
  nodes: SimNode[];
  pods: SimPod[];
  services: SimService[];
  /** The kube-apiserver endpoints (`default/kubernetes` EndpointSlice): ip and endpoint port. */
  apiserver: ApiserverEndpoint[];
  /** Pod CIDRs of the cluster (nodes' podCIDRs), for engines that tell in-cluster from world by address. */
  podCIDRs: string[];
  /** External IP → DNS names seen for it (Cilium toFQDNs matches through these). */
  dnsNames?: ReadonlyMap<string, readonly string[]>;
  /** The Cilium cluster name (the inventory's cilium-config), when known: Cilium's own default is `default`. */
  ciliumClusterName?: string;
  /** The inventory's cilium-config policy settings, when known (`cidrMatchesNodes` decides how Cilium reads CIDR peers and ipBlocks). */
  ciliumPolicy?: CiliumPolicySettings;
  /** The image of Cilium's agent, when the inventory shows it: its version decides how ClusterNetworkPolicies are enforced (domain/cilium-release.ts). */
  ciliumAgentImage?: string;
  /**
   * The cluster DNS (domain/cluster-dns.ts) when the inventory shows it: its pods and the ports
   * they answer on. Cilium's toFQDNs learns names only from the lookups a pod sends it through
   * the DNS proxy.
   */
  clusterDns?: { pods: SimPod[]; ports: { port: number; protocol: SimProtocol }[] };
  /**
   * Calico's HostEndpoint and FelixConfiguration objects the inventory holds (as stored), for the
   * calico simulator: a node with a host endpoint is policed as that endpoint (calico/host-endpoints.ts).
   */
  calicoHostObjects?: readonly unknown[];
  /**
   * Calico's GlobalNetworkSet and NetworkSet objects the inventory holds (as stored), for the
   * calico simulator: a rule selector selecting one matches the addresses of its nets (calico/network-sets.ts).
   */
  calicoNetworkSets?: readonly unknown[];
}

/** One end of a flow. */
export type SimEndpoint =
  /** A pod (host-network pods included: simulators treat them as their node). */
  | { kind: 'pod'; pod: SimPod }
  /** A node's own host network at one of its addresses (kubelet, node agents). */
  | { kind: 'node'; node: SimNode; ip: string }
  /** The kube-apiserver at one of its endpoint addresses. */
  | { kind: 'apiserver'; ip: string }
  /** An address outside the cluster; `names` = DNS names seen for it. */
  | { kind: 'external'; ip: string; names?: readonly string[] }
  /**
   * Cilium's Ingress / Gateway API proxy (domain/peer.ts `cilium-ingress`): Cilium's reserved
   * `ingress` identity, no pod and no address a policy of another engine names.
   */
  | { kind: 'cilium-ingress' };

/** What every flow says of its ends. */
interface FlowEnds {
  client: SimEndpoint;
  server: SimEndpoint;
  /** The Service the client addressed, when known (Calico `destination.services`). */
  service?: { namespace: string; name: string };
  /**
   * The address family the connection used, when known (a flow record's addresses, an ICMP
   * flow's protocol; an aggregated port edge does not keep it). A dual-stack pod or node is then
   * matched by its address of that family only: an IPv4 block never matches an IPv6 packet.
   */
  family?: IpFamily;
  /** The client's own (source) port, when known (a flow record's); an aggregated edge does not keep it. */
  clientPort?: number;
}

/** One connection as the datapath sees it: after Service translation (server port = target port). */
export interface PortFlow extends FlowEnds {
  port: number;
  protocol: SimProtocol;
  icmp?: undefined;
  /**
   * The Service target port name alone the connection reached `port` through (an edge's
   * EdgeTraffic.targetPortName, never by number too): it reaches the server's pods whose container
   * port of that name is `port` (pods-apart.ts). Simulators never read it.
   */
  throughPortName?: string;
}

/**
 * An ICMP exchange: no port (0, as edges store it), the message the client sent instead. Policies
 * that match ports never match it; each engine matches ICMP its own way.
 */
export interface IcmpFlow extends FlowEnds {
  port: 0;
  protocol: IcmpProtocol;
  icmp: IcmpMessage;
}

export type SimFlow = PortFlow | IcmpFlow;

/** The flow's destination as a verdict names it: `5432/TCP`, or `ICMP type 8 code 0`. */
export function trafficOf(flow: SimFlow): string {
  return flow.icmp === undefined ? `${flow.port}/${flow.protocol}` : `${flow.protocol} type ${flow.icmp.type} code ${flow.icmp.code}`;
}

/** Where a decision came from: a policy and, when one rule decided, that rule. */
export interface DecidedBy {
  /** `Kind/namespace/name`, or `Kind/name` for cluster-scoped policies. */
  policy: string;
  /** JSON pointer of the deciding rule in that manifest, e.g. `/spec/ingress/2`. */
  rule?: string;
}

export interface SideVerdict {
  /** Whether any policy of the engine applies to this end in this direction. */
  isolated: boolean;
  allowed: boolean;
  /** The policy/rule that allowed or denied (a Calico tier's end: the Tier and its `/spec/defaultAction`); absent for "not isolated" and for an implicit default deny. */
  by?: DecidedBy;
  /** One sentence: why (e.g. "no policy selects the pod", "end of tier default", "deny rule"). */
  reason: string;
  /** Denied by default only because Cilium's `enable-policy: always` denies what no rule allows (no deciding rule: `by` absent). */
  enablePolicyAlways?: true;
  /**
   * Denied because these policies isolate the end in this direction and no rule of theirs allows
   * the flow (no deciding rule: `by` absent): `Kind/namespace/name`, sorted. A rule allowing it in
   * any one of them allows it (their allows add up); with all of them gone nothing isolates it.
   */
  isolatedBy?: readonly string[];
}

export interface SimVerdict {
  verdict: 'allow' | 'deny';
  /** The client's egress side. */
  egress: SideVerdict;
  /** The server's ingress side. */
  ingress: SideVerdict;
}

export interface Simulator {
  readonly engine: EngineName;
  evaluate(flow: SimFlow): SimVerdict;
  /** One side only (the verification needs one per edge side); the same answer as `evaluate`'s side. */
  side?(flow: SimFlow, direction: Direction): SideVerdict;
  /**
   * `side(flow, direction).allowed` without putting the verdict into words, for simulators whose
   * words cost more than the decision (the verification needs the words of few sides).
   */
  allows?(flow: SimFlow, direction: Direction): boolean;
}

/** One side of a flow, through `side` when the simulator has it. */
export function decideSide(sim: Simulator, flow: SimFlow, direction: Direction): SideVerdict {
  if (sim.side) return sim.side(flow, direction);
  const v = sim.evaluate(flow);
  return direction === 'ingress' ? v.ingress : v.egress;
}

/** Whether one side of a flow is allowed, through `allows` when the simulator has it. */
export function sideAllows(sim: Simulator, flow: SimFlow, direction: Direction): boolean {
  return sim.allows ? sim.allows(flow, direction) : decideSide(sim, flow, direction).allowed;
}

/**
 * Builds a simulator for one engine. `policies` are manifests of any kind; each simulator uses
 * the kinds its engine enforces (the `clusternetworkpolicy` simulator also reads NetworkPolicies,
 * which sit between its Admin and Baseline tiers) and ignores the others.
 */
export interface SimulatorFactory {
  (policies: readonly unknown[], cluster: SimCluster): Simulator;
  /**
   * The same engine where the network plugin matches NetworkPolicy ipBlocks against pod
   * addresses, when the factory reads them as not matching (the spec leaves it to the plugin):
   * the verification says which of its findings depend on that reading.
   */
  ipBlocksMatchingPods?: SimulatorFactory;
}

/** A connection is allowed when the client may send (egress) and the server may receive (ingress). */
export function combine(egress: SideVerdict, ingress: SideVerdict): SimVerdict {
  return { verdict: egress.allowed && ingress.allowed ? 'allow' : 'deny', egress, ingress };
}

/** The addresses an endpoint is seen at. */
export function endpointIps(e: SimEndpoint): readonly string[] {
  switch (e.kind) {
    case 'pod':
      return e.pod.ips;
    case 'node':
    case 'apiserver':
    case 'external':
      return [e.ip];
    case 'cilium-ingress':
      return [];
  }
}

/** An address's family (ipFamily), remembered per text (text-memo.ts): a simulator asks it of every address of a flow's ends, on every flow side. */
const familyOf = memoByText(ipFamily, 100_000);

/** `ips` of the flow's family (all of them when the flow does not say). */
export function ipsOfFamily(ips: readonly string[], family: IpFamily | undefined): readonly string[] {
  return family === undefined || ips.every((ip) => familyOf(ip) === family) ? ips : ips.filter((ip) => familyOf(ip) === family);
}
