/**
 * The committed malformed-input corpus (test/fixtures/malformed/), replayed over HTTP
 * (the real app through supertest) and through the CLI. Each input carries the outcome it must
 * get (flows.json, inventory.json); for every input: no crash, no hang (per-test timeout), no
 * internal-error text in any answer, and the stored data readable and unchanged (when nothing
 * was accepted) or only added to (when something was).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { testApp } from '../helpers/service.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const DIR = fileURLToPath(new URL('../fixtures/malformed/', import.meta.url));

interface FlowCase {
  input: string;
  format: string;
  why: string;
  accepted: number;
  rejected: number;
  records?: number;
  rejects?: Record<string, number>;
  field?: string;
  saturated?: number;
}

interface InventoryCase {
  input: string;
  why: string;
  status: number;
  mentions?: string;
}

const flowCases = JSON.parse(readFileSync(join(DIR, 'flows.json'), 'utf8')) as FlowCase[];
const inventoryCases = JSON.parse(readFileSync(join(DIR, 'inventory.json'), 'utf8')) as InventoryCase[];

/** A baseline every input is replayed on top of: what must stay readable and unchanged. */
const BASELINE = [
  { SrcAddr: '10.0.0.7', SrcPort: 41000, DstAddr: '10.0.0.8', DstPort: 5432, Proto: 6, TimeFlowEndMs: Date.UTC(2026, 10, 19), Flags: 2, Packets: 4, Bytes: 400 },
  { SrcAddr: '10.0.0.7', SrcPort: 41001, DstAddr: '203.0.113.9', DstPort: 443, Proto: 6, TimeFlowEndMs: Date.UTC(2026, 10, 19), Flags: 2 },
]
  .map((r) => JSON.stringify(r))
  .join('\n');

const INTERNAL = /internal server error|unexpected error|SqliteError|RangeError|TypeError|stack/i;

interface Summary {
  records: number;
  accepted: number;
  rejected: number;
  saturated: number;
  rejects: Record<string, number>;
  examples: { field?: string; message?: string }[];
}

function checkSummary(c: FlowCase, s: Summary, where: string): void {
  assert.equal(s.accepted, c.accepted, `${where} ${c.input} accepted (${c.why})`);
  assert.equal(s.rejected, c.rejected, `${where} ${c.input} rejected`);
  if (c.records !== undefined) assert.equal(s.records, c.records, `${where} ${c.input} records`);
  if (c.rejects) assert.deepEqual(s.rejects, c.rejects, `${where} ${c.input} rejects`);
  if (c.field !== undefined) assert.equal(s.examples[0]?.field, c.field, `${where} ${c.input} field`);
  if (c.saturated !== undefined) assert.equal(s.saturated, c.saturated, `${where} ${c.input} saturated`);
  if (c.rejected > 0 && c.field !== undefined) assert.ok(s.examples[0]?.message, `${where} ${c.input}: a reject says which rule it breaks`);
}

const edgeKey = (e: { client: string; server: string; port: number; protocol: string; flows: number; bytes: number }) => `${e.client}|${e.server}|${e.port}|${e.protocol}|${e.flows}|${e.bytes}`;

test(`the ${flowCases.length} malformed flow inputs over HTTP: the outcome each must get, no 5xx, the store readable and unchanged`, { timeout: 120_000 }, async () => {
  const { db, path } = tmpDb();
  const app = testApp(db, path);
  await request(app).post('/api/v1/flows').type('application/x-ndjson').send(`${BASELINE}\n`).expect(200);
  const listEdges = async (): Promise<string[]> => {
    const r = await request(app).get('/api/v1/edges?limit=1000').expect(200);
    assert.equal(r.body.skipped, undefined, 'no stored row is unreadable');
    return (r.body.items as Parameters<typeof edgeKey>[0][]).map(edgeKey);
  };
  for (const c of flowCases) {
    const before = await listEdges();
    const body = readFileSync(join(DIR, c.input), 'utf8');
    const res = await request(app).post(`/api/v1/flows?format=${c.format}`).type('application/x-ndjson').send(body);
    assert.ok(res.status < 500, `${c.input}: HTTP ${res.status}`);
    assert.doesNotMatch(res.text, INTERNAL, c.input);
    const nothing = c.accepted === 0 && c.rejected > 0;
    assert.equal(res.status, nothing ? 422 : 200, `${c.input}: ${res.text.slice(0, 300)}`);
    checkSummary(c, (nothing ? res.body.summary : res.body) as Summary, 'HTTP');
    const after = await listEdges();
    if (c.accepted === 0) assert.deepEqual(after, before, `${c.input}: nothing accepted, nothing changed`);
    else for (const k of before.map((x) => x.split('|').slice(0, 4).join('|'))) assert.ok(after.some((a) => a.startsWith(k)), `${c.input}: edge ${k} still there`);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
  // Every read over the store still answers.
  for (const path of ['/api/v1/recommendations?engine=kubernetes', '/api/v1/recommendations?engine=cilium', '/api/v1/drift?engine=kubernetes']) {
    const r = await request(app).get(path);
    assert.ok(r.status < 500, `${path}: ${r.status} ${r.text.slice(0, 200)}`);
  }
});

test(`the ${flowCases.length} malformed flow inputs through the CLI: the same outcomes, exit 1 only when nothing could be read`, { timeout: 120_000 }, async () => {
  const db = join(tmpDir(), 'cli.db');
  assert.equal((await runCli(['ingest', '--db', db, '-'], `${BASELINE}\n`)).code, 0);
  const edges = async () => (await runCli(['edges', '--db', db, '--output', 'json'])).out;
  for (const c of flowCases) {
    const before = await edges();
    const r = await runCli(['ingest', '--db', db, '--format', c.format, '-'], readFileSync(join(DIR, c.input), 'utf8'));
    assert.doesNotMatch(r.err, INTERNAL, c.input);
    const nothing = c.accepted === 0 && c.rejected > 0;
    assert.equal(r.code, nothing ? 1 : 0, `${c.input}: ${r.err}`);
    checkSummary(c, JSON.parse(r.out) as Summary, 'CLI');
    const after = await edges();
    if (c.accepted === 0) assert.equal(after, before, `${c.input}: nothing accepted, nothing changed`);
    const list = await runCli(['edges', '--db', db]);
    assert.equal(list.code, 0);
    assert.equal(list.err, '', 'no unreadable rows');
  }
});

test(`the ${inventoryCases.length} malformed inventory inputs over HTTP and the CLI: 422 problem+json / exit 1 naming the field, nothing imported`, { timeout: 60_000 }, async () => {
  const { db, path } = tmpDb();
  const app = testApp(db, path);
  const cliDb = join(tmpDir(), 'inv.db');
  openDb(cliDb).close();
  const workloads = async () => (await request(app).get('/api/v1/workloads?limit=1000').expect(200)).body as unknown;
  const cliWorkloads = () => new Set((openDb(cliDb).prepare('SELECT namespace, kind, name FROM workloads').all() as object[]).map((w) => JSON.stringify(w)));
  let taken = Date.UTC(2026, 10, 1);
  for (const c of inventoryCases) {
    const before = await workloads();
    const text = readFileSync(join(DIR, c.input), 'utf8');
    taken += 60_000;
    const res = await request(app).post(`/api/v1/inventory?takenAt=${new Date(taken).toISOString()}`).type('application/json').send(text);
    assert.equal(res.status, c.status, `${c.input}: ${res.text.slice(0, 300)} (${c.why})`);
    assert.doesNotMatch(res.text, INTERNAL, c.input);
    const r = await runCli(['inventory', 'import', '--db', cliDb, '--taken-at', new Date(taken).toISOString(), join(DIR, c.input)]);
    if (c.status >= 400) {
      assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
      if (c.mentions) assert.ok(res.text.includes(c.mentions), `${c.input}: the problem names ${c.mentions}: ${res.text}`);
      assert.deepEqual(await workloads(), before, `${c.input}: nothing imported`);
      const beforeCli = cliWorkloads();
      assert.equal(r.code, 1, `${c.input}: CLI exit`);
      if (c.mentions) assert.ok(r.err.includes(c.mentions), `${c.input}: the CLI names ${c.mentions}: ${r.err}`);
      assert.deepEqual(cliWorkloads(), beforeCli);
    } else assert.equal(r.code, 0, `${c.input}: ${r.err}`);
  }
});
