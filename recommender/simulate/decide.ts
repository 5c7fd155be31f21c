/**
 * `simulate`: the verdict of one engine's policies on connections between stored peers, with the
 * policy and rule that decided each side. A connection from the server pod's own node is decided
 * as each engine treats its local node (`fromOwnNode`); one whose peers cannot be simulated (an
 * address that resolved to nothing) gets the verdict `unknown` and the reason.
 */
import { echoRequest, isIcmp, type IcmpMessage, type Protocol } from '../../domain/flow.ts';
import { peerKey, type Peer } from '../../domain/peer.ts';
import { ENGINE_NAMES, type EngineName } from '../engines/types.ts';
import { connectionFlow, ownNodeFlow, type ClusterModel, type FlowAddressing } from './cluster.ts';
import { combine, decideSide, type SideVerdict, type SimCluster, type SimFlow, type Simulator } from './types.ts';
import { agentImageShown, clusterNetworkPolicyReadings, egressNamedPortReadings, unreleasedAgentShown } from '../../domain/cilium-release.ts';
import type { Direction } from '../../domain/direction.ts';
import type { NetworkPlugin } from './network-plugin.ts';
import { ciliumEnforcesClusterNetworkPolicies, type CiliumPolicySettings } from '../../domain/inventory.ts';
import { withPodlessEndsPlaced } from './host-network-nodes.ts';
import { allowedAtEvery, sideAtFirst, type PodsApart } from './pods-apart.ts';

export interface PeerConnection {
  client: Peer;
  server: Peer;
  port: number;
  protocol: Protocol;
  /**
   * What a flow record says beyond the peers (its address family, the client's port); edges do not
   * keep it: without it the connection is an edge, whose podless host-network end is placed at a
   * node as the verification places it (host-network-nodes.ts).
   */
  seen?: FlowAddressing;
}

export interface Decision {
  client: string;
  server: string;
  /** The destination port; absent for ICMP, which has `icmp` instead. */
  port?: number;
  protocol: Protocol;
  /** ICMP only: the type and code of the client's message (an echo request). */
  icmp?: IcmpMessage;
  verdict: 'allow' | 'deny' | 'unknown';
  egress?: SideVerdict;
  ingress?: SideVerdict;
  reason?: string;
  /**
   * The verdict where the network plugin matches NetworkPolicy ipBlocks against pod addresses
   * (Calico, the upstream e2e tests), when it differs: the NetworkPolicy API leaves it to the plugin.
   */
  whereIpBlocksMatchPods?: 'allow' | 'deny';
}

/**
 * `otherReading`: the same policies read with ipBlocks matching pods (SimulatorFactory.ipBlocksMatchingPods).
 * `apart`: the workloads' pods told apart by the policies (pods-apart.ts): each side is allowed
 * when it is at every pod it may reach, and its words are those of the first pod it is denied at.
 * Each side is judged on its own (the connection is allowed when both are), never pair by pair.
 */
export function decide(sim: Simulator, model: ClusterModel, c: PeerConnection, otherReading?: Simulator, apart?: PodsApart): Decision {
  const ends = { client: peerKey(c.client), server: peerKey(c.server) };
  const head = isIcmp(c.protocol) ? { ...ends, protocol: c.protocol, icmp: echoRequest(c.protocol) } : { ...ends, port: c.port, protocol: c.protocol };
  if (c.client.kind === 'kubelet') return fromOwnNode(sim, model, { ...c, client: c.client }, head);
  const conn = connectionFlow(model, c.client, c.server, c.port, c.protocol, c.seen);
  if (!conn.ok) return { ...head, verdict: 'unknown', reason: conn.reason };
  // A host-network workload with no pod yet speaks from a node's address once it runs: an edge's end is judged there.
  const place = c.seen === undefined ? (f: SimFlow) => withPodlessEndsPlaced(model, f) : (f: SimFlow) => f;
  // Placed once for both sides: where no pods-apart split applies, each side is judged at this one flow.
  const placed = place(conn.flow);
  const atPods = (direction: Direction) => (apart === undefined ? [{ flow: placed, at: '' }] : apart.side(conn.flow, direction, place, placed));
  const each = { egress: atPods('egress'), ingress: atPods('ingress') };
  const egress = sideAtFirst(sim, each.egress, 'egress', false);
  const ingress = sideAtFirst(sim, each.ingress, 'ingress', false);
  const verdict = egress.side.allowed && ingress.side.allowed ? 'allow' : 'deny';
  const d: Decision = { ...head, verdict, egress: atPod(egress.side, egress.at), ingress: atPod(ingress.side, ingress.at) };
  if (otherReading !== undefined) {
    const other = allowedAtEvery(otherReading, each.egress, 'egress') && allowedAtEvery(otherReading, each.ingress, 'ingress') ? 'allow' : 'deny';
    if (other !== verdict) d.whereIpBlocksMatchPods = other;
  }
  return d;
}

/**
 * Why each engine lets the pod's own node in, whatever the policies say; Cilium's simulator decides
 * it itself (its local host: `allow-localhost`, `always` under Kubernetes unless the cilium-config
 * sets `allow-localhost: policy`, where its rules must let the `host` entity in).
 */
const OWN_NODE_ALLOWED: Record<Exclude<EngineName, 'cilium'>, string> = {
  kubernetes: 'from the pod’s own node, always allowed (Kubernetes, “Network Policies”: “traffic to and from the node where a Pod is running is always allowed”)',
  calico: 'from the pod’s own node, which Calico does not police (felix rules/static.go: “We don’t currently police host -> endpoint according to the endpoint’s ingress policy”)',
  clusternetworkpolicy:
    'from the pod’s own node, which no ClusterNetworkPolicy ingress peer selects (pods and namespaces only, host-networked pods excluded) and NetworkPolicies always allow',
};
const OWN_NODE_EGRESS: SideVerdict = { isolated: false, allowed: true, reason: 'the node’s own traffic: no pod policy selects its sender' };

/**
 * A connection from the server pod's own node (`kubelet:<node>`: its kubelet, or a host-network pod
 * there, docs/ingest.md). Every engine lets the local node into its pods: Cilium's simulator
 * judges it as its local host at the pod on that node; the others by their rule above.
 */
function fromOwnNode(sim: Simulator, model: ClusterModel, c: PeerConnection & { client: Peer & { kind: 'kubelet' } }, head: Omit<Decision, 'verdict'>): Decision {
  const conn = ownNodeFlow(model, c.client.node, c.server, c.port, c.protocol, c.seen);
  if (!conn.ok) return { ...head, verdict: 'unknown', reason: conn.reason };
  if (sim.engine !== 'cilium') return { ...head, verdict: 'allow', egress: OWN_NODE_EGRESS, ingress: { isolated: true, allowed: true, reason: OWN_NODE_ALLOWED[sim.engine] } };
  const { flow } = conn;
  return { ...head, ...combine(decideSide(sim, flow, 'egress'), decideSide(sim, flow, 'ingress')) };
}

/** A side denied at one pod of a workload the policies tell apart: its reason says which. */
const atPod = (s: SideVerdict, at: string): SideVerdict => (at === '' || s.allowed ? s : { ...s, reason: `${s.reason}${at}` });

/** The engine that enforces each policy kind (`apiVersion Kind`); NetworkPolicies, `kubernetes`, every engine enforces. */
const ENGINE_OF_KIND: Record<string, EngineName> = {
  'networking.k8s.io/v1 NetworkPolicy': 'kubernetes',
  'cilium.io/v2 CiliumNetworkPolicy': 'cilium',
  'cilium.io/v2 CiliumClusterwideNetworkPolicy': 'cilium',
  'projectcalico.org/v3 NetworkPolicy': 'calico',
  'projectcalico.org/v3 GlobalNetworkPolicy': 'calico',
  // What orders Calico policies (their tiers): read by the calico simulator.
  'projectcalico.org/v3 Tier': 'calico',
  // Not policies, but what Calico polices a node's own traffic as (simulate/calico/host-endpoints.ts).
  'projectcalico.org/v3 HostEndpoint': 'calico',
  'projectcalico.org/v3 FelixConfiguration': 'calico',
  // Not policies either: labelled CIDR lists Calico rule selectors match (simulate/calico/network-sets.ts), from either API group.
  'projectcalico.org/v3 GlobalNetworkSet': 'calico',
  'projectcalico.org/v3 NetworkSet': 'calico',
  'crd.projectcalico.org/v1 GlobalNetworkSet': 'calico',
  'crd.projectcalico.org/v1 NetworkSet': 'calico',
  'policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy': 'clusternetworkpolicy',
  'policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy': 'clusternetworkpolicy',
  'policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy': 'clusternetworkpolicy',
};

/** The engine a policy kind is written for, when it is one any engine enforces. */
export function engineOfKind(apiVersion: string, kind: string): EngineName | undefined {
  return Object.hasOwn(ENGINE_OF_KIND, `${apiVersion} ${kind}`) ? ENGINE_OF_KIND[`${apiVersion} ${kind}`] : undefined;
}

/**
 * Whether the engine's simulator evaluates a policy of this kind: its own kinds, and the
 * NetworkPolicies every one of these datapaths enforces too (Calico: order 1000 in the default
 * tier; Cilium: beside its own rules; the ClusterNetworkPolicy API: between its tiers). Calico
 * enforces the network-policy-api's kinds too, in its kube-admin and kube-baseline tiers
 * (simulate/calico/cluster-tiers.ts); Cilium the v1alpha2 ClusterNetworkPolicy alone, where its
 * cilium-config (`cilium`) turns it on (simulate/index.ts ciliumWithNetworkPolicies).
 */
export function evaluatesKind(engine: EngineName, apiVersion: string, kind: string, cilium?: CiliumPolicySettings): boolean {
  const of = engineOfKind(apiVersion, kind);
  return of === engine || of === 'kubernetes' || (engine === 'calico' && of === 'clusternetworkpolicy') || (engine === 'cilium' && isCiliumEnforcedKind(apiVersion, kind) && ciliumEnforcesClusterNetworkPolicies(cilium));
}

/** The one network-policy-api kind Cilium watches (pkg/policy/k8s/cluster_network_policy.go takes a policyv1alpha2.ClusterNetworkPolicy). */
const isCiliumEnforcedKind = (apiVersion: string, kind: string): boolean => apiVersion === 'policy.networking.k8s.io/v1alpha2' && kind === 'ClusterNetworkPolicy';

/** What another engine's kinds may do that the engine's simulation leaves out, as an example in a warning. */
export const UNEVALUATED_EFFECT: Readonly<Record<EngineName, string>> = {
  kubernetes: 'they add up with the NetworkPolicies',
  cilium: "Cilium's rules add up with the NetworkPolicies, its deny rules win over every allow, and it reads an ipBlock its own way",
  calico: "an earlier Calico tier's Deny ends the evaluation before the NetworkPolicies",
  clusternetworkpolicy: 'an Admin-tier Deny ends the evaluation before the NetworkPolicies',
};

/**
 * The engine whose simulation judges a recommendation's own manifests: its engine, but a
 * `kubernetes` recommendation on a cluster that runs Cilium (`plugin`, simulate/network-plugin.ts
 * networkPlugin) is enforced by Cilium, which converts NetworkPolicies to its own rules and reads
 * an ipBlock its own way (it selects node addresses only with `policy-cidr-match-mode: nodes`:
 * Cilium docs, "Network Policy" and policy language "Selecting nodes with CIDR / ipBlock"): the
 * cilium simulator, which reads NetworkPolicies too, judges it, so what Cilium would cut is blocked.
 * So is a `clusternetworkpolicy` one where the cilium-config (`cilium`) has Cilium enforce
 * ClusterNetworkPolicies: it converts them to rules of its tiers, `networks` to CIDR selectors that
 * select no pod (pkg/k8s/cluster_network_policy.go kcnpParseCIDRSelectors), which the cilium
 * simulator reads so (simulate/index.ts withClusterNetworkPolicies).
 */
export function verifyingEngine(engine: EngineName, plugin: NetworkPlugin, cilium?: CiliumPolicySettings): EngineName {
  if (plugin !== 'cilium') return engine;
  return engine === 'kubernetes' || (engine === 'clusternetworkpolicy' && ciliumEnforcesClusterNetworkPolicies(cilium)) ? 'cilium' : engine;
}

/**
 * The engine whose simulation judges a recommendation beside the applied policies. NetworkPolicies
 * are enforced by every engine, so a `kubernetes` recommendation lives beside whatever else the
 * cluster enforces: when the applied policies of other kinds are Calico's or ClusterNetworkPolicy's
 * alone, that engine decides (its tiers before the NetworkPolicies: an earlier tier's Deny, an
 * Admin-tier Deny, end the evaluation — Calico "Tier", network-policy-api "ClusterNetworkPolicy"),
 * and its simulator reads the NetworkPolicies too. Where the inventory shows a plugin, the plugin
 * decides the network-policy-api's kinds (clusterNetworkPolicyEnforcer). Otherwise the engine that
 * judges the recommendation alone (verifyingEngine): on Cilium, Cilium, whose applied policies add
 * up with the NetworkPolicies; kinds it does not evaluate stay named in a warning (engine-warnings.ts).
 * A recommendation of another engine is judged beside them by the engine that judges it alone.
 */
export function enforcingEngine(engine: EngineName, applied: readonly { apiVersion: string; kind: string }[], plugin: NetworkPlugin = 'unknown', cilium?: CiliumPolicySettings): EngineName {
  if (engine !== 'kubernetes') return verifyingEngine(engine, plugin, cilium);
  const others = withClusterNetworkPoliciesEnforced(
    new Set(applied.map((p) => engineOfKind(p.apiVersion, p.kind)).filter((e): e is EngineName => e !== undefined && e !== 'kubernetes')),
    plugin,
  );
  const [only] = others;
  return others.size === 1 && (only === 'calico' || only === 'clusternetworkpolicy') ? only : verifyingEngine(engine, plugin);
}

/**
 * Who enforces the network-policy-api's kinds on a cluster running `plugin`, beside applied kinds of
 * `engines`. Calico, where its kinds are there or it runs: it converts them into its kube-admin and
 * kube-baseline tiers (simulate/calico/cluster-tiers.ts). Cilium, where it runs: it enforces
 * ClusterNetworkPolicy only from 1.20 and only with `enable-k8s-cluster-network-policy: "true"` in
 * the cilium-config (off by default; cilium/cilium pkg/policy/k8s/conformance/conformance_test.go
 * preflightCheck requires the key, pkg/policy/k8s/cluster_network_policy.go converts the kind to
 * Cilium rules of its Admin and Baseline tiers): its simulator judges whatever the cluster enforces
 * its way (`enable-policy`, its ipBlock reading), the ClusterNetworkPolicies too where the key is on
 * (evaluatesKind), and names those it leaves out as not evaluated (ciliumClusterNetworkPolicyNote).
 * Otherwise the clusternetworkpolicy engine.
 */
function clusterNetworkPolicyEnforcer(engines: ReadonlySet<EngineName>, plugin: NetworkPlugin): EngineName {
  return engines.has('calico') ? 'calico' : plugin === 'unknown' ? 'clusternetworkpolicy' : plugin;
}

/** `engines` with the network-policy-api's kinds counted as the engine that enforces them there (clusterNetworkPolicyEnforcer). */
function withClusterNetworkPoliciesEnforced(engines: Set<EngineName>, plugin: NetworkPlugin): Set<EngineName> {
  if (!engines.has('clusternetworkpolicy')) return engines;
  const enforcer = clusterNetworkPolicyEnforcer(engines, plugin);
  engines.delete('clusternetworkpolicy');
  engines.add(enforcer);
  return engines;
}

/**
 * Why a cilium simulation leaves the network-policy-api's kinds out, for what the stored cilium-config
 * says (`cilium`): said where Cilium runs (engine-warnings.ts, app/simulate.ts). With the key on,
 * only the v1alpha1 kinds are left out: Cilium watches the v1alpha2 ClusterNetworkPolicy alone.
 */
export function ciliumClusterNetworkPolicyNote(cilium: CiliumPolicySettings | undefined): string {
  if (ciliumEnforcesClusterNetworkPolicies(cilium)) return 'Cilium enforces the v1alpha2 ClusterNetworkPolicy only, no v1alpha1 AdminNetworkPolicy or BaselineAdminNetworkPolicy';
  const shown = cilium?.enableK8sClusterNetworkPolicy === false ? 'and the imported cilium-config does not' : 'which the inventory does not show: import kube-system/cilium-config';
  return `Cilium enforces ClusterNetworkPolicies only from 1.20 and only where the cilium-config sets enable-k8s-cluster-network-policy: "true" (off by default), ${shown}`;
}

/**
 * Where Cilium enforces the ClusterNetworkPolicies (`isCiliumClusterNetworkPolicy` among `policies`,
 * `subject` names them) and the inventory shows no build known to enforce them in tiers: that they
 * were judged under both readings (domain/cilium-release.ts, simulate/index.ts
 * withClusterNetworkPolicies), and how to make it exact. Undefined where one reading applies, or none.
 */
export function ciliumClusterNetworkPolicyReadingWarning(subject: string, cluster: Pick<SimCluster, 'ciliumPolicy' | 'ciliumAgentImage'>): string | undefined {
  if (!ciliumEnforcesClusterNetworkPolicies(cluster.ciliumPolicy) || cluster.ciliumPolicy?.enablePolicy === 'never') return undefined;
  if (clusterNetworkPolicyReadings(cluster.ciliumAgentImage).length === 1) return undefined;
  return `${subject}: judged under both readings Cilium builds have, as ${agentImageShown(cluster.ciliumAgentImage)} — tiered (1.20 on: the Admin tier by priority, then Cilium's and the Kubernetes policies, then the Baseline tier) and untiered (builds before the tiers: every Deny a Cilium deny rule that wins over any allow, Accept and Pass plain allows) — and a side is allowed only where both allow it; a finding says which reading denied it`;
}

/**
 * Where policies Cilium enforces (`subject` names them) name egress ports by name and the inventory
 * shows no release of the agent: that their names were judged under both readings Cilium releases
 * have (domain/cilium-release.ts EgressNamedPortReading, simulate/index.ts ciliumWithNetworkPolicies),
 * and how to make it exact. Undefined where one reading applies.
 */
export function ciliumEgressNamedPortReadingWarning(subject: string, cluster: Pick<SimCluster, 'ciliumPolicy' | 'ciliumAgentImage'>): string | undefined {
  if (cluster.ciliumPolicy?.enablePolicy === 'never' || egressNamedPortReadings(cluster.ciliumAgentImage).length === 1) return undefined;
  return `${subject}: egress port names judged under both readings Cilium releases have, as ${unreleasedAgentShown(cluster.ciliumAgentImage) ?? agentImageShown(cluster.ciliumAgentImage)} — over every pod on the pod network (up to 1.19: the one number all pods give the name, none where they disagree, open to every peer the rule selects) and on the destination pod (1.20 on: the number it declares) — and a side is allowed only where both allow it; port numbers read the same on every release`;
}

/** A v1alpha2 ClusterNetworkPolicy manifest, the one network-policy-api kind Cilium enforces. */
export function isCiliumClusterNetworkPolicy(manifest: unknown): boolean {
  const o = (typeof manifest === 'object' && manifest !== null ? manifest : {}) as { apiVersion?: unknown; kind?: unknown };
  return isCiliumEnforcedKind(String(o.apiVersion), String(o.kind));
}

/**
 * The engine a set of manifests is written for. NetworkPolicies are enforced by every engine, so
 * they count only when nothing else is there; two other engines at once are an error. The
 * network-policy-api's kinds count as the engine that enforces them on a cluster running `plugin`
 * (clusterNetworkPolicyEnforcer), as beside a recommendation (enforcingEngine).
 */
export function inferEngine(manifests: readonly unknown[], plugin: NetworkPlugin = 'unknown'): EngineName {
  const engines = new Set<EngineName>();
  const unknown = new Set<string>();
  for (const m of manifests) {
    const o = (typeof m === 'object' && m !== null ? m : {}) as { apiVersion?: unknown; kind?: unknown };
    const id = `${String(o.apiVersion)} ${String(o.kind)}`;
    const e = engineOfKind(String(o.apiVersion), String(o.kind));
    if (e) engines.add(e);
    else unknown.add(id);
  }
  if (unknown.size > 0) throw new Error(`not a network policy kind any engine enforces: ${[...unknown].sort().join(', ')}`);
  const specific = [...withClusterNetworkPoliciesEnforced(engines, plugin)].filter((e) => e !== 'kubernetes');
  if (specific.length > 1) throw new Error(`the manifests are for several engines (${specific.sort().join(', ')}): name one (${ENGINE_CHOICE})`);
  return specific[0] ?? (engines.size > 0 ? 'kubernetes' : fail());
}

/** How the engine is named: the CLI's flag, the API's body member. */
const ENGINE_CHOICE = '`--engine` on the command line, `engine` in the API request';

function fail(): never {
  throw new Error(`no policy manifest given: nothing to infer the engine from (${ENGINE_CHOICE}: ${ENGINE_NAMES.join('|')})`);
}
