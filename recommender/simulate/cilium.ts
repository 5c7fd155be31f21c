/**
 * The `cilium` simulator: cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy
 * evaluated the way the Cilium agent's policy repository does (cilium/cilium pkg/policy
 * repository.go computePolicyEnforcementAndRules, rule.go, l4.go; Documentation/security/policy
 * language.rst), one flow at a time:
 *
 * 1. only Cilium endpoints (pods not on the host network) are subjects of endpointSelector rules;
 *    nodes, host-network pods and an apiserver at a node's address are that node's host
 *    endpoint, subject to host policies (CCNP rules with a nodeSelector,
 *    Documentation/security/policy/host.rst) only where the host firewall is on (cilium-config
 *    `enable-host-firewall`); addresses outside the cluster are never isolated;
 * 2. a deny rule (ingressDeny / egressDeny) that matches the peer and port decides first: deny
 *    wins over every allow ("Deny policies take precedence over allow policies",
 *    policy/language.rst "Deny Policies");
 * 3. on ingress the local host always reaches its own pods (`allow-localhost: auto` is `always`
 *    under Kubernetes, daemon config "Kubernetes demands that the localhost can always reach
 *    local pods") — unless the cilium-config sets `allow-localhost: policy`, where the local host
 *    is the `host` entity to rules like any peer;
 * 4. any allow rule matching peer and port allows;
 * 5. otherwise the flow is denied when a rule selecting the pod has rules in that direction and
 *    enables default deny (the default), and allowed when only `enableDefaultDeny: false` rules
 *    select it; a pod no rule selects in that direction is not isolated — unless the cilium-config
 *    sets `enable-policy: always`, where every endpoint (a node's host endpoint too where the host
 *    firewall is on) denies what no rule allows, selected or not, whatever enableDefaultDeny says;
 *    under `never` nothing is enforced (Documentation/security/policy/intro.rst "Policy
 *    Enforcement Modes"). `policy-audit-mode` changes no verdict here: they are what the agent
 *    computes, and the warnings say it drops nothing (./cilium/enforcement-mode.ts).
 *
 * A policy the agent refuses to import (recommender/verify/admission/cilium.ts) is not enforced
 * at all — the agent rejects the whole resource (pkg/k8s/apis/cilium.io/v2 CiliumNetworkPolicy.Parse
 * returns an error for any rule that fails validation) — so it is left out, and listed in
 * `rejected`.
 *
 * Peers are identities (./cilium/identity.ts): endpoint selectors with namespace scoping,
 * entities, CIDRs (world only unless `policy-cidr-match-mode: nodes`), toFQDNs through the DNS
 * names stored for an address, toServices. L7 rules are taken as allowing the connection at L4.
 */
import { isApiserverService } from '../../domain/apiserver.ts';
import { cidrMatchesNodes, DEFAULT_CILIUM_CLUSTER, localHostUnderPolicy, type EnablePolicy } from '../../domain/inventory.ts';
import { hostRange, rangeCovers, rangeTouches, type LenientRange } from '../../domain/ip.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimNode, SimPod, SimProtocol, SideVerdict, SimVerdict, Simulator, SimulatorFactory } from './types.ts';
import { combine, trafficOf } from './types.ts';
import { CCNP_KIND, isCiliumPolicy, type CiliumPolicy } from '../engines/wire/cilium.ts';
import { IdentityResolver, type Identity } from './cilium/identity.ts';
import type { Selector } from './cilium/labels.ts';
import { declaresNamedPort, egressNamedPortIs, icmpTypeMatches, NamedPorts, portMatches } from './cilium/ports.ts';
import { egressNamedPortReadings, type EgressNamedPortReading } from '../../domain/cilium-release.ts';
import { CompileMemo, compilePolicy, policyId, serviceNamed, type CompiledRule, type Direction, type PeerRule } from './cilium/rules.ts';
import { selectorMatches } from '../matrix/selector.ts';
import { PortBuckets } from './port-buckets.ts';
import type { VerifyError } from '../verify/types.ts';
import { admissionErrorsCilium } from '../verify/admission/cilium.ts';

export interface CiliumSimulatorOptions {
  /** `cluster-name` (the `cluster` entity matches pods labelled with it). Default `default`. */
  clusterName?: string;
  /** `policy-cidr-match-mode: nodes`: CIDR peers also select node addresses. Default: what the inventory's cilium-config says, else off. */
  cidrMatchesNodes?: boolean;
  /** `allow-localhost`: `always` (Kubernetes default) or `policy`. Default: what the inventory's cilium-config says, else `always`. */
  allowLocalhost?: 'always' | 'policy';
  /** `enable-policy` (Helm `policyEnforcementMode`). Default: what the inventory's cilium-config says, else `default`. */
  enforcementMode?: EnablePolicy;
  /** `enable-non-default-deny-policies` (default on): off forces enableDefaultDeny on. */
  nonDefaultDenyPolicies?: boolean;
  /**
   * toFQDNs only learns a name's addresses from DNS answers the pod's DNS proxy saw, i.e. when an
   * egress rule of the pod has `rules.dns` allowing that name (language.rst "DNS based"). Default on.
   */
  fqdnNeedsDnsProxy?: boolean;
  /**
   * Where the apiserver's connections to pods (webhooks) come from: `apiserver` (default), or
   * `worker-node` on managed control planes that tunnel them through the nodes (AKS, GKE), where
   * `fromEntities: [kube-apiserver]` then does not match (language.rst, kube-apiserver note).
   */
  apiserverIngressFrom?: 'apiserver' | 'worker-node';
  /** Leave out policies the agent refuses (admission errors), as the agent does. Default on. */
  enforceAdmission?: boolean;
  /**
   * `enable-host-firewall` (Helm `hostFirewall.enabled`): host policies apply to the nodes they
   * select. Default: what the inventory's cilium-config says, else off (Cilium's default; the
   * verification and `simulate` warn where the inventory does not say).
   */
  hostFirewall?: boolean;
  /**
   * How an egress port name resolves (domain/cilium-release.ts EgressNamedPortReading). Default: the
   * agent release's reading, the older one where the inventory shows no release (simulate/index.ts
   * judges both there).
   */
  egressNamedPorts?: EgressNamedPortReading;
}

/** A policy the simulated agent refused, with why. */
export interface RejectedPolicy {
  policy: string;
  errors: VerifyError[];
}

interface DirectionSelection {
  /** The rules in order, narrowed to a flow's port as they are scanned. */
  allow: PortBuckets<PeerRule>;
  deny: PortBuckets<PeerRule>;
  enforced: boolean;
  /** The policies of the rules that enforce this direction (what a default deny's words name for a host endpoint). */
  enforcedBy: string[];
  defaultDeny: boolean;
  /** The policies whose rules deny by default in this direction, sorted (SideVerdict.isolatedBy). */
  defaultDenyBy: string[];
  requires: Selector[];
}

interface Selection {
  ingress: DirectionSelection;
  egress: DirectionSelection;
  /** DNS rule name matchers of every egress allow rule of the pod (what its lookups may meet where the cluster DNS is unknown). */
  anyDnsRule: ((name: string) => boolean)[];
}

const KINDS = 'CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy';

/** The rule that decided a side (a deny rule denies, an allow rule allows), with what its words need. */
interface RuleMatch {
  rule: PeerRule;
  id: Identity;
  /** The enforcing pod (its own named ports on ingress). */
  pod: SimPod;
}

const NOT_SELECTED: Record<Direction, SideVerdict> = {
  ingress: { isolated: false, allowed: true, reason: `no ${KINDS} selects the pod with ingress rules` },
  egress: { isolated: false, allowed: true, reason: `no ${KINDS} selects the pod with egress rules` },
};

const noDefaultDenyWords = (subject: string, d: Direction): string => `the rules selecting ${subject} set enableDefaultDeny.${d}: false, so what no deny rule matches is allowed`;

const NO_DEFAULT_DENY: Record<Direction, SideVerdict> = {
  ingress: { isolated: true, allowed: true, reason: noDefaultDenyWords('the pod', 'ingress') },
  egress: { isolated: true, allowed: true, reason: noDefaultDenyWords('the pod', 'egress') },
};

/**
 * Whether a side was allowed only because every rule selecting the pod in that direction sets
 * `enableDefaultDeny: false` (no rule allowed it): the agent adds that wildcard allow only when
 * "Only non-default-deny rules are present" (pkg/policy/repository.go
 * computePolicyEnforcementAndRules), which a NetworkPolicy selecting the pod too undoes
 * (simulate/index.ts). A host endpoint's (noDefaultDeny) is not: no NetworkPolicy selects one.
 */
export const allowedForWantOfDefaultDeny = (v: SideVerdict): boolean => v === NO_DEFAULT_DENY.ingress || v === NO_DEFAULT_DENY.egress;

/** Why the local host gets into a pod with no rule: the verification's tightness note tells such a verdict by it. */
export const LOCAL_HOST_REASON = 'the local host always reaches its own pods (allow-localhost under Kubernetes)';
const LOCAL_HOST: SideVerdict = { isolated: true, allowed: true, reason: LOCAL_HOST_REASON };

/** Traffic that stays within one node's host network namespace never passes the devices the host firewall is attached to. */
const WITHIN_HOST: SideVerdict = { isolated: false, allowed: true, reason: "traffic within the node's own host network namespace, which host policies do not police" };

const NEVER_ENFORCED: SideVerdict = { isolated: false, allowed: true, reason: 'the cilium-config sets enable-policy: "never": Cilium enforces no policy on any endpoint' };

const ALWAYS_DENIES = 'the cilium-config sets enable-policy: "always": every endpoint denies what no rule allows';

/**
 * What a side `enable-policy: always` denies lacks, before the peer: no rule selecting the subject
 * in that direction, or none of the `enableDefaultDeny: false` rules selecting it allowing the peer
 * (repository.go decides default deny under `always` before it reads enableDefaultDeny).
 */
function deniedAlwaysWords(pod: SimPod, sel: DirectionSelection, d: Direction): string {
  if (sel.enforced) return `no ${d} rule of the ${KINDS} selecting ${subjectWords(pod, sel)} allows`;
  return pod.hostNetwork ? `no CiliumClusterwideNetworkPolicy with a nodeSelector selects ${hostEndpointOf(pod)} with ${d} rules allowing` : `no ${KINDS} selects the pod with ${d} rules allowing`;
}

/** Whether a decided side is allowed (a deny rule's match denies, an allow rule's allows). */
const allowedBy = (x: SideVerdict | RuleMatch): boolean => ('rule' in x ? !x.rule.deny : x.allowed);

const hostEndpointOf = (host: SimPod): string => `the host endpoint of node ${host.node ?? '?'}`;

function sortKey(p: CiliumPolicy): string {
  return `${p.kind === CCNP_KIND ? '1' : '0'}\u0000${p.metadata.namespace ?? ''}\u0000${p.metadata.name}`;
}

const spansOf = (r: PeerRule): PeerRule['spans'] => r.spans;

/**
 * The rule's block selects the identity: for an allow rule every address of it (one, or a block:
 * `cidrBits`) is in the block and in none of its holes; for a deny rule some address is — a
 * block stands for some of its addresses, and a deny that cuts part of it cuts them.
 */
function blockSelects(block: PeerRule['cidrs'][number], id: Identity, deny: boolean): boolean {
  const a = id.cidrAddress;
  if (!a) return false;
  const r: LenientRange = id.cidrBits === undefined ? hostRange(a) : [a, id.cidrBits];
  if (deny) return rangeTouches(block.range, r) && !block.except.some((x) => rangeCovers(x, r));
  return rangeCovers(block.range, r) && !block.except.some((x) => rangeTouches(x, r));
}

/** Who the rules select, in a reason's words: the pod, or the host endpoint a host-network pod or node is, with the host policies that isolate it (`sel`: its selection in the side's direction). */
function subjectWords(pod: SimPod, sel: DirectionSelection): string {
  return pod.hostNetwork ? `${hostEndpointOf(pod)} (${sel.enforcedBy.join(', ')})` : 'the pod';
}

/** Only `enableDefaultDeny: false` rules select the subject in that direction: what no deny rule matches is allowed (a host endpoint named as `subjectWords` does). */
function noDefaultDeny(pod: SimPod, sel: DirectionSelection, d: Direction): SideVerdict {
  return pod.hostNetwork ? { isolated: true, allowed: true, reason: noDefaultDenyWords(subjectWords(pod, sel), d) } : NO_DEFAULT_DENY[d];
}

/** A host endpoint no host policy selects in that direction. */
function hostNotSelected(host: SimPod, d: Direction): SideVerdict {
  return { isolated: false, allowed: true, reason: `no CiliumClusterwideNetworkPolicy with a nodeSelector selects ${hostEndpointOf(host)} with ${d} rules` };
}

class CiliumSimulator implements Simulator {
  readonly engine = 'cilium' as const;
  /** Policies left out because the agent would refuse them (sorted by policy). */
  readonly rejected: RejectedPolicy[] = [];
  private readonly byNamespace = new Map<string, CompiledRule[]>();
  private readonly clusterWide: CompiledRule[] = [];
  /** Host policies' rules (nodeSelector), kept only where the host firewall is on. */
  private readonly hostRules: CompiledRule[] = [];
  /** Per node name: the host endpoint a node's own traffic is judged at (as a host-network pod of it). */
  private readonly hostEndpoints = new Map<string, SimPod>();
  private readonly hostSelections = new Map<string, Selection>();
  /** Per podless host-network pod (`decideOnEveryHost`): it on each other node. */
  private readonly podsOnHosts = new Map<SimPod, Map<string, SimPod>>();
  private readonly resolver: IdentityResolver;
  private readonly namedPorts: NamedPorts;
  /** A Map, not a WeakMap: asked once per flow side, and a Map lookup is several times cheaper; it lives as long as the simulator. */
  private readonly selections = new Map<SimPod, Selection>();
  private readonly selectionsByLabels = new Map<string, Selection>();
  /** Per pod: what `visibleNames` found. */
  private readonly dnsVisible = new Map<SimPod, ((name: string) => boolean)[]>();
  private readonly opts: Required<CiliumSimulatorOptions>;

  constructor(
    policies: readonly unknown[],
    private readonly cluster: SimCluster,
    options: CiliumSimulatorOptions = {},
  ) {
    this.opts = {
      // Cilium's `cluster-name` default (pkg/defaults ClusterName), unless the inventory said otherwise.
      clusterName: options.clusterName ?? cluster.ciliumClusterName ?? DEFAULT_CILIUM_CLUSTER,
      cidrMatchesNodes: options.cidrMatchesNodes ?? cidrMatchesNodes(cluster.ciliumPolicy),
      allowLocalhost: options.allowLocalhost ?? (localHostUnderPolicy(cluster.ciliumPolicy) ? 'policy' : 'always'),
      enforcementMode: options.enforcementMode ?? cluster.ciliumPolicy?.enablePolicy ?? 'default',
      nonDefaultDenyPolicies: options.nonDefaultDenyPolicies ?? true,
      fqdnNeedsDnsProxy: options.fqdnNeedsDnsProxy ?? true,
      enforceAdmission: options.enforceAdmission ?? true,
      apiserverIngressFrom: options.apiserverIngressFrom ?? 'apiserver',
      hostFirewall: options.hostFirewall ?? cluster.ciliumPolicy?.enableHostFirewall === true,
      egressNamedPorts: options.egressNamedPorts ?? egressNamedPortReadings(cluster.ciliumAgentImage)[0]!,
    };
    const memo = new CompileMemo();
    const cilium = policies.filter(isCiliumPolicy).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    for (const p of cilium) {
      if (this.opts.enforceAdmission) {
        const errors = admissionErrorsCilium(p, cluster.ciliumPolicy);
        if (errors.length > 0) {
          this.rejected.push({ policy: policyId(p), errors });
          continue;
        }
      }
      for (const rule of compilePolicy(p, { clusterName: this.opts.clusterName, nonDefaultDenyPolicies: this.opts.nonDefaultDenyPolicies, memo })) {
        if (rule.nodeSubject !== undefined && this.opts.hostFirewall) this.hostRules.push(rule);
        if (rule.subject === undefined) continue;
        if (rule.namespace === undefined) this.clusterWide.push(rule);
        else {
          const list = this.byNamespace.get(rule.namespace) ?? [];
          list.push(rule);
          this.byNamespace.set(rule.namespace, list);
        }
      }
    }
    this.resolver = new IdentityResolver(cluster, { clusterName: this.opts.clusterName, cidrMatchesNodes: this.opts.cidrMatchesNodes });
    this.namedPorts = new NamedPorts(cluster.pods);
  }

  /** Whether the agent enforces policy at all (not under `enable-policy: never`). */
  get enforcing(): boolean {
    return this.opts.enforcementMode !== 'never';
  }

  evaluate(flow: SimFlow): SimVerdict {
    return combine(this.side(flow, 'egress'), this.side(flow, 'ingress'));
  }

  /** One side of the flow (the same answer as `evaluate`'s). */
  side(flow: SimFlow, direction: Direction): SideVerdict {
    return this.verdictOf(this.decideFlow(flow, direction), direction, flow);
  }

  /** Whether the side is allowed (`side(flow, direction).allowed`, without the words). */
  allows(flow: SimFlow, direction: Direction): boolean {
    return allowedBy(this.decideFlow(flow, direction));
  }

  /**
   * The local host's allow on ingress, which the agent adds to the endpoint's policy map whatever
   * rules select it, NetworkPolicies included (pkg/policy mapstate.go
   * determineAllowLocalhostIngress): the verdict, or undefined where it does not apply.
   */
  localHostIngress(flow: SimFlow): SideVerdict | undefined {
    if (this.opts.allowLocalhost !== 'always' || this.opts.enforcementMode === 'never') return undefined;
    const { server, client } = flow;
    if (server.kind !== 'pod' || server.pod.hostNetwork) return undefined;
    if (client.kind === 'apiserver' && this.opts.apiserverIngressFrom === 'worker-node') return undefined;
    return this.resolver.resolve(client, server.pod.node, flow.family).kind === 'host' ? LOCAL_HOST : undefined;
  }

  private decideFlow(flow: SimFlow, d: Direction): SideVerdict | RuleMatch {
    return d === 'ingress' ? this.decide('ingress', flow.server, flow.client, flow) : this.decide('egress', flow.client, flow.server, flow);
  }

  private selection(pod: SimPod): Selection {
    if (pod.hostNetwork) return this.hostSelection(pod.node ?? '');
    let s = this.selections.get(pod);
    if (s) return s;
    const id = this.resolver.podIdentity(pod);
    const key = id.labels.list().join('\u0000');
    s = this.selectionsByLabels.get(key);
    if (!s) {
      const rules = [...(this.byNamespace.get(pod.namespace) ?? []), ...this.clusterWide].filter((r) => id.labels.selects(r.subject!));
      s = {
        ingress: this.directionSelection(rules, 'ingress'),
        egress: this.directionSelection(rules, 'egress'),
        anyDnsRule: rules.flatMap((r) => r.egress.flatMap((e) => (e.toPorts ?? []).flatMap((pr) => pr.dns))),
      };
      this.selectionsByLabels.set(key, s);
    }
    this.selections.set(pod, s);
    return s;
  }

  /** The host policies selecting a node's host endpoint (rule.go: a nodeSelector selects only host endpoints; an endpointSelector never does). */
  private hostSelection(node: string): Selection {
    let s = this.hostSelections.get(node);
    if (s) return s;
    const labels = this.resolver.hostEndpointLabels(node);
    const rules = this.hostRules.filter((r) => labels.selects(r.nodeSubject!));
    s = {
      ingress: this.directionSelection(rules, 'ingress'),
      egress: this.directionSelection(rules, 'egress'),
      anyDnsRule: rules.flatMap((r) => r.egress.flatMap((e) => (e.toPorts ?? []).flatMap((pr) => pr.dns))),
    };
    this.hostSelections.set(node, s);
    return s;
  }

  /**
   * The endpoint whose policy decides a side: a pod-network pod; a host-network pod or a node is
   * its node's host endpoint, where host policies apply (a node stands as a host-network pod of
   * its own); undefined where nothing of these policies applies to the subject.
   */
  private enforcingPod(subject: SimEndpoint): SimPod | undefined {
    if (subject.kind === 'pod' && !subject.pod.hostNetwork) return subject.pod;
    if (this.hostRules.length === 0 && !this.hostEndpointsAlwaysEnforced()) return undefined;
    if (subject.kind === 'pod') return subject.pod.node === undefined ? undefined : subject.pod;
    const node = this.nodeOfEnd(subject);
    return node === undefined ? undefined : this.hostEndpoint(node);
  }

  /**
   * Under `enable-policy: always` every endpoint enforces policy, the host endpoint too where the
   * host firewall is on (pkg/policy/repository.go computePolicyEnforcementAndRules: a `reserved:host`
   * identity is left unenforced only without the host firewall, then `AlwaysEnforce` enforces both
   * directions whatever rules select it).
   */
  private hostEndpointsAlwaysEnforced(): boolean {
    return this.opts.hostFirewall && this.opts.enforcementMode === 'always';
  }

  /**
   * The node an end that is no pod is: a node; an apiserver at a node's address, which is a
   * control plane running kube-apiserver in its host network — what reaches it passes that node's
   * host firewall (Documentation/security/host-firewall.rst warns not to block "communication with
   * kube-apiserver", and its example host policy allows 6443 for that reason); an apiserver
   * elsewhere, or an external address, is none.
   */
  private nodeOfEnd(end: SimEndpoint): SimNode | undefined {
    if (end.kind === 'node') return end.node;
    return end.kind === 'apiserver' ? this.resolver.nodeAt(end.ip) : undefined;
  }

  /** A node's host endpoint, as a host-network pod of its own (one object per node). */
  private hostEndpoint({ name, ips }: SimNode): SimPod {
    let host = this.hostEndpoints.get(name);
    if (!host) this.hostEndpoints.set(name, (host = { namespace: '', name, labels: {}, ips, node: name, hostNetwork: true, ports: [] }));
    return host;
  }

  private directionSelection(rules: readonly CompiledRule[], d: Direction): DirectionSelection {
    const ingress = d === 'ingress';
    return {
      allow: new PortBuckets(rules.flatMap((r) => (ingress ? r.ingress : r.egress)), spansOf),
      deny: new PortBuckets(rules.flatMap((r) => (ingress ? r.ingressDeny : r.egressDeny)), spansOf),
      enforced: rules.some((r) => (ingress ? r.enforcesIngress : r.enforcesEgress)),
      enforcedBy: [...new Set(rules.filter((r) => (ingress ? r.enforcesIngress : r.enforcesEgress)).map((r) => r.policy))],
      defaultDeny: rules.some((r) => (ingress ? r.defaultDenyIngress : r.defaultDenyEgress)),
      defaultDenyBy: [...new Set(rules.filter((r) => (ingress ? r.defaultDenyIngress : r.defaultDenyEgress)).map((r) => r.policy))].sort(),
      requires: rules.flatMap((r) => (ingress ? r.fromRequires : r.toRequires)),
    };
  }

  /**
   * How one side is decided: a verdict, or the deny/allow rule that matched (put into words by
   * `verdictOf` only when asked: the verification needs the words of few sides).
   */
  private decide(d: Direction, subject: SimEndpoint, peer: SimEndpoint, flow: SimFlow): SideVerdict | RuleMatch {
    if (this.opts.enforcementMode === 'never') return NEVER_ENFORCED;
    const pod = this.enforcingPod(subject);
    if (pod === undefined) {
      return { isolated: false, allowed: true, reason: `${subject.kind === 'pod' ? 'a host-network pod' : `the ${subject.kind}`} is not a Cilium endpoint: ${KINDS} endpointSelectors do not apply to it` };
    }
    return pod.hostNetwork && pod.anyNode === true ? this.decideOnEveryHost(d, pod, peer, flow) : this.decideAt(d, pod, peer, flow);
  }

  /**
   * A host-network workload the inventory shows no pod of (SimPod `anyNode`) runs on every node
   * once it runs, each pod in its node's host namespace under that node's host policies (host.rst:
   * "only to the host namespace, including host-networking pods"): judged at the node it was
   * placed at, then at one node of each other host-policy selection, the first denial deciding. A
   * node where the peer is local stands for no selection: that traffic stays in its host namespace.
   */
  private decideOnEveryHost(d: Direction, pod: SimPod, peer: SimEndpoint, flow: SimFlow): SideVerdict | RuleMatch {
    const placed = this.decideAt(d, pod, peer, flow);
    if (!allowedBy(placed)) return placed;
    const judged = new Set<Selection>(placed === WITHIN_HOST ? [] : [this.hostSelection(pod.node ?? '')]);
    for (const node of this.cluster.nodes) {
      const sel = this.hostSelection(node.name);
      if (node.ips.length === 0 || judged.has(sel)) continue;
      const there = this.decideAt(d, this.onHost(pod, node), peer, flow);
      if (!allowedBy(there)) return there;
      if (there !== WITHIN_HOST) judged.add(sel);
    }
    return placed;
  }

  /** The host-network pod on another node, at its addresses (one object per pod and node). */
  private onHost(pod: SimPod, node: SimNode): SimPod {
    let byNode = this.podsOnHosts.get(pod);
    if (byNode === undefined) this.podsOnHosts.set(pod, (byNode = new Map()));
    let there = byNode.get(node.name);
    if (there === undefined) byNode.set(node.name, (there = { ...pod, node: node.name, ips: [...node.ips].sort() }));
    return there;
  }

  /** A side decided at the endpoint `pod` enforcing its policy. */
  private decideAt(d: Direction, pod: SimPod, peer: SimEndpoint, flow: SimFlow): SideVerdict | RuleMatch {
    const sel = this.selection(pod)[d];
    const always = this.opts.enforcementMode === 'always';
    if (!sel.enforced && !always) return pod.hostNetwork ? hostNotSelected(pod, d) : NOT_SELECTED[d];
    const tunnelled = d === 'ingress' && peer.kind === 'apiserver' && this.opts.apiserverIngressFrom === 'worker-node';
    const id = tunnelled ? this.resolver.tunnelledApiserver(peer.ip) : this.resolver.resolve(peer, pod.node, flow.family);
    if (pod.hostNetwork && id.kind === 'host') return WITHIN_HOST;
    const deny = sel.deny.on(flow.protocol, flow.port);
    for (let i = 0; i < deny.length; i++) {
      const r = deny[i]!;
      if (this.peerMatches(r, id, sel.requires, pod) && this.portsMatch(r, flow, d, pod)) return { rule: r, id, pod };
    }
    if (d === 'ingress' && this.opts.allowLocalhost === 'always' && id.kind === 'host') return LOCAL_HOST;
    const allow = sel.allow.on(flow.protocol, flow.port);
    for (let i = 0; i < allow.length; i++) {
      const r = allow[i]!;
      if (this.peerMatches(r, id, sel.requires, pod) && this.portsMatch(r, flow, d, pod)) return { rule: r, id, pod };
    }
    if (!sel.defaultDeny && !always) return noDefaultDeny(pod, sel, d);
    const icmp = flow.icmp === undefined ? '' : ': a rule with toPorts only never allows ICMP, an L3-only rule or icmps do';
    if (sel.enforced && sel.defaultDeny) return { isolated: true, allowed: false, isolatedBy: sel.defaultDenyBy, reason: `no ${d} rule of the ${KINDS} selecting ${subjectWords(pod, sel)} allows ${id.describe} on ${trafficOf(flow)} (default deny)${icmp}` };
    return { isolated: true, allowed: false, enablePolicyAlways: true, reason: `${deniedAlwaysWords(pod, sel, d)} ${id.describe} on ${trafficOf(flow)}, and ${ALWAYS_DENIES}${sel.enforced ? ', whatever enableDefaultDeny says' : ''} (default deny)${icmp}` };
  }

  /** Whether a port name means `port` on this side: one the pod declares on ingress, on egress as the agent's release resolves it toward `server` (./cilium/ports.ts). */
  private namedPortIs(d: Direction, pod: SimPod, server: SimEndpoint, name: string, port: number, protocol: SimProtocol): boolean {
    return d === 'ingress' ? declaresNamedPort(pod, name, port, protocol) : egressNamedPortIs(this.opts.egressNamedPorts, this.namedPorts, server, name, port, protocol);
  }

  private verdictOf(x: SideVerdict | RuleMatch, d: Direction, flow: SimFlow): SideVerdict {
    if (!('rule' in x)) return x;
    const { rule: r, id, pod } = x;
    const entity = this.entityMatched(r, id, this.selection(pod)[d].requires, d);
    if (r.deny) {
      return { isolated: true, allowed: false, by: { policy: r.policy, rule: r.pointer }, reason: `a${d === 'ingress' ? 'n ingressDeny' : 'n egressDeny'} rule matches ${id.describe}${entity} on ${trafficOf(flow)}; deny rules win over allows` };
    }
    let proxy = '';
    if (flow.icmp === undefined) {
      const named = (name: string, port: number) => this.namedPortIs(d, pod, flow.server, name, port, flow.protocol);
      const l7 = r.toPorts?.find((pr) => pr.l7 !== undefined && pr.ports.some((m) => portMatches(m, flow.port, flow.protocol, named)))?.l7;
      if (l7 !== undefined) proxy = ` (the connection is allowed; its ${l7} requests then pass Cilium's L7 proxy rules)`;
    }
    return { isolated: true, allowed: true, by: { policy: r.policy, rule: r.pointer }, reason: `an ${d} rule allows ${id.describe}${entity} on ${trafficOf(flow)}${proxy}` };
  }

  /**
   * ` by toEntities kube-apiserver` when an entity of the rule is what selected the peer (peers
   * are matched endpoints first, as `peerMatches` does): the identity alone (`node cp-1 …
   * (remote-node)`) does not say which of its labels the rule named.
   */
  private entityMatched(r: PeerRule, id: Identity, requires: readonly Selector[], d: Direction): string {
    if (r.entitiesNamed.length === 0 || r.endpoints.some((e) => id.labels.selects(e) && requires.every((q) => id.labels.selects(q)))) return '';
    const named = r.entitiesNamed.find((e) => e.selectors.some((s) => id.labels.selects(s)));
    return named === undefined ? '' : ` by ${d === 'ingress' ? 'fromEntities' : 'toEntities'} ${named.name}`;
  }

  private peerMatches(r: PeerRule, id: Identity, requires: readonly Selector[], subject: SimPod): boolean {
    if (r.selectsNoPeer) return false;
    // No L3 peer given (an empty list given selects none, above): with toPorts or icmps the rule allows every peer on those ports or ICMP types
    // (rule.go mergeIngress: "an empty slice of EndpointSelector indicates that the rule allows all
    // at L3", for icmps alike); with neither (`{}`) it selects nothing: no L3-only rule is made.
    if (!r.hasL3) return r.toPorts !== undefined || r.icmps !== undefined;
    const labels = id.labels;
    for (let i = 0; i < r.endpoints.length; i++) {
      if (!labels.selects(r.endpoints[i]!)) continue;
      let ok = true;
      for (let j = 0; j < requires.length && ok; j++) ok = labels.selects(requires[j]!);
      if (ok) return true;
    }
    for (let i = 0; i < r.entities.length; i++) if (labels.selects(r.entities[i]!)) return true;
    if (id.cidrAddress) for (let i = 0; i < r.cidrs.length; i++) if (blockSelects(r.cidrs[i]!, id, r.deny)) return true;
    if (r.fqdns.length > 0 && id.kind === 'world' && id.names.length > 0 && this.fqdnMatches(r, id, subject)) return true;
    for (let i = 0; i < r.services.length; i++) if (this.serviceSelects(r.services[i]!, r.namespace, id)) return true;
    return false;
  }

  private fqdnMatches(r: PeerRule, id: Identity, subject: SimPod): boolean {
    const visible = this.visibleNames(subject);
    for (const name of id.names) {
      if (!r.fqdns.some((f) => f(name))) continue;
      if (!this.opts.fqdnNeedsDnsProxy || visible.some((v) => v(name))) return true;
    }
    return false;
  }

  /**
   * The `rules.dns` name matchers the pod's lookups meet at the DNS proxy: those of the egress
   * allow rules that take a lookup to the cluster DNS (a DNS pod, on a DNS port), unless a deny
   * rule cuts it. A DNS rule naming other peers never sees the lookups, nor does an L4-only rule
   * let them through the proxy (language.rst "Obtaining DNS Data for use by toFQDNs"). Where the
   * inventory shows no cluster DNS: those of every egress rule of the pod.
   */
  private visibleNames(pod: SimPod): ((name: string) => boolean)[] {
    let visible = this.dnsVisible.get(pod);
    if (visible !== undefined) return visible;
    const dns = this.cluster.clusterDns;
    if (dns === undefined || dns.pods.length === 0) visible = this.selection(pod).anyDnsRule;
    else {
      visible = [];
      const sel = this.selection(pod).egress;
      const client: SimEndpoint = { kind: 'pod', pod };
      for (const resolver of dns.pods) {
        const server: SimEndpoint = { kind: 'pod', pod: resolver };
        for (const { port, protocol } of dns.ports) {
          const lookup = this.decide('egress', client, server, { client, server, port, protocol });
          if (!('rule' in lookup) || lookup.rule.deny) continue;
          const named = (name: string, p: number) => this.namedPortIs('egress', pod, server, name, p, protocol);
          for (const r of sel.allow.on(protocol, port)) {
            if (!this.peerMatches(r, lookup.id, sel.requires, pod)) continue;
            for (const pr of r.toPorts ?? []) if (pr.dns.length > 0 && pr.ports.some((m) => portMatches(m, port, protocol, named))) visible.push(...pr.dns);
          }
        }
      }
    }
    this.dnsVisible.set(pod, visible);
    return visible;
  }

  private serviceSelects(s: PeerRule['services'][number], namespace: string | undefined, id: Identity): boolean {
    for (const svc of this.cluster.services) {
      if (!serviceNamed(s, svc, namespace)) continue;
      if (svc.selector !== undefined) {
        if (id.pod && id.pod.namespace === svc.namespace && selectorMatches({ matchLabels: svc.selector }, id.pod.labels)) return true;
      } else if (isApiserverService(svc.namespace, svc.name) && id.labels.has('reserved', 'kube-apiserver')) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the rule's toPorts or icmps match the flow's (protocol, port) or ICMP type. A rule with
   * neither is L3-only: every protocol, ICMP included (rule.go mergeIngress: `Port "0", Protocol
   * ANY`); icmps allow ICMP only, toPorts their ports (ANY being TCP, UDP and SCTP). Loops, and a
   * named port resolved only when met: a closure made per edge side (each also named by the tsx
   * loader) cost more than the match.
   */
  private portsMatch(r: PeerRule, flow: SimFlow, d: Direction, pod: SimPod): boolean {
    if (flow.icmp !== undefined) {
      if (r.toPorts === undefined && r.icmps === undefined) return true;
      for (const m of r.icmps ?? []) if (icmpTypeMatches(m, flow)) return true;
      for (const pr of r.toPorts ?? []) for (const m of pr.ports) if (icmpTypeMatches(m, flow)) return true;
      return false;
    }
    const { port, protocol } = flow;
    if (r.toPorts === undefined) return r.icmps === undefined;
    for (let i = 0; i < r.toPorts.length; i++) {
      const ports = r.toPorts[i]!.ports;
      for (let j = 0; j < ports.length; j++) {
        const m = ports[j]!;
        if (!m.protocols.has(protocol)) continue;
        if (m.kind === 'range' ? port >= m.from && port <= m.to : this.namedPortIs(d, pod, flow.server, m.name, port, protocol)) return true;
      }
    }
    return false;
  }
}

/** The `cilium` SimulatorFactory, with the agent options that change verdicts as an optional third argument. */
export function ciliumSimulator(
  policies: readonly unknown[],
  cluster: SimCluster,
  options?: CiliumSimulatorOptions,
): Simulator & Required<Pick<Simulator, 'side' | 'allows'>> & Pick<CiliumSimulator, 'localHostIngress' | 'enforcing'> & { readonly rejected: readonly RejectedPolicy[] } {
  return new CiliumSimulator(policies, cluster, options);
}

/** The same, as the engine-neutral SimulatorFactory (agent defaults). */
export const simulateCilium: SimulatorFactory = (policies, cluster) => ciliumSimulator(policies, cluster);
