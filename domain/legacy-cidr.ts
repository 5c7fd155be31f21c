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
import { formatCidr, parseIp, type Cidr, type IpAddress } from './ip.ts';
import { isPlainObject } from './plain-object.ts';

/** Go's dtoi reads any run of digits; parseIPv4 then refuses an octet over 255. */
const SLOPPY_IPV4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;
/** An IPv6 address ending in a dotted quad (`::ffff:010.0.0.1`), read by the same parseIPv4. */
const SLOPPY_IPV4_TAIL = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/;
const MAY_HAVE_LEADING_ZERO = /(?:^|[./])0\d/;

function sloppyIpv4(text: string): bigint | undefined {
  const m = SLOPPY_IPV4.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return BigInt(octets.reduce((acc, o) => acc * 256 + o, 0));
}

function sloppyIp(text: string): IpAddress | undefined {
  const v4 = sloppyIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  if (!text.includes(':')) return undefined;
  const tail = SLOPPY_IPV4_TAIL.exec(text);
  if (!tail) return parseIp(text);
  const quad = sloppyIpv4(tail[2]!);
  if (quad === undefined) return undefined;
  const written = `${tail[1]}${[24n, 16n, 8n, 0n].map((s) => String((quad >> s) & 0xffn)).join('.')}`;
  return parseIp(written);
}

const BITS = { 4: 32, 6: 128 } as const;

/**
 * netutils.ParseCIDRSloppy's network, as net.IPNet matches it: leading zeros decimal, host bits
 * cleared, an IPv4-mapped block of prefix 96 or more the IPv4 block it maps. Undefined for what it
 * refuses (what the API server refuses whatever the gate).
 */
export function parseLegacyCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const prefixText = text.slice(slash + 1);
  const addr = sloppyIp(text.slice(0, slash));
  if (!addr || !/^\d+$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = BITS[addr.family];
  if (prefix > bits) return undefined;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const base = addr.value & ~hostMask;
  // To4 of the masked network: its bits 32..47 are still ffff only with a prefix of 96 or more.
  if (addr.family === 6 && base >> 32n === 0xffffn) return { family: 4, base: base & 0xffff_ffffn, prefix: prefix - 96 };
  return { family: addr.family, base, prefix };
}

export type NonStandardForm = 'leading-zeros' | 'ipv4-mapped';

/**
 * A CIDR the API server stores with a warning that it is non-standard (GetWarningsForCIDR: one
 * ParseCIDRSloppy reads and netip.ParsePrefix refuses, or an IPv4-mapped one), with the form that
 * warning says to use (its ipnet.String()); undefined for any other text.
 */
export function nonStandardCidr(text: string): { standard: string; form: NonStandardForm } | undefined {
  // Most blocks are standard IPv4 ones: one test, no parse.
  if (!text.includes(':') && !MAY_HAVE_LEADING_ZERO.test(text)) return undefined;
  const read = parseLegacyCidr(text);
  if (!read) return undefined;
  const slash = text.indexOf('/');
  const addr = text.slice(0, slash);
  if (hasLeadingZeros(addr, text.slice(slash + 1))) return { standard: formatCidr(read), form: 'leading-zeros' };
  // netip's Is4In6, of the address as written (before the mask).
  const written = sloppyIp(addr);
  if (written?.family === 6 && written.value >> 32n === 0xffffn) return { standard: formatCidr(read), form: 'ipv4-mapped' };
  return undefined;
}

/** What netip.ParsePrefix refuses and ParseCIDRSloppy reads: a dotted-quad octet or the prefix length with a leading 0 (IPv6 hex groups may have them). */
function hasLeadingZeros(addr: string, prefix: string): boolean {
  const quad = SLOPPY_IPV4.test(addr) ? addr : SLOPPY_IPV4_TAIL.exec(addr)?.[2];
  return [...(quad?.split('.') ?? []), prefix].some((p) => p.length > 1 && p.startsWith('0'));
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
export function nonStandardReading(n: { standard: string; form: NonStandardForm }): string {
  const how = HOW_READ[n.form];
  return `read as ${n.standard}, as the API server reads it (${how.apiServer}); network plugins may read it otherwise (${how.plugins}) or refuse it: write ${JSON.stringify(n.standard)}`;
}

export interface NonStandardIpBlockCidr {
  /** Field path from the object's root: `['spec', 'egress', 0, 'to', 1, 'ipBlock', 'cidr']`. */
  path: (string | number)[];
  value: string;
  standard: string;
  form: NonStandardForm;
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
