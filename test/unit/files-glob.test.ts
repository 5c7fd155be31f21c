/**
 * The followed-files glob matcher (collectors/files/glob.ts) against the library answer it stands
 * in for: node's own `path.matchesGlob` (minimatch's rules), on generated names and patterns, and
 * on the cases its comments name. Names `.` and `..` are left out: readdir never lists them.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { globRegExp, globSyntaxProblem, isGlob } from '../../collectors/files/glob.ts';

const matchesGlob = (path as { matchesGlob?: (p: string, g: string) => boolean }).matchesGlob;

function reference(name: string, pattern: string): boolean {
  assert.equal(typeof matchesGlob, 'function', 'this test compares with path.matchesGlob (node >= 20.17)');
  return (matchesGlob as (p: string, g: string) => boolean)(`/d/${name}`, `/d/${pattern}`);
}

test('the cases the matcher documents agree with path.matchesGlob', () => {
  const cases: [string, string][] = [
    ['hubble-1.log', '/var/log/hubble/hubble-*.log'],
    ['flows.json', '*.json'],
    ['.flows.json', '*.json'],
    ['.flows.json', '.*.json'],
    ['.x', '[.]*'],
    ['.x', '[!a]*'],
    ['flows-3.json', 'flows-[0-9].json'],
    ['flows-a.json', 'flows-[!0-9].json'],
    ['flows-a.json', 'flows-[^0-9].json'],
    ['x]', 'x[]]'],
    ['[a', '[a'],
    ['hubble-12.log', 'hubble-?.log'],
  ];
  for (const [name, pattern] of cases) {
    const base = path.basename(pattern);
    assert.equal(globRegExp(base).test(name), reference(name, base), `${name} ~ ${base}`);
  }
});

test('property: same answer as path.matchesGlob on generated names and patterns', () => {
  const name = fc
    .array(fc.constantFrom('a', 'b', '.', '-', '1', '[', ']', '!', '^'), { minLength: 1, maxLength: 6 })
    .map((a) => a.join(''))
    .filter((n) => n !== '.' && n !== '..');
  const pattern = fc
    .array(fc.constantFrom('a', 'b', '.', '-', '1', '*', '?', '[', ']', '!', '^', '[a-b]', '[!a]', '[.]', '[]a]'), { minLength: 1, maxLength: 5 })
    .map((a) => a.join(''))
    .filter((p) => globSyntaxProblem(`/d/${p}`) === undefined);
  fc.assert(
    fc.property(name, pattern, (n, p) => globRegExp(p).test(n) === reference(n, p)),
    { numRuns: 3000, seed: 16 },
  );
});

test('what is refused, and what counts as a glob', () => {
  assert.equal(isGlob('/var/log/flows.json'), false);
  assert.equal(isGlob('/var/log/*.json'), true);
  assert.match(globSyntaxProblem('/var/*/flows.json') ?? '', /only be in the file name/);
  assert.match(globSyntaxProblem('/var/log/{a,b}.json') ?? '', /braces/);
  assert.match(globSyntaxProblem('/var/log/**') ?? '', /recursive/);
  assert.equal(globSyntaxProblem('/var/log/hubble-*.log'), undefined);
});
