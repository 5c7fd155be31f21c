#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx so `npx flowmatrix` needs no build step.
import { register } from 'tsx/esm/api';

// `flowmatrix edges | head`: a reader that goes away is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
