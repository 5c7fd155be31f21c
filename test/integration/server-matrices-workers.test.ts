/**
 * The matrix routes never block the service: GET /matrices and GET /matrices/{name}
 * read every edge's traffic to complete the resolution, which took the event loop 0.8-4.4 s per
 * request on a large store. They run on a recommendation worker and are cached per store version:
 * the service's own connection reads no edge for them, /healthz answers while they run, and the
 * answer is the one app/matrices.ts gives in-process. The demo cluster in a real SQLite file.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { matrixList, resolveMatrices, resolveMatrixNamed } from '../../app/matrices.ts';
import { createApp, type BuiltApp } from '../../server/app.ts';
import { openDb, type Db } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { testContext } from '../helpers/service.ts';

const dbPath = await demoDb();

/** `db` with the statements prepared on it recorded. */
function recording(db: Db): { db: Db; sql: string[] } {
  const sql: string[] = [];
  const proxy = new Proxy(db, {
    get(t, prop) {
      if (prop === 'prepare') return (s: string) => (sql.push(s), t.prepare(s));
      const v = Reflect.get(t, prop, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
  return { db: proxy, sql };
}

let db: Db;
let main: { db: Db; sql: string[] };
let built: BuiltApp;
let base: string;
let server: ReturnType<BuiltApp['app']['listen']>;

before(async () => {
  db = openDb(dbPath);
  main = recording(db);
  built = createApp(testContext(main.db, dbPath));
  server = built.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((r) => server.close(r));
  await built.close();
  db.close();
});

/** Fetches `path` and, once it was sent, /healthz: which answered first, and both bodies. */
async function withHealthz(path: string, init: RequestInit = {}): Promise<{ first: string; res: Response; text: string }> {
  const order: string[] = [];
  const slow = fetch(`${base}${path}`, init).then(async (res) => (order.push('route'), { res, text: await res.text() }));
  await new Promise((r) => setTimeout(r, 5));
  const health = fetch(`${base}/healthz`).then((r) => (order.push('healthz'), r.status));
  const [answer, status] = await Promise.all([slow, health]);
  assert.equal(status, 200);
  return { first: order[0]!, ...answer };
}

const readsEdges = (sql: readonly string[]): string[] => sql.filter((s) => /\bFROM edges\b/.test(s));

test('GET /matrices and /matrices/{name} are resolved on a worker: /healthz answers first, the service connection reads no edge, the answer is the in-process one', async () => {
  main.sql.length = 0;
  const list = await withHealthz('/api/v1/matrices');
  assert.equal(list.res.status, 200, list.text);
  assert.equal(list.first, 'healthz', 'the list was computed on the event loop');
  assert.deepEqual(JSON.parse(list.text), { items: JSON.parse(JSON.stringify(matrixList(resolveMatrices(db, {})))) });
  const one = await withHealthz('/api/v1/matrices/stacklight');
  assert.equal(one.res.status, 200, one.text);
  assert.equal(one.text, JSON.stringify(resolveMatrixNamed(db, {}, 'stacklight')));
  assert.deepEqual(readsEdges(main.sql), [], 'statements on the service connection that read the edges');

  const missing = await fetch(`${base}/api/v1/matrices/nosuch`);
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as { detail: string }).detail, /^no matrix named "nosuch" \(known: /);
});

/** A matrix of `n` components, each with two ingress rules (as the load test's genmat.mjs writes them). */
function bigMatrix(n: number): string {
  let s = 'apiVersion: flowmatrix.io/v1alpha1\nkind: CommunicationMatrix\nmetadata:\n  name: big\n  title: Big matrix\ndocuments:\n  d: { title: doc, file: x.txt }\ncomponents:\n';
  for (let i = 0; i < n; i++) {
    s += `  c${i}:\n    namespace: team-${String(Math.floor(i / 20)).padStart(3, '0')}\n    selector: { matchLabels: { app: svc-${i} } }\n    ports: [{ port: 8080 }]\n    ingress:\n`;
    s += `      - { peer: { component: c${(i + 1) % n} }, ports: [{ port: 8080 }], level: must, purpose: p, source: { document: d, line: 1 } }\n`;
    s += `      - { peer: { component: c${(i + 7) % n} }, ports: [{ port: 8080 }], level: may, purpose: q, source: { document: d, line: 2 } }\n`;
  }
  return s;
}

test('PUT /matrices/{name} parses and checks the document on a worker: /healthz answers first, the service connection reads no stored source, only stores', async () => {
  const text = bigMatrix(300);
  const put = (body: string, name = 'big') => withHealthz(`/api/v1/matrices/${name}`, { method: 'PUT', headers: { 'content-type': 'application/yaml' }, body });
  main.sql.length = 0;
  const created = await put(text);
  assert.equal(created.res.status, 201, created.text);
  assert.equal(created.first, 'healthz', 'the matrix was parsed on the event loop');
  assert.deepEqual(main.sql.filter((s) => /\bsource\b/.test(s) && /^\s*SELECT/i.test(s)), [], 'the service connection read the stored matrices to check them');
  assert.equal((await fetch(`${base}/api/v1/matrices/big?format=source`)).headers.get('content-type')?.startsWith('application/yaml'), true);
  const unchanged = await put(text);
  assert.equal(unchanged.res.status, 200);
  assert.equal(JSON.parse(unchanged.text).status, 'unchanged');
  // What the worker refuses is answered as before: every problem, with its path.
  const renamed = await put(text, 'other');
  assert.equal(renamed.res.status, 422);
  assert.deepEqual(JSON.parse(renamed.text).errors, [{ path: 'metadata.name', message: 'must equal the path name "other"', value: 'big' }]);
  const invalid = await put('apiVersion: flowmatrix.io/v1alpha1\nkind: CommunicationMatrix\n');
  assert.equal(invalid.res.status, 422);
  assert.match(JSON.parse(invalid.text).detail, /^invalid matrix/);
});
