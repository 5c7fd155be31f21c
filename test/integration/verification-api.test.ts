/**
 * Every recommendation is verified before it is shown: the JSON of the CLI and the API
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

interface Finding {
  workload: string;
  edge: string;
}
interface PageVerification {
  ok: boolean;
  blocked: Finding[];
  blockedElsewhere?: { edges: number; workloads: string[] };
}
interface PageBody {
  items: { workload: { namespace: string; kind: string; name: string } }[];
  next?: string;
  verification: PageVerification;
}

test('GET /recommendations and one workload carry X-Flowmatrix-Verified beside verification.ok (200 either way)', async () => {
  const db = openDb(dbPath);
  try {
    const app = testApp(db, dbPath);
    for (const [mode, verified] of [
      ['observed', 'false'],
      ['union', 'true'],
    ] as const) {
      const list = await request(app).get(`/api/v1/recommendations?engine=kubernetes&mode=${mode}`);
      assert.equal(list.status, 200, list.text.slice(0, 300));
      assert.equal(list.headers['x-flowmatrix-verified'], verified, `list, mode ${mode}`);
      assert.equal(String((list.body as PageBody).verification.ok), verified);
      const one = await request(app).get(`/api/v1/recommendations/netobserv/Deployment/netobserv-plugin?engine=kubernetes&mode=${mode}`);
      assert.equal(one.status, 200, one.text.slice(0, 300));
      assert.equal(one.headers['x-flowmatrix-verified'], verified, `one workload, mode ${mode}`);
      assert.equal(String((one.body as { verification: PageVerification }).verification.ok), verified);
    }
  } finally {
    db.close();
  }
});

test('a page whose own workloads verify says what fails on the other pages: blockedElsewhere counts the edges and names their workloads', async () => {
  const db = openDb(dbPath);
  try {
    const app = testApp(db, dbPath);
    const pages: PageBody[] = [];
    let cursor: string | undefined;
    do {
      const r = await request(app).get(`/api/v1/recommendations?engine=kubernetes&mode=observed&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, r.text.slice(0, 300));
      pages.push(r.body as PageBody);
      cursor = (r.body as PageBody).next;
    } while (cursor !== undefined);
    const blocked = pages.flatMap((p) => p.verification.blocked);
    assert.ok(blocked.some((b) => b.workload === 'netobserv/Deployment/netobserv-plugin'), 'the cut flow is on the page of its workload');
    const quiet = pages.filter((p) => p.verification.blocked.length === 0);
    assert.ok(quiet.length > 0, 'some pages hold none of the blocked edges');
    for (const p of pages) {
      const onPage = new Set(p.items.map((i) => `${i.workload.namespace}/${i.workload.kind}/${i.workload.name}`));
      const others = blocked.filter((b) => !onPage.has(b.workload));
      assert.equal(p.verification.ok, false);
      if (others.length === 0) assert.equal(p.verification.blockedElsewhere, undefined);
      else assert.deepEqual(p.verification.blockedElsewhere, { edges: others.length, workloads: [...new Set(others.map((b) => b.workload))].sort() });
    }
    const verified = await request(app).get('/api/v1/recommendations?engine=kubernetes&mode=union&limit=5');
    assert.equal((verified.body as PageBody).verification.blockedElsewhere, undefined, 'nothing fails elsewhere: no field');
  } finally {
    db.close();
  }
});
