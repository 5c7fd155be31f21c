/**
 * Mode observed renders observed edges only. A `must` rule seen on some of its ports, peer
 * workloads or nodes only still requires the others (workload.ts unobservedMustFlows: per peer
 * workload and port, per node), and a must rule from the nodes seen only as the pod's own node's
 * kubelet probes still requires every other node (documented-notes.ts probesRequireNodes): the
 * output renders no rule for them, and the workload's warning names the rule, each unobserved
 * peer and its ports. Whether the rules for the observed edges keep them is the engine's, said by
 * the verification (documented-notes.ts noRuleOfTheirOwn).
 */
import type { Direction } from '../../domain/direction.ts';
import { peerKey, workloadKey, type Peer } from '../../domain/peer.ts';
import type { RuleAssessment } from '../compare/compare.ts';
import { leftOutByModeObserved } from '../compare/documented-notes.ts';
import type { DocumentedFlow } from './documented-flow.ts';

/** One warning per rule with unobserved flows that `leftOut` says the output renders nothing for, in the order of the flows. */
export function partlyObservedWarnings(rules: readonly RuleAssessment[], flows: readonly DocumentedFlow[], leftOut: (f: DocumentedFlow) => boolean): string[] {
  const byRule = new Map<string, Map<string, string[]>>();
  for (const f of flows) {
    // Flows of a rule observed on others (its status says so); never-observed and stale rules are documentedWarnings'.
    if ((f.status !== 'confirmed' && f.status !== 'blocked') || !leftOut(f)) continue;
    const peers = byRule.get(f.rule) ?? new Map<string, string[]>();
    byRule.set(f.rule, peers);
    const far = farEnd(f);
    const ports = peers.get(far) ?? [];
    const port = `${f.edge.port}/${f.edge.protocol}`;
    if (!ports.includes(port)) ports.push(port);
    peers.set(far, ports);
  }
  const out: string[] = [];
  for (const [id, peers] of byRule) {
    const r = rules.find((x) => x.rule.id === id);
    if (r === undefined) continue;
    const d = r.rule.direction;
    const where = [...peers].map(([peer, ports]) => `${peer} on ${ports.join(', ')}`).join(', ');
    out.push(
      `${id} (must: ${r.rule.purpose}) is observed on part of what it requires only, not on ${d} ${where}, and ${leftOutByModeObserved('those flows')}`,
    );
  }
  return out;
}

/**
 * How the warning names a flow's far end, after the direction it says once: a representative
 * stands for part of the peer (`from the world`, representative-flows.ts StandIn.stands), named
 * so, not by its address; a node is no representative but one of the nodes the rule requires
 * (`to node n1`, not `to the nodes`).
 */
function farEnd(f: DocumentedFlow): string {
  const far = f.direction === 'egress' ? f.edge.server : f.edge.client;
  if (f.stands !== undefined && far.kind !== 'node') return standsWithoutDirection(f.stands, f.direction);
  return `${f.direction === 'egress' ? 'to' : 'from'} ${farPeer(far)}`;
}

function standsWithoutDirection(stands: string, d: Direction): string {
  return stands.startsWith(`${d} `) ? stands.slice(d.length + 1) : stands;
}

function farPeer(far: Peer): string {
  if (far.kind === 'workload') return workloadKey(far.workload);
  if (far.kind === 'node') return `node ${far.node}`;
  return peerKey(far);
}
