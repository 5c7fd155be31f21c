/**
 * An address block with holes, as several blocks with holes whose lists are bounded: for an API
 * that bounds both lists of one match (Calico's EntityRule `nets` and `notNets`, 256 each), where
 * the holes cannot simply be dealt over several matches — a match per part of the holes would
 * allow what the other parts hold out.
 */
import { ADDRESS_BITS, cidrContains, formatCidr, parseCidr, type Cidr } from './ip.ts';
import { minimalCidrs } from './cluster-own-blocks.ts';

/** Blocks (`nets`) less the holes among them (`notNets`): an address of any block and of no hole. */
export interface HoledBlocks {
  nets: string[];
  notNets: string[];
}

/**
 * `cidr` less every block of `holes`, as groups of at most `max` blocks and `max` holes each
 * whose union is the same addresses, in address order. The block is halved until each part
 * holds at most `max` holes: every hole lies inside one half (blocks are nested or disjoint),
 * and a part a hole covers is dropped. Consecutive parts are then joined while both lists fit;
 * joining is exact because a part's holes lie in no other part. One group `{nets: [cidr],
 * notNets: holes}` when the holes fit already. Throws on invalid input or `max` < 1.
 */
export function holedBlockGroups(cidr: string, holes: readonly string[], max: number): HoledBlocks[] {
  if (!Number.isInteger(max) || max < 1) throw new Error(`a group must hold at least one block and one hole (max ${max})`);
  const outer = parseCidr(cidr);
  if (!outer) throw new Error(`invalid CIDR "${cidr}"`);
  for (const h of holes) if (!parseCidr(h)) throw new Error(`invalid CIDR "${h}"`);
  if (holes.length <= max) return [{ nets: [formatCidr(outer)], notNets: [...holes] }];
  const inside = minimalCidrs(holes)
    .map((h) => parseCidr(h)!)
    .filter((h) => cidrContains(outer, h) || cidrContains(h, outer));
  const parts: { block: Cidr; holes: Cidr[] }[] = [];
  split(outer, inside, max, parts);
  const groups: HoledBlocks[] = [];
  let current: HoledBlocks | undefined;
  for (const part of parts) {
    if (current === undefined || current.nets.length + 1 > max || current.notNets.length + part.holes.length > max) groups.push((current = { nets: [], notNets: [] }));
    current.nets.push(formatCidr(part.block));
    for (const h of part.holes) current.notNets.push(formatCidr(h));
  }
  return groups;
}

/** The parts of `block` less `holes` (minimal, in address order, each inside or covering `block`), in address order. */
function split(block: Cidr, holes: readonly Cidr[], max: number, out: { block: Cidr; holes: Cidr[] }[]): void {
  if (holes.some((h) => cidrContains(h, block))) return;
  if (holes.length <= max) {
    out.push({ block, holes: [...holes] });
    return;
  }
  // More holes than addresses cannot be (they are minimal, so disjoint): block is wider than a host here.
  const prefix = block.prefix + 1;
  const low: Cidr = { family: block.family, base: block.base, prefix };
  const high: Cidr = { family: block.family, base: block.base | (1n << BigInt(ADDRESS_BITS[block.family] - prefix)), prefix };
  for (const half of [low, high]) {
    split(
      half,
      holes.filter((h) => cidrContains(half, h) || cidrContains(h, half)),
      max,
      out,
    );
  }
}
