/**
 * CIDR blocks compiled once and addresses parsed once per simulator (domain/ip.ts, as ipaddr.js
 * reads them), so a flow costs a few integer comparisons per block instead of re-parsing text.
 */
import { hostRange, parseLenientCidr, parseLenientIp, rangeCovers, rangeTouches, unmapIpv4, type LenientAddress, type LenientRange } from '../../../domain/ip.ts';
import { memoByText } from '../../text-memo.ts';

export interface CompiledCidr {
  readonly text: string;
  /** Undefined for an invalid block, which matches nothing (the apiserver refuses it; admission reports it). */
  readonly range: LenientRange | undefined;
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
export const compileCidr: (text: string) => CompiledCidr = memoByText((text) => ({ text, range: parseLenientCidr(text) }), 100_000);

export function compileBlock(cidr: string, except: readonly string[] = []): CompiledBlock {
  return { cidr: compileCidr(cidr), except: except.map(compileCidr) };
}

/**
 * An address, or a block of them: a folded edge's peer (`external:203.0.113.0/24`, docs/ingest.md
 * "Bounded by design") stands for some addresses of the block, which a rule allows only when it
 * allows the whole block.
 */
export type AddressRange = LenientRange;

/** Parses addresses once; IPv4-mapped IPv6 addresses count as their IPv4 address. */
export class AddressCache {
  private readonly cache = new Map<string, LenientAddress | null>();
  private readonly ranges = new Map<string, AddressRange | null>();

  /** An address as a full-length range, or a block (`a/n`) as itself. */
  range(text: string): AddressRange | undefined {
    let r = this.ranges.get(text);
    if (r === undefined) {
      if (text.includes('/')) r = compileCidr(text).range ?? null;
      else {
        const a = this.get(text);
        r = a === undefined ? null : hostRange(a);
      }
      this.ranges.set(text, r);
    }
    return r ?? undefined;
  }

  get(ip: string): LenientAddress | undefined {
    let a = this.cache.get(ip);
    if (a === undefined) {
      const parsed = parseLenientIp(ip);
      a = parsed === undefined ? null : unmapIpv4(parsed);
      this.cache.set(ip, a);
    }
    return a ?? undefined;
  }
}

export function cidrHas(c: CompiledCidr, addr: LenientAddress): boolean {
  if (!c.range || c.range[0].kind() !== addr.kind()) return false;
  return addr.match(c.range[0], c.range[1]);
}

/** Every address of `r` is in `c`. */
export function cidrCovers(c: CompiledCidr, r: AddressRange): boolean {
  return c.range !== undefined && rangeCovers(c.range, r);
}

/** Some address of `r` is in `c`. */
export function cidrTouches(c: CompiledCidr, r: AddressRange): boolean {
  return c.range !== undefined && rangeTouches(c.range, r);
}

/** Every address of `r` is in the block: inside its `cidr`, and no `except` overlaps it. */
export function blockCovers(b: CompiledBlock, r: AddressRange): boolean {
  return cidrCovers(b.cidr, r) && !b.except.some((x) => cidrTouches(x, r));
}
