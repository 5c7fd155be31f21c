/**
 * Writes the demo files.
 *   node --import tsx demo/generate.ts --out DIR [--scale N] [--seed S] [--netobserv-flows N] [--hubble-flows N]
 */
import { parseArgs } from 'node:util';
import { DEMO_DEFAULTS, writeDemoFiles } from './generator/index.ts';

function intArg(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new Error(`--${name}: expected an integer >= ${min}, got "${value}"`);
  return Number(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      scale: { type: 'string' },
      seed: { type: 'string' },
      'netobserv-flows': { type: 'string' },
      'hubble-flows': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.out) {
    process.stdout.write('usage: node --import tsx demo/generate.ts --out DIR [--scale N] [--seed S] [--netobserv-flows N] [--hubble-flows N]\n');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const started = process.hrtime.bigint();
  const files = await writeDemoFiles(values.out, {
    seed: intArg('seed', values.seed, DEMO_DEFAULTS.seed, 0),
    scale: intArg('scale', values.scale, DEMO_DEFAULTS.scale, 1),
    netobservFlows: intArg('netobserv-flows', values['netobserv-flows'], DEMO_DEFAULTS.netobservFlows, 0),
    hubbleFlows: intArg('hubble-flows', values['hubble-flows'], DEMO_DEFAULTS.hubbleFlows, 0),
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${JSON.stringify({ ...files, ms: Math.round(ms) })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`demo/generate: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
