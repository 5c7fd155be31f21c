/**
 * libcalico-go's selector grammar, checked against the upstream tests:
 * projectcalico/calico libcalico-go/lib/selector/parser/parser_test.go (selectorTests,
 * badSelectors, canonicalisationTests) and tokenizer/tokenizer_test.go (tokenTests). Each case
 * below is one upstream case, unchanged (token kinds renamed: TokLabel → label, TokNotIn → not in…).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSelector, SelectorSyntaxError, selectorLimitsOf, selectorSyntaxError, selectorTokens, withLabelPrefix } from '../../recommender/simulate/calico/selector.ts';

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
  assert.match(selectorSyntaxError(`app == x`)!.message, /expected string at offset 7/);
  assert.match(selectorSyntaxError(`app`)!.message, /unexpected end of string looking for op at offset 3/);
  assert.equal(selectorSyntaxError(`a in {'x'`)?.position, 9);
  assert.equal(selectorSyntaxError(`(a == 'x'`)?.position, 9);
  assert.match(selectorSyntaxError(`app = 'x'`)!.message, /expected ==/);
  assert.match(selectorSyntaxError(`app == 'x`)!.message, /unterminated string at offset 7/);
  // tokenizer.go: whitespace is space and tab only; a newline is an unexpected character.
  assert.ok(selectorSyntaxError("a == 'x'\n&& has(b)"));
});

test('withLabelPrefix: every label prefixed, all() and global() kept, the canonical text (ast.go PrefixVisitor; rules_test.go "should parse a complex namespace selector")', () => {
  assert.equal(withLabelPrefix("!has(key) || (has(key) && !key in {'value'})", 'pcns.'), '(!has(pcns.key) || (has(pcns.key) && !pcns.key in {"value"}))');
  assert.equal(withLabelPrefix("team == 'a' && x not in {'b'} && y starts with 'c'", 'pcns.'), '(pcns.team == "a" && pcns.x not in {"b"} && pcns.y starts with "c")');
  assert.equal(withLabelPrefix('all()', 'pcns.'), 'all()');
  assert.equal(withLabelPrefix('global()', 'pcns.'), 'global()');
  assert.throws(() => withLabelPrefix("team = 'a'", 'pcns.'), SelectorSyntaxError);
});

// tokenizer_test.go tokenTests: input → tokens; undefined = must be rejected.
const TOKEN_TESTS: [string, string[] | undefined][] = [
  ['a=="b"', ['label(a)', '==', 'string(b)', 'EOF']],
  ['label == "value"', ['label(label)', '==', 'string(value)', 'EOF']],
  ['label contains "value"', ['label(label)', 'contains', 'string(value)', 'EOF']],
  ['contains contains "contains"', ['label(contains)', 'contains', 'string(contains)', 'EOF']],
  ["contains contains 'contains'", ['label(contains)', 'contains', 'string(contains)', 'EOF']],
  ['label contains"value"', ['label(label)', 'contains', 'string(value)', 'EOF']],
  ['label startswith "value"', ['label(label)', 'starts with', 'string(value)', 'EOF']],
  ['label endswith "value"', ['label(label)', 'ends with', 'string(value)', 'EOF']],
  ['label starts with "value"', ['label(label)', 'starts with', 'string(value)', 'EOF']],
  ['startswith starts with "value"', ['label(startswith)', 'starts with', 'string(value)', 'EOF']],
  ['label ends with "value"', ['label(label)', 'ends with', 'string(value)', 'EOF']],
  ['endswith ends with "value"', ['label(endswith)', 'ends with', 'string(value)', 'EOF']],
  ['label starts  with "value"', ['label(label)', 'starts with', 'string(value)', 'EOF']],
  ['label ends  with "value"', ['label(label)', 'ends with', 'string(value)', 'EOF']],
  ['label starts foo "value"', undefined],
  ['label ends foo "value"', undefined],
  ['label squiggles "value"', undefined],
  ['a not in "bar" && !has(foo) || b in c', ['label(a)', 'not in', 'string(bar)', '&&', '!', 'has(foo)', '||', 'label(b)', 'in', 'label(c)', 'EOF']],
  ['has(calico/k8s_ns)', ['has(calico/k8s_ns)', 'EOF']],
  ['has(calico/k8s_ns/role)', ['has(calico/k8s_ns/role)', 'EOF']],
  ['has(calico/k8s_NS-.1/role)', ['has(calico/k8s_NS-.1/role)', 'EOF']],
  ['calico/k8s_ns == "kube-system" && k8s-app == "kube-dns"', ['label(calico/k8s_ns)', '==', 'string(kube-system)', '&&', 'label(k8s-app)', '==', 'string(kube-dns)', 'EOF']],
  ['a  not  in  "bar"  &&  ! has( foo )  ||  b  in  c ', ['label(a)', 'not in', 'string(bar)', '&&', '!', 'has(foo)', '||', 'label(b)', 'in', 'label(c)', 'EOF']],
  ['a notin"bar"&&!has(foo)||b in"c"', ['label(a)', 'not in', 'string(bar)', '&&', '!', 'has(foo)', '||', 'label(b)', 'in', 'string(c)', 'EOF']],
  ['a not in {}', ['label(a)', 'not in', '{', '}', 'EOF']],
  ['a not in {"a"}', ['label(a)', 'not in', '{', 'string(a)', '}', 'EOF']],
  ['a not in {"a","B"}', ['label(a)', 'not in', '{', 'string(a)', ',', 'string(B)', '}', 'EOF']],
  ['global()', ['global', 'EOF']],
  ['all()', ['all', 'EOF']],
];

test('upstream tokenTests: the same tokens, the same rejections', () => {
  for (const [input, want] of TOKEN_TESTS) {
    if (want === undefined) assert.throws(() => selectorTokens(input), SelectorSyntaxError, input);
    else assert.deepEqual(selectorTokens(input), want, input);
  }
});

test('the values a selector limits a label to: ==, in, && (every operand), || (each operand limited), else none', () => {
  const ns = 'projectcalico.org/name';
  assert.deepEqual(selectorLimitsOf("projectcalico.org/name in {'b', 'a'}", ns), ['a', 'b']);
  assert.deepEqual(selectorLimitsOf("projectcalico.org/name in {'a', 'b'} && projectcalico.org/name == 'b' && team == 'x'", ns), ['b']);
  assert.deepEqual(selectorLimitsOf("projectcalico.org/name == 'a' || projectcalico.org/name == 'c'", ns), ['a', 'c']);
  for (const unlimited of ['all()', '', "projectcalico.org/name == 'a' || team == 'x'", "projectcalico.org/name != 'a'", "!(projectcalico.org/name == 'a')", "projectcalico.org/name == 'a"]) assert.equal(selectorLimitsOf(unlimited, ns), undefined, unlimited);
});
