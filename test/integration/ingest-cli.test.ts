import assert from 'node:assert/strict';
import type { EdgeJson } from '../../domain/edge-json.ts';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { main } from '../../cli/main.ts';
import { openDb } from '../../store/db.ts';
import { REFERENCE } from '../helpers/reference.ts';
import { tmpDir } from '../helpers/tmp.ts';

const NETOBSERV = join(REFERENCE, 'flows/netobserv/netobserv-flow-samples.ndjson');
const HUBBLE = join(REFERENCE, 'flows/hubble');
const BIN = fileURLToPath(new URL('../../bin/flowmatrix.mjs', import.meta.url));

async function run(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'flowmatrix', ...argv], { out: (t) => void (out += t), err: (t) => void (err += t), stdin: Readable.from([stdin]) });
  return { code, out, err };
}

test('ingest of the real NetObserv and Hubble samples: summary and the direction of chosen records', async () => {
  const db = join(tmpDir(), 'f.db');
  const r = await run(['ingest', '--db', db, '--format', 'auto', NETOBSERV, join(HUBBLE, 'hubble-v1.19.1-tke-guide-samples.jsonl'), join(HUBBLE, 'hubble-v1.18.3-policy-deny-sample.jsonl'), join(HUBBLE, 'hubble-otel-basic-sample-5-dns-flows.json')]);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out) as Record<string, unknown>;
  assert.deepEqual([s.records, s.accepted, s.rejected, s.skipped, s.ambiguous], [26, 23, 0, 3, 6]);
  assert.deepEqual(s.skips, { 'icmp-control': 2, 'non-ip': 1 });

  const edges = JSON.parse((await run(['edges', '--db', db, '--output', 'json'])).out) as EdgeJson[];
  const has = (client: string, server: string, port: number, protocol = 'TCP') =>
    assert.ok(edges.some((e) => e.client === client && e.server === server && e.port === port && e.protocol === protocol), `${client} -> ${server}:${port}/${protocol} in\n${edges.map((e) => `${e.client} -> ${e.server}:${e.port}`).join('\n')}`);
  // NetObserv records 9+10: prometheus-k8s-0 → node ip-10-0-1-137:10250 (the kubelet port), one edge for both directions.
  has('workload:openshift-monitoring/StatefulSet/prometheus-k8s', 'node:ip-10-0-1-137.ec2.internal', 10250);
  // NetObserv record 12: Flags 788 has SYN_ACK, so prometheus-adapter:6443 answered its own node: a kubelet probe.
  has('kubelet:ip-10-0-1-137.ec2.internal', 'workload:openshift-monitoring/Deployment/prometheus-adapter', 6443);
  // NetObserv record 6: Service default/kubernetes:443 replying to service-ca-operator → apiserver on 6443.
  has('workload:openshift-service-ca-operator/Deployment/service-ca-operator', 'apiserver', 6443);
  // NetObserv records 4,5,7,8: alertmanager → Service openshift-dns/dns-default:53 (not in the inventory: unknown ClusterIP).
  has('workload:openshift-monitoring/StatefulSet/alertmanager-main', 'unknown:172.30.0.10', 53, 'UDP');
  // Hubble tke 1: reply (is_reply) from reserved:kube-apiserver:60002 → the csi controller is the client.
  has('workload:kube-system/Deployment/csi-cbs-controller', 'apiserver', 60002);
  // Hubble tke 2: node 10.10.21.241 SYN → world 9.134.108.44:9922.
  has('node:10.10.21.241', 'external:9.134.108.44', 9922);
  // Hubble 1.18.3: traffic-generator SYN → echo-server:80, DROPPED by policy.
  const denied = edges.find((e) => e.server === 'workload:net-lab/Deployment/echo-server');
  assert.deepEqual(denied && [denied.client, denied.port, (denied as unknown as { dropped: number }).dropped], ['workload:net-lab/Deployment/traffic-generator', 80, 1]);
  // Hubble DNS L7: node-local-dns query (is_reply false) and answer (true) → one edge to kube-dns:53/TCP.
  const dnsEdge = edges.find((e) => e.client === 'workload:kube-system/Pod/node-local-dns-88zrp');
  assert.deepEqual(dnsEdge && [dnsEdge.server, dnsEdge.port, dnsEdge.flows, dnsEdge.firstSeen], ['workload:kube-system/Deployment/kube-dns', 53, 5, '2021-10-04T11:22:26.592Z']);
  // No edge ever lands on an ephemeral port.
  assert.ok(edges.every((e) => e.port < 32768 || e.port === 60002));

  // Determinism: the same inputs into a fresh database give the same edges.
  const db2 = join(tmpDir(), 'g.db');
  await run(['ingest', '--db', db2, NETOBSERV, join(HUBBLE, 'hubble-v1.19.1-tke-guide-samples.jsonl'), join(HUBBLE, 'hubble-v1.18.3-policy-deny-sample.jsonl'), join(HUBBLE, 'hubble-otel-basic-sample-5-dns-flows.json')]);
  assert.equal((await run(['edges', '--db', db2])).out, (await run(['edges', '--db', db])).out);

  const filtered = JSON.parse((await run(['edges', '--db', db, '--output', 'json', '--namespace', 'net-lab'])).out) as EdgeJson[];
  assert.deepEqual(filtered.map((e) => e.server), ['workload:net-lab/Deployment/echo-server']);
  const byWorkload = JSON.parse((await run(['edges', '--db', db, '--output', 'json', '--workload', 'prometheus-adapter'])).out) as EdgeJson[];
  assert.deepEqual(byWorkload.map((e) => e.client), ['kubelet:ip-10-0-1-137.ec2.internal']);
});

test('bad lines from stdin are counted by reason with their place; a truncated last line is `truncated`', async () => {
  const good = JSON.stringify({ SrcAddr: '10.0.0.1', SrcPort: 40000, DstAddr: '10.0.0.2', DstPort: 443, Proto: 6, TimeFlowEndMs: 1_795_132_804_315 });
  const stdin = [good, 'not json', '[1]', JSON.stringify({ SrcAddr: '10.0.0.1' }), JSON.stringify({ hello: 1 }), good.slice(0, 30)].join('\n');
  const db = join(tmpDir(), 'f.db');
  const r = await run(['ingest', '--db', db, '--format', 'auto', '-'], stdin);
  assert.equal(r.code, 0);
  const s = JSON.parse(r.out) as { records: number; accepted: number; rejected: number; edges: number; rejects: unknown; examples: unknown[] };
  assert.deepEqual([s.records, s.accepted, s.rejected, s.edges], [6, 1, 5, 1]);
  assert.deepEqual(s.rejects, { 'invalid-json': 1, 'missing-field': 1, 'not-an-object': 1, truncated: 1, 'unknown-format': 1 });
  assert.deepEqual(s.examples[2], { file: '-', line: 4, reason: 'missing-field', field: 'DstAddr', message: 'DstAddr is missing' });
  assert.deepEqual(s.examples[4], { file: '-', line: 6, reason: 'truncated' });
});

test('exit code is non-zero when nothing could be read: no input opened, or every record rejected', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  const missing = await run(['ingest', '--db', db, join(dir, 'nope.ndjson')]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.ndjson: ENOENT/);
  const partial = await run(['ingest', '--db', db, join(dir, 'nope.ndjson'), NETOBSERV]);
  assert.equal(partial.code, 0);
  assert.equal((JSON.parse(partial.out) as { records: number }).records, 17);
  assert.match(partial.err, /^warning: .*nope\.ndjson: ENOENT.*; the other inputs were ingested$/m, 'a path that could not be read is said, not only in the JSON');
  // The NetObserv samples read as Hubble: every record rejected, which is a failure worth an exit code.
  const wrongFormat = await run(['ingest', '--db', db, '--format', 'hubble', NETOBSERV]);
  assert.equal(wrongFormat.code, 1);
  assert.equal((JSON.parse(wrongFormat.out) as { accepted: number; rejected: number }).rejected, 17);
  assert.match(wrongFormat.err, /none of the 17 records could be read .*is --format right\?/);
  const empty = await run(['ingest', '--db', db, '-'], '');
  assert.equal(empty.code, 0, 'an empty input is nothing to do, not an error');
  const bad = await run(['ingest', '--db', db, '--format', 'pcap', NETOBSERV]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /Allowed choices are netobserv, hubble, auto/);
});

test('a gzip-compressed flow file is refused naming the file and saying to decompress it, never read as lines of bad JSON; beside a readable input it is a warning', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  const gz = join(dir, 'flows.ndjson.gz');
  writeFileSync(gz, gzipSync(readFileSync(NETOBSERV)));
  const alone = await run(['ingest', '--db', db, gz]);
  assert.equal(alone.code, 1);
  const summary = JSON.parse(alone.out) as { rejected: number; records: number; inputs: { status: string; error?: string }[] };
  assert.deepEqual([summary.records, summary.rejected, summary.inputs[0]?.status], [0, 0, 'failed']);
  assert.match(alone.err, /^flowmatrix: .*flows\.ndjson\.gz: the input is gzip-compressed .*decompress it first/m);
  const beside = await run(['ingest', '--db', db, gz, NETOBSERV]);
  assert.equal(beside.code, 0);
  assert.match(beside.err, /^warning: .*flows\.ndjson\.gz: the input is gzip-compressed .*; the other inputs were ingested$/m);
});

test('kill -9 mid-ingest: the database opens, every committed batch is there and agrees with the run row', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  const BATCH = 500;
  const child = spawn(process.execPath, [BIN, 'ingest', '--db', db, '--format', 'netobserv', '--batch-size', String(BATCH), '--flush-interval', '3600', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.stdin.on('error', () => {}); // EPIPE once the child is killed
  const exited = new Promise((r) => child.once('exit', r));
  // Each record is its own edge (distinct server port), so committed flows = committed accepted records.
  let i = 0;
  const line = (n: number) => `{"SrcAddr":"10.1.${(n >> 8) & 255}.${n & 255}","SrcPort":40000,"DstAddr":"10.2.0.1","DstPort":${1 + (n % 1000)},"Proto":6,"Flags":2,"Packets":1,"Bytes":10,"TimeFlowEndMs":${1_700_000_000_000 + n}}\n`;
  const writeSome = (count: number) => {
    let s = '';
    for (let k = 0; k < count; k++) s += line(i++);
    child.stdin.write(s);
  };
  writeSome(5 * BATCH + 123);
  // Wait until at least a few batches are committed, then kill without warning. The child is
  // killed whatever happens, so a failing wait cannot leave the test file hanging on it; the
  // deadline allows for a loaded machine (the CLI alone can take seconds to start).
  const probe = new Database(db, { readonly: false, fileMustExist: false });
  probe.pragma('busy_timeout = 5000');
  const deadline = Date.now() + 120_000;
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      let committed = 0;
      try {
        committed = (probe.prepare('SELECT coalesce(max(records), 0) AS n FROM ingest_runs').get() as { n: number }).n;
      } catch {
        /* schema not there yet */
      }
      if (committed >= 3 * BATCH) break;
      if (Date.now() > deadline) assert.fail('ingest did not commit in time');
      // Keep the child fed, but not far ahead of what it has committed.
      if (i - committed < 10 * BATCH) writeSome(BATCH);
    }
  } finally {
    probe.close();
    child.kill('SIGKILL');
    await exited;
  }

  const after = openDb(db);
  const run = after.prepare('SELECT * FROM ingest_runs').get() as { status: string; records: number; accepted: number };
  const flows = (after.prepare('SELECT coalesce(sum(flows), 0) AS n FROM edges').get() as { n: number }).n;
  const hours = (after.prepare('SELECT coalesce(sum(flows), 0) AS n FROM edge_hours').get() as { n: number }).n;
  assert.equal(run.status, 'running');
  assert.equal(run.records % BATCH, 0, 'only whole batches were committed');
  assert.ok(run.records >= 3 * BATCH && run.records < i, `${run.records} committed of ${i} sent`);
  assert.equal(flows, run.accepted);
  assert.equal(hours, run.accepted);
  assert.equal(after.pragma('integrity_check', { simple: true }), 'ok');
  after.close();
});

test('ingest of NetObserv conversation summaries alone (logTypes Conversations) stores nothing, exits 0 and says to export the flow logs', async () => {
  const db = join(tmpDir(), 'conv.db');
  const base = { SrcAddr: '10.0.0.10', SrcPort: 40000, DstAddr: '10.0.0.20', DstPort: 443, Proto: 6, Packets: 20, Bytes: 2000, TimeFlowStartMs: 1_765_011_000_000, TimeFlowEndMs: 1_765_011_031_000 };
  const lines = ['newConnection', 'heartbeat', 'endConnection'].map((t) => JSON.stringify({ ...base, _RecordType: t })).join('\n');
  const r = await run(['ingest', '--db', db, '--format', 'netobserv', '-'], `${lines}\n`);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out) as { accepted: number; skips: Record<string, number> };
  assert.equal(s.accepted, 0);
  assert.deepEqual(s.skips, { 'conversation-summary': 3 });
  assert.match(r.err, /^warning: the 3 NetObserv records were conversation summaries .*logTypes: Flows or All/m);
  // Beside flow logs, the summaries are skipped quietly: the flow logs carry the counts.
  const mixed = await run(['ingest', '--db', join(tmpDir(), 'mixed.db'), '--format', 'netobserv', '-'], `${JSON.stringify({ ...base, _RecordType: 'flowLog' })}\n${lines}\n`);
  assert.equal(mixed.code, 0, mixed.err);
  assert.equal(mixed.err, '');
});
