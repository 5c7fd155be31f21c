/**
 * `flowmatrix export` writes its YAML document by document (a whole cluster's YAML is never one
 * string): on every engine the pieces it hands to stdout are whole documents, more
 * than one for an output over 64 Ki characters, and together byte-identical to the one-string
 * rendering, to `recommend --output yaml` and to GET /export. `--out DIR` writes the same
 * documents, one file each. The demo cluster in a real SQLite file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { test } from 'node:test';
import request from 'supertest';
import { main } from '../../cli/main.ts';
import { manifestPath } from '../../app/export-files.ts';
import { recommendFromStore, recommendOptions } from '../../app/recommendation.ts';
import { ENGINE_NAMES, toYaml } from '../../recommender/engines/index.ts';
import { toMultiDocYaml, writeMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { createApp } from '../../server/app.ts';
import { openDb } from '../../store/db.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { testContext } from '../helpers/service.ts';
import { slowReader } from '../helpers/slow-reader.ts';
import { tmpDir } from '../helpers/tmp.ts';

const dbPath = await demoDb();

/** Runs the CLI, keeping each piece it wrote to stdout. */
async function pieces(args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  let err = '';
  const code = await main(['node', 'flowmatrix', ...args, '--db', dbPath], { out: (t) => void out.push(t), err: (t) => void (err += t), stdin: process.stdin });
  return { code, out, err };
}

const CHUNK = 1 << 16;

test('writeMultiDocYaml hands out whole documents in pieces of about 64 Ki characters, together the one-string rendering', () => {
  const docs = Array.from({ length: 3000 }, (_, i) => ({ kind: 'NetworkPolicy', metadata: { name: `p-${i}`, labels: { n: String(i) } }, spec: { podSelector: {} } }));
  const got: string[] = [];
  writeMultiDocYaml(docs, (t) => void got.push(t));
  assert.equal(got.join(''), toMultiDocYaml(docs));
  assert.ok(got.length > 1, `${got.length} piece(s)`);
  const longest = Math.max(...docs.map((d) => toYaml(d).length + 4));
  for (const p of got) {
    assert.ok(p.startsWith('---\n'), 'a piece starts with a document');
    assert.ok(p.length < CHUNK + longest, `${p.length} characters`);
  }
  for (const p of got.slice(0, -1)) assert.ok(p.length >= CHUNK);
  const none: string[] = [];
  writeMultiDocYaml([], (t) => void none.push(t));
  assert.deepEqual(none, []);
});

test('export on every engine: stdout written in pieces, byte-identical to the one-string rendering, recommend --output yaml and GET /export', async () => {
  const db = openDb(dbPath);
  const built = createApp(testContext(db, dbPath));
  try {
    for (const engine of ENGINE_NAMES) {
      const exported = await pieces(['export', '--engine', engine, '--allow-unverified']);
      assert.ok(exported.code === 0 || exported.code === 2, `${engine}: exit ${exported.code} ${exported.err.slice(0, 300)}`);
      const text = exported.out.join('');
      const { emitted } = recommendFromStore(db, {}, engine, recommendOptions({}), { details: false });
      assert.equal(text, toMultiDocYaml(emitted.manifests), engine);
      assert.ok(text.length > CHUNK, `${engine}: the demo export is over one piece (${text.length})`);
      assert.ok(exported.out.length > 1 && exported.out.every((p) => p.length < text.length), `${engine}: ${exported.out.length} pieces`);
      const recommended = await pieces(['recommend', '--engine', engine, '--allow-unverified']);
      assert.equal(recommended.out.join(''), text, `${engine}: recommend --output yaml`);
      const api = await request(built.app).get(`/api/v1/export?engine=${engine}&allowUnverified=true`).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      assert.equal(api.status, 200);
      assert.equal((api.body as Buffer).toString('utf8'), text, `${engine}: GET /export`);
    }
  } finally {
    await built.close();
    db.close();
  }
});

test('GET /export?namespace=&workload= answers the bytes of `flowmatrix export -n NS --workload W`', async () => {
  const db = openDb(dbPath);
  const built = createApp(testContext(db, dbPath));
  try {
    const exported = await pieces(['export', '--engine', 'kubernetes', '-n', 'shop', '--workload', 'deploy/cart', '--allow-unverified']);
    assert.ok(exported.code === 0 || exported.code === 2, exported.err.slice(0, 300));
    const text = exported.out.join('');
    assert.match(text, /name: shop-deployment-cart\n/);
    const api = await request(built.app).get('/api/v1/export?engine=kubernetes&namespace=shop&workload=deploy/cart&allowUnverified=true').expect(200);
    assert.equal(api.text, text);
  } finally {
    await built.close();
    db.close();
  }
});

test('export, recommend --output yaml and --output json to a slow reader (a pipe): the bytes written through out, taken at the reader\'s pace', async () => {
  for (const args of [['export', '--engine', 'calico'], ['recommend', '--engine', 'cilium'], ['recommend', '--engine', 'kubernetes', '--output', 'json']]) {
    const reader = slowReader(4096);
    let err = '';
    const code = await main(['node', 'flowmatrix', ...args, '--allow-unverified', '--db', dbPath], { out: (t) => void reader.stream.write(t), err: (t) => void (err += t), stdin: new PassThrough(), outStream: reader.stream });
    await new Promise<void>((resolve) => reader.stream.end(resolve));
    assert.ok(code === 0 || code === 2, `${args.join(' ')}: exit ${code} ${err.slice(0, 300)}`);
    const direct = await pieces(args.concat('--allow-unverified'));
    assert.ok(reader.text() === direct.out.join(''), `${args.join(' ')}: the same bytes through the stream`);
    assert.ok(direct.out.join('').length > CHUNK, `${args.join(' ')}: more than one piece`);
    // Written at once, the stream would have buffered the whole output.
    assert.ok(reader.mostWaiting() < 2 * CHUNK * 2, `${args.join(' ')}: ${reader.mostWaiting()} bytes waited in the stream`);
  }
});

test('export --out DIR: one file per manifest with the document stdout carries; a second run changes nothing', async () => {
  const dir = join(tmpDir(), 'policies');
  const first = await pieces(['export', '--engine', 'cilium', '--out', dir, '--allow-unverified']);
  const summary = JSON.parse(first.out.join('')) as { files: number; added: string[]; unchanged: number };
  const stdout = (await pieces(['export', '--engine', 'cilium', '--allow-unverified'])).out.join('');
  const docs = stdout.split(/^---\n/m).slice(1);
  assert.equal(summary.files, docs.length);
  assert.equal(summary.added.length, docs.length);
  const db = openDb(dbPath);
  try {
    const { emitted } = recommendFromStore(db, {}, 'cilium', recommendOptions({}), { details: false });
    for (const m of emitted.manifests) assert.equal(readFileSync(join(dir, manifestPath(m)), 'utf8'), toYaml(m), manifestPath(m));
    assert.deepEqual(emitted.manifests.map((m) => toYaml(m)), docs);
  } finally {
    db.close();
  }
  const again = JSON.parse((await pieces(['export', '--engine', 'cilium', '--out', dir, '--allow-unverified'])).out.join('')) as { added: string[]; changed: string[]; unchanged: number };
  assert.deepEqual([again.added, again.changed, again.unchanged], [[], [], docs.length]);
});

test('export --max-edges: a store with more edges is refused before it is read (exit 1, the count and the limit said); the flag takes a positive integer', async () => {
  const db = openDb(dbPath);
  const edges = (db.prepare('SELECT count(*) AS n FROM edges').get() as { n: number }).n;
  db.close();
  const refused = await pieces(['export', '--engine', 'kubernetes', '--max-edges', String(edges - 1)]);
  assert.equal(refused.code, 1);
  assert.deepEqual(refused.out, []);
  assert.match(refused.err, new RegExp(`the store holds ${edges} edges, more than one recommendation reads \\(${edges - 1}`));
  const exact = await pieces(['export', '--engine', 'kubernetes', '--max-edges', String(edges), '--allow-unverified']);
  assert.ok(exact.code === 0 || exact.code === 2, exact.err.slice(0, 300));
  for (const bad of ['0', 'many', '1.5']) {
    const r = await pieces(['export', '--engine', 'kubernetes', '--max-edges', bad]);
    assert.equal(r.code, 1, bad);
    assert.match(r.err, /--max-edges must be a positive integer/);
  }
  // recommend takes it too (docs/ingest.md), in both outputs.
  for (const output of ['yaml', 'json']) {
    const r = await pieces(['recommend', '--engine', 'kubernetes', '-o', output, '--max-edges', String(edges - 1)]);
    assert.equal(r.code, 1, output);
    assert.match(r.err, new RegExp(`the store holds ${edges} edges, more than one recommendation reads \\(${edges - 1}`), output);
  }
});
