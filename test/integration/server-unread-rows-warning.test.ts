/**
 * A stored edge row that cannot be read is left out of the recommendation (store/row-check.ts):
 * the manifests then allow nothing of the traffic it recorded, and the verification never judged
 * it. The JSON answers say so in `warnings`; the answers without a warnings list (/export,
 * /drift) must say it as a `Warning` header too, else a job reading the status and
 * `X-Flowmatrix-Verified: true` applies manifests that cut observed traffic without a word.
 * On the demo: shop/frontend → shop/cart 8080/TCP, the row's port broken to 0.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { createApp, type BuiltApp } from '../../server/app.ts';
import { openDb, type Db } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { testContext } from '../helpers/service.ts';

const dbPath = await demoDb();
let db: Db;
let built: BuiltApp;

before(() => {
  db = openDb(dbPath);
  const broken = db
    .prepare("UPDATE edges SET port = 0 WHERE client = 'workload:shop/Deployment/frontend' AND server = 'workload:shop/Deployment/cart' AND port = 8080 AND protocol = 'TCP'")
    .run();
  assert.equal(broken.changes, 1, 'the demo has the frontend → cart edge');
  built = createApp(testContext(db, dbPath));
});
after(() => {
  built.close();
  db.close();
});

const warningsOf = (res: request.Response): string[] => {
  const h = res.headers.warning as string | string[] | undefined;
  return h === undefined ? [] : Array.isArray(h) ? h : [h];
};
const UNREAD = /1 stored edge row\(s\) could not be read and were left out/;

test('the export of manifests built without an unreadable edge row says so in a Warning header', async () => {
  const clean = await request(built.app).get('/api/v1/export?engine=kubernetes&namespace=shop');
  assert.equal(clean.status, 200, clean.text.slice(0, 300));
  assert.ok(!clean.text.includes('workload:shop/Deployment/frontend|workload:shop/Deployment/cart|8080|TCP'), 'the left-out edge is in no rule');
  assert.ok(warningsOf(clean).some((w) => UNREAD.test(w)), `Warning headers: ${JSON.stringify(warningsOf(clean))}`);
});

test('so does the drift, whose missing and differing policies a job applies', async () => {
  const drift = await request(built.app).get('/api/v1/drift?engine=kubernetes&namespace=shop');
  assert.equal(drift.status, 200, drift.text.slice(0, 300));
  assert.ok(warningsOf(drift).some((w) => UNREAD.test(w)), `Warning headers: ${JSON.stringify(warningsOf(drift))}`);
});

test('the header reads the same whichever result answers: one computed with the evidence, or the traffic alone', async () => {
  // One workload's result (the evidence read, whose row ids are numbers) also answers the export of
  // its options (the traffic read, whose row ids are keys): the header must not depend on which.
  const fresh = createApp(testContext(db, dbPath));
  try {
    const one = await request(fresh.app).get('/api/v1/recommendations/shop/Deployment/cart?engine=kubernetes');
    assert.equal(one.status, 200);
    assert.ok(warningsOf(one).some((w) => UNREAD.test(w)), `Warning headers: ${JSON.stringify(warningsOf(one))}`);
    const viaKept = await request(fresh.app).get('/api/v1/export?engine=kubernetes&namespace=shop&workload=Deployment/cart');
    const alone = await request(built.app).get('/api/v1/export?engine=kubernetes&namespace=shop&workload=Deployment/cart');
    assert.deepEqual(warningsOf(viaKept), warningsOf(alone));
    assert.equal(viaKept.headers.etag, alone.headers.etag);
  } finally {
    fresh.close();
  }
});
