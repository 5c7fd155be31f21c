/**
 * Requests a client can send to hurt the service: each gets a 4xx problem naming what is wrong,
 * logged as the client's error, never a 500 with a stack.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { openDb } from '../../store/db.ts';
import { testContext } from '../helpers/service.ts';

const READ = 'r'.repeat(32);

/** The app with a read token configured, and the log lines it writes. */
function withLog() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const ctx = { ...testContext(openDb(':memory:'), ':memory:', { tokens: [{ name: 'reader', secret: READ, scopes: ['read' as const] }] }), logger };
  return { app: createApp(ctx).app, lines };
}

test('a malformed percent-encoding in a path is 400 bad-request, with or without a token, and logged as the client\'s error', async () => {
  const { app, lines } = withLog();
  for (const [path, token] of [
    ['/api/v1/matrices/%ZZ', undefined],
    ['/api/v1/matrices/%ZZ', READ],
    ['/api/v1/workloads/shop/Deployment/%E0%A4%A', READ],
  ] as const) {
    const req = request(app).get(path);
    const res = await (token ? req.set('Authorization', `Bearer ${token}`) : req);
    assert.equal(res.status, 400, `${path}: ${res.text}`);
    assert.equal(res.type, 'application/problem+json');
    assert.equal(res.body.type, 'https://flowmatrix.io/problems/bad-request');
    assert.match(res.body.detail, /malformed percent-encoding/);
  }
  const errors = lines.filter((l) => (l.level as number) >= 50);
  assert.deepEqual(errors, [], 'nothing logged at level error');
  assert.ok(lines.some((l) => l.msg === 'request' && l.status === 400 && l.level === 30), 'the request line, at info');
});
