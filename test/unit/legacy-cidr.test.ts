/**
 * domain/legacy-cidr.ts: a NetworkPolicy ipBlock CIDR as the Kubernetes API server reads it.
 * kubernetes/kubernetes pkg/apis/networking/validation ValidateIPBlock checks it with
 * IsValidCIDRForLegacyField and reads it with netutils.ParseCIDRSloppy (k8s.io/utils
 * internal/third_party/forked/golang/net ParseCIDR: Go's net.ParseCIDR from before 1.17, whose
 * parseIPv4 reads every octet with dtoi, decimal, leading zeros ignored; the leading-zero check
 * commented out, issue.k8s.io/100895). Go's net.IPNet of an IPv4-mapped IPv6 block with a prefix
 * of 96 or more is the IPv4 block (networkNumberAndMask: To4 of the network, the mask's last 4
 * bytes), which Contains matches IPv4 addresses against.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { formatCidr, parseCidr } from '../../domain/ip.ts';
import { apiServerCidr, networkPolicyNonStandardCidrs, nonStandardCidr, parseLegacyCidr, readDottedQuad, readLegacyCidr } from '../../domain/legacy-cidr.ts';

const read = (text: string): string | undefined => {
  const c = parseLegacyCidr(text);
  return c && formatCidr(c);
};

test('leading zeros are decimal, as ParseCIDRSloppy reads them (not octal, as ipaddr.js and libc do)', () => {
  assert.equal(read('010.0.0.0/8'), '10.0.0.0/8');
  assert.equal(read('10.01.0.0/16'), '10.1.0.0/16');
  assert.equal(read('198.051.100.0/24'), '198.51.100.0/24');
  assert.equal(read('10.0.0.0/08'), '10.0.0.0/8');
  assert.equal(read('0010.0.0.0/8'), '10.0.0.0/8');
  assert.equal(read('010.0.0.7/8'), '10.0.0.0/8', 'host bits cleared: the IPNet is the masked network');
});

test('an IPv4-mapped IPv6 block of prefix 96 or more is the IPv4 block it maps; below 96 the masked IPv6 block', () => {
  assert.equal(read('::ffff:10.0.0.0/104'), '10.0.0.0/8');
  assert.equal(read('::ffff:a00:0/104'), '10.0.0.0/8');
  assert.equal(read('::ffff:203.0.113.0/120'), '203.0.113.0/24');
  assert.equal(read('::ffff:010.0.0.0/104'), '10.0.0.0/8');
  assert.equal(read('::ffff:0.0.0.0/96'), '0.0.0.0/0');
  assert.equal(read('::ffff:10.0.0.0/80'), '::/80');
});

test('what the API server refuses whatever the gate is undefined; standard text reads as itself', () => {
  for (const bad of ['10.0.0.256/8', '10.0.0/8', '10.0.0.0', '10.0.0.0/33', 'fe80::1%eth0/64', 'x/8', '::ffff:10.0.0.0/129']) assert.equal(read(bad), undefined, bad);
  assert.equal(read('10.0.0.0/8'), '10.0.0.0/8');
  assert.equal(read('2001:db8::/32'), '2001:db8::/32');
});

test('nonStandardCidr: the form GetWarningsForCIDR says to use (ipnet.String()), for leading zeros and IPv4-mapped only', () => {
  assert.deepEqual(nonStandardCidr('010.0.0.0/8'), { standard: '10.0.0.0/8', form: 'leading-zeros' });
  assert.deepEqual(nonStandardCidr('10.0.0.0/08'), { standard: '10.0.0.0/8', form: 'leading-zeros' });
  assert.deepEqual(nonStandardCidr('::ffff:10.0.0.0/104'), { standard: '10.0.0.0/8', form: 'ipv4-mapped' });
  for (const ok of ['10.0.0.0/8', '10.0.0.1/8', '2001:db8::/32', '0.0.0.0/0', 'bogus']) assert.equal(nonStandardCidr(ok), undefined, ok);
  assert.equal(apiServerCidr('010.0.0.0/8'), '10.0.0.0/8');
  assert.equal(apiServerCidr('10.0.0.1/8'), '10.0.0.1/8', 'any other text as written');
});

test('networkPolicyNonStandardCidrs names each ipBlock cidr and except by its field path', () => {
  const spec = {
    ingress: [{ from: [{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.01.0.0/16'] } }] }],
    egress: [{ to: [{ ipBlock: { cidr: '::ffff:10.0.0.0/104' } }] }],
  };
  assert.deepEqual(networkPolicyNonStandardCidrs(spec), [
    { path: ['spec', 'ingress', 0, 'from', 1, 'ipBlock', 'except', 0], value: '10.01.0.0/16', standard: '10.1.0.0/16', form: 'leading-zeros' },
    { path: ['spec', 'egress', 0, 'to', 0, 'ipBlock', 'cidr'], value: '::ffff:10.0.0.0/104', standard: '10.0.0.0/8', form: 'ipv4-mapped' },
  ]);
});

/** An octet as written, with 0 to 2 leading zeros. */
const paddedOctet = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })).map(([n, zeros]) => '0'.repeat(zeros) + String(n));
const paddedQuad = fc.tuple(paddedOctet, paddedOctet, paddedOctet, paddedOctet).map((os) => os.join('.'));
const ipaddrValue = (text: string): bigint => ipaddr.IPv4.parse(text).toByteArray().reduce((n, b) => (n << 8n) | BigInt(b), 0n);

test('readDottedQuad is ipaddr.js\'s reading of a quad without leading zeros, and of the quad with them stripped (decimal, not its octal)', () => {
  fc.assert(
    fc.property(paddedQuad, (text) => {
      const stripped = text.replace(/(^|\.)0+(?=\d)/g, '$1');
      const read = readDottedQuad(text);
      assert.equal(read?.value, ipaddrValue(stripped), text);
      assert.equal(read?.leadingZeros, stripped !== text, text);
    }),
    { numRuns: 1000 },
  );
  assert.equal(ipaddrValue('010.0.0.1'), 0x08000001n, 'ipaddr.js reads a leading 0 as octal: why the reader is hand-rolled');
  // Go's parseIPv4 wants four decimal parts, each at most 255; ipaddr.js takes `10.1` and `0x0a.0.0.1` too.
  for (const bad of ['10.1', '0x0a.0.0.1', '4294967295', '10.0.0.256', '10.0.0.1 ', '', '::1', '1.2.3.4.5']) assert.equal(readDottedQuad(bad), undefined, bad);
});

test('parseLegacyCidr is the block the API server stores (parseCidr of apiServerCidr), host bits set or not', () => {
  const agree = (text: string): void => assert.deepEqual(parseLegacyCidr(text), parseCidr(apiServerCidr(text)), text);
  for (const text of ['10.0.0.1/8', '192.168.1.7/24', '010.0.0.7/8', '10.0.0.7/08', '::ffff:10.0.0.7/104', '::ffff:10.0.0.7/80', '::10.0.0.7/104', '2001:db8::7/32', '0.0.0.0/0', '10.0.0.256/8', '10.0.0.0/33', 'bogus']) agree(text);
  fc.assert(
    fc.property(paddedQuad, fc.integer({ min: 0, max: 33 }), fc.boolean(), (quad, prefix, mapped) => agree(mapped ? `::ffff:${quad}/${prefix + 95}` : `${quad}/${prefix}`)),
    { numRuns: 1000 },
  );
});

test('readLegacyCidr: the network, the mask length as written (Mask.Size()) and the non-standard form, from one read', () => {
  assert.deepEqual(readLegacyCidr('10.0.0.7/8'), { network: parseCidr('10.0.0.0/8'), maskLength: 8 });
  assert.deepEqual(readLegacyCidr('010.0.0.0/8'), { network: parseCidr('10.0.0.0/8'), maskLength: 8, nonStandard: { standard: '10.0.0.0/8', form: 'leading-zeros' } });
  assert.deepEqual(readLegacyCidr('::ffff:10.0.0.0/104'), { network: parseCidr('10.0.0.0/8'), maskLength: 104, nonStandard: { standard: '10.0.0.0/8', form: 'ipv4-mapped' } });
  assert.equal(readLegacyCidr('10.0.0.0/33'), undefined);
});
