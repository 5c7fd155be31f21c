/**
 * The token cap of YAML request bodies (domain/yaml-document.ts checkYamlTokens, server/http/yaml-limit.ts):
 * counted with yaml's own Lexer, stopping at the cap, so refusing costs what the cap allows and no more.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { checkYamlTokens, parseYamlDocument, YamlTooLarge } from '../../domain/yaml-document.ts';
import { MAX_BODY_YAML_TOKENS } from '../../server/http/yaml-limit.ts';

test('every bundled matrix is far under the cap (the cap names them: up to 10,000 tokens)', () => {
  const dir = new URL('../../matrices/', import.meta.url);
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    assert.doesNotThrow(() => checkYamlTokens(readFileSync(new URL(f, dir), 'utf8'), 10_000), f);
  }
  assert.ok(MAX_BODY_YAML_TOKENS >= 20 * 10_000);
});

test('line breaks and indentation count: 16 MiB of empty lines (seconds of parsing, no value) is refused, and soon', () => {
  const started = performance.now();
  assert.throws(() => checkYamlTokens('\n'.repeat(16 * 1024 * 1024), MAX_BODY_YAML_TOKENS), (e: unknown) => e instanceof YamlTooLarge && e.maxTokens === MAX_BODY_YAML_TOKENS);
  assert.ok(performance.now() - started < 2_000, `counting stops at the cap: ${performance.now() - started} ms`);
});

test('parseYamlDocument refuses past maxTokens before parsing, and parses as before under it or without it', () => {
  assert.throws(() => parseYamlDocument('a: [1, 2, 3]\n', { maxTokens: 5 }), YamlTooLarge);
  assert.deepEqual(parseYamlDocument('a: [1, 2, 3]\n', { maxTokens: 100 }).toJS(), { a: [1, 2, 3] });
  assert.deepEqual(parseYamlDocument('a: [1, 2, 3]\n').toJS(), { a: [1, 2, 3] });
});
