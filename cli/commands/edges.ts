/**
 * `flowmatrix edges` (list), `edges delete`, `edges prune`. The store is loaded when one of them
 * runs, not when the CLI starts.
 */
import type { Command } from 'commander';
import type { EdgeDeleteFilter } from '../../store/edges.ts';
import type { Selection } from '../../app/selection.ts';
import { CliError, writePieces } from '../io.ts';
import { positiveIntFlag } from '../integer-flag.ts';
import { namespaceOption, outputOption, withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandModule } from '../command.ts';
import { workloadArg } from '../selection.ts';
import { pointInTime } from '../../domain/time.ts';

interface EdgesOptions extends DbOptions {
  namespace?: string;
  workload?: string;
  since?: string;
  output: 'table' | 'json';
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
  historyDays: string;
  runDays: string;
}

function days(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new CliError(`${flag} must be a whole number of days (0 keeps forever), got "${value}"`);
  return n;
}

/** `--since`: a duration before `now` as kubectl writes it (`90s`, `30m`, `2h`, `7d`, `1h30m`) or an RFC 3339 time. */
export function sinceTime(value: string, now: number, flag = '--since'): number {
  const t = pointInTime(value, now);
  if (t === undefined) throw new CliError(`${flag}: "${value}" is neither a duration (30m, 2h, 7d) nor an RFC 3339 time with its zone (2026-11-20T12:00:00Z)`);
  return t;
}

/** `flowmatrix edges [-n NS] [--workload NAME] [--since DURATION|TIME] [-o table|json]`, `edges delete …`, `edges prune …`. */
export const edgesCommand: CommandModule = (program: Command, ctx) => {
  const edges = withDb(
    program
      .command('edges')
      .description('list aggregated edges: client, server, port, protocol, counts, first/last seen, sources')
      .addOption(namespaceOption('edges with a workload of this namespace on either side'))
      .option('--workload <name>', 'edges with this workload (name, or kind/name as kubectl writes it) on either side')
      .option('--since <when>', 'only edges last seen since then: a duration back from now (30m, 2h, 7d) or an RFC 3339 time')
      .addOption(outputOption(['table', 'json'], 'table')),
  ).action(async (opts: EdgesOptions) => {
    const since = opts.since === undefined ? undefined : sinceTime(opts.since, Date.now());
    const { EdgeStore } = await import('../../store/edges.ts');
    const { newSkippedRows } = await import('../../store/row-check.ts');
    const { explainNoEdges } = await import('../../app/selection-check.ts');
    const { nothingFor } = await import('../../app/selection.ts');
    const { edgeJson } = await import('../../domain/edge-json.ts');
    const { edgesTablePieces } = await import('../edges-table.ts');
    await withOpenDb(opts, async (db) => {
      const filter: Selection = {};
      if (opts.namespace !== undefined) filter.namespace = opts.namespace;
      if (opts.workload !== undefined) filter.workload = workloadArg(opts.workload);
      const skipped = newSkippedRows();
      let edges = new EdgeStore(db).list(filter, skipped);
      if (edges.length === 0 && skipped.count === 0) explainNoEdges(db, filter);
      if (since !== undefined) edges = edges.filter((e) => e.lastSeen >= since);
      if (edges.length === 0) ctx.io.err(`${nothingFor(filter, 'edges')}${since !== undefined ? ` since ${new Date(since).toISOString()}` : ''}\n`);
      // In pieces: the JSON or table of a large store outgrows the longest string Node can build.
      if (opts.output === 'json') {
        const { jsonArrayPieces } = await import('../../recommender/json-stream.ts');
        await writePieces(ctx.io, jsonArrayPieces(edges, edgeJson));
        ctx.io.out('\n');
      } else await writePieces(ctx.io, edgesTablePieces(edges));
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
      .option('--since <when>', 'edges last seen at or after then: a duration back from now (30m, 7d) or an RFC 3339 time')
      .option('--before <when>', 'edges last seen before then: a duration back from now (30d) or an RFC 3339 time')
      .option('--id <id>', 'one edge by id (edges --output json shows ids)'),
  ).action(async (_opts: DeleteOptions, cmd: Command) => {
    // The parent `edges` declares --db, --namespace and --workload too: read them wherever they were given.
    const opts = cmd.optsWithGlobals<DeleteOptions>();
    const f: EdgeDeleteFilter = {};
    if (opts.namespace !== undefined) f.namespace = opts.namespace;
    if (opts.workload !== undefined) f.workload = workloadArg(opts.workload);
    if (opts.since !== undefined) f.lastSeenSince = sinceTime(opts.since, Date.now());
    if (opts.before !== undefined) f.lastSeenBefore = sinceTime(opts.before, Date.now(), '--before');
    if (opts.id !== undefined) f.id = positiveIntFlag('--id')(opts.id);
    if (Object.keys(f).length === 0) throw new CliError('say which edges to delete: --namespace, --workload, --since, --before or --id (to delete everything: --before with a future time)');
    const { EdgeStore } = await import('../../store/edges.ts');
    const { requireSelection } = await import('../../app/selection-check.ts');
    const deleted = await withOpenDb(opts, (db) => {
      const n = new EdgeStore(db).deleteEdges(f);
      // A misspelt filter is said, as `edges` says it, not answered "0 deleted".
      if (n === 0) requireSelection(db, { ...(f.namespace !== undefined ? { namespace: f.namespace } : {}), ...(f.workload !== undefined ? { workload: f.workload } : {}) });
      return n;
    }, { write: true });
    ctx.io.out(`${JSON.stringify({ deleted })}\n`);
  });

  withDb(
    edges
      .command('prune')
      .description('apply retention once: delete edges not seen for --edge-days, hourly buckets older than --hour-days, IP history and ingest runs that ended before --history-days and --run-days (0 keeps forever)')
      .option('--edge-days <n>', 'delete edges (and ambiguous pairs, external names) last seen more than this many days ago', '0')
      .option('--hour-days <n>', 'delete hourly buckets older than this many days', '0')
      .option('--history-days <n>', 'delete IP-history intervals that ended, workloads gone and inventory imports taken more than this many days ago (flows from before are then skipped at ingest as before-history)', '0')
      .option('--run-days <n>', 'delete finished ingest runs (and the Idempotency-Key answers they keep) that ended more than this many days ago', '0'),
  ).action(async (_opts: PruneOptions, cmd: Command) => {
    const opts = cmd.optsWithGlobals<PruneOptions & { namespace?: string; workload?: string; since?: string }>();
    // The parent's filters reach here too (commander takes them after `prune`): retention is store-wide, so a filter
    // would be silently ignored and every namespace pruned. `edges delete` takes filters.
    const given = (['namespace', 'workload', 'since'] as const).filter((k) => opts[k] !== undefined);
    if (given.length > 0) throw new CliError(`edges prune applies retention to the whole store and takes no filter (got --${given.join(', --')}): to delete some edges, use \`flowmatrix edges delete\` with the filter`);
    const policy = {
      edgeDays: days('--edge-days', opts.edgeDays),
      hourDays: days('--hour-days', opts.hourDays),
      historyDays: days('--history-days', opts.historyDays),
      runDays: days('--run-days', opts.runDays),
    };
    const { applyRetention } = await import('../../store/retention.ts');
    const result = await withOpenDb(opts, (db) => applyRetention(db, policy), { write: true });
    ctx.io.out(`${JSON.stringify(result, null, 2)}\n`);
  });
};
