/**
 * An import filtered to one namespace after a full one: the cluster has client/Deployment/cli
 * calling shop/Deployment/web; the second export holds only namespace client's objects. Its
 * Deployments replace the stored ones (docs/inventory.md "Snapshot semantics"), so web is marked
 * absent — and the import says so, with the names and what to do if the export was filtered. The
 * recommendation for client then leaves cli's egress to web out, and its reason says what is
 * known: that import did not list web (deleted, or left out of it), not that web was deleted.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import request from 'supertest';
import { runCli, runCliJson } from '../helpers/cli.ts';
import { testApp } from '../helpers/service.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const HOUR = 3_600_000;
/** Before the test service's clock (test/helpers/service.ts), which refuses snapshots from its future. */
const FULL = Date.UTC(2026, 10, 20);
const PARTIAL = FULL + 2 * HOUR;
const CLI_IP = '10.244.0.21';
const WEB_IP = '10.244.1.30';
const iso = (t: number) => new Date(t).toISOString();

/** Deployment `namespace`/`name` (app=`name`) with its ReplicaSet and one pod at `ip` serving `port`. */
function deployment(namespace: string, name: string, ip: string, port: number): object[] {
  const owner = (kind: string, n: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind, name: n, uid: `${n}-uid`, controller: true }] });
  const template = { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'c', ports: [{ containerPort: port, protocol: 'TCP' }] }] } };
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, uid: `${name}-uid` }, spec: { selector: { matchLabels: { app: name } }, template } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${name}-1`, namespace, uid: `${name}-1-uid`, ...owner('Deployment', name) }, spec: { selector: { matchLabels: { app: name } }, template } },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-1-a`, namespace, labels: { app: name }, creationTimestamp: iso(FULL - HOUR), ...owner('ReplicaSet', `${name}-1`) },
      spec: { nodeName: 'node-a', containers: template.spec.containers },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], startTime: iso(FULL - HOUR) },
    },
  ];
}

const list = (items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const client = () => deployment('client', 'cli', CLI_IP, 9000);
const wholeCluster = () =>
  list([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'client' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, spec: { podCIDR: '10.244.0.0/16' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.10' }] } },
    ...client(),
    ...deployment('shop', 'web', WEB_IP, 8080),
  ]);
/** `kubectl get deploy,rs,pods -n client -o json`. */
const clientOnly = () => list(client());

const flow = JSON.stringify({ SrcAddr: CLI_IP, SrcPort: 40010, DstAddr: WEB_IP, DstPort: 8080, Proto: 6, Etype: 2048, Flags: 2, Packets: 1, Bytes: 80, TimeFlowStartMs: FULL + HOUR, TimeFlowEndMs: FULL + HOUR });

const MARKED_ABSENT =
  'workloads: 1 stored before is not in this import and is marked absent (namespace shop): shop/Deployment/web — an import replaces every kind it holds, so the recommendations leave its edges out; if this import was filtered (one namespace, a label selector), import the whole cluster';
const NOT_LISTED = `workload shop/Deployment/web is not listed by the inventory import of ${iso(PARTIAL)} (deleted, or left out of that import)`;

function files() {
  const dir = tmpDir();
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  return { full: write('cluster.json', wholeCluster()), partial: write('client.json', clientOnly()), flows: write('flows.ndjson', `${flow}\n`) };
}

test('CLI: an import of one namespace after the whole cluster warns that it marks the other namespace\'s workloads absent, on stderr and in its summary', async () => {
  const { path } = tmpDb();
  const f = files();
  await runCliJson(['inventory', 'import', f.full, '--db', path, '--taken-at', iso(FULL)]);
  const r = await runCli(['inventory', 'import', f.partial, '--db', path, '--taken-at', iso(PARTIAL)]);
  assert.equal(r.code, 0, r.err);
  const summary = JSON.parse(r.out) as { workloads: { markedAbsent: number }; warnings: string[] };
  assert.equal(summary.workloads.markedAbsent, 1);
  assert.ok(summary.warnings.includes(MARKED_ABSENT), r.out);
  assert.ok(r.err.split('\n').includes(`warning: ${MARKED_ABSENT}`), r.err);
  // The whole cluster again lists web: nothing is marked absent, nothing said.
  const again = await runCliJson<{ warnings: string[] }>(['inventory', 'import', f.full, '--db', path, '--taken-at', iso(PARTIAL + HOUR)]);
  assert.deepEqual(again.warnings.filter((w) => w.startsWith('workloads:')), []);
});

test('CLI: recommend -n client then says the edge to web is left out because that import did not list web, not that web was deleted', async () => {
  const { path } = tmpDb();
  const f = files();
  await runCliJson(['inventory', 'import', f.full, '--db', path, '--taken-at', iso(FULL)]);
  await runCliJson(['ingest', '--format', 'netobserv', f.flows, '--db', path]);
  await runCliJson(['inventory', 'import', f.partial, '--db', path, '--taken-at', iso(PARTIAL)]);
  const r = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'client', '-o', 'json', '--db', path]);
  assert.equal(r.code, 0, r.err);
  const rec = JSON.parse(r.out) as { workloads: { workload: { name: string }; observed: { server: string; included: boolean; reason?: string }[] }[] };
  const cli = rec.workloads.find((w) => w.workload.name === 'cli')!;
  const toWeb = cli.observed.find((o) => o.server === 'workload:shop/Deployment/web')!;
  assert.equal(toWeb.included, false);
  assert.equal(toWeb.reason, NOT_LISTED);
  assert.doesNotMatch(r.out, /was deleted/);
});

test('REST: POST /api/v1/inventory of one namespace answers the same warning in its summary', async () => {
  const { db, path } = tmpDb();
  const app = testApp(db, path);
  await request(app).post(`/api/v1/inventory?takenAt=${iso(FULL)}`).type('application/json').send(wholeCluster()).expect(200);
  const res = await request(app).post(`/api/v1/inventory?takenAt=${iso(PARTIAL)}`).type('application/json').send(clientOnly()).expect(200);
  assert.ok((res.body as { warnings: string[] }).warnings.includes(MARKED_ABSENT), res.text);
});
