/**
 * recommender/simulate/address-blocks.ts: which blocks hold an address, found by prefix, is what
 * testing every block with rangeTouches finds (pods-apart.ts groups a workload's pods by it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rangeTouches } from '../../domain/ip.ts';
import { AddressBlocks } from '../../recommender/simulate/address-blocks.ts';
import { AddressCache, type AddressRange } from '../../recommender/simulate/kubernetes/cidr-match.ts';

const cache = new AddressCache();
const ranges = (texts: readonly string[]): AddressRange[] => texts.map((t) => cache.range(t)).filter((r): r is AddressRange => r !== undefined);

/** The blocks' indexes touching one of `of`, tested one by one. */
function everyBlockTested(blocks: readonly AddressRange[], of: readonly AddressRange[]): string {
  let key = '';
  blocks.forEach((b, i) => {
    if (of.some((r) => rangeTouches(b, r))) key += `${i},`;
  });
  return key;
}

test('the blocks holding an address: wider, equal and narrower blocks, host bits set, both families, IPv4-mapped', () => {
  const blocks = ranges(['10.0.0.0/8', '10.1.2.3', '10.1.2.0/24', '10.1.2.9/24', '0.0.0.0/0', '192.168.0.0/16', 'fd00::/8', 'fd00::1', '::ffff:10.1.2.0/120', '10.1.2.3/32']);
  const index = new AddressBlocks(blocks);
  const queries = [['10.1.2.3'], ['10.1.2.4'], ['10.2.0.1'], ['192.168.7.7'], ['172.16.0.1'], ['fd00::1'], ['fd01::1'], ['::ffff:10.1.2.3'], ['10.1.2.3', 'fd00::2'], ['10.1.0.0/16'], ['10.1.2.0/25'], ['fd00::/16'], []];
  for (const q of queries) assert.equal(index.holding(ranges(q)), everyBlockTested(blocks, ranges(q)), q.join(' '));
  assert.equal(index.holding(ranges(['10.1.2.3'])), '0,1,2,3,4,9,');
});

test('no block holds anything', () => {
  const index = new AddressBlocks([]);
  assert.equal(index.empty, true);
  assert.equal(index.holding(ranges(['10.0.0.1'])), '');
});

test('random blocks and addresses: the same blocks as testing each', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor((seed / 2147483648) * n);
  };
  const v4 = () => `10.${rnd(3)}.${rnd(4)}.${rnd(8)}`;
  const text = (): string => {
    const six = rnd(10) < 3;
    const a = six ? (rnd(3) === 0 ? `::ffff:${v4()}` : `fd00::${rnd(4).toString(16)}:${rnd(8).toString(16)}`) : v4();
    return rnd(10) < 4 ? a : `${a}/${rnd(six ? 129 : 33)}`;
  };
  for (let t = 0; t < 100; t++) {
    const blocks = ranges(Array.from({ length: rnd(40) }, text));
    const index = new AddressBlocks(blocks);
    for (let q = 0; q < 50; q++) {
      const of = ranges(Array.from({ length: 1 + rnd(2) }, text));
      assert.equal(index.holding(of), everyBlockTested(blocks, of));
    }
  }
});
