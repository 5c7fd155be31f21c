/**
 * Workloads outside a scoped run (`--workload`, `-n`) whose `must` rules name a workload of the
 * run (mirrored-rules.ts): scoping limits which policies are emitted, never which requirements
 * are checked. The run's policies cut those rules' flows at the run's end whoever owns the rule,
 * so recommend.ts compares these workloads too, for their requirements only (no plan, no record,
 * no policy), and verifies their flows at the run's end as an unscoped run does.
 *
 * An unscoped run has no such workload: this costs nothing there.
 */
import type { InventorySnapshot, Workload } from '../../domain/inventory.ts';
import { workloadKey } from '../../domain/peer.ts';
import { compareStrings } from '../policy/order.ts';
import type { MirroredRules } from './mirrored-rules.ts';

/** The owners, outside the run, of the active must rules that name workloads of `run`, in workload-key order. */
export function outsideOwners(inventory: InventorySnapshot, run: readonly Workload[], mirrors: MirroredRules): Workload[] {
  if (run.length === inventory.workloads.length) return [];
  const inRun = new Set(run.map(workloadKey));
  const owners = new Set<string>();
  for (const key of inRun) {
    // mirroredRules holds active rules only; may rules too with --include-may, which require nothing.
    for (const m of mirrors.byWorkload.get(key) ?? []) {
      if (m.rule.level !== 'must') continue;
      for (const o of m.owner.workloads) if (!inRun.has(workloadKey(o))) owners.add(workloadKey(o));
    }
  }
  if (owners.size === 0) return [];
  return inventory.workloads.filter((w) => owners.has(workloadKey(w))).sort((a, b) => compareStrings(workloadKey(a), workloadKey(b)));
}
