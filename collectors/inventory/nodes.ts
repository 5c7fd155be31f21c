import { CNI_ADDRESS, type Namespace, type Node, type NodeAddress } from '../../domain/inventory.ts';
import { canonicalIp, isCidr, isIpAddress } from '../../domain/ip.ts';
import type { FieldReader } from './fields.ts';
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
  const addresses = [
    ...(r.optObj('status')?.objects('addresses') ?? []).map((a) => {
      const type = a.str('type');
      // InternalIP / ExternalIP are addresses; Hostname, InternalDNS, ExternalDNS are names.
      return { type, address: type.endsWith('IP') ? a.ip('address') : a.str('address') };
    }),
    ...cniAddresses(r.obj('metadata').optObj('annotations')),
  ].sort((a, b) => compareStrings(a.type, b.type) || compareStrings(a.address, b.address));
  return {
    name: meta.name,
    labels: meta.labels,
    addresses,
    podCIDRs: [...cidrs].sort(),
    ...(meta.createdAt !== undefined ? { since: meta.createdAt } : {}),
  };
}

/** The annotations the CNIs write a node's own addresses in (domain/inventory.ts CNI_ADDRESS). */
const CNI_ADDRESS_ANNOTATIONS = [
  'projectcalico.org/IPv4IPIPTunnelAddr',
  'projectcalico.org/IPv4VXLANTunnelAddr',
  'projectcalico.org/IPv6VXLANTunnelAddr',
  'projectcalico.org/IPv4WireguardInterfaceAddr',
  'projectcalico.org/IPv6WireguardInterfaceAddr',
  'network.cilium.io/ipv4-cilium-host',
  'network.cilium.io/ipv6-cilium-host',
];

/**
 * The CNI's addresses of the node. An annotation that holds no address is left out, not the
 * node: it is the CNI's bookkeeping, and the node matters more than one of its extra addresses.
 */
function cniAddresses(annotations: FieldReader | undefined): NodeAddress[] {
  const out = new Map<string, NodeAddress>();
  for (const key of CNI_ADDRESS_ANNOTATIONS) {
    const value = annotations?.raw(key);
    if (typeof value !== 'string' || !isIpAddress(value)) continue;
    const address = canonicalIp(value);
    out.set(address, { type: CNI_ADDRESS, address });
  }
  return [...out.values()];
}

export function toNamespace(raw: RawObject): Namespace {
  const { meta } = readObject(raw, 'cluster');
  return { name: meta.name, labels: meta.labels };
}
