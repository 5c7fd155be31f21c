/**
 * A NetworkPolicy `ipBlock` CIDR as the Kubernetes API server reads it, for the applied policies
 * of a cluster and the manifests given to `simulate`.
 *
 * kubernetes/kubernetes pkg/apis/networking/validation ValidateIPBlock checks each `cidr` and
 * `except` with IsValidCIDRForLegacyField (pkg/api/validation/ip.go) and reads it with
 * netutils.ParseCIDRSloppy. Without strict validation (the StrictIPCIDRValidation gate: alpha and
 * off in 1.33, beta and on from 1.36, KEP-4858; objects already stored are kept by ratcheting) it
 * accepts, with a warning (GetWarningsForCIDR), two forms other parsers read differently:
 * - leading zeros (`010.0.0.0/8`, `10.0.0.0/08`): ParseCIDRSloppy is Go's net.ParseCIDR from
 *   before 1.17 (k8s.io/utils internal/third_party/forked/golang/net), whose parseIPv4 reads every
 *   octet in decimal: 010 is 10. libc-based software and ipaddr.js read it as octal (8), Go's
 *   net and netip since 1.17 refuse it (IsValidIPForLegacyField's comment; CVE-2021-29923);
 * - an IPv4-mapped IPv6 address (`::ffff:10.0.0.0/104`): Go's net.IPNet of it, once masked, is the
 *   IPv4 block (IPNet.Contains and String go through networkNumberAndMask: To4 of the network and
 *   the mask's last 4 bytes), 10.0.0.0/8, which IPv4 addresses are matched against; with a prefix
 *   under 96 the mask clears the ffff and the block is IPv6. Parsers that keep it IPv6
 *   (ipaddr.js, netip) match no IPv4 address with it.
 * flowmatrix reads them as the API server does and says so; its own manifests never hold either
 * (the kubernetes admission check refuses them in the verification).
 */
import { ADDRESS_BITS, formatCidr, formatIp, isIpv4Mapped, parseIp, prefixMask, type Cidr, type IpAddress } from './ip.ts';
import { isPlainObject } from './plain-object.ts';

/** A dotted quad as Go's parseIPv4 before 1.17 reads it: its value and whether an octet has a leading 0. */
export interface DottedQuad {
  value: bigint;
  leadingZeros: boolean;
}

/** Go's dtoi reads any run of digits; parseIPv4 then refuses an octet over 255. */
const DOTTED_QUAD = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;

/**
 * A dotted quad as k8s.io/utils/net ParseIPSloppy reads it (vendor/k8s.io/utils/net/parse.go:
 * Go's net.ParseIP "except that it allows leading '0' characters on numbers ... for compat with
 * potential stored values"): four runs of decimal digits, each at most 255, a leading 0 ignored.
 * Hand-rolled because no library reads it so: ipaddr.js (like libc) reads a leading 0 as octal
 * and takes `10.1` and `0x0a.0.0.1`, netip refuses a leading 0 (test/unit/legacy-cidr.test.ts
 * checks it against ipaddr.js where the two must agree). Undefined for anything else.
 */
export function readDottedQuad(text: string): DottedQuad | undefined {
  const m = DOTTED_QUAD.exec(text);
  if (!m) return undefined;
  let value = 0n;
  let leadingZeros = false;
  for (const octet of m.slice(1) as string[]) {
    const n = Number(octet);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
    leadingZeros ||= hasLeadingZero(octet);
  }
  return { value, leadingZeros };
}

/** A run of digits netip refuses and ParseIPSloppy reads: `010`, `08`, `00`. */
export function hasLeadingZero(digits: string): boolean {
  return digits.length > 1 && digits.startsWith('0');
}

/** An IPv6 address ending in a dotted quad (`::ffff:010.0.0.1`), read by the same parseIPv4. */
const IPV6_QUAD_TAIL = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/;
const MAY_HAVE_LEADING_ZERO = /(?:^|[./])0\d/;

/** An address as ParseIPSloppy reads it, and whether its dotted quad (IPv4, or an IPv6 tail) has a leading 0. */
function readSloppyIp(text: string): { address: IpAddress; leadingZeros: boolean } | undefined {
  const quad = readDottedQuad(text);
  if (quad) return { address: { family: 4, value: quad.value }, leadingZeros: quad.leadingZeros };
  if (!text.includes(':')) return undefined;
  const tail = IPV6_QUAD_TAIL.exec(text);
  if (!tail) {
    const address = parseIp(text);
    return address && { address, leadingZeros: false };
  }
  // The tail rewritten in the standard form the strict parse takes.
  const tailQuad = readDottedQuad(tail[2]!);
  const address = tailQuad && parseIp(`${tail[1]}${formatIp(4, tailQuad.value)}`);
  return address && { address, leadingZeros: tailQuad.leadingZeros };
}

export type NonStandardForm = 'leading-zeros' | 'ipv4-mapped';

/** What GetWarningsForCIDR says of a non-standard CIDR: the form to use (its ipnet.String()) and why. */
export interface NonStandardCidr {
  standard: string;
  form: NonStandardForm;
}

/** An ipBlock CIDR as netutils.ParseCIDRSloppy reads it, read once for every question asked of it. */
export interface LegacyCidr {
  /** The network net.IPNet matches: host bits cleared, an IPv4-mapped block of prefix 96 or more the IPv4 block it maps. */
  network: Cidr;
  /** The prefix length as written (the IPNet's Mask.Size(): 104 for `::ffff:10.0.0.0/104`). */
  maskLength: number;
  /** Set where the API server stores it with a warning (one netip.ParsePrefix refuses, or an IPv4-mapped one). */
  nonStandard?: NonStandardCidr;
}

/** Undefined for what ParseCIDRSloppy refuses (what the API server refuses whatever the gate). */
export function readLegacyCidr(text: string): LegacyCidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const prefixText = text.slice(slash + 1);
  const read = readSloppyIp(text.slice(0, slash));
  if (!read || !/^\d+$/.test(prefixText)) return undefined;
  const maskLength = Number(prefixText);
  if (maskLength > ADDRESS_BITS[read.address.family]) return undefined;
  const network = ipNetNetwork(read.address, maskLength);
  // netip's Is4In6 is of the address as written (before the mask).
  const form: NonStandardForm | undefined = read.leadingZeros || hasLeadingZero(prefixText) ? 'leading-zeros' : isIpv4Mapped(read.address) ? 'ipv4-mapped' : undefined;
  return { network, maskLength, ...(form ? { nonStandard: { standard: formatCidr(network), form } } : {}) };
}

/** The block a net.IPNet matches (IPNet.Contains and String go through networkNumberAndMask: To4 of the masked network). */
function ipNetNetwork(address: IpAddress, maskLength: number): Cidr {
  const base = address.value & prefixMask(address.family, maskLength);
  // To4 of the masked network: its bits 32..47 are still ffff only with a prefix of 96 or more.
  if (isIpv4Mapped({ family: address.family, value: base })) return { family: 4, base: base & 0xffff_ffffn, prefix: maskLength - 96 };
  return { family: address.family, base, prefix: maskLength };
}

/**
 * netutils.ParseCIDRSloppy's network, as net.IPNet matches it: leading zeros decimal, host bits
 * cleared, an IPv4-mapped block of prefix 96 or more the IPv4 block it maps. Undefined for what it
 * refuses (what the API server refuses whatever the gate).
 */
export function parseLegacyCidr(text: string): Cidr | undefined {
  return readLegacyCidr(text)?.network;
}

/**
 * A CIDR the API server stores with a warning that it is non-standard (GetWarningsForCIDR: one
 * ParseCIDRSloppy reads and netip.ParsePrefix refuses, or an IPv4-mapped one), with the form that
 * warning says to use (its ipnet.String()); undefined for any other text.
 */
export function nonStandardCidr(text: string): NonStandardCidr | undefined {
  // Most blocks are standard IPv4 ones: one test, no parse.
  if (!text.includes(':') && !MAY_HAVE_LEADING_ZERO.test(text)) return undefined;
  return readLegacyCidr(text)?.nonStandard;
}

/** An ipBlock CIDR's text as the API server reads it: a non-standard one's standard form, any other as written. */
export function apiServerCidr(text: string): string {
  return nonStandardCidr(text)?.standard ?? text;
}

const HOW_READ: Record<NonStandardForm, { apiServer: string; plugins: string }> = {
  'leading-zeros': { apiServer: 'leading zeros as decimal', plugins: 'a leading 0 as octal' },
  'ipv4-mapped': { apiServer: 'an IPv4-mapped IPv6 block as the IPv4 block it maps', plugins: 'as IPv6, matching no IPv4 address' },
};

/** How a non-standard CIDR is read here and elsewhere, and what to write instead. */
export function nonStandardReading(n: NonStandardCidr): string {
  const how = HOW_READ[n.form];
  return `read as ${n.standard}, as the API server reads it (${how.apiServer}); network plugins may read it otherwise (${how.plugins}) or refuse it: write ${JSON.stringify(n.standard)}`;
}

export interface NonStandardIpBlockCidr extends NonStandardCidr {
  /** Field path from the object's root: `['spec', 'egress', 0, 'to', 1, 'ipBlock', 'cidr']`. */
  path: (string | number)[];
  value: string;
}

const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** Every ipBlock `cidr` and `except` of a NetworkPolicy spec the API server stores as non-standard, in document order. */
export function networkPolicyNonStandardCidrs(spec: unknown): NonStandardIpBlockCidr[] {
  if (!isPlainObject(spec)) return [];
  const out: NonStandardIpBlockCidr[] = [];
  const check = (value: unknown, path: (string | number)[]): void => {
    const n = typeof value === 'string' ? nonStandardCidr(value) : undefined;
    if (n) out.push({ path, value: value as string, ...n });
  };
  for (const [dir, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
    list(spec[dir]).forEach((rule, i) => {
      if (!isPlainObject(rule)) return;
      list(rule[field]).forEach((peer, j) => {
        if (!isPlainObject(peer) || !isPlainObject(peer.ipBlock)) return;
        const at = ['spec', dir, i, field, j, 'ipBlock'];
        check(peer.ipBlock.cidr, [...at, 'cidr']);
        list(peer.ipBlock.except).forEach((e, k) => check(e, [...at, 'except', k]));
      });
    });
  }
  return out;
}
