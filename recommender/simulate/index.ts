/**
 * One simulator per engine, behind the one contract (types.ts). The `kubernetes` engine is
 * simulated as a CNI that matches ipBlocks against node and apiserver addresses but not pod
 * addresses (the NetworkPolicy API leaves it to the plugin): a rule that needs a pod matched by
 * an ipBlock fails verification, and the findings that depend on that reading say so (the other
 * reading beside it, SimulatorFactory.ipBlocksMatchingPods). On Cilium, which reads ipBlocks its
 * own way, a `kubernetes` recommendation is judged by the `cilium` simulator, which reads the
 * NetworkPolicies as Cilium does (decide.ts verifyingEngine).
 */
import { cidrMatchesNodes, ciliumEnforcesClusterNetworkPolicies } from '../../domain/inventory.ts';
import { clusterNetworkPolicyReadings, egressNamedPortReadings, type EgressNamedPortReading } from '../../domain/cilium-release.ts';
import type { EngineName } from '../engines/types.ts';
import { calicoSimulator } from './calico.ts';
import { allowedForWantOfDefaultDeny, ciliumSimulator } from './cilium.ts';
import { cidrMatchModeShown } from './cilium/config-shown.ts';
import { createClusterNetworkPolicySimulator, withClusterNetworkPolicyTiers, withUntieredClusterNetworkPolicies, type MiddleTier } from './clusternetworkpolicy.ts';
import type { TierPolicy } from './clusternetworkpolicy/compile.ts';
import { createKubernetesSimulator, NetworkPolicyIndex, type KubernetesSimOptions } from './kubernetes.ts';
import { ClusterView } from './kubernetes/cluster-view.ts';
import type { BlockReading } from './kubernetes/block-reading.ts';
import { ON_DESTINATION_POD, type NamedPortReading } from './kubernetes/named-port.ts';
import { namesEgressPorts, NetworkPolicyNamedPorts } from './cilium/network-policy-ports.ts';
import { namesEgressPortsOnCilium } from './cilium/egress-port-names.ts';
import { combine, type SideVerdict, type SimCluster, type SimEndpoint, type SimFlow, type SimPod, type Simulator, type SimulatorFactory } from './types.ts';
import { identityLabels } from './cilium/label-filter.ts';
import type { Direction } from '../../domain/direction.ts';
import { judgingFoldedBlocks } from './folded-blocks.ts';

/**
 * How Cilium reads a NetworkPolicy's ipBlock and a ClusterNetworkPolicy's `networks` (it converts
 * both to CIDR selectors: pkg/k8s ParseClusterNetworkPolicy `kcnpParseCIDRSelectors`, each
 * `types.ToSelector(api.CIDR(cidr))`): never a pod (Cilium docs, "Network Policy": "ipBlock set
 * with a pod IP" among the known missing features; a pod's identity is its labels); a node, or an
 * apiserver on one, only with `policy-cidr-match-mode: nodes` (policy language, "Selecting nodes
 * with CIDR / ipBlock"); an apiserver off the nodes always (it gets CIDR labels: pkg/ipcache
 * metadata.go resolveIdentity).
 */
function ciliumIpBlockReading(cluster: SimCluster): BlockReading {
  return { ipBlockMatchesPods: false, ipBlockMatchesNodes: cidrMatchesNodes(cluster.ciliumPolicy), ipBlockMatchesApiserver: 'off-nodes' };
}

/**
 * NetworkPolicies as Cilium enforces them: their ipBlocks (ciliumIpBlockReading) and port names
 * (cilium/network-policy-ports.ts) read as Cilium reads them. A side they deny that an ipBlock
 * would allow if Cilium matched node addresses is said so, with what the cilium-config shows and
 * the two ways out; one an egress port name would allow on the destination pod, with the numbers
 * the pods give the name (where the agent resolves egress names over every pod: `ports`).
 */
function networkPoliciesOnCilium(policies: readonly unknown[], cluster: SimCluster, ports: NetworkPolicyNamedPorts): Pick<NetworkPolicyIndex, 'isolates' | 'side'> {
  const view = new ClusterView(cluster);
  const reading = ciliumIpBlockReading(cluster);
  const index = new NetworkPolicyIndex(policies, view, reading, ports.reading);
  // Cilium turns their podSelectors into endpoint selectors over identities (cilium/label-filter.ts).
  const asIdentity = identityLabelled();
  // Built only once a side is denied: what the same policies would do with policy-cidr-match-mode: nodes.
  let withNodes: NetworkPolicyIndex | undefined;
  // Built only once an egress side is denied: the same policies with port names resolved on the
  // destination pod, noting the last name that matched — the deciding rule's, as no rule is read past it.
  const namedEgress = namesEgressPorts(policies);
  let namedOnPod: NetworkPolicyIndex | undefined;
  let lastNameMatched: string | undefined;
  const onPod: NamedPortReading = (name, flow, protocol, d) => {
    const matched = ON_DESTINATION_POD(name, flow, protocol, d);
    if (matched) lastNameMatched = name;
    return matched;
  };
  const side = (asWritten: SimFlow, d: Direction): SideVerdict => {
    const flow = asIdentity.flow(asWritten);
    const k = index.side(flow, d);
    if (k.allowed) return k;
    if (!reading.ipBlockMatchesNodes) {
      withNodes ??= new NetworkPolicyIndex(policies, view, { ...reading, ipBlockMatchesNodes: true }, ports.reading);
      const n = withNodes.side(flow, d);
      if (n.allowed && n.by !== undefined) {
        return {
          ...k,
          reason: `${k.reason}: ${d} rule ${n.by.rule ?? ''} of ${n.by.policy} names it by an ipBlock, which Cilium matches against node addresses (an apiserver on a node's among them) only with policy-cidr-match-mode: nodes, and ${cidrMatchModeShown(cluster)}; set policy-cidr-match-mode: nodes, or use the cilium engine (entities host, remote-node, kube-apiserver)`,
        };
      }
    }
    if (namedEgress && d === 'egress' && flow.icmp === undefined) {
      namedOnPod ??= new NetworkPolicyIndex(policies, view, reading, onPod);
      lastNameMatched = undefined;
      const p = namedOnPod.side(flow, d);
      if (p.allowed && p.by !== undefined && lastNameMatched !== undefined) {
        return { ...k, reason: `${k.reason}: egress rule ${p.by.rule ?? ''} of ${p.by.policy} ${ports.egressWords(lastNameMatched, flow)}; name the port by number` };
      }
    }
    return k;
  };
  return { isolates: (subject, d) => index.isolates(asIdentity.endpoint(subject), d), side };
}

/**
 * Cilium enforces Kubernetes NetworkPolicies beside its own policies, as allow rules of the same
 * endpoint: a side is isolated when either kind selects it, allowed when a rule of either kind
 * allows it, and a Cilium deny rule wins over both ("Deny policies take precedence", Cilium
 * policy language, Deny Policies). Default deny is the endpoint's, over the rules of both kinds
 * (pkg/policy/repository.go computePolicyEnforcementAndRules): where a NetworkPolicy isolates the
 * side, Cilium rules setting `enableDefaultDeny: false` do not make it allow what no rule allows,
 * as a NetworkPolicy's rules always deny by default (pkg/policy/api Rule.Sanitize). Cilium turns their podSelectors into endpoint selectors over
 * identities, so they see a pod's labels as its identity holds them (cilium/label-filter.ts). The
 * local host reaches its own pods under NetworkPolicies too (allow-localhost). Under
 * `enable-policy: never` they are not enforced either: the mode is the agent's, for every rule its
 * repository holds (intro.rst "Policy Enforcement Modes").
 */
const ciliumWithNetworkPolicies: SimulatorFactory = (policies, cluster) => {
  const readings = egressNamedPortReadings(cluster.ciliumAgentImage);
  // Where no rule names an egress port, the readings give the same verdicts: one is judged.
  const judged = namesEgressPortsOnCilium(policies) ? readings : readings.slice(0, 1);
  const stacks = judged.map((r) => ciliumReading(policies, cluster, r));
  return stacks.length === 1 ? stacks[0]! : everyReadingAllows(stacks, judged.map((r) => EGRESS_NAMED_PORT_DENIAL[r]));
};

/** What a side denied in one reading of egress port names and allowed in the other says of it. */
const EGRESS_NAMED_PORT_DENIAL: Readonly<Record<EgressNamedPortReading, string>> = {
  'pod-network': 'denied as Cilium up to 1.19 resolves egress port names (over every pod on the pod network: the one number they all give the name, none where they disagree); 1.20 and later allow it',
  destination: 'denied as Cilium 1.20 and later resolve egress port names (on the destination pod: the number it declares); releases up to 1.19 allow it',
};

/**
 * Every policy Cilium enforces, its egress port names resolved as `egressNamedPorts` says
 * (domain/cilium-release.ts: by the agent's release; both where the inventory shows none, a side
 * then allowed only where both allow it: ciliumWithNetworkPolicies, the warning saying so:
 * decide.ts ciliumEgressNamedPortReadingWarning).
 */
function ciliumReading(policies: readonly unknown[], cluster: SimCluster, egressNamedPorts: EgressNamedPortReading): Simulator {
  const cilium = ciliumSimulator(policies, cluster, { egressNamedPorts });
  const ports = new NetworkPolicyNamedPorts(cluster.pods, egressNamedPorts);
  const kubernetes = networkPoliciesOnCilium(policies, cluster, ports);
  const side = (flow: SimFlow, direction: Direction): SideVerdict => {
    const c = cilium.side(flow, direction);
    if (deniedByCiliumDenyRule(c) || !cilium.enforcing) return c;
    const kv = kubernetes.side(flow, direction);
    if (!kv.isolated) return c;
    // Isolated by a CiliumNetworkPolicy, the cilium simulator has applied the local-host allow already.
    if (!c.isolated) return kv.allowed || direction === 'egress' ? kv : (cilium.localHostIngress(flow) ?? kv);
    if (c.allowed && !allowedForWantOfDefaultDeny(c)) return c;
    return kv.allowed || !c.allowed ? kv : { ...kv, reason: `${kv.reason}; the Cilium policies selecting the pod set enableDefaultDeny.${direction}: false, but a NetworkPolicy's rules deny by default, and Cilium denies by default where any rule selecting the pod does` };
  };
  const onCilium = {
    engine: 'cilium' as const,
    evaluate: (flow: SimFlow) => combine(side(flow, 'egress'), side(flow, 'ingress')),
    side,
    // Where no NetworkPolicy isolates the side (the usual case), Cilium's verdict is the side's.
    allows: (flow: SimFlow, direction: Direction) => (cilium.enforcing && kubernetes.isolates(direction === 'ingress' ? flow.server : flow.client, direction) ? side(flow, direction).allowed : cilium.allows(flow, direction)),
  };
  return cilium.enforcing && ciliumEnforcesClusterNetworkPolicies(cluster.ciliumPolicy) ? withClusterNetworkPolicies(onCilium, policies, cluster, ports.reading) : onCilium;
}

/** A side a Cilium deny rule (`ingressDeny`, `egressDeny`) denies: it wins over every allow. */
const deniedByCiliumDenyRule = (v: SideVerdict): boolean => !v.allowed && v.by?.rule !== undefined && /Deny\//.test(v.by.rule);

/**
 * The ClusterNetworkPolicies around Cilium's own and the Kubernetes policies, in each reading the
 * agent's build may apply (domain/cilium-release.ts): tiered from 1.20 on; where the inventory shows
 * no such release, tiered and untiered alike, and a side is allowed only where both allow it (the
 * warning saying so: decide.ts ciliumClusterNetworkPolicyReadingWarning). Their port names are
 * Cilium port rules (ParseClusterNetworkPolicy: `{Port: destinationNamedPort, Protocol: ANY}`),
 * resolved as Cilium resolves its own (`namedPort`: on egress by the agent's release).
 */
function withClusterNetworkPolicies(onCilium: Simulator & MiddleTier, policies: readonly unknown[], cluster: SimCluster, namedPort: NamedPortReading): Simulator {
  const readings = clusterNetworkPolicyReadings(cluster.ciliumAgentImage).map((r) =>
    r === 'tiered'
      ? withClusterNetworkPolicyTiers(onCilium, policies, cluster, enforcedByCilium, ciliumIpBlockReading(cluster), namedPort)
      : withUntieredClusterNetworkPolicies(onCilium, policies, cluster, enforcedByCilium, deniedByCiliumDenyRule, ciliumIpBlockReading(cluster), namedPort),
  );
  return readings.length === 1 ? readings[0]! : everyReadingAllows(readings);
}

/**
 * A side allowed only where every reading allows it; a denied one in the words of the first reading
 * denying it, with that reading's `denials` words where another reading allows it.
 */
function everyReadingAllows(readings: readonly Simulator[], denials?: readonly string[]): Simulator {
  const sideOf = (s: Simulator, flow: SimFlow, d: Direction): SideVerdict => (s.side ? s.side(flow, d) : d === 'ingress' ? s.evaluate(flow).ingress : s.evaluate(flow).egress);
  const side = (flow: SimFlow, d: Direction): SideVerdict => {
    let first: SideVerdict | undefined;
    for (let i = 0; i < readings.length; i++) {
      const v = sideOf(readings[i]!, flow, d);
      if (!v.allowed) {
        const words = denials?.[i];
        return words !== undefined && readings.some((other, j) => j !== i && sideOf(other, flow, d).allowed) ? { ...v, reason: `${v.reason}; ${words}` } : v;
      }
      first ??= v;
    }
    return first!;
  };
  return {
    engine: readings[0]!.engine,
    evaluate: (flow) => combine(side(flow, 'egress'), side(flow, 'ingress')),
    side,
    allows: (flow, d) => readings.every((s) => (s.allows ? s.allows(flow, d) : sideOf(s, flow, d).allowed)),
  };
}

/**
 * The cluster-scoped policies Cilium enforces with `enable-k8s-cluster-network-policy` on: the
 * v1alpha2 ClusterNetworkPolicy (cilium/cilium pkg/policy/k8s/cluster_network_policy.go), which 1.20
 * on converts into rules of its Admin or Baseline tier around the Normal tier of its own and the
 * Kubernetes policies (pkg/k8s ParseClusterNetworkPolicy: `tier := types.Admin`, `types.Baseline`
 * for `spec.tier: Baseline`; pkg/policy/types/policyentry.go `Admin`, `Normal`, `Baseline`): the
 * layering the clusternetworkpolicy simulator gives the NetworkPolicies, with every Cilium-enforced
 * policy in their place; a build before the tiers into plain rules (withClusterNetworkPolicies). Cilium watches no v1alpha1 AdminNetworkPolicy or
 * BaselineAdminNetworkPolicy (decide.ts evaluatesKind). Under `enable-policy: never` nothing is
 * enforced, these neither (the mode is the agent's, for every rule its repository holds).
 */
const enforcedByCilium = (p: TierPolicy): boolean => p.kind === 'ClusterNetworkPolicy';

/** Pods with the labels Cilium's identities hold: one object per pod, the pod itself when the filter drops none (the index caches per pod). */
function identityLabelled(): { flow(f: SimFlow): SimFlow; endpoint(e: SimEndpoint): SimEndpoint } {
  // The relabelled end itself, once per pod (null: its labels are kept): asked once per edge side, where an end made each time was most of what a side allocated.
  const relabelled = new Map<SimPod, SimEndpoint | null>();
  const endpoint = (e: SimEndpoint): SimEndpoint => {
    if (e.kind !== 'pod') return e;
    let r = relabelled.get(e.pod);
    if (r === undefined) {
      const labels = identityLabels(e.pod.labels);
      relabelled.set(e.pod, (r = labels === e.pod.labels ? null : { kind: 'pod', pod: { ...e.pod, labels } }));
    }
    return r ?? e;
  };
  const flow = (f: SimFlow): SimFlow => {
    const client = endpoint(f.client);
    const server = endpoint(f.server);
    return client === f.client && server === f.server ? f : { ...f, client, server };
  };
  return { flow, endpoint };
}

export const KUBERNETES_VERIFY_READING: KubernetesSimOptions = { ipBlockMatchesPods: false, ipBlockMatchesNodes: true, ipBlockMatchesApiserver: true };

/** A factory reading ipBlocks as not matching pods, with the other reading beside it (SimulatorFactory.ipBlocksMatchingPods). */
function bothReadings(create: (policies: readonly unknown[], cluster: SimCluster, options: KubernetesSimOptions) => Simulator): SimulatorFactory {
  const factory: SimulatorFactory = (policies, cluster) => create(policies, cluster, KUBERNETES_VERIFY_READING);
  factory.ipBlocksMatchingPods = (policies, cluster) => create(policies, cluster, { ...KUBERNETES_VERIFY_READING, ipBlockMatchesPods: true });
  return factory;
}

/** Cilium's reading is not in doubt: its CIDR rules match world identities only, never pods. */
export const SIMULATORS: Readonly<Record<EngineName, SimulatorFactory>> = {
  kubernetes: judgingFoldedBlocks(bothReadings(createKubernetesSimulator)),
  cilium: judgingFoldedBlocks(ciliumWithNetworkPolicies),
  calico: judgingFoldedBlocks(calicoSimulator),
  clusternetworkpolicy: judgingFoldedBlocks(bothReadings(createClusterNetworkPolicySimulator)),
};

export type { SimulatorFactory, Simulator, SimCluster, SimFlow, SimVerdict, SideVerdict } from './types.ts';
