/**
 * CIDR arithmetic for policy peers: validation (the CEL `isCIDR` check the JSON schemas do not
 * enforce), host blocks for single addresses, and subtraction for engines without `except`.
 */
import { isIP } from 'node:net';

export interface Cidr {
  version: 4 | 6;
  /** Network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

function bits(version: 4 | 6): number {
  return version === 4 ? 32 : 128;
}

function parseAddress(ip: string): { version: 4 | 6; value: bigint } | undefined {
  const v = isIP(ip);
  if (v === 4) {
    const value = ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { version: 4, value };
  }
  if (v === 6) {
    let text = ip;
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4?.[1]) {
      const n = parseAddress(v4[1])!.value;
      text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head = '', tail] = text.split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
    return { version: 6, value };
  }
  return undefined;
}

function formatAddress(version: 4 | 6, value: bigint): string {
  if (version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // RFC 5952: compress the longest run (length ≥ 2) of zero groups.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Parses `a.b.c.d/n` or `x::/n`; undefined when invalid (bad address, prefix out of range). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddress(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!addr || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > bits(addr.version)) return undefined;
  return { version: addr.version, base: addr.value & mask(addr.version, prefix), prefix };
}

function mask(version: 4 | 6, prefix: number): bigint {
  const total = bits(version);
  return ((1n << BigInt(total)) - 1n) ^ ((1n << BigInt(total - prefix)) - 1n);
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

export function isIpAddress(text: string): boolean {
  return isIP(text) !== 0;
}

export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.version, c.base)}/${c.prefix}`;
}

/** The canonical text of a CIDR (host bits cleared, IPv6 compressed); throws on invalid input. */
export function canonicalCidr(text: string): string {
  const c = parseCidr(text);
  if (!c) throw new Error(`invalid CIDR "${text}"`);
  return formatCidr(c);
}

/** `10.0.0.1` → `10.0.0.1/32`, `fd00::1` → `fd00::1/128`. */
export function hostCidr(ip: string): string {
  const a = parseAddress(ip);
  if (!a) throw new Error(`invalid IP address "${ip}"`);
  return `${formatAddress(a.version, a.value)}/${bits(a.version)}`;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.version === inner.version && inner.prefix >= outer.prefix && (inner.base & mask(outer.version, outer.prefix)) === outer.base;
}

/**
 * `cidr` minus every block of `except`, as a minimal sorted list of CIDRs. Used where an engine
 * has no `except` (ClusterNetworkPolicy `networks`), so the hole is kept instead of over-allowing.
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
        const bit = 1n << BigInt(bits(cur.version) - prefix);
        const low: Cidr = { version: cur.version, base: cur.base, prefix };
        const high: Cidr = { version: cur.version, base: cur.base | bit, prefix };
        const holeInHigh = (hole.base & bit) !== 0n;
        next.push(holeInHigh ? low : high);
        cur = holeInHigh ? high : low;
      }
    }
    pieces = next;
  }
  return pieces
    .sort((a, b) => a.version - b.version || (a.base < b.base ? -1 : a.base > b.base ? 1 : a.prefix - b.prefix))
    .map(formatCidr);
}

export function cidrVersion(text: string): 4 | 6 | undefined {
  return parseCidr(text)?.version;
}

/** Numeric order: IPv4 before IPv6, then by address, then by prefix length. Invalid text sorts last. */
export function compareCidrs(a: string, b: string): number {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) return x ? -1 : y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  return x.version - y.version || (x.base < y.base ? -1 : x.base > y.base ? 1 : x.prefix - y.prefix);
}
