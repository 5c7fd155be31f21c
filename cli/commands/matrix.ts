/**
 * `flowmatrix matrix list|show|apply|delete|validate`: the built-in catalog and user-applied
 * communication matrices, resolved against the stored inventory and the cluster config.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { AppError } from '../../app/errors.ts';
import type { MatrixListItem } from '../../app/matrices.ts';
import { formatProblem, type MatrixProblem } from '../../recommender/matrix/problem.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import { cliMessage } from '../errors.ts';
import { CliError } from '../io.ts';
import { outputOption, withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandContext, CommandModule } from '../command.ts';

/** The matrices use case, loaded when a matrix command runs: its schemas are a large part of start-up. */
const matrices = () => import('../../app/matrices.ts');

interface MatrixOptions extends DbOptions {
  config?: string;
  output: string;
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

async function readConfig(file: string | undefined, ctx: CommandContext): Promise<MatricesConfigT> {
  if (file === undefined) return {};
  return (await matrices()).matricesConfigFromText(await readText(file, ctx), file);
}

/**
 * The config a command that changes the stored matrices checks them against, with its file: --config,
 * else the service's (env FLOWMATRIX_CONFIG, as serve and report read it); none: unchecked.
 */
async function readServiceConfig(file: string | undefined, ctx: CommandContext): Promise<{ file: string; config: MatricesConfigT } | undefined> {
  const chosen = serviceConfigFile(file);
  return chosen === undefined ? undefined : { file: chosen, config: await readConfig(chosen, ctx) };
}

/** The service config's file: --config, else env FLOWMATRIX_CONFIG. */
function serviceConfigFile(file: string | undefined): string | undefined {
  return file ?? (process.env.FLOWMATRIX_CONFIG || undefined);
}

async function listTable(items: MatrixListItem[]): Promise<string> {
  const { table } = await import('../table.ts');
  const rows = items.map((m) =>
    !m.inForce
      ? [m.name, 'applied (no longer valid: not in force)', '-', '-', '-', '-']
      : [
          m.name,
          m.origin === 'applied' && m.overridesBuiltIn ? 'applied (overrides built-in)' : m.origin,
          m.enabled ? 'yes' : 'no',
          m.detected ? 'yes' : 'no',
          `${m.components.present.length}/${m.components.total}`,
          Object.entries(m.parameters).map(([name, p]) => `${name}=${p.value === null ? '(unset)' : String(p.value)}${p.origin === 'config' ? '*' : ''}`).join(' ') || '-',
        ],
  );
  return table(['NAME', 'ORIGIN', 'ENABLED', 'DETECTED', 'PRESENT', 'PARAMETERS (* = from config)'], rows);
}

/** Each stored matrix not in force, on stderr: the list and `show` say why, as every recommendation does. */
function warnInvalid(invalid: readonly { warning: string }[], ctx: CommandContext): void {
  for (const m of invalid) ctx.io.err(`warning: ${m.warning}\n`);
}

/** The cluster-domain warnings (observed names under another domain; list: wildcards over its parent too), on stderr, as recommend says them. */
function warnConfig(warnings: readonly string[], ctx: CommandContext): void {
  for (const w of warnings) ctx.io.err(`warning: ${w}\n`);
}

/**
 * What the service config does not fit whatever the change (a change that breaks it more is
 * refused): on stderr, so that checking a config with `apply --config` never answers with nothing.
 */
function warnUnfitConfig(problems: readonly MatrixProblem[], file: string, ctx: CommandContext): void {
  const config = `the service config (${file})`;
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  ctx.io.err(`warning: ${config} does not fit the matrices in force, as before this apply (${count}): the service refuses every request until it is fixed\n`);
  for (const p of problems) ctx.io.err(`${formatProblem(p)}\n`);
}

export const matrixCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  const matrix = program.command('matrix').description('communication matrices: the built-in catalog and the ones you load');
  const configOption = () => new Option('--config <file>', 'cluster config (YAML) with a matrices: section: role bindings, systems on/off, parameters');
  const serviceConfigOption = (refused: string) =>
    new Option('--config <file>', `the service's config (YAML; env FLOWMATRIX_CONFIG): ${refused} is refused`);

  withDb(
    matrix
      .command('list')
      .description('built-in and loaded matrices, whether their systems were detected in the inventory, with their parameters')
      .addOption(configOption())
      .addOption(outputOption(['table', 'json'], 'table')),
  ).action(async (opts: MatrixOptions) => {
    const format = opts.output;
    const config = await readConfig(opts.config, ctx);
    const { matrixList, resolveMatrices } = await matrices();
    const resolved = await withOpenDb(opts, (db) => resolveMatrices(db, config));
    warnInvalid(resolved.invalid, ctx);
    warnConfig(resolved.configWarnings, ctx);
    const items = matrixList(resolved);
    ctx.io.out(format === 'json' ? `${JSON.stringify(items, null, 2)}\n` : await listTable(items));
  });

  withDb(
    matrix
      .command('show')
      .argument('<name>', 'matrix name')
      .description('one matrix resolved against the inventory: workloads per component, expected rules, bindings and where they came from; -o source: the matrix as loaded, ready to edit and `matrix apply`')
      .addOption(configOption())
      .addOption(outputOption(['yaml', 'json', 'source'], 'yaml', 'yaml or json: resolved against the inventory; source: the YAML as applied or built in')),
  ).action(async (name: string, opts: MatrixOptions) => {
    const format = opts.output;
    const config = await readConfig(opts.config, ctx);
    if (format === 'source') {
      const { matrixSource } = await matrices();
      ctx.io.out(await withOpenDb(opts, (db) => matrixSource(db, name)));
      return;
    }
    const { matricesInForce, resolveMatrixNamed, shownMatrixWarnings } = await matrices();
    const resolved = await withOpenDb(opts, (db) => {
      // Not the one asked for when it is not in force: the error says so.
      warnInvalid(matricesInForce(db, config).invalid.filter((m) => m.name !== name || m.builtInInForce), ctx);
      const shown = resolveMatrixNamed(db, config, name);
      warnConfig(shownMatrixWarnings(db, config, shown), ctx);
      return shown;
    });
    ctx.io.out(format === 'json' ? `${JSON.stringify(resolved, null, 2)}\n` : (await import('yaml')).stringify(resolved, { lineWidth: 0, aliasDuplicateObjects: false }));
  });

  withDb(
    matrix
      .command('apply')
      .argument('<file>', 'matrix YAML file (- for stdin)')
      .description('validate a matrix and store it (a matrix named like a built-in one overrides it)')
      .addOption(serviceConfigOption('a matrix it cannot take (as PUT /api/v1/matrices refuses it)')),
  ).action(async (file: string, opts: MatrixOptions) => {
    const service = await readServiceConfig(opts.config, ctx);
    const config = service?.config;
    const text = await readText(file, ctx);
    const { applyMatrix } = await matrices();
    const req = { text, origin: file === '-' ? 'stdin' : file, appliedAt: Date.now(), ...(config !== undefined ? { config } : {}) };
    const { name, status, overridesBuiltIn, digest, configProblems, warnings } = await withOpenDb(opts, (db) => applyMatrix(db, req), { write: true });
    if (service !== undefined && configProblems !== undefined && configProblems.length > 0) warnUnfitConfig(configProblems, service.file, ctx);
    for (const w of warnings ?? []) ctx.io.err(`warning: ${w}\n`);
    ctx.io.out(`${JSON.stringify({ name, status, overridesBuiltIn, digest, ...(configProblems !== undefined ? { configProblems } : {}), ...(warnings !== undefined ? { warnings } : {}) })}\n`);
  });

  withDb(
    matrix
      .command('delete')
      .argument('<name>', 'name of an applied matrix')
      .description('remove an applied matrix (a built-in one of that name is in force again; built-in ones are turned off in the config instead)')
      .addOption(serviceConfigOption('deleting a matrix it needs (a system it names, the only declaration of a role it binds)')),
  ).action(async (name: string, opts: DbOptions & { config?: string }) => {
    const config = (await readServiceConfig(opts.config, ctx))?.config;
    const { deleteMatrix } = await matrices();
    const result = await withOpenDb(opts, (db) => deleteMatrix(db, name, config), { write: true });
    ctx.io.out(`${JSON.stringify(result)}\n`);
  });

  withDb(
    matrix
      .command('validate')
      .argument('<file>', 'matrix YAML file (- for stdin)')
      .description('check a matrix without storing it; prints every problem with its path')
      .addOption(serviceConfigOption('a matrix it could not take (as apply --config and POST /api/v1/matrices/validate check)')),
  ).action(async (file: string, opts: MatrixOptions) => {
    const config = (await readServiceConfig(opts.config, ctx))?.config;
    const text = await readText(file, ctx);
    try {
      const { validateMatrixDocument } = await matrices();
      const origin = file === '-' ? 'stdin' : file;
      const m = config === undefined ? validateMatrixDocument(text, origin) : await withOpenDb(opts, (db) => validateMatrixDocument(text, origin, { db, config }));
      ctx.io.out(`${file}: valid matrix "${m.name}" (${m.components} components, ${m.rules} rules)\n`);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      ctx.io.err(`${cliMessage(e)}\n`);
      ctx.status.exitCode = 1;
    }
  });
};
