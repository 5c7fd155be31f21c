/**
 * The token cap of YAML request bodies (domain/yaml-document.ts checkYamlTokens, server/http/yaml-limit.ts):
 * counted with yaml's own Lexer, stopping at the cap, so refusing costs what the cap allows and no more.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { Lexer } from 'yaml';
import { checkYamlTokens, parseYamlDocument, YamlTooLarge } from '../../domain/yaml-document.ts';
import { MAX_BODY_YAML_TOKENS } from '../../server/http/yaml-limit.ts';

const tokensOf = (text: string): number => {
  let n = 0;
  for (const _ of new Lexer().lex(text)) n++;
  return n;
};

test('every bundled matrix is far under the cap: at most 10,500 tokens, as the docs say, and the cap at least nineteen times the largest', () => {
  const dir = new URL('../../matrices/', import.meta.url);
  const counts = readdirSync(dir).filter((n) => n.endsWith('.yaml')).map((f) => tokensOf(readFileSync(new URL(f, dir), 'utf8')));
  assert.ok(counts.length >= 4, 'the four built-in matrices');
  assert.ok(Math.max(...counts) <= 10_500, `largest bundled matrix: ${Math.max(...counts)} tokens`);
  assert.ok(MAX_BODY_YAML_TOKENS >= 19 * Math.max(...counts));
});

test('line breaks and indentation count: empty lines (seconds of parsing, no value) are refused, and counting stops at the cap', () => {
  const cap = 10_000;
  const text = '\n'.repeat(cap * 100);
  assert.ok(tokensOf(text) > cap, 'each line break is a token');
  // Stopping at the cap costs a hundredth of lexing the whole text: timed against it, in the same process (no wall-clock bound that a loaded machine breaks).
  const timed = (fn: () => void): number => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  const whole = timed(() => tokensOf(text));
  const capped = timed(() => assert.throws(() => checkYamlTokens(text, cap), (e: unknown) => e instanceof YamlTooLarge && e.maxTokens === cap));
  assert.ok(capped < whole / 5, `counting stops at the cap: ${capped.toFixed(1)} ms against ${whole.toFixed(1)} ms for the whole text`);
});

test('parseYamlDocument refuses past maxTokens before parsing, and parses as before under it or without it', () => {
  assert.throws(() => parseYamlDocument('a: [1, 2, 3]\n', { maxTokens: 5 }), YamlTooLarge);
  assert.deepEqual(parseYamlDocument('a: [1, 2, 3]\n', { maxTokens: 100 }).toJS(), { a: [1, 2, 3] });
  assert.deepEqual(parseYamlDocument('a: [1, 2, 3]\n').toJS(), { a: [1, 2, 3] });
});
