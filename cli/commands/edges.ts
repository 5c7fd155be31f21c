import type { Command } from 'commander';
import type { Edge } from '../../domain/edge.ts';
import { edgeJson } from '../../domain/edge-json.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore } from '../../store/edges.ts';
import { CliError } from '../io.ts';
import { namespaceOption, outputOption, withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandModule } from '../command.ts';
import { explainNoEdges, nothingFor, workloadArg, type Selection } from '../selection.ts';
import { table } from '../table.ts';

interface EdgesOptions extends DbOptions {
  namespace?: string;
  workload?: string;
  since?: string;
  output: 'table' | 'json';
}

export function edgesTable(edges: Edge[]): string {
  return table(
    ['CLIENT', 'SERVER', 'PORT', 'FLOWS', 'PACKETS', 'BYTES', 'DROPPED', 'FIRST SEEN', 'LAST SEEN', 'SOURCES'],
    edges.map((e) => [
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
    ]),
  );
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: a duration before `now` as kubectl writes it (`90s`, `30m`, `2h`, `7d`, `1h30m`) or an ISO 8601 time. */
export function sinceTime(value: string, now: number): number {
  if (/^(\d+[smhd])+$/.test(value)) {
    let ms = 0;
    for (const [, n, unit] of value.matchAll(/(\d+)([smhd])/g)) ms += Number(n) * (UNIT_MS[unit as string] as number);
    return now - ms;
  }
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new CliError(`--since: "${value}" is neither a duration (30m, 2h, 7d) nor an ISO 8601 time`);
  return t;
}

/** `flowmatrix edges [-n NS] [--workload NAME] [--since DURATION|TIME] [-o table|json]`. */
export const edgesCommand: CommandModule = (program: Command, ctx) => {
  withDb(
    program
      .command('edges')
      .description('list aggregated edges: client, server, port, protocol, counts, first/last seen, sources')
      .addOption(namespaceOption('edges with a workload of this namespace on either side'))
      .option('--workload <name>', 'edges with this workload (name, or kind/name as kubectl writes it) on either side')
      .option('--since <when>', 'only edges last seen since then: a duration back from now (30m, 2h, 7d) or an ISO 8601 time')
      .addOption(outputOption(['table', 'json'], 'table')),
  ).action(async (opts: EdgesOptions) => {
    const since = opts.since === undefined ? undefined : sinceTime(opts.since, Date.now());
    await withOpenDb(opts, (db) => {
      const filter: Selection = {};
      if (opts.namespace !== undefined) filter.namespace = opts.namespace;
      if (opts.workload !== undefined) filter.workload = workloadArg(opts.workload);
      let edges = new EdgeStore(db).list(filter);
      if (edges.length === 0) explainNoEdges(db, filter);
      if (since !== undefined) edges = edges.filter((e) => e.lastSeen >= since);
      if (edges.length === 0) ctx.io.err(`${nothingFor(filter, 'edges')}${since !== undefined ? ` since ${new Date(since).toISOString()}` : ''}\n`);
      ctx.io.out(opts.output === 'json' ? `${JSON.stringify(edges.map(edgeJson), null, 2)}\n` : edgesTable(edges));
    });
  });
};
