/**
 * The port-label builder of observed rule ids (recommender/synthesize/rule-ids.ts `portsLabel`) is
 * linear: a test measured one pod to 64k ports of one IP at 126 s of export, every prefix of
 * the port list rendered anew. It must pick the same label as that quadratic definition (the
 * longest prefix whose rendering, `+<k>-more` included, fits the budget) on any list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { PortSpec } from '../../recommender/policy/ir.ts';
import { portsLabel } from '../../recommender/synthesize/rule-ids.ts';

const text = (p: PortSpec): string => (p.kind === 'all' ? 'any' : p.kind === 'number' ? String(p.port) : p.kind === 'range' ? `${p.start}-${p.end}` : p.name);

/** The definition, quadratic: every prefix rendered, the longest that fits wins. */
function reference(ports: readonly PortSpec[], budget: number): string {
  if (ports.length === 0) return 'any';
  if (ports.length === 1 && `${ports[0]!.protocol}/${text(ports[0]!)}`.length <= budget) return `${ports[0]!.protocol}/${text(ports[0]!)}`;
  for (let n = ports.length; n >= 1; n--) {
    let out = '';
    for (let i = 0; i < n; i++) {
      const p = ports[i]!;
      out += i === 0 ? `${p.protocol}/${text(p)}` : p.protocol !== ports[i - 1]!.protocol ? `+${p.protocol}/${text(p)}` : `,${text(p)}`;
    }
    if (n < ports.length) out += `+${ports.length - n}-more`;
    if (out.length <= budget) return out;
  }
  return `${ports.length}-ports`;
}

const port: fc.Arbitrary<PortSpec> = fc.oneof(
  fc.record({ kind: fc.constant('number' as const), protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const), port: fc.integer({ min: 1, max: 65535 }) }),
  fc.record({ kind: fc.constant('named' as const), protocol: fc.constantFrom('TCP' as const, 'UDP' as const), name: fc.constantFrom('http', 'metrics', 'dns-tcp') }),
  fc.record({ kind: fc.constant('range' as const), protocol: fc.constant('TCP' as const), start: fc.integer({ min: 1, max: 100 }), end: fc.integer({ min: 101, max: 65535 }) }),
  fc.record({ kind: fc.constant('all' as const), protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }),
);

test('portsLabel picks the label of its quadratic definition on any port list and budget', () => {
  fc.assert(
    fc.property(fc.array(port, { maxLength: 60 }), fc.integer({ min: 0, max: 90 }), (ports, budget) => {
      assert.equal(portsLabel(ports, budget), reference(ports, budget));
    }),
    { numRuns: 2_000, seed: 14 },
  );
});

test('portsLabel over 65,535 ports (one pod to every port of one IP) takes milliseconds, not minutes', () => {
  const ports: PortSpec[] = Array.from({ length: 65_535 }, (_, i) => ({ kind: 'number', protocol: 'TCP', port: i + 1 }));
  const start = performance.now();
  for (let i = 0; i < 10; i++) assert.equal(portsLabel(ports, 40), 'TCP/1,2,3,4,5,6,7,8,9,10,11+65524-more');
  const ms = (performance.now() - start) / 10;
  // The quadratic version takes seconds here (~2 * 10^9 characters rendered); linear is ~10 ms.
  assert.ok(ms < 500, `${ms.toFixed(0)} ms per label`);
});
