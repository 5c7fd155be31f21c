/**
 * An integer in a query or a path is written in decimal digits (`limit=10`, `/reports/3`), as
 * docs/api.md gives them. Ajv's coercion reads a string as JavaScript's `Number()` does, so `0x10`,
 * `1e2`, ` 5` and `1.0` were taken for 16, 100, 5 and 1: `/api/v1/reports/0x1` answered report 1
 * (with `Cache-Control: immutable`). Each is a 400 `validation-failed` naming the parameter and the
 * value, as `abc` is.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import request from 'supertest';
import { openDb } from '../../store/db.ts';
import { testApp } from '../helpers/service.ts';

const db = openDb(':memory:');
const app = testApp(db, ':memory:');
after(() => db.close());

test('an integer query parameter or path segment that is no decimal number is 400 naming it', async () => {
  for (const [url, path, value] of [
    ['/api/v1/workloads?limit=0x10', 'query.limit', '0x10'],
    ['/api/v1/workloads?limit=1e2', 'query.limit', '1e2'],
    ['/api/v1/edges?limit=%205', 'query.limit', ' 5'],
    ['/api/v1/reports?limit=2.0', 'query.limit', '2.0'],
    ['/api/v1/recommendations?engine=kubernetes&staleDays=0x1e', 'query.staleDays', '0x1e'],
    ['/api/v1/reports/0x1', 'params.id', '0x1'],
    ['/api/v1/reports/1e0', 'params.id', '1e0'],
  ] as const) {
    const res = await request(app).get(url);
    assert.equal(res.status, 400, `${url}: ${res.status} ${res.text.slice(0, 300)}`);
    assert.equal(res.body.type, 'https://flowmatrix.io/problems/validation-failed', url);
    assert.deepEqual(res.body.errors, [{ path, message: 'must be integer', value }], url);
  }
});

test('decimal integers are read as before', async () => {
  for (const url of ['/api/v1/reports?limit=5', '/api/v1/reports?limit=005']) {
    const res = await request(app).get(url);
    assert.equal(res.status, 200, `${url}: ${res.text.slice(0, 300)}`);
  }
  const missing = await request(app).get('/api/v1/reports/7');
  assert.equal(missing.status, 404, missing.text);
  const negative = await request(app).get('/api/v1/reports?limit=-1');
  assert.deepEqual(negative.body.errors, [{ path: 'query.limit', message: 'must be >= 1', value: -1 }]);
});
