/** bin/flowmatrix.mjs runs dist/ only when the build is finished and no source is newer than what it compiled. */
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: a plain .mjs module of the launcher, without type declarations
import { distIsCurrent, newestSource, STAMP } from '../../bin/sources.mjs';
import { tmpDir } from '../helpers/tmp.ts';

function at(file: string, seconds: number): void {
  utimesSync(file, seconds, seconds);
}

test('no stamp: not current; a stamp of the newest source: current; a source edited after it (or a data file): stale', () => {
  const root = tmpDir();
  for (const d of ['cli', 'matrices', 'dist']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'cli', 'main.ts'), 'x');
  writeFileSync(join(root, 'matrices', 'a.yaml'), 'y');
  writeFileSync(join(root, 'package.json'), '{}');
  at(join(root, 'cli', 'main.ts'), 1000);
  at(join(root, 'matrices', 'a.yaml'), 900);
  at(join(root, 'package.json'), 800);
  assert.equal((newestSource as (r: string) => number)(root), 1_000_000);
  const current = distIsCurrent as (r: string) => boolean;
  assert.equal(current(root), false, 'no build');
  writeFileSync(join(root, STAMP as string), JSON.stringify({ newestSource: 1_000_000 }));
  assert.equal(current(root), true);
  at(join(root, 'cli', 'main.ts'), 1001);
  assert.equal(current(root), false, 'a source edited since the build');
  at(join(root, 'cli', 'main.ts'), 1000);
  at(join(root, 'matrices', 'a.yaml'), 2000);
  assert.equal(current(root), false, 'a catalog file edited since the build');
  writeFileSync(join(root, STAMP as string), 'not json');
  assert.equal(current(root), false, 'a broken stamp');
});
