/**
 * CLI start-up (every command must start in well under a second): wall and CPU time of
 * `flowmatrix --help`, `recommend --help`, `edges --help`, `version` and `collect files --help`,
 * each a fresh `node bin/flowmatrix.mjs` process; median and range of the rounds. With
 * `--against DIR` (another checkout, e.g. the main branch) each round runs that checkout's
 * launcher right before this one, so both see the same load.
 *   node --import tsx bench/cli-startup.ts [--rounds 7] [--against /path/to/other/checkout]
 * The target: `--help` ≤ 0.5 s wall on a quiet machine. Run `npm run build` first in each
 * checkout measured, or the launcher falls back to the TypeScript sources.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(flag('--rounds') ?? 7);
const here = fileURLToPath(new URL('..', import.meta.url));
const against = flag('--against');
const checkouts = against ? [['against', against] as const, ['this', here] as const] : [['this', here] as const];
const COMMANDS = [['--help'], ['recommend', '--help'], ['edges', '--help'], ['version'], ['collect', 'files', '--help']];
const cpuAtExit = fileURLToPath(new URL('./lib/cpu-at-exit.mjs', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'fm-startup-'));

interface Sample {
  wallMs: number;
  cpuMs: number;
}

function run(root: string, argv: string[]): Sample {
  const log = join(tmp, 'cpu');
  rmSync(log, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', cpuAtExit, join(root, 'bin', 'flowmatrix.mjs'), ...argv], {
    env: { ...process.env, FLOWMATRIX_CPU_LOG: log },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0 && !(argv[0] === 'version' && root !== here)) throw new Error(`${root}: flowmatrix ${argv.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return { wallMs, cpuMs: Number(readFileSync(log, 'utf8').trim()) / 1000 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const fmt = (xs: number[]): string => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

const samples = new Map<string, Sample[]>();
const load0 = loadavg()[0] as number;
for (let round = 0; round < rounds; round++) {
  for (const argv of COMMANDS) {
    for (const [name, root] of checkouts) {
      const key = `${name}\t${argv.join(' ')}`;
      samples.set(key, [...(samples.get(key) ?? []), run(root, argv)]);
    }
  }
}
rmSync(tmp, { recursive: true, force: true });
console.log(`cli start-up: ${rounds} rounds, load average ${load0.toFixed(2)} → ${(loadavg()[0] as number).toFixed(2)}; median (range) of wall and CPU (user+system)`);
for (const [key, s] of samples) {
  const [name, command] = key.split('\t');
  console.log(`  ${checkouts.length > 1 ? `${name?.padEnd(8)}` : ''}flowmatrix ${command?.padEnd(22)} wall ${fmt(s.map((x) => x.wallMs)).padEnd(22)} cpu ${fmt(s.map((x) => x.cpuMs))}`);
}
