/**
 * What an engine emitter returns: manifests (plain objects in their wire shape, ready for the
 * YAML serializer and the schema check) plus typed warnings for what the engine cannot say.
 */
import type { Direction, PolicySet } from '../policy/ir.ts';

export const ENGINE_NAMES = ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy'] as const;
/** docs/design.md §4 (contract). */
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface ManifestMetadata {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ManifestMetadata;
  spec: Record<string, unknown>;
}

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

export interface EmitResult {
  engine: EngineName;
  /** Sorted by kind, namespace, name. */
  manifests: Manifest[];
  /** Sorted by intent, direction, rule, code, message. */
  warnings: EmitWarning[];
}

export interface EmitOptions {
  /** Calico `order` of each layer; the default-deny order defaults to the chart's 2000. */
  calicoOrder?: { shared?: number; allowlist?: number; defaultDeny?: number };
  /** ClusterNetworkPolicy priorities (0–1000), all in the Baseline tier. */
  cnpPriority?: { shared?: number; allowlist?: number; isolation?: number; defaultDeny?: number };
}

export interface Engine {
  name: EngineName;
  /** What it renders, for `--help` and docs. */
  renders: string;
  emit(set: PolicySet, options?: EmitOptions): EmitResult;
}
