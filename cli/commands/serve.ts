/** `flowmatrix serve [--port N] [--config FILE]`: the REST API (docs/design.md §5) until SIGTERM. */
import type { AddressInfo } from 'node:net';
import { Option, type Command } from 'commander';
import { CliError } from '../io.ts';
import { withDb, type DbOptions } from '../options.ts';
import type { CommandContext, CommandModule } from '../command.ts';

export interface ServeOptions extends DbOptions {
  port?: number;
  config?: string;
}

export function portOption(): Option {
  return new Option('--port <n>', 'port to listen on (env PORT, default 8080)').argParser((v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > 65535) throw new CliError(`--port: expected 0-65535, got "${v}"`);
    return n;
  });
}

/**
 * Loads the config (flags > env > file > defaults), starts the service and resolves when it has
 * stopped. `listening` runs once the service accepts connections, with the port it listens on.
 * The server is imported here, not at the top: the other commands start without express.
 */
export async function serveUntilStopped(opts: ServeOptions, ctx: CommandContext, listening?: (port: number) => Promise<void>): Promise<void> {
  const { ConfigError, loadServiceConfig } = await import('../../server/config/load.ts');
  const { startService } = await import('../../server/serve.ts');
  const { resolveDbPath } = await import('../../store/db.ts');
  let config;
  try {
    const load: Parameters<typeof loadServiceConfig>[0] = {};
    if (opts.config !== undefined) load.file = opts.config;
    if (opts.port !== undefined) load.port = opts.port;
    if (opts.db !== undefined) load.dbPath = resolveDbPath(opts.db);
    config = loadServiceConfig(load);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
  let service;
  try {
    service = await startService(config, { signals: true });
  } catch (e) {
    throw new CliError(`cannot start: ${(e as Error).message}`);
  }
  ctx.io.err(`flowmatrix: serving on ${service.url}${config.loopbackOnly ? ' (no token configured: 127.0.0.1 only)' : ''}; API docs at ${service.url}/docs\n`);
  await listening?.((service.server.address() as AddressInfo).port);
  await new Promise<void>((resolve) => service.server.once('close', resolve));
}

export const serveCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withDb(
    program
      .command('serve')
      .description('run the REST API (and, as they are configured, collectors and the report schedule)')
      .addOption(portOption())
      .addOption(new Option('--config <file>', 'service config (YAML; env FLOWMATRIX_CONFIG)')),
  ).action(async (opts: ServeOptions) => serveUntilStopped(opts, ctx));
};
