/** The process entry of `flowmatrix`: bin/flowmatrix.mjs loads it compiled (dist/cli/run.js) or through tsx. */
import { main } from './main.ts';

// `flowmatrix edges | head`: a reader that goes away is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv);
