/**
 * `flowmatrix matrix list|show|apply|validate`: the built-in catalog and user-applied
 * communication matrices, resolved against the stored inventory and the cluster config.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { loadCatalog } from '../../recommender/matrix/catalog.ts';
import { parseMatricesConfig } from '../../recommender/matrix/config.ts';
import { formatProblem, MatrixError, parseMatrix } from '../../recommender/matrix/load.ts';
import { matricesInForce } from '../../recommender/matrix/registry.ts';
import { matrixSummary } from '../../recommender/matrix/summary.ts';
import { resolveMatrix, type MatrixEntry } from '../../recommender/matrix/resolve.ts';
import type { ResolvedMatrix } from '../../recommender/matrix/resolved.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { Db } from '../../store/db.ts';
import { readInventory } from '../../store/inventory.ts';
import { listStoredMatrices, saveMatrix } from '../../store/matrices.ts';
import { CliError } from '../io.ts';
import { withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandContext, CommandModule } from './index.ts';

interface MatrixOptions extends DbOptions {
  config?: string;
  output?: string;
}

async function readText(file: string, ctx: CommandContext): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function asCliError(e: unknown): never {
  if (e instanceof MatrixError) throw new CliError(e.message);
  throw e;
}

async function readConfig(file: string | undefined, ctx: CommandContext): Promise<MatricesConfigT> {
  if (file === undefined) return {};
  const text = await readText(file, ctx);
  try {
    return parseMatricesConfig(text, file);
  } catch (e) {
    return asCliError(e);
  }
}

/** Built-in + applied matrices, checked against the config. */
export function matrixEntries(db: Db, config: MatricesConfigT): MatrixEntry[] {
  let inForce;
  try {
    inForce = matricesInForce(listStoredMatrices(db), config);
  } catch (e) {
    return asCliError(e);
  }
  const { entries, problems } = inForce;
  if (problems.length > 0) throw new CliError(`invalid config (${problems.length} problem${problems.length === 1 ? '' : 's'})\n${problems.map(formatProblem).join('\n')}`);
  return entries;
}

export function resolveAll(db: Db, config: MatricesConfigT): ResolvedMatrix[] {
  const entries = matrixEntries(db, config);
  const inventory = readInventory(db);
  return entries.map((e) => resolveMatrix(e, inventory, config));
}

function listTable(resolved: ResolvedMatrix[]): string {
  const rows = resolved.map((m) => [
    m.name,
    m.origin === 'applied' && m.overridesBuiltIn ? 'applied (overrides built-in)' : m.origin,
    m.enabled ? 'yes' : 'no',
    m.detected ? 'yes' : 'no',
    `${m.components.filter((c) => c.present).length}/${m.components.length}`,
    m.parameters.map((p) => `${p.name}=${p.value === undefined ? '(unset)' : String(p.value)}${p.origin === 'config' ? '*' : ''}`).join(' ') || '-',
  ]);
  const header = ['NAME', 'ORIGIN', 'ENABLED', 'DETECTED', 'PRESENT', 'PARAMETERS (* = from config)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function listJson(resolved: ResolvedMatrix[]): string {
  return `${JSON.stringify(resolved.map(matrixSummary), null, 2)}\n`;
}

function outputFormat(value: string | undefined, allowed: string[], fallback: string): string {
  const v = value ?? fallback;
  if (!allowed.includes(v)) throw new CliError(`--output: expected ${allowed.join(' or ')}, got "${v}"`);
  return v;
}

export const matrixCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  const matrix = program.command('matrix').description('communication matrices: the built-in catalog and the ones you load');
  const configOption = () => new Option('--config <file>', 'cluster config (YAML) with a matrices: section: role bindings, systems on/off, parameters');

  withDb(
    matrix
      .command('list')
      .description('built-in and loaded matrices, whether their systems were detected in the inventory, with their parameters')
      .addOption(configOption())
      .addOption(new Option('--output <format>', 'table or json').default('table')),
  ).action(async (opts: MatrixOptions) => {
    const format = outputFormat(opts.output, ['table', 'json'], 'table');
    const config = await readConfig(opts.config, ctx);
    const resolved = await withOpenDb(opts, (db) => resolveAll(db, config));
    ctx.io.out(format === 'json' ? listJson(resolved) : listTable(resolved));
  });

  withDb(
    matrix
      .command('show')
      .argument('<name>', 'matrix name')
      .description('one matrix resolved against the inventory: workloads per component, expected rules, bindings and where they came from')
      .addOption(configOption())
      .addOption(new Option('--output <format>', 'yaml or json').default('yaml')),
  ).action(async (name: string, opts: MatrixOptions) => {
    const format = outputFormat(opts.output, ['yaml', 'json'], 'yaml');
    const config = await readConfig(opts.config, ctx);
    const resolved = await withOpenDb(opts, (db) => {
      const entries = matrixEntries(db, config);
      const entry = entries.find((e) => e.matrix.metadata.name === name);
      if (!entry) throw new CliError(`no matrix named "${name}" (known: ${entries.map((e) => e.matrix.metadata.name).join(', ')})`);
      return resolveMatrix(entry, readInventory(db), config);
    });
    ctx.io.out(format === 'json' ? `${JSON.stringify(resolved, null, 2)}\n` : stringify(resolved, { lineWidth: 0, aliasDuplicateObjects: false }));
  });

  withDb(
    matrix
      .command('apply')
      .argument('<file>', 'matrix YAML file (- for stdin)')
      .description('validate a matrix and store it (a matrix named like a built-in one overrides it)')
      .addOption(configOption()),
  ).action(async (file: string, opts: MatrixOptions) => {
    const text = await readText(file, ctx);
    let parsed;
    try {
      parsed = parseMatrix(text, file === '-' ? 'stdin' : file);
    } catch (e) {
      return asCliError(e);
    }
    const name = parsed.matrix.metadata.name;
    const builtIn = loadCatalog().some((c) => c.matrix.metadata.name === name);
    const result = await withOpenDb(opts, (db) => saveMatrix(db, { name, source: text, origin: file === '-' ? 'stdin' : file, appliedAt: Date.now() }));
    ctx.io.out(
      `${JSON.stringify({ name, status: result.changed ? 'applied' : 'unchanged', overridesBuiltIn: builtIn, digest: result.digest })}\n`,
    );
  });

  withDb(
    matrix
      .command('validate')
      .argument('<file>', 'matrix YAML file (- for stdin)')
      .description('check a matrix without storing it; prints every problem with its path'),
  ).action(async (file: string) => {
    const text = await readText(file, ctx);
    try {
      const { matrix: m } = parseMatrix(text, file === '-' ? 'stdin' : file);
      const components = Object.values(m.components);
      const rules =
        components.reduce((n, c) => n + (c.ingress?.length ?? 0) + (c.egress?.length ?? 0), 0) +
        (m.shared ?? []).reduce((n, s) => n + (s.ingress?.length ?? 0) + (s.egress?.length ?? 0), 0);
      ctx.io.out(`${file}: valid matrix "${m.metadata.name}" (${components.length} components, ${rules} rules)\n`);
    } catch (e) {
      if (!(e instanceof MatrixError)) throw e;
      ctx.io.err(`${e.message}\n`);
      ctx.status.exitCode = 1;
    }
  });
};
