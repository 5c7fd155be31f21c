#!/usr/bin/env node
// Runs the compiled CLI (dist/, from `npm run build`) when it is current; otherwise the TypeScript
// sources through tsx, so a checkout works without a build (and FLOWMATRIX_FROM_SOURCE=1 forces it).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { distIsCurrent } from './sources.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.env.FLOWMATRIX_FROM_SOURCE !== '1' && distIsCurrent(root)) {
  await import(pathToFileURL(join(root, 'dist', 'cli', 'run.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/run.ts');
}
