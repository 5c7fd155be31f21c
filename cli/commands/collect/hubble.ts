/**
 * `flowmatrix collect hubble --once [--address HOST:PORT] [--since 5m|RFC3339] [--tls-ca FILE …]`:
 * one pass of the Hubble Relay collector — the flows still in the relay's buffer since the
 * given time, through the same pipeline as `serve`. Flags override `collectors.hubble` of the
 * config; `--address` alone is enough without one.
 */
import { Option, type Command } from 'commander';
import type { HubbleRelayConfigT } from '../../../collectors/hubble-relay/config.ts';
import { CollectorConfigError, parseDuration } from '../../../collectors/config-values.ts';
import { ingestLimits } from '../../../collectors/flows/ingest-defaults.ts';
import { CliError } from '../../io.ts';
import { withOpenDb } from '../../options.ts';
import { collectConfig, collectSubcommand, type CollectOptions, type CollectSubcommand } from './options.ts';
import { timeFlag } from '../../time-flag.ts';

interface HubbleOptions extends CollectOptions {
  address?: string;
  since?: string;
  idleTimeout?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
}

/** `--since`: a duration back from now (`5m`) or a time (`2026-12-03T10:00:00Z`), like `hubble observe --since`. */
function sinceMs(value: string, now: number): number {
  if (/^\d{4}-\d\d-\d\dT/.test(value)) return timeFlag('--since', value);
  return now - parseDuration('--since', value);
}

export const hubbleCollect: CollectSubcommand = (collect: Command, ctx) => {
  collectSubcommand(collect, 'hubble', "read the flows in hubble-relay's buffer (Observer/GetFlows) into the edge store")
    .addOption(new Option('--address <host:port>', 'hubble-relay address (overrides collectors.hubble.address)'))
    .addOption(new Option('--since <duration|time>', 'read flows from this long ago (5m) or this time (RFC 3339); default collectors.hubble.onceSince, 5m'))
    .addOption(new Option('--idle-timeout <duration>', 'give up when the relay sends nothing for this long (overrides collectors.hubble.idleTimeout.once, default 30s)'))
    .addOption(new Option('--tls-ca <file>', 'PEM CA of the relay certificate (turns TLS on)'))
    .addOption(new Option('--tls-cert <file>', 'PEM client certificate (mutual TLS)'))
    .addOption(new Option('--tls-key <file>', 'PEM client key (mutual TLS)'))
    .addOption(new Option('--tls-server-name <name>', 'name to verify the relay certificate against'))
    .action(async (opts: HubbleOptions) => {
      // Loaded when the collector runs: the CLI starts without gRPC.
      const { pino } = await import('pino');
      const { HubbleRelayCollector } = await import('../../../collectors/hubble-relay/collector.ts');
      const { resolveHubbleRelaySettings } = await import('../../../collectors/hubble-relay/config.ts');
      const { EdgeStore } = await import('../../../store/edges.ts');
      const config = await collectConfig(opts);
      const section: Partial<HubbleRelayConfigT> = { ...((config.collectors as { hubble?: HubbleRelayConfigT }).hubble ?? {}) };
      if (opts.address !== undefined) section.address = opts.address;
      if (section.address === undefined) throw new CliError('collect hubble: no relay address (give --address HOST:PORT or collectors.hubble.address in --config)');
      if (opts.idleTimeout !== undefined) section.idleTimeout = { ...(section.idleTimeout ?? {}), once: opts.idleTimeout };
      if (opts.tlsCa || opts.tlsCert || opts.tlsKey || opts.tlsServerName) {
        const tls = { ...(section.tls ?? {}) };
        if (opts.tlsCa) tls.ca = opts.tlsCa;
        if (opts.tlsCert) tls.cert = opts.tlsCert;
        if (opts.tlsKey) tls.key = opts.tlsKey;
        if (opts.tlsServerName) tls.serverName = opts.tlsServerName;
        section.tls = tls;
      }
      let settings;
      try {
        settings = resolveHubbleRelaySettings(section as HubbleRelayConfigT);
      } catch (e) {
        if (e instanceof CollectorConfigError) throw new CliError(`collect hubble: ${e.message}`);
        throw e;
      }
      const now = Date.now();
      let from: number;
      try {
        from = opts.since === undefined ? now - settings.onceSinceMs : sinceMs(opts.since, now);
      } catch (e) {
        if (e instanceof CollectorConfigError) throw new CliError(e.message);
        throw e;
      }
      const result = await withOpenDb({ db: config.dbPath }, async (db) => {
        const collector = new HubbleRelayCollector(settings, { db, logger: pino({ level: 'silent' }), now: () => now, ingest: ingestLimits(config.ingest) });
        const r = await collector.once(from);
        const counters = collector.status().counters;
        return {
          address: settings.address,
          since: new Date(from).toISOString(),
          status: r.summary.status,
          run: r.summary.run,
          flows: counters.flows ?? 0,
          lostEvents: counters.lostEvents ?? 0,
          records: r.ingest.records,
          accepted: r.ingest.accepted,
          rejected: r.ingest.rejected,
          edges: r.ingest.edges,
          skipped: r.ingest.skipped,
          ambiguous: r.ingest.ambiguous,
          rejects: r.ingest.rejects,
          skips: r.ingest.skips,
          examples: r.ingest.examples,
          durationMs: r.ingest.durationMs,
          edgesTotal: new EdgeStore(db).count(),
          error: r.error?.message,
        };
      }, { write: true });
      ctx.io.out(`${JSON.stringify(result, null, 2)}\n`);
      if (result.error !== undefined) {
        ctx.io.err(`flowmatrix: ${result.error}\n`);
        ctx.status.exitCode = 1;
      }
    });
};
