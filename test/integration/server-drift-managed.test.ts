/**
 * GET /api/v1/drift says what a job applying it must not take as plain drift (docs/api.md, Drift):
 * a recommended policy whose applied object of the same kind, namespace and name an operator
 * manages is `differing` marked `ownedByOperator` (applying it is overwritten by the operator),
 * counted in `summary.differingOwnedByOperator`; ClusterNetworkPolicies an earlier export applied
 * under a former name are `renamed`, counted in `summary.renamed`. On a copy of the demo cluster
 * whose applied policies are those two.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import { parseAllDocuments } from 'yaml';
import { createApp, type BuiltApp } from '../../server/app.ts';
import { openDb, type Db } from '../../store/db.ts';
import { formerClusterWideManifestName } from '../../recommender/engines/clusternetworkpolicy.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { runCli } from '../helpers/cli.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDir } from '../helpers/tmp.ts';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

const dbPath = await demoDb();
let db: Db;
let built: BuiltApp;
let app: Express;
let formerName: string;
let renamedTo: string;

async function exported(args: string[]): Promise<Manifest[]> {
  const r = await runCli(['export', ...args, '--db', dbPath]);
  assert.equal(r.code, 0, r.err);
  return parseAllDocuments(r.out).map((d) => d.toJS() as Manifest);
}

before(async () => {
  // NetObserv's operator manages a policy of the name flowmatrix gives the console plugin's, with another spec.
  const plugin = (await exported(['--engine', 'kubernetes', '-n', 'netobserv'])).find((m) => m.metadata.name === 'netobserv-deployment-netobserv-plugin')!;
  const operators = { ...plugin, metadata: { namespace: 'netobserv', name: plugin.metadata.name, labels: { 'app.kubernetes.io/managed-by': 'netobserv-operator' } }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  // A cluster-wide shared layer as an export before names carried the key's hash applied it.
  const layer = (await exported(['--engine', 'clusternetworkpolicy', '--shared'])).find((m) => m.metadata.namespace === undefined && m.metadata.labels?.['flowmatrix.io/layer'] === 'shared')!;
  renamedTo = layer.metadata.name;
  formerName = formerClusterWideManifestName(layer.metadata.annotations!['flowmatrix.io/intent']!, renamedTo)!;
  assert.ok(formerName !== undefined, `${renamedTo} has a former name`);
  const file = join(tmpDir(), 'applied.json');
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [operators, { ...layer, metadata: { ...layer.metadata, name: formerName } }] }));
  const imported = await runCli(['inventory', 'import', file, '--db', dbPath]);
  assert.equal(imported.code, 0, imported.err);
  db = openDb(dbPath);
  built = createApp(testContext(db, dbPath));
  app = built.app;
});
after(() => {
  built.close();
  db.close();
});

test('a recommended policy of the name of one an operator manages is differing marked with the operator, and counted in the summary', async () => {
  const r = await request(app).get('/api/v1/drift?engine=kubernetes&namespace=netobserv').expect(200);
  const marked = (r.body.differing as { name: string; ownedByOperator?: unknown }[]).filter((d) => d.ownedByOperator !== undefined);
  assert.deepEqual(
    marked.map((d) => [d.name, d.ownedByOperator]),
    [['netobserv-deployment-netobserv-plugin', { managedBy: 'netobserv-operator' }]],
  );
  assert.equal(r.body.summary.differingOwnedByOperator, 1);
  assert.equal(r.body.ownedByOperator, undefined, 'recommended: not among the applied policies no recommendation names');
});

test('the ClusterNetworkPolicies an earlier export applied under a former name are counted in summary.renamed, as ownedByOperator is', async () => {
  const r = await request(app).get('/api/v1/drift?engine=clusternetworkpolicy&shared=true').expect(200);
  assert.deepEqual(
    (r.body.renamed as { name: string; renamedTo: string }[]).map((p) => [p.name, p.renamedTo]),
    [[formerName, renamedTo]],
  );
  assert.equal(r.body.summary.renamed, 1);
  assert.ok(r.body.missing.some((p: { name: string }) => p.name === renamedTo), 'the recommended one is still to apply');
});
