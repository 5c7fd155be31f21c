/**
 * What a report takes of the recommendation's evidence, folded one workload record at a time (the
 * recommender hands each record over as it is made: app/recommendation.ts recommendForEveryEngine),
 * so a report never holds the whole cluster's evidence: every selected workload's view of each
 * observed edge (its side, by the stored edge's id: the observation itself is the stored edge's,
 * which the report has), the sides and rules per status (in total and per namespace), and the
 * documented rules merged over the workloads of their component.
 */
import type { WorkloadRecommendation } from '../recommender/recommend.ts';
import type { MatrixRuleEvidence } from '../recommender/synthesize/evidence.ts';
import type { EdgeSide } from './model.ts';

/** A documented rule with the workloads and edges it was seen with, one per (rule, status). */
export interface FoldedRule {
  rule: MatrixRuleEvidence;
  workloads: Set<string>;
  edges: Set<string>;
}

export const workloadName = (w: Pick<WorkloadRecommendation, 'workload'>): string => `${w.workload.namespace}/${w.workload.kind}/${w.workload.name}`;

/** The recommender's violation keys pad the port (`|00443|`); evidence keys do not. */
const unpadKey = (k: string): string => k.replace(/\|0*(\d+)\|([A-Za-z]+)$/, '|$1|$2');

const inc = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);

function countsOf(byNamespace: Map<string, Map<string, number>>, ns: string): Map<string, number> {
  let m = byNamespace.get(ns);
  if (m === undefined) byNamespace.set(ns, (m = new Map()));
  return m;
}

export class ReportEvidence {
  /** The sides of every observed edge by the stored edge's id, in the order the workloads came. */
  readonly sides = new Map<number, EdgeSide[]>();
  /** Observed sides per status. */
  readonly sideCounts = new Map<string, number>();
  /** Rules of the recommended policies per status. */
  readonly ruleCounts = new Map<string, number>();
  readonly sideCountsByNamespace = new Map<string, Map<string, number>>();
  readonly ruleCountsByNamespace = new Map<string, Map<string, number>>();
  /** By `id\0status`, in the order first seen. */
  readonly documented = new Map<string, FoldedRule>();

  /** The evidence of several records (a whole recommendation made with details). */
  static of(workloads: Iterable<WorkloadRecommendation>): ReportEvidence {
    const folded = new ReportEvidence();
    for (const w of workloads) folded.add(w);
    return folded;
  }

  /** Folds one workload's record (made with details); the record is not kept. */
  add(w: WorkloadRecommendation): void {
    const name = workloadName(w);
    const ns = w.workload.namespace;
    const violations = new Set(w.violations.map(unpadKey));
    const nsSides = countsOf(this.sideCountsByNamespace, ns);
    for (const o of w.observed) {
      // An edge no flow had (a Service leads the client there now: `followed`) is no observed side:
      // it has no stored edge (no id) to be listed under, and is not counted as observed.
      if (o.id === undefined) continue;
      const side: EdgeSide = { workload: name, direction: o.direction, status: o.status, rules: [...o.rules], included: o.included, violation: violations.has(o.key) };
      if (o.reason !== undefined) side.reason = o.reason;
      if (o.documentedWhen !== undefined) side.documentedWhen = [...o.documentedWhen];
      const sides = this.sides.get(o.id);
      if (sides === undefined) this.sides.set(o.id, [side]);
      else sides.push(side);
      inc(this.sideCounts, o.status);
      inc(nsSides, o.status);
    }
    const nsRules = countsOf(this.ruleCountsByNamespace, ns);
    for (const r of w.rules) {
      inc(this.ruleCounts, r.status);
      inc(nsRules, r.status);
    }
    for (const r of w.documented) {
      const k = `${r.id}\0${r.status}`;
      let entry = this.documented.get(k);
      if (!entry) this.documented.set(k, (entry = { rule: r, workloads: new Set(), edges: new Set() }));
      entry.workloads.add(name);
      for (const e of r.edges) entry.edges.add(e);
    }
  }
}
