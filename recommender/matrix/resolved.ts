/**
 * What a matrix resolves to against one cluster: the contract the recommender consumes.
 * Everything here is plain data, sorted, so that the same inputs serialise byte-identically.
 */
import type { ApiserverEndpoint, LabelSelector, Labels } from '../../domain/inventory.ts';
import type { DnsPort } from '../../domain/cluster-dns.ts';
import type { NamesNotKept } from '../../domain/edge.ts';
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

/**
 * The concrete thing on the other side of a rule. `ports`: where a rule names no ports of its own
 * and takes them from a role bound several times with ports of their own (two backends, or the
 * peers observation bound a role to), the ports of this peer's binding — the rule's `ports` are
 * then their union, and each peer is reached on its own only.
 */
/** An `fqdn` peer's names whose in-cluster answers are not known (NamesNotKept), and the edges why. */
export interface AnswersNotKept extends NamesNotKept {
  names: string[];
}

export type ResolvedPeer = ResolvedPeerTarget & { ports?: ResolvedPort[] };

type ResolvedPeerTarget =
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
      /**
       * The rule's DNS names the flows showed answering with these pods (an in-cluster gateway
       * behind a public name: matrix/service-names.ts), which no engine's DNS peer selects.
       */
      dnsNames?: string[];
      /**
       * The rule's DNS name of one endpoint of a headless Service (`<hostname>.<service>.<ns>.svc…`),
       * which answers with these pods (`namespace/pod`) alone: the peer is their workload as a whole,
       * which the rule's explanation says (matrix/service-names.ts endpointPeer).
       */
      endpoint?: { name: string; service: string; pods: string[] };
    }
  /** Every pod of the namespaces. */
  | { kind: 'namespace'; namespace?: string; namespaceSelector?: LabelSelector; namespaces: string[] }
  | { kind: 'same-namespace'; namespace: string }
  | { kind: 'apiserver'; endpoints: ApiserverEndpoint[] }
  | { kind: 'dns'; namespace: string; selector: LabelSelector; workloads: WorkloadRef[] }
  | { kind: 'nodes'; nodes: { name: string; addresses: string[] }[] }
  | { kind: 'cidr'; cidrs: string[]; except: string[] }
  | {
      kind: 'fqdn';
      fqdns: string[];
      /**
       * Its names no flow showed answering in the cluster, while the store holds flows whose in-cluster
       * answers were never kept (migration 0033): whether a pod answered them is not known.
       */
      answersNotKept?: AnswersNotKept;
    }
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
  /** The role is unbound: where its peers live (`scope`), what stands for them in the verification (synthesize/representative-flows.ts). */
  roleScope?: RoleScope;
  /** Empty when the peer could not be resolved (unbound role, unset parameter). */
  peers: ResolvedPeer[];
  /** Empty: all ports. */
  ports: ResolvedPort[];
  /** The rule's condition and its component's `when`, as one (a rule of a disabled component is not in force). */
  condition?: ConditionResult;
  /** The peers come from a role bound from observation (`origin: inferred`): which role, the candidate peers, the config that pins it. */
  inferred?: { role: string; candidates: string[]; pin: string };
  /**
   * Inactive, and observed edges fit it once the cluster config says so: documented when set
   * (status `documented-when-set`). Either a condition on parameters left at their default does
   * not hold (`set`: `s3.configured=true`), or the rule waits for an unbound role whose observed
   * peers could also be another reading (`set`: `role remote-apiservers is bound`).
   */
  whenConfigured?: WhenConfigured;
  /**
   * Inactive because a parameter that switches between alternative views of the matrix (Kyma's
   * `model`) holds another value, and observed edges of its workloads fit it: they are not
   * documented by it (another view is no evidence of this cluster's), but the workload is told
   * which value would document them.
   */
  documentsInOtherView?: OtherView;
  /** A host-network component's rule: the edges its nodes' addresses carried that the rule covers. */
  observedFromNodes?: string[];
  /** Condition holds (or none), the component is present and enabled, and peer and ports resolved. */
  active: boolean;
  unresolved: string[];
}

export interface WhenConfigured {
  /** The condition to make true: `s3.configured=true`, or `role remote-apiservers is bound`. */
  set: string;
  /** Where in the cluster config: `matrices.systems.progressive-delivery.parameters: {s3.configured: true}`, `matrices.bindings.roles.s3`. */
  config: string[];
  /** Keys (client|server|port|protocol) of the observed edges that fit, sorted. */
  edges: string[];
  /** Those of `edges` that fit other readings too (another role, another conditional rule): pin the right one. */
  ambiguous?: string[];
}

export interface OtherView {
  /** The condition of the other view: `model=current`. */
  set: string;
  /** Where in the cluster config: `matrices.systems.kyma-telemetry.parameters: {model: "current"}`. */
  config: string[];
  /** Keys (client|server|port|protocol) of the observed edges that fit, sorted. */
  edges: string[];
}

export interface Stance {
  authoritative: boolean;
  purpose?: string;
  source?: Citation;
  /** The stance's condition and its component's `when`, as one. */
  condition?: ConditionResult;
}

export interface ResolvedException {
  type: 'host-network' | 'dynamic-peers' | 'ipblock-only' | 'partial';
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
  /**
   * The workloads it binds (by their template labels) whose pods carry label sets its selector does
   * not select — a rollout's other revision still running: a rule naming the component names each
   * of them by its own selector (componentPeers). Absent when its selector selects every pod.
   */
  leavesOut?: PodsLeftOut[];
  ports: ResolvedPort[];
  authoritative: { ingress: Stance; egress: Stance };
  exceptions: ResolvedException[];
  rules: ExpectedRule[];
}

/** A workload bound to a component whose selector leaves out some of its pods. */
export interface PodsLeftOut {
  workload: WorkloadRef;
  /** The workload's own selector, which selects all its pods. */
  selector: LabelSelector;
  /** The label sets of its pods the component's selector does not select, as the inventory holds them. */
  labels: Labels[];
}

export type BindingOrigin = 'config' | 'discovered' | 'default' | 'inferred' | 'unbound';
export type RoleScope = 'external' | 'in-cluster' | 'any';

/** A peer observation proposes for a role: what was seen, by which component, on which ports. */
export interface RoleCandidate {
  /** The peer key: `external:198.51.100.20`, `workload:kafka/StatefulSet/kafka`. */
  peer: string;
  /** DNS names seen for an external address. */
  names?: string[];
  /** `443/TCP`, sorted. */
  ports: string[];
  /** `matrix/component` of the components seen talking to it under a rule to the role. */
  components: string[];
  /** Keys (client|server|port|protocol) of the edges behind it, sorted. */
  edges: string[];
  flows: number;
  lastSeen: string;
  /** Why the role was not bound to it, when it was not. */
  notBound?: string;
}

/** An observed peer that could be more than one unbound role: bound to none of them. */
export interface AmbiguousCandidate {
  peer: string;
  roles: string[];
  edges: string[];
}

export interface RoleResolution {
  role: string;
  description: string;
  /** Where its peers live: what observation may bind it to. */
  scope: RoleScope;
  origin: BindingOrigin;
  /** How discovery found it, which config key bound it, or what observation bound it to. */
  via?: string;
  bindings: RoleBindingT[];
  peers: ResolvedPeer[];
  ports: ResolvedPort[];
  /**
   * A binding that names no ports: the target ports of the Services selecting the bound pods
   * (else their declared container ports). Egress rules to the role that name no port use them.
   */
  servicePorts?: ResolvedPort[];
  /** origin `inferred`: the observed peers the binding was made from, with their evidence. */
  candidates?: RoleCandidate[];
  /** Observed peers that fit this role and another unbound one: left unbound, to pin in config. */
  ambiguous?: AmbiguousCandidate[];
  /** origin `inferred`: how to pin the binding in the cluster config (YAML). */
  pin?: string;
  /** What tells an observed peer apart as this role (the matrix's `recognize`): its ports, DNS name patterns. */
  recognize?: { ports: ResolvedPort[]; names: string[] };
}

export interface ResolvedParameter {
  name: string;
  type: string;
  description: string;
  value?: ParameterValue;
  origin: 'config' | 'default' | 'unset';
  allowed?: ParameterValue[];
  /** Declared `switchesView`: a boolean that switches between alternative views of the matrix, not an optional part. */
  switchesView?: true;
}

export type FindingKind =
  | 'component-absent'
  | 'component-leaves-out-pods'
  | 'role-unbound'
  | 'role-inferred'
  | 'role-ambiguous'
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
  /** `ports`: what the DNS pods answer on (the DNS Service's target ports for its port 53). */
  /** `portProblems`: what of the DNS Service's port 53 could not be read (the port then is 53), when anything. */
  dns: { origin: 'discovered' | 'default'; via: string; namespace: string; selector: LabelSelector; workloads: WorkloadRef[]; ports: DnsPort[]; portProblems?: string[] };
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
