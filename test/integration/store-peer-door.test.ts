/**
 * The store's door refuses a peer key its reads cannot take back (store/row-check.ts checkedPeer):
 * an `unknown:` peer of no address, once written, was skipped by every read as unreadable, its flows
 * gone from every recommendation. A decoder bug must fail its batch loudly, naming the field,
 * never poison the store; the batch's good rows are not written either (one transaction).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AggregateBatch, EdgeDelta } from '../../domain/edge-batch.ts';
import { PrometheusStore } from '../../collectors/prometheus/store.ts';
import { SqliteBatchWriter } from '../../collectors/flows/write.ts';
import { EdgeStore } from '../../store/edges.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = Date.parse('2026-11-20T10:00:00Z');
const DB = 'workload:shop/StatefulSet/db';
const WEB = 'workload:shop/Deployment/web';

function edge(client: string, server: string): EdgeDelta {
  return { client, server, port: 5432, protocol: 'TCP', firstSeen: T, lastSeen: T, flows: 1, packets: 0, bytes: 0, forwarded: 1, dropped: 0, sources: 1, hours: new Map() };
}
const batch = (edges: EdgeDelta[], ambiguous: AggregateBatch['ambiguous'] = []): AggregateBatch => ({ edges, ambiguous, names: [] });

test('an edge whose client is `unknown:` (no address) is refused with an error naming the field, and its batch is not written', () => {
  const { db } = tmpDb();
  const writer = new SqliteBatchWriter(db);
  const run = writer.startRun('test', 'hubble');
  const counters = { records: 2, accepted: 2, rejected: 0, skipped: 0, ambiguous: 0, rejects: {} };
  assert.throws(() => writer.commit(batch([edge(WEB, DB), edge('unknown:', DB)]), run, counters, 'running'), /edges\.client.*invalid peer key "unknown:"/);
  assert.equal(new EdgeStore(db).count(), 0, 'the good edge of the refused batch is not written');
});

test('a server, an ambiguous pair\'s peer, a gap\'s or an observed pair\'s peer that no read takes back is refused, naming its field', () => {
  const { db } = tmpDb();
  const edges = new EdgeStore(db);
  assert.throws(() => edges.write(batch([edge(WEB, 'workload:shop/StrimziPodSet/kafka')])), /edges\.server.*workload/);
  const pair = { peerA: 'unknown:', peerB: WEB, protocol: 'TCP' as const, portA: 0, portB: 0, firstSeen: T, lastSeen: T, flows: 1, packets: 0, bytes: 0, sources: 1 };
  assert.throws(() => edges.write(batch([], [pair])), /ambiguous_pairs\.peer_a/);
  const prom = new PrometheusStore(db);
  assert.throws(
    () => prom.writeGaps([{ client: WEB, server: 'unknown:', port: 0, protocol: 'TCP', source: 'prometheus', metric: 'm', lacks: 'port', filledBy: 'none', firstSeen: T, lastSeen: T, flows: 1 }]),
    /edge_gaps\.server/,
  );
  assert.throws(
    () => prom.writePairs([{ peerA: WEB, peerB: 'external:not-an-ip', source: 'prometheus', metric: 'm', lacks: 'direction,port,protocol', firstSeen: T, lastSeen: T, flows: 1, packets: 0, bytes: 0 }]),
    /metric_pairs\.peer_b/,
  );
  // Keys every read parses still go in: an address, a folded block, a node, the apiserver.
  edges.write(batch([edge('unknown:10.244.0.9', DB), edge('external:203.0.113.0/24', WEB), edge('kubelet:node-1', 'apiserver')]));
  assert.equal(edges.count(), 3);
});
