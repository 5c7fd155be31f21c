/**
 * YAML nested deeper than domain/yaml-document.ts allows (512 levels) is refused with that reason
 * before yaml composes it: yaml composes collections recursively, and some hundreds of levels
 * overflow the stack (yaml then reports "Maximum call stack size exceeded", and V8 may abort the
 * whole process when it compiles a regular expression that close to the stack's end).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseYamlDocument, parseYamlDocuments, yamlData } from '../../domain/yaml-document.ts';

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
