/**
 * `flowmatrix collect files --once [--file PATH[:FORMAT]]…`: one pass of the followed-files
 * collector — each file read from its stored offset to its current end (complete lines), the
 * offsets stored with the edges, as `serve` does between two polls. `--file` replaces the
 * config's list (collectors.files.files); a glob in its file name (quoted, so that the shell leaves
 * it alone) is expanded once, as one rescan of `serve` would.
 */
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import type { FilesConfigT } from '../../../collectors/files/config.ts';
import { CollectorConfigError } from '../../../collectors/config-values.ts';
import { FORMATS, type FlowFormat } from '../../../collectors/flows/ingest-defaults.ts';
import { ingestLimits } from '../../../collectors/flows/ingest-defaults.ts';
import { CliError } from '../../io.ts';
import { repeatable } from '../../single-value.ts';
import { withOpenDb } from '../../options.ts';
import { collectConfig, collectSubcommand, type CollectOptions, type CollectSubcommand } from './options.ts';

interface FilesOptions extends CollectOptions {
  file?: string[];
  maxFiles?: string;
}

/** `PATH` or `PATH:FORMAT` (format netobserv|hubble|auto, default auto). */
function fileArg(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * A suffix of letters only after the last `:` is a format, and one that is no format is refused
 * (rather than read as part of the path, "no such file"); a path whose own name ends so is given
 * with `:auto`.
 */
function parseFile(value: string): { path: string; format: FlowFormat } {
  const i = value.lastIndexOf(':');
  const suffix = i > 0 ? value.slice(i + 1) : '';
  if ((FORMATS as readonly string[]).includes(suffix)) return { path: resolve(value.slice(0, i)), format: suffix as FlowFormat };
  if (/^[A-Za-z]+$/.test(suffix)) throw new CliError(`--file ${value}: unknown format "${suffix}" (${FORMATS.join(', ')}; a path that itself ends in ":${suffix}" is given as ${value}:auto)`);
  return { path: resolve(value), format: 'auto' };
}

export const filesCollect: CollectSubcommand = (collect: Command, ctx) => {
  collectSubcommand(collect, 'files', 'read the followed flow-log files from their stored offsets to their end')
    .addOption(repeatable(new Option('--file <path[:format]>', 'a file, or a glob in the file name such as "/var/log/hubble-*.log", to read (repeatable; replaces collectors.files.files); format netobserv|hubble|auto').argParser(fileArg)))
    .addOption(new Option('--max-files <n>', 'most files read (collectors.files.maxFiles, default 100)'))
    .action(async (opts: FilesOptions) => {
      // Loaded when the collector runs: the CLI starts without them.
      const { pino } = await import('pino');
      const { FilesCollector } = await import('../../../collectors/files/collector.ts');
      const { resolveFilesSettings } = await import('../../../collectors/files/config.ts');
      const { EdgeStore } = await import('../../../store/edges.ts');
      const config = await collectConfig(opts);
      const section: Partial<FilesConfigT> = { ...((config.collectors as { files?: FilesConfigT }).files ?? {}) };
      if (opts.file?.length) section.files = opts.file.map(parseFile);
      if (opts.maxFiles !== undefined) {
        if (!/^[1-9][0-9]*$/.test(opts.maxFiles)) throw new CliError(`collect files: --max-files must be a positive integer; got ${JSON.stringify(opts.maxFiles)}`);
        section.maxFiles = Number(opts.maxFiles);
      }
      if (!section.files?.length) throw new CliError('collect files: no files (give --file PATH[:FORMAT] or collectors.files.files in --config)');
      let settings;
      try {
        settings = resolveFilesSettings(section as FilesConfigT);
      } catch (e) {
        if (e instanceof CollectorConfigError) throw new CliError(`collect files: ${e.message}`);
        throw e;
      }
      const out = await withOpenDb({ db: config.dbPath }, async (db) => {
        const collector = new FilesCollector(settings, { db, logger: pino({ level: 'silent' }), now: Date.now, ingest: ingestLimits(config.ingest) });
        const results = await collector.once();
        const counters = collector.status().counters;
        return {
          files: results.map((r) => ({ path: r.path, run: r.summary.run, status: r.summary.status, records: r.summary.records, accepted: r.summary.accepted, rejected: r.summary.rejected, skipped: r.summary.skipped, ambiguous: r.summary.ambiguous, ...(r.error ? { error: r.error } : {}) })),
          records: results.reduce((s, r) => s + r.summary.records, 0),
          accepted: results.reduce((s, r) => s + r.summary.accepted, 0),
          rejected: results.reduce((s, r) => s + r.summary.rejected, 0),
          edges: results.reduce((s, r) => s + r.ingest.edges, 0),
          rotations: counters.rotations ?? 0,
          truncations: counters.truncations ?? 0,
          lostRotations: counters.lostRotations ?? 0,
          compressed: counters.compressed ?? 0,
          oversized: counters.oversized ?? 0,
          filesOverCap: collector.status().gauges?.files_over_cap ?? 0,
          examples: results.flatMap((r) => r.ingest.examples).slice(0, 10),
          edgesTotal: new EdgeStore(db).count(),
        };
      }, { write: true });
      ctx.io.out(`${JSON.stringify(out, null, 2)}\n`);
      const failed = out.files.filter((f) => f.error !== undefined);
      for (const f of failed) ctx.io.err(`flowmatrix: ${f.error}\n`);
      if (failed.length > 0) ctx.status.exitCode = 1;
      else if (out.records > 0 && out.rejected === out.records) {
        ctx.io.err(`flowmatrix: none of the ${out.records} records could be read; is the format right (PATH:netobserv|hubble)?\n`);
        ctx.status.exitCode = 1;
      }
    });
};
