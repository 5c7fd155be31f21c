/**
 * Flows without any inventory still give useful recommendations: workloads only the
 * flow records name are selected by the pod labels the records carried (Hubble), marked
 * inferred, with one warning; records without labels (NetObserv) name the workloads that cannot
 * be selected, and with nothing selectable the "no inventory" message stays (exit 1).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { openDb } from '../../store/db.ts';
import { readObservedLabels } from '../../store/observed-labels.ts';
import { runCli } from '../helpers/cli.ts';
import { testApp } from '../helpers/service.ts';
import { tmpDir } from '../helpers/tmp.ts';

const REF = new URL('../fixtures/reference/flows/', import.meta.url).pathname;
/** Real `-o jsonpb` lines of bookinfo on kind (cilium/hubble-otel testdata), see SOURCES.md. */
const HUBBLE_BOOKINFO = join(REF, 'hubble/hubble-otel-basic-sample-400-tcp-flows.SUBSET.json');
/** Real NetObserv records (console plugin mocks): owners, no labels. */
const NETOBSERV = join(REF, 'netobserv/netobserv-flow-samples.ndjson');

const BOOKINFO = { 'sidecar.opentelemetry.io/injected': 'bookinfo.otelcol-bookinfo' };

type Json = {
  warnings: string[];
  workloads: { workload: { namespace: string; kind: string; name: string }; inferred?: { from: string; selector: unknown }; policies: unknown[] }[];
  manifests: { metadata: { name: string; annotations: Record<string, string> }; spec: Record<string, unknown> }[];
  verification: { ok: boolean };
};

async function ingest(db: string, ...files: string[]): Promise<void> {
  const r = await runCli(['ingest', ...files, '--db', db]);
  assert.equal(r.code, 0, r.err);
}

test('Hubble output alone: recommend gives policies selected by the labels the records carried, marked inferred, verified, exit 0', async () => {
  const db = join(tmpDir(), 'h.db');
  await ingest(db, HUBBLE_BOOKINFO);
  const r = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'bookinfo', '-o', 'json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as Json;
  assert.equal(out.verification.ok, true);
  const byName = new Map(out.workloads.map((w) => [w.workload.name, w]));
  assert.deepEqual([...byName.keys()], ['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v2', 'reviews-v3']);
  // The labels of the records' `k8s:` labels, Cilium's own (io.cilium.k8s.*, the namespace) left out.
  assert.deepEqual(byName.get('productpage-v1')?.inferred, { from: 'flow-records', selector: { matchLabels: { app: 'productpage', ...BOOKINFO, version: 'v1' } } });
  assert.deepEqual(byName.get('details-v1')?.inferred?.selector, { matchLabels: { app: 'details', ...BOOKINFO, version: 'v1' } });
  const warning = out.warnings.find((w) => w.startsWith('no inventory for 5 workload(s): their pod selectors are inferred from flow records'));
  assert.ok(warning, out.warnings.join('\n'));
  assert.match(warning, /import an inventory/);

  // details-v1 admits productpage-v1 on 9080 (edge productpage-v1 → details-v1 9080/TCP in the sample).
  const details = out.manifests.find((m) => m.metadata.name === 'bookinfo-deployment-details-v1');
  assert.ok(details);
  assert.deepEqual(details.spec.podSelector, { matchLabels: { app: 'details', ...BOOKINFO, version: 'v1' } });
  assert.deepEqual(details.spec.ingress, [{ from: [{ podSelector: { matchLabels: { app: 'productpage', ...BOOKINFO, version: 'v1' } } }], ports: [{ port: 9080, protocol: 'TCP' }] }]);
  assert.equal(details.metadata.annotations['flowmatrix.io/inferred-selectors'], 'bookinfo/Deployment/details-v1, bookinfo/Deployment/productpage-v1');
});

test('Hubble output alone: export for every engine passes verification (the simulators know the inferred workloads), warning on stderr', async () => {
  const db = join(tmpDir(), 'h.db');
  await ingest(db, HUBBLE_BOOKINFO);
  for (const engine of ENGINE_NAMES) {
    const r = await runCli(['export', '--engine', engine, '--db', db]);
    assert.equal(r.code, 0, `${engine}: ${r.err}`);
    const docs = parseAllDocuments(r.out).map((d) => d.toJS() as { metadata: { annotations?: Record<string, string> } });
    assert.ok(docs.length >= 5, `${engine}: ${docs.length} manifests`);
    assert.ok(docs.some((d) => d.metadata.annotations?.['flowmatrix.io/inferred-selectors']?.includes('bookinfo/Deployment/productpage-v1')), engine);
    assert.match(r.err, /warning: no inventory for 7 workload\(s\): their pod selectors are inferred from flow records/);
    assert.doesNotMatch(r.err, /verification failed/);
  }
});

test('the demo\'s Hubble output alone: every engine exports verified manifests (an allow-all egress reaches inferred pods, whose addresses are unknown)', async () => {
  const db = join(tmpDir(), 'h.db');
  await ingest(db, new URL('../../demo/data/hubble.jsonl', import.meta.url).pathname);
  for (const engine of ENGINE_NAMES) {
    const r = await runCli(['export', '--engine', engine, '--db', db]);
    assert.equal(r.code, 0, `${engine}: ${r.err.slice(0, 600)}`);
    assert.doesNotMatch(r.err, /verification failed/, engine);
  }
});

/** One `hubble observe -o json` line (a bare Flow, Cilium 1.18 shape) from `src` to `dst` on 8080. */
function hubbleLine(t: string, src: { ip: string; pod: string; labels: string[]; workload?: string }, dst: { ip: string; pod: string; labels: string[]; workload?: string }): string {
  const ep = (e: typeof src, id: number) => ({
    ID: id,
    identity: 10000 + id,
    cluster_name: 'default',
    namespace: 'shop',
    labels: [...e.labels.map((l) => `k8s:${l}`), 'k8s:io.cilium.k8s.policy.cluster=default', 'k8s:io.kubernetes.pod.namespace=shop'],
    pod_name: e.pod,
    ...(e.workload ? { workloads: [{ name: e.workload, kind: 'Deployment' }] } : {}),
  });
  return JSON.stringify({
    time: t,
    verdict: 'FORWARDED',
    IP: { source: src.ip, destination: dst.ip, ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } } },
    source: ep(src, 1),
    destination: ep(dst, 2),
    Type: 'L3_L4',
    node_name: 'default/node-a',
    is_reply: false,
    traffic_direction: 'EGRESS',
    Summary: 'TCP Flags: SYN',
  });
}

test('the selector is the labels common to every observed endpoint, volatile ones (pod-template-hash) left out', async () => {
  const dir = tmpDir();
  const file = join(dir, 'hubble.json');
  const web1 = { ip: '10.0.1.10', pod: 'web-7d4b9c8f6d-abcde', labels: ['app=web', 'tier=front', 'pod-template-hash=7d4b9c8f6d', 'canary=true'], workload: 'web' };
  const web2 = { ip: '10.0.1.11', pod: 'web-6f5c7b9d8c-fghij', labels: ['app=web', 'tier=front', 'pod-template-hash=6f5c7b9d8c'], workload: 'web' };
  const api = { ip: '10.0.2.20', pod: 'api-5d8f7c6b9d-klmno', labels: ['app=api', 'pod-template-hash=5d8f7c6b9d'], workload: 'api' };
  writeFileSync(file, [hubbleLine('2026-11-30T10:00:00Z', web1, api), hubbleLine('2026-11-30T10:00:01Z', web2, api)].join('\n') + '\n');
  const db = join(dir, 'f.db');
  await ingest(db, file);
  const r = await runCli(['recommend', '--engine', 'cilium', '-o', 'json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as Json;
  assert.deepEqual(
    out.workloads.map((w) => [w.workload.name, w.inferred?.selector]),
    [
      ['api', { matchLabels: { app: 'api' } }],
      ['web', { matchLabels: { app: 'web', tier: 'front' } }],
    ],
  );
  const api8080 = out.manifests.find((m) => m.metadata.name === 'shop-deployment-api');
  assert.deepEqual((api8080?.spec as { ingress: unknown }).ingress, [{ fromEndpoints: [{ matchLabels: { app: 'web', tier: 'front' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }]);
  // --workload selects an inferred workload as it would an inventory one.
  const one = await runCli(['recommend', '--engine', 'kubernetes', '--workload', 'deploy/web', '-o', 'json', '--db', db]);
  assert.equal(one.code, 0, one.err);
  assert.deepEqual((JSON.parse(one.out) as Json).workloads.map((w) => w.workload.name), ['web']);
  const none = await runCli(['recommend', '--engine', 'kubernetes', '--workload', 'deploy/nope', '--db', db]);
  assert.equal(none.code, 1);
  assert.match(none.err, /no workload "Deployment\/nope" in the inventory or the edges \(known: deployment\/api, deployment\/web\)/);
});

test('NetObserv records alone carry no labels: no policy, exit 1, the "no inventory" message names the workloads that cannot be selected', async () => {
  const db = join(tmpDir(), 'n.db');
  await ingest(db, NETOBSERV);
  for (const argv of [['recommend', '--engine', 'kubernetes'], ['export', '--engine', 'calico']]) {
    const r = await runCli([...argv, '--db', db]);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.out, '');
    assert.match(r.err, /no inventory: run `flowmatrix inventory import FILE`/);
    assert.match(r.err, /the flow records name 4 workload\(s\) but carry no pod labels to select them by \(NetObserv records carry owners, not labels/);
    assert.match(r.err, /openshift-monitoring\/StatefulSet\/prometheus-k8s/);
  }
});

test('Hubble and NetObserv together: policies for the labelled workloads, a warning naming those without a safe selector', async () => {
  const db = join(tmpDir(), 'm.db');
  await ingest(db, HUBBLE_BOOKINFO, NETOBSERV);
  const r = await runCli(['export', '--engine', 'kubernetes', '--db', db]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /warning: no safe pod selector for 4 workload\(s\): the flow records that name them carried no pod labels.*openshift-monitoring\/Deployment\/prometheus-adapter/);
  const names = parseAllDocuments(r.out).map((d) => (d.toJS() as { metadata: { namespace?: string } }).metadata.namespace);
  assert.ok(names.includes('bookinfo'));
  // Never a policy for a workload without a selector (it would select every pod of its namespace).
  assert.ok(!names.some((n) => n?.startsWith('openshift-')), names.join(','));
});

test('a record carrying 10,000 distinct labels does not grow the remembered labels beyond the cap', async () => {
  const dir = tmpDir();
  const file = join(dir, 'forged.json');
  const many = Array.from({ length: 10_000 }, (_, i) => `k${String(i).padStart(5, '0')}=v${i}`);
  const evil = { ip: '10.0.3.30', pod: 'evil-5d8f7c6b9d-pqrst', labels: many, workload: 'evil' };
  const api = { ip: '10.0.2.20', pod: 'api-5d8f7c6b9d-klmno', labels: ['app=api'], workload: 'api' };
  writeFileSync(file, `${hubbleLine('2026-11-30T10:00:00Z', evil, api)}\n`);
  const path = join(dir, 'e.db');
  await ingest(path, file);
  const db = openDb(path);
  try {
    const evilLabels = readObservedLabels(db).find((o) => o.workload === 'shop/Deployment/evil');
    assert.ok(evilLabels);
    assert.equal(Object.keys(evilLabels.labels).length, 32);
    assert.equal(evilLabels.capped, true);
    assert.equal((db.prepare('SELECT count(*) AS n FROM observed_labels').get() as { n: number }).n, 33);
  } finally {
    db.close();
  }
  const r = await runCli(['recommend', '--engine', 'kubernetes', '-o', 'json', '--db', path]);
  assert.equal(r.code, 0, r.err);
  assert.ok((JSON.parse(r.out) as Json).warnings.some((w) => w.startsWith('inferred selectors cut to 32 labels') && w.includes('shop/Deployment/evil')));
});

test('the REST API answers one inferred workload\'s recommendation as the CLI selects it; a workload neither the inventory nor the records let us select is 404', async () => {
  const path = join(tmpDir(), 'h.db');
  await ingest(path, HUBBLE_BOOKINFO);
  const db = openDb(path);
  try {
    const app = testApp(db, path);
    const one = await request(app).get('/api/v1/recommendations/bookinfo/Deployment/details-v1?engine=kubernetes').expect(200);
    assert.deepEqual((one.body as Record<string, unknown>).workload, { namespace: 'bookinfo', kind: 'Deployment', name: 'details-v1' });
    assert.deepEqual((one.body as Record<string, unknown>).inferred, { from: 'flow-records', selector: { matchLabels: { app: 'details', ...BOOKINFO, version: 'v1' } } });
    // The list's pages carry the same records as the CLI's JSON, the inferred mark included.
    const cli = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'bookinfo', '-o', 'json', '--db', path]);
    const list = await request(app).get('/api/v1/recommendations?engine=kubernetes&namespace=bookinfo&limit=200').expect(200);
    const items = (list.body as { items: Json['workloads'] }).items;
    assert.ok(items.some((w) => w.inferred !== undefined));
    assert.equal(JSON.stringify(items), JSON.stringify((JSON.parse(cli.out) as Json).workloads));
    const none = await request(app).get('/api/v1/recommendations/bookinfo/Deployment/nope?engine=kubernetes').expect(404);
    assert.equal((none.body as Record<string, unknown>).detail, 'no workload bookinfo/Deployment/nope in the inventory or the flow records');
  } finally {
    db.close();
  }
});

test('a namespace an earlier inventory listed and a later one dropped (deleted) is no namespace "without an inventory": its workloads named by stored flows get no inferred selector and no advice to import an inventory', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  assert.equal((await runCli(['demo', '--no-serve', '--db', db])).code, 0);
  const later = JSON.parse((await import('node:fs')).readFileSync(new URL('../../demo/data/inventory-later.json', import.meta.url), 'utf8')) as { items: { kind: string; metadata: { name: string; namespace?: string } }[] };
  later.items = later.items.filter((o) => o.metadata.namespace !== 'analytics' && !(o.kind === 'Namespace' && o.metadata.name === 'analytics'));
  writeFileSync(join(dir, 'without-analytics.json'), JSON.stringify(later));
  assert.equal((await runCli(['inventory', 'import', join(dir, 'without-analytics.json'), '--db', db])).code, 0);
  const r = await runCli(['recommend', '--engine', 'kubernetes', '-o', 'json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as Json;
  assert.deepEqual(out.warnings.filter((w) => /analytics/.test(w) && /no safe pod selector|no inventory for/.test(w)), []);
  assert.ok(!out.workloads.some((w) => w.workload.namespace === 'analytics'), 'no policy for a deleted namespace');
  // Created again: a flow of it after the import that dropped it makes it a namespace the records complete, as any not inventoried.
  const now = new Date().toISOString();
  const etl = { flow: { time: now, verdict: 'FORWARDED', IP: { source: '10.244.3.41', destination: '10.244.2.25' }, l4: { TCP: { source_port: 34604, destination_port: 5432, flags: { SYN: true } } }, is_reply: false, source: { namespace: 'analytics', labels: ['k8s:app=etl', 'k8s:io.kubernetes.pod.namespace=analytics'], pod_name: 'etl-cccccccccc-ddddd', workloads: [{ name: 'etl', kind: 'Deployment' }] }, destination: { namespace: 'shop', labels: ['k8s:app=postgres', 'k8s:io.kubernetes.pod.namespace=shop'], pod_name: 'postgres-0', workloads: [{ name: 'postgres', kind: 'StatefulSet' }] } } };
  writeFileSync(join(dir, 'etl.jsonl'), `${JSON.stringify(etl)}\n`);
  assert.equal((await runCli(['ingest', join(dir, 'etl.jsonl'), '--db', db])).code, 0);
  const again = JSON.parse((await runCli(['recommend', '--engine', 'kubernetes', '-o', 'json', '--db', db])).out) as Json;
  const inferred = again.workloads.find((w) => w.workload.namespace === 'analytics' && w.workload.name === 'etl');
  assert.deepEqual(inferred?.inferred, { from: 'flow-records', selector: { matchLabels: { app: 'etl' } } });
});
