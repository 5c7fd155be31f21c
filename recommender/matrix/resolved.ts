/**
 * What a matrix resolves to against one cluster: the contract the recommender consumes.
 * Everything here is plain data, sorted, so that the same inputs serialise byte-identically.
 */
import type { ApiserverEndpoint, LabelSelector } from '../../domain/inventory.ts';
import type { WorkloadRef } from '../../domain/peer.ts';
import type { ConditionT, ParameterValue, RoleBindingT } from './schema.ts';
import type { Direction } from './ids.ts';

export type Level = 'must' | 'may';
export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

/** A port of a rule. `port` absent with `name` set: a named port whose number the matrix does not give. */
export interface ResolvedPort {
  protocol: PortProtocol;
  port?: number;
  endPort?: number;
  name?: string;
}

/** The concrete thing on the other side of a rule. */
export type ResolvedPeer =
  /** Pods picked by a selector: another component, a workload selector, or a role bound to pods. */
  | {
      kind: 'pods';
      component?: string;
      /** Set when the pods live in one named namespace. */
      namespace?: string;
      namespaceSelector?: LabelSelector;
      selector: LabelSelector;
      /** Namespaces of the cluster the peer covers, sorted. */
      namespaces: string[];
      workloads: WorkloadRef[];
      hostNetwork?: boolean;
    }
  /** Every pod of the namespaces. */
  | { kind: 'namespace'; namespace?: string; namespaceSelector?: LabelSelector; namespaces: string[] }
  | { kind: 'same-namespace'; namespace: string }
  | { kind: 'apiserver'; endpoints: ApiserverEndpoint[] }
  | { kind: 'dns'; namespace: string; selector: LabelSelector; workloads: WorkloadRef[] }
  | { kind: 'nodes'; nodes: { name: string; addresses: string[] }[] }
  | { kind: 'cidr'; cidrs: string[]; except: string[] }
  | { kind: 'fqdn'; fqdns: string[] }
  /** Any address, in or out of the cluster: an allow-all peer. */
  | { kind: 'world' };

export interface Citation {
  document: string;
  title: string;
  file?: string;
  url?: string;
  line?: number;
  also?: number[];
  row?: string;
}

export interface ConditionResult {
  when: ConditionT;
  /** `deploymentModel=Kafka, loki.enabled=true` */
  text: string;
  holds: boolean;
}

export interface ExpectedRule {
  /** Stable: `<matrix>/<component|shared group>/<direction>/<slug>`. */
  id: string;
  direction: Direction;
  level: Level;
  purpose: string;
  source: Citation;
  /** The shared group the rule was written in, when it is not the component's own. */
  shared?: string;
  /** The peer as the matrix writes it: `role prometheus`, `component flowlogs-pipeline`, `apiserver`… */
  peerRef: string;
  role?: string;
  /** Empty when the peer could not be resolved (unbound role, unset parameter). */
  peers: ResolvedPeer[];
  /** Empty: all ports. */
  ports: ResolvedPort[];
  condition?: ConditionResult;
  /** Condition holds (or none), the component is present and enabled, and peer and ports resolved. */
  active: boolean;
  unresolved: string[];
}

export interface Stance {
  authoritative: boolean;
  purpose?: string;
  source?: Citation;
  condition?: ConditionResult;
}

export interface ResolvedException {
  type: 'host-network' | 'dynamic-peers' | 'ipblock-only';
  direction?: Direction;
  reason: string;
  source: Citation;
}

export interface ResolvedComponent {
  name: string;
  description?: string;
  /** Undefined when the namespace uses a parameter that has no value. */
  namespace?: string;
  selector: LabelSelector;
  hostNetwork: boolean;
  /** False for host-network pods: NetworkPolicy cannot isolate them on most CNIs. */
  isolatable: boolean;
  /** Its `when` condition holds (or it has none). */
  enabled: boolean;
  condition?: ConditionResult;
  /** At least one workload of the inventory is selected. */
  present: boolean;
  workloads: WorkloadRef[];
  ports: ResolvedPort[];
  authoritative: { ingress: Stance; egress: Stance };
  exceptions: ResolvedException[];
  rules: ExpectedRule[];
}

export type BindingOrigin = 'config' | 'discovered' | 'default' | 'unbound';

export interface RoleResolution {
  role: string;
  description: string;
  origin: BindingOrigin;
  /** How discovery found it, or which config key bound it. */
  via?: string;
  bindings: RoleBindingT[];
  peers: ResolvedPeer[];
  ports: ResolvedPort[];
}

export interface ResolvedParameter {
  name: string;
  type: string;
  description: string;
  value?: ParameterValue;
  origin: 'config' | 'default' | 'unset';
  allowed?: ParameterValue[];
}

export type FindingKind =
  | 'component-absent'
  | 'role-unbound'
  | 'role-selects-nothing'
  | 'parameter-unset'
  | 'apiserver-unknown'
  | 'dns-unknown';

/** Something the resolution could not pin down: reported, never an error. */
export interface Finding {
  kind: FindingKind;
  subject: string;
  message: string;
}

export interface ClusterFacts {
  apiserver: { origin: 'discovered' | 'unbound'; via: string; endpoints: ApiserverEndpoint[] };
  dns: { origin: 'discovered' | 'default'; via: string; namespace: string; selector: LabelSelector; workloads: WorkloadRef[] };
}

export interface ResolvedMatrix {
  name: string;
  title: string;
  description?: string;
  origin: 'built-in' | 'applied';
  /** An applied matrix that replaces the built-in one of the same name. */
  overridesBuiltIn: boolean;
  enabled: boolean;
  /** At least one component selects a workload of the inventory. */
  detected: boolean;
  parameters: ResolvedParameter[];
  roles: RoleResolution[];
  cluster: ClusterFacts;
  components: ResolvedComponent[];
  findings: Finding[];
}
