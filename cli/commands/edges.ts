import { Option, type Command } from 'commander';
import type { Edge } from '../../domain/edge.ts';
import { edgeJson } from '../../domain/edge-json.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore, type EdgeDeleteFilter } from '../../store/edges.ts';
import { applyRetention } from '../../store/retention.ts';
import { newSkippedRows } from '../../store/row-check.ts';
import { CliError } from '../io.ts';
import { withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandModule } from '../command.ts';

interface EdgesOptions extends DbOptions {
  namespace?: string;
  workload?: string;
  output: 'table' | 'json';
}

export function edgesTable(edges: Edge[]): string {
  const header = ['CLIENT', 'SERVER', 'PORT', 'FLOWS', 'PACKETS', 'BYTES', 'DROPPED', 'FIRST SEEN', 'LAST SEEN', 'SOURCES'];
  const rows = edges.map((e) => [
    peerKey(e.client),
    peerKey(e.server),
    `${e.port}/${e.protocol}`,
    String(e.flows),
    String(e.packets),
    String(e.bytes),
    String(e.dropped),
    new Date(e.firstSeen).toISOString(),
    new Date(e.lastSeen).toISOString(),
    e.sources.join(','),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

interface DeleteOptions extends DbOptions {
  namespace?: string;
  workload?: string;
  since?: string;
  before?: string;
  id?: string;
}

interface PruneOptions extends DbOptions {
  edgeDays: string;
  hourDays: string;
}

function time(flag: string, value: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new CliError(`${flag} must be an RFC 3339 time such as 2026-11-20T00:00:00Z, got "${value}"`);
  return t;
}

function days(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new CliError(`${flag} must be a whole number of days (0 keeps forever), got "${value}"`);
  return n;
}

/** `flowmatrix edges [--namespace NS] [--workload NAME] [--output table|json]`, `edges delete …`, `edges prune …`. */
export const edgesCommand: CommandModule = (program: Command, ctx) => {
  const edges = withDb(
    program
      .command('edges')
      .description('list aggregated edges: client, server, port, protocol, counts, first/last seen, sources')
      .option('--namespace <ns>', 'edges with a workload of this namespace on either side')
      .option('--workload <name>', 'edges with this workload (name or Kind/name) on either side')
      .addOption(new Option('--output <format>', 'output format').choices(['table', 'json']).default('table')),
  ).action(async (opts: EdgesOptions) => {
    await withOpenDb(opts, (db) => {
      const filter: { namespace?: string; workload?: string } = {};
      if (opts.namespace !== undefined) filter.namespace = opts.namespace;
      if (opts.workload !== undefined) filter.workload = opts.workload;
      const skipped = newSkippedRows();
      const edges = new EdgeStore(db).list(filter, skipped);
      ctx.io.out(opts.output === 'json' ? `${JSON.stringify(edges.map(edgeJson), null, 2)}\n` : edgesTable(edges));
      if (skipped.count > 0) {
        const ids = skipped.examples.map((x) => `${x.id} (${x.problem})`).join('; ');
        ctx.io.err(`flowmatrix: ${skipped.count} stored edge row(s) could not be read and were left out: ${ids}; remove them with \`flowmatrix edges delete --id ID\`\n`);
      }
    });
  });

  withDb(
    edges
      .command('delete')
      .description('delete the edges a filter selects (with their hourly buckets); prints {"deleted": N}')
      .option('--namespace <ns>', 'edges with a workload of this namespace on either side')
      .option('--workload <name>', 'edges with this workload (name or Kind/name) on either side')
      .option('--since <time>', 'edges last seen at or after this RFC 3339 time')
      .option('--before <time>', 'edges last seen before this RFC 3339 time')
      .option('--id <id>', 'one edge by id (edges --output json shows ids)'),
  ).action(async (_opts: DeleteOptions, cmd: Command) => {
    // The parent `edges` declares --db, --namespace and --workload too: read them wherever they were given.
    const opts = cmd.optsWithGlobals<DeleteOptions>();
    const f: EdgeDeleteFilter = {};
    if (opts.namespace !== undefined) f.namespace = opts.namespace;
    if (opts.workload !== undefined) f.workload = opts.workload;
    if (opts.since !== undefined) f.lastSeenSince = time('--since', opts.since);
    if (opts.before !== undefined) f.lastSeenBefore = time('--before', opts.before);
    if (opts.id !== undefined) {
      const id = Number(opts.id);
      if (!/^\d+$/.test(opts.id) || !Number.isSafeInteger(id) || id < 1) throw new CliError(`--id must be a positive integer, got "${opts.id}"`);
      f.id = id;
    }
    if (Object.keys(f).length === 0) throw new CliError('say which edges to delete: --namespace, --workload, --since, --before or --id (to delete everything: --before with a future time)');
    const deleted = await withOpenDb(opts, (db) => new EdgeStore(db).deleteEdges(f));
    ctx.io.out(`${JSON.stringify({ deleted })}\n`);
  });

  withDb(
    edges
      .command('prune')
      .description('apply retention once: delete edges not seen for --edge-days and hourly buckets older than --hour-days (0 keeps forever)')
      .requiredOption('--edge-days <n>', 'delete edges (and ambiguous pairs, external names) last seen more than this many days ago')
      .option('--hour-days <n>', 'delete hourly buckets older than this many days', '0'),
  ).action(async (_opts: PruneOptions, cmd: Command) => {
    const opts = cmd.optsWithGlobals<PruneOptions>();
    const policy = { edgeDays: days('--edge-days', opts.edgeDays), hourDays: days('--hour-days', opts.hourDays) };
    const result = await withOpenDb(opts, (db) => applyRetention(db, policy));
    ctx.io.out(`${JSON.stringify(result, null, 2)}\n`);
  });
};
