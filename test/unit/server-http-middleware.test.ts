/**
 * The request log (pino-http) and the rate limit (express-rate-limit), in an express app of their
 * own: the behaviour and the log fields the service had before the libraries took over.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { HttpProblem } from '../../server/http/problem.ts';
import { rateLimitMiddleware } from '../../server/http/rate-limit.ts';
import { requestLog } from '../../server/http/request-log.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

function app(opts: { requests?: number; windowMs?: number } = {}) {
  const { lines, logger } = capture();
  const observed: unknown[][] = [];
  const a = express();
  a.use(requestLog(logger, (...args) => observed.push(args)));
  const named = (route: string) => (req: Request, res: Response, next: NextFunction) => {
    res.locals.route = route;
    const token = req.get('authorization');
    if (token) res.locals.principal = { name: token };
    next();
  };
  const limit = rateLimitMiddleware(opts.requests ?? 0, opts.windowMs ?? 60_000);
  a.get('/ok', named('/ok'), limit, (_req, res) => void res.json({ id: res.locals.requestId }));
  // Sends its head and a first chunk, then the connection goes (a client gone, a shutdown cutting it).
  a.get('/cut', named('/cut'), (_req, res) => {
    res.status(200).write('first chunk');
    setTimeout(() => res.destroy(), 20);
  });
  // Goes before anything is sent (a client gone while the answer is being computed).
  a.get('/gone', named('/gone'), (_req, res) => {
    setTimeout(() => res.destroy(), 20);
  });
  a.get('/boom', named('/boom'), () => {
    throw new Error('boom');
  });
  a.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpProblem) {
      for (const [k, v] of Object.entries(err.headers ?? {})) res.setHeader(k, v);
      res.status(err.status).json({ detail: err.detail });
      return;
    }
    res.status(500).json({ detail: 'internal' });
  });
  return { a, lines, observed };
}

test('request log: one line per request with method, url, route, status, ms, principal, remote and reqId; 5xx at level error', async () => {
  const { a, lines, observed } = app();
  const ok = await request(a).get('/ok?x=1').set('Authorization', 'ci').set('X-Request-Id', 'abc-123').expect(200);
  assert.equal(ok.headers['x-request-id'], 'abc-123');
  assert.equal(ok.body.id, 'abc-123', 'the handler sees the id as res.locals.requestId');
  await request(a).get('/boom').expect(500);
  const [first, second] = lines as [Record<string, unknown>, Record<string, unknown>];
  assert.equal(lines.length, 2);
  assert.deepEqual(
    { level: first.level, msg: first.msg, reqId: first.reqId, method: first.method, url: first.url, route: first.route, status: first.status, principal: first.principal },
    { level: 30, msg: 'request', reqId: 'abc-123', method: 'GET', url: '/ok?x=1', route: '/ok', status: 200, principal: 'ci' },
  );
  assert.equal(typeof first.ms, 'number');
  assert.equal(typeof first.remote, 'string');
  assert.equal('req' in first || 'res' in first, false, 'no pino-http req/res dumps');
  assert.deepEqual({ level: second.level, msg: second.msg, route: second.route, status: second.status }, { level: 50, msg: 'request failed', route: '/boom', status: 500 });
  assert.deepEqual(observed.map((o) => o.slice(0, 3)), [['/ok', 'GET', 200], ['/boom', 'GET', 500]]);
});

test('request id: an insane X-Request-Id is replaced by a UUID', async () => {
  const { a } = app();
  const r = await request(a).get('/ok').set('X-Request-Id', 'has spaces and ;').expect(200);
  assert.match(r.headers['x-request-id'] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('rate limit: per token (else per address), 429 with Retry-After after `requests` in the window; 0 turns it off', async () => {
  const { a } = app({ requests: 2, windowMs: 10_000 });
  await request(a).get('/ok').set('Authorization', 'a').expect(200);
  await request(a).get('/ok').set('Authorization', 'a').expect(200);
  const limited = await request(a).get('/ok').set('Authorization', 'a').expect(429);
  assert.equal(limited.headers['retry-after'], '10');
  assert.equal(limited.body.detail, 'more than 2 requests in 10 s; retry in 10 s');
  await request(a).get('/ok').set('Authorization', 'b').expect(200);
  await request(a).get('/ok').expect(200);
  await request(a).get('/ok').expect(200);
  await request(a).get('/ok').expect(429);
  const { a: open } = app({ requests: 0 });
  for (let i = 0; i < 5; i++) await request(open).get('/ok').expect(200);
});

test('request log: a response cut before its end says so (aborted, level warn), not a plain 200', async () => {
  const { a, lines } = app();
  await request(a).get('/cut').catch(() => undefined);
  const until = Date.now() + 2000;
  while (!lines.some((l) => l.route === '/cut') && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  const cut = lines.find((l) => l.route === '/cut');
  assert.equal(cut?.msg, 'request aborted');
  assert.equal(cut?.aborted, true);
  assert.equal(cut?.level, 40);
  assert.equal(cut?.status, 200, 'the status it sent first');
  // Nothing sent: no status (200 would be Node's default, never sent).
  await request(a).get('/gone').catch(() => undefined);
  while (!lines.some((l) => l.route === '/gone') && Date.now() < until + 2000) await new Promise((r) => setTimeout(r, 10));
  const gone = lines.find((l) => l.route === '/gone');
  assert.equal(gone?.aborted, true);
  assert.equal('status' in (gone ?? {}), false, JSON.stringify(gone));
});
