/**
 * What a workload's documented rules say beyond their statuses: which must rules wait for a
 * role nothing binds (no rule renders them), which rules are documented only
 * when a parameter is set, and which documented health checks are kubelet probes.
 */
import type { Direction } from '../../domain/direction.ts';
import { peerKey } from '../../domain/peer.ts';
import type { RuleAssessment, SideComparison, WorkloadComponent } from './compare.ts';
import { conditionConfig } from '../matrix/condition-kind.ts';
import type { MeshView } from '../../domain/istio.ts';

/**
 * A documented ingress rule from the nodes whose every observed edge is a kubelet probe: from the
 * pod's own node, or an ambient pod's probe SNATed by istio-cni (domain/istio.ts). The probes
 * confirm it, and it renders no node rule, because "kubelet probes are never rules" wins over
 * "health checks from the nodes" (docs/recommend.md, "Health checks and kubelet probes"). Traffic
 * from the node a pod runs on is always allowed (kubernetes.io/docs/concepts/services-networking/network-policies,
 * "the traffic to and from the node where a Pod is running is always allowed"); an ambient pod's
 * probes come from 169.254.7.127 instead, which its own /32 rule allows (synthesize/workload.ts).
 */
export function probesOnly(r: RuleAssessment, mesh: MeshView): boolean {
  return (
    r.rule.direction === 'ingress' &&
    r.edges.length > 0 &&
    r.rule.peers.length > 0 &&
    r.rule.peers.every((p) => p.kind === 'nodes') &&
    r.edges.every((e) => e.client.kind === 'kubelet' || mesh.isAmbientProbe(e.client, e.server))
  );
}

/**
 * A `must` rule from the nodes that kubelet probes alone confirm (probesOnly): the probes come
 * from the pod's own node, which is always let in, and say nothing of the other nodes, which the
 * rule requires all the same. It renders its nodes, and its flow from them is verified
 * (synthesize/workload.ts unobservedMustFlows), as when nothing is observed: a node rule opens the
 * port to every other node, which is what a `must` rule from the nodes says.
 */
export function probesRequireNodes(r: RuleAssessment, mesh: MeshView): boolean {
  return r.rule.level === 'must' && r.rule.active && probesOnly(r, mesh);
}

/** A `must` rule inactive (at least) because its role is unbound and nothing observed binds it. */
export function waitsForUnboundRole(r: RuleAssessment): boolean {
  const { rule } = r;
  return r.status === 'inactive' && rule.level === 'must' && rule.role !== undefined && rule.condition?.holds !== false && rule.unresolved.includes(`role ${rule.role} is unbound`);
}

/**
 * A `must` rule out of force only because a peer of it does not resolve against the inventory (a
 * DNS name of a Service it does not hold, or of one without a selector: matrix/service-names.ts):
 * its component is in force, its condition holds, and it waits for no role (waitsForUnboundRole says
 * that one) nor a parameter's value (said as documented when set).
 */
export function unresolvedMust(r: RuleAssessment): boolean {
  const { rule } = r;
  if (r.status !== 'inactive' || rule.level !== 'must' || rule.condition?.holds === false || rule.unresolved.length === 0 || waitsForUnboundRole(r)) return false;
  return !rule.unresolved.some((u) => u.startsWith('condition parameter') || (rule.role !== undefined && u === `role ${rule.role} is unbound`));
}

/**
 * A `must` rule in force but for its role: its traffic is required, its peer unknown, its ports
 * known. Nothing else unresolved (a port parameter without a value would leave it no ports, which
 * every engine reads as every port).
 */
export function onlyRoleUnbound(r: RuleAssessment): boolean {
  return waitsForUnboundRole(r) && r.rule.unresolved.length === 1;
}

/** The note on the rule that allows a `must` rule waiting for an unbound role: any peer, on the rule's ports. */
export function unboundRoleNote(r: RuleAssessment): string {
  return `role ${r.rule.role} is unbound: ${anyPeerOn(r, 'these ports')} until it is bound (matrices.bindings.roles.${r.rule.role})`;
}

/** Whom and where the any-peer rule of an unbound role allows: its ports (`ports` names them), or, when the rule names none, everything. */
function anyPeerOn(r: RuleAssessment, ports: string): string {
  const { direction } = r.rule;
  const who = direction === 'ingress' ? 'from any source' : 'to any destination';
  return r.rule.ports.length > 0 ? `${who} on ${ports}` : `${who} on every port (the rule names none: ${direction} is open to everything)`;
}

/**
 * What a workload's warning says of must flows the recommendation renders no rule for (mode
 * observed, a rule or part of it no edge shows; a role nothing binds): their fate is the engine's,
 * and the workload's warnings are the same for every engine. The rules rendered for the observed
 * edges may hold them on one engine and not on another — a node seen: Cilium's `remote-node` and
 * `host` entities hold every node (docs.cilium.io "Layer 3 Policies", entities), a NetworkPolicy
 * ipBlock, Calico `nets` or ClusterNetworkPolicy `networks` that node's addresses only. The verification
 * judges each such flow under the engine (VerifiedSides.documented) and fails where the output
 * cuts it, naming the rule, the flow and the way out: "blocks" is its word, not this warning's.
 */
export function noRuleOfTheirOwn(flows: { one: string } | 'those flows'): string {
  return flows === 'those flows'
    ? 'those flows get no rule of their own, and the verification fails on each the output cuts'
    : `${flows.one} gets no rule of its own, and the verification fails where the output cuts it`;
}

/** The mode observed warning's end: what it does to the must flows no edge shows (noRuleOfTheirOwn), and the way out. */
export function leftOutByModeObserved(flows: { one: string } | 'those flows'): string {
  return `mode observed renders observed edges only: ${noRuleOfTheirOwn(flows)} (mode union keeps ${flows === 'those flows' ? 'them' : 'it'})`;
}

/**
 * Warnings for a workload's rules: a `must` rule waiting for an unbound role in a direction the
 * recommendation restricts (allowed from any peer on its ports until the role is bound, or, where
 * `allowsUnbound` says the recommendation renders no documented rule there, cut), and a rule
 * documented when set that the workload's observed edges fit (set the parameter, bind the role:
 * where in the config).
 */
export function documentedWarnings(
  rules: readonly RuleAssessment[],
  restricted: Record<Direction, boolean>,
  allowsUnbound: Record<Direction, boolean>,
  /** Mode observed: whether the output renders nothing that keeps what a must rule nothing observed (lately) requires; undefined in the other modes. */
  leftOutInModeObserved?: (r: RuleAssessment) => boolean,
): string[] {
  const out: string[] = [];
  for (const r of rules) {
    const { rule } = r;
    // Mode observed renders observed edges only: a must rule nothing observed yet gets no rule, and said so (the verification says where it is cut).
    if (leftOutInModeObserved && rule.active && rule.level === 'must' && (r.status === 'documented-unobserved' || r.status === 'stale') && !waitsForUnboundRole(r) && restricted[rule.direction] && leftOutInModeObserved(r)) {
      const seen = r.status === 'stale' ? 'not observed lately (its edges are stale)' : 'not observed';
      out.push(`${rule.id} (must: ${rule.purpose}) is ${seen}, and ${leftOutByModeObserved({ one: `that ${rule.direction} flow` })}`);
    }
    if (waitsForUnboundRole(r) && restricted[rule.direction]) {
      const what = allowsUnbound[rule.direction] && onlyRoleUnbound(r)
        ? `this recommendation allows that ${rule.direction} flow ${anyPeerOn(r, "the rule's ports")} until then`
        : noRuleOfTheirOwn({ one: `that ${rule.direction} flow` });
      out.push(`${rule.id} (must: ${rule.purpose}) waits for role ${rule.role}, which is unbound and which nothing observed binds: ${what}; bind ${rule.role} in matrices.bindings.roles.${rule.role}`);
    }
    // Never silent: the rule says its traffic is required, and the recommendation renders nothing of it.
    if (unresolvedMust(r) && restricted[rule.direction]) {
      out.push(`${rule.id} (must: ${rule.purpose}) is not in force: ${rule.unresolved.join('; ')}. That ${rule.direction} flow gets no rule of its own, and the verification cannot judge it (its peer is not known): it is cut unless an observed edge's rule allows it`);
    }
    if (r.status === 'documented-when-set') out.push(whenSetWarning(r));
  }
  return out;
}

/**
 * `documented-when-set`: the recommendation allows the rule's observed edges (docs/matrices.md,
 * "Documented when set"); the warning says what to set, and where, so that the rule itself is in
 * force, and which of the edges could also be another reading.
 */
function whenSetWarning(r: RuleAssessment): string {
  const { rule } = r;
  const w = rule.whenConfigured!;
  const ambiguous = r.edges.filter((e) => w.ambiguous?.includes(`${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}`)).length;
  const also = ambiguous > 0 ? `, ${ambiguous} of them also fit other readings (pin the right one)` : '';
  return `${rule.id} is documented when set (${rule.level}: ${rule.purpose}): ${r.edges.length} observed edge(s) fit it${also} and are allowed; set ${w.set} in the cluster config (${w.config.join('; ')}) to document them`;
}

/**
 * A rule of another view of its matrix (a view-switching parameter, Kyma's `model`, holds another
 * value) that some of the workload's undocumented edges fit: they stay undocumented, and the
 * warning names the rule and the value that would document them (docs/matrices.md, "Documented
 * when set").
 */
export function otherViewWarnings(rules: readonly RuleAssessment[], sides: Record<Direction, SideComparison>): string[] {
  const out: string[] = [];
  for (const { rule } of rules) {
    const v = rule.documentsInOtherView;
    if (v === undefined) continue;
    const fit = new Set(v.edges);
    const side = sides[rule.direction];
    let n = 0;
    for (let i = 0; i < side.edges.length; i++) {
      const e = side.edges[i]!;
      if (side.status[i] === 'undocumented' && fit.has(`${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}`)) n++;
    }
    if (n === 0) continue;
    out.push(`${rule.id} (${rule.level}: ${rule.purpose}) documents ${n} observed ${rule.direction} edge(s) that no rule in force documents, but only in another view of its matrix (${v.set}): they stay undocumented (violations where the direction is authoritative); if this cluster runs that view, set ${v.set} in the cluster config (${v.config.join('; ')})`);
  }
  return out;
}

/**
 * A component that selects the workload while its `when` does not hold ("the component exists
 * only when it holds", docs/matrices.md): none of its rules is in force and its authoritative
 * stance does not apply, so the workload's traffic is not documented by it. Said, with why the
 * condition fails and what to set, since its workload evidently runs. A warning of the workload:
 * the front ends name it (the CLI's prefix, the API's `workloads[]`), so the words do not.
 */
export function disabledComponentWarning(c: WorkloadComponent, observed: number): string | undefined {
  const cond = c.component.condition;
  if (c.component.enabled || cond === undefined || observed === 0) return undefined;
  const byName = new Map((c.parameters ?? []).map((p) => [p.name, p]));
  const why = Object.keys(cond.when)
    .sort()
    .flatMap((name) => {
      const expected = cond.when[name]!;
      const p = byName.get(name);
      if (p?.value !== undefined && (Array.isArray(expected) ? expected : [expected]).includes(p.value)) return [];
      if (p?.value === undefined) return [`${name} has no value`];
      return [p.origin === 'config' ? `${name}=${String(p.value)} is set in matrices.systems.${c.matrix}.parameters` : `${name} is left at its default ${String(p.value)}`];
    });
  const name = `${c.matrix}/${c.component.name}`;
  return `${name} selects this workload but is disabled: its condition ${cond.text} does not hold (${why.join('; ')}): none of its rules is in force and its authoritative stance does not apply, so the workload's ${observed} observed edge side(s) are not documented by it; if ${name} runs here, set ${cond.text} in the cluster config (${conditionConfig(c.matrix, cond)})`;
}
