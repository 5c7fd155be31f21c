/** `flowmatrix edges` as a table: one row per edge, kubectl's layout (cli/table.ts). */
import type { Edge } from '../domain/edge.ts';
import { peerKey } from '../domain/peer.ts';
import { tablePieces } from './table.ts';

const HEADER = ['CLIENT', 'SERVER', 'PORT', 'FLOWS', 'PACKETS', 'BYTES', 'DROPPED', 'FIRST SEEN', 'LAST SEEN', 'SOURCES'];

function row(e: Edge): string[] {
  return [
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
  ];
}

/** The table in pieces (cli/table.ts): any number of edges. */
export function edgesTablePieces(edges: readonly Edge[]): Iterable<string> {
  return tablePieces(HEADER, edges.length, (i) => row(edges[i]!));
}
