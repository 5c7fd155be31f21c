/**
 * Calico's GlobalNetworkSet and NetworkSet objects (domain/calico-network-sets.ts), checked at the
 * door as the API server checks them (the name a DNS subdomain and the labels Kubernetes labels, as
 * Calico's validateObjectMeta also requires: libcalico-go lib/validator/v3/validator.go). Kept as stored,
 * beside the applied policies: the calico simulator matches rule selectors against them
 * (recommender/simulate/calico/network-sets.ts).
 *
 * A set labelled `projectcalico.org/namespace`, which the validator refuses, is kept likewise: the
 * CRD checks no label, and felix reads the set with its labels (a NetworkSet's that label replaced
 * by its namespace, networksetprocessor.go).
 *
 * An entry of `spec.nets` that is no CIDR or address (the `cidr` tag: cnet.ParseCIDROrIP) does not
 * cost the set: the CRD stores any string there (config/crd/crd.projectcalico.org_globalnetworksets.yaml,
 * `items: type: string`), and what the cluster lists, felix reads — leaving that entry out and
 * matching the set's other nets (updateprocessors/globalnetworksetprocessor.go: "Invalid CIDR",
 * continue). The set is kept whole as stored (the simulator leaves the entry out) with a warning.
 */
import type { AppliedPolicy } from '../../domain/inventory.ts';
import { NETWORK_SET_KEYS } from '../../domain/calico-network-sets.ts';
import { parseCidrOrIp } from '../../domain/ip.ts';
import { readObject } from './metadata.ts';
import { storedObject } from './policies.ts';
import type { RawObject } from './parse.ts';

/** The label Calico gives a namespaced set in felix's data model, which the v3 objects may not carry. */
const NAMESPACE_LABEL = 'projectcalico.org/namespace';

const GLOBAL_NETWORK_SET_SYNCER = ', as felix leaves it out (libcalico-go updateprocessors/globalnetworksetprocessor.go: "Invalid CIDR")';

/**
 * A NetworkSet's bad entry is not skipped by Calico's syncer as a GlobalNetworkSet's is:
 * networksetprocessor.go logs "Invalid CIDR" and appends the failed parse all the same.
 */
const NETWORK_SET_SYNCER =
  "; but Calico's syncer does not skip such an entry of a NetworkSet (libcalico-go updateprocessors/networksetprocessor.go appends the failed parse, which can stop Typha or felix from syncing): fix or remove it";

/**
 * The network set as stored, and a warning for each entry of `spec.nets` left out (naming the
 * object, the field and the value); throws InventoryInputError naming a field that costs the whole
 * set (the API server would refuse the object).
 */
export function toNetworkSet(raw: RawObject): { set: AppliedPolicy; warnings: string[] } {
  const { r, meta, label } = readObject(raw, NETWORK_SET_KEYS[raw.key] ?? 'cluster');
  // Strings: the CRD schema (and the v3 type, []string) refuses anything else, so no such object exists.
  const nets = r.optObj('spec')?.strings('nets') ?? [];
  const warnings: string[] = [];
  if (Object.hasOwn(meta.labels, NAMESPACE_LABEL)) warnings.push(`${label}: metadata.labels.${NAMESPACE_LABEL}: ${JSON.stringify(meta.labels[NAMESPACE_LABEL])}: Calico's validator refuses this label ("${NAMESPACE_LABEL} is not a valid label name", Calico validate${raw.kind}), but the CRD stores it: kept as felix reads it (${raw.kind === 'NetworkSet' ? "networksetprocessor.go sets the label to the set's own namespace" : 'globalnetworksetprocessor.go keeps it as one of the set\'s labels'})`);
  nets.forEach((n, i) => {
    if (parseCidrOrIp(n) !== undefined) return;
    warnings.push(
      `${label}: spec.nets[${i}]: expected a CIDR or an address (Calico: cnet.ParseCIDROrIP), got the string ${JSON.stringify(n)}: left out of the set, its other nets kept${raw.kind === 'NetworkSet' ? NETWORK_SET_SYNCER : GLOBAL_NETWORK_SET_SYNCER}`,
    );
  });
  return { set: storedObject(raw, meta), warnings };
}
