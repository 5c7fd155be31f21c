/**
 * An answer depends on its request and the store only, never on the requests a service answered
 * before it. A worker keeps the results it computed and answers other views of the same options
 * from them: one workload's result (computed with its evidence and the tightness figures) also
 * answers `/export?namespace=…&workload=…` with those options. Each request here is sent to a
 * fresh service and to one that answered the other views first (one worker, so the same worker
 * keeps them), and the bytes must agree: the status, the body, the ETag and the headers a job reads.
 * On the demo cluster, whose `mode=observed` recommendation for the NetObserv console plugin cuts a
 * documented `must` flow (a 422 on /export and /drift), and whose `mode=union` one verifies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { configFor } from '../../server/config/load.ts';
import { RecommendationComputer } from '../../server/services/recommendation-computer.ts';
import type { RecommendationQuery, RenderedResponse } from '../../server/services/recommendation-responses.ts';
import { openDb } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { testContext } from '../helpers/service.ts';

const dbPath = await demoDb();
const REPORTS = { settings: configFor().reports, staleDays: 30 };

const PLUGIN = { namespace: 'netobserv', kind: 'Deployment', name: 'netobserv-plugin' };
const ONE = `/api/v1/recommendations/${PLUGIN.namespace}/${PLUGIN.kind}/${PLUGIN.name}`;
const SELECT = `namespace=${PLUGIN.namespace}&workload=${PLUGIN.kind}/${PLUGIN.name}`;

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | undefined>;
}

/** What of an answer a client can tell apart: status, body bytes and the headers that carry meaning. */
function answerOf(r: request.Response): Answer {
  const bytes = r.body as Buffer;
  const body = bytes.toString(String(r.headers['content-type']).startsWith('application/x-tar') ? 'base64' : 'utf8');
  const headers: Record<string, string | undefined> = {};
  for (const h of ['content-type', 'etag', 'x-flowmatrix-verified', 'warning', 'content-disposition']) headers[h] = r.headers[h] as string | undefined;
  return { status: r.status, body, headers };
}

const binary = (r: request.Test): request.Test =>
  r.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

/** `path` answered by a fresh service (one worker) after it answered each of `before`. */
async function answeredAfter(before: readonly string[], path: string): Promise<Answer> {
  const db = openDb(dbPath);
  const built = createApp(testContext(db, dbPath, { recommendationWorkers: 1 }));
  try {
    for (const p of before) {
      const r = await request(built.app).get(p);
      assert.ok(r.status === 200 || r.status === 422, `${p}: ${r.status}`);
    }
    // A problem's `instance` is the request id: the same one for both, so that the bytes compare.
    return answerOf(await binary(request(built.app).get(path).set('X-Request-Id', 'history-test')));
  } finally {
    await built.close();
    db.close();
  }
}

async function assertSameWhatever(before: readonly string[], path: string, status: number): Promise<Answer> {
  const fresh = await answeredAfter([], path);
  assert.equal(fresh.status, status, `${path} on a fresh service: ${fresh.body.slice(0, 300)}`);
  const later = await answeredAfter(before, path);
  assert.deepEqual(later, fresh, `${path} after ${before.join(', ')}`);
  return fresh;
}

test('an export that fails verification answers the same 422 whether or not the workload was asked for first', async () => {
  const fresh = await assertSameWhatever([`${ONE}?engine=kubernetes&mode=observed`], `/api/v1/export?engine=kubernetes&mode=observed&${SELECT}`, 422);
  const v = (JSON.parse(fresh.body) as { verification: { ok: boolean; tightness: unknown[] } }).verification;
  assert.equal(v.ok, false);
  assert.deepEqual(v.tightness, [], 'the export promises the verdict, not the tightness figures of the JSON output');
});

test('a verified export answers the same bytes and ETag whether or not the workload, or the drift of the same options, was asked for first', async () => {
  for (const format of ['yaml', 'bundle']) {
    const fresh = await assertSameWhatever([`${ONE}?engine=cilium`], `/api/v1/export?engine=cilium&${SELECT}&format=${format}`, 200);
    assert.ok(fresh.headers.etag, format);
  }
  await assertSameWhatever(['/api/v1/drift?engine=cilium&namespace=netobserv'], '/api/v1/export?engine=cilium&namespace=netobserv', 200);
});

test('a drift answers the same bytes whether or not the export, the workload or the list was asked for first', async () => {
  const before = [`/api/v1/export?engine=kubernetes&mode=observed&namespace=netobserv&allowUnverified=true`, `${ONE}?engine=kubernetes&mode=observed`, `/api/v1/recommendations?engine=kubernetes&mode=observed&namespace=netobserv`];
  await assertSameWhatever(before, '/api/v1/drift?engine=kubernetes&mode=observed&namespace=netobserv', 422);
  const drift = await assertSameWhatever(before, '/api/v1/drift?engine=kubernetes&mode=observed&namespace=netobserv&allowUnverified=true', 200);
  assert.deepEqual((JSON.parse(drift.body) as { verification: { tightness: unknown[] } }).verification.tightness, [], 'the drift gives the verification without tightness');
});

test('one workload and a list page answer the same bytes whether or not the export and drift of the same options came first', async () => {
  const before = [`/api/v1/export?engine=calico&${SELECT}&allowUnverified=true`, `/api/v1/drift?engine=calico&namespace=netobserv`, `/api/v1/export?engine=calico&namespace=netobserv`];
  await assertSameWhatever(before, `${ONE}?engine=calico`, 200);
  await assertSameWhatever([...before, `${ONE}?engine=calico`], `/api/v1/recommendations?engine=calico&namespace=netobserv&limit=2`, 200);
});

test('a worker renders the drift and the export of a kept one-workload result as it renders its own: without tightness', async () => {
  const db = openDb(dbPath);
  try {
    const options = { mode: 'observed' as const, namespace: PLUGIN.namespace, workload: `${PLUGIN.kind}/${PLUGIN.name}` };
    const queries: RecommendationQuery[] = [
      { kind: 'drift', engine: 'kubernetes', options, allowUnverified: true, namespace: PLUGIN.namespace },
      { kind: 'export', engine: 'kubernetes', options, format: 'yaml', allowUnverified: false, filename: 'f' },
    ];
    const bytes = (r: RenderedResponse): string => JSON.stringify([Buffer.concat(r.body).toString('utf8'), r.headers, r.etag, r.problem]);
    for (const q of queries) {
      const fresh = bytes(await new RecommendationComputer(db, {}, REPORTS).respond(q));
      const computer = new RecommendationComputer(db, {}, REPORTS);
      await computer.respond({ kind: 'workload', engine: 'kubernetes', options, workload: PLUGIN });
      const later = bytes(await computer.respond(q));
      assert.equal(computer.computations, 1, `${q.kind}: answered from the workload's result`);
      assert.equal(later, fresh, q.kind);
    }
  } finally {
    db.close();
  }
});
