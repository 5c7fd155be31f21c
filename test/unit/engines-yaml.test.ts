import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'yaml';
import { ENGINES, ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { DirectWriter, MAX_CACHED_RENDERINGS, toMultiDocYaml, toYaml, toYamlReference } from '../../recommender/engines/yaml.ts';
import { policySet } from '../../recommender/policy/build.ts';
import { richIntents } from '../golden/engines/rich-ir.ts';

test('every manifest of the rich IR serialises byte-equal to the yaml library, on every engine', () => {
  let n = 0;
  for (const engine of ENGINE_NAMES) {
    const { manifests } = ENGINES[engine].emit(policySet(richIntents()));
    assert.ok(manifests.length > 0);
    for (const m of manifests) {
      assert.equal(toYaml(m), toYamlReference(m), `${engine} ${m.metadata.name}`);
      n++;
    }
    assert.equal(toMultiDocYaml(manifests), manifests.map((m) => `---\n${toYamlReference(m)}`).join(''));
  }
  assert.ok(n >= 20, `only ${n} manifests`);
});

test('the strings YAML treats specially come out exactly as the library writes them', () => {
  const doc = {
    metadata: { annotations: { 'flowmatrix.io/rules': 'ingress a\negress b', trail: 'x\n', keep: 'x\n\n', lead: '  x\ny', marker: 'a\n---\nb' } },
    quoted: ['true', 'null', '~', '', '0x1F', '1e3', '.5', '80', '- x', '? y', 'a: b', 'x #c', 'end:', "it's", 'say "hi"', '\t', '\u0001', '#x', '---', '%x', '...'],
    '80': 1,
    'k: x': -0,
    ' sp': false,
    empty: { map: {}, seq: [] },
    nested: [[], {}, [1, 'x'], [['deep']], { a: [{ b: 'c' }] }],
  };
  assert.equal(toYaml(doc), toYamlReference(doc));
  // Spot-check the layout the engines rely on: kubectl-style sequences, sorted keys, block literals.
  assert.equal(toYaml({ b: [{ y: 1, x: 'p' }], a: { c: 'l1\nl2' } }), 'a:\n  c: |-\n    l1\n    l2\nb:\n- x: p\n  "y": 1\n');
});

// YAML 1.1 (yaml.org/type/bool.html, int.html, timestamp.html) reads these plain scalars as
// bools, ints and timestamps; go-yaml v2, which kubectl parses manifests with, is YAML 1.1.
// YAML 1.2's core schema (yaml.org/spec/1.2.2 §10.3.2) reads 0o17 as an int. Expected: every
// string comes back a string under both.
test('strings a YAML 1.1 or 1.2 parser would read as another type are quoted, and read back as strings by both', () => {
  const tricky = ['yes', 'No', 'ON', 'off', 'y', 'N', 'true', 'null', '~', '012', '0o17', '0x1F', '0b101', '1_000', '1:30', '190:20:30', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '1e3', '.5', '.inf', '-.NaN', '=', '<<', 'plain'];
  for (const value of tricky) {
    const text = toYaml({ metadata: { labels: { app: value } }, [value]: 1 });
    for (const version of ['1.1', '1.2'] as const) {
      const back = parse(text, { version }) as Record<string, unknown> & { metadata: { labels: { app: unknown } } };
      assert.equal(back.metadata.labels.app, value, `${JSON.stringify(value)} as a value, YAML ${version}:\n${text}`);
      assert.equal(back[value], 1, `${JSON.stringify(value)} as a key, YAML ${version}:\n${text}`);
    }
  }
  assert.match(toYaml({ a: 'yes' }), /^a: "yes"$/m);
  assert.match(toYaml({ a: 'plain' }), /^a: plain$/m);
});

test('random strings read back as the same strings under YAML 1.1 and 1.2', () => {
  const unit = fc.constantFrom('y', 'Y', 'e', 'n', 'o', 'O', 'f', 'N', '0', '1', '7', 'b', 'x', ':', '-', '_', '.', '+', 't', 'T', ' ', '~', '<', '=');
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 10 }), (value) => {
      const text = toYaml({ v: value });
      for (const version of ['1.1', '1.2'] as const) assert.equal((parse(text, { version }) as { v: unknown }).v, value, `YAML ${version}: ${text}`);
    }),
    { numRuns: 3000 },
  );
});

test('values outside the direct path fall back to the library', () => {
  const docs: unknown[] = [
    { a: null },
    { a: 1.5 },
    { a: [undefined, 1] },
    { when: new Date(0) },
    { [`k${'x'.repeat(1100)}`]: 'v' },
    { a: new Map([['x', 1]]) },
    [1, 2],
    'scalar',
  ];
  for (const d of docs) assert.equal(toYaml(d), toYamlReference(d));
  assert.equal(toYaml({ a: undefined, b: 1 }), 'b: 1\n');
});

test('random documents serialise byte-equal to the yaml library', () => {
  const text = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', 'Z', '0', '9', ' ', ':', '-', '#', "'", '"', '\n', '\t', '.', '/', '*', '&', '!', '|', '>', '%', '@', '`', ',', '[', ']', '{', '}', '?', '~', 'é', '\u0007'), maxLength: 12 }),
    fc.constantFrom('true', 'False', 'null', 'NULL', '~', '', '1', '-2', '0o7', '0x1f', '1.5', '.inf', '-.Inf', '.nan', '1e5', '---', '...', 'yes', 'on', '2026-11-20'),
  );
  const scalar = fc.oneof(text, fc.integer({ min: -70000, max: 70000 }), fc.boolean());
  const { doc } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('seq'), tie('map')),
    seq: fc.array(tie('value'), { maxLength: 4 }),
    map: fc.dictionary(text, tie('value'), { maxKeys: 5 }),
    doc: fc.dictionary(text, tie('value'), { minKeys: 1, maxKeys: 6 }),
  }));
  fc.assert(
    fc.property(doc, (d) => {
      assert.equal(toYaml(d), toYamlReference(d));
    }),
    { numRuns: 400, seed: 20261120 },
  );
});

test('a writer that outlives many distinct strings keeps its caches bounded and its bytes those of the library', () => {
  // An export of a large cluster writes one document after another with one writer: the
  // selectors and explanations it meets are unbounded, the caches are not.
  const w = new DirectWriter();
  let most = 0;
  for (let i = 0; i < 3 * MAX_CACHED_RENDERINGS; i++) {
    const doc = { kind: 'NetworkPolicy', metadata: { name: `p-${i}`, labels: { app: `svc-${i % 7}`, 'yes': 'on' } }, spec: { selector: `app == 'svc-${i}'`, ports: [443, 'https'] } };
    assert.equal(w.document(doc), toYamlReference(doc), `document ${i}`);
    most = Math.max(most, w.cachedRenderings);
  }
  assert.ok(most <= 2 * MAX_CACHED_RENDERINGS, `the caches held ${most} renderings`);
  assert.ok(most >= MAX_CACHED_RENDERINGS, `the caches held ${most} renderings: the bound was never reached, so never tested`);
});
