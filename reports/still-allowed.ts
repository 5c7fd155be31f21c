/**
 * Edge sides the recommendation leaves out that each engine's policies still allow (the
 * verification's `stillAllowed`: a broader rule of ours, such as a documented rule open to any
 * source, or an applied policy beside ours). The report's "left out of the policy" would otherwise
 * read as "denied" where the engine lets the traffic through.
 */
import type { Direction } from '../domain/direction.ts';
import { compareStrings as cmp } from '../recommender/policy/order.ts';
import type { EdgeFinding } from '../recommender/verify/recommendation.ts';
import type { EdgeItem, StillAllowedBy } from './model.ts';

/** One workload's side of an edge: `workload`, `direction`, edge key `client|server|port|protocol` (peer keys). */
const sideKey = (workload: string, direction: Direction, edge: string): string => `${workload}\0${direction}\0${edge}`;

export class StillAllowedSides {
  private readonly bySide = new Map<string, StillAllowedBy[]>();

  /** The `stillAllowed` findings of one engine's verification. */
  add(engine: string, findings: readonly EdgeFinding[]): void {
    for (const f of findings) {
      const by: StillAllowedBy = { engine };
      if (f.by !== undefined) {
        by.policy = f.by.policy;
        if (f.by.rule !== undefined) by.rule = f.by.rule;
      }
      if (f.byApplied) by.byApplied = true;
      if (f.dependsOnIpBlockReading) by.onlyWhereIpBlocksMatchPods = true;
      const k = sideKey(f.workload, f.direction, f.edge);
      const all = this.bySide.get(k);
      if (all === undefined) this.bySide.set(k, [by]);
      else all.push(by);
    }
  }

  /** The items with each left-out side that an engine still allows saying so (new objects: the items' sides are the evidence's). */
  annotate(items: readonly EdgeItem[]): EdgeItem[] {
    if (this.bySide.size === 0) return [...items];
    return items.map((e) => ({
      ...e,
      sides: e.sides.map((s) => {
        const by = s.included ? undefined : this.bySide.get(sideKey(s.workload, s.direction, e.key));
        return by === undefined ? s : { ...s, stillAllowed: [...by].sort((a, b) => cmp(a.engine, b.engine)) };
      }),
    }));
  }
}
