/**
 * One host, one peer, whatever the spelling: flow addresses and inventory addresses are stored
 * as domain/ip.ts `storedAddress` gives them (IPv6 canonical per RFC 5952; an IPv4-mapped IPv6
 * address, RFC 4291 §2.5.5.2, as the IPv4 address it maps). Input: the inventory fixture (shop/web
 * at 10.244.0.10, shop/db-0 at 10.244.1.15) and NetObserv records spelling the same hosts
 * differently → expected: the pod-to-pod flow written with `::ffff:` resolves to the workloads,
 * and an outside IPv6 host in two case spellings is one external peer. A real SQLite file.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, runCliJson } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const CLUSTER = new URL('../fixtures/inventory/cluster.json', import.meta.url).pathname;
const T = Date.parse('2025-03-02T13:00:00Z');

const record = (src: string, dst: string, port: number, i: number): string =>
  JSON.stringify({ SrcAddr: src, SrcPort: 40000 + i, DstAddr: dst, DstPort: port, Proto: 6, Flags: 2, Packets: 1, Bytes: 60, TimeFlowStartMs: T + i, TimeFlowEndMs: T + i, TimeReceived: Math.floor((T + i) / 1000) });

test('the same hosts spelt differently in flow records are the same peers: ::ffff: pod addresses resolve to their workloads, IPv6 case does not split a peer', async () => {
  const dir = tmpDir();
  const db = join(dir, 'a.db');
  // web's first pod dual-stack: a record's two addresses are of one family (docs/ingest.md).
  const cluster = JSON.parse(readFileSync(CLUSTER, 'utf8')) as { items: { kind: string; metadata: { name: string }; status?: { podIPs?: { ip: string }[] } }[] };
  cluster.items.find((i) => i.kind === 'Pod' && i.metadata.name === 'web-6b9f8c7d54-x2x9k')!.status!.podIPs!.push({ ip: 'fd00:244::a' });
  const inventory = join(dir, 'cluster.json');
  writeFileSync(inventory, JSON.stringify(cluster));
  assert.equal((await runCli(['inventory', 'import', inventory, '--db', db, '--taken-at', '2025-03-02T12:00:00Z'])).code, 0);
  const flows = join(dir, 'flows.ndjson');
  writeFileSync(flows, [record('::ffff:10.244.0.10', '::FFFF:10.244.1.15', 5432, 0), record('fd00:244::a', '2001:DB8::7', 443, 1), record('FD00:244::A', '2001:db8::7', 443, 2)].join('\n') + '\n');
  assert.equal((await runCli(['ingest', flows, '--db', db])).code, 0);
  const edges = await runCliJson<{ client: string; server: string; port: number }[]>(['edges', '-o', 'json', '--db', db]);
  assert.deepEqual(edges.map((e) => `${e.client} ${e.server} ${e.port}`).sort(), ['workload:shop/Deployment/web external:2001:db8::7 443', 'workload:shop/Deployment/web workload:shop/StatefulSet/db 5432']);
});
