/**
 * Every recommendation is verified before it is shown (issue 12): the JSON of the CLI and the API
 * carries the verification, the export says it was verified, on the demo cluster for every engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { testApp } from '../helpers/service.ts';

const dbPath = await demoDb();

interface VerificationJson {
  engine: string;
  ok: boolean;
  admission: unknown[];
  blocked: unknown[];
  tightness: { observed: number; allowed: number }[];
}

test('recommend --output json carries the verification; every engine verifies on the demo namespace netobserv', async () => {
  for (const engine of ENGINE_NAMES) {
    const r = await runCli(['recommend', '--engine', engine, '--namespace', 'netobserv', '--output', 'json', '--db', dbPath]);
    assert.equal(r.code, 0, `${engine}: ${r.err}`);
    const v = (JSON.parse(r.out) as { verification: VerificationJson }).verification;
    assert.equal(v.engine, engine);
    assert.deepEqual([v.ok, v.admission, v.blocked], [true, [], []], engine);
    assert.ok(v.tightness.length > 0);
    assert.equal((JSON.parse(r.out) as Record<string, unknown>).sides, undefined, 'the internal sides are not part of the JSON');
  }
});

test('GET /recommendations and /export: the verification in the JSON, X-Flowmatrix-Verified on the export', async () => {
  const db = openDb(dbPath);
  try {
    const app = testApp(db, dbPath);
    const list = await request(app).get('/api/v1/recommendations?engine=calico&namespace=kyma-system');
    assert.equal(list.status, 200, list.text);
    assert.equal((list.body as { verification: VerificationJson }).verification.ok, true);
    const exported = await request(app).get('/api/v1/export?engine=cilium&namespace=stacklight');
    assert.equal(exported.status, 200, exported.text);
    assert.equal(exported.headers['x-flowmatrix-verified'], 'true');
  } finally {
    db.close();
  }
});
