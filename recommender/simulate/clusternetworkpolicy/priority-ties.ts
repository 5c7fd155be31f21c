/**
 * Cluster-scoped policies of one tier and priority that can match one connection: "If two (or
 * more) policies in the same tier with the same priority could match a connection, then the
 * implementation can apply any of the matching policies" (network-policy-api
 * apis/v1alpha2/clusternetworkpolicy_types.go, `Priority`). A connection is matched by the
 * policies selecting its pod as their subject, in its direction only ("CNPs with no ingress
 * rules do not affect ingress traffic"), so policies tie where they select a common pod of the
 * cluster with rules in one direction; subjects are matched as the simulator matches them
 * (subjects.ts). Without a pod on the pod network to match, every policy of a rank is taken as
 * tying with the others: nothing shows that their subjects are apart.
 *
 * Which of them an implementation applies changes a verdict only where they decide differently:
 * policies whose rules of the tied direction are the same list (in order: action, peers, ports;
 * peers, ports and selectors in a canonical order, rule names aside) match a connection at the
 * same rule with the same action, so they tie only with a policy whose rules differ. The
 * isolations `--shared` emits (one Deny of everyone per direction) are such policies. So are
 * policies whose rules all take one action (the Accept-only layers `--shared` emits): any order of
 * them gives a connection the action of the first rule that matches it, or none.
 */
import { canonicalCidr, isCidr } from '../../../domain/ip.ts';
import type { LabelSelector } from '../../../domain/inventory.ts';
import { canonicalSelector } from '../../matrix/selector.ts';
import { ClusterView, policyRef } from '../kubernetes/cluster-view.ts';
import type { SimCluster, SimPod } from '../types.ts';
import { compileTierPolicies, type CompiledPeer, type CompiledPort, type CompiledRule, type Direction, type TierPolicy } from './compile.ts';
import { SubjectIndex } from './subjects.ts';

export interface PriorityTie {
  tier: TierPolicy['tier'];
  priority: number;
  /** The policies' refs (`Kind/name`), in input order. */
  policies: string[];
}

/** The ties among `manifests` on `cluster`, in the input order of their first policy. */
export function priorityTies(manifests: readonly unknown[], cluster: SimCluster): PriorityTie[] {
  const compiled = compileTierPolicies(manifests);
  // compileTierPolicies orders by priority and name; messages keep the order the policies were given in.
  const position = new Map<string, number>();
  manifests.forEach((m, i) => {
    const o = m as { kind?: unknown; metadata?: { name?: unknown } };
    const ref = policyRef(String(o.kind), typeof o.metadata?.name === 'string' ? o.metadata.name : '');
    if (!position.has(ref)) position.set(ref, i);
  });
  const byRank = new Map<string, TierPolicy[]>();
  for (const p of compiled) {
    const rank = `${p.tier} ${p.priority}`;
    byRank.set(rank, [...(byRank.get(rank) ?? []), p]);
  }
  const ranks = [...byRank.values()].filter((ps) => ps.length > 1);
  if (ranks.length === 0) return [];
  const pods = cluster.pods.filter((p) => !p.hostNetwork);
  const view = new ClusterView(cluster);
  const rules = new RuleTexts();
  const groups = ranks.flatMap((ps) => (pods.length === 0 ? (DIRECTIONS.some((d) => rules.decideApart(ps, d)) ? [ps] : []) : overlapping(ps, pods, view, rules)));
  const byInput = (a: TierPolicy, b: TierPolicy): number => position.get(a.ref)! - position.get(b.ref)!;
  return groups
    .map((g) => [...g].sort(byInput))
    .sort((a, b) => byInput(a[0]!, b[0]!))
    .map((g) => ({ tier: g[0]!.tier, priority: g[0]!.priority, policies: g.map((p) => p.ref) }));
}

/** The policies of one rank joined where they select a common pod in one direction and decide apart there: the groups of two or more. */
function overlapping(policies: readonly TierPolicy[], pods: readonly SimPod[], view: ClusterView, rules: RuleTexts): TierPolicy[][] {
  const parent = policies.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const index = new SubjectIndex(
    policies.map((policy, i) => ({ policy, i })),
    view,
  );
  for (const pod of pods) {
    const s = index.of(pod);
    for (const direction of DIRECTIONS) {
      for (const list of [s.admin[direction], s.baseline[direction]]) {
        if (!rules.decideApart(list.map((x) => x.policy), direction)) continue;
        for (const other of list.slice(1)) parent[root(other.i)] = root(list[0]!.i);
      }
    }
  }
  const groups = new Map<number, TierPolicy[]>();
  policies.forEach((p, i) => groups.set(root(i), [...(groups.get(root(i)) ?? []), p]));
  return [...groups.values()].filter((g) => g.length > 1);
}

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

/**
 * Each policy's rules of a direction as one text: equal texts decide every connection alike.
 * What the text cannot vouch for (a peer or port the simulator does not know, an invalid CIDR)
 * gets a text of its own, equal to no other.
 */
class RuleTexts {
  private readonly texts = new Map<TierPolicy, Record<Direction, string>>();
  private unknowns = 0;

  /**
   * Two or more of `policies` have rules in `direction`, not the same rules, and not all of one
   * action: where every rule says Accept (or every one Deny, or Pass), the first that matches gives
   * that action whichever policy is applied first, and none matching goes on alike.
   */
  decideApart(policies: readonly TierPolicy[], direction: Direction): boolean {
    const deciding = policies.filter((p) => p.rules[direction].length > 0);
    const texts = new Set(deciding.map((p) => this.of(p)[direction]));
    const actions = new Set(deciding.flatMap((p) => p.rules[direction].map((r) => r.action)));
    return texts.size > 1 && actions.size > 1;
  }

  private of(p: TierPolicy): Record<Direction, string> {
    let t = this.texts.get(p);
    if (t === undefined) this.texts.set(p, (t = { ingress: this.listText(p.rules.ingress), egress: this.listText(p.rules.egress) }));
    return t;
  }

  /** The rules in order (the first matching one decides); a rule's name does not decide. */
  private listText(rules: readonly CompiledRule[]): string {
    return JSON.stringify(rules.map((r) => [r.action, this.sorted(r.peers.map((x) => this.peerText(x))), r.ports === undefined ? 'every port' : this.sorted(r.ports.map((x) => this.portText(x)))]));
  }

  /** Peers (ports) of a rule are a union: their order and repeats do not decide. */
  private sorted(texts: string[]): string[] {
    return [...new Set(texts)].sort();
  }

  private peerText(p: CompiledPeer): string {
    switch (p.kind) {
      case 'namespaces':
      case 'nodes':
        return JSON.stringify([p.kind, selectorText(p.selector)]);
      case 'pods':
        return JSON.stringify([p.kind, selectorText(p.namespaceSelector), selectorText(p.podSelector)]);
      case 'networks':
        return p.cidrs.every((c) => isCidr(c.text)) ? JSON.stringify([p.kind, this.sorted(p.cidrs.map((c) => canonicalCidr(c.text)))]) : this.unknown();
      case 'domainNames':
        return JSON.stringify([p.kind, this.sorted(p.names)]);
      case 'unknown':
        return this.unknown();
    }
  }

  private portText(p: CompiledPort): string {
    return p.kind === 'unknown' ? this.unknown() : JSON.stringify(p.kind === 'range' ? [p.protocol, p.start, p.end] : [p.protocol ?? '', p.name]);
  }

  private unknown(): string {
    return `unknown ${this.unknowns++}`;
  }
}

const selectorText = (s: LabelSelector): string => JSON.stringify(canonicalSelector(s));
