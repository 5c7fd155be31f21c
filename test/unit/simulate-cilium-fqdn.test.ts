/**
 * Cilium matchPattern matching: the simulator's linear matcher gives Cilium's answers (its
 * ToAnchoredRegexp, ported in test/helpers/cilium-fqdn-regex.ts) on any pattern and name, and
 * stays fast on the patterns that make that regular expression backtrack exponentially.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { patternMatcher } from '../../recommender/simulate/cilium/fqdn.ts';
import { fqdnForm } from '../../recommender/simulate/cilium/identity.ts';
import { patternRegex } from '../helpers/cilium-fqdn-regex.ts';

test('cases from Cilium\'s policy language docs (DNS based): * within one label, **. for one or more labels, * alone for every name', () => {
  const m = (pattern: string, name: string) => patternMatcher(pattern)(fqdnForm(name));
  assert.equal(m('*.cilium.io', 'sub.cilium.io'), true);
  assert.equal(m('*.cilium.io', 'a.sub.cilium.io'), false, 'a * never crosses a dot');
  assert.equal(m('**.cilium.io', 'a.sub.cilium.io'), true);
  assert.equal(m('**.cilium.io', 'cilium.io'), false, '**. is one or more labels');
  assert.equal(m('sub*.cilium.io', 'subdomain.cilium.io'), true);
  assert.equal(m('*', 'anything.example.com'), true);
  assert.equal(m('API.Example.com', 'api.example.COM'), true, 'case-insensitive');
});

test('on any pattern and name of a small alphabet, the matcher answers as Cilium\'s regular expression does', () => {
  const label = fc.stringMatching(/^[ab*_-]{0,4}$/);
  const pattern = fc.oneof(fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('.')), fc.array(label, { minLength: 1, maxLength: 2 }).map((ls) => `**.${ls.join('.')}`), fc.constantFrom('*', '**', '*.'));
  const name = fc.array(fc.stringMatching(/^[ab_-]{0,3}$/), { minLength: 1, maxLength: 4 }).map((ls) => `${ls.join('.')}.`);
  fc.assert(
    fc.property(pattern, name, (p, n) => patternMatcher(p)(n) === patternRegex(p).test(n)),
    { numRuns: 3000 },
  );
});

test('a pattern that makes the regular expression backtrack exponentially (*a*a*a… against a near miss) is answered at once', () => {
  const pattern = `${'*a'.repeat(30)}.example.com`;
  const name = fqdnForm(`${'a'.repeat(60)}x.example.com`);
  const started = process.hrtime.bigint();
  assert.equal(patternMatcher(pattern)(name), false);
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 200, 'within 200 ms');
});
