import type { Namespace, Node } from '../../domain/inventory.ts';
import { isCidr } from '../../domain/ip.ts';
import { readObject } from './metadata.ts';
import type { RawObject } from './parse.ts';
import { compareStrings } from '../../domain/order.ts';

export function toNode(raw: RawObject): Node {
  const { r, meta } = readObject(raw, 'cluster');
  const spec = r.optObj('spec');
  let cidrs = new Set(spec?.checkedStrings('podCIDRs', 'a CIDR such as 10.244.0.0/24', isCidr) ?? []);
  const single = spec?.optCidr('podCIDR');
  // Both given and the first differs: podCIDR is authoritative, as the API server converts it
  // (kubernetes pkg/apis/core/v1/conversion.go, Convert_v1_NodeSpec_To_core_NodeSpec).
  if (single && cidrs.size > 0 && cidrs.values().next().value !== single) cidrs = new Set([single]);
  if (single) cidrs.add(single);
  const addresses = (r.optObj('status')?.objects('addresses') ?? [])
    .map((a) => {
      const type = a.str('type');
      // InternalIP / ExternalIP are addresses; Hostname, InternalDNS, ExternalDNS are names.
      return { type, address: type.endsWith('IP') ? a.ip('address') : a.str('address') };
    })
    .sort((a, b) => compareStrings(a.type, b.type) || compareStrings(a.address, b.address));
  return {
    name: meta.name,
    labels: meta.labels,
    addresses,
    podCIDRs: [...cidrs].sort(),
    ...(meta.createdAt !== undefined ? { since: meta.createdAt } : {}),
  };
}

export function toNamespace(raw: RawObject): Namespace {
  const { meta } = readObject(raw, 'cluster');
  return { name: meta.name, labels: meta.labels };
}
