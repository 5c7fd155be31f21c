/**
 * POST /api/v1/flows reads its NDJSON body as UTF-8, as every JSON body here is read (RFC 8259
 * §8.1: JSON exchanged between systems is UTF-8). A body declared in another charset was read as
 * UTF-8 anyway: UTF-16 records came out as `invalid-json` rejects (a failed ingest run of
 * nothing, counted in the report's ingest health), Latin-1 names as mojibake. Another charset is a
 * 415 naming it before anything is read or recorded, as POST /simulate answers it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import request from 'supertest';
import { openDb } from '../../store/db.ts';
import { testApp } from '../helpers/service.ts';

const db = openDb(':memory:');
const app = testApp(db, ':memory:');
after(() => db.close());

const RECORD = `${JSON.stringify({ TimeFlowStartMs: Date.UTC(2026, 10, 20, 10), TimeFlowEndMs: Date.UTC(2026, 10, 20, 10), SrcAddr: '10.244.1.22', DstAddr: '10.244.3.22', SrcPort: 41000, DstPort: 9090, Proto: 6, Flags: 2 })}\n`;
const runs = (): number => (db.prepare('SELECT count(*) AS n FROM ingest_runs').get() as { n: number }).n;

test('an NDJSON body declared in a charset other than UTF-8 is 415 naming it, and no ingest run is recorded', async () => {
  for (const [charset, bytes] of [
    ['utf-16le', Buffer.from(RECORD, 'utf16le')],
    ['latin1', Buffer.from(RECORD, 'latin1')],
  ] as const) {
    const before = runs();
    const res = await request(app).post('/api/v1/flows?format=netobserv').set('Content-Type', `application/x-ndjson; charset=${charset}`).send(bytes);
    assert.equal(res.status, 415, `${charset}: ${res.status} ${res.text.slice(0, 300)}`);
    assert.equal(res.body.type, 'https://flowmatrix.io/problems/unsupported-media-type');
    assert.match(res.body.detail, new RegExp(`unsupported charset "${charset.toUpperCase()}"`));
    assert.equal(runs(), before, `${charset}: no ingest run`);
  }
});

test('UTF-8, said or not, is read as before', async () => {
  for (const type of ['application/x-ndjson', 'application/x-ndjson; charset=utf-8']) {
    const res = await request(app).post('/api/v1/flows?format=netobserv').set('Content-Type', type).send(RECORD);
    assert.equal(res.status, 200, `${type}: ${res.text.slice(0, 300)}`);
    assert.equal(res.body.records, 1, type);
  }
});
