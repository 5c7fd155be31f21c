/**
 * IP addresses and CIDR blocks, one name per meaning, for every layer (flow resolution, the
 * store, matrices, policies, engines, verification).
 *
 * Parsing, validation and formatting are ipaddr.js's, restricted to the strict textual forms
 * Kubernetes accepts: four-part decimal IPv4 (no `010.0.0.1`, `10.1`, `0x0a.0.0.1`) and IPv6
 * without a zone (`fe80::1%eth0`). Containment, subtraction and ordering are done here on
 * bigints: ipaddr.js matches an address against a range but cannot subtract or order blocks, and
 * one representation for all three keeps them consistent (test/unit/ip.test.ts checks them
 * against ipaddr.js's own `match`).
 */
import ipaddr from 'ipaddr.js';

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

/** A CIDR block: `base` is the network address (host bits cleared). */
export interface Cidr {
  family: IpFamily;
  base: bigint;
  prefix: number;
}

/** An address's width in bits, by family. */
export const ADDRESS_BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

/**
 * ipaddr.js reads the deprecated IPv4-compatible form `::a.b.c.d` as the IPv4-mapped address
 * `::ffff:a.b.c.d`, a different address; RFC 4291 §2.4 and §2.5.5.1 (and node's and Go's parsers)
 * read it as `::a.b.c.d`, so that one form is built here from its IPv4 tail.
 */
const IPV4_COMPATIBLE = /^::(\d{1,3}(?:\.\d{1,3}){3})$/;

function parseStrict(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  const compatible = IPV4_COMPATIBLE.exec(text);
  if (compatible) {
    const tail = compatible[1] as string;
    if (!ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
    const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets as [number, number, number, number];
    return new ipaddr.IPv6([0, 0, 0, 0, 0, 0, (a << 8) | b, (c << 8) | d]);
  }
  if (!text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

function fromBytes(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function toBytes(family: IpFamily, value: bigint): number[] {
  const bytes: number[] = [];
  for (let shift = ADDRESS_BITS[family] - 8; shift >= 0; shift -= 8) bytes.push(Number((value >> BigInt(shift)) & 0xffn));
  return bytes;
}

/** `10.0.0.1` → family 4; `fd00::1` → family 6; anything else (`:::`, `fffff::1`, `10.1`) → undefined. */
export function parseIp(text: string): IpAddress | undefined {
  const addr = parseStrict(text);
  if (!addr) return undefined;
  return { family: addr.kind() === 'ipv4' ? 4 : 6, value: fromBytes(addr.toByteArray()) };
}

export function isIpAddress(text: string): boolean {
  return parseStrict(text) !== undefined;
}

export function ipFamily(text: string): IpFamily | undefined {
  return parseIp(text)?.family;
}

/** The canonical text (IPv6 lower-case and compressed as RFC 5952 says). */
export function formatIp(family: IpFamily, value: bigint): string {
  return ipaddr.fromByteArray(toBytes(family, value)).toString();
}

/**
 * An address already checked (`isIpAddress`) as flows and the inventory are stored and matched
 * by: IPv4 as given (the strict parse admits only its canonical dotted quad), IPv6 canonical
 * (RFC 5952), and an IPv4-mapped IPv6 address as the IPv4 address it maps (RFC 4291 §2.5.5.2:
 * the same host on the wire). So `2001:DB8::7` and `2001:db8::7`, or `::ffff:10.0.0.1` and
 * `10.0.0.1`, are one peer each, not two. Throws on an invalid IPv6 address.
 */
export function storedAddress(text: string): string {
  if (!text.includes(':')) return text;
  const a = parseIp(text);
  if (!a) throw new Error(`invalid IP address "${text}"`);
  if (isIpv4Mapped(a)) return formatIp(4, a.value & 0xffff_ffffn);
  return formatIp(6, a.value);
}

/** `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2): an IPv6 address whose bits 32..47 are ffff and the rest above them 0. */
export function isIpv4Mapped(a: IpAddress): boolean {
  return a.family === 6 && a.value >> 32n === 0xffffn;
}

/** `FD00:0::1` → `fd00::1`; throws on an invalid address. */
export function canonicalIp(text: string): string {
  const a = parseIp(text);
  if (!a) throw new Error(`invalid IP address "${text}"`);
  return formatIp(a.family, a.value);
}

/** An address with a port as text: `10.0.0.1:443`, `[fd00::1]:443` (RFC 5952 §6: `fd00::1:443` would read as one address). */
export function addressWithPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * `10.0.0.1` → `10.0.0.1/32`, `fd00::1` → `fd00::1/128`; throws on an invalid address. A block
 * (`203.0.113.0/24`, what ingest folds external addresses into past its edge cap) is the block
 * it names, canonical.
 */
export function hostCidr(ip: string): string {
  if (ip.includes('/')) {
    const c = parseCidr(ip);
    if (!c) throw new Error(`invalid IP address "${ip}"`);
    return formatCidr(c);
  }
  const a = parseIp(ip);
  if (!a) throw new Error(`invalid IP address "${ip}"`);
  return `${formatIp(a.family, a.value)}/${ADDRESS_BITS[a.family]}`;
}

/** The network mask of a prefix length: `prefixMask(4, 8)` is 0xff000000n. */
export function prefixMask(family: IpFamily, prefix: number): bigint {
  const total = ADDRESS_BITS[family];
  return ((1n << BigInt(total)) - 1n) ^ ((1n << BigInt(total - prefix)) - 1n);
}

/** `a.b.c.d/n` or `x::/n` (the prefix is required); undefined when invalid. Host bits are cleared. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!addr || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > ADDRESS_BITS[addr.family]) return undefined;
  return { family: addr.family, base: addr.value & prefixMask(addr.family, prefix), prefix };
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.family, c.base)}/${c.prefix}`;
}

/** The canonical text of a CIDR (host bits cleared, IPv6 compressed); throws on invalid input. */
export function canonicalCidr(text: string): string {
  const c = parseCidr(text);
  if (!c) throw new Error(`invalid CIDR "${text}"`);
  return formatCidr(c);
}

/** Every address of `inner` is in `outer` (a block contains itself). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.prefix >= outer.prefix && (inner.base & prefixMask(outer.family, outer.prefix)) === outer.base;
}

/** `ip` is an address inside `cidr` (false for an invalid address or the other family). */
export function cidrContainsIp(cidr: Cidr, ip: string): boolean {
  const a = parseIp(ip);
  return a !== undefined && a.family === cidr.family && (a.value & prefixMask(cidr.family, cidr.prefix)) === cidr.base;
}

/** Numeric order: IPv4 before IPv6, then by address, then by prefix length. Invalid text sorts last. */
export function compareCidrs(a: string, b: string): number {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) return x ? -1 : y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  return x.family - y.family || (x.base < y.base ? -1 : x.base > y.base ? 1 : x.prefix - y.prefix);
}

/**
 * `cidr` minus every block of `except`, as a minimal list of CIDRs in `compareCidrs` order. Used
 * where an engine has no `except` (ClusterNetworkPolicy `networks`), so the hole is kept instead
 * of over-allowing. Throws on invalid input.
 */
export function subtractCidrs(cidr: string, except: string[]): string[] {
  const outer = parseCidr(cidr);
  if (!outer) throw new Error(`invalid CIDR "${cidr}"`);
  let pieces: Cidr[] = [outer];
  for (const e of except) {
    const hole = parseCidr(e);
    if (!hole) throw new Error(`invalid CIDR "${e}"`);
    const next: Cidr[] = [];
    for (const p of pieces) {
      if (cidrContains(hole, p)) continue;
      if (!cidrContains(p, hole)) {
        next.push(p);
        continue;
      }
      // Walk from p down to the hole, keeping the sibling half at each level.
      let cur = p;
      while (cur.prefix < hole.prefix) {
        const prefix = cur.prefix + 1;
        const bit = 1n << BigInt(ADDRESS_BITS[cur.family] - prefix);
        const low: Cidr = { family: cur.family, base: cur.base, prefix };
        const high: Cidr = { family: cur.family, base: cur.base | bit, prefix };
        const holeInHigh = (hole.base & bit) !== 0n;
        next.push(holeInHigh ? low : high);
        cur = holeInHigh ? high : low;
      }
    }
    pieces = next;
  }
  return pieces
    .sort((a, b) => a.family - b.family || (a.base < b.base ? -1 : a.base > b.base ? 1 : a.prefix - b.prefix))
    .map(formatCidr);
}

/**
 * The blocks no host is addressed by, for `firstHostAddress`: what ipaddr.js's `range()` names
 * `unspecified`, `loopback`, `multicast` and `broadcast` (IPv4 0.0.0.0/8 — "this network", a
 * source only, RFC 1122 §3.2.1.3 —, 127.0.0.0/8, 224.0.0.0/4, 255.255.255.255; IPv6 ::, ::1,
 * ff00::/8: RFC 4291 §2.5.2, §2.5.3, §2.7).
 */
const NON_HOST_BLOCKS: Record<IpFamily, Cidr[]> = {
  4: ['0.0.0.0/8', '127.0.0.0/8', '224.0.0.0/4', '255.255.255.255/32'].map((c) => parseCidr(c)!),
  6: ['::/128', '::1/128', 'ff00::/8'].map((c) => parseCidr(c)!),
};

const blockSize = (c: Cidr): bigint => 1n << BigInt(ADDRESS_BITS[c.family] - c.prefix);

/**
 * The addresses of a block of more than two addresses no host is given: IPv4's network and
 * broadcast address; IPv6's first, the Subnet-Router anycast address (RFC 4291 §2.6.1: IPv6 has
 * no broadcast, its last address is a host's). None of a /31 or /32 (RFC 3021), a /127 (RFC 6164)
 * or /128.
 */
function blockEnds(c: Cidr): bigint[] {
  if (ADDRESS_BITS[c.family] - c.prefix < 2) return [];
  return c.family === 4 ? [c.base, c.base + blockSize(c) - 1n] : [c.base];
}

/**
 * The first address of `cidr` outside `holes` that a host can hold — to stand for the block as a
 * peer: the first block of what is left of it once `holes` and the blocks no host is addressed by
 * (NON_HOST_BLOCKS) are taken out (`subtractCidrs` order), past its network address where it holds
 * more than two; never the network or broadcast address of `cidr` itself (blockEnds). Undefined when none is
 * left; throws on an invalid CIDR.
 */
export function firstHostAddress(cidr: string, holes: readonly string[]): string | undefined {
  const outer = parseCidr(cidr);
  if (!outer) throw new Error(`invalid CIDR "${cidr}"`);
  const outerEnds = blockEnds(outer);
  for (const text of subtractCidrs(cidr, [...holes, ...NON_HOST_BLOCKS[outer.family].map(formatCidr)])) {
    const piece = parseCidr(text)!;
    const last = piece.base + blockSize(piece) - 1n;
    const avoid = new Set([...outerEnds, ...blockEnds(piece)]);
    let a = piece.base;
    while (a <= last && avoid.has(a)) a++;
    if (a <= last) return formatIp(piece.family, a);
  }
  return undefined;
}

/** The covering block of `prefix` bits (capped at the family's width) around an address: `203.0.113.7`, 24 → `203.0.113.0/24`. */
export function coveringCidr(ip: string, prefix: number): string | undefined {
  const a = parseIp(ip);
  if (!a) return undefined;
  const p = Math.min(prefix, ADDRESS_BITS[a.family]);
  return formatCidr({ family: a.family, base: a.value & prefixMask(a.family, p), prefix: p });
}

/** An address standing for a peer that is an address or a folded block: the block's first address. */
export function peerAddress(ipOrCidr: string): string {
  if (!ipOrCidr.includes('/')) return ipOrCidr;
  const c = parseCidr(ipOrCidr);
  return c ? formatIp(c.family, c.base) : ipOrCidr;
}

/** An address or a block (`external:` and `unknown:` peers hold either). */
export function isIpOrCidr(text: string): boolean {
  return parseCidrOrIp(text) !== undefined;
}

/** A block, or an address as the block of it alone (`10.0.0.1` → 10.0.0.1/32, `fd00::1` → /128); undefined when neither. */
export function parseCidrOrIp(text: string): Cidr | undefined {
  if (text.includes('/')) return parseCidr(text);
  const a = parseIp(text);
  return a === undefined ? undefined : { family: a.family, base: a.value, prefix: ADDRESS_BITS[a.family] };
}

/*
 * Addresses and blocks as ipaddr.js reads them, for the simulators and admission checks. A
 * policy a cluster already holds, or one given to `simulate`, may spell an address in a form the
 * strict parse above refuses (`10.1`, a zone, `::a.b.c.d` read as IPv4-mapped); these matchers
 * read it as they always have, so their verdicts do not depend on which parse a module chose.
 * Matching stays on ipaddr.js's objects: a flow tests a few blocks, parsed once.
 */

/** An address in ipaddr.js's form. */
export type LenientAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** `[address, prefix length]`, ipaddr.js's CIDR range: the address keeps its host bits. */
export type LenientRange = readonly [LenientAddress, number];

/** Any address ipaddr.js reads (`ipaddr.parse`), IPv4-mapped IPv6 kept as IPv6; undefined when it reads none. */
export function parseLenientIp(text: string): LenientAddress | undefined {
  // Four-part decimal first: ipaddr.parse tries IPv6 first, and most addresses are IPv4.
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  try {
    return ipaddr.parse(text);
  } catch {
    return undefined;
  }
}

/** An IPv4-mapped IPv6 address as the IPv4 address it maps (as `ipaddr.process` does); any other address as it is. */
export function unmapIpv4(a: LenientAddress): LenientAddress {
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

/** `a/n` as `ipaddr.parseCIDR` reads it (the address as `parseLenientIp`, never unmapped); undefined when it reads none. */
export function parseLenientCidr(text: string): LenientRange | undefined {
  try {
    return ipaddr.parseCIDR(text);
  } catch {
    return undefined;
  }
}

/** The address as a block of itself: /32 or /128. */
export function hostRange(a: LenientAddress): LenientRange {
  return [a, a.kind() === 'ipv4' ? 32 : 128];
}

/** Every address of `r` is in `block` (same family, at least as long a prefix, inside it). */
export function rangeCovers(block: LenientRange, r: LenientRange): boolean {
  return block[0].kind() === r[0].kind() && r[1] >= block[1] && r[0].match(block[0], block[1]);
}

/** Some address of `r` is in `block`: one of the two holds the other. */
export function rangeTouches(block: LenientRange, r: LenientRange): boolean {
  if (block[0].kind() !== r[0].kind()) return false;
  return r[1] >= block[1] ? r[0].match(block[0], block[1]) : block[0].match(r[0], r[1]);
}
