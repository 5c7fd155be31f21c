/**
 * The layers of README.md "Layout": a module imports its own folder or a lower layer, never a
 * higher one nor a neighbour on the same layer, and no module imports itself back through others.
 * Imports are read from the source text (relative `import … from`, `export … from`, `import '…'`
 * and `import('…')`), so a type-only import counts as much as any other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Folder → layer; a module may import folders of a lower layer only. */
export const LAYERS: Readonly<Record<string, number>> = {
  domain: 0,
  store: 1,
  collectors: 2,
  recommender: 2,
  reports: 3,
  app: 4,
  demo: 5,
  server: 6,
  cli: 7,
  bin: 8,
  bench: 8,
  // Tests check every layer, the launcher's bin/ modules included.
  test: 9,
};

/** Every .ts/.mjs file under the layer folders, relative to the repo root. */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mjs)$/.test(entry.name)) out.push(path);
    }
  };
  for (const folder of Object.keys(LAYERS)) walk(folder);
  return out.sort();
}

const IMPORT = /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm;

/** The repo-relative paths a module imports (relative specifiers only: packages are no layer). */
export function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => relative(ROOT, join(ROOT, dirname(file), (m[1] ?? m[2] ?? m[3]) as string)));
}

const folderOf = (path: string): string => path.split('/')[0] as string;

/** Imports that point at a higher layer, or at another folder of the same layer. */
export function upwardImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = folderOf(from);
      const b = folderOf(to);
      if (a === b) continue;
      const la = LAYERS[a];
      const lb = LAYERS[b];
      if (la === undefined) continue;
      if (lb === undefined) out.push(`${from} → ${to}: ${b}/ is in no layer`);
      else if (lb >= la) out.push(`${from} → ${to}: ${a}/ (layer ${la}) may not import ${b}/ (layer ${lb})`);
    }
  }
  return out;
}

/** One import cycle per group of modules that reach each other, as `a → b → a`. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    const at = path.indexOf(file);
    if (at >= 0) {
      cycles.push([...path.slice(at), file].join(' → '));
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return cycles;
}

function importGraph(): Map<string, string[]> {
  return new Map(sourceFiles().map((f) => [f, importsOf(f, readFileSync(join(ROOT, f), 'utf8'))]));
}

test('the checks catch what they claim: an upward import, a same-layer neighbour, a cycle', () => {
  const graph = new Map([
    ['store/edges.ts', ['collectors/flows/aggregate.ts', 'domain/edge.ts']],
    ['recommender/a.ts', ['collectors/x.ts']],
    ['cli/main.ts', ['cli/commands/index.ts']],
    ['cli/commands/index.ts', ['cli/main.ts']],
  ]);
  assert.deepEqual(upwardImports(graph), [
    'store/edges.ts → collectors/flows/aggregate.ts: store/ (layer 1) may not import collectors/ (layer 2)',
    'recommender/a.ts → collectors/x.ts: recommender/ (layer 2) may not import collectors/ (layer 2)',
  ]);
  assert.deepEqual(importCycles(graph), ['cli/main.ts → cli/commands/index.ts → cli/main.ts']);
  assert.deepEqual(
    importsOf('cli/commands/x.ts', "import type { A } from '../../app/errors.ts';\nimport {\n  b,\n} from './y.ts';\nexport { c } from '../io.ts';\nconst m = await import('../main.ts');\nimport 'node:fs';\nimport './side-effect.ts';\nexport const DIR = new URL('../../matrices/', import.meta.url);"),
    ['app/errors.ts', 'cli/commands/y.ts', 'cli/io.ts', 'cli/main.ts', 'cli/commands/side-effect.ts'],
  );
});

test('every layer folder exists and holds modules (a renamed folder cannot drop out of the check)', () => {
  const files = sourceFiles();
  for (const folder of Object.keys(LAYERS)) assert.ok(files.some((f) => folderOf(f) === folder), `${folder}/ has no modules`);
});

test('no import runs up the layers (domain ← store ← collectors/recommender ← reports ← app ← demo ← server ← cli)', () => {
  assert.deepEqual(upwardImports(importGraph()), []);
});

/** Packages (and node: modules) a folder must not import: the front ends' frameworks, SQL, the disk. */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  app: ['express', 'commander'],
  recommender: ['express', 'commander', 'better-sqlite3', 'node:fs', 'node:fs/promises'],
  domain: ['express', 'commander', 'better-sqlite3', 'node:fs', 'node:fs/promises'],
};

const PACKAGE_IMPORT = /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^.'"][^'"]*)['"]|\bimport\(\s*['"]([^.'"][^'"]*)['"]\s*\)/gm;

test('app/ stays free of express and commander (live collectors call it too); recommender/ and domain/ read no disk and speak no SQL', () => {
  const found: string[] = [];
  for (const file of sourceFiles()) {
    const banned = FORBIDDEN[folderOf(file)];
    if (!banned) continue;
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(PACKAGE_IMPORT)) {
      const pkg = (m[1] ?? m[2]) as string;
      if (banned.includes(pkg)) found.push(`${file} imports ${pkg}`);
    }
  }
  assert.deepEqual(found, []);
});

test('no import cycles', () => {
  assert.deepEqual(importCycles(importGraph()), []);
});
