/** `flowmatrix edges` as a table: one row per edge, kubectl's layout (cli/table.ts). */
import type { Edge } from '../domain/edge.ts';
import { peerKey } from '../domain/peer.ts';
import { table } from './table.ts';

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
