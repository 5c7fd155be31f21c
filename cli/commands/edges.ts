import { Option, type Command } from 'commander';
import type { Edge } from '../../domain/edge.ts';
import { edgeJson } from '../../domain/edge-json.ts';
import { peerKey } from '../../domain/peer.ts';
import { EdgeStore } from '../../store/edges.ts';
import { withDb, withOpenDb, type DbOptions } from '../options.ts';
import type { CommandModule } from '../command.ts';
import { explainNoEdges, nothingFor, workloadArg, type Selection } from '../selection.ts';

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

/** `flowmatrix edges [--namespace NS] [--workload NAME] [--output table|json]`. */
export const edgesCommand: CommandModule = (program: Command, ctx) => {
  withDb(
    program
      .command('edges')
      .description('list aggregated edges: client, server, port, protocol, counts, first/last seen, sources')
      .option('-n, --namespace <ns>', 'edges with a workload of this namespace on either side')
      .option('--workload <name>', 'edges with this workload (name, or kind/name as kubectl writes it) on either side')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table')),
  ).action(async (opts: EdgesOptions) => {
    await withOpenDb(opts, (db) => {
      const filter: Selection = {};
      if (opts.namespace !== undefined) filter.namespace = opts.namespace;
      if (opts.workload !== undefined) filter.workload = workloadArg(opts.workload);
      const edges = new EdgeStore(db).list(filter);
      if (edges.length === 0) {
        explainNoEdges(db, filter);
        ctx.io.err(`${nothingFor(filter, 'edges')}\n`);
      }
      ctx.io.out(opts.output === 'json' ? `${JSON.stringify(edges.map(edgeJson), null, 2)}\n` : edgesTable(edges));
    });
  });
};
