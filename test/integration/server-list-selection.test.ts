/**
 * Never silently empty, on the REST API: a list route filtered by a namespace or
 * workload the store does not hold answers 404 problem+json naming what is missing, what exists
 * and how to import it — the words the CLI prints for the same selection (app/selection.ts) —
 * while a namespace that exists with nothing to list is 200 with an empty list.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { createApp, type BuiltApp } from '../../server/app.ts';
import { runCli } from '../helpers/cli.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const CLUSTER = new URL('../fixtures/inventory/cluster.json', import.meta.url).pathname;
const NAMESPACES = 'batch-jobs, default, kube-system, monitoring, shop';

/** shop/web (10.244.0.10) opens a connection to shop/db-0 (10.244.1.15) on 5432: a SYN, then data, on 2025-11-01. */
function flows(dir: string): string {
  const rec = (flags: number, t: number) => JSON.stringify({ SrcAddr: '10.244.0.10', SrcPort: 41000, DstAddr: '10.244.1.15', DstPort: 5432, Proto: 6, Flags: flags, Packets: 1, Bytes: 60, TimeFlowStartMs: t, TimeFlowEndMs: t, TimeReceived: t / 1000 });
  const file = join(dir, 'flows.ndjson');
  writeFileSync(file, `${rec(2, Date.parse('2025-11-01T10:00:00Z'))}\n${rec(16, Date.parse('2025-11-01T10:00:01Z'))}\n`);
  return file;
}

/** The same connection with no inventory: the records name their own workloads (NetObserv's owner fields). */
function flowsWithMetadata(dir: string): string {
  const t = Date.parse('2025-11-01T10:00:00Z');
  const file = join(dir, 'flows-metadata.ndjson');
  const meta = { SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'shop', SrcK8S_Name: 'web-1', SrcK8S_OwnerType: 'Deployment', SrcK8S_OwnerName: 'web', DstK8S_Type: 'Pod', DstK8S_Namespace: 'shop', DstK8S_Name: 'db-0', DstK8S_OwnerType: 'StatefulSet', DstK8S_OwnerName: 'db' };
  writeFileSync(file, `${JSON.stringify({ ...meta, SrcAddr: '10.9.0.10', SrcPort: 41000, DstAddr: '10.9.1.15', DstPort: 5432, Proto: 6, Flags: 2, Packets: 1, Bytes: 60, TimeFlowStartMs: t, TimeFlowEndMs: t, TimeReceived: t / 1000 })}\n`);
  return file;
}

const filled = tmpDb();
const empty = tmpDb();
const flowsOnly = tmpDb();
let app: BuiltApp;
let emptyApp: BuiltApp;
let flowsOnlyApp: BuiltApp;

before(async () => {
  assert.equal((await runCli(['inventory', 'import', CLUSTER, '--db', filled.path])).code, 0);
  assert.equal((await runCli(['ingest', flows(tmpDir()), '--db', filled.path])).code, 0);
  app = createApp(testContext(filled.db, filled.path));
  emptyApp = createApp(testContext(empty.db, empty.path));
  assert.equal((await runCli(['ingest', flowsWithMetadata(tmpDir()), '--db', flowsOnly.path])).code, 0);
  flowsOnlyApp = createApp(testContext(flowsOnly.db, flowsOnly.path));
});

after(async () => {
  await app.close();
  await emptyApp.close();
  await flowsOnlyApp.close();
});

/** GET `path`: asserts a 404 problem+json and returns its detail. */
async function notFound(built: BuiltApp, path: string): Promise<string> {
  const r = await request(built.app).get(path).expect(404);
  assert.equal(r.type, 'application/problem+json', path);
  assert.equal(r.body.type, 'https://flowmatrix.io/problems/not-found', path);
  return r.body.detail as string;
}

test('an unknown namespace is 404 on every list that filters by it, naming the namespaces there are', async () => {
  for (const path of [
    '/api/v1/workloads?namespace=nope',
    '/api/v1/edges?namespace=nope',
    '/api/v1/recommendations?engine=kubernetes&namespace=nope',
    '/api/v1/export?engine=cilium&namespace=nope',
    '/api/v1/drift?engine=calico&namespace=nope',
  ]) {
    assert.equal(await notFound(app, path), `no namespace "nope" in the inventory or the edges (namespaces: ${NAMESPACES})`, path);
  }
});

test('an unknown workload is 404, naming the workloads of its namespace', async () => {
  const there = 'there: deployment/checkout, deployment/web, pod/debug, statefulset/db';
  assert.equal(await notFound(app, '/api/v1/recommendations?engine=kubernetes&namespace=shop&workload=Deployment/webb'), `no workload "Deployment/webb" in namespace "shop" in the inventory or the edges (${there})`);
  assert.equal(await notFound(app, '/api/v1/workloads?namespace=shop&name=webb'), `no workload "webb" in namespace "shop" in the inventory or the edges (${there})`);
  assert.equal(await notFound(app, '/api/v1/edges?namespace=shop&workload=webb'), `no workload "webb" in namespace "shop" in the inventory or the edges (${there})`);
  // A workload in another namespace than the one given is not there either.
  assert.match(await notFound(app, '/api/v1/recommendations?engine=kubernetes&namespace=monitoring&workload=Deployment/web'), /^no workload "Deployment\/web" in namespace "monitoring" in the inventory or the edges/);
});

test('workload= takes the CLI\'s spellings (kind in any case, kubectl\'s names), the ones the 404 lists; another kind is a 400 naming the parameter', async () => {
  const byName = (await request(app.app).get('/api/v1/edges?workload=StatefulSet/db').expect(200)).body;
  for (const spelt of ['statefulset/db', 'sts/db', 'statefulsets/db', 'STATEFULSET/db']) assert.deepEqual((await request(app.app).get(`/api/v1/edges?workload=${spelt}`).expect(200)).body, byName, spelt);
  const web = (await request(app.app).get('/api/v1/recommendations?engine=kubernetes&namespace=shop&workload=deploy/web').expect(200)).body as { items: { workload: unknown }[] };
  assert.deepEqual(web.items.map((w) => w.workload), [{ namespace: 'shop', kind: 'Deployment', name: 'web' }]);
  const bad = await request(app.app).get('/api/v1/edges?workload=gadget/web').expect(400);
  assert.deepEqual(bad.body.errors, [{ path: 'query.workload', message: 'is not a workload kind', value: 'gadget/web' }]);
  assert.match(bad.body.detail, /"gadget" is not a workload kind \(deployment, .*; kubectl's short names deploy, sts, ds, cj, po, ro, dc work too\)/);
});

test('DELETE /edges with a namespace or workload nobody knows is a 404 naming what exists, not "0 deleted"', async () => {
  const r = await request(app.app).delete('/api/v1/edges?namespace=nope').expect(404);
  assert.equal(r.body.detail, `no namespace "nope" in the inventory or the edges (namespaces: ${NAMESPACES})`);
  await request(app.app).delete('/api/v1/edges?namespace=shop&workload=deploy/webb').expect(404);
  assert.deepEqual((await request(app.app).delete('/api/v1/edges?namespace=batch-jobs').expect(200)).body, { deleted: 0 }, 'a namespace without edges');
  const cli = await runCli(['edges', 'delete', '--db', filled.path, '--namespace', 'nope']);
  assert.equal(cli.code, 1);
  assert.match(cli.err, /no namespace "nope" in the inventory or the edges/);
});

test('a report for an unknown namespace is not built: 404, nothing stored', async () => {
  const r = await request(app.app).post('/api/v1/reports?namespace=nope').expect(404);
  assert.equal(r.body.detail, `no namespace "nope" in the inventory or the edges (namespaces: ${NAMESPACES})`);
  assert.deepEqual((await request(app.app).get('/api/v1/reports').expect(200)).body.items, []);
});

test('a namespace or workload that exists: 200, with an empty list when nothing matches', async () => {
  // `default` holds a Namespace and a Service, no workload; batch-jobs has workloads but no edges.
  assert.deepEqual((await request(app.app).get('/api/v1/workloads?namespace=default').expect(200)).body, { items: [] });
  assert.deepEqual((await request(app.app).get('/api/v1/edges?namespace=batch-jobs').expect(200)).body, { items: [] });
  assert.deepEqual((await request(app.app).get('/api/v1/edges?namespace=shop&since=2030-01-01T00:00:00Z').expect(200)).body, { items: [] }, 'cut by since, not unknown');
  const edges = (await request(app.app).get('/api/v1/edges?workload=StatefulSet/db').expect(200)).body as { items: { client: string; server: string }[] };
  assert.deepEqual(edges.items.map((e) => `${e.client} ${e.server}`), ['workload:shop/Deployment/web workload:shop/StatefulSet/db']);
  const recs = (await request(app.app).get('/api/v1/recommendations?engine=kubernetes&namespace=default').expect(200)).body as { items: unknown[] };
  assert.deepEqual(recs.items, []);
  const web = (await request(app.app).get('/api/v1/recommendations?engine=kubernetes&namespace=shop&workload=Deployment/web').expect(200)).body as { items: { workload: unknown }[] };
  assert.deepEqual(web.items.map((w) => w.workload), [{ namespace: 'shop', kind: 'Deployment', name: 'web' }]);
});

test('an empty store: a filtered list says there is no inventory and no flows, and how to import them; an unfiltered one is empty', async () => {
  for (const path of ['/api/v1/edges?namespace=shop', '/api/v1/recommendations?engine=kubernetes&namespace=shop', '/api/v1/workloads?namespace=shop']) {
    const detail = await notFound(emptyApp, path);
    assert.match(detail, /^no inventory: run `flowmatrix inventory import FILE`.*REST API: POST \/api\/v1\/inventory/, path);
    assert.match(detail, /no flows: run `flowmatrix ingest FILE…`.*REST API: POST \/api\/v1\/flows/, path);
  }
  assert.deepEqual((await request(emptyApp.app).get('/api/v1/edges').expect(200)).body, { items: [] });
  assert.deepEqual((await request(emptyApp.app).get('/api/v1/workloads').expect(200)).body, { items: [] });
});

test('an empty store: a recommendation, an export and a drift report say there is no inventory, as the CLI does — never an empty export a GitOps job would apply as "no policies" (README: an empty store is never answered with nothing)', async () => {
  for (const [path, argv] of [
    ['/api/v1/export?engine=kubernetes', ['export', '--engine', 'kubernetes']],
    ['/api/v1/recommendations?engine=kubernetes', ['recommend', '--engine', 'kubernetes']],
    ['/api/v1/drift?engine=kubernetes', undefined],
  ] as const) {
    const detail = await notFound(emptyApp, path);
    assert.match(detail, /^no inventory: run `flowmatrix inventory import FILE`/, path);
    if (argv === undefined) continue;
    const cli = await runCli([...argv, '--db', empty.path]);
    assert.equal(cli.err, `flowmatrix: ${detail}\n`, path);
  }
  // A report is built of the same: none of an empty store (an all-clear of nothing), as `flowmatrix report` says.
  const report = await request(emptyApp.app).post('/api/v1/reports?engine=kubernetes').expect(404);
  assert.match(report.body.detail, /^no inventory: run `flowmatrix inventory import FILE`/);
  assert.deepEqual((await request(emptyApp.app).get('/api/v1/reports').expect(200)).body.items, []);
});

test('an inventory of namespaces only: a recommendation, an export, a drift report and a report say the inventory holds no workloads, not that there is none, as the CLI does', async () => {
  const dir = tmpDir();
  const file = join(dir, 'namespaces.json');
  const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [ns('shop'), ns('payments')] }));
  const nsOnly = tmpDb();
  assert.equal((await runCli(['inventory', 'import', file, '--db', nsOnly.path])).code, 0);
  const built = createApp(testContext(nsOnly.db, nsOnly.path));
  try {
    const expected = /^the inventory holds no workloads \(it holds 2 namespaces: payments, shop\): import one that lists pods and their controllers — `flowmatrix inventory import FILE` .*REST API: POST \/api\/v1\/inventory\); no flows: /;
    for (const [path, argv] of [
      ['/api/v1/export?engine=kubernetes', ['export', '--engine', 'kubernetes']],
      ['/api/v1/recommendations?engine=kubernetes&namespace=shop', ['recommend', '--engine', 'kubernetes', '-n', 'shop']],
      ['/api/v1/drift?engine=kubernetes', undefined],
    ] as const) {
      const detail = await notFound(built, path);
      assert.match(detail, expected, path);
      assert.doesNotMatch(detail, /no inventory/, path);
      if (argv === undefined) continue;
      assert.equal((await runCli([...argv, '--db', nsOnly.path])).err, `flowmatrix: ${detail}\n`, path);
    }
    const report = await request(built.app).post('/api/v1/reports?engine=kubernetes').expect(404);
    assert.match(report.body.detail, expected);
    assert.match((await runCli(['report', '--no-store', '--db', nsOnly.path])).err, /^flowmatrix: the inventory holds no workloads \(it holds 2 namespaces/);
  } finally {
    await built.close();
  }
});

test('flows without an inventory: the namespaces and workloads the records name exist', async () => {
  const edges = (await request(flowsOnlyApp.app).get('/api/v1/edges?namespace=shop&workload=StatefulSet/db').expect(200)).body as { items: { client: string; server: string }[] };
  assert.deepEqual(edges.items.map((e) => `${e.client} ${e.server}`), ['workload:shop/Deployment/web workload:shop/StatefulSet/db']);
  // Records without pod labels (NetObserv) name workloads no policy can select: no recommendation, as the CLI says.
  const unselectable = await notFound(flowsOnlyApp, '/api/v1/recommendations?engine=kubernetes&namespace=shop');
  assert.match(unselectable, /^no inventory: run .*; the flow records name 2 workload\(s\) but carry no pod labels to select them by/);
  assert.equal((await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--db', flowsOnly.path])).err, `flowmatrix: ${unselectable}\n`);
  assert.equal(await notFound(flowsOnlyApp, '/api/v1/edges?namespace=nope'), 'no namespace "nope" in the inventory or the edges (namespaces: shop)');
  assert.equal(await notFound(flowsOnlyApp, '/api/v1/edges?workload=Deployment/api'), 'no workload "Deployment/api" in the inventory or the edges (known: deployment/web, statefulset/db)');
});

test('the API and the CLI say the same words for the same missing selection', async () => {
  const cases: [string, string[]][] = [
    ['/api/v1/recommendations?engine=kubernetes&namespace=nope', ['recommend', '--engine', 'kubernetes', '-n', 'nope']],
    ['/api/v1/recommendations?engine=kubernetes&namespace=shop&workload=Deployment/webb', ['recommend', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deployment/webb']],
    ['/api/v1/export?engine=cilium&namespace=nope', ['export', '--engine', 'cilium', '-n', 'nope']],
    ['/api/v1/edges?workload=Deployment/webb', ['edges', '--workload', 'deploy/webb']],
  ];
  for (const [path, argv] of cases) {
    const cli = await runCli([...argv, '--db', filled.path]);
    assert.equal(cli.code, 1, argv.join(' '));
    assert.equal(cli.err, `flowmatrix: ${await notFound(app, path)}\n`, path);
  }
});

test('the OpenAPI document lists the 404 problem of each filtered list', async () => {
  const doc = (await request(app.app).get('/openapi.json').expect(200)).body as { paths: Record<string, { get: { responses: Record<string, { content?: Record<string, unknown> }> } }> };
  for (const path of ['/api/v1/workloads', '/api/v1/edges', '/api/v1/recommendations', '/api/v1/export', '/api/v1/drift']) {
    const nf = doc.paths[path]?.get.responses['404'];
    assert.ok(nf?.content?.['application/problem+json'], `${path}: no 404 problem+json`);
  }
});
