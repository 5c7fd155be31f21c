/**
 * Comments, docs and tests are read by people who have only this repository: none points at an
 * outside issue tracker ("issue 12"), at a tester's scratch files (/tmp/h23d…), or at files beside
 * the repository (../shared, /work). Each says what it means instead.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FOLDERS = ['app', 'bench', 'cli', 'collectors', 'demo', 'docs', 'domain', 'migrations', 'recommender', 'reports', 'server', 'store', 'test'];
const OUTSIDE = [
  { what: 'the issue tracker', pattern: /\b[Ii]ssues? #?\d+\b/ },
  { what: "a tester's scratch files", pattern: /\/tmp\/[a-z]+\d+[a-z]*\// },
  { what: 'files beside the repository', pattern: /\.\.\/shared\b|\/work\/(?:main|shared)\b/ },
];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|mts|md|sql)$/.test(name)) yield path;
  }
}

test('no comment, doc or test points outside the repository', () => {
  const found: string[] = [];
  const self = fileURLToPath(import.meta.url);
  for (const file of [join(ROOT, 'README.md'), ...FOLDERS.flatMap((f) => [...files(join(ROOT, f))])]) {
    if (file === self) continue;
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      for (const o of OUTSIDE) if (o.pattern.test(line)) found.push(`${relative(ROOT, file)}:${i + 1} points at ${o.what}: ${line.trim().slice(0, 120)}`);
    });
  }
  assert.deepEqual(found, []);
});
