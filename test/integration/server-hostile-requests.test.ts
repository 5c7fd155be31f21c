/**
 * Requests a client can send to hurt the service: each gets a 4xx problem naming what is wrong,
 * logged as the client's error, never a 500 with a stack.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { openDb } from '../../store/db.ts';
import { loadServiceConfig } from '../../server/config/load.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDir } from '../helpers/tmp.ts';

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

/** `x: [1,1,1,…]`: two bytes and three tokens an item, and a node of yaml's Document (about 1 KB of heap) each. */
const denseYaml = (items: number): string => `x: [${Array(items).fill('1').join(',')}]\n`;
const CLUSTER = new URL('../fixtures/inventory/cluster.json', import.meta.url);

test('YAML past the token cap is refused with 413 before it is parsed, on every route that parses YAML bodies, naming the cap and what to send instead', async () => {
  const app = createApp(testContext(openDb(':memory:'), ':memory:')).app;
  const dense = denseYaml(150_000); // 300 kB: 450,007 tokens as yaml's Lexer counts them
  const cases = [
    { method: 'post', path: '/api/v1/inventory', type: 'application/yaml', body: dense, detail: /^the inventory is YAML of more than 200000 tokens .*send it as JSON \(kubectl get … -o json\)/ },
    { method: 'put', path: '/api/v1/matrices/x', type: 'application/yaml', body: dense, detail: /^PUT \/api\/v1\/matrices\/x: a matrix document is at most 200000 YAML tokens/ },
    { method: 'post', path: '/api/v1/matrices/validate', type: 'application/yaml', body: dense, detail: /^body: a matrix document is at most 200000 YAML tokens/ },
    { method: 'post', path: '/api/v1/simulate', type: 'application/json', body: JSON.stringify({ policies: dense, flows: [] }), detail: /^policies: YAML of more than 200000 tokens .*send the manifests as a JSON array/ },
  ] as const;
  for (const c of cases) {
    const res = await request(app)[c.method](c.path).set('Content-Type', c.type).send(c.body);
    assert.equal(res.status, 413, `${c.method} ${c.path}: ${res.text.slice(0, 300)}`);
    assert.equal(res.body.type, 'https://flowmatrix.io/problems/payload-too-large');
    assert.match(res.body.detail, c.detail);
  }
});

test('JSON-looking text that JSON.parse refuses and that is too large to read as flow-style YAML is a 422 with the JSON error (a truncated kubectl -o json upload), never told to send JSON', async () => {
  const app = createApp(testContext(openDb(':memory:'), ':memory:')).app;
  const truncated = `{"apiVersion":"v1","kind":"List","items":[${Array(100_000).fill('{"a":1}').join(',')}`;
  const res = await request(app).post('/api/v1/inventory').set('Content-Type', 'application/json').send(truncated);
  assert.equal(res.status, 422, res.text.slice(0, 300));
  assert.match(res.body.detail, /^input is not valid JSON: .*\(read as flow-style YAML, it is YAML of more than 200000 tokens: not parsed\)/);
  assert.doesNotMatch(res.body.detail, /send it as JSON/);
});

test('an inventory in YAML under the cap is imported as before', async () => {
  const { stringify } = await import('yaml');
  const app = createApp(testContext(openDb(':memory:'), ':memory:')).app;
  const yaml = stringify(JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(CLUSTER, 'utf8'))));
  const res = await request(app).post('/api/v1/inventory').set('Content-Type', 'application/yaml').send(yaml);
  assert.equal(res.status, 200, res.text);
  assert.ok(Object.keys(res.body.objects).length > 0);
});

test('server.maxYamlTokens moves the cap: a cluster that sends large YAML inventories raises it, a stricter one lowers it', async () => {
  const { stringify } = await import('yaml');
  const yaml = stringify(JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(CLUSTER, 'utf8'))));
  const strict = createApp(testContext(openDb(':memory:'), ':memory:', { maxYamlTokens: 1000 })).app;
  const refused = await request(strict).post('/api/v1/inventory').set('Content-Type', 'application/yaml').send(yaml);
  assert.equal(refused.status, 413, refused.text.slice(0, 300));
  assert.match(refused.body.detail, /more than 1000 tokens .*server\.maxYamlTokens/);
  const raised = createApp(testContext(openDb(':memory:'), ':memory:', { maxYamlTokens: 2_000_000 })).app;
  assert.equal((await request(raised).post('/api/v1/inventory').set('Content-Type', 'application/yaml').send(denseYaml(150_000))).status, 422, 'parsed (and refused: no inventory), not cut at the default 200,000');
  const file = join(tmpDir(), 'config.yaml');
  writeFileSync(file, 'server: { maxYamlTokens: 50000 }\n');
  assert.equal(loadServiceConfig({ env: {}, file }).maxYamlTokens, 50_000);
});

/** `[[[…]]]` nested `levels` deep, as text: JSON.parse takes it, a recursive walk (JSON.stringify) overflows the stack. */
const nested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

test('YAML nested 5000 deep is a 422 naming the depth on every route that parses YAML bodies, as 600 levels are, never yaml\'s stack overflow', async () => {
  const app = createApp(testContext(openDb(':memory:'), ':memory:')).app;
  for (const deep of [`a: ${nested(5000)}\n`, `${'- '.repeat(5000)}x\n`]) {
    const cases = [
      { method: 'post', path: '/api/v1/inventory', type: 'application/yaml', body: deep },
      { method: 'put', path: '/api/v1/matrices/x', type: 'application/yaml', body: deep },
      // validate answers 200 with the problems (docs/api.md).
      { method: 'post', path: '/api/v1/matrices/validate', type: 'application/yaml', body: deep, status: 200 },
      { method: 'post', path: '/api/v1/simulate', type: 'application/json', body: JSON.stringify({ policies: deep, flows: [] }) },
    ] as const;
    for (const c of cases) {
      const res = await request(app)[c.method](c.path).set('Content-Type', c.type).send(c.body);
      const where = `${c.method} ${c.path} ${deep.slice(0, 8)}: ${res.text.slice(0, 300)}`;
      assert.equal(res.status, 'status' in c ? c.status : 422, where);
      assert.match(JSON.stringify(res.body), /nesting deeper than 512 levels/, where);
      assert.doesNotMatch(JSON.stringify(res.body), /call stack/, where);
    }
  }
});

test('policies or flows nested deeper than 512 levels in POST /simulate are refused with the inventory\'s 422, not a 500', async () => {
  const app = createApp(testContext(openDb(':memory:'), ':memory:')).app;
  for (const [field, body] of [
    ['policies', `{"policies": [{"kind": "NetworkPolicy", "spec": ${nested(100_000)}}], "flows": []}`],
    ['flows', `{"policies": [], "flows": [{"x": ${nested(100_000)}}]}`],
  ] as const) {
    const res = await request(app).post('/api/v1/simulate').set('Content-Type', 'application/json').send(body);
    assert.equal(res.status, 422, `${field}: ${res.text.slice(0, 300)}`);
    assert.equal(res.body.type, 'https://flowmatrix.io/problems/unprocessable-content');
    assert.equal(res.body.detail, `${field}: nesting deeper than 512 levels`);
  }
});
