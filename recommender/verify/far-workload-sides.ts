/**
 * The far end of an edge side that is a workload outside a scoped run (`-n`, `--workload`), on
 * Cilium under `enable-policy: always`. The run writes no policy for that workload, and under
 * `default` a workload no policy selects allows everything, so its side needs no judging; under
 * `always` "policy enforcement is enabled on all endpoints even if no rules select specific
 * endpoints" (cilium/cilium Documentation/security/policy/intro.rst "Policy Enforcement Modes";
 * pkg/policy/repository.go computePolicyEnforcementAndRules), so it denies in both directions what
 * no rule allows: an edge the recommendation lets through at the run's end may be cut at the other.
 *
 * Like a node's host endpoint (host-endpoint-sides.ts), that side is no side of the run: it is
 * judged, as `simulate` judges it, under what applying the output leaves in force there — the
 * recommendation beside the applied policies (recommendation.ts `Judges.leftOpen`). Only where the
 * verifying engine is Cilium under `always` and the run is scoped (an unscoped run holds every
 * workload's own sides); elsewhere nothing is judged (no cost).
 */
import { DIRECTIONS, opposite, type Direction } from '../../domain/direction.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { SimCluster, Simulator } from '../simulate/types.ts';
import { deniesUnselected } from '../simulate/cilium/enforcement-mode.ts';
import type { VerifiedSides } from '../verified-sides.ts';
import { workloadOf } from './replaced-subjects.ts';

/** Why a finding at such a far side is judged at all: after its workload and direction. */
export const OUTSIDE_THE_RUN = ', outside the run, which writes no policy for it (enable-policy: always denies what no rule allows, selected or not)';

/** The `workload|direction` sides a verification judges as its own, as `judgedSides` gives them. */
export type JudgedSides = ReadonlySet<string>;

/**
 * The workload sides of `runSides` the verification judges as their own: every direction of the
 * run's workloads and of those its policies restrict (under `always` a direction left open is
 * judged too), the directions a replaced applied policy selects of the others (replaced-subjects.ts).
 * Made once per verification: every chunk of a run reads the same.
 */
export function judgedSides(runSides: readonly VerifiedSides[]): JudgedSides {
  const keys = new Set<string>();
  for (const s of runSides) for (const d of DIRECTIONS) if (s.replacedBy === undefined || s.replacedBy[d].length > 0) keys.add(`${s.workload}|${d}`);
  return keys;
}

/**
 * The far workload of an edge side, outside every side the verification judges, found by the
 * function this returns; undefined (nothing judged) unless `sim` is Cilium's under
 * `enable-policy: always` and the run is scoped (`judged`: judgedSides of every side of it, over every chunk).
 */
export function farWorkloadsJudged(sim: Simulator, cluster: SimCluster, judged: JudgedSides | undefined): ((edge: EdgeTraffic, direction: Direction) => string | undefined) | undefined {
  if (judged === undefined || sim.engine !== 'cilium' || !deniesUnselected(cluster)) return undefined;
  return (edge, direction) => {
    const far = workloadOf(direction === 'egress' ? edge.server : edge.client);
    return far !== undefined && !judged.has(`${far}|${opposite(direction)}`) ? far : undefined;
  };
}
