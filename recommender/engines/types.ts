/**
 * What an engine emitter returns: manifests (plain objects of the engine's wire type, the one
 * its simulator and admission checks read, ready for the YAML serializer and the schema check)
 * plus typed warnings for what the engine cannot say.
 */
import type { Direction, PolicySet } from '../policy/ir.ts';
import type { CalicoPolicy } from './wire/calico.ts';
import type { CiliumPolicy, CiliumRule } from './wire/cilium.ts';
import type { ClusterNetworkPolicy } from './wire/clusternetworkpolicy.ts';
import type { NetworkPolicy } from './wire/kubernetes.ts';

export const ENGINE_NAMES = ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy'] as const;
/** docs/design.md §4 (contract). */
export type EngineName = (typeof ENGINE_NAMES)[number];

/** The metadata of every emitted manifest: the wire metadata with its labels and annotations always set. */
export interface ManifestMetadata {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * A wire type as an emitter fills it: the same fields, the metadata always labelled and
 * annotated. A value of it is a value of the wire type, so a change of the wire shape is a type
 * error in the emitter and in the simulator that reads it alike.
 */
export type Emitted<W extends { metadata: object }> = W extends unknown ? Omit<W, 'metadata'> & { metadata: ManifestMetadata } : never;

/** Each engine's manifests, of the wire type in recommender/engines/wire/<engine>.ts. */
export interface EngineManifests {
  kubernetes: Emitted<NetworkPolicy>;
  /** One rule, in `spec` (never `specs`). */
  cilium: Emitted<CiliumPolicy & { spec: CiliumRule }>;
  calico: Emitted<CalicoPolicy>;
  clusternetworkpolicy: Emitted<ClusterNetworkPolicy>;
}

/** A manifest of any engine. */
export type Manifest = EngineManifests[EngineName];

export const WARNING_CODES = [
  /** The engine has no FQDN rule; the name's resolved IPs were used instead (they may change). */
  'fqdn-as-ips',
  /** The engine has no FQDN rule and no IP is known for the name: no rule was emitted. */
  'fqdn-unresolved',
  /** Host-network pods cannot be isolated by this engine: no policy was emitted. */
  'host-network-subject',
  /** No apiserver endpoint is known: the apiserver rule could not be emitted. */
  'apiserver-no-endpoints',
  /** No node IP is known: the node rule could not be emitted. */
  'nodes-no-ips',
  /** The peer has no equivalent in this engine/direction: no rule was emitted for it. */
  'peer-not-expressible',
  /** FQDN rules need DNS visibility: a DNS rule to the cluster DNS was added. */
  'dns-visibility-added',
  /** A rule of the direction could not be rendered: the direction is left open rather than cut (ClusterNetworkPolicy). */
  'direction-not-isolated',
  /** The engine has no ICMP rule: the observed ICMP echo is denied by the restricted direction (kubernetes, clusternetworkpolicy; cilium under enable-icmp-rules off). */
  'icmp-not-expressible',
  /** A port name of several numbers is rendered as those numbers, open on every pod the rule names (ClusterNetworkPolicy's standard channel has no named port). */
  'named-port-as-numbers',
  /** A port name of no known number is kept as a name, which only the experimental-channel CRD admits (ClusterNetworkPolicy destinationNamedPort). */
  'named-port-experimental',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface EmitWarning {
  code: WarningCode;
  engine: EngineName;
  /** The intent key. */
  intent: string;
  direction?: Direction;
  /** The rule's explanation id, when the warning is about one rule. */
  rule?: string;
  message: string;
}

export interface EmitResult<E extends EngineName = EngineName> {
  engine: E;
  /** Sorted by kind, namespace, name. */
  manifests: EngineManifests[E][];
  /** Sorted by intent, direction, rule, code, message. */
  warnings: EmitWarning[];
}

export interface EmitOptions {
  /** Calico `order` of each layer; the default-deny order defaults to the chart's 2000. */
  calicoOrder?: { shared?: number; allowlist?: number; defaultDeny?: number };
  /** ClusterNetworkPolicy priorities (0–1000), all in the Baseline tier. */
  cnpPriority?: { shared?: number; allowlist?: number; isolation?: number; defaultDeny?: number };
  /** Cilium's agent runs with `allow-localhost: policy`: every isolated ingress lets the `host` entity in (engines/cilium.ts). */
  ciliumLocalHostUnderPolicy?: boolean;
  /**
   * Cilium's agent runs with `policy-cidr-match-mode: nodes`: it matches a CIDR against node
   * addresses, the local host's among them. With `ciliumLocalHostUnderPolicy`, a NetworkPolicy
   * isolating ingress lets the nodes' addresses in where the pods were reached from their own
   * node (engines/kubernetes.ts).
   */
  ciliumCidrMatchesNodes?: boolean;
  /**
   * Cilium's agent runs with `enable-icmp-rules` off and refuses every rule with `icmps` (and so the
   * policy): the echo rules are left out, warned, as by the engines without ICMP rules (engines/cilium.ts).
   */
  ciliumIcmpRulesOff?: boolean;
  /**
   * The cluster runs Cilium (simulate/network-plugin.ts), which enforces the NetworkPolicies and
   * resolves an egress port name its own way: the kubernetes engine writes such a name as the
   * numbers it has on the rule's destinations, as the cilium engine does (named-ports-as-numbers.ts).
   */
  networkPoliciesOnCilium?: boolean;
}

export interface Engine<E extends EngineName = EngineName> {
  name: E;
  /** What it renders, for `--help` and docs. */
  renders: string;
  emit(set: PolicySet, options?: EmitOptions): EmitResult<E>;
}
