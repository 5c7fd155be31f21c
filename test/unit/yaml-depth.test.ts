/**
 * YAML nested deeper than domain/yaml-document.ts allows (512 levels) is refused with that reason
 * before yaml composes it: yaml composes collections recursively, and some hundreds of levels
 * overflow the stack (yaml then reports "Maximum call stack size exceeded", and V8 may abort the
 * whole process when it compiles a regular expression that close to the stack's end).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseYamlDocument, parseYamlDocuments, yamlData } from '../../domain/yaml-document.ts';
import { InventoryInputError } from '../../collectors/inventory/fields.ts';
import { parseInventoryText } from '../../collectors/inventory/parse.ts';

/** Each shape nests `n` collections. */
const SHAPES: Record<string, (n: number) => string> = {
  'flow sequences': (n) => `a: ${'['.repeat(n)}${']'.repeat(n)}\n`,
  'flow mappings': (n) => `a: ${'{b: '.repeat(n)}1${'}'.repeat(n)}\n`,
  'compact block sequences': (n) => `${'- '.repeat(n)}x\n`,
  'indented block mappings': (n) => `${Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`,
  // A sequence that is a mapping's value may sit at the mapping's own indentation: two levels per column.
  // k:\n- k:\n  - k:\n    - x
  'mappings and sequences at one indentation': (n) => `k:\n${Array.from({ length: n / 2 - 1 }, (_, i) => `${' '.repeat(2 * i)}- k:\n`).join('')}${' '.repeat(n - 2)}- x\n`,
};

const errorsOf = (text: string, many: boolean): string[] => (many ? parseYamlDocuments(text).flatMap((d) => d.errors) : parseYamlDocument(text).errors).map((e) => e.message);

test('5000 levels of any shape: one error, "nesting deeper than 512 levels" at the line it happens, from both readers', () => {
  for (const [shape, make] of Object.entries(SHAPES)) {
    for (const many of [false, true]) {
      const errors = errorsOf(make(5000), many);
      assert.equal(errors.length, 1, `${shape}: ${errors.join('; ').slice(0, 300)}`);
      assert.match(errors[0]!, /^nesting deeper than 512 levels/, shape);
    }
  }
});

test('as deep as a document may be (500 levels), every shape parses as before', () => {
  for (const [shape, make] of Object.entries(SHAPES)) {
    const doc = parseYamlDocument(make(500));
    assert.deepEqual(doc.errors, [], shape);
    assert.equal(yamlData(doc).ok, true, shape);
  }
});

test('600 levels: the data is refused for its depth, as before (the same reason)', () => {
  for (const [shape, make] of Object.entries(SHAPES)) {
    const doc = parseYamlDocument(make(600));
    const read = doc.errors.length > 0 ? doc.errors[0]!.message : (yamlData(doc) as { message?: string }).message;
    assert.match(read ?? '', /nesting deeper than 512 levels/, shape);
  }
});

test('a stream whose third document is too deep: that document and its line are named, not document 1; the documents before it read as before', () => {
  const deep = `b: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
  // Lines: 1 apiVersion, 2 kind, 3 items, 4 ---, 5 a comment, 6 a: 1, 7 ---, 8 the deep one.
  const text = `apiVersion: v1\nkind: List\nitems: []\n---\n# second\na: 1\n---\n${deep}`;
  const docs = parseYamlDocuments(text);
  assert.equal(docs.length, 3);
  assert.deepEqual([docs[0]!.errors, docs[1]!.errors], [[], []]);
  assert.deepEqual(docs[1]!.toJS(), { a: 1 });
  assert.match(docs[2]!.errors[0]!.message, /^nesting deeper than 512 levels/);
  assert.equal(docs[2]!.errors[0]!.linePos?.[0].line, 8);
  assert.throws(() => parseInventoryText(text), (e: Error) => e instanceof InventoryInputError && /document 3, line 8\): nesting deeper than 512 levels/.test(e.message));
  // The first document deep, after a comment: document 1, its own line.
  assert.throws(() => parseInventoryText(`# header\n\n${deep}---\na: 1\n`), (e: Error) => /document 1, line 3\): nesting deeper/.test(e.message));
  // A document before the deep one that is itself broken is reported first, as it comes first.
  assert.throws(() => parseInventoryText(`a: [1\n---\n${deep}`), (e: Error) => /document 1, line \d+\)/.test(e.message) && !/nesting/.test(e.message));
});
