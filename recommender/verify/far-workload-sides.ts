/**
 * The far end of an edge side that is a workload outside a scoped run (`-n`, `--workload`). The run
 * writes no policy for that workload, yet its side may deny the edge all the same, after applying
 * the output as before:
 * - where an applied policy of the enforcing engine selects it in that direction. A pod a
 *   NetworkPolicy with that policyType selects "is isolated" there, and only what some policy
 *   selecting it allows gets through (kubernetes.io "Network Policies", "The two sorts of pod
 *   isolation"); a Cilium endpoint a rule selects enforces that direction (cilium/cilium
 *   Documentation/security/policy/intro.rst "Policy Enforcement Modes", `default`); a tier holding
 *   a Calico policy that applies to the endpoint in that direction drops what none of its policies
 *   acts on (Calico Tier resource, "How Policy Is Evaluated"; `defaultAction` Deny); an Admin
 *   ClusterNetworkPolicy's Deny holds for every pod its subject selects (kubernetes-sigs/network-policy-api). Selected as replaced-subjects.ts `policiesSelecting` reads
 *   it: the policy, judged alone, isolates one of the workload's pods there;
 * - on Cilium under `enable-policy: always`, in every direction: "policy enforcement is enabled on
 *   all endpoints even if no rules select specific endpoints" (intro.rst; pkg/policy/repository.go
 *   computePolicyEnforcementAndRules), so it denies what no rule allows.
 * Elsewhere a workload no policy selects allows everything there, and nothing is judged.
 *
 * Like a node's host endpoint (host-endpoint-sides.ts), that side is no side of the run: it is
 * judged, as `simulate` judges it, under what applying the output leaves in force there — the
 * recommendation beside the applied policies (recommendation.ts `Judges.leftOpen`). Only in a
 * scoped run (an unscoped one holds every workload's own sides). Cost: the far workloads of the
 * run's edges are tried against the applied policies beside the recommendation once per
 * verification (`farSides`), none where none is applied; no far side is simulated where none of
 * them selects one (nor on Cilium under `always`, where all are).
 */
import { DIRECTIONS, opposite, type Direction } from '../../domain/direction.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { ClusterModel } from '../simulate/cluster.ts';
import { volatileKeysSelected } from '../simulate/own-set-groups.ts';
import type { SimCluster, Simulator, SimulatorFactory } from '../simulate/types.ts';
import { deniesUnselected } from '../simulate/cilium/enforcement-mode.ts';
import type { VerifiedSides } from '../verified-sides.ts';
import { isolates, policiesSelecting, workloadOf, workloadPods } from './replaced-subjects.ts';

/** What a scoped run's verification judges beyond its own sides, made once per verification (`farSides`): every chunk of a run reads the same. */
export interface FarSides {
  /**
   * The `workload|direction` sides the verification judges as a workload's own: every direction of
   * the run's workloads and of those its policies restrict (under `always` a direction left open is
   * judged too), the directions a replaced applied policy selects of the others (replaced-subjects.ts).
   */
  judged: ReadonlySet<string>;
  /**
   * The `workload|direction` far sides outside `judged` that applied policies beside the
   * recommendation select, with their ids (manifestId); worked out on first use (never on Cilium
   * under `always`, where every far side is judged).
   */
  selected: () => ReadonlyMap<string, readonly string[]>;
}

/** The applied policies that stay beside a recommendation, and the simulator that reads them (the enforcing engine's). */
export interface BesideApplied {
  beside: readonly unknown[];
  model: ClusterModel;
  simulator: SimulatorFactory;
}

const sideKey = (workload: string, direction: Direction): string => `${workload}|${direction}`;

/** The sides `runSides` (every side of a scoped run, over every chunk) judge, and the far sides `applied` selects. */
export function farSides(runSides: readonly VerifiedSides[], applied: BesideApplied): FarSides {
  const judged = new Set<string>();
  for (const s of runSides) for (const d of DIRECTIONS) if (s.replacedBy === undefined || s.replacedBy[d].length > 0) judged.add(sideKey(s.workload, d));
  let selected: ReadonlyMap<string, readonly string[]> | undefined;
  return { judged, selected: () => (selected ??= applied.beside.length === 0 ? new Map() : selectedByApplied(farCandidates(runSides, judged), applied)) };
}

/**
 * The far workloads of the run's own sides' edges and must flows (a replaced policy's subject is
 * judged at a host endpoint only), with the directions of theirs outside `judged`.
 */
function farCandidates(runSides: readonly VerifiedSides[], judged: ReadonlySet<string>): Map<string, Set<Direction>> {
  const out = new Map<string, Set<Direction>>();
  const add = (edge: EdgeTraffic, direction: Direction): void => {
    const far = farWorkloadOf(edge, direction);
    const there = opposite(direction);
    if (far === undefined || judged.has(sideKey(far, there))) return;
    let ds = out.get(far);
    if (ds === undefined) out.set(far, (ds = new Set()));
    ds.add(there);
  };
  for (const s of runSides) {
    if (s.replacedBy !== undefined) continue;
    for (const d of DIRECTIONS) {
      for (const e of s.edges[d]) add(e, d);
      for (const f of s.documented?.[d] ?? []) add(f.edge, d);
    }
  }
  return out;
}

/**
 * Of `candidates`, the far sides some applied policy beside the recommendation selects, with the
 * ids of those that do: first all of them at once (one simulator), then each alone, for the ids,
 * of the far workloads they isolate only.
 */
function selectedByApplied(candidates: ReadonlyMap<string, ReadonlySet<Direction>>, { beside, model, simulator }: BesideApplied): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  if (candidates.size === 0) return out;
  const together = simulator(beside, model.cluster);
  const naming = policiesSelecting(beside, model, simulator);
  const kept = volatileKeysSelected(beside);
  for (const [workload, directions] of candidates) {
    const pods = workloadPods(model, workload, kept);
    const isolated = [...directions].filter((d) => pods.some((pod) => isolates(model, together, pod, d)));
    if (isolated.length === 0) continue;
    const by = naming(workload);
    for (const d of isolated) out.set(sideKey(workload, d), by[d]);
  }
  return out;
}

/** The far end of an edge side, when it is a workload policies can select. */
const farWorkloadOf = (edge: EdgeTraffic, direction: Direction): string | undefined => workloadOf(direction === 'egress' ? edge.server : edge.client);

/** A far side judged: the workload, and why its side can deny (said after its name and direction). */
export interface FarWorkload {
  workload: string;
  why: string;
}

/** Why a finding at a far side judged under `enable-policy: always` is judged at all. */
const ALWAYS = 'enable-policy: always denies what no rule allows, selected or not';

/** What a finding at a far side says after the workload's name and direction: `, outside the run, which writes no policy for it (<why>)`. */
export const outsideTheRun = (why: string): string => `, outside the run, which writes no policy for it (${why})`;

/** Why a far side an applied policy selects can deny: `the applied NetworkPolicy/b/x selects it for ingress`. */
function selectedWords(ids: readonly string[], direction: Direction): string {
  const who = ids.length === 0 ? 'the applied policies select' : `the applied ${ids.join(', ')} select${ids.length === 1 ? 's' : ''}`;
  return `${who} it for ${direction}`;
}

/**
 * The far workload of an edge side judged (FarWorkload), found by the function this returns;
 * undefined (nothing judged) for an unscoped run (`far` undefined), and where neither `sim` is
 * Cilium's under `enable-policy: always` nor an applied policy selects a far side.
 */
export function farWorkloadsJudged(sim: Simulator, cluster: SimCluster, far: FarSides | undefined): ((edge: EdgeTraffic, direction: Direction) => FarWorkload | undefined) | undefined {
  if (far === undefined) return undefined;
  const { judged } = far;
  if (sim.engine === 'cilium' && deniesUnselected(cluster)) {
    return (edge, direction) => {
      const workload = farWorkloadOf(edge, direction);
      return workload !== undefined && !judged.has(sideKey(workload, opposite(direction))) ? { workload, why: ALWAYS } : undefined;
    };
  }
  const selected = far.selected();
  if (selected.size === 0) return undefined;
  return (edge, direction) => {
    const workload = farWorkloadOf(edge, direction);
    if (workload === undefined) return undefined;
    const there = opposite(direction);
    const ids = selected.get(sideKey(workload, there));
    return ids === undefined ? undefined : { workload, why: selectedWords(ids, there) };
  };
}
