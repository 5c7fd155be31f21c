/**
 * The drift is verified as the export is: its `missing` and `differing` policies are
 * the recommended ones a GitOps job applies, so manifests that fail verification answer 422 with
 * what fails unless `allowUnverified=true`, and every drift says its verification (body and
 * `X-Flowmatrix-Verified`). On the demo cluster, whose `mode=observed` recommendation cuts the
 * NetObserv console plugin's documented `must` flow to Alertmanager (nothing observed it yet).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import { createApp, type BuiltApp } from '../../server/app.ts';
import { openDb, type Db } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { testContext } from '../helpers/service.ts';

const dbPath = await demoDb();
let db: Db;
let built: BuiltApp;
let app: Express;

before(() => {
  db = openDb(dbPath);
  built = createApp(testContext(db, dbPath));
  app = built.app;
});
after(() => {
  built.close();
  db.close();
});

interface Finding {
  workload: string;
  edge: string;
}
interface VerificationJson {
  engine: string;
  ok: boolean;
  admission: unknown[];
  blocked: Finding[];
}
interface DriftJson {
  engine: string;
  namespace?: string;
  missing: { name: string; namespace?: string }[];
  verification: VerificationJson;
}

const PLUGIN = 'netobserv/Deployment/netobserv-plugin';
const CUT = /^workload:netobserv\/Deployment\/netobserv-plugin\|workload:stacklight\/StatefulSet\/prometheus-alertmanager\|9093\|TCP$/;

test('a drift whose recommendation fails verification is 422 with what fails, as the export is', async () => {
  for (const scope of ['', '&namespace=netobserv']) {
    const drift = await request(app).get(`/api/v1/drift?engine=kubernetes&mode=observed${scope}`);
    assert.equal(drift.status, 422, `${scope}: ${drift.text.slice(0, 300)}`);
    assert.equal(drift.type, 'application/problem+json');
    assert.equal(drift.headers['x-flowmatrix-verified'], 'false', scope);
    assert.match(drift.body.detail, /fail verification/);
    assert.match(drift.body.detail, /allowUnverified=true/);
    // It says what fails, and no more: nothing here is refused (nor two manifests of one name, which the API server accepts).
    assert.match(drift.body.detail, /: applying them would cut required traffic;/, scope);
    const v = drift.body.verification as VerificationJson;
    assert.equal(v.ok, false);
    assert.ok(v.blocked.some((b) => b.workload === PLUGIN && CUT.test(b.edge)), `${scope}: the cut flow is named: ${JSON.stringify(v.blocked)}`);
    const exported = await request(app).get(`/api/v1/export?engine=kubernetes&mode=observed${scope}`);
    assert.equal(exported.status, 422);
    assert.deepEqual(drift.body.errors, exported.body.errors, `${scope}: the drift names the failures the export names`);
  }
});

test('the 422 is the one the OpenAPI document describes: its members, verification among them, and its headers', async () => {
  type Schema = { required?: string[]; properties?: Record<string, Schema> };
  type Resp = { headers?: Record<string, unknown>; content?: Record<string, { schema: Schema }> };
  const doc = (await request(app).get('/openapi.json').expect(200)).body as { paths: Record<string, { get: { responses: Record<string, Resp> } }> };
  for (const path of ['/api/v1/drift', '/api/v1/export']) {
    const documented = doc.paths[path]?.get.responses['422'] ?? assert.fail(`${path}: no 422`);
    const schema = documented.content?.['application/problem+json']?.schema ?? assert.fail(`${path}: no problem schema`);
    const res = await request(app).get(`${path}?engine=kubernetes&mode=observed&namespace=netobserv`).expect(422);
    for (const member of schema.required ?? []) assert.ok(member in res.body, `${path}: the 422 has ${member}`);
    assert.ok(schema.required?.includes('verification'), `${path}: verification is a member of the documented 422`);
    for (const member of schema.properties?.verification?.required ?? []) assert.ok(member in res.body.verification, `${path}: verification.${member}`);
    assert.ok(documented.headers?.['X-Flowmatrix-Verified'] && res.headers['x-flowmatrix-verified'] === 'false', `${path}: X-Flowmatrix-Verified`);
  }
});

test('allowUnverified=true answers the drift anyway, marked unverified, with the verification in the body', async () => {
  const drift = await request(app).get('/api/v1/drift?engine=kubernetes&mode=observed&namespace=netobserv&allowUnverified=true');
  assert.equal(drift.status, 200, drift.text.slice(0, 300));
  assert.equal(drift.headers['x-flowmatrix-verified'], 'false');
  const body = drift.body as DriftJson;
  assert.ok(body.missing.some((m) => m.name === 'netobserv-deployment-netobserv-plugin'), 'the policy that cuts the flow is still listed');
  assert.equal(body.verification.engine, 'kubernetes');
  assert.equal(body.verification.ok, false);
  assert.ok(body.verification.blocked.some((b) => CUT.test(b.edge)));
});

test('a verified drift is 200 with X-Flowmatrix-Verified: true and its verification; a namespace is verified on its own recommendation', async () => {
  for (const query of ['engine=kubernetes', 'engine=kubernetes&namespace=netobserv', 'engine=cilium&mode=union', 'engine=kubernetes&mode=observed&namespace=flux-system']) {
    const drift = await request(app).get(`/api/v1/drift?${query}`);
    assert.equal(drift.status, 200, `${query}: ${drift.text.slice(0, 300)}`);
    assert.equal(drift.headers['x-flowmatrix-verified'], 'true', query);
    const v = (drift.body as DriftJson).verification;
    assert.deepEqual([v.ok, v.admission, v.blocked], [true, [], []], query);
  }
});
