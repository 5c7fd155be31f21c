/**
 * What the files-collector tests share: the real flow samples they append to followed files, the
 * edges a store holds as comparable lines, the edges a one-shot ingest of the same lines gives
 * (what following must end with), and a collector's counters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FilesCollector } from '../../collectors/files/collector.ts';
import type { FlowFormat } from '../../collectors/flows/decode.ts';
import { storePipeline } from '../../collectors/store-pipeline.ts';
import { peerKey } from '../../domain/peer.ts';
import type { Db } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { tmpDb } from './tmp.ts';
import { DEFAULT_INGEST_LIMITS } from '../../collectors/flows/ingest-defaults.ts';

const FLOWS = fileURLToPath(new URL('../fixtures/reference/flows/', import.meta.url));
const read = (f: string) => readFileSync(join(FLOWS, f), 'utf8').trim().split('\n');
/** 17 real NetObserv records (Loki captures) and 32 real Hubble lines (kind cluster). */
export const NETOBSERV = read('netobserv/netobserv-flow-samples.ndjson');
export const HUBBLE = read('hubble/hubble-otel-basic-sample-400-tcp-flows.SUBSET.json');

export const text = (lines: string[]): string => lines.map((l) => `${l}\n`).join('');

export function edges(db: Db): string[] {
  return new EdgeStore(db).list().map((e) => `${peerKey(e.client)} -> ${peerKey(e.server)}:${e.port}/${e.protocol} flows=${e.flows} bytes=${e.bytes} fwd=${e.forwarded}`);
}

/** The edges one ingest of `lines` stores: what a collector that followed them must have stored too. */
export async function expectedEdges(lines: string[], format: FlowFormat = 'netobserv'): Promise<string[]> {
  const { db } = tmpDb();
  await storePipeline(db, { format, limits: DEFAULT_INGEST_LIMITS }).ingest(Readable.from([text(lines)]), 'file');
  return edges(db);
}

/** A collector counter (0 until first counted). */
export const n = (c: FilesCollector, k: string): number => c.status().counters[k] ?? 0;
