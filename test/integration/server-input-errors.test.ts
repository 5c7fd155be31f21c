/**
 * Matrix, inventory and config input errors are the client's: 4xx problem+json naming the place,
 * never a 500; and every route's scope is the one docs/api.md promises.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { ConfigError, loadServiceConfig } from '../../server/config/load.ts';
import { openDb } from '../../store/db.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDir } from '../helpers/tmp.ts';

function built() {
  return createApp(testContext(openDb(':memory:'), ':memory:'));
}

// A self-referencing alias and an alias bomb (yaml's toJS throws on both: maxAliasCount, circular alias).
const SELF_ALIAS = 'a: &x [*x]\n';
const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n') + '\n';

test('hostile or malformed matrix and inventory bodies get 4xx problem+json that names the problem, never 500', async () => {
  const { app } = built();
  const cases: { method: 'put' | 'post'; path: string; type: string; body: string; status: number; detail: RegExp }[] = [
    { method: 'put', path: '/api/v1/matrices/x', type: 'application/yaml', body: SELF_ALIAS, status: 422, detail: /invalid matrix/ },
    { method: 'put', path: '/api/v1/matrices/x', type: 'application/yaml', body: ALIAS_BOMB, status: 422, detail: /invalid matrix/ },
    { method: 'put', path: '/api/v1/matrices/x', type: 'application/yaml', body: '{{{', status: 422, detail: /invalid matrix/ },
    { method: 'put', path: '/api/v1/matrices/x', type: 'application/json', body: '{"a":', status: 422, detail: /invalid matrix/ },
    { method: 'post', path: '/api/v1/inventory', type: 'application/yaml', body: SELF_ALIAS, status: 422, detail: /not valid YAML \(document 1\)/ },
    { method: 'post', path: '/api/v1/inventory', type: 'application/yaml', body: ALIAS_BOMB, status: 422, detail: /not valid YAML \(document 1\)/ },
    { method: 'post', path: '/api/v1/inventory', type: 'application/json', body: '{"a":', status: 422, detail: /not valid JSON/ },
    { method: 'post', path: '/api/v1/inventory', type: 'application/json', body: '[1,2]', status: 422, detail: /\[0\]: expected a Kubernetes object or List/ },
  ];
  for (const c of cases) {
    const res = await request(app)[c.method](c.path).set('Content-Type', c.type).send(c.body);
    const what = `${c.method} ${c.path} ${JSON.stringify(c.body.slice(0, 30))}`;
    assert.equal(res.status, c.status, `${what}: ${res.text}`);
    assert.equal(res.type, 'application/problem+json', what);
    assert.match(res.body.detail, c.detail, what);
    if (c.path.includes('matrices')) assert.match(res.body.errors[0].message, /^YAML: |^YAML|JSON/, what);
  }
  const validate = await request(app).post('/api/v1/matrices/validate').set('Content-Type', 'application/yaml').send(SELF_ALIAS);
  assert.equal(validate.status, 200);
  assert.equal(validate.body.valid, false);
});

test('a matrix document past 1 MiB (50,000 components: 30 s of YAML parsing on the event loop before) is refused with 413 before it is parsed, on PUT and on validate; a duplicate key is still found', async () => {
  const { app } = built();
  const big = `apiVersion: flowmatrix.io/v1alpha1\nkind: CommunicationMatrix\nmetadata: {name: many}\ncomponents:\n${Array.from({ length: 50_000 }, (_, i) => `  c${i}: {namespace: ns, selector: {matchLabels: {a: b}}}\n`).join('')}`;
  for (const [method, path] of [['put', '/api/v1/matrices/many'], ['post', '/api/v1/matrices/validate']] as const) {
    const start = Date.now();
    const res = await request(app)[method](path).set('Content-Type', 'application/yaml').send(big);
    assert.equal(res.status, 413, `${method} ${path}`);
    assert.equal(res.body.type, 'https://flowmatrix.io/problems/payload-too-large');
    assert.match(res.body.detail, /a matrix document is at most 1048576 bytes \(1 MiB\); this one is \d+/);
    assert.ok(Date.now() - start < 2_000, `answered in ${Date.now() - start} ms`);
  }
  const dup = await request(app).post('/api/v1/matrices/validate').set('Content-Type', 'application/yaml').send('apiVersion: a\nkind: b\napiVersion: c\n');
  assert.equal(dup.status, 200);
  assert.ok((dup.body.problems as { message: string }[]).some((p) => /Map keys must be unique/.test(p.message)), JSON.stringify(dup.body));
});

test('a config file with a self-referencing alias is a ConfigError naming the file, not a crash', () => {
  const dir = tmpDir();
  const file = `${dir}/config.yaml`;
  writeFileSync(file, `server: &s {port: 8080, x: *s}\n`);
  assert.throws(() => loadServiceConfig({ file, env: {} }), (e: unknown) => e instanceof ConfigError && /config\.yaml/.test(e.message) && /YAML: an alias refers to a node that contains it/.test(e.message));
});

test('a service config with a YAML syntax error names the file and the line', () => {
  const file = `${tmpDir()}/config.yaml`;
  writeFileSync(file, 'server:\n  port: 8080\n  port: 8081\n');
  assert.throws(() => loadServiceConfig({ file, env: {} }), (e: unknown) => e instanceof ConfigError && /config\.yaml: invalid service config/.test(e.message) && /\(document\) \(line 3\): YAML: Map keys must be unique/.test(e.message));
});

test('a number YAML reads as infinite is shown as written, not as JSON\'s null', () => {
  const file = `${tmpDir()}/config.yaml`;
  writeFileSync(file, 'server:\n  maxBodyBytes: 1e400\n');
  assert.throws(() => loadServiceConfig({ file, env: {} }), (e: unknown) => e instanceof ConfigError && /server\.maxBodyBytes \(line 2\): .*; got Infinity/.test(e.message));
});

/** The endpoints table of docs/api.md: method, path (no query), scope. */
function documentedScopes(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8').split('\n')) {
    const m = /^\| (GET|POST|PUT|DELETE|PATCH) \| `([^`?]+)[^`]*` \| (read|write) \|/.exec(line);
    if (m) rows.set(`${m[1]} ${m[2]}`, m[3]!);
  }
  return rows;
}

test('every API route has the scope docs/api.md documents for it, and the table lists every route', () => {
  const { routes } = built();
  const documented = documentedScopes();
  const actual = new Map(routes.filter((r) => r.path.startsWith('/api/')).map((r) => [`${r.method.toUpperCase()} ${r.path}`, r.scope ?? 'none']));
  assert.ok(actual.size >= 15, `only ${actual.size} API routes`);
  assert.deepEqual([...actual.entries()].sort(), [...documented.entries()].sort());
});

test('a body that is not in the Content-Encoding it claims (gzip, br) is the client\'s error: 400 bad-request naming it, not a 500', async () => {
  const { app } = built();
  for (const encoding of ['gzip', 'br']) {
    const res = await request(app).post('/api/v1/inventory').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send('xx');
    assert.equal(res.status, 400, `${encoding}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.type, 'https://flowmatrix.io/problems/bad-request');
    assert.match(res.body.detail, /^the request body could not be read: /);
  }
});

test('a flow upload whose body is gzip-compressed without Content-Encoding: 415 saying so, for an HTTP client, and no edge stored', async () => {
  const db = openDb(':memory:');
  const { app } = createApp(testContext(db, ':memory:'));
  const line = JSON.stringify({ SrcAddr: '10.244.1.10', DstAddr: '10.244.1.20', DstPort: 8080, Proto: 6, TimeFlowEndMs: 1_700_000_000_000 });
  const res = await request(app).post('/api/v1/flows?format=netobserv').set('Content-Type', 'application/x-ndjson').send(gzipSync(`${line}\n`));
  assert.equal(res.status, 415, JSON.stringify(res.body));
  assert.equal(res.body.type, 'https://flowmatrix.io/problems/unsupported-media-type');
  assert.match(res.body.detail, /gzip-compressed .*send the records uncompressed/);
  assert.doesNotMatch(res.body.detail, /zcat|flowmatrix ingest/, 'no CLI advice to an HTTP client');
  assert.equal((db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n, 0);
});
