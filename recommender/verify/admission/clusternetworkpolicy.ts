/**
 * What the apiserver refuses in the policy.networking.k8s.io cluster-scoped policies beyond
 * their JSON schema: the CEL rules (x-kubernetes-validations) of the CRDs of
 * kubernetes-sigs/network-policy-api, each named with the kubebuilder marker it comes from:
 *
 * ClusterNetworkPolicy v1alpha2 (config/crd/{standard,experimental}/policy.networking.k8s.io_clusternetworkpolicies.yaml,
 * apis/v1alpha2/clusternetworkpolicy_types.go):
 * - PortRange: `self.start < self.end` ("Start port must be less than End port");
 * - CIDR (egress `networks`): `isCIDR(self)` ("Invalid CIDR format provided");
 * - ClusterNetworkPolicyEgressRule: no `destinationNamedPort` in a rule with a networks, nodes
 *   or domainNames peer — an `<network-policy-api:experimental:validation>` marker: only the
 *   experimental channel's CRD carries it (the standard one, recommender/schemas/HEAD-standard-…,
 *   has the two rules above only), so the error says so (VerifyError.crdChannel).
 *
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1 (apis/v1alpha1/*_types.go, v0.1.x):
 * - BaselineAdminNetworkPolicy: `self.metadata.name == 'default'`;
 * - CIDR: `isCIDR(self)` (PortRange says "must be less than End" in prose only: no rule);
 * - AdminNetworkPolicyEgressRule / BaselineAdminNetworkPolicyEgressRule: no `namedPort` in a
 *   rule with a networks or nodes peer (`namedPort` itself is an experimental-channel field).
 *
 * Also checked, though the CRD schema carries it too (kubebuilder Minimum=0 / Maximum=1000 on
 * `spec.priority` of ClusterNetworkPolicy and AdminNetworkPolicy): the priority range, so a
 * manifest checked without the schema is still refused. The CRD has no rule tying actions to
 * tiers (Pass is valid in both; in the Baseline tier it goes on to the default allow). Enums,
 * list lengths and "exactly one field" are left to the schema.
 */
import { isAdminNetworkPolicy, isBaselineAdminNetworkPolicy, isClusterNetworkPolicy } from '../../engines/wire/clusternetworkpolicy.ts';
import type { VerifyError } from '../types.ts';
import { celIsCidr } from './k8s-syntax.ts';
import type { Direction } from '../../../domain/direction.ts';
import { isPlainObject, itemsOf } from '../../../domain/plain-object.ts';

type Obj = Record<string, unknown>;

const RANGE_MESSAGE = 'Start port must be less than End port';

/** Whether a port range the CEL rule refuses (start not below end); an absent range is none. */
function badRange(range: unknown): boolean {
  return isPlainObject(range) && !(Number(range.start) < Number(range.end));
}

const L4_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

function networksErrors(peers: readonly unknown[], field: string, rulePath: string): VerifyError[] {
  const out: VerifyError[] = [];
  peers.forEach((peer, j) => {
    if (!isPlainObject(peer)) return;
    itemsOf(peer.networks).forEach((c, k) => {
      if (!celIsCidr(String(c))) out.push({ path: `${rulePath}/${field}/${j}/networks/${k}`, message: 'Invalid CIDR format provided' });
    });
  });
  return out;
}

function cnpRuleErrors(rule: Obj, direction: Direction, path: string): VerifyError[] {
  const field = direction === 'ingress' ? 'from' : 'to';
  const peers = itemsOf(rule[field]);
  const out = networksErrors(peers, field, path);
  const protocols = itemsOf(rule.protocols);
  protocols.forEach((p, j) => {
    if (!isPlainObject(p)) return;
    for (const l4 of L4_PROTOCOLS) {
      const dp = isPlainObject(p[l4]) ? (p[l4] as Obj).destinationPort : undefined;
      if (isPlainObject(dp) && badRange(dp.range)) out.push({ path: `${path}/protocols/${j}/${l4}/destinationPort/range`, message: RANGE_MESSAGE });
    }
  });
  if (direction === 'egress') {
    const addressPeer = peers.some((peer) => isPlainObject(peer) && (peer.networks !== undefined || peer.nodes !== undefined || peer.domainNames !== undefined));
    const named = protocols.some((p) => isPlainObject(p) && p.destinationNamedPort !== undefined);
    if (addressPeer && named) out.push({ path, message: 'networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames', crdChannel: 'experimental' });
  }
  return out;
}

function anpRuleErrors(rule: Obj, direction: Direction, path: string): VerifyError[] {
  const field = direction === 'ingress' ? 'from' : 'to';
  const peers = itemsOf(rule[field]);
  const out = networksErrors(peers, field, path);
  const ports = itemsOf(rule.ports);
  if (direction === 'egress') {
    const addressPeer = peers.some((peer) => isPlainObject(peer) && (peer.networks !== undefined || peer.nodes !== undefined));
    const named = ports.some((p) => isPlainObject(p) && p.namedPort !== undefined);
    if (addressPeer && named) out.push({ path, message: 'networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes' });
  }
  return out;
}

/** The CRDs' CEL checks for one manifest; [] for kinds other than CNP, ANP and BANP. */
export function admissionErrorsClusterNetworkPolicy(manifest: unknown): VerifyError[] {
  const v1alpha2 = isClusterNetworkPolicy(manifest);
  if (!v1alpha2 && !isAdminNetworkPolicy(manifest) && !isBaselineAdminNetworkPolicy(manifest)) return [];
  const m = manifest as unknown as Obj;
  const spec = isPlainObject(m.spec) ? m.spec : {};
  const out: VerifyError[] = [];
  if (isBaselineAdminNetworkPolicy(manifest) && (isPlainObject(m.metadata) ? m.metadata.name : undefined) !== 'default') {
    out.push({ path: '/metadata/name', message: 'Only one baseline admin network policy with metadata.name="default" can be created in the cluster' });
  }
  if (!isBaselineAdminNetworkPolicy(manifest)) {
    const p = spec.priority;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 1000) out.push({ path: '/spec/priority', message: `${JSON.stringify(p)}: must be an integer from 0 to 1000` });
  }
  for (const direction of ['ingress', 'egress'] as const) {
    itemsOf(spec[direction]).forEach((rule, i) => {
      if (!isPlainObject(rule)) return;
      const path = `/spec/${direction}/${i}`;
      for (const error of v1alpha2 ? cnpRuleErrors(rule, direction, path) : anpRuleErrors(rule, direction, path)) out.push(error);
    });
  }
  return out;
}
