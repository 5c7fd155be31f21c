/**
 * `flowmatrix demo`: loads the bundled demo cluster into the database (demo/load.ts) and serves
 * it, printing a few curl commands that work against it.
 */
import { Option, type Command } from 'commander';
import type { StoredWorkload } from '../../store/inventory.ts';
import { withOpenDb, withDb } from '../options.ts';
import type { CommandContext, CommandModule } from '../command.ts';
import { portOption, serveUntilStopped, type ServeOptions } from './serve.ts';

/** curl commands that work against the demo data (a real workload of the loaded inventory). */
export function demoCurls(base: string, workloads: readonly StoredWorkload[], token?: string): string[] {
  const auth = token ? ` -H "Authorization: Bearer ${token}"` : '';
  const w = workloads.find((x) => x.kind === 'Deployment' && !x.hostNetwork && x.namespace !== 'kube-system') ?? workloads[0];
  const lines = [
    `curl -s${auth} '${base}/api/v1/workloads?limit=5'`,
    `curl -s${auth} '${base}/api/v1/edges?limit=5${w ? `&namespace=${w.namespace}` : ''}'`,
  ];
  if (w) {
    lines.push(`curl -s${auth} '${base}/api/v1/recommendations/${w.namespace}/${w.kind}/${w.name}?engine=kubernetes'`);
    lines.push(`curl -s${auth} '${base}/api/v1/export?engine=cilium&namespace=${w.namespace}' -OJ`);
  }
  lines.push(`curl -s${auth} '${base}/api/v1/drift?engine=kubernetes'`, `curl -s '${base}/readyz'`, `open ${base}/docs`);
  return lines;
}

interface DemoOptions extends ServeOptions {
  serve: boolean;
}

export const demoCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withDb(
    program
      .command('demo')
      .description('load the bundled demo cluster (inventory snapshots + NetObserv and Hubble flows) and serve it')
      .option('--no-serve', 'only load the data')
      .addOption(portOption())
      .addOption(new Option('--config <file>', 'service config (YAML; env FLOWMATRIX_CONFIG)')),
  ).action(async (opts: DemoOptions) => {
    const { loadDemo } = await import('../../demo/load.ts');
    const summary = await withOpenDb(opts, (db) => loadDemo(db), { write: true });
    ctx.io.err(
      summary.loaded
        ? `flowmatrix: demo loaded: ${summary.snapshots.map((s) => `${s.file} (${s.workloads} workloads, taken ${s.takenAt})`).join(', ')}; ` +
            `${summary.flows.accepted}/${summary.flows.records} flow records accepted → ${summary.edgesTotal} edges\n`
        : `flowmatrix: the database already holds an inventory: ${opts.serve ? 'serving it as is' : 'left as it is'} (use a fresh --db to reload the demo)\n`,
    );
    if (!opts.serve) {
      ctx.io.out(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const port = opts.port ?? (process.env.PORT ? Number(process.env.PORT) : 8080);
    const token = process.env.FLOWMATRIX_TOKEN_READ || process.env.FLOWMATRIX_TOKEN_WRITE || undefined;
    const host = token ? 'localhost' : '127.0.0.1';
    const { listWorkloads } = await import('../../store/inventory.ts');
    // Printed once the service listens: a curl run as soon as it appears is answered.
    await serveUntilStopped({ ...opts, port }, ctx, async (listeningOn) => {
      const curls = await withOpenDb(opts, (db) => demoCurls(`http://${host}:${listeningOn}`, listWorkloads(db), token ? '$TOKEN' : undefined));
      ctx.io.err(`\ntry:\n${token ? '  export TOKEN=… # the token you configured\n' : ''}${curls.map((c) => `  ${c}`).join('\n')}\n\n`);
    });
  });
};
