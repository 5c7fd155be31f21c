/**
 * Calico's GlobalNetworkSet and NetworkSet objects (domain/calico-network-sets.ts), checked at the
 * door as Calico's validator checks them (libcalico-go lib/validator/v3/validator.go: the name a
 * DNS subdomain and the labels Kubernetes labels (validateObjectMeta); `spec.nets` each a CIDR or
 * an address, not strictly masked (the `cidr` tag: cnet.ParseCIDROrIP); validateGlobalNetworkSet /
 * validateNetworkSet: "projectcalico.org/namespace is not a valid label name"). Kept as stored,
 * beside the applied policies: the calico simulator matches rule selectors against them
 * (recommender/simulate/calico/network-sets.ts).
 */
import type { AppliedPolicy } from '../../domain/inventory.ts';
import { NETWORK_SET_KEYS } from '../../domain/calico-network-sets.ts';
import { parseCidrOrIp } from '../../domain/ip.ts';
import { readObject } from './metadata.ts';
import { storedObject } from './policies.ts';
import type { RawObject } from './parse.ts';

/** The label Calico gives a namespaced set in felix's data model, which the v3 objects may not carry. */
const NAMESPACE_LABEL = 'projectcalico.org/namespace';

/** The network set as stored; throws InventoryInputError naming the field Calico would refuse. */
export function toNetworkSet(raw: RawObject): AppliedPolicy {
  const { r, meta } = readObject(raw, NETWORK_SET_KEYS[raw.key] ?? 'cluster');
  if (Object.hasOwn(meta.labels, NAMESPACE_LABEL)) r.obj('metadata').obj('labels').fail(NAMESPACE_LABEL, `no such label ("${NAMESPACE_LABEL} is not a valid label name", Calico validate${raw.kind})`, meta.labels[NAMESPACE_LABEL]);
  r.optObj('spec')?.checkedStrings('nets', 'a CIDR or an address (Calico: cnet.ParseCIDROrIP)', (n) => parseCidrOrIp(n) !== undefined);
  return storedObject(raw, meta);
}
