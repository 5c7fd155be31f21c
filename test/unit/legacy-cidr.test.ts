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
import { formatCidr } from '../../domain/ip.ts';
import { apiServerCidr, networkPolicyNonStandardCidrs, nonStandardCidr, parseLegacyCidr } from '../../domain/legacy-cidr.ts';

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
