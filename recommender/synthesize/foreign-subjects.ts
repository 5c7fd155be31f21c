/**
 * Workloads a recommended policy written for another workload selects: its subject's selector
 * matches their pods' labels (only where no label tells the two apart, distinct-selectors.ts).
 * A NetworkPolicy isolates every pod its podSelector selects, in each direction its policyTypes
 * name, whoever it was written for (Kubernetes docs, "Network Policies", "The two sorts of pod
 * isolation"); the other engines' subjects select likewise. So the verification simulates those
 * workloads' sides too: what such a policy cuts of them is cut.
 *
 * Per workload: the intents of its namespace are looked up through its labels (each intent filed
 * under one matchLabels entry of its subject), so the common case is a few map lookups.
 */
import type { Workload } from '../../domain/inventory.ts';
import { workloadKey } from '../../domain/peer.ts';
import { hasSelectablePods } from '../../domain/pod-networks.ts';
import { DIRECTIONS } from '../../domain/direction.ts';
import { selectorMatches } from '../matrix/selector.ts';
import type { Direction } from '../policy/ir.ts';
import { policyName } from '../policy/names.ts';
import { compareStrings } from '../policy/order.ts';
import { restricts, type PlannedIntent, type WorkloadPlan } from './workload.ts';

/** By workload key: per direction, the names of other workloads' policies that restrict it there (sorted); absent when none. */
export type ForeignSubjects = Map<string, Record<Direction, string[]>>;

/**
 * `outside`: the workloads a scoped run left out (outside-run.ts), looked up like the run's;
 * `withPodNetworkPods`: the workloads with a pod on the pod network (domain/pod-networks.ts).
 */
export function foreignSubjects(plans: readonly WorkloadPlan[], outside: readonly Workload[], withPodNetworkPods: ReadonlySet<string>): ForeignSubjects {
  const filed = new Map<string, { intent: PlannedIntent; owner: string }[]>();
  for (const p of plans) {
    const owner = workloadKey(p.workload);
    for (const intent of p.intents) {
      const s = intent.input.subject;
      if (s.kind !== 'workload') continue;
      const first = Object.keys(s.selector.matchLabels ?? {}).sort(compareStrings)[0];
      const k = fileKey(p.workload.namespace, first, first === undefined ? undefined : s.selector.matchLabels![first]);
      const list = filed.get(k);
      if (list === undefined) filed.set(k, [{ intent, owner }]);
      else list.push({ intent, owner });
    }
  }
  const out: ForeignSubjects = new Map();
  if (filed.size === 0) return out;
  for (const w of [...plans.map((p) => p.workload), ...outside]) {
    if (!hasSelectablePods(w, withPodNetworkPods)) continue;
    const key = workloadKey(w);
    const found = { ingress: [] as string[], egress: [] as string[] };
    const look = (k: string): void => {
      for (const { intent, owner } of filed.get(k) ?? []) {
        if (owner === key || intent.input.subject.kind !== 'workload' || !selectorMatches(intent.input.subject.selector, w.labels)) continue;
        for (const d of DIRECTIONS) if (restricts(intent, d)) found[d].push(policyName(intent.input.key));
      }
    };
    look(fileKey(w.namespace, undefined, undefined));
    for (const [k, v] of Object.entries(w.labels)) look(fileKey(w.namespace, k, v));
    if (found.ingress.length > 0 || found.egress.length > 0) out.set(key, { ingress: [...new Set(found.ingress)].sort(compareStrings), egress: [...new Set(found.egress)].sort(compareStrings) });
  }
  return out;
}

const fileKey = (ns: string, k: string | undefined, v: string | undefined): string => (k === undefined ? `${ns}\u0000` : `${ns}\u0000${k}\u0000${v}`);
