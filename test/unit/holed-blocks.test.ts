import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holedBlockGroups, type HoledBlocks } from '../../domain/holed-blocks.ts';
import { ADDRESS_BITS, parseCidr } from '../../domain/ip.ts';

type Range = [bigint, bigint];

/** Ranges merged and in order. */
function merged(rs: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const r of [...rs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const last = out.at(-1);
    if (last !== undefined && r[0] <= last[1] + 1n) last[1] = r[1] > last[1] ? r[1] : last[1];
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** The addresses of `cidrs`, as merged [first, last] ranges. */
const ranges = (cidrs: readonly string[]): Range[] =>
  merged(
    cidrs.map((text) => {
      const c = parseCidr(text)!;
      return [c.base, c.base + (1n << BigInt(ADDRESS_BITS[c.family] - c.prefix)) - 1n];
    }),
  );

/** Merged ranges `a` less merged ranges `b`. */
function minus(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const [lo, hi] of a) {
    let from = lo;
    for (const [x, y] of b) {
      if (y < from || x > hi) continue;
      if (x > from) out.push([from, x - 1n]);
      from = y + 1n;
    }
    if (from <= hi) out.push([from, hi]);
  }
  return out;
}

/** What the groups allow: each group's nets less its notNets (Calico: an address in any net and in no notNet), merged. */
const allowed = (groups: readonly HoledBlocks[]): Range[] => merged(groups.flatMap((g) => minus(ranges(g.nets), ranges(g.notNets))));

test('holedBlockGroups: holes that fit are one group, the block and the holes as given', () => {
  assert.deepEqual(holedBlockGroups('10.0.0.0/8', ['10.9.0.0/16', '10.1.0.1/32'], 2), [{ nets: ['10.0.0.0/8'], notNets: ['10.9.0.0/16', '10.1.0.1/32'] }]);
});

test('holedBlockGroups: more holes than a group holds → the block halved until each part fits; every group within both bounds; the same addresses allowed', () => {
  const holes = ['10.0.0.1/32', '10.0.0.3/32', '10.0.0.200/32', '10.0.1.0/24', '10.0.3.7/32', '10.0.3.9/32', '10.0.3.128/25'];
  for (const max of [1, 2, 3, 6]) {
    const groups = holedBlockGroups('10.0.0.0/22', holes, max);
    for (const g of groups) assert.ok(g.nets.length <= max && g.notNets.length <= max, JSON.stringify(g));
    assert.deepEqual(allowed(groups), minus(ranges(['10.0.0.0/22']), ranges(holes)), `max ${max}`);
  }
  // Max 3: 10.0.0.0/23 holds 4 holes and is halved (its upper half a hole); 10.0.2.0/23 holds 3.
  assert.deepEqual(holedBlockGroups('10.0.0.0/22', holes, 3), [
    { nets: ['10.0.0.0/24'], notNets: ['10.0.0.1/32', '10.0.0.3/32', '10.0.0.200/32'] },
    { nets: ['10.0.2.0/23'], notNets: ['10.0.3.7/32', '10.0.3.9/32', '10.0.3.128/25'] },
  ]);
});

test('holedBlockGroups: a part a hole covers is dropped; nested holes count once; IPv6 halves too', () => {
  // 10.0.0.0/32 lies in the hole 10.0.0.0/31: two holes, and the lower half is all hole.
  assert.deepEqual(holedBlockGroups('10.0.0.0/30', ['10.0.0.0/31', '10.0.0.0/32', '10.0.0.3/32'], 1), [{ nets: ['10.0.0.2/31'], notNets: ['10.0.0.3/32'] }]);
  const v6 = holedBlockGroups('fd00::/126', ['fd00::1/128', 'fd00::2/128'], 1);
  assert.deepEqual(v6, [
    { nets: ['fd00::/127'], notNets: ['fd00::1/128'] },
    { nets: ['fd00::2/127'], notNets: ['fd00::2/128'] },
  ]);
});

test('holedBlockGroups: a folded 0.0.0.0/0 with 300 node addresses held out → two groups of at most 256, allowing the same', () => {
  const nodes = Array.from({ length: 300 }, (_, i) => `10.0.${Math.floor(i / 200)}.${(i % 200) + 10}/32`);
  const groups = holedBlockGroups('0.0.0.0/0', nodes, 256);
  assert.equal(groups.length, 2);
  for (const g of groups) assert.ok(g.nets.length <= 256 && g.notNets.length <= 256);
  assert.deepEqual(groups.flatMap((g) => g.notNets), nodes);
  assert.deepEqual(allowed(groups), minus(ranges(['0.0.0.0/0']), ranges(nodes)));
});

test('holedBlockGroups refuses invalid input', () => {
  assert.throws(() => holedBlockGroups('10.0.0.0/33', [], 1), /invalid CIDR/);
  assert.throws(() => holedBlockGroups('10.0.0.0/8', ['x', 'y'], 1), /invalid CIDR "x"/);
  assert.throws(() => holedBlockGroups('10.0.0.0/8', [], 0), /at least one/);
});
