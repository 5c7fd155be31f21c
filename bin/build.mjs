#!/usr/bin/env node
// `npm run build` (also `prepare`, so `npm ci` builds): compiles the sources into dist/ with tsc
// (tsconfig.build.json: `.ts` specifiers rewritten to `.js`, JSON modules emitted beside), copies the
// folders read at run time, then writes the stamp the launcher checks. Without TypeScript installed
// (`npm ci --omit=dev`) it builds nothing and says so: bin/flowmatrix.mjs then runs the sources.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIRS, newestSource, STAMP } from './sources.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write('flowmatrix build: typescript is not installed (npm ci --omit=dev?): nothing built; bin/flowmatrix.mjs runs the sources through tsx\n');
  process.exit(0);
}

const seen = newestSource(root);
rmSync(join(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
if (r.status !== 0) {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  process.exit(r.status ?? 1);
}
for (const dir of DATA_DIRS) cpSync(join(root, dir), join(root, 'dist', dir), { recursive: true });
writeFileSync(join(root, STAMP), `${JSON.stringify({ newestSource: seen, builtAt: new Date().toISOString() })}\n`);
