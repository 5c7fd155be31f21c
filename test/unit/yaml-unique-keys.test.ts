/**
 * domain/yaml-document.ts parses user YAML with yaml's own duplicate-key check off (it compares
 * each key with every earlier one of its map: quadratic) and checks in one pass instead. Its
 * verdicts are yaml's own (the library is the reference): the same DUPLICATE_KEY errors at the
 * same places, on every map shape yaml has.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments, parseDocument } from 'yaml';
import { parseYamlDocument, parseYamlDocuments } from '../../domain/yaml-document.ts';

const CASES = [
  'a: 1\nb: 2\na: 3\n',
  'top:\n  x: 1\n  y: 2\n  x: 3\nother: { p: 1, q: 2, p: 3 }\n',
  '- { a: 1, a: 2 }\n- k: 1\n  k: 2\n  k: 3\n',
  '1: a\n"1": b\n1: c\n', // a number and a string are different keys; the same number twice is not
  'base: &b { x: 1 }\nm:\n  <<: *b\n  y: 2\n  y: 3\n',
  '? [a]\n: 1\n? [a]\n: 2\n', // non-scalar keys: never equal, as yaml compares them
  'null: 1\n~: 2\n',
  '.nan: 1\n.nan: 2\n',
  'a: 1\nb: [1, 2\n', // a syntax error beside no duplicate
];

const errorsOf = (doc: { errors: { code: string; pos: [number, number]; linePos?: { line: number; col: number }[] }[] }) =>
  doc.errors.map((e) => [e.code, e.pos[0], e.linePos?.[0]?.line]);

test('the same DUPLICATE_KEY errors at the same places as yaml\'s own check (one document, and a stream)', () => {
  for (const text of CASES) {
    for (const merge of [false, true]) {
      assert.deepEqual(errorsOf(parseYamlDocument(text, { merge })), errorsOf(parseDocument(text, { merge })), `${JSON.stringify(text)} merge=${merge}`);
      assert.deepEqual(parseYamlDocument(text, { merge }).toJS(), parseDocument(text, { merge }).toJS(), JSON.stringify(text));
    }
  }
  const stream = CASES.slice(0, 4).join('---\n');
  assert.deepEqual(parseYamlDocuments(stream).map(errorsOf), [...parseAllDocuments(stream)].map(errorsOf));
});

test('a map of 50,000 keys parses in linear time: ten times the keys take far less than a hundred times as long', () => {
  const map = (n: number) => `data:\n${Array.from({ length: n }, (_, i) => `  k${i}: v\n`).join('')}`;
  const time = (n: number) => {
    const text = map(n);
    const start = performance.now();
    assert.equal(parseYamlDocument(text).errors.length, 0);
    return performance.now() - start;
  };
  time(5_000); // warm up
  const small = Math.min(time(5_000), time(5_000));
  const large = time(50_000);
  // Quadratic: ×100 (yaml's own check took 8.5 s for 50,000 keys here); linear: ×10, with room for noise.
  assert.ok(large < small * 40, `5,000 keys: ${small.toFixed(0)} ms, 50,000 keys: ${large.toFixed(0)} ms`);
});
