/**
 * CIDR blocks compiled once (ipaddr.js) and addresses parsed once per simulator, so a flow
 * costs a few integer comparisons per block instead of re-parsing text.
 */
import ipaddr from 'ipaddr.js';
import { memoByText } from '../../text-memo.ts';

export interface CompiledCidr {
  readonly text: string;
  readonly range: [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined;
}

/** A block with its holes (NetworkPolicy ipBlock: `cidr` minus every `except`). */
export interface CompiledBlock {
  readonly cidr: CompiledCidr;
  readonly except: readonly CompiledCidr[];
}

/**
 * Compiled blocks by text, shared by every simulator of the process: emitted policies repeat the
 * same blocks in many rules (an external peer's /32 in each rule of each workload that talks to
 * it), and ipaddr.parseCIDR tries IPv6 first, so an IPv4 block costs a thrown exception.
 * Compiled blocks are never changed, so sharing them is safe.
 */
export const compileCidr: (text: string) => CompiledCidr = memoByText(parseBlock, 100_000);

function parseBlock(text: string): CompiledCidr {
  try {
    return { text, range: ipaddr.parseCIDR(text) };
  } catch {
    // An invalid block matches nothing (the apiserver refuses it; admission reports it).
    return { text, range: undefined };
  }
}

export function compileBlock(cidr: string, except: readonly string[] = []): CompiledBlock {
  return { cidr: compileCidr(cidr), except: except.map(compileCidr) };
}

/**
 * An address, or a block of them: a folded edge's peer (`external:203.0.113.0/24`, docs/ingest.md
 * "Bounded by design") stands for some addresses of the block, which a rule allows only when it
 * allows the whole block.
 */
export type AddressRange = readonly [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses addresses once; IPv4-mapped IPv6 addresses count as their IPv4 address. */
export class AddressCache {
  private readonly cache = new Map<string, ipaddr.IPv4 | ipaddr.IPv6 | null>();
  private readonly ranges = new Map<string, AddressRange | null>();

  /** An address as a full-length range, or a block (`a/n`) as itself. */
  range(text: string): AddressRange | undefined {
    let r = this.ranges.get(text);
    if (r === undefined) {
      if (text.includes('/')) r = compileCidr(text).range ?? null;
      else {
        const a = this.get(text);
        r = a === undefined ? null : [a, a.kind() === 'ipv4' ? 32 : 128];
      }
      this.ranges.set(text, r);
    }
    return r ?? undefined;
  }

  get(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
    let a = this.cache.get(ip);
    if (a === undefined) {
      try {
        // IPv4 first: ipaddr.process tries IPv6 first, and most addresses are IPv4.
        a = ipaddr.IPv4.isValidFourPartDecimal(ip) ? ipaddr.IPv4.parse(ip) : ipaddr.process(ip);
      } catch {
        a = null;
      }
      this.cache.set(ip, a);
    }
    return a ?? undefined;
  }
}

export function cidrHas(c: CompiledCidr, addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (!c.range || c.range[0].kind() !== addr.kind()) return false;
  return addr.match(c.range);
}

/** Every address of `r` is in `c`. */
export function cidrCovers(c: CompiledCidr, r: AddressRange): boolean {
  const [addr, bits] = r;
  return c.range !== undefined && c.range[0].kind() === addr.kind() && bits >= c.range[1] && addr.match(c.range);
}

/** Some address of `r` is in `c`. */
export function cidrTouches(c: CompiledCidr, r: AddressRange): boolean {
  const [addr, bits] = r;
  if (c.range === undefined || c.range[0].kind() !== addr.kind()) return false;
  return bits >= c.range[1] ? addr.match(c.range) : c.range[0].match(addr, bits);
}

/** Every address of `r` is in the block: inside its `cidr`, and no `except` overlaps it. */
export function blockCovers(b: CompiledBlock, r: AddressRange): boolean {
  return cidrCovers(b.cidr, r) && !b.except.some((x) => cidrTouches(x, r));
}
