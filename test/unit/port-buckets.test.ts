/**
 * PortBuckets (recommender/simulate/port-buckets.ts), which every engine's simulator narrows its
 * rules with: for each (protocol, port) the rules that can match, in written order, checked
 * against a plain scan of every rule.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PortBuckets, type PortSpan } from '../../recommender/simulate/port-buckets.ts';
import type { SimProtocol } from '../../recommender/simulate/types.ts';

interface Rule {
  name: string;
  /** undefined: can match any port. */
  spans?: PortSpan[];
}

const rules: Rule[] = [
  { name: 'tcp-80', spans: [{ protocol: 'TCP', start: 80, end: 80 }] },
  { name: 'any' },
  { name: 'udp-53-and-tcp-80-90', spans: [{ protocol: 'UDP', start: 53, end: 53 }, { protocol: 'TCP', start: 80, end: 90 }] },
  { name: 'wide', spans: [{ protocol: 'TCP', start: 1000, end: 65535 }] },
  { name: 'sctp-9', spans: [{ protocol: 'SCTP', start: 9, end: 9 }] },
  { name: 'empty-range', spans: [{ protocol: 'TCP', start: 90, end: 80 }] },
  { name: 'odd-protocol', spans: [{ protocol: 'ICMP', start: 80, end: 80 }] },
  { name: 'tcp-80-again', spans: [{ protocol: 'TCP', start: 80, end: 80 }, { protocol: 'TCP', start: 79, end: 81 }] },
];

/** The plain scan: a rule can match when it has no spans, or a span of the protocol holds the port (odd protocols: kept, the caller checks). */
const canMatch = (r: Rule, protocol: SimProtocol, port: number): boolean =>
  r.spans === undefined || r.spans.some((s) => !['TCP', 'UDP', 'SCTP'].includes(s.protocol) || (s.protocol === protocol && port >= s.start && port <= s.end));

test('PortBuckets.on: every rule a scan keeps, in written order; rules filed by port left out elsewhere; wide ranges kept for the caller to check', () => {
  const buckets = new PortBuckets(rules, (r) => r.spans);
  const index = new Map(rules.map((r, i) => [r, i]));
  for (const protocol of ['TCP', 'UDP', 'SCTP'] as const) {
    for (const port of [1, 9, 53, 79, 80, 81, 85, 90, 91, 999, 1000, 5000, 65535]) {
      const on = buckets.on(protocol, port);
      const positions = on.map((r) => index.get(r)!);
      assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `${protocol}/${port}: written order`);
      assert.deepEqual(on.filter((r) => canMatch(r, protocol, port)).map((r) => r.name), rules.filter((r) => canMatch(r, protocol, port)).map((r) => r.name), `${protocol}/${port}`);
      assert.deepEqual(on.filter((r) => !canMatch(r, protocol, port)).map((r) => r.name), protocol === 'TCP' && port >= 1000 ? [] : ['wide'], `${protocol}/${port}: only the wide range is kept beyond the scan`);
    }
  }
  assert.deepEqual(buckets.on('TCP', 80).map((r) => r.name), ['tcp-80', 'any', 'udp-53-and-tcp-80-90', 'wide', 'odd-protocol', 'tcp-80-again'], 'each rule once');
});

test('PortBuckets: a rule whose bounds are not integers is kept for every port (the caller compares them)', () => {
  const odd = [{ name: 'text', spans: [{ protocol: 'TCP', start: '80' as unknown as number, end: '80' as unknown as number }] }];
  assert.deepEqual(new PortBuckets(odd, (r) => r.spans).on('TCP', 443).map((r) => r.name), ['text']);
});

test('PortBuckets.on for ICMP, which has no port: only the rules kept for any port (no ports, wide ranges, other protocols), in written order', () => {
  const buckets = new PortBuckets(rules, (r) => r.spans);
  for (const protocol of ['ICMP', 'ICMPv6'] as const) {
    assert.deepEqual(buckets.on(protocol, 0).map((r) => r.name), ['any', 'wide', 'odd-protocol']);
  }
});
