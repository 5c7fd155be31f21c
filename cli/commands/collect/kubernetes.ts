/**
 * `flowmatrix collect kubernetes --once [--kubeconfig FILE | --url URL --token-file FILE]`: one
 * list pass over the cluster, imported like `inventory import` (same summary, plus what was
 * listed). A refusal exits non-zero naming the verb and the resource; nothing is written then.
 */
import { Option, type Command } from 'commander';
import type { KubernetesConfigT } from '../../../collectors/kubernetes/config.ts';
import { CliError } from '../../io.ts';
import { withOpenDb } from '../../options.ts';
import type { CommandContext } from '../../command.ts';
import { collectConfig, collectSubcommand, type CollectOptions, type CollectSubcommand } from './options.ts';

interface KubernetesOptions extends CollectOptions {
  kubeconfig?: string;
  context?: string;
  url?: string;
  tokenFile?: string;
  caFile?: string;
  insecureSkipTlsVerify?: boolean;
}

async function collectOnce(opts: KubernetesOptions, ctx: CommandContext): Promise<void> {
  // Loaded when the collector runs: the CLI starts without the Kubernetes client.
  const { importInventoryObjects } = await import('../../../app/inventory.ts');
  const { resolveKubernetesSettings, KubernetesConfigError } = await import('../../../collectors/kubernetes/config.ts');
  const { ConnectionError } = await import('../../../collectors/kubernetes/connection.ts');
  const { listClusterOnce, ListFailedError } = await import('../../../collectors/kubernetes/once.ts');
  const { SOURCE } = await import('../../../collectors/kubernetes/collector.ts');
  const config = await collectConfig(opts);
  const section: KubernetesConfigT = { ...((config.collectors as { kubernetes?: KubernetesConfigT }).kubernetes ?? {}) };
  // A flag chooses the connection: it replaces the config's way of connecting, not just one key.
  if (opts.url !== undefined || opts.kubeconfig !== undefined) {
    for (const k of ['url', 'tokenFile', 'caFile', 'insecureSkipTlsVerify', 'kubeconfig', 'context'] as const) delete section[k];
  }
  if (opts.kubeconfig !== undefined) section.kubeconfig = opts.kubeconfig;
  if (opts.context !== undefined) section.context = opts.context;
  if (opts.url !== undefined) section.url = opts.url;
  if (opts.tokenFile !== undefined) section.tokenFile = opts.tokenFile;
  if (opts.caFile !== undefined) section.caFile = opts.caFile;
  if (opts.insecureSkipTlsVerify) section.insecureSkipTlsVerify = true;
  if (section.url !== undefined && !/^https?:\/\/\S+/.test(section.url)) throw new CliError(`--url: expected http(s)://HOST[:PORT], got "${section.url}"`);
  let listed;
  try {
    listed = await listClusterOnce(resolveKubernetesSettings(section, opts.url !== undefined || opts.kubeconfig !== undefined ? 'flags' : 'collectors.kubernetes'));
  } catch (e) {
    if (e instanceof ListFailedError || e instanceof ConnectionError || e instanceof KubernetesConfigError) throw new CliError(`collect kubernetes: ${e.message}; nothing was imported`);
    throw e;
  }
  const takenAt = Date.now();
  const summary = await withOpenDb(
    { db: config.dbPath },
    (db) => importInventoryObjects(db, { objects: listed.objects, takenAt, source: `${SOURCE} ${listed.server}`, scope: listed.scope }),
    { write: true },
  );
  const rejected = listed.rejections.map((r) => `${r.resource} ${r.object}: ${r.message}`);
  ctx.io.out(`${JSON.stringify({ ...summary, server: listed.server, via: listed.via, listed: listed.resources, rejected: listed.rejected, ...(rejected.length ? { rejections: rejected } : {}) }, null, 2)}\n`);
}

export const kubernetesSubcommand: CollectSubcommand = (collect: Command, ctx: CommandContext) => {
  collectSubcommand(collect, 'kubernetes', 'list the cluster once (pods, workloads, Services, EndpointSlices, nodes, namespaces, Ingresses, policies) and import it')
    .addOption(new Option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, in-cluster, ~/.kube/config)'))
    .addOption(new Option('--context <name>', 'kubeconfig context (default: the current one)'))
    .addOption(new Option('--url <url>', 'API server URL (with --token-file)'))
    .addOption(new Option('--token-file <file>', 'bearer token file for --url'))
    .addOption(new Option('--ca-file <file>', 'CA bundle for --url'))
    .addOption(new Option('--insecure-skip-tls-verify', 'do not verify the API server certificate (--url only)'))
    .action(async (opts: KubernetesOptions) => collectOnce(opts, ctx));
};
