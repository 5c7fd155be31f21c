/**
 * domain/ip.ts: strict parsing (the textual forms Kubernetes accepts), and the pieces computed
 * here rather than by ipaddr.js (containment, canonical text, subtraction, order) checked
 * against ipaddr.js's own answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import {
  canonicalCidr,
  canonicalIp,
  storedAddress,
  cidrContains,
  cidrContainsIp,
  compareCidrs,
  firstHostAddress,
  formatCidr,
  hostCidr,
  hostRange,
  ipFamily,
  isCidr,
  isIpAddress,
  parseCidr,
  parseCidrOrIp,
  parseIp,
  parseLenientCidr,
  parseLenientIp,
  rangeCovers,
  rangeTouches,
  subtractCidrs,
  unmapIpv4,
} from '../../domain/ip.ts';

test('malformed addresses are rejected, not half-parsed', () => {
  for (const bad of [':::', 'fffff::1', '1::2::3', '1:2:3:4:5:6:7:8:9', '1.2.3', '1.2.3.256', '010.0.0.1', '0x0a.0.0.1', '10.0.0.1 ', '', 'fe80::1%eth0', '::01.2.3.4', 'localhost']) {
    assert.equal(isIpAddress(bad), false, bad);
    assert.equal(parseIp(bad), undefined, bad);
    assert.equal(isCidr(`${bad}/8`), false, `${bad}/8`);
    assert.throws(() => hostCidr(bad), /invalid IP address/, bad);
  }
});

test('CIDRs need an address, a slash and a prefix in range', () => {
  for (const bad of ['10.0.0.0', '10.0.0.0/', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.0/1e1', '10.0.0.0/ 8']) {
    assert.equal(isCidr(bad), false, bad);
  }
  assert.deepEqual(parseCidr('10.1.2.3/16'), { family: 4, base: 0x0a010000n, prefix: 16 });
  assert.equal(canonicalCidr('10.1.2.3/16'), '10.1.0.0/16');
  assert.equal(canonicalCidr('FD00:0:0::1/64'), 'fd00::/64');
  assert.equal(canonicalCidr('0.0.0.0/0'), '0.0.0.0/0');
  assert.equal(canonicalCidr('::/0'), '::/0');
});

test('families, host blocks and canonical text', () => {
  assert.equal(ipFamily('10.0.0.1'), 4);
  assert.equal(ipFamily('fd00::1'), 6);
  assert.equal(ipFamily('::ffff:10.0.0.1'), 6);
  assert.equal(ipFamily('nope'), undefined);
  assert.equal(hostCidr('10.0.0.1'), '10.0.0.1/32');
  assert.equal(hostCidr('FD00:0::1'), 'fd00::1/128');
  assert.equal(canonicalIp('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  // RFC 5952 §4.2.2: a single zero group is not compressed.
  assert.equal(canonicalIp('1:2:3:4:5:6:7::'), '1:2:3:4:5:6:7:0');
  // The IPv4-compatible form keeps its meaning (ipaddr.js alone would read it as ::ffff:1.2.3.4).
  assert.equal(canonicalIp('::1.2.3.4'), '::102:304');
  assert.equal(canonicalIp('::ffff:1.2.3.4'), '::ffff:102:304');
});

test('parseCidrOrIp: a block as parseCidr reads it, an address as the block of it alone (felix cnet.ParseCIDROrIP: "/32 or /128")', () => {
  assert.equal(formatCidr(parseCidrOrIp('10.0.0.12')!), '10.0.0.12/32');
  assert.equal(formatCidr(parseCidrOrIp('FD00::1')!), 'fd00::1/128');
  assert.equal(formatCidr(parseCidrOrIp('10.0.0.12/8')!), '10.0.0.0/8');
  assert.equal(parseCidrOrIp('10.0.0.300'), undefined);
  assert.equal(parseCidrOrIp('10.0.0.0/33'), undefined);
  assert.equal(parseCidrOrIp(''), undefined);
});

test('storedAddress: IPv6 canonical, an IPv4-mapped address as its IPv4 address (RFC 4291 §2.5.5.2), IPv4 as given', () => {
  assert.equal(storedAddress('10.0.0.1'), '10.0.0.1');
  assert.equal(storedAddress('::ffff:10.0.0.1'), '10.0.0.1');
  assert.equal(storedAddress('::FFFF:a00:1'), '10.0.0.1');
  assert.equal(storedAddress('2001:DB8:0::7'), '2001:db8::7');
  assert.equal(storedAddress('fd00:10:244::A'), 'fd00:10:244::a');
  assert.equal(storedAddress('::1.2.3.4'), '::102:304', 'IPv4-compatible is not IPv4-mapped');
  assert.equal(storedAddress('::fffe:a00:1'), '::fffe:a00:1');
});

test('containment: a block contains itself and its sub-blocks, never the other family', () => {
  const c = (t: string) => parseCidr(t)!;
  assert.equal(cidrContains(c('10.0.0.0/8'), c('10.1.0.0/16')), true);
  assert.equal(cidrContains(c('10.0.0.0/8'), c('10.0.0.0/8')), true);
  assert.equal(cidrContains(c('10.1.0.0/16'), c('10.0.0.0/8')), false);
  assert.equal(cidrContains(c('::/0'), c('10.0.0.0/8')), false);
  assert.equal(cidrContainsIp(c('10.244.1.0/24'), '10.244.1.7'), true);
  assert.equal(cidrContainsIp(c('10.244.1.0/24'), '10.244.2.7'), false);
  assert.equal(cidrContainsIp(c('::/0'), '10.244.1.7'), false);
  assert.equal(cidrContainsIp(c('10.0.0.0/8'), '010.0.0.1'), false);
});

test('subtraction keeps the holes and nothing else, in numeric order', () => {
  assert.deepEqual(subtractCidrs('10.0.0.0/24', ['10.0.0.0/26']), ['10.0.0.64/26', '10.0.0.128/25']);
  assert.deepEqual(subtractCidrs('10.0.0.0/30', ['10.0.0.1/32', '10.0.0.2/32']), ['10.0.0.0/32', '10.0.0.3/32']);
  assert.deepEqual(subtractCidrs('fd00::/126', ['fd00::/127']), ['fd00::2/127']);
  assert.deepEqual(subtractCidrs('10.0.0.0/8', ['10.0.0.0/8']), []);
  assert.deepEqual(subtractCidrs('10.0.0.0/8', ['192.168.0.0/16']), ['10.0.0.0/8']);
  assert.throws(() => subtractCidrs('10.0.0.0/8', ['nope']), /invalid CIDR/);
});

test('order: IPv4 before IPv6, then numeric (not textual), then prefix; invalid last', () => {
  const sorted = ['fd00::/8', '10.0.0.0/8', 'x', '9.0.0.0/8', '10.0.0.0/16', '::/0'].sort(compareCidrs);
  assert.deepEqual(sorted, ['9.0.0.0/8', '10.0.0.0/8', '10.0.0.0/16', '::/0', 'fd00::/8', 'x']);
});

// --- against ipaddr.js --------------------------------------------------------------------

/**
 * IPv6 texts with long zero runs (where compression matters) as well as fast-check's own, minus
 * the IPv4-compatible form `::a.b.c.d`, the one place we deliberately differ (tested above).
 */
const ipv6 = fc.oneof(
  fc.ipV6().filter((s) => !/^::\d+\.\d+\.\d+\.\d+$/.test(s)),
  fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':')),
);
const anyIp = fc.oneof(fc.ipV4(), ipv6);
const cidrOf = (ip: string, prefix: number) => `${ip}/${Math.min(prefix, ip.includes(':') ? 128 : 32)}`;

test('cidrContainsIp agrees with ipaddr.js match()', () => {
  fc.assert(
    fc.property(anyIp, anyIp, fc.integer({ min: 0, max: 128 }), (net, ip, prefix) => {
      const text = cidrOf(net, prefix);
      const lib = ipaddr.parse(ip);
      const range = ipaddr.parseCIDR(text);
      const expected = lib.kind() === range[0].kind() && lib.match(range);
      assert.equal(cidrContainsIp(parseCidr(text)!, ip), expected, `${ip} in ${text}`);
      // The network address itself is always inside.
      assert.equal(cidrContainsIp(parseCidr(text)!, ipaddr.IPv4.isValid(net) ? ipaddr.IPv4.networkAddressFromCIDR(text).toString() : ipaddr.IPv6.networkAddressFromCIDR(text).toString()), true);
    }),
    { numRuns: 2000 },
  );
});

test('canonical CIDR text is ipaddr.js network address and RFC 5952 text', () => {
  fc.assert(
    fc.property(anyIp, fc.integer({ min: 0, max: 128 }), (ip, prefix) => {
      const text = cidrOf(ip, prefix);
      const [addr, bits] = ipaddr.parseCIDR(text);
      const network = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
      assert.equal(canonicalCidr(text), `${network.toString()}/${bits}`);
      assert.equal(hostCidr(ip), `${ipaddr.parse(ip).toString()}/${addr.kind() === 'ipv4' ? 32 : 128}`);
    }),
    { numRuns: 2000 },
  );
});

test('cidrContains(outer, inner) holds exactly when both ends of inner are inside outer (ipaddr.js match)', () => {
  fc.assert(
    fc.property(anyIp, fc.integer({ min: 0, max: 128 }), anyIp, fc.integer({ min: 0, max: 128 }), (a, pa, b, pb) => {
      const outerText = cidrOf(a, pa);
      const innerText = cidrOf(b, pb);
      const outer = ipaddr.parseCIDR(outerText);
      const inner = ipaddr.parseCIDR(innerText);
      let expected = false;
      if (outer[0].kind() === inner[0].kind()) {
        const v4 = inner[0].kind() === 'ipv4';
        const first = v4 ? ipaddr.IPv4.networkAddressFromCIDR(innerText) : ipaddr.IPv6.networkAddressFromCIDR(innerText);
        const last = v4 ? ipaddr.IPv4.broadcastAddressFromCIDR(innerText) : ipaddr.IPv6.broadcastAddressFromCIDR(innerText);
        expected = first.match(outer) && last.match(outer);
      }
      assert.equal(cidrContains(parseCidr(outerText)!, parseCidr(innerText)!), expected, `${innerText} in ${outerText}`);
    }),
    { numRuns: 2000 },
  );
});

test('subtraction: every address of the result is in the block and in no hole, and the pieces cover the rest', () => {
  fc.assert(
    fc.property(fc.ipV4(), fc.integer({ min: 16, max: 28 }), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }), (ip, prefix, holeOffsets) => {
      const block = canonicalCidr(`${ip}/${prefix}`);
      const base = parseCidr(block)!;
      const holes = [...new Set(holeOffsets.map((o) => canonicalCidr(formatCidr({ family: 4, base: base.base + BigInt(o % 2 ** (32 - prefix)), prefix: 30 }))))];
      const pieces = subtractCidrs(block, holes);
      const size = (c: string) => 2 ** (32 - parseCidr(c)!.prefix);
      const first = (c: string) => ipaddr.IPv4.networkAddressFromCIDR(c);
      for (const p of pieces) {
        assert.ok(first(p).match(ipaddr.parseCIDR(block)), `${p} inside ${block}`);
        for (const h of holes) assert.ok(!first(p).match(ipaddr.parseCIDR(h)) && !first(h).match(ipaddr.parseCIDR(p)), `${p} apart from ${h}`);
      }
      const holeSpace = holes.reduce((n, h) => n + size(h), 0);
      assert.equal(pieces.reduce((n, p) => n + size(p), 0), size(block) - holeSpace);
    }),
    { numRuns: 500 },
  );
});

/** ipaddr.js's answer, or `undefined` where it throws. */
const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

/** Forms the strict parse refuses and ipaddr.js reads (or refuses too), beside ordinary ones. */
const LENIENT_FORMS = ['10.0.0.1', '10.1', '010.0.0.1', '0x0a.0.0.1', '4294967295', 'fe80::1%eth0', 'fe80::1%eth-0', '::1.2.3.4', '::ffff:10.0.0.1', '2001:DB8::7', ':::', '1.2.3.256', '', 'localhost'];

test('parseLenientIp and unmapIpv4 read what ipaddr.parse and ipaddr.process read, and refuse what they refuse', () => {
  for (const text of LENIENT_FORMS) {
    const lib = attempt(() => ipaddr.parse(text));
    const ours = parseLenientIp(text);
    assert.equal(ours?.kind(), lib?.kind(), text);
    assert.equal(ours?.toString(), lib?.toString(), text);
    assert.equal(ours && unmapIpv4(ours).toString(), attempt(() => ipaddr.process(text))?.toString(), text);
  }
  fc.assert(
    fc.property(anyIp, (ip) => {
      const ours = parseLenientIp(ip)!;
      assert.equal(ours.toString(), ipaddr.parse(ip).toString());
      assert.equal(unmapIpv4(ours).toString(), ipaddr.process(ip).toString());
      assert.deepEqual(hostRange(ours)[1], ours.kind() === 'ipv4' ? 32 : 128);
    }),
    { numRuns: 1000 },
  );
});

test('parseLenientCidr reads what ipaddr.parseCIDR reads, host bits kept', () => {
  for (const text of [...LENIENT_FORMS.map((f) => `${f}/8`), '10.0.0.1/33', '10.0.0.1/024', 'fd00::1/129', '10.0.0.1', '10.0.0.1/']) {
    const lib = attempt(() => ipaddr.parseCIDR(text));
    const ours = parseLenientCidr(text);
    assert.equal(ours?.[0].toString(), lib?.[0].toString(), text);
    assert.equal(ours?.[1], lib?.[1], text);
  }
});

test('rangeCovers and rangeTouches agree with block containment either way (ipaddr.js ranges, bigint blocks)', () => {
  fc.assert(
    fc.property(anyIp, fc.integer({ min: 0, max: 128 }), anyIp, fc.integer({ min: 0, max: 128 }), (a, pa, b, pb) => {
      const blockText = cidrOf(a, pa);
      const rText = cidrOf(b, pb);
      const block = parseCidr(blockText)!;
      const r = parseCidr(rText)!;
      const lib = [ipaddr.parseCIDR(blockText), ipaddr.parseCIDR(rText)] as const;
      assert.equal(rangeCovers(lib[0], lib[1]), cidrContains(block, r), `${rText} in ${blockText}`);
      assert.equal(rangeTouches(lib[0], lib[1]), cidrContains(block, r) || cidrContains(r, block), `${rText} meets ${blockText}`);
    }),
    { numRuns: 2000 },
  );
});

test('firstHostAddress: the first address a host can hold, outside the holes — never the unspecified, loopback, multicast or broadcast ranges (ipaddr.js range()), nor a network or broadcast address of a block of more than two', () => {
  // 0.0.0.0/8 is "this network" (RFC 1122 §3.2.1.3), a source only; :: and ::1 are unspecified and loopback (RFC 4291 §2.5.2, §2.5.3).
  assert.equal(firstHostAddress('0.0.0.0/0', []), '1.0.0.1');
  assert.equal(firstHostAddress('::/0', []), '::2');
  // The block's own network address, then what the except leaves: 10.1.0.0/16 first, its network address skipped.
  assert.equal(firstHostAddress('10.0.0.0/8', ['10.0.0.0/16']), '10.1.0.1');
  assert.equal(firstHostAddress('10.96.0.0/12', []), '10.96.0.1');
  assert.equal(firstHostAddress('10.96.0.0/12', ['10.96.0.1/32']), '10.96.0.2');
  // Two addresses left (a /31 has no network or broadcast address, RFC 3021), but 192.0.2.255 is the /24's broadcast.
  const upTo254 = ['192.0.2.0/25', '192.0.2.128/26', '192.0.2.192/27', '192.0.2.224/28', '192.0.2.240/29', '192.0.2.248/30', '192.0.2.252/31'];
  assert.equal(firstHostAddress('192.0.2.0/24', upTo254), '192.0.2.254');
  assert.equal(firstHostAddress('192.0.2.0/24', [...upTo254, '192.0.2.254/32']), undefined);
  assert.equal(firstHostAddress('192.0.2.254/31', []), '192.0.2.254');
  assert.equal(firstHostAddress('203.0.113.7/32', []), '203.0.113.7');
  assert.equal(firstHostAddress('224.0.0.0/4', []), undefined);
  // IPv6 has no broadcast address (RFC 4291 §2): an except leaving a /126's last address leaves a host's.
  assert.equal(firstHostAddress('2001:db8:2::/126', ['2001:db8:2::/127', '2001:db8:2::2/128']), '2001:db8:2::3');
  assert.equal(firstHostAddress('2001:db8:2::/126', []), '2001:db8:2::1');
  assert.equal(firstHostAddress('127.0.0.0/7', []), '126.0.0.1');
  assert.throws(() => firstHostAddress('10.0.0.0', []), /invalid CIDR "10\.0\.0\.0"/);
  // Property: the answer is in the block, in no hole, and ipaddr.js names its range none of the non-host ones.
  const nonHost = new Set(['unspecified', 'loopback', 'multicast', 'broadcast']);
  fc.assert(
    fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.array(fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })), { maxLength: 4 }), (ip, prefix, holes) => {
      const block = canonicalCidr(`${ip}/${prefix}`);
      const holeBlocks = holes.map(([h, p]) => canonicalCidr(`${h}/${p}`));
      const a = firstHostAddress(block, holeBlocks);
      if (a === undefined) return;
      assert.ok(cidrContainsIp(parseCidr(block)!, a), `${a} in ${block}`);
      for (const h of holeBlocks) assert.ok(!cidrContainsIp(parseCidr(h)!, a), `${a} not in ${h}`);
      assert.ok(!nonHost.has(ipaddr.parse(a).range()), `${a}: ${ipaddr.parse(a).range()}`);
    }),
    { numRuns: 300, seed: 27 },
  );
});
