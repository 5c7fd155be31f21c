/**
 * Mode observed renders observed edges only. A `must` rule seen on some of its ports or peer
 * workloads only still requires the others (workload.ts unobservedMustFlows: per peer workload and
 * port), and a must rule from the nodes seen only as the pod's own node's kubelet probes still
 * requires every other node (documented-notes.ts probesRequireNodes): the output cuts them, and
 * the workload's warning names the rule, each unobserved peer and its ports.
 */
import type { Direction } from '../../domain/direction.ts';
import { peerKey, workloadKey, type Peer } from '../../domain/peer.ts';
import type { RuleAssessment } from '../compare/compare.ts';
import type { DocumentedFlow } from './documented-flow.ts';

/** One warning per rule with unobserved flows that `cut` says the output cuts, in the order of the flows. */
export function partlyObservedWarnings(rules: readonly RuleAssessment[], flows: readonly DocumentedFlow[], cut: (f: DocumentedFlow) => boolean): string[] {
  const byRule = new Map<string, Map<string, string[]>>();
  for (const f of flows) {
    // Flows of a rule observed on others (its status says so); never-observed and stale rules are documentedWarnings'.
    if ((f.status !== 'confirmed' && f.status !== 'blocked') || !cut(f)) continue;
    const peers = byRule.get(f.rule) ?? new Map<string, string[]>();
    byRule.set(f.rule, peers);
    const far = f.stands !== undefined ? standsWithoutDirection(f.stands, f.direction) : `${f.direction === 'egress' ? 'to' : 'from'} ${farPeer(f.direction, f.edge)}`;
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
      `${id} (must: ${r.rule.purpose}) is observed on part of what it requires only, not on ${d} ${where}, and mode observed renders observed edges only: applying this recommendation blocks those flows (mode union keeps them)`,
    );
  }
  return out;
}

/**
 * A representative flow's far end stands for part of the peer (`ingress from the world`,
 * representative-flows.ts StandIn.stands): named so, not by its address, after the direction the
 * warning says once.
 */
function standsWithoutDirection(stands: string, d: Direction): string {
  return stands.startsWith(`${d} `) ? stands.slice(d.length + 1) : stands;
}

function farPeer(d: Direction, edge: { client: Peer; server: Peer }): string {
  const far = d === 'egress' ? edge.server : edge.client;
  if (far.kind === 'workload') return workloadKey(far.workload);
  if (far.kind === 'node') return `node ${far.node}`;
  return peerKey(far);
}
