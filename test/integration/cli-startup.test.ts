/**
 * Start-up (every command must start in well under a second): a command loads only what it
 * runs. Checked by the modules a real `bin/flowmatrix.mjs` process loads (module hooks log them,
 * test/helpers/module-log.mjs), not by a clock: the help and `version` load commander and the
 * CLI's own definitions, never the store, the server, a collector or the recommender, and a
 * named command loads no other command's module (cli/commands/index.ts). The sources are run
 * (FLOWMATRIX_FROM_SOURCE=1): dist/ is compiled from them with the same imports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMAND_NAMES, commandNamed } from '../../cli/commands/index.ts';
import { tmpDir } from '../helpers/tmp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODULE_LOG = fileURLToPath(new URL('../helpers/module-log.mjs', import.meta.url));

/** What runs the TypeScript sources: the launcher's own loader, not the CLI's. */
const SOURCE_RUNNER = new Set(['tsx', 'esbuild', 'get-tsconfig', 'resolve-pkg-maps']);

/** The packages the help may load; everything else (express, grpc, the Kubernetes client, SQLite, the schemas…) is work. */
const HELP_PACKAGES = ['commander'];

/** Modules outside cli/ that the command definitions need: the constants their options list, the checks their parsers run. */
const HELP_CONSTANTS = [
  'app/errors.ts',
  'app/include-list.ts',
  'app/selection.ts',
  'app/simulate-formats.ts',
  'app/version.ts',
  'collectors/config-values.ts',
  'collectors/flows/ingest-defaults.ts',
  'collectors/prometheus/families.ts',
  'domain/k8s-names.ts',
  'domain/peer.ts',
  'domain/time.ts',
  'domain/workload-name.ts',
  'recommender/compare/status.ts',
  'recommender/engines/types.ts',
  'recommender/matrix/problem.ts',
  'recommender/matrix/summary.ts',
  'recommender/synthesize/options.ts',
  'reports/render/formats.ts',
];

interface Loaded {
  code: number | null;
  out: string;
  err: string;
  /** Package names (`@scope/name`) loaded, the source runner's left out. */
  packages: Set<string>;
  /** Repo-relative paths of the project's own modules loaded, the launcher's (bin/) left out. */
  own: Set<string>;
}

function loadedBy(argv: string[]): Loaded {
  const log = join(tmpDir(), 'modules.log');
  const r = spawnSync(process.execPath, ['--import', MODULE_LOG, join(ROOT, 'bin', 'flowmatrix.mjs'), ...argv], {
    cwd: tmpDir(),
    env: { ...process.env, FLOWMATRIX_FROM_SOURCE: '1', FLOWMATRIX_MODULE_LOG: log },
    encoding: 'utf8',
  });
  const packages = new Set<string>();
  const own = new Set<string>();
  for (const url of readFileSync(log, 'utf8').split('\n')) {
    if (!url.startsWith('file:')) continue;
    const path = fileURLToPath(url);
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
    if (pkg !== undefined) {
      if (!SOURCE_RUNNER.has(pkg)) packages.add(pkg);
    } else if (path.startsWith(ROOT) && !path.startsWith(join(ROOT, 'bin'))) own.add(path.slice(ROOT.length));
  }
  return { code: r.status, out: r.stdout, err: r.stderr, packages, own };
}

function assertLight(argv: string[], l: Loaded): void {
  const what = `flowmatrix ${argv.join(' ')}`;
  assert.equal(l.code, 0, `${what}: ${l.err}`);
  assert.deepEqual([...l.packages].filter((p) => !HELP_PACKAGES.includes(p)).sort(), [], `${what} loads packages it does not run`);
  const beyond = [...l.own].filter((p) => !p.startsWith('cli/') && !HELP_CONSTANTS.includes(p)).sort();
  assert.deepEqual(beyond, [], `${what} loads modules it does not run`);
}

test('flowmatrix --help loads commander and the command definitions only, and lists every command', () => {
  const l = loadedBy(['--help']);
  assertLight(['--help'], l);
  for (const heavy of ['express', '@grpc/grpc-js', '@kubernetes/client-node', 'better-sqlite3', 'ajv', '@sinclair/typebox', 'yaml', 'pino', 'prometheus-query']) {
    assert.ok(!l.packages.has(heavy), `--help loads ${heavy}`);
  }
  for (const name of COMMAND_NAMES) assert.match(l.out, new RegExp(`^  ${name}\\b`, 'm'), `--help lists ${name}`);
});

test('a command’s help loads that command’s module and no other', () => {
  for (const argv of [['recommend', '--help'], ['edges', '--help'], ['help', 'edges'], ['collect', 'files', '--help'], ['ingest', '--help'], ['export', '--help']]) {
    const l = loadedBy(argv);
    assertLight(argv, l);
    const name = argv[0] === 'help' ? argv[1] : argv[0];
    const commands = [...l.own].filter((p) => /^cli\/commands\/[^/]+\.ts$/.test(p) && p !== 'cli/commands/index.ts').sort();
    // export takes recommend's options from its module; every other command is a module of its own.
    assert.deepEqual(commands, name === 'export' ? ['cli/commands/export.ts', 'cli/commands/recommend.ts'] : [`cli/commands/${name}.ts`], `flowmatrix ${argv.join(' ')}`);
    assert.match(l.out, new RegExp(`Usage: flowmatrix ${argv[0] === 'help' ? argv[1] : argv.slice(0, -1).join(' ')}`));
  }
});

test('flowmatrix version prints the version, as -V does, loading no package but commander', () => {
  const l = loadedBy(['version']);
  assertLight(['version'], l);
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(l.out, `flowmatrix ${version}\n`);
  assert.equal(loadedBy(['-V']).out, `${version}\n`);
});

test('commandNamed: the first argument that is not an option, `help NAME`, or none', () => {
  const argv = (...a: string[]) => ['node', 'flowmatrix', ...a];
  assert.equal(commandNamed(argv('edges', '-n', 'shop')), 'edges');
  assert.equal(commandNamed(argv('--help')), undefined);
  assert.equal(commandNamed(argv()), undefined);
  assert.equal(commandNamed(argv('help', 'recommend')), 'recommend');
  assert.equal(commandNamed(argv('help')), undefined);
  assert.equal(commandNamed(argv('edgez')), undefined, 'unknown: every command is registered, for commander to suggest one');
});

test('an unknown command is refused with a suggestion (every command registered to suggest from)', () => {
  const l = loadedBy(['edgez']);
  assert.equal(l.code, 1);
  assert.match(l.err, /unknown command 'edgez'/);
  assert.match(l.err, /Did you mean edges\?/);
});
