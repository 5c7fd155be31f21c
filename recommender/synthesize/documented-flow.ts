import type { Direction } from '../../domain/direction.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';

/** A flow a documented rule requires, not observed: its direction at the rule's owner, and the rule. */
export interface DocumentedFlow {
  direction: Direction;
  edge: EdgeTraffic;
  rule: string;
  /**
   * The rule's status: never observed, observed long ago only, or observed (`confirmed`, or
   * `blocked`: dropped) on other flows — this one never was. What keeps the flow is the option
   * that renders a rule of that status (kept-by.ts).
   */
  status: 'documented-unobserved' | 'stale' | 'confirmed' | 'blocked';
  /** The flow's far end stands for a peer that names no workload (representative-flows.ts): what it stands for. Judged at this end only. */
  stands?: string;
  /** Its far end is an outside address: the world's (judged in the family the workload can use) or one of its own (representative-flows.ts StandIn.outside). */
  outside?: 'world' | 'address';
  /** The DNS names its outside address was resolved from, where none is stored with it (representative-flows.ts StandIn.names). */
  names?: readonly string[];
  /** The address its far end is required at (representative-flows.ts StandIn.address). */
  address?: string;
}
