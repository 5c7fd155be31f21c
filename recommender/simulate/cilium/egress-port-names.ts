/**
 * Whether any policy Cilium enforces names an egress port by name: only then can the agent's
 * reading of egress port names (domain/cilium-release.ts EgressNamedPortReading) change a verdict.
 * Cilium's own rules (`egress`, `egressDeny` toPorts), NetworkPolicies (a string `port`) and
 * ClusterNetworkPolicies (`destinationNamedPort`) alike.
 */
import { isPlainObject } from '../../../domain/plain-object.ts';
import { isCiliumPolicy } from '../../engines/wire/cilium.ts';
import { namesEgressPorts } from './network-policy-ports.ts';
import { isServiceName } from './ports.ts';

export function namesEgressPortsOnCilium(policies: readonly unknown[]): boolean {
  return policies.some(namesEgressPortOnCilium);
}

/** Whether this policy names an egress port by name. */
export function namesEgressPortOnCilium(policy: unknown): boolean {
  if (isCiliumPolicy(policy)) return ciliumRules(policy).some(ciliumRuleNamesEgressPort);
  return namesEgressPorts([policy]) || clusterNetworkPolicyNamesEgressPort(policy);
}

function ciliumRules(p: { spec?: unknown; specs?: unknown }): unknown[] {
  return [...(p.spec !== undefined ? [p.spec] : []), ...(Array.isArray(p.specs) ? p.specs : [])];
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function ciliumRuleNamesEgressPort(rule: unknown): boolean {
  if (!isPlainObject(rule)) return false;
  return [...list(rule.egress), ...list(rule.egressDeny)].some(
    (r) => isPlainObject(r) && list(r.toPorts).some((pr) => isPlainObject(pr) && list(pr.ports).some((port) => isPlainObject(port) && typeof port.port === 'string' && isServiceName(port.port))),
  );
}

function clusterNetworkPolicyNamesEgressPort(p: unknown): boolean {
  if (!isPlainObject(p) || p.kind !== 'ClusterNetworkPolicy' || !isPlainObject(p.spec)) return false;
  return list(p.spec.egress).some((r) => isPlainObject(r) && list(r.protocols).some((proto) => isPlainObject(proto) && typeof proto.destinationNamedPort === 'string'));
}
