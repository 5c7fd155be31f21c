/**
 * `flowmatrix collect prometheus --once [--url URL] [--config FILE] [--db PATH]`: one pass of the
 * Prometheus collector with the config's `collectors.prometheus` section; flags override it.
 * Prints the pass summary (JSON); exits 1 when a query failed (unreachable, refused, HTTP error):
 * what the other queries stored stays stored, but the pass is not reported as a success.
 */
import { Option, type Command } from 'commander';
import type { PrometheusCollectorConfigT } from '../../../collectors/prometheus/config.ts';
import { FAMILIES, type Family } from '../../../collectors/prometheus/families.ts';
import { ingestLimits } from '../../../collectors/flows/ingest-defaults.ts';
import { CliError } from '../../io.ts';
import { collectConfig, collectSubcommand, type CollectOptions, type CollectSubcommand } from './options.ts';

interface PrometheusCollectOptions extends CollectOptions {
  url?: string;
  family?: Family[];
  lookback?: string;
  step?: string;
  bearerTokenFile?: string;
  caFile?: string;
  scraper?: string;
  netobservPredefined?: string;
}

export const prometheusCollect: CollectSubcommand = (collect: Command, ctx) => {
  collectSubcommand(collect, 'prometheus', 'read Hubble, NetObserv and Istio flow metrics and the scrape targets from Prometheus into edges')
    .addOption(new Option('--url <url>', 'Prometheus (or Thanos/Mimir) base URL; overrides collectors.prometheus.url'))
    .addOption(new Option('--family <family...>', 'families to read').choices(FAMILIES))
    .addOption(new Option('--lookback <duration>', 'how far back a first pass looks (e.g. 1h)'))
    .addOption(new Option('--step <duration>', 'range-query step (e.g. 1m)'))
    .addOption(new Option('--bearer-token-file <file>', 'file holding a bearer token'))
    .addOption(new Option('--ca-file <file>', 'PEM CA bundle for an https URL'))
    .addOption(new Option('--netobserv-predefined <names>', 'NetObserv predefined metrics read as observed pairs, comma-separated includeList names (e.g. workload_flows_total,workload_ingress_bytes_total), or "none"'))
    .addOption(new Option('--scraper <workload>', 'the Prometheus server as namespace/Kind/name (the client of every scrape target)'))
    .action(async (opts: PrometheusCollectOptions) => {
      // Loaded when the collector runs: the CLI starts without the Prometheus client.
      const { PrometheusApi } = await import('../../../collectors/prometheus/client.ts');
      const { PrometheusConfigError, resolvePrometheusConfig } = await import('../../../collectors/prometheus/config.ts');
      const { runPass } = await import('../../../collectors/prometheus/pass.ts');
      const { openDb } = await import('../../../store/db.ts');
      const config = await collectConfig(opts);
      const section: PrometheusCollectorConfigT = { ...(config.collectors.prometheus ?? {}) };
      if (opts.url !== undefined) section.url = opts.url;
      if (opts.family !== undefined) section.families = opts.family;
      if (opts.lookback !== undefined) section.lookback = opts.lookback;
      if (opts.step !== undefined) section.step = opts.step;
      if (opts.bearerTokenFile !== undefined) section.bearerTokenFile = opts.bearerTokenFile;
      if (opts.caFile !== undefined) section.caFile = opts.caFile;
      if (opts.scraper !== undefined) section.scraper = { workload: opts.scraper };
      if (opts.netobservPredefined !== undefined) {
        const names = opts.netobservPredefined === 'none' ? [] : opts.netobservPredefined.split(',').map((n) => n.trim()).filter((n) => n !== '');
        section.netobserv = { ...(section.netobserv ?? {}), predefined: names };
      }
      let settings;
      try {
        settings = resolvePrometheusConfig(section);
      } catch (e) {
        if (e instanceof PrometheusConfigError) throw new CliError(`${e.message}${section.url ? '' : ' (or --url)'}`);
        throw e;
      }
      const db = openDb(config.dbPath, { write: true });
      let summary;
      try {
        summary = await runPass({ db, api: new PrometheusApi(settings), settings, now: Date.now(), limits: ingestLimits(config.ingest), ...(config.matrices.clusterDomain !== undefined ? { clusterDomain: config.matrices.clusterDomain } : {}) });
      } finally {
        db.close();
      }
      ctx.io.out(`${JSON.stringify(summary, null, 2)}\n`);
      for (const w of summary.warnings) ctx.io.err(`warning: ${w}\n`);
      const failed = summary.queries.filter((q) => q.status === 'failed');
      if (failed.length > 0) {
        for (const q of failed) ctx.io.err(`flowmatrix: ${settings.url}: ${q.query}: ${q.error}\n`);
        ctx.status.exitCode = 1;
      }
    });
};
