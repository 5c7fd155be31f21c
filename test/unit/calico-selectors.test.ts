import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calicoSelector, fittingCalicoSelectors, fittingNamespaceSelectors, namespaceSelector } from '../../recommender/engines/calico-selectors.ts';
import { selectorSyntaxError } from '../../recommender/simulate/calico/selector.ts';

test('calicoSelector: labels, then expressions, each sorted; {} is all(); namespaceSelector: `==` for one namespace', () => {
  assert.equal(calicoSelector({}), 'all()');
  assert.equal(
    calicoSelector({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 't', operator: 'In', values: ['y', 'x'] }, { key: 'k', operator: 'Exists' }, { key: 'j', operator: 'DoesNotExist' }, { key: 'n', operator: 'NotIn', values: ['z'] }] }),
    "a == '1' && b == '2' && !has(j) && has(k) && n not in {'z'} && t in {'x', 'y'}",
  );
  assert.equal(namespaceSelector(['a']), "projectcalico.org/name == 'a'");
  assert.equal(namespaceSelector(['a', 'b']), "projectcalico.org/name in {'a', 'b'}");
});

test('fittingCalicoSelectors: within the bound, the one selector; past it, the widest `in` set dealt over selectors that keep the other terms, each within the bound and parsed by Calico\'s grammar', () => {
  const values = Array.from({ length: 12 }, (_, i) => `value-${i}`);
  const s = { matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'app', operator: 'In' as const, values }, { key: 'zone', operator: 'In' as const, values: ['a', 'b'] }] };
  const whole = calicoSelector(s);
  assert.deepEqual(fittingCalicoSelectors(s, whole.length), [whole]);
  const parts = fittingCalicoSelectors(s, 100);
  assert.ok(parts.length > 1);
  for (const p of parts) {
    assert.ok(p.length <= 100, p);
    assert.match(p, /^tier == 'web' && app in \{'value-[^}]*\} && zone in \{'a', 'b'\}$/);
    assert.equal(selectorSyntaxError(p), undefined, p);
  }
  assert.deepEqual(
    parts.flatMap((p) => [...p.matchAll(/'(value-\d+)'/g)].map((m) => m[1])),
    [...values].sort(),
  );
});

test('fittingCalicoSelectors: nothing to deal (no `in` set, or one value alone past the bound) leaves the selector whole, for the admission to name', () => {
  const long = { matchLabels: { a: 'x'.repeat(60), b: 'y'.repeat(60) } };
  assert.deepEqual(fittingCalicoSelectors(long, 50), [calicoSelector(long)]);
  const wide = { matchLabels: { a: 'x'.repeat(60) }, matchExpressions: [{ key: 'k', operator: 'In' as const, values: ['1', '2'] }] };
  assert.deepEqual(fittingCalicoSelectors(wide, 70), [calicoSelector(wide)]);
});

test('fittingNamespaceSelectors: the namespaces in order over selectors within the bound; a run of one is `==`', () => {
  assert.deepEqual(fittingNamespaceSelectors(['a', 'b'], 100), ["projectcalico.org/name in {'a', 'b'}"]);
  const ns = ['alpha', 'beta', 'gamma'];
  const two = namespaceSelector(['alpha', 'beta']);
  assert.deepEqual(fittingNamespaceSelectors(ns, two.length), [two, "projectcalico.org/name == 'gamma'"]);
  assert.deepEqual(
    fittingNamespaceSelectors(ns, two.length - 1),
    ns.map((n) => namespaceSelector([n])),
  );
});
