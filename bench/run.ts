/**
 * `npm run bench`: runs every benchmark script in bench/ (each `*.ts` here except this file), one
 * child process each so that memory and JIT state do not leak between them. Benchmarks print
 * their own figures and ratios; they are not pass/fail tests.
 *   npm run bench -- ingest     runs only bench/ingest.ts
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'run.ts')
  .sort()
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')));

let failed = 0;
for (const script of scripts) {
  // --expose-gc: benchmarks that pair two timed sides settle the heap before each (bench/recommend.ts).
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}${script}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${script} exited with ${r.status ?? r.signal}`);
  }
}
process.exitCode = failed ? 1 : 0;
