/** The recommendation's sides as its verification reads them (recommend.ts builds them; verify/ and synthesize/outside-run.ts read them). */
import type { Direction } from '../domain/direction.ts';
import type { EdgeTraffic } from '../domain/edge.ts';

/**
 * What the verification checks of one selected workload: its observed edges per side, and those
 * the recommendation leaves out with why (the rest it includes). Not part of the JSON output.
 */
export interface VerifiedSides {
  /** `namespace/Kind/name`. */
  workload: string;
  edges: Record<Direction, readonly EdgeTraffic[]>;
  excluded: Record<Direction, ReadonlyMap<EdgeTraffic, string>>;
  /**
   * Observed edges a documented `must` rule of this workload covers, whatever their status (stale
   * ones too) and whether the recommendation includes them or not, with that rule: the traffic is
   * required, so this side must let it through (one left out and denied is cut), and so must the
   * other side of the edge where the rule names that far peer (`otherEnd`: a component's or a
   * role's pods by selector, in named namespaces; not `world`, whole namespaces or every
   * namespace's pods, which say what this side allows, not what each peer must accept — unless the
   * far workload's authoritative matrix leaves the rule closed: cut there, observed or not). Those of
   * a workload outside a scoped run whose rule names this one are here too, with that `owner`
   * (synthesize/outside-owners.ts): scoping never drops a requirement.
   */
  required?: Record<Direction, ReadonlyMap<EdgeTraffic, RequiredEdge>>;
  /**
   * Flows the policies must allow like included edges: the clients of the workload's exposure (its
   * ingress, from the world and from a node: synthesize/exposure-flows.ts; an Ingress controller's
   * observed edges are in `required` instead), and flows a documented
   * `must` rule requires that nothing observed (the rule never, or long ago only), at
   * either end (the rule's owner, and the peer workload it names, whose policy opens it from the
   * owner: mirrored-rules.ts), in every mode: the policies must allow them like included edges.
   * At a peer whose authoritative matrix leaves the rule closed too (the matrices disagree): the flow is cut there, and the way out says so.
   */
  documented?: Record<Direction, readonly RequiredFlow[]>;
  /**
   * Warnings of this workload's `must` flows the verification cannot judge (no port to verify a
   * rule with no ports on, no peer to stand for its own: synthesize/representative-flows.ts), by
   * the direction at this workload; the verification warns of those of a restricted direction.
   */
  unverified?: Record<Direction, readonly string[]>;
  /** A policy of the workload restricts the direction (otherwise nothing there is for the policies to allow or deny). */
  restricted: Record<Direction, boolean>;
  /** A workload outside a scoped run that the run's policies restrict (outside-run.ts): read for the verification only, never measured. */
  outside?: true;
  /**
   * A workload outside a scoped run that an applied policy the run's manifests replace selects
   * (verify/replaced-subjects.ts): per direction, the ids of those policies. Built by the
   * verification alone, never by recommend.ts: its sides are judged before and after applying.
   */
  replacedBy?: Record<Direction, readonly string[]>;
}

/** The documented `must` rule that requires a flow, and what keeps the flow where the recommendation cuts it (synthesize/kept-by.ts). */
export interface Requirement {
  rule: string;
  keptBy?: string;
}

/**
 * An observed edge a must rule covers (VerifiedSides.required), or (`exposed`) one from an Ingress
 * controller's pods that stands for the clients of the Ingress `rule` names
 * (synthesize/exposure-flows.ts); `otherEnd`: the rule names its far peer, whose side must let it through too.
 */
export interface RequiredEdge extends Requirement {
  otherEnd: boolean;
  /** The rule is this workload's, outside a scoped run, and names this side's (synthesize/outside-owners.ts). */
  owner?: string;
  /** It stands for the clients of the exposure `rule` names (`exposed by Ingress shop/web`), not for a matrix rule's traffic. */
  exposed?: true;
}

/**
 * A flow a must rule requires that nothing observed (VerifiedSides.documented), or (`exposed`) one
 * that stands for the clients of an exposed workload (synthesize/exposure-flows.ts).
 */
export interface RequiredFlow extends Requirement {
  edge: EdgeTraffic;
  /** It stands for a client of the exposure `rule` names (`exposed by Service shop/web type LoadBalancer`), not for a matrix rule's flow. */
  exposed?: true;
  /** Its far end stands for a peer that names no workload (`egress to the world`): judged at this end only (synthesize/representative-flows.ts). */
  stands?: string;
  /** Its far end is an outside address: the world's, judged in the family the workload can use, or one of its own (a block's, a name's), judged where the workload can use its family. */
  outside?: 'world' | 'address';
  /** The DNS names its outside address was resolved from, where none is stored with it: the simulated flow carries them (Cilium's toFQDNs matches by them). */
  names?: readonly string[];
  /** The address its far end is required at (a node of a documented block: its address in the block), judged there rather than at each family of the node. */
  address?: string;
}

/**
 * The must flows nothing observed at the workloads outside a scoped run (recommend.ts
 * outsideMustFlows): the verification reads them only for the workloads an applied policy the
 * run replaces selects (verify/replaced-subjects.ts), and judges them as their observed edges.
 */
export interface OutsideMustFlows {
  /**
   * The workloads (keys) outside the run in `namespaces` (undefined: every namespace) that must
   * flows can be at: those a matrix component selects (their own rules) and those a rule names
   * (its far end).
   */
  candidates(namespaces: ReadonlySet<string> | undefined): readonly string[];
  /**
   * The must flows at `workloads`, per direction at the workload (as VerifiedSides.documented), by
   * key: their own rules' flows, and the flows of the rules of any workload (the run's too) that
   * name them, on their opposite side; one without any is absent.
   */
  flowsOf(workloads: readonly string[]): ReadonlyMap<string, Record<Direction, readonly RequiredFlow[]>>;
}
