/**
 * policy.networking.k8s.io cluster-scoped policies, field names exactly as upstream
 * (kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go for
 * ClusterNetworkPolicy; apis/v1alpha1/{adminnetworkpolicy,baselineadminnetworkpolicy,shared}_types.go
 * for the AdminNetworkPolicy and BaselineAdminNetworkPolicy clusters run today). Every field
 * optional: the simulator and admission checks read manifests from anyone.
 */
import type { LabelSelector } from '../../../domain/inventory.ts';

export const POLICY_GROUP = 'policy.networking.k8s.io';
export const CNP_API_VERSION = 'policy.networking.k8s.io/v1alpha2';
export const CNP_KIND = 'ClusterNetworkPolicy';
export const ANP_API_VERSION = 'policy.networking.k8s.io/v1alpha1';
export const ANP_KIND = 'AdminNetworkPolicy';
export const BANP_KIND = 'BaselineAdminNetworkPolicy';

export type CnpTier = 'Admin' | 'Baseline';
export type CnpAction = 'Accept' | 'Deny' | 'Pass';

/** Pods in namespaces: namespaceSelector (empty = all) AND podSelector (empty = all). */
export interface NamespacedPod {
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
}

/** Exactly one field set (CRD maxProperties/minProperties 1). */
export interface CnpSubject {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
}

export interface CnpIngressPeer {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
}

export interface CnpEgressPeer {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
  /** Experimental channel. */
  nodes?: LabelSelector;
  networks?: string[];
  /** Experimental channel; Accept rules only. */
  domainNames?: string[];
}

export interface CnpPort {
  number?: number;
  range?: { start: number; end: number };
}

/** Exactly one field set. */
export interface CnpProtocol {
  tcp?: { destinationPort?: CnpPort };
  udp?: { destinationPort?: CnpPort };
  sctp?: { destinationPort?: CnpPort };
  /** Experimental channel. */
  destinationNamedPort?: string;
}

export interface CnpIngressRule {
  name?: string;
  action: CnpAction;
  from: CnpIngressPeer[];
  protocols?: CnpProtocol[];
}

export interface CnpEgressRule {
  name?: string;
  action: CnpAction;
  to: CnpEgressPeer[];
  protocols?: CnpProtocol[];
}

export interface ClusterNetworkPolicy {
  apiVersion: typeof CNP_API_VERSION;
  kind: typeof CNP_KIND;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    tier: CnpTier;
    priority: number;
    subject: CnpSubject;
    ingress?: CnpIngressRule[];
    egress?: CnpEgressRule[];
  };
}

// --- v1alpha1 ---

export type AnpAction = 'Allow' | 'Deny' | 'Pass';
export type BanpAction = 'Allow' | 'Deny';

/** Exactly one field set. `protocol` defaults to TCP. */
export interface AnpPort {
  portNumber?: { protocol?: string; port: number };
  namedPort?: string;
  portRange?: { protocol?: string; start: number; end: number };
}

export interface AnpIngressRule<A extends string = AnpAction> {
  name?: string;
  action: A;
  from: CnpIngressPeer[];
  ports?: AnpPort[];
}

export interface AnpEgressRule<A extends string = AnpAction> {
  name?: string;
  action: A;
  to: { namespaces?: LabelSelector; pods?: NamespacedPod; nodes?: LabelSelector; networks?: string[] }[];
  ports?: AnpPort[];
}

export interface AdminNetworkPolicy {
  apiVersion: typeof ANP_API_VERSION;
  kind: typeof ANP_KIND;
  metadata: { name: string };
  spec: { priority: number; subject: CnpSubject; ingress?: AnpIngressRule[]; egress?: AnpEgressRule[] };
}

/** A singleton: the CRD only admits the name `default`. */
export interface BaselineAdminNetworkPolicy {
  apiVersion: typeof ANP_API_VERSION;
  kind: typeof BANP_KIND;
  metadata: { name: 'default' };
  spec: { subject: CnpSubject; ingress?: AnpIngressRule<BanpAction>[]; egress?: AnpEgressRule<BanpAction>[] };
}

const hasKind = (x: unknown, apiVersion: string, kind: string): boolean =>
  typeof x === 'object' && x !== null && (x as Record<string, unknown>).apiVersion === apiVersion && (x as Record<string, unknown>).kind === kind;

export const isClusterNetworkPolicy = (x: unknown): x is ClusterNetworkPolicy => hasKind(x, CNP_API_VERSION, CNP_KIND);
export const isAdminNetworkPolicy = (x: unknown): x is AdminNetworkPolicy => hasKind(x, ANP_API_VERSION, ANP_KIND);
export const isBaselineAdminNetworkPolicy = (x: unknown): x is BaselineAdminNetworkPolicy => hasKind(x, ANP_API_VERSION, BANP_KIND);
