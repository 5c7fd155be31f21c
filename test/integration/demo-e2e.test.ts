/**
 * The whole ingest path over the bundled demo cluster, through the CLI as a user runs it:
 * two inventory snapshots (a pod IP is reused between them), then NetObserv and Hubble flows.
 */
import assert from 'node:assert/strict';
import type { EdgeJson } from '../../domain/edge-json.ts';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli, runCliJson } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const DEMO = fileURLToPath(new URL('../../demo/data/', import.meta.url));

// At module level: tmpDir() removes its directory when the file's tests end.
const db = join(tmpDir(), 'demo.db');
let edges: EdgeJson[];
let summary: { records: number; accepted: number; rejected: number; edges: number; ambiguous: number };

before(async () => {
  await runCliJson(['inventory', 'import', '--db', db, '--taken-at', '2026-11-20T00:00:00Z', join(DEMO, 'inventory.json')]);
  await runCliJson(['inventory', 'import', '--db', db, '--taken-at', '2026-11-20T12:00:00Z', join(DEMO, 'inventory-later.json')]);
  summary = await runCliJson(['ingest', '--db', db, '--format', 'auto', join(DEMO, 'netobserv.ndjson'), join(DEMO, 'hubble.jsonl')]);
  edges = await runCliJson<EdgeJson[]>(['edges', '--db', db, '--output', 'json']);
});

const has = (client: string, server: string, port: number, protocol = 'TCP') =>
  edges.find((e) => e.client === client && e.server === server && e.port === port && e.protocol === protocol);

test('every demo record is read; none rejected', () => {
  assert.equal(summary.records, 3000);
  assert.equal(summary.accepted, 3000);
  assert.equal(summary.rejected, 0);
  assert.equal(summary.edges, edges.length);
});

test('no edge has an ephemeral server port: ambiguous flows are kept apart', () => {
  const ephemeral = edges.filter((e) => e.port >= 32768);
  assert.deepEqual(ephemeral, []);
  assert.ok(summary.ambiguous > 0, 'the demo has flows with no handshake and no declared port');
});

test('a reused pod IP resolves through its history: cart → catalog before 05:50, never to the debug pod that took the IP', () => {
  assert.ok(has('workload:shop/Deployment/cart', 'workload:shop/Deployment/catalog', 8080));
  assert.equal(edges.filter((e) => e.server === 'workload:tools/Pod/netshoot').length, 0, 'nobody calls the debug pod');
  assert.equal(edges.filter((e) => e.client === 'workload:shop/Deployment/catalog' && e.server.startsWith('external:192.0.2.44')).length, 0);
  assert.ok(edges.some((e) => e.client === 'workload:tools/Pod/netshoot'), 'the debug pod shows up as a client after 06:00');
});

test('special peers: the apiserver on its endpoint port, DNS through the Service IP, kubelet probes, host-network servers', () => {
  assert.ok(has('workload:flagger-system/Deployment/flagger', 'apiserver', 6443), 'apiserver as 6443, not the Service port 443');
  assert.equal(edges.filter((e) => e.server === 'apiserver' && e.port !== 6443).length, 0);
  assert.ok(has('workload:shop/Deployment/cart', 'dns:kube-system/Deployment/coredns', 53, 'UDP'));
  assert.ok(edges.some((e) => e.client.startsWith('kubelet:') && e.server === 'workload:shop/Deployment/cart'));
  assert.equal(edges.filter((e) => e.client.startsWith('kubelet:') && !e.server.startsWith('workload:') && !e.server.startsWith('dns:')).length, 0);
  // The node exporter and the eBPF agent are host-network pods: resolved by their declared port on the node IP.
  assert.ok(has('workload:stacklight/StatefulSet/prometheus-server', 'workload:stacklight/DaemonSet/prometheus-node-exporter', 9100));
  assert.ok(has('workload:stacklight/StatefulSet/prometheus-server', 'workload:netobserv-privileged/DaemonSet/netobserv-ebpf-agent', 9400));
});

test('flows seen by both sources carry both; drops under existing policies are counted', () => {
  assert.ok(edges.some((e) => e.sources.includes('netobserv') && e.sources.includes('hubble')));
  const blocked = has('workload:netobserv/Deployment/netobserv-plugin', 'workload:stacklight/StatefulSet/prometheus-server', 9090);
  assert.ok(blocked && blocked.dropped > 0, 'the console plugin → StackLight Prometheus is dropped by the NetObserv policy (its egress)');
  assert.equal(blocked.forwarded, 0, 'NetObserv SYNs that were never answered are no evidence of delivery');
});

test('ingest is idempotent in shape: the same inputs into a fresh DB give the same edges output byte for byte', async () => {
  const db2 = join(tmpDir(), 'again.db');
  await runCliJson(['inventory', 'import', '--db', db2, '--taken-at', '2026-11-20T00:00:00Z', join(DEMO, 'inventory.json')]);
  await runCliJson(['inventory', 'import', '--db', db2, '--taken-at', '2026-11-20T12:00:00Z', join(DEMO, 'inventory-later.json')]);
  await runCliJson(['ingest', '--db', db2, '--format', 'auto', join(DEMO, 'netobserv.ndjson'), join(DEMO, 'hubble.jsonl')]);
  // Row ids depend on insertion order across batches; everything else must match.
  const strip = (s: string) => s.split('\n').filter((l) => !/^\s*"id": \d+,$/.test(l)).join('\n');
  const again = strip((await runCli(['edges', '--db', db2, '--output', 'json'])).out);
  assert.ok(again.length > 1000);
  assert.equal(again, strip((await runCli(['edges', '--db', db, '--output', 'json'])).out));
});
