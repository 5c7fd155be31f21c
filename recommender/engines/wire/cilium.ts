/**
 * The cilium.io/v2 CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy wire format: the part
 * flowmatrix emits or reads, field names exactly as the CRD (cilium/cilium pkg/policy/api
 * rule.go, ingress.go, egress.go, l4.go, cidr.go, fqdn.go, entity.go). Every field is optional
 * as it is on the wire: manifests come from users as well as from our emitter, and the
 * simulator and the admission checks must read whatever the CRD accepts.
 */

export const CILIUM_API_VERSION = 'cilium.io/v2';
export const CNP_KIND = 'CiliumNetworkPolicy';
export const CCNP_KIND = 'CiliumClusterwideNetworkPolicy';

/** The label Cilium gives every pod for its namespace (pkg/k8s/apis/cilium.io const.go PodNamespaceLabel). */
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
/** Prefix of the namespace labels Cilium copies onto every pod (PodNamespaceMetaLabelsPrefix). */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
/** The pod's service account (PolicyLabelServiceAccount). */
export const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
/** The cluster name (PolicyLabelCluster). */
export const CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';

export type CiliumSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface CiliumSelectorRequirement {
  key: string;
  operator: CiliumSelectorOperator;
  values?: string[];
}

/** EndpointSelector (selector.go): a Kubernetes label selector whose keys may carry a `source:` prefix. */
export interface CiliumEndpointSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: CiliumSelectorRequirement[];
}

/** The entities of entity.go's EntitySelectorMapping (the CRD's enum). */
export const CILIUM_ENTITIES = ['all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver'] as const;
export type CiliumEntity = (typeof CILIUM_ENTITIES)[number];

export type CiliumProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY';

/** PortProtocol (l4.go): `port` is a number as a string ("0" = every port), or a port name. */
export interface CiliumPortProtocol {
  port?: string;
  endPort?: number;
  protocol?: CiliumProtocol | string;
}

/**
 * FQDNSelector (fqdn.go): the items of `toFQDNs` and of the DNS L7 rules. The CRD accepts exactly
 * one of the two (recommender/schemas/datreeio-cilium.io-ciliumnetworkpolicy_v2.schema.json,
 * `egress[].toFQDNs.items.oneOf`).
 */
export interface CiliumFqdnSelector {
  /** A literal DNS name (a trailing `.` is added when missing). */
  matchName?: string;
  /** Wildcards: `*` within a label, a leading `**.` for one or more labels. */
  matchPattern?: string;
}

/** L7Rules (l4.go): at most one kind per port rule. */
export interface CiliumL7Rules {
  http?: unknown[];
  kafka?: unknown[];
  dns?: CiliumFqdnSelector[];
  l7proto?: string;
  l7?: unknown[];
}

export interface CiliumPortRule {
  ports?: CiliumPortProtocol[];
  rules?: CiliumL7Rules;
  serverNames?: string[];
  terminatingTLS?: unknown;
  originatingTLS?: unknown;
  listener?: { name?: string; envoyConfig?: unknown };
}

/** PortDenyRule: ports only, no L7. */
export interface CiliumPortDenyRule {
  ports?: CiliumPortProtocol[];
}

/** CIDRRule (cidr.go): exactly one of cidr, cidrGroupRef, cidrGroupSelector. */
export interface CiliumCidrRule {
  cidr?: string;
  cidrGroupRef?: string;
  cidrGroupSelector?: CiliumEndpointSelector;
  except?: string[];
}

export interface CiliumIcmpRule {
  fields?: { type?: number | string; family?: string }[];
}

/** The peer fields ingress and ingressDeny rules share (IngressCommonRule). */
export interface CiliumIngressCommon {
  fromEndpoints?: CiliumEndpointSelector[];
  fromRequires?: CiliumEndpointSelector[];
  fromCIDR?: string[];
  fromCIDRSet?: CiliumCidrRule[];
  fromEntities?: CiliumEntity[];
  fromNodes?: CiliumEndpointSelector[];
  fromGroups?: unknown[];
  icmps?: CiliumIcmpRule[];
}

export interface CiliumIngressRule extends CiliumIngressCommon {
  toPorts?: CiliumPortRule[];
  authentication?: { mode?: string };
}

export interface CiliumIngressDenyRule extends CiliumIngressCommon {
  toPorts?: CiliumPortDenyRule[];
}

export interface CiliumServiceSelector {
  k8sService?: { serviceName?: string; namespace?: string };
  k8sServiceSelector?: { selector?: CiliumEndpointSelector; namespace?: string };
}

/** The peer fields egress and egressDeny rules share (EgressCommonRule). */
export interface CiliumEgressCommon {
  toEndpoints?: CiliumEndpointSelector[];
  toRequires?: CiliumEndpointSelector[];
  toCIDR?: string[];
  toCIDRSet?: CiliumCidrRule[];
  toEntities?: CiliumEntity[];
  toServices?: CiliumServiceSelector[];
  toGroups?: unknown[];
  toNodes?: CiliumEndpointSelector[];
  icmps?: CiliumIcmpRule[];
}

export interface CiliumEgressRule extends CiliumEgressCommon {
  toFQDNs?: CiliumFqdnSelector[];
  toPorts?: CiliumPortRule[];
  authentication?: { mode?: string };
}

export interface CiliumEgressDenyRule extends CiliumEgressCommon {
  toPorts?: CiliumPortDenyRule[];
}

/** Rule (rule.go): one of endpointSelector / nodeSelector. */
export interface CiliumRule {
  endpointSelector?: CiliumEndpointSelector;
  nodeSelector?: CiliumEndpointSelector;
  ingress?: CiliumIngressRule[];
  ingressDeny?: CiliumIngressDenyRule[];
  egress?: CiliumEgressRule[];
  egressDeny?: CiliumEgressDenyRule[];
  /** Absent direction: default deny when the rule has rules of that direction (Rule.Sanitize). */
  enableDefaultDeny?: { ingress?: boolean; egress?: boolean };
  labels?: unknown[];
  description?: string;
}

export interface CiliumPolicyMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A CNP (namespaced) or CCNP (cluster-wide): one rule in `spec` and/or several in `specs`. */
export interface CiliumPolicy {
  apiVersion: typeof CILIUM_API_VERSION;
  kind: typeof CNP_KIND | typeof CCNP_KIND;
  metadata: CiliumPolicyMetadata;
  spec?: CiliumRule;
  specs?: CiliumRule[];
}

export function isCiliumPolicy(m: unknown): m is CiliumPolicy {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  return o.apiVersion === CILIUM_API_VERSION && (o.kind === CNP_KIND || o.kind === CCNP_KIND);
}

/** The rules of a policy with the JSON pointer of each (`/spec` or `/specs/<i>`). */
export function policyRules(p: CiliumPolicy): { rule: CiliumRule; pointer: string }[] {
  const out: { rule: CiliumRule; pointer: string }[] = [];
  if (p.spec) out.push({ rule: p.spec, pointer: '/spec' });
  (p.specs ?? []).forEach((rule, i) => out.push({ rule, pointer: `/specs/${i}` }));
  return out;
}
