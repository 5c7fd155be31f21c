/**
 * Cilium's ICMP rules (cilium/cilium pkg/policy/api/icmp.go): an `icmps` field is a (family,
 * type) pair that the agent turns into a port rule — PortProtocol{Port: the type, Protocol: ICMP
 * or ICMPv6} — and matches as it matches ports, so the type is compared and the code never is.
 * `family` defaults to IPv4; `type` is a number 0-255 or, since Cilium 1.16, a CamelCase name of
 * that family's table below (a name the family lacks makes the agent refuse the policy:
 * ICMPField.UnmarshalJSON "ICMP type %s not found in %s").
 *
 * Type 0 is port 0 there, which the policy code reads as "every port": a rule naming ICMP type 0
 * (echo reply) matches every ICMP type of its family (cilium#41304, fixed by cilium#44338 in
 * releases after it), as every release this reads does.
 */
import type { IcmpProtocol } from '../../../domain/flow.ts';
import type { CiliumIcmpRule } from '../../engines/wire/cilium.ts';
import type { PortMatcher } from './ports.ts';

/** icmp.go icmpIpv4TypeNameToCode. */
const IPV4_TYPES: Readonly<Record<string, number>> = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  Redirect: 5,
  Echo: 8,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSelection: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
  Photuris: 40,
  ExtendedEchoRequest: 42,
  ExtendedEchoReply: 43,
};

/** icmp.go icmpIpv6TypeNameToCode. */
const IPV6_TYPES: Readonly<Record<string, number>> = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  MulticastListenerQuery: 130,
  MulticastListenerReport: 131,
  MulticastListenerDone: 132,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  RedirectMessage: 137,
  RouterRenumbering: 138,
  ICMPNodeInformationQuery: 139,
  ICMPNodeInformationResponse: 140,
  InverseNeighborDiscoverySolicitation: 141,
  InverseNeighborDiscoveryAdvertisement: 142,
  HomeAgentAddressDiscoveryRequest: 144,
  HomeAgentAddressDiscoveryReply: 145,
  MobilePrefixSolicitation: 146,
  MobilePrefixAdvertisement: 147,
  DuplicateAddressRequestCodeSuffix: 157,
  DuplicateAddressConfirmationCodeSuffix: 158,
  ExtendedEchoRequest: 160,
  ExtendedEchoReply: 161,
};

/** The ICMP protocol of a field's family (ICMPField.PortProtocol: IPv6 is ICMPv6, anything else ICMP). */
export function icmpFamilyProtocol(family: unknown): IcmpProtocol {
  return family === 'IPv6' ? 'ICMPv6' : 'ICMP';
}

/**
 * A field's type as a number: a number, digits, or a name of its family's table; undefined when
 * it is none of them (the agent refuses the policy, see above).
 */
export function icmpTypeNumber(type: unknown, family: unknown): number | undefined {
  if (typeof type === 'number') return Number.isInteger(type) && type >= 0 && type <= 255 ? type : undefined;
  if (typeof type !== 'string') return undefined;
  if (/^[0-9]+$/.test(type)) return icmpTypeNumber(Number(type), family);
  const table = family === 'IPv6' ? IPV6_TYPES : IPV4_TYPES;
  return Object.hasOwn(table, type) ? table[type] : undefined;
}

/** The rule's `icmps` as port matchers over ICMP types; undefined when it has none (the rule is then L3-only or L4). */
export function compileIcmps(icmps: readonly CiliumIcmpRule[] | undefined): PortMatcher[] | undefined {
  if (icmps === undefined || icmps.length === 0) return undefined;
  const out: PortMatcher[] = [];
  for (const f of icmps.flatMap((r) => r.fields ?? [])) {
    const type = icmpTypeNumber(f.type, f.family);
    if (type === undefined) continue;
    out.push({ kind: 'range', protocols: new Set([icmpFamilyProtocol(f.family)]), from: type === 0 ? 0 : type, to: type === 0 ? 255 : type });
  }
  return out;
}
