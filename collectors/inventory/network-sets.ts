/**
 * Calico's GlobalNetworkSet and NetworkSet objects (domain/calico-network-sets.ts), checked at the
 * door as Calico's validator checks them (libcalico-go lib/validator/v3/validator.go: the name a
 * DNS subdomain and the labels Kubernetes labels (validateObjectMeta); validateGlobalNetworkSet /
 * validateNetworkSet: "projectcalico.org/namespace is not a valid label name"). Kept as stored,
 * beside the applied policies: the calico simulator matches rule selectors against them
 * (recommender/simulate/calico/network-sets.ts).
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
 * set (Calico or the API server would refuse the object).
 */
export function toNetworkSet(raw: RawObject): { set: AppliedPolicy; warnings: string[] } {
  const { r, meta, label } = readObject(raw, NETWORK_SET_KEYS[raw.key] ?? 'cluster');
  if (Object.hasOwn(meta.labels, NAMESPACE_LABEL)) r.obj('metadata').obj('labels').fail(NAMESPACE_LABEL, `no such label ("${NAMESPACE_LABEL} is not a valid label name", Calico validate${raw.kind})`, meta.labels[NAMESPACE_LABEL]);
  // Strings: the CRD schema (and the v3 type, []string) refuses anything else, so no such object exists.
  const nets = r.optObj('spec')?.strings('nets') ?? [];
  const warnings: string[] = [];
  nets.forEach((n, i) => {
    if (parseCidrOrIp(n) !== undefined) return;
    warnings.push(
      `${label}: spec.nets[${i}]: expected a CIDR or an address (Calico: cnet.ParseCIDROrIP), got the string ${JSON.stringify(n)}: left out of the set, its other nets kept${raw.kind === 'NetworkSet' ? NETWORK_SET_SYNCER : GLOBAL_NETWORK_SET_SYNCER}`,
    );
  });
  return { set: storedObject(raw, meta), warnings };
}
