import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import type { Express } from 'express';
import { pino } from 'pino';
import { main } from '../../cli/main.ts';
import { DEMO_DIR, loadDemo } from '../../demo/load.ts';
import { createApp, type BuiltApp } from '../../server/app.ts';
import { configFor } from '../../server/config/load.ts';
import type { ServiceContext } from '../../server/context.ts';
import { ServiceMetrics } from '../../server/metrics.ts';
import { EdgeStore } from '../../store/edges.ts';
import { ingestTotals } from '../../store/ingest-runs.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDb } from '../helpers/tmp.ts';

const READ = 'read-token-0123456789abcdef';
const WRITE = 'write-token-0123456789abcdef';
const AUTH = `Bearer ${READ}`;
const WAUTH = `Bearer ${WRITE}`;

const { db, path } = tmpDb();
let built: BuiltApp;
let app: Express;

function build(overrides: Parameters<typeof configFor>[0] = {}): BuiltApp {
  const config = configFor({
    dbPath: path,
    tokens: [
      { name: 'reader', secret: READ, scopes: ['read'] },
      { name: 'writer', secret: WRITE, scopes: ['read', 'write'] },
    ],
    ...overrides,
  });
  const edges = new EdgeStore(db);
  const ctx: ServiceContext = {
    db,
    config,
    metrics: new ServiceMetrics(() => edges.count(), { defaultMetrics: false, ingestTotals: () => ingestTotals(db) }),
    logger: pino({ level: 'silent' }),
    version: 'test',
    collectors: () => [],
    draining: false,
    now: () => Date.UTC(2026, 10, 21),
  };
  return createApp(ctx);
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'flowmatrix', ...args, '--db', path], { out: (t) => (out += t), err: (t) => (err += t), stdin: process.stdin });
  return { code, out, err };
}

before(async () => {
  const s = await loadDemo(db);
  assert.equal(s.loaded, true);
  built = build();
  app = built.app;
});

test('every express route is documented in /openapi.json, with its method', async () => {
  const res = await request(app).get('/openapi.json').expect(200);
  const doc = res.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
  assert.equal(doc.openapi, '3.1.0');
  const stack = (app as unknown as { router: { stack: { handle: { stack?: { route?: { path: string; methods: Record<string, boolean> } }[] } }[] } }).router.stack;
  const routes: string[] = [];
  for (const layer of stack) for (const inner of layer.handle.stack ?? []) if (inner.route) for (const m of Object.keys(inner.route.methods)) routes.push(`${m} ${inner.route.path}`);
  assert.ok(routes.length >= 17, `found ${routes.length} routes`);
  for (const r of routes) {
    const [method, p] = r.split(' ') as [string, string];
    const oas = p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    assert.ok(doc.paths[oas]?.[method], `${r} is not in the OpenAPI document`);
  }
  assert.ok(doc.paths['/api/v1/export']?.get);
  const docs = await request(app).get('/docs').expect(200);
  assert.match(docs.text, /<title>flowmatrix API<\/title>/);
  assert.doesNotMatch(docs.text, /https?:\/\/(cdn|unpkg)/);
});

test('the OpenAPI document is the contract: a parameter with a default is optional, a JSON body is a JSON document, a body may be refused as too large, a report build may hit the recommendation limits', async () => {
  type Param = { name: string; required: boolean };
  type Op = { parameters?: Param[]; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }; responses: Record<string, unknown> };
  const doc = (await request(app).get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, Op>> };
  const param = (path: string, method: string, name: string) => doc.paths[path]?.[method]?.parameters?.find((p) => p.name === name);
  // The server fills these in (validate.ts useDefaults): a client need not send them.
  assert.equal(param('/api/v1/edges', 'get', 'limit')?.required, false);
  assert.equal(param('/api/v1/export', 'get', 'format')?.required, false);
  await request(app).get('/api/v1/edges').set('Authorization', AUTH).expect(200);
  assert.equal(param('/api/v1/reports/{id}', 'get', 'id')?.required, true, 'a path parameter is always required');
  // POST /inventory takes a Kubernetes List as JSON: an object, not a JSON string.
  assert.deepEqual(doc.paths['/api/v1/inventory']?.post?.requestBody?.content['application/json']?.schema, {});
  assert.deepEqual(doc.paths['/api/v1/inventory']?.post?.requestBody?.content['application/yaml']?.schema, { type: 'string' });
  // NDJSON records are text, whatever their media type.
  assert.deepEqual(doc.paths['/api/v1/flows']?.post?.requestBody?.content['application/json']?.schema, { type: 'string' });
  for (const [path, method] of [['/api/v1/simulate', 'post'], ['/api/v1/matrices/validate', 'post'], ['/api/v1/matrices/{name}', 'put']] as const) {
    assert.ok(doc.paths[path]?.[method]?.responses['413'], `${method} ${path} declares 413`);
  }
  assert.ok(doc.paths['/api/v1/reports']?.post?.responses['413'] && doc.paths['/api/v1/reports']?.post?.responses['503']);
});

test('the OpenAPI document lists the headers /export and /drift send, on each response (a 304 and the 422s too), X-Flowmatrix-Verified as true|false, and the verification member of their 422', async () => {
  type Header = { schema: Record<string, unknown> };
  type Resp = { headers?: Record<string, Header>; content?: Record<string, { schema: Record<string, unknown> }> };
  const doc = (await request(app).get('/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, { responses: Record<string, Resp> }>>;
    components: { schemas: Record<string, Record<string, unknown>> };
  };
  const response = (path: string, status: string): Resp => doc.paths[path]?.get?.responses[status] ?? assert.fail(`GET ${path} declares no ${status}`);
  const declared = (path: string, status: string): string[] => Object.keys(response(path, status).headers ?? {});
  const expected: [string, string, string[]][] = [
    ['/api/v1/export', '200', ['ETag', 'X-Flowmatrix-Verified', 'Warning']],
    ['/api/v1/export', '304', ['ETag', 'X-Flowmatrix-Verified', 'Warning']],
    ['/api/v1/export', '422', ['X-Flowmatrix-Verified', 'Warning']],
    ['/api/v1/drift', '200', ['X-Flowmatrix-Verified', 'Warning']],
    ['/api/v1/drift', '422', ['X-Flowmatrix-Verified', 'Warning']],
  ];
  for (const [path, status, names] of expected) for (const name of names) assert.ok(declared(path, status).includes(name), `GET ${path} ${status} declares ${name}`);
  // Wherever it is declared, X-Flowmatrix-Verified is one of two strings.
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [status, r] of Object.entries(ops.get?.responses ?? {})) {
      const h = r.headers?.['X-Flowmatrix-Verified'];
      if (h) assert.deepEqual(h.schema, { type: 'string', enum: ['true', 'false'] }, `GET ${path} ${status}`);
    }
  }
  // The 422 problem carries the whole verification.
  const resolve = (s: Record<string, unknown>): Record<string, unknown> => (typeof s.$ref === 'string' ? (doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] ?? assert.fail(`no ${s.$ref}`)) : s);
  for (const path of ['/api/v1/export', '/api/v1/drift']) {
    const schema = resolve(response(path, '422').content?.['application/problem+json']?.schema ?? assert.fail(`GET ${path} 422 has no problem schema`));
    const props = schema.properties as Record<string, unknown>;
    assert.ok(props.verification, `GET ${path} 422: the problem schema has verification`);
    assert.ok(props.errors && props.detail, `GET ${path} 422: still a problem`);
  }
  // What the service really sends on an export and its 304 is declared there.
  const ours = ['ETag', 'X-Flowmatrix-Verified', 'Warning', 'Content-Disposition'];
  const ok = await request(app).get('/api/v1/export').query({ engine: 'kubernetes', namespace: 'monitoring' }).set('Authorization', AUTH).expect(200);
  const etag = String(ok.headers.etag);
  const notModified = await request(app).get('/api/v1/export').query({ engine: 'kubernetes', namespace: 'monitoring' }).set('Authorization', AUTH).set('If-None-Match', etag).expect(304);
  for (const [status, res] of [['200', ok], ['304', notModified]] as const) {
    for (const name of ours) if (res.headers[name.toLowerCase()] !== undefined) assert.ok(declared('/api/v1/export', status).includes(name), `the ${status} sends ${name}, undeclared`);
  }
  assert.equal(notModified.headers['x-flowmatrix-verified'], 'true');
});

test('a route without query parameters refuses any, naming it, as the others refuse unknown ones', async () => {
  const res = await request(app).get('/api/v1/matrices?limit=5').set('Authorization', AUTH).expect(400);
  assert.match(res.body.detail, /query\.limit is not a known parameter/);
  await request(app).get('/api/v1/matrices').set('Authorization', AUTH).expect(200);
  // An id past 2^53 cannot be told from its neighbour as a JavaScript number: refused, never looked up as another.
  const big = await request(app).get('/api/v1/reports/9007199254740993').set('Authorization', AUTH).expect(400);
  assert.match(big.body.detail, /params\.id must be <= 9007199254740991/);
});

test('every flowmatrix metric docs/operations.md names is exported by /metrics', async () => {
  const documented = [...new Set(readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8').match(/flowmatrix_[a-z_]+/g) ?? [])];
  assert.ok(documented.length >= 8, `found ${documented.length} names`);
  const text = (await request(app).get('/metrics').expect(200)).text;
  for (const name of documented) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is documented but not exported`);
});

test('health and readiness are public; readiness reports migrations', async () => {
  assert.deepEqual((await request(app).get('/healthz').expect(200)).body, { status: 'ok', version: 'test' });
  const r = await request(app).get('/readyz').expect(200);
  assert.equal(r.body.status, 'ready');
  assert.equal(r.body.checks.migrations.ok, true);
  assert.equal(r.body.checks.migrations.applied, r.body.checks.migrations.expected);
});

test('auth: missing token 401, wrong token 401, read token on a write 403, all problem+json with WWW-Authenticate', async () => {
  const missing = await request(app).get('/api/v1/workloads').expect(401);
  assert.equal(missing.type, 'application/problem+json');
  assert.equal(missing.body.status, 401);
  assert.match(missing.headers['www-authenticate'] as string, /^Bearer realm="flowmatrix"/);
  const wrong = await request(app).get('/api/v1/workloads').set('Authorization', 'Bearer not-the-right-token-at-all').expect(401);
  assert.match(wrong.headers['www-authenticate'] as string, /error="invalid_token"/);
  const forbidden = await request(app).post('/api/v1/flows').set('Authorization', AUTH).type('application/x-ndjson').send('{}\n').expect(403);
  assert.equal(forbidden.body.type, 'https://flowmatrix.io/problems/forbidden');
  assert.match(forbidden.headers['www-authenticate'] as string, /insufficient_scope/);
  assert.equal(forbidden.body.stack, undefined);
});

test('workloads: pages are stable and complete; unknown workload is 404', async () => {
  const all = await request(app).get('/api/v1/workloads?limit=1000').set('Authorization', AUTH).expect(200);
  const keys = (all.body.items as { key: string }[]).map((w) => w.key);
  assert.ok(keys.length >= 40);
  const tuples = (all.body.items as { namespace: string; kind: string; name: string }[]).map((w) => [w.namespace, w.kind, w.name].join('\0'));
  assert.deepEqual(tuples, [...tuples].sort());
  const paged: string[] = [];
  let cursor: string | undefined;
  do {
    const r = await request(app).get('/api/v1/workloads').query({ limit: 7, ...(cursor ? { cursor } : {}) }).set('Authorization', AUTH).expect(200);
    paged.push(...(r.body.items as { key: string }[]).map((w) => w.key));
    cursor = r.body.next;
  } while (cursor);
  assert.deepEqual(paged, keys);
  const [ns, kind, name] = (keys[0] as string).split('/');
  const one = await request(app).get(`/api/v1/workloads/${ns}/${kind}/${name}`).set('Authorization', AUTH).expect(200);
  assert.equal(one.body.key, keys[0]);
  const nf = await request(app).get('/api/v1/workloads/default/Deployment/does-not-exist').set('Authorization', AUTH).expect(404);
  assert.equal(nf.type, 'application/problem+json');
  assert.match(nf.body.detail, /default\/Deployment\/does-not-exist/);
  const badKind = await request(app).get('/api/v1/workloads/default/Widget/x').set('Authorization', AUTH).expect(400);
  assert.equal(badKind.body.errors[0].path, 'params.kind');
  // As everywhere (docs/api.md), the kind in any case or as kubectl names it.
  for (const alias of [kind!.toLowerCase(), kind!.toUpperCase()]) {
    const same = await request(app).get(`/api/v1/workloads/${ns}/${alias}/${name}`).set('Authorization', AUTH).expect(200);
    assert.equal(same.body.key, keys[0]);
  }
  const deploy = keys.find((k) => k.split('/')[1] === 'Deployment')!.split('/');
  await request(app).get(`/api/v1/workloads/${deploy[0]}/deploy/${deploy[2]}`).set('Authorization', AUTH).expect(200);
  await request(app).get(`/api/v1/recommendations/${deploy[0]}/deploy/${deploy[2]}?engine=kubernetes`).set('Authorization', AUTH).expect(200);
});

test('edges: keyset pages in (client, server, port, protocol) order match the CLI listing; filters; bad cursor 400', async () => {
  const cliEdges = JSON.parse((await cli(['edges', '--output', 'json'])).out) as { client: string; server: string; port: number; protocol: string }[];
  const seen: typeof cliEdges = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await request(app).get('/api/v1/edges').query({ limit: 50, ...(cursor ? { cursor } : {}) }).set('Authorization', AUTH).expect(200);
    seen.push(...r.body.items);
    cursor = r.body.next;
    pages++;
  } while (cursor);
  assert.equal(seen.length, cliEdges.length);
  assert.equal(pages, Math.ceil(cliEdges.length / 50));
  assert.deepEqual(seen, cliEdges);
  const ns = 'kube-system';
  const nsCli = JSON.parse((await cli(['edges', '--output', 'json', '--namespace', ns])).out) as unknown[];
  const nsApi = await request(app).get('/api/v1/edges').query({ namespace: ns, limit: 1000 }).set('Authorization', AUTH).expect(200);
  assert.ok(nsCli.length > 0);
  assert.deepEqual(nsApi.body.items, nsCli);
  const wl = JSON.parse((await cli(['edges', '--output', 'json', '--workload', 'coredns'])).out) as unknown[];
  const wlApi = await request(app).get('/api/v1/edges').query({ workload: 'coredns', limit: 1000 }).set('Authorization', AUTH).expect(200);
  assert.ok(wl.length > 0);
  assert.deepEqual(wlApi.body.items, wl);
  const future = await request(app).get('/api/v1/edges').query({ since: '2030-01-01T00:00:00Z' }).set('Authorization', AUTH).expect(200);
  assert.deepEqual(future.body.items, []);
  const bad = await request(app).get('/api/v1/edges').query({ cursor: 'garbage!' }).set('Authorization', AUTH).expect(400);
  assert.equal(bad.body.errors[0].path, 'query.cursor');
  const unknownParam = await request(app).get('/api/v1/edges').query({ colour: 'red' }).set('Authorization', AUTH).expect(400);
  assert.equal(unknownParam.body.errors[0].path, 'query.colour');
});

test('export: byte-identical to `flowmatrix export`, with Content-Disposition and ETag/304', async () => {
  for (const engine of ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy']) {
    const expected = await cli(['export', '--engine', engine, '--namespace', 'monitoring']);
    assert.equal(expected.code, 0);
    const r = await request(app).get('/api/v1/export').query({ engine, namespace: 'monitoring' }).set('Authorization', AUTH).buffer(true).parse((res, cb) => {
      let s = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (s += c));
      res.on('end', () => cb(null, s));
    }).expect(200);
    assert.ok((expected.out as string).length > 100, engine);
    assert.equal(r.body, expected.out, `${engine} export differs from the CLI`);
    assert.match(r.headers['content-type'] as string, /^application\/yaml/);
    assert.equal(r.headers['content-disposition'], `attachment; filename="flowmatrix-${engine}-monitoring.yaml"`);
    const etag = r.headers.etag as string;
    assert.match(etag, /^"[A-Za-z0-9_-]{32}"$/);
    await request(app).get('/api/v1/export').query({ engine, namespace: 'monitoring' }).set('Authorization', AUTH).set('If-None-Match', etag).expect(304);
  }
  const whole = await cli(['export', '--engine', 'kubernetes']);
  const api = await request(app).get('/api/v1/export?engine=kubernetes').set('Authorization', AUTH).expect(200);
  assert.equal(api.text, whole.out);
  const bundle = await request(app).get('/api/v1/export?engine=kubernetes&namespace=monitoring&format=bundle').set('Authorization', AUTH).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  }).expect(200);
  const tar = bundle.body as Buffer;
  assert.equal(tar.length % 512, 0);
  assert.equal(tar.subarray(257, 262).toString(), 'ustar');
  assert.match(tar.subarray(0, 100).toString().replace(/\0+$/, ''), /^monitoring\/networkpolicy-.+\.yaml$/);
});

test('export: the offered file name is that of what is exported, however the one workload was spelled (docs/api.md Export)', async () => {
  const one = (await request(app).get('/api/v1/workloads?limit=1000').set('Authorization', AUTH).expect(200)).body.items as { namespace: string; kind: string; name: string }[];
  const byName = new Map<string, number>();
  for (const w of one) byName.set(w.name, (byName.get(w.name) ?? 0) + 1);
  const w = one.find((x) => byName.get(x.name) === 1 && x.kind === 'Deployment')!;
  const expected = `attachment; filename="flowmatrix-kubernetes-${w.namespace}-deployment-${w.name}.yaml"`;
  for (const query of [{ workload: w.name }, { workload: `deploy/${w.name}` }, { namespace: w.namespace, workload: w.name }, { namespace: w.namespace, workload: `Deployment/${w.name}` }]) {
    const r = await request(app).get('/api/v1/export').query({ engine: 'kubernetes', allowUnverified: 'true', ...query }).set('Authorization', AUTH).expect(200);
    assert.equal(r.headers['content-disposition'], expected, JSON.stringify(query));
  }
});

test('recommendations: unknown engine 400, one workload with evidence, unknown workload 404, same JSON as the CLI', async () => {
  const bad = await request(app).get('/api/v1/recommendations?engine=iptables').set('Authorization', AUTH).expect(400);
  assert.equal(bad.type, 'application/problem+json');
  assert.deepEqual(bad.body.errors, [{ path: 'query.engine', message: 'must be one of kubernetes, cilium, calico, clusternetworkpolicy', value: 'iptables' }]);
  const missing = await request(app).get('/api/v1/recommendations').set('Authorization', AUTH).expect(400);
  assert.equal(missing.body.errors[0].path, 'query.engine');
  const list = await request(app).get('/api/v1/recommendations?engine=cilium&namespace=monitoring&limit=200').set('Authorization', AUTH).expect(200);
  const cliJson = JSON.parse((await cli(['recommend', '--engine', 'cilium', '--namespace', 'monitoring', '--output', 'json'])).out);
  assert.equal(list.body.next, undefined, 'one page holds the namespace');
  assert.deepEqual(list.body.items, cliJson.workloads);
  for (const k of ['engine', 'now', 'options', 'warnings', 'namespaces', 'engineWarnings']) assert.deepEqual(list.body[k], cliJson[k], k);
  const w = (list.body.items as { workload: { namespace: string; kind: string; name: string } }[])[0]!.workload;
  const one = await request(app).get(`/api/v1/recommendations/${w.namespace}/${w.kind}/${w.name}?engine=kubernetes&egress=false`).set('Authorization', AUTH).expect(200);
  assert.deepEqual(one.body.workload, w);
  assert.equal(one.body.options.egress, false);
  assert.ok(Array.isArray(one.body.rules));
  await request(app).get('/api/v1/recommendations/monitoring/Deployment/nope?engine=kubernetes').set('Authorization', AUTH).expect(404);
});

test('drift: applied demo policies against the recommendation', async () => {
  const r = await request(app).get('/api/v1/drift?engine=kubernetes').set('Authorization', AUTH).expect(200);
  const s = r.body.summary;
  assert.equal(s.recommended, s.inSync + s.missing + s.differing);
  // Applied policies an operator owns are neither extra nor compared (docs/api.md, Drift: ownedByOperator).
  assert.equal(s.applied, s.inSync + s.extra + s.differing + (s.ownedByOperator ?? 0));
  assert.equal(s.ownedByOperator, r.body.ownedByOperator.length, 'the demo holds NetObserv and Kyma Telemetry policies their operators own');
  assert.ok(s.applied > 0, 'the demo inventory carries applied NetworkPolicies');
  for (const e of r.body.extra) assert.equal(e.kind, 'NetworkPolicy');
});

test('flows: NDJSON ingest answers the CLI summary; bad lines counted; oversized body 413', async () => {
  const lines = readFileSync(`${DEMO_DIR}netobserv.ndjson`, 'utf8').split('\n').slice(0, 20).join('\n');
  const body = `${lines}\nnot json\n{"truncated":`;
  const r = await request(app).post('/api/v1/flows?format=netobserv').set('Authorization', WAUTH).type('application/x-ndjson').send(body).expect(200);
  assert.equal(r.body.records, 22);
  assert.equal(r.body.accepted, 20);
  assert.equal(r.body.rejected, 2);
  assert.deepEqual(r.body.rejects, { 'invalid-json': 1, truncated: 1 });
  assert.equal(r.body.edgesTotal, new EdgeStore(db).count());
  assert.equal(r.body.inputs[0].status, 'done');
  // application/json-seq is RFC 7464: a record separator before each record.
  const seq = lines.split('\n').map((l) => `\x1e${l}\n`).join('');
  const asSeq = await request(app).post('/api/v1/flows?format=netobserv').set('Authorization', WAUTH).type('application/json-seq').send(seq).expect(200);
  assert.deepEqual([asSeq.body.records, asSeq.body.accepted, asSeq.body.rejected], [20, 20, 0]);
  const garbage = await request(app).post('/api/v1/flows?format=netobserv').set('Authorization', WAUTH).type('application/x-ndjson').send('not json\n{"SrcAddr":"10.0.0.1"}\n').expect(422);
  assert.equal(garbage.type, 'application/problem+json');
  assert.deepEqual([garbage.body.summary.records, garbage.body.summary.rejected], [2, 2]);
  assert.deepEqual(garbage.body.errors.map((e: { path: string }) => e.path), ['body line 1', 'body line 2']);
  const wrongType = await request(app).post('/api/v1/flows').set('Authorization', WAUTH).type('application/xml').send('<x/>').expect(415);
  assert.equal(wrongType.type, 'application/problem+json');
  // The records are read as they stream: a compressed body is refused, not parsed as records (and no run is left behind).
  const runsBefore = (db.prepare('SELECT count(*) AS n FROM ingest_runs').get() as { n: number }).n;
  const gzipped = await request(app).post('/api/v1/flows').set('Authorization', WAUTH).type('application/x-ndjson').set('Content-Encoding', 'gzip').send(gzipSync(lines)).expect(415);
  assert.match(gzipped.body.detail, /Content-Encoding gzip is not accepted here/);
  assert.equal((db.prepare('SELECT count(*) AS n FROM ingest_runs').get() as { n: number }).n, runsBefore);
  const small = build({ maxFlowBodyBytes: 2048, maxBodyBytes: 2048 }).app;
  const big = await request(small).post('/api/v1/flows').set('Authorization', WAUTH).type('application/x-ndjson').send('x'.repeat(5000)).expect(413);
  assert.equal(big.type, 'application/problem+json');
  assert.equal(big.body.type, 'https://flowmatrix.io/problems/payload-too-large');
  const bigInv = await request(small).post('/api/v1/inventory').set('Authorization', WAUTH).type('application/json').send(`{"items":[${' '.repeat(5000)}]}`).expect(413);
  assert.equal(bigInv.body.status, 413);
});

test('inventory import: bad JSON and older snapshots are 422 problems; nothing imported', async () => {
  const bad = await request(app).post('/api/v1/inventory').set('Authorization', WAUTH).type('application/json').send('{"kind": "List", "items": [').expect(422);
  assert.equal(bad.type, 'application/problem+json');
  assert.match(bad.body.detail, /nothing was imported/);
  const old = await request(app)
    .post('/api/v1/inventory?takenAt=2020-01-01T00:00:00Z')
    .set('Authorization', WAUTH)
    .type('application/json')
    .send(readFileSync(`${DEMO_DIR}inventory.json`, 'utf8'))
    .expect(422);
  assert.match(old.body.detail, /nothing was imported/);
  const badTime = await request(app).post('/api/v1/inventory?takenAt=yesterday').set('Authorization', WAUTH).type('application/json').send('{}').expect(400);
  assert.equal(badTime.body.errors[0].path, 'query.takenAt');
  // A snapshot from the future would make every later import look older: refused (the service's clock is 2026-11-21).
  const imports = db.prepare('SELECT COUNT(*) AS n FROM inventory_imports').get() as { n: number };
  const future = await request(app).post('/api/v1/inventory?takenAt=2999-01-01T00:00:00Z').set('Authorization', WAUTH).type('application/json').send('{"kind":"List","apiVersion":"v1","items":[]}').expect(422);
  assert.match(future.body.detail, /^takenAt 2999-01-01T00:00:00.000Z is later than now \(2026-11-21T00:00:00.000Z\) plus 15 minutes of clock skew: .*nothing was imported$/);
  assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM inventory_imports').get(), imports);
  // RFC 3339 allows a leap second, which a JavaScript Date cannot hold: refused at the door, naming the parameter.
  const leap = await request(app).post('/api/v1/inventory?takenAt=2026-12-31T23:59:60Z').set('Authorization', WAUTH).type('application/json').send('{}').expect(400);
  assert.deepEqual(leap.body.errors[0], { path: 'query.takenAt', message: 'must match format "date-time"', value: '2026-12-31T23:59:60Z' });
  const since = await request(app).get('/api/v1/edges?since=2026-11-19T23:59:60Z').set('Authorization', AUTH).expect(400);
  assert.equal(since.body.errors[0].path, 'query.since');
  const word = await request(app).get('/api/v1/edges?since=yesterday').set('Authorization', AUTH).expect(400);
  assert.equal(word.body.errors[0].path, 'query.since');
});

test('GET /edges?since= takes a duration back from now as `edges --since` does (the service clock here is 2026-11-21T00:00Z)', async () => {
  const all = (await request(app).get('/api/v1/edges?limit=1000').set('Authorization', AUTH).expect(200)).body.items as { lastSeen: string }[];
  const byTime = (await request(app).get('/api/v1/edges?limit=1000&since=2026-11-20T12:00:00Z').set('Authorization', AUTH).expect(200)).body.items as unknown[];
  const byDuration = (await request(app).get('/api/v1/edges?limit=1000&since=12h').set('Authorization', AUTH).expect(200)).body.items as unknown[];
  assert.deepEqual(byDuration, byTime);
  assert.ok(byTime.length > 0 && byTime.length < all.length, `${byTime.length} of ${all.length}`);
  assert.deepEqual((await request(app).get('/api/v1/edges?limit=1000&since=1d12h').set('Authorization', AUTH).expect(200)).body.items, (await request(app).get('/api/v1/edges?limit=1000&since=2026-11-19T12:00:00Z').set('Authorization', AUTH).expect(200)).body.items);
});

test('a method a path is not served with is 405 with Allow; an unknown path 404; a repeated parameter names its values', async () => {
  const patch = await request(app).patch('/api/v1/edges').set('Authorization', WAUTH).expect(405);
  assert.equal(patch.type, 'application/problem+json');
  assert.equal(patch.headers.allow, 'DELETE, GET, HEAD');
  assert.equal(patch.body.type, 'https://flowmatrix.io/problems/method-not-allowed');
  const del = await request(app).delete('/api/v1/matrices/netobserv').set('Authorization', WAUTH).expect(405);
  assert.equal(del.headers.allow, 'GET, HEAD, PUT');
  await request(app).get('/api/v1/nope').set('Authorization', AUTH).expect(404);
  await request(app).get('/api/v1/matrices/a/b').set('Authorization', AUTH).expect(404);
  const twice = await request(app).get('/api/v1/edges?limit=5&limit=6').set('Authorization', AUTH).expect(400);
  assert.deepEqual(twice.body.errors[0], { path: 'query.limit', message: 'must be integer', value: ['5', '6'] });
});

test('matrices: list, get, validate, put (name must match), and 404', async () => {
  const list = await request(app).get('/api/v1/matrices').set('Authorization', AUTH).expect(200);
  const names = (list.body.items as { name: string }[]).map((m) => m.name);
  assert.ok(names.includes('netobserv'));
  const one = await request(app).get('/api/v1/matrices/netobserv').set('Authorization', AUTH).expect(200);
  assert.equal(one.body.name, 'netobserv');
  const source = await request(app).get('/api/v1/matrices/netobserv?format=source').set('Authorization', AUTH).expect(200);
  const text = readFileSync('matrices/netobserv.yaml', 'utf8');
  assert.equal(source.text, text);
  await request(app).get('/api/v1/matrices/nope').set('Authorization', AUTH).expect(404);
  const valid = await request(app).post('/api/v1/matrices/validate').set('Authorization', AUTH).type('application/yaml').send(text).expect(200);
  assert.equal(valid.body.valid, true);
  const invalid = await request(app).post('/api/v1/matrices/validate').set('Authorization', AUTH).type('application/yaml').send('apiVersion: flowmatrix.io/v1alpha1\nkind: CommunicationMatrix\n').expect(200);
  assert.equal(invalid.body.valid, false);
  assert.ok(invalid.body.problems.length > 0);
  const mismatch = await request(app).put('/api/v1/matrices/other').set('Authorization', WAUTH).type('application/yaml').send(text).expect(422);
  assert.equal(mismatch.body.errors[0].path, 'metadata.name');
  const put = await request(app).put('/api/v1/matrices/netobserv').set('Authorization', WAUTH).type('application/yaml').send(text).expect(201);
  assert.equal(put.body.overridesBuiltIn, true);
  assert.equal(put.body.created, true, 'docs/api.md: the body is {name, status, overridesBuiltIn, digest, created}');
  const again = await request(app).put('/api/v1/matrices/netobserv').set('Authorization', WAUTH).type('application/yaml').send(text).expect(200);
  assert.equal(again.body.status, 'unchanged');
  assert.equal(again.body.created, false);
});

test('a matrix the service\'s own config cannot take (a parameter it sets no longer declared, a value that would make a namespace no name) is refused with 422 and not stored, : it would leave every request 422 and the service unable to start', async () => {
  const { db: own, path: ownPath } = tmpDb();
  const matrix = (ns: string, params = '  ns: { type: string, default: shop, description: n }\n') => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shop-test, title: T }
documents: { doc: { title: D, file: d.txt } }
parameters:
${params}components:
  web:
    namespace: ${ns}
    selector: { matchLabels: { app: web } }
    ingress:
      - { peer: { namespace: shop }, ports: [{ port: 8080 }], level: must, purpose: p, source: { document: doc, line: 1 } }
`;
  const svc = createApp(testContext(own, ownPath, { tokens: [{ name: 'writer', secret: WRITE, scopes: ['read', 'write'] }], matrices: { systems: { 'shop-test': { parameters: { ns: 'a.b' } } } } })).app;
  const put = (text: string) => request(svc).put('/api/v1/matrices/shop-test').set('Authorization', WAUTH).type('application/yaml').send(text);
  // A matrix the config fits is stored (the config names it: before it, nothing fit).
  await put(matrix('shop')).expect(201);
  // `a.b` is a valid label value, but no namespace.
  const bad = await put(matrix('"${ns}"')).expect(422);
  assert.match(JSON.stringify(bad.body), /makes components\.web\.namespace \\"a\.b\\": namespace must be a DNS-1123 label/);
  const dropped = await put(matrix('shop', '  other: { type: string, default: x, description: o }\n')).expect(422);
  assert.match(JSON.stringify(dropped.body), /unknown parameter/);
  // Neither was stored: the service answers on with the matrix it had.
  await request(svc).get('/api/v1/matrices').set('Authorization', WAUTH).expect(200);
  const kept = await request(svc).get('/api/v1/matrices/shop-test?format=source').set('Authorization', WAUTH).expect(200);
  assert.match(kept.text, /namespace: shop\n/);
});

test('validate checks a matrix against the service\'s config as PUT does: what PUT would refuse is valid:false, each problem marked as the service config\'s, with why', async () => {
  const { db: own, path: ownPath } = tmpDb();
  const matrix = (o: { param?: string; role?: string; peer?: string; label?: string } = {}) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shop-test, title: T }
documents: { doc: { title: D } }
parameters:
  ${o.param ?? 'team'}: { type: string, default: shop, description: the team }
roles:
  ${o.role ?? 'payments'}: { description: the payment provider }
components:
  web:
    namespace: shop
    selector: { matchLabels: { app: web, team: "${o.label ?? '\${team}'}" } }
    ${o.peer ?? 'egress'}:
      - { peer: { role: ${o.role ?? 'payments'} }, ports: [{ port: 443 }], level: must, purpose: p, source: { document: doc, line: 1 } }
`;
  const svc = createApp(
    testContext(own, ownPath, {
      tokens: [{ name: 'writer', secret: WRITE, scopes: ['read', 'write'] }],
      matrices: { systems: { 'shop-test': { parameters: { team: 't'.repeat(64) } } }, bindings: { roles: { payments: { fqdns: ['pay.example.com'] } } } },
    }),
  ).app;
  const validate = async (text: string) => (await request(svc).post('/api/v1/matrices/validate').set('Authorization', WAUTH).type('application/yaml').send(text).expect(200)).body;
  const detail = 'the service config cannot take this matrix: storing it would leave every request refused';
  const fromConfig = (path: string, message: RegExp) => (p: { path: string; message: string; from: string }) => p.path === path && message.test(p.message) && p.from === 'service-config';

  // Not stored yet, the config binds a role no matrix declares; the first apply declaring it as an
  // ingress peer brings a new problem at the same path, which it causes: refused.
  const first = await validate(matrix({ peer: 'ingress', label: 'web' }));
  assert.ok(first.problems.some(fromConfig('matrices.bindings.roles.payments', /bound to DNS names, which identify destinations, not sources/)), JSON.stringify(first));
  // Stored as the config fits it: each change below breaks what fits (what the config lacks already is not the change's doing).
  await request(svc).put('/api/v1/matrices/shop-test').set('Authorization', WAUTH).type('application/yaml').send(matrix({ label: 'web' })).expect(201);
  // A value of the config renders a label value past 63 characters.
  const long = await validate(matrix());
  assert.equal(long.valid, false);
  assert.equal(long.detail, detail);
  assert.ok(long.problems.some(fromConfig('matrices.systems.shop-test.parameters["team"]', /^makes components\.web\.selector\.matchLabels\.team "t{64}": label value must be/)), JSON.stringify(long));
  // The parameter the config sets, renamed.
  const renamed = await validate(matrix({ param: 'squad', label: 'web' }));
  assert.ok(renamed.problems.some(fromConfig('matrices.systems.shop-test.parameters["team"]', /^unknown parameter \(known: squad\)/)), JSON.stringify(renamed));
  // The role the config binds, renamed.
  const role = await validate(matrix({ role: 'payment', label: 'web' }));
  assert.ok(role.problems.some(fromConfig('matrices.bindings.roles.payments', /^no matrix declares a role "payments"/)), JSON.stringify(role));
  // The role the config binds to DNS names, a peer of an ingress rule.
  const ingress = await validate(matrix({ peer: 'ingress', label: 'web' }));
  assert.ok(ingress.problems.some(fromConfig('matrices.bindings.roles.payments', /bound to DNS names, which identify destinations, not sources/)), JSON.stringify(ingress));
  // Each is what PUT refuses.
  for (const text of [matrix(), matrix({ param: 'squad', label: 'web' }), matrix({ role: 'payment', label: 'web' }), matrix({ peer: 'ingress', label: 'web' })]) {
    const put = await request(svc).put('/api/v1/matrices/shop-test').set('Authorization', WAUTH).type('application/yaml').send(text).expect(422);
    assert.equal(put.body.detail, detail);
  }
  // A problem of the document itself is the matrix's.
  const bad = await validate(matrix({ label: 'web', role: 'Payments' }));
  assert.equal(bad.detail, undefined);
  assert.ok(bad.problems.length > 0 && bad.problems.every((p: { from: string }) => p.from === 'matrix'), JSON.stringify(bad));
  // One the config fits is valid.
  const ok = await validate(matrix({ label: 'web' }));
  assert.deepEqual(ok, { valid: true, name: 'shop-test', components: 1, rules: 1, problems: [] });
});

test('malformed JSON, unknown routes and rate limits answer problem+json without a stack', async () => {
  const notFound = await request(app).get('/api/v1/nothing').set('Authorization', AUTH).expect(404);
  assert.equal(notFound.type, 'application/problem+json');
  assert.deepEqual(Object.keys(notFound.body).sort(), ['detail', 'instance', 'status', 'title', 'type']);
  const limited = build({ rateLimit: { requests: 2, windowSeconds: 60 } }).app;
  await request(limited).get('/api/v1/matrices').set('Authorization', AUTH).expect(200);
  await request(limited).get('/api/v1/matrices').set('Authorization', AUTH).expect(200);
  const r = await request(limited).get('/api/v1/matrices').set('Authorization', AUTH).expect(429);
  assert.ok(Number(r.headers['retry-after']) >= 1);
  // Failed authentications are limited per client address too: guessing tokens is not free.
  const guessed = build({ rateLimit: { requests: 2, windowSeconds: 60 } }).app;
  await request(guessed).get('/api/v1/matrices').set('Authorization', 'Bearer guess-0000000000000001').expect(401);
  await request(guessed).get('/api/v1/matrices').expect(401);
  await request(guessed).get('/api/v1/matrices').set('Authorization', 'Bearer guess-0000000000000002').expect(429);
  // Behind one proxy (trustProxy: 1) the client is the entry that proxy added, the last one: what a
  // client writes in front of it changes nothing (with `true` Express takes the first, the client's own).
  const proxied = build({ rateLimit: { requests: 2, windowSeconds: 60 }, trustProxy: 1 }).app;
  for (const [i, status] of [[1, 401], [2, 401], [3, 429]] as const) {
    await request(proxied).get('/api/v1/matrices').set('X-Forwarded-For', `10.1.${i}.1, 192.0.2.9`).set('Authorization', 'Bearer guess-0000000000000001').expect(status);
  }
  await request(proxied).get('/api/v1/matrices').set('X-Forwarded-For', '192.0.2.10').set('Authorization', AUTH).expect(200);
  const id = await request(app).get('/healthz').set('X-Request-Id', 'abc-123').expect(200);
  assert.equal(id.headers['x-request-id'], 'abc-123');
  const metrics = await request(app).get('/metrics').expect(200);
  assert.match(metrics.text, /flowmatrix_http_request_duration_seconds_count\{route="\/healthz",method="GET",status="200"\} \d+/);
  // Counted from the store: the demo's ingest and the API's upload alike.
  const netobserv = ingestTotals(db).find((t) => t.format === 'netobserv');
  assert.ok(netobserv && netobserv.accepted >= 20);
  assert.match(metrics.text, new RegExp(`flowmatrix_ingest_records_total\\{source="netobserv",outcome="accepted"\\} ${netobserv.accepted}\n`));
  assert.match(metrics.text, /flowmatrix_recommendation_duration_seconds_count\{engine="kubernetes",kind="export"\} \d+/);
});
