/**
 * Past the edge caps (docs/ingest.md "Bounded by design") addresses are folded while the records
 * stream, in bounded memory: the first addresses to come keep their own edge, the later ones fold
 * into their block. So which addresses fold depends on the order the records arrive in, and the
 * same records in the same order always fold the same — into byte-identical edges and exports.
 * Whatever the order, every observed address stays under one of the workload's edges.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { exportFromStore } from '../../app/export.ts';
import { cidrContainsIp, parseCidr } from '../../domain/ip.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const inventory = readFileSync(new URL('../fixtures/dual-stack-fold/inventory.json', import.meta.url), 'utf8');
const WEB = 'workload:shop/Deployment/web';
const OUTSIDE = ['203.0.113.5', '203.0.113.9', '198.51.100.20', '203.0.113.77', '198.51.100.33', '192.0.2.8'];

/** web opens a connection to `dst` on 443 (NetObserv, SYN), the i-th second of the last minute. */
const record = (dst: string, i: number): string =>
  JSON.stringify({ SrcAddr: '10.244.0.10', DstAddr: dst, SrcPort: 42000 + i, DstPort: 443, Proto: 6, Flags: ['SYN'], Etype: 2048, Packets: 1, Bytes: 100, TimeFlowStartMs: NOW - 60_000 + i * 1000, TimeFlowEndMs: NOW - 60_000 + i * 1000 + 5 });

async function ingested(order: readonly string[]) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory, takenAt: NOW - 3_600_000, source: 'inventory.json', now: NOW });
  const lines = order.map((dst) => record(dst, OUTSIDE.indexOf(dst)));
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${lines.join('\n')}\n`]) }], { format: 'netobserv', caps: { maxEdgesPerWorkload: 4 } });
  // A folded edge's peer is its block (`external:198.51.100.0/24`).
  const servers = (db.prepare('SELECT server FROM edges WHERE client = ? ORDER BY server').all(WEB) as { server: string }[]).map((e) => e.server.slice('external:'.length)).map((server) => ({ server, folded: server.includes('/') }));
  const edges = JSON.stringify(db.prepare('SELECT client, server, port, protocol, flows, packets, bytes, first_seen, last_seen FROM edges ORDER BY client, server, port, protocol').all());
  return { servers, edges, exported: toMultiDocYaml([...exportFromStore(db, {}, 'kubernetes', {}, {}).manifests()]) };
}

test('past the edge caps the same records in the same order fold the same (byte-identical edges and export); another order folds other addresses, each still under an edge', async () => {
  const first = await ingested(OUTSIDE);
  const again = await ingested(OUTSIDE);
  assert.equal(again.edges, first.edges);
  assert.equal(again.exported, first.exported);

  const reversed = await ingested([...OUTSIDE].reverse());
  // The first four addresses to come keep their own edge; the later ones fold into their /24.
  assert.deepEqual(first.servers.filter((e) => e.folded).map((e) => e.server), ['192.0.2.0/24', '198.51.100.0/24']);
  assert.deepEqual(reversed.servers.filter((e) => e.folded).map((e) => e.server), ['203.0.113.0/24']);
  for (const { servers } of [first, reversed]) {
    for (const ip of OUTSIDE) assert.ok(servers.some((e) => e.server === ip || (e.folded && cidrContainsIp(parseCidr(e.server)!, ip))), `${ip} is under an edge: ${JSON.stringify(servers)}`);
  }
});
