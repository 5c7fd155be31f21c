/**
 * A store holding one of the fixture clusters (test/fixtures/<name>/inventory.yaml) and the NetObserv
 * records of the connections a test observes there, for the tests that recommend on a real
 * operator's deployment and simulate its documented flows under what every engine exports.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import type { SimCluster, SimEndpoint } from '../../recommender/simulate/types.ts';
import type { Db } from '../../store/db.ts';
import { netobservRecord } from './netobserv-record.ts';
import { tmpDb } from './tmp.ts';

/** A connection as observed: its first packet from `src` to `dst`:`dstPort` over TCP (6) or UDP (17). */
export interface ObservedConnection {
  src: string;
  dst: string;
  dstPort: number;
  proto: 6 | 17;
}

/** The store of test/fixtures/`fixture`/inventory.yaml, taken an hour before `now`, with one NetObserv record of each connection in the minute before `now`. */
export async function fixtureStoreWithFlows(fixture: string, connections: readonly ObservedConnection[], now: number): Promise<Db> {
  const { db } = tmpDb();
  importInventory(db, { text: readFileSync(new URL(`../fixtures/${fixture}/inventory.yaml`, import.meta.url), 'utf8'), takenAt: now - 3_600_000, source: 'inventory.yaml', now });
  const lines = connections.map(({ src, dst, dstPort, proto }, i) => netobservRecord({ src, dst, dstPort, proto, srcPort: 40000 + i, time: now - 60_000 + i }));
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${lines.join('\n')}\n`]) }], { format: 'netobserv' });
  return db;
}

/** The end at `ip`:`port` in `cluster`: a pod, the apiserver at one of its endpoints, a node, or an outside address. */
export function simEndpointAt(cluster: SimCluster, ip: string, port = 0): SimEndpoint {
  const pod = cluster.pods.find((p) => p.ips.includes(ip));
  if (pod) return { kind: 'pod', pod };
  if (cluster.apiserver.some((e) => e.ip === ip && e.port === port)) return { kind: 'apiserver', ip };
  const node = cluster.nodes.find((n) => n.ips.includes(ip));
  return node ? { kind: 'node', node, ip } : { kind: 'external', ip };
}
