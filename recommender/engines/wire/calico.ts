/**
 * projectcalico.org/v3 wire types: NetworkPolicy, GlobalNetworkPolicy and Tier, the fields
 * flowmatrix emits or reads, named exactly as the API (projectcalico/api
 * pkg/apis/projectcalico/v3: policy_common.go Rule/EntityRule, networkpolicy.go,
 * globalnetworkpolicy.go, tier.go). Everything optional that the API leaves optional.
 */

export const CALICO_API_VERSION = 'projectcalico.org/v3';

export type CalicoAction = 'Allow' | 'Deny' | 'Log' | 'Pass';
export type CalicoPolicyType = 'Ingress' | 'Egress';
/** numorstring.Port: a number, `"start:end"`, or a named port. */
export type CalicoPort = number | string;
/** numorstring.Protocol: TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255. */
export type CalicoProtocol = string | number;

export interface CalicoServiceAccountMatch {
  names?: string[];
  selector?: string;
}

export interface CalicoServiceMatch {
  name: string;
  /** Defaults to the policy's namespace; required in a GlobalNetworkPolicy. */
  namespace?: string;
}

export interface CalicoEntityRule {
  nets?: string[];
  notNets?: string[];
  selector?: string;
  notSelector?: string;
  namespaceSelector?: string;
  ports?: CalicoPort[];
  notPorts?: CalicoPort[];
  serviceAccounts?: CalicoServiceAccountMatch;
  services?: CalicoServiceMatch;
}

export interface CalicoIcmpFields {
  type?: number;
  code?: number;
}

export interface CalicoHttpMatch {
  methods?: string[];
  paths?: Record<string, string>[];
}

export interface CalicoRule {
  action: CalicoAction;
  protocol?: CalicoProtocol;
  notProtocol?: CalicoProtocol;
  ipVersion?: 4 | 6;
  icmp?: CalicoIcmpFields;
  notICMP?: CalicoIcmpFields;
  source?: CalicoEntityRule;
  destination?: CalicoEntityRule;
  http?: CalicoHttpMatch;
  metadata?: { annotations?: Record<string, string> };
}

export interface CalicoPolicySpecCommon {
  /** Tier name; `default` when absent. */
  tier?: string;
  /** Lower first; absent = after every ordered policy of the tier. */
  order?: number;
  /** Endpoints the policy applies to; `all()` when absent. */
  selector?: string;
  serviceAccountSelector?: string;
  types?: CalicoPolicyType[];
  ingress?: CalicoRule[];
  egress?: CalicoRule[];
}

export type CalicoNetworkPolicySpec = CalicoPolicySpecCommon;

export interface CalicoGlobalNetworkPolicySpec extends CalicoPolicySpecCommon {
  namespaceSelector?: string;
  doNotTrack?: boolean;
  preDNAT?: boolean;
  applyOnForward?: boolean;
}

export interface CalicoMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface CalicoNetworkPolicy {
  apiVersion: typeof CALICO_API_VERSION;
  kind: 'NetworkPolicy';
  metadata: CalicoMetadata;
  spec: CalicoNetworkPolicySpec;
}

export interface CalicoGlobalNetworkPolicy {
  apiVersion: typeof CALICO_API_VERSION;
  kind: 'GlobalNetworkPolicy';
  metadata: CalicoMetadata;
  spec: CalicoGlobalNetworkPolicySpec;
}

export interface CalicoTier {
  apiVersion: typeof CALICO_API_VERSION;
  kind: 'Tier';
  metadata: CalicoMetadata;
  spec: { order?: number; defaultAction?: 'Deny' | 'Pass' };
}

export type CalicoPolicy = CalicoNetworkPolicy | CalicoGlobalNetworkPolicy;

/** libcalico-go lib/apis/v3/hostendpoint.go HostEndpointSpec: the interfaces of a node Calico polices (`*`: all of them). */
export interface CalicoHostEndpoint {
  apiVersion: typeof CALICO_API_VERSION;
  kind: 'HostEndpoint';
  metadata: CalicoMetadata;
  spec: { node?: string; interfaceName?: string; expectedIPs?: string[]; profiles?: string[] };
}

/** felix's ProtoPort (FelixConfiguration failsafeInboundHostPorts / failsafeOutboundHostPorts): a port of a protocol, optionally only to or from `net`. */
export interface CalicoProtoPort {
  protocol?: string;
  port: number;
  net?: string;
}

/** The profile kube-controllers gives auto host endpoints: allow-all ingress and egress (reference/resources/hostendpoint). */
export const CALICO_DEFAULT_ALLOW_PROFILE = 'projectcalico-default-allow';

/** Labels Calico adds to workload endpoints and namespace/service-account profiles (apiv3 Label* constants). */
export const CALICO_LABEL_NAMESPACE = 'projectcalico.org/namespace';
export const CALICO_LABEL_ORCHESTRATOR = 'projectcalico.org/orchestrator';
export const CALICO_LABEL_SERVICE_ACCOUNT = 'projectcalico.org/serviceaccount';
/** On a namespace's (and service account's) profile: its name. */
export const CALICO_LABEL_NAME = 'projectcalico.org/name';
/**
 * The prefixes under which a workload endpoint inherits its namespace's and its ServiceAccount's
 * profile labels (libcalico-go lib/backend/k8s/conversion constants.go NamespaceLabelPrefix,
 * ServiceAccountLabelPrefix): `pcns.team`, `pcns.projectcalico.org/name`, `pcsa.projectcalico.org/name`.
 */
export const CALICO_NAMESPACE_LABEL_PREFIX = 'pcns.';
export const CALICO_SERVICE_ACCOUNT_LABEL_PREFIX = 'pcsa.';
