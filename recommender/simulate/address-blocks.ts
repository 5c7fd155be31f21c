/**
 * The address blocks the policies name (pods-apart.ts), and which of them hold an address: what
 * tells a workload's pods, or an end's addresses, apart. Found by prefix, one lookup per prefix
 * length the blocks have, not by testing every block: a recommendation names each outside peer's
 * /32 (thousands of blocks), and every address of every workload's pods is looked up.
 */
import { rangeTouches, type LenientAddress } from '../../domain/ip.ts';
import type { AddressRange } from './kubernetes/cidr-match.ts';

export class AddressBlocks {
  /** Per address kind and prefix length, the blocks' indexes by network. */
  private readonly byPrefix = new Map<string, Map<number, Map<string, number[]>>>();

  constructor(private readonly blocks: readonly AddressRange[]) {
    blocks.forEach((b, i) => {
      let lengths = this.byPrefix.get(b[0].kind());
      if (lengths === undefined) this.byPrefix.set(b[0].kind(), (lengths = new Map()));
      let networks = lengths.get(b[1]);
      if (networks === undefined) lengths.set(b[1], (networks = new Map()));
      const key = network(b[0], b[1]);
      const same = networks.get(key);
      if (same === undefined) networks.set(key, [i]);
      else same.push(i);
    });
  }

  get empty(): boolean {
    return this.blocks.length === 0;
  }

  /**
   * Which blocks touch one of `ranges` (rangeTouches: one holds the other), as text: `0,3,`, the
   * blocks' indexes in order. A block no narrower than a range holds it when they share the
   * block's prefix; a narrower one (inside a range that is a block itself) is tested.
   */
  holding(ranges: readonly AddressRange[]): string {
    const found = new Set<number>();
    for (const r of ranges) {
      for (const [length, networks] of this.byPrefix.get(r[0].kind()) ?? []) {
        if (length <= r[1]) for (const i of networks.get(network(r[0], length)) ?? []) found.add(i);
        else for (const same of networks.values()) for (const i of same) if (rangeTouches(this.blocks[i]!, r)) found.add(i);
      }
    }
    return [...found]
      .sort((a, b) => a - b)
      .map((i) => `${i},`)
      .join('');
  }
}

/** The first `bits` bits of an address, the rest zero, as text. */
function network(a: LenientAddress, bits: number): string {
  const bytes = a.toByteArray();
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const kept = Math.min(8, Math.max(0, bits - 8 * i));
    text += `${bytes[i]! & ((0xff << (8 - kept)) & 0xff)}.`;
  }
  return text;
}
