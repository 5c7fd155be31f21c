/**
 * networking.k8s.io/v1 NetworkPolicy as the API serves it (field names exactly as
 * k8s.io/api/networking/v1 types.go). Every optional field is optional here too: the simulator
 * and the admission checks read manifests written by anyone, not only flowmatrix's output.
 */
import type { LabelSelector } from '../../../domain/inventory.ts';

export const NETWORK_POLICY_API_VERSION = 'networking.k8s.io/v1';
export const NETWORK_POLICY_KIND = 'NetworkPolicy';

export type NetworkPolicyType = 'Ingress' | 'Egress';

export interface IPBlock {
  cidr: string;
  except?: string[];
}

/** Exactly one of ipBlock, or podSelector and/or namespaceSelector (validation enforces it). */
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  /** TCP (default), UDP or SCTP. */
  protocol?: string;
  /** A number, or the name of a container port on the destination pod (IANA_SVC_NAME). */
  port?: number | string;
  /** Last port of a range starting at `port` (numeric only). */
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  ports?: NetworkPolicyPort[];
  from?: NetworkPolicyPeer[];
}

export interface NetworkPolicyEgressRule {
  ports?: NetworkPolicyPort[];
  to?: NetworkPolicyPeer[];
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
  policyTypes?: NetworkPolicyType[];
}

export interface NetworkPolicy {
  apiVersion: typeof NETWORK_POLICY_API_VERSION;
  kind: typeof NETWORK_POLICY_KIND;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: NetworkPolicySpec;
}

export function isNetworkPolicy(x: unknown): x is NetworkPolicy {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  return m.apiVersion === NETWORK_POLICY_API_VERSION && m.kind === NETWORK_POLICY_KIND;
}
