/**
 * The `calico` simulator: how Calico (felix) decides a connection for projectcalico.org/v3
 * NetworkPolicy, GlobalNetworkPolicy and Kubernetes NetworkPolicy.
 *
 * Per endpoint and direction (docs.tigera.io/calico/latest/reference/resources/tier, "How policy
 * is evaluated"): the tiers that have a policy applying to the endpoint, in tier order; in each,
 * its applying policies in order, each policy's rules in order. The first Allow or Deny decides;
 * Log goes on; Pass skips to the next tier. A tier whose policies all miss denies (end-of-tier
 * deny), or passes when its `defaultAction` is Pass. When no policy of any tier applies, or
 * every tier passed, the endpoint's profiles decide: for a pod, `kns.<namespace>` allows
 * everything (felix renders profiles after the tiers; projectcalico/calico#669 "pass ... jump to
 * the Profile", #13208 "a Pass rule in the last tier ... falls through to the endpoint's
 * namespace/profile, which (by default) allows it"; tier `defaultAction` from #9232). Workload
 * endpoints (pods off the host network) and host endpoints have policy here: a node with a
 * HostEndpoint (its host-network pods, an apiserver at its address) is that endpoint
 * (calico/host-endpoints.ts), judged as decideHostSide says. A rule's selector matches the
 * addresses of the network sets it selects too (calico/network-sets.ts).
 */
import { EndpointViews, flowFamily, namespaceLabels, type EndpointView } from './calico/endpoints.ts';
import { NetworkSets } from './calico/network-sets.ts';
import { compilePolicies, flatten, type CompiledPolicy, type Ignored, type TierInfo } from './calico/policies.ts';
import type { CompiledRule, MatchContext } from './calico/rules.ts';
import { ServiceIndex } from './calico/services.ts';
import { ClusterTiers, type ClusterPolicy } from './calico/cluster-tiers.ts';
import { HostEndpoints, hostProfilesAllow, type HostEndpointInfo } from './calico/host-endpoints.ts';
import type { MatchRule } from './clusternetworkpolicy/rules.ts';
import { combine, type DecidedBy, type SideVerdict, type SimCluster, type SimFlow, type SimVerdict, type Simulator } from './types.ts';
import type { Direction } from '../../domain/direction.ts';
import { ipFamily } from '../../domain/ip.ts';


/** A Calico policy, or a network-policy-api policy as Calico converts it (calico/cluster-tiers.ts). */
type TierEntry = { calico: CompiledPolicy; order: number; sortKey: string } | { cluster: ClusterPolicy; order: number; sortKey: string };

interface TierPolicies {
  tier: TierInfo;
  /** In evaluation order: by order, then policy key (felix calc/policy_sorter.go PolKVLess). */
  entries: TierEntry[];
}

export interface CalicoSimulator extends Simulator {
  /** Manifests (and ClusterNetworkPolicy rules) Calico would not enforce as written, and why (invalid selector, unknown tier, host-endpoint-only, a peer Calico does not convert, a network set's net that is no CIDR). */
  readonly ignored: readonly Ignored[];
  /** Whether a policy among the simulated manifests applies to a host endpoint. False without host endpoints. */
  selectsHostEndpoints(): boolean;
  /**
   * Whether a host endpoint's side can be denied at all: a policy applies to one, or one has
   * profiles that do not allow everything (calico/host-endpoints.ts hostProfilesAllow). False
   * without host endpoints: then no node's own traffic is policed.
   */
  policesHostEndpoints(): boolean;
}

class Calico implements CalicoSimulator {
  readonly engine = 'calico' as const;
  readonly ignored: readonly Ignored[];
  private readonly views: EndpointViews;
  private readonly policies: CompiledPolicy[];
  private readonly tiers: Map<string, TierInfo>;
  private readonly byNamespace = new Map<string, CompiledPolicy[]>();
  private readonly global: CompiledPolicy[] = [];
  /** A Map, not a WeakMap: asked once per flow side, and a Map lookup is several times cheaper; views live as long as the simulator. */
  private readonly applicable = new Map<EndpointView, Record<Direction, TierPolicies[]>>();
  /** Each policy's position in evaluation order. */
  private readonly rank = new Map<CompiledPolicy, number>();

  /** The network-policy-api's policies, in the tiers Calico puts them in. */
  private readonly clusterTiers: ClusterTiers;

  private readonly hosts: HostEndpoints;
  private hostsSelected: boolean | undefined;

  constructor(manifests: readonly unknown[], cluster: SimCluster) {
    this.hosts = new HostEndpoints([...(cluster.calicoHostObjects ?? []), ...flatten(manifests)]);
    const namespaces = new Map(cluster.namespaces.map((ns) => [ns.name, ns.labels]));
    const sets = new NetworkSets([...(cluster.calicoNetworkSets ?? []), ...flatten(manifests)], (ns) => namespaceLabels(ns, namespaces.get(ns) ?? {}));
    this.views = new EndpointViews(cluster, this.hosts, sets);
    this.clusterTiers = new ClusterTiers(manifests, cluster);
    const compiled = compilePolicies(manifests, new ServiceIndex(cluster));
    this.policies = compiled.policies;
    this.tiers = compiled.tiers;
    this.ignored = [...compiled.ignored, ...this.clusterTiers.notes, ...this.hosts.notes, ...sets.notes];
    this.policies.forEach((p, i) => {
      this.rank.set(p, i);
      if (p.namespace === undefined) this.global.push(p);
      else {
        const list = this.byNamespace.get(p.namespace) ?? [];
        list.push(p);
        this.byNamespace.set(p.namespace, list);
      }
    });
  }

  selectsHostEndpoints(): boolean {
    return (this.hostsSelected ??= this.global.length > 0 && this.hosts.all.some((hep) => {
      const view = this.views.hostEndpoint(hep);
      return this.global.some((p) => p.applies(view));
    }));
  }

  policesHostEndpoints(): boolean {
    return this.hosts.all.some((hep) => !hostProfilesAllow(hep).allowed) || this.selectsHostEndpoints();
  }

  evaluate(flow: SimFlow): SimVerdict {
    const client = this.views.of(flow.client);
    const server = this.views.of(flow.server);
    const c: MatchContext = { flow, family: flow.family ?? flowFamily(client, server), client, server };
    return combine(this.decideSide(c, 'egress', client), this.decideSide(c, 'ingress', server));
  }

  /** One side of the flow (the same answer as `evaluate`'s). */
  side(flow: SimFlow, direction: Direction): SideVerdict {
    const client = this.views.of(flow.client);
    const server = this.views.of(flow.server);
    const c: MatchContext = { flow, family: flow.family ?? flowFamily(client, server), client, server };
    return this.decideSide(c, direction, direction === 'ingress' ? server : client);
  }

  /** The verdict of an Allow or Deny rule: the same for every flow it decides, so made once per rule. */
  private ruleVerdict(r: CompiledRule, p: CompiledPolicy, tier: TierInfo): SideVerdict {
    // Kept on the rule: a compiled rule belongs to one policy of one tier.
    return (r.verdict ??= { isolated: true, allowed: r.action === 'Allow', by: { policy: p.id, rule: r.pointer }, reason: `${r.action} rule ${r.pointer} of ${p.id} (tier ${tier.name}) matched` });
  }

  /** The tiers with a policy that applies to the endpoint in that direction, each with those policies in order. */
  private tiersFor(e: EndpointView, direction: Direction): TierPolicies[] {
    let cached = this.applicable.get(e);
    if (!cached) {
      const candidates = mergeSorted(this.byNamespace.get(e.namespace ?? '') ?? [], this.global, this.rank);
      const applying = candidates.filter((p) => p.applies(e));
      const of = (d: Direction): TierPolicies[] => this.withClusterTiers(group(applying.filter((p) => p[d]), this.tiers), e, d);
      cached = { ingress: of('ingress'), egress: of('egress') };
      this.applicable.set(e, cached);
    }
    return cached[direction];
  }

  /** The tiers with the network-policy-api policies selecting the pod put in, each tier's entries merged by order, in tier order. */
  private withClusterTiers(tiers: TierPolicies[], e: EndpointView, d: Direction): TierPolicies[] {
    if (this.clusterTiers.empty || e.pod === undefined || !e.workload) return tiers;
    const selecting = this.clusterTiers.selecting(e.pod, d);
    if (selecting.length === 0) return tiers;
    const byName = new Map(tiers.map((t) => [t.tier.name, t]));
    for (const cluster of selecting) {
      const name = cluster.tier.name;
      let t = byName.get(name);
      if (t === undefined) byName.set(name, (t = { tier: this.tiers.get(name) ?? cluster.tier, entries: [] }));
      t.entries.push({ cluster, order: cluster.order, sortKey: cluster.sortKey });
    }
    for (const t of byName.values()) t.entries.sort((a, b) => cmp(a.order, b.order) || cmp(a.sortKey, b.sortKey));
    return [...byName.values()].sort((a, b) => cmp(a.tier.order, b.tier.order) || cmp(a.tier.name, b.tier.name));
  }

  /** The verdict of a network-policy-api rule that decides (Accept or Deny), made once per rule. */
  private clusterVerdict(m: MatchRule, tier: TierInfo): SideVerdict {
    const allowed = m.rule.action === 'Accept';
    return (m.verdict ??= { isolated: true, allowed, by: { policy: m.policy.ref, rule: m.rule.pointer }, reason: `${allowed ? 'Accept' : 'Deny'} rule ${m.rule.pointer} of ${m.policy.ref} (tier ${tier.name}) matched` });
  }

  private decideSide(c: MatchContext, direction: Direction, local: EndpointView): SideVerdict {
    if (local.hostEndpoint !== undefined) return this.decideHostSide(c, direction, local, local.hostEndpoint);
    if (!local.workload) return { isolated: false, allowed: true, reason: `${local.describe} is no Calico workload endpoint${this.hosts.empty ? '' : ' nor host endpoint'}: no policy applies to it` };
    if (direction === 'ingress' && fromOwnHost(c.client, local)) return ownHostIngress(c.client, local);
    const tiers = this.tiersFor(local, direction);
    if (tiers.length === 0) return { isolated: false, allowed: true, reason: `no policy of any tier applies to ${local.describe} for ${direction}: ${profileAllows(local)}` };
    return this.throughTiers(c, direction, local, tiers) ?? { isolated: true, allowed: true, reason: `every tier passed ${direction} of ${local.describe}: ${profileAllows(local)}` };
  }

  /**
   * A side of a node's own traffic on a node with a host endpoint. With a peer on the same node
   * it is not the host endpoint's: felix sends a local pod's packets to the host through
   * cali-wl-to-host, never through the host endpoint's chains (rules/static.go filterInputChain),
   * and "We don't currently police host -> endpoint according to the endpoint's ingress policy"
   * (filterOutputChain). Otherwise the failsafe ports are open first (failsafe chains), then the
   * policies whose selector matches the host endpoint decide by tier as for workloads, and where
   * none does its profiles do (calico/host-endpoints.ts hostProfilesAllow).
   */
  private decideHostSide(c: MatchContext, direction: Direction, local: EndpointView, hep: HostEndpointInfo): SideVerdict {
    const peer = direction === 'ingress' ? c.client : c.server;
    if (peer.node !== undefined && peer.node === local.node) {
      return { isolated: false, allowed: true, reason: `${direction === 'ingress' ? 'from' : 'to'} ${peer.describe} on the same node: not through host endpoint ${hep.name}'s policy (felix rules/static.go filterInputChain, filterOutputChain)` };
    }
    const failsafe = this.hosts.failsafe(hep.node, direction, c.flow, peer.ips.find((ip) => ipFamily(ip) === c.family));
    if (failsafe !== undefined) return { isolated: true, allowed: true, reason: `${failsafe} is open on host endpoint ${hep.name} whatever the policy (Calico "Failsafe rules")` };
    const tiers = this.tiersFor(local, direction);
    const decided = tiers.length === 0 ? undefined : this.throughTiers(c, direction, local, tiers);
    if (decided !== undefined) return decided;
    const profiles = hostProfilesAllow(hep);
    const before = tiers.length === 0 ? `no policy of any tier applies to ${local.describe} for ${direction}` : `every tier passed ${direction} of ${local.describe}`;
    return { isolated: true, allowed: profiles.allowed, reason: `${before}: ${profiles.reason}` };
  }

  /** The tiers in order: the first Allow or Deny (or a tier's end) decides; undefined when every tier passed. */
  private throughTiers(c: MatchContext, direction: Direction, local: EndpointView, tiers: TierPolicies[]): SideVerdict | undefined {
    for (const { tier, entries } of tiers) {
      let passed = false;
      scan: for (const entry of entries) {
        if ('cluster' in entry) {
          const m = this.clusterTiers.firstMatch(entry.cluster, direction, c.flow);
          if (m === undefined) continue;
          if (m.rule.action !== 'Pass') return this.clusterVerdict(m, tier);
          passed = true;
          break;
        }
        const p = entry.calico;
        for (const r of p[direction]!.on(c.flow.protocol, c.flow.port)) {
          if (!r.match(c)) continue;
          switch (r.action) {
            case 'Log':
              continue;
            case 'Allow':
            case 'Deny':
              return this.ruleVerdict(r, p, tier);
            case 'Pass':
              passed = true;
              break scan;
          }
        }
      }
      if (!passed && tier.defaultAction === 'Deny') {
        const ids = entries.map((x) => ('cluster' in x ? x.cluster.match.policy.ref : x.calico.id));
        return { isolated: true, allowed: false, by: tierEnd(tier), reason: `end of tier ${tier.name}: ${ids.length} polic${ids.length === 1 ? 'y applies' : 'ies apply'} to ${local.describe} for ${direction} (${ids[0]!}${ids.length > 1 ? ', …' : ''}) and no rule matched` };
      }
    }
    return undefined;
  }
}

const profileAllows = (e: EndpointView): string => `profile kns.${e.namespace} allows`;

/**
 * What decides when a tier's policies apply and none of their rules does: the tier's own
 * `spec.defaultAction` (Calico "Tier": "If the Tier applies to the endpoint, but takes no action on
 * the packet the packet is dropped", Deny unless defaultAction says Pass). Named so that a cut
 * an applied tier causes names that tier, as a deny rule names its policy.
 */
const tierEnd = (tier: TierInfo): DecidedBy => ({ policy: `Tier/${tier.name}`, rule: '/spec/defaultAction' });

/** Two disjoint lists, each in evaluation order, merged in that order. */
function mergeSorted(a: CompiledPolicy[], b: CompiledPolicy[], rank: Map<CompiledPolicy, number>): CompiledPolicy[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: CompiledPolicy[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && rank.get(a[i]!)! < rank.get(b[j]!)!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

const cmp = <T extends string | number>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

function group(policies: CompiledPolicy[], tiers: Map<string, TierInfo>): TierPolicies[] {
  const out: TierPolicies[] = [];
  for (const p of policies) {
    const last = out[out.length - 1];
    const entry = { calico: p, order: p.order, sortKey: p.sortKey };
    if (last && last.tier.name === p.tier) last.entries.push(entry);
    else out.push({ tier: tiers.get(p.tier)!, entries: [entry] });
  }
  return out;
}

/** The calico simulator behind `sim` (judgingFoldedBlocks wraps it), or undefined for another engine's. */
export function asCalico(sim: Simulator): CalicoSimulator | undefined {
  return sim instanceof Calico ? sim : undefined;
}

/** The SimulatorFactory of the `calico` engine. */
export function calicoSimulator(policies: readonly unknown[], cluster: SimCluster): CalicoSimulator {
  return new Calico(policies, cluster);
}

/**
 * Whether the client is the workload's own host: an end in the host network namespace (its node,
 * a host-network pod there, an apiserver at its address) on the node the workload runs on.
 */
const fromOwnHost = (client: EndpointView, local: EndpointView): boolean => !client.workload && client.node !== undefined && client.node === local.node;

/**
 * Felix does not police host → local workload: a packet the host sends out of a workload interface
 * returns from the OUTPUT chain before any policy chain, and the endpoint's ingress chain (cali-tw-*)
 * is reached from the FORWARD chain only (felix rules/static.go filterOutputChain: "We don't currently
 * police host -> endpoint according to the endpoint's ingress policy"; an IPVS connection is the
 * exception, which a direct connection is not). So the kubelet's probes pass whatever the policies.
 */
const ownHostIngress = (client: EndpointView, local: EndpointView): SideVerdict => ({
  isolated: false,
  allowed: true,
  reason: `from ${client.describe} on ${local.describe}’s own node ${local.node ?? ''}: host → local workload is not policed by its ingress policy (felix rules/static.go filterOutputChain)`,
});
