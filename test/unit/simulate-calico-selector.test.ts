/**
 * libcalico-go's selector grammar, checked against the upstream parser tests:
 * projectcalico/calico libcalico-go/lib/selector/parser/parser_test.go (selectorTests,
 * badSelectors, canonicalisationTests) and tokenizer/tokenizer.go for the quoting and
 * whitespace rules. Each case below is one upstream case, unchanged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSelector, SelectorSyntaxError, selectorSyntaxError } from '../../recommender/simulate/calico/selector.ts';

type L = Record<string, string>;
const m = (l: L): Map<string, string> => new Map(Object.entries(l));

// parser_test.go selectorTests: [selector, must match, must not match].
const SELECTOR_TESTS: [string, L[], L[]][] = [
  [`a == "b"`, [{ a: 'b' }, { a: 'b', c: 'd' }], [{}, { a: 'c' }, { c: 'd' }]],
  [`a == "b" && c == "d"`, [{ a: 'b', c: 'd' }], [{}, { a: 'b', c: 'e' }, { a: 'c', c: 'd' }, { c: 'd' }, { a: 'b' }]],
  [`a == "b" || c == "d"`, [{ a: 'b', c: 'd' }, { a: 'b' }, { c: 'd' }], [{}, { a: 'e', c: 'e' }, { c: 'e' }, { a: 'e' }]],
  [`a in {"'", '"', "c"}`, [{ a: 'c' }, { a: '"' }, { a: "'" }], [{}, { a: 'e' }]],
  [`a not in {"'", '"', "c"}`, [{}, { a: 'e' }], [{ a: 'c' }, { a: '"' }, { a: "'" }]],
  [`a == 'a'`, [{ a: 'a' }], []],
  [`a == "a"`, [{ a: 'a' }], []],
  [`a != "b"`, [{ a: 'a' }], []],
  [`a != "a"`, [{}], []],
  [`a contains "a"`, [{ a: 'a' }, { a: 'bab' }, { a: 'aaa', b: 'c' }], [{}, { a: 'b' }, { b: 'aaa' }]],
  [`a starts with "a"`, [{ a: 'a' }, { a: 'abb' }, { a: 'aaa', b: 'c' }], [{}, { a: 'b' }, { a: 'baa' }, { b: 'aaa' }]],
  [`a ends with "a"`, [{ a: 'a' }, { a: 'bba' }, { a: 'aaa', b: 'c' }], [{}, { a: 'b' }, { a: 'aab' }, { b: 'aaa' }]],
  [`a in {"a"}`, [{ a: 'a' }], []],
  [`!a in {"a"}`, [{ a: 'b' }], []],
  [`a in {"a", "b"}`, [{ a: 'a' }, { a: 'b' }], []],
  [`a not in {"d", "e"}`, [{ a: 'a' }], []],
  [`has(a)`, [{ a: 'b' }], []],
  [`!has(a)`, [{ b: 'b' }], []],
  [``, [{}, { a: 'b' }], []],
  [` `, [{}], []],
  [`all()`, [{}], []],
  [` all()`, [{}, { a: 'b' }], []],
  [`global()`, [{}], []],
  [` global()`, [{}, { a: 'b' }], []],
  [`a == 'a'`, [], [{ a: 'b' }, {}]],
  [`a != "a"`, [], [{ a: 'a' }]],
  [`a != 'a'`, [], [{ a: 'a' }]],
  [`a in {"a"}`, [], [{ a: 'b' }]],
  [`a not in {"a"}`, [], [{ a: 'a' }]],
  [`a in {"a", "b"}`, [], [{ a: 'c' }]],
  [`has(b)`, [], [{ a: 'b' }]],
  [`!!has(b)`, [], [{ a: 'b' }]],
  [`! has(a)`, [], [{ a: 'b' }]],
  [`!has(a)`, [], [{ a: 'b' }]],
  [`!!! has(a)`, [], [{ a: 'b' }]],
  [`!!!has(a)`, [], [{ a: 'b' }]],
  [`!! ! has(a)`, [], [{ a: 'b' }]],
  [`! !!has(a)`, [], [{ a: 'b' }]],
  [`a == 'a1' && b == 'b1'`, [{ a: 'a1', b: 'b1' }], []],
  [`a == 'a1' && b != 'b1'`, [], [{ a: 'a1', b: 'b1' }]],
  [`a != 'a1' && b == 'b1'`, [], [{ a: 'a1', b: 'b1' }]],
  [`a != 'a1' && b != 'b1'`, [], [{ a: 'a1', b: 'b1' }]],
  [`a != 'a1' && !b == 'b1'`, [], [{ a: 'a1', b: 'b1' }]],
  [`!a == 'a1' && b == 'b1'`, [], [{ a: 'a1', b: 'b1' }]],
  [`has(a) && !has(b)`, [{ a: 'a' }], []],
  [`!has(b) && has(a)`, [{ a: 'a' }], []],
  [`!(!has(a) || has(b))`, [{ a: 'a' }], []],
  [`!(has(b) || !has(a))`, [{ a: 'a' }], []],
  [`a == 'a1' || b == 'b1'`, [{ a: 'a1', b: 'b1' }], []],
  [`a == 'a1' || b != 'b1'`, [{ a: 'a1', b: 'b1' }], []],
  [`a != 'a1' || b == 'b1'`, [{ a: 'a1', b: 'b1' }], []],
  [`a != 'a1' || b != 'b1'`, [], [{ a: 'a1', b: 'b1' }]],
  [`! a == 'a1' || ! b == 'b1'`, [], [{ a: 'a1', b: 'b1' }]],
];

// parser_test.go badSelectors.
const BAD = ['b == b', 'b contains b', 'b starts with b', 'b ends with b', "'b1' == b", 'b', 'a b', '!', 'foo == "bar" &', 'foo == "bar" |', 'foo != ||', 'foo in {"", ||', 'foo in ""', '"FOO', `"FOO'`, "'FOO", '(', '(a == "foo"', ')', '()', '%', 'a == "b" && %', 'a == "b" || %', 'a ', 'has(foo) &&'];

// parser_test.go canonicalisationTests: input → String().
const CANONICAL: [string, string][] = [
  ['', 'all()'],
  [' all() ', 'all()'],
  [' (all() )', 'all()'],
  ['! (has( b)||! has(a ))', '!(has(b) || !has(a))'],
  ['! (a == "b"&&! c != "d")', '!(a == "b" && !c != "d")'],
  [`a == "'"`, `a == "'"`],
  [`a == '"'`, `a == '"'`],
  [`a contains '"'`, `a contains '"'`],
  [`a contains "'"`, `a contains "'"`],
  [`a startswith '"'`, `a starts with '"'`],
  [`a endswith "'"`, `a ends with "'"`],
  [`a!='"'`, `a != '"'`],
  ['a in {"d"}', 'a in {"d"}'],
  ['a in {"a", "b"}', 'a in {"a", "b"}'],
  ['a in {"d", "a", "b"}', 'a in {"a", "b", "d"}'],
  ['a in {"z", "x", "y", "a"}', 'a in {"a", "x", "y", "z"}'],
  ['a in {"z", "z", "x", "y", "x", "a"}', 'a in {"a", "x", "y", "z"}'],
];

test('upstream selectorTests: matches and non-matches, also after canonicalising', () => {
  for (const [sel, yes, no] of SELECTOR_TESTS) {
    const s = parseSelector(sel);
    const again = parseSelector(s.text);
    for (const l of yes) {
      assert.equal(s.matches(m(l)), true, `${sel} should match ${JSON.stringify(l)}`);
      assert.equal(again.matches(m(l)), true, `${s.text} should match ${JSON.stringify(l)}`);
    }
    for (const l of no) {
      assert.equal(s.matches(m(l)), false, `${sel} should not match ${JSON.stringify(l)}`);
      assert.equal(again.matches(m(l)), false, `${s.text} should not match ${JSON.stringify(l)}`);
    }
  }
});

test('upstream badSelectors are rejected, each error naming an offset inside the input', () => {
  for (const sel of BAD) {
    const e = selectorSyntaxError(sel);
    assert.ok(e instanceof SelectorSyntaxError, `${JSON.stringify(sel)} should be rejected`);
    assert.ok(e.position >= 0 && e.position <= sel.length, `${sel}: position ${e.position}`);
    assert.match(e.message, /at offset \d+$/);
  }
});

test('upstream canonicalisationTests: String() and round trip', () => {
  for (const [input, want] of CANONICAL) {
    const s = parseSelector(input);
    assert.equal(s.text, want, input);
    assert.equal(parseSelector(s.text).text, want);
  }
});

test('error positions point at the offending token (flowmatrix addition; upstream reports no position)', () => {
  assert.equal(selectorSyntaxError(`app == 'x' && %`)?.position, 14);
  assert.match(selectorSyntaxError(`app == x && has(b)`)!.message, /expected string at offset 7/);
  // tokenizer.go findIdentifier quirk, kept: a label running to the end of input is no label.
  assert.match(selectorSyntaxError(`app == x`)!.message, /unexpected characters at offset 7/);
  assert.equal(selectorSyntaxError(`a in {'x'`)?.position, 9);
  assert.equal(selectorSyntaxError(`(a == 'x'`)?.position, 9);
  assert.match(selectorSyntaxError(`app = 'x'`)!.message, /expected ==/);
  assert.match(selectorSyntaxError(`app == 'x`)!.message, /unterminated string at offset 7/);
  // tokenizer.go: whitespace is space and tab only; a newline is an unexpected character.
  assert.ok(selectorSyntaxError("a == 'x'\n&& has(b)"));
});

test('namespaceSelector reading: all() selects namespaced endpoints only, global() the others (rules.go getEndpointSelector)', () => {
  const all = parseSelector('all()');
  const global = parseSelector('global()');
  assert.equal(all.matchesNamespace(m({}), true), true);
  assert.equal(all.matchesNamespace(m({}), false), false);
  assert.equal(global.matchesNamespace(m({}), false), true);
  assert.equal(global.matchesNamespace(m({}), true), false);
  assert.equal(parseSelector("projectcalico.org/name == 'shop'").matchesNamespace(m({ 'projectcalico.org/name': 'shop' }), true), true);
});
