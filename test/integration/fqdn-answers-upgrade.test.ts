/**
 * A store upgraded from the release before migration 0031 holds Hubble flows whose DNS names
 * answered by pods were never kept: that release kept the names of outside addresses only
 * (`external_names`), and 0031 creates `workload_names` empty. Read as "no pod ever answered",
 * a must rule `fqdns: [shop.example.com]` that the stored flows DID see answered by the in-cluster
 * gateway pod app/server stayed a DNS name: Cilium's toFQDNs, which never selects a pod
 * (docs.cilium.io "Layer 3 Policies", DNS based), `documented-unobserved`, and the export exited 0
 * verified without a word — while a fresh store from the same inputs renders the server's pods.
 *
 * What 0031 adds but the store cannot know is marked not known (docs/operations.md "Upgrading"):
 * the Hubble edges stored before it (migration 0033). While any is left, a rule's name with no
 * in-cluster answer is a must flow the verification cannot tell of (as a peer nothing stands for:
 * synthesize/representative-flows.ts), said on recommend and export (CLI and REST) with the
 * remedy: delete those edges and ingest their flow logs again — which this test follows.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import request from 'supertest';
import { openDb, type Db } from '../../store/db.ts';
import { loadMigrations, migrate } from '../../store/migrate.ts';
import { readNamesNotKept } from '../../store/recommend-read.ts';
import { runCli } from '../helpers/cli.ts';
import { clientEgressMatrix, clientServerInventory } from '../helpers/client-server-cluster.ts';
import { testApp } from '../helpers/service.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';
import { oldSchemaCopy } from '../helpers/upgraded-store.ts';

const dir = tmpDir();
/** The schema the release before per-workload DNS names left (0031 and 0032 came after it). */
const OLD_SCHEMA = 30;
const RULE = 't/client/egress/shop';

/** Namespaces, a node, Deployments app/client (10.244.0.5) and app/server (10.244.1.5, port 8080). */
const inventory = (): object => clientServerInventory();

/** Hubble: client → app/server 10.244.1.5:8080, the name Cilium's DNS proxy saw answered by that pod. */
const TO_SERVER_POD = JSON.stringify({
  flow: {
    time: '2026-11-20T00:00:00Z',
    verdict: 'FORWARDED',
    IP: { source: '10.244.0.5', destination: '10.244.1.5', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 41000, destination_port: 8080, flags: { SYN: true } } },
    source: { namespace: 'app', labels: ['k8s:app=client'], pod_name: 'client-abc-x1' },
    destination: { namespace: 'app', labels: ['k8s:app=server'], pod_name: 'server-abc-x1' },
    destination_names: ['shop.example.com'],
    Type: 'L3_L4',
    traffic_direction: 'EGRESS',
    is_reply: false,
  },
});

const MATRIX = clientEgressMatrix('{ id: shop, peer: { fqdns: [shop.example.com] }, ports: [{ port: 8080 }], level: must, purpose: the shop by its public name, source: { document: doc, line: 1 } }');

const flowsFile = join(dir, 'flows.jsonl');
writeFileSync(flowsFile, `${TO_SERVER_POD}\n`);

/** A store of this release: inventory, matrix and the flow ingested. */
async function freshStore(): Promise<string> {
  const { db, path } = tmpDb();
  db.close();
  const inv = join(dir, 'inv.json');
  writeFileSync(inv, JSON.stringify(inventory()));
  assert.equal((await runCli(['inventory', 'import', inv, '--taken-at', '2026-11-19T00:00:00Z', '--db', path])).code, 0);
  const matrix = join(dir, 't.yaml');
  writeFileSync(matrix, MATRIX);
  const applied = await runCli(['matrix', 'apply', matrix, '--db', path]);
  assert.equal(applied.code, 0, applied.err);
  const ingested = await runCli(['ingest', '--format', 'hubble', flowsFile, '--db', path]);
  assert.equal(ingested.code, 0, ingested.err);
  return path;
}

/**
 * The same inputs as the release before 0031 stored them, opened (so migrated) by this one: the
 * fresh store's rows, those columns the old schema has, copied into a store at that schema. The
 * old release kept no name answered by a pod (its schema has no `workload_names`).
 */
async function upgradedStore(): Promise<string> {
  const path = oldSchemaCopy(await freshStore(), OLD_SCHEMA, (old) => {
    assert.equal((old.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n, 1, 'the old release stored the edge');
  });
  openDb(path).close();
  return path;
}

const scope = ['--namespace', 'app', '--workload', 'deployment/client'];
const exportRun = (path: string, mode: string) => runCli(['export', '--db', path, '--engine', 'cilium', '--mode', mode, ...scope]);
/** The warning lines that say the rule's in-cluster answers are not known: the client's, prefixed with it (the CLI says it once, not again among the verification's). */
const notKnown = (err: string): string[] => err.split('\n').filter((l) => l.includes(`warning: app/Deployment/client: ${RULE} `) && l.includes('not known'));

test('upgraded store: export and recommend say that whether a pod answered the rule\'s name is not known, naming the rule and the remedy; the verification cannot tell', async () => {
  const path = await upgradedStore();
  for (const mode of ['documented', 'union']) {
    const run = await exportRun(path, mode);
    assert.equal(run.code, 0, `${mode}: ${run.err}`);
    const said = notKnown(run.err);
    assert.equal(said.length, 1, `${mode}: ${run.err}`);
    assert.match(said[0]!, /shop\.example\.com/);
    assert.match(said[0]!, /flowmatrix edges delete --before \S+/);
    assert.match(said[0]!, /the verification cannot tell whether the output cuts it/);
  }
  const rec = await runCli(['recommend', '--db', path, '--engine', 'cilium', '--mode', 'union', '-o', 'json', ...scope]);
  assert.equal(rec.code, 0, rec.err);
  const verification = (JSON.parse(rec.out) as { verification: { unverifiedMustFlows: string[] } }).verification;
  assert.equal(verification.unverifiedMustFlows.filter((w) => w.startsWith(RULE) && w.includes('not known')).length, 1, JSON.stringify(verification));

  const db = openDb(path);
  try {
    const app = testApp(db, path);
    const exported = await request(app).get('/api/v1/export?engine=cilium&mode=union&namespace=app&workload=deployment/client');
    assert.equal(exported.status, 200, exported.text);
    const header = ([] as string[]).concat(exported.headers['warning'] ?? []).join('\n');
    assert.match(header, new RegExp(`299 - "${RULE} .*not known.*flowmatrix edges delete --before`), header);
    const one = await request(app).get('/api/v1/recommendations/app/deployment/client?engine=cilium&mode=union');
    assert.equal(one.status, 200, one.text);
    assert.equal((one.body as { verification: { unverifiedMustFlows: string[] } }).verification.unverifiedMustFlows.filter((w) => w.startsWith(RULE)).length, 1, one.text);
  } finally {
    db.close();
  }
});

test('a fresh store from the same inputs: the name is the server\'s pods, confirmed, and nothing is said not known', async () => {
  const path = await freshStore();
  const run = await exportRun(path, 'documented');
  assert.equal(run.code, 0, run.err);
  assert.deepEqual(notKnown(run.err), []);
  assert.match(run.out, /app: server/, run.out);
  assert.doesNotMatch(run.out, /toFQDNs/, run.out);
});

test('upgraded store, the remedy the warning names followed (delete the edges, ingest the flow log again): the name is the server\'s pods and nothing is said not known', async () => {
  const path = await upgradedStore();
  const said = notKnown((await exportRun(path, 'documented')).err)[0] ?? '';
  const before = /flowmatrix edges delete --before (\S+?)\)?[;,.]?(\s|$)/.exec(said)?.[1];
  assert.ok(before !== undefined, said);
  const deleted = await runCli(['edges', 'delete', '--before', before, '--db', path]);
  assert.equal(deleted.code, 0, deleted.err);
  const ingested = await runCli(['ingest', '--format', 'hubble', flowsFile, '--db', path]);
  assert.equal(ingested.code, 0, ingested.err);
  const run = await exportRun(path, 'documented');
  assert.equal(run.code, 0, run.err);
  assert.deepEqual(notKnown(run.err), []);
  assert.match(run.out, /app: server/, run.out);
  const edges = await runCli(['edges', '--db', path, '-o', 'json']);
  assert.equal((JSON.parse(edges.out) as { flows: number }[]).map((e) => e.flows).join(), '1', 'counted once');
});

test('migration 0033 lists the Hubble edges stored before names were kept (none where 0031 kept some); the time to delete before is past every edge with a flow before it', () => {
  const at = (version: number): Db => {
    const db = openDb(join(tmpDir(), `v${version}.db`), { migrate: false });
    migrate(db, loadMigrations(), version);
    return db;
  };
  const edge = (db: Db, server: string, sources: number, firstSeen: number, lastSeen: number): void =>
    void db.prepare("INSERT INTO edges (client, server, port, protocol, first_seen, last_seen, flows, sources) VALUES ('workload:app/Deployment/client', ?, 8080, 'TCP', ?, ?, 1, ?)").run(server, firstSeen, lastSeen, sources);

  const old = at(OLD_SCHEMA);
  edge(old, 'workload:app/Deployment/server', 2, 100, 200); // Hubble
  edge(old, 'workload:app/Deployment/db', 1, 100, 300); // NetObserv: its records carry no DNS names
  edge(old, 'workload:app/Deployment/cache', 2 | 1, 150, 250);
  migrate(old);
  assert.deepEqual(old.prepare('SELECT edge_id FROM edges_names_not_kept ORDER BY edge_id').pluck().all(), [1, 3]);
  // An edge stored since, first seen before 251 and last seen after: deleting before 251 would keep its earlier flows.
  edge(old, 'workload:app/Deployment/queue', 2, 240, 400);
  assert.deepEqual(readNamesNotKept(old), { edges: 2, before: 401 });
  old.prepare('DELETE FROM edges WHERE last_seen < 401').run();
  assert.equal(readNamesNotKept(old), undefined, 'deleting the edges drops them from the list');
  old.close();

  const kept = at(32);
  edge(kept, 'workload:app/Deployment/server', 2, 100, 200);
  kept.prepare("INSERT INTO workload_names (workload, name, first_seen, last_seen) VALUES ('app/Deployment/server', 'shop.example.com', 100, 200)").run();
  migrate(kept);
  assert.equal(readNamesNotKept(kept), undefined, 'a store that kept names since 0031 knows them');
  kept.close();
});
