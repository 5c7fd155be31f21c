/**
 * The hand-written selector matchers the simulators use against a reference:
 * - `selectorMatches` (recommender/matrix/selector.ts) loops over the selector without closures;
 *   its answer must be `selectorMatchesBy`'s, Kubernetes LabelSelector semantics
 *   (k8s.io/apimachinery pkg/apis/meta/v1 LabelSelectorAsSelector: matchLabels and
 *   matchExpressions all hold; In/NotIn/Exists/DoesNotExist);
 * - Cilium's `LabelSet.selects` (recommender/simulate/cilium/labels.ts) finds a label by one
 *   lookup text per requirement; its answer must be the plain reading of Cilium's rules
 *   (pkg/labels: a selector key without a source is the `any` source and matches that key from
 *   every source; with a source it matches that source only).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LabelSelector, Labels } from '../../domain/inventory.ts';
import { requirementProblem, selectorMatches, selectorMatchesBy } from '../../recommender/matrix/selector.ts';
import { LabelSet, SelectorBuilder, splitKey } from '../../recommender/simulate/cilium/labels.ts';

const KEYS = ['app', 'tier', 'constructor', 'toString', 'k8s-app'];
const VALUES = ['web', 'db', ''];

/** A small deterministic generator (mulberry32): the cases are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function labelsOf(r: () => number): Labels {
  const out: Labels = {};
  for (const k of KEYS) if (r() < 0.5) out[k] = pick(r, VALUES);
  return out;
}

function selectorOf(r: () => number): LabelSelector {
  const sel: LabelSelector = {};
  if (r() < 0.7) {
    sel.matchLabels = {};
    for (const k of KEYS) if (r() < 0.3) sel.matchLabels[k] = pick(r, VALUES);
  }
  if (r() < 0.6) {
    sel.matchExpressions = [];
    const n = 1 + Math.floor(r() * 2);
    for (let i = 0; i < n; i++) {
      const operator = pick(r, ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const);
      const key = pick(r, KEYS);
      sel.matchExpressions.push(operator === 'In' || operator === 'NotIn' ? { key, operator, values: [pick(r, VALUES), pick(r, VALUES)] } : { key, operator });
    }
  }
  return sel;
}

test('selectorMatches answers as selectorMatchesBy over own labels, on 5,000 generated cases (prototype keys included)', () => {
  const r = random(7);
  let yes = 0;
  for (let i = 0; i < 5000; i++) {
    const labels = labelsOf(r);
    const sel = selectorOf(r);
    const expected = selectorMatchesBy(sel, (k) => (Object.hasOwn(labels, k) ? labels[k] : undefined));
    assert.equal(selectorMatches(sel, labels), expected, JSON.stringify({ sel, labels }));
    if (expected) yes++;
  }
  assert.ok(yes > 500 && yes < 4500, `both answers are exercised (${yes} matches)`);
});

/** The plain reading: every requirement's value found by scanning the labels, source by source. */
function plainSelects(labels: readonly [string, string, string][], sel: LabelSelector): boolean {
  const value = (rawKey: string): string | undefined => {
    const { source, key } = splitKey(rawKey);
    return labels.find(([s, k]) => k === key && (source === 'any' || s === source))?.[2];
  };
  return selectorMatchesBy(sel, value);
}

test('cilium LabelSet.selects answers as the plain reading of sources (any source, k8s, reserved), on 5,000 generated cases', () => {
  const r = random(11);
  let yes = 0;
  for (let i = 0; i < 5000; i++) {
    const given: [string, string, string][] = [];
    for (const k of KEYS) if (r() < 0.5) given.push([pick(r, ['k8s', 'reserved', 'k8s']), k, pick(r, VALUES)]);
    const labels = new LabelSet();
    for (const [s, k, v] of given) labels.add(s, k, v);
    const sel = selectorOf(r);
    // Keys written with a source, without one, or with the `any` source.
    const prefix = (k: string): string => pick(r, ['', 'k8s:', 'reserved:', 'any:']) + k;
    const written: LabelSelector = {};
    if (sel.matchLabels) written.matchLabels = Object.fromEntries(Object.entries(sel.matchLabels).map(([k, v]) => [prefix(k), v]));
    if (sel.matchExpressions) written.matchExpressions = sel.matchExpressions.map((e) => ({ ...e, key: prefix(e.key) }));
    const expected = plainSelects(given, written);
    assert.equal(labels.selects(SelectorBuilder.from(written).build()), expected, JSON.stringify({ given, written }));
    if (expected) yes++;
  }
  assert.ok(yes > 500 && yes < 4500, `both answers are exercised (${yes} matches)`);
});

test('cilium LabelSet: a key asked with no source finds the first label of that key; list() is one sorted text per (source, key)', () => {
  const labels = new LabelSet().add('k8s', 'app', 'web').add('reserved', 'app', 'x').add('k8s', 'app', 'api');
  assert.equal(labels.get('any', 'app'), 'web');
  assert.equal(labels.get('k8s', 'app'), 'api', 'a later label of the same source and key replaces the earlier');
  assert.equal(labels.get('reserved', 'app'), 'x');
  assert.deepEqual(labels.list(), ['k8s:app=api', 'reserved:app=x']);
});

test('a requirement LabelSelectorAsSelector refuses makes the selector select nothing: an unknown operator (case included), In/NotIn without values, Exists/DoesNotExist with values', () => {
  // kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go
  // LabelSelectorAsSelector: `"%q is not a valid label selector operator"`; pkg/labels/selector.go
  // NewRequirement: "for 'in', 'notin' operators, values set can't be empty", "values set must be
  // empty for exists and does not exist". An implementation that cannot build the selector
  // programs nothing for it (ovn-kubernetes: no address set), so it matches no pod.
  const refused: { requirement: NonNullable<LabelSelector['matchExpressions']>[number]; problem: string }[] = [
    { requirement: { key: 'app', operator: 'in' as 'In', values: ['web'] }, problem: '"in" is not a valid label selector operator' },
    { requirement: { key: 'app', operator: 'Foo' as 'In', values: ['web'] }, problem: '"Foo" is not a valid label selector operator' },
    { requirement: { key: 'app', operator: 'In' }, problem: "for 'in', 'notin' operators, values set can't be empty" },
    { requirement: { key: 'app', operator: 'NotIn', values: [] }, problem: "for 'in', 'notin' operators, values set can't be empty" },
    { requirement: { key: 'app', operator: 'Exists', values: ['web'] }, problem: 'values set must be empty for exists and does not exist' },
    { requirement: { key: 'app', operator: 'DoesNotExist', values: ['web'] }, problem: 'values set must be empty for exists and does not exist' },
  ];
  for (const { requirement, problem } of refused) {
    const selector: LabelSelector = { matchExpressions: [requirement] };
    assert.equal(requirementProblem(requirement), problem, JSON.stringify(requirement));
    for (const labels of [{}, { app: 'web' }, { app: 'db' }] as Labels[]) {
      assert.equal(selectorMatches(selector, labels), false, `${JSON.stringify(requirement)} on ${JSON.stringify(labels)}`);
      assert.equal(selectorMatchesBy(selector, (k) => labels[k]), false, `${JSON.stringify(requirement)} on ${JSON.stringify(labels)} (By)`);
    }
  }
  const built: NonNullable<LabelSelector['matchExpressions']> = [{ key: 'app', operator: 'In', values: ['web'] }, { key: 'app', operator: 'Exists' }, { key: 'app', operator: 'DoesNotExist', values: [] }];
  for (const requirement of built) {
    assert.equal(requirementProblem(requirement), undefined, JSON.stringify(requirement));
  }
});
